"""NETCONF clients (python3-ncclient) for the route server in its
namespace: a TCP connection opened from inside the namespace, then SSH."""

from __future__ import annotations

import ctypes
import os
import socket
import subprocess
import threading

from ncclient import manager

import rslab

CLONE_NEWNET = 0x40000000
NETCONF_PORT = 830


def netns_connection(netns: str, port: int = NETCONF_PORT,
                     timeout: float = 10) -> socket.socket:
    """A TCP connection to 127.0.0.1:port inside the namespace: a thread
    joins the namespace (setns applies to the calling thread only) and
    opens it; the socket stays in that namespace whoever uses it."""
    result: dict = {}

    def join_and_connect():
        try:
            libc = ctypes.CDLL("libc.so.6", use_errno=True)
            fd = os.open(f"/var/run/netns/{netns}", os.O_RDONLY)
            try:
                if libc.setns(fd, CLONE_NEWNET) != 0:
                    raise OSError(ctypes.get_errno(), "setns failed")
            finally:
                os.close(fd)
            result["sock"] = socket.create_connection(("127.0.0.1", port),
                                                      timeout)
        except Exception as exc:  # noqa: BLE001 - re-raised below
            result["error"] = exc

    thread = threading.Thread(target=join_and_connect)
    thread.start()
    thread.join(timeout + 5)
    if "error" in result:
        raise result["error"]
    if "sock" not in result:
        raise TimeoutError(f"no connection to port {port} in {netns}")
    return result["sock"]


class ClientKey:
    """An SSH key pair made for the test."""

    def __init__(self, directory: str, name: str = "client"):
        self.path = os.path.join(directory, name)
        if not os.path.exists(self.path):
            rslab.run(["ssh-keygen", "-q", "-t", "ecdsa", "-b", "256",
                       "-N", "", "-f", self.path])

    @property
    def public(self) -> str:
        with open(self.path + ".pub") as f:
            return f.read()


def connect(rs: rslab.RouteServer, key: ClientKey | None = None,
            password: str | None = None, user: str = "admin",
            timeout: float = 20) -> manager.Manager:
    sock = netns_connection(rs.netns.name)
    return manager.connect(
        host="127.0.0.1", port=NETCONF_PORT, sock=sock, username=user,
        key_filename=key.path if key else None, password=password,
        hostkey_verify=False, allow_agent=False, look_for_keys=False,
        timeout=timeout)


def wait_listening(rs: rslab.RouteServer, timeout: float = 20) -> None:
    def listening():
        netns_connection(rs.netns.name, timeout=2).close()
        return True
    rslab.wait_until(listening, timeout, "the NETCONF server to listen")


def ss_listeners(rs: rslab.RouteServer) -> str:
    return subprocess.run(rs.netns.argv(["ss", "-Htlnp"]), capture_output=True,
                          text=True, timeout=rslab.CMD_TIMEOUT).stdout

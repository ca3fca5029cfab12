"""NETCONF clients for frr-netconfd in the route server's namespace, over a
TCP connection opened from inside the namespace: python3-ncclient's, and
RawSession, which speaks the protocol byte by byte (paramiko) for what a
client library would never send."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import time

import paramiko
from ncclient import manager

import rslab

NETCONF_PORT = rslab.NETCONF_PORT
NC_NS = "urn:ietf:params:xml:ns:netconf:base:1.0"
BASE_10 = "urn:ietf:params:netconf:base:1.0"
BASE_11 = "urn:ietf:params:netconf:base:1.1"
EOM = b"]]>]]>"
END_OF_CHUNKS = b"\n##\n"
CHUNK_HEADER = re.compile(rb"\n#([1-9][0-9]{0,9})\n")
# what may still become a chunk header or the end of chunks
HEADER_PREFIX = re.compile(rb"(\n(#(#|[1-9][0-9]{0,9})?)?)?")


def netns_connection(netns: str, port: int = NETCONF_PORT,
                     timeout: float = 10) -> socket.socket:
    """A TCP connection to 127.0.0.1:port inside the namespace."""
    return rslab.netns_connection(netns, port, timeout=timeout)


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

    def pkey(self) -> paramiko.PKey:
        return paramiko.ECDSAKey.from_private_key_file(self.path)


def connect(rs: rslab.RouteServer, key: ClientKey | None = None,
            password: str | None = None, user: str = "admin",
            timeout: float = 20) -> manager.Manager:
    # ncclient 0.6.17 (Debian 13) unlocks a key with the password and
    # skips the key when there is none; a key of ours has no passphrase.
    if key and password is None:
        password = ""
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


# --------------------------------------------------------------------------
# the protocol byte by byte


class Closed(ConnectionError):
    """The server closed the session (or the connection)."""


class BadFraming(AssertionError):
    """The server's output broke RFC 6242's framing."""


def hello(capabilities=(BASE_10, BASE_11)) -> bytes:
    caps = "".join(f"<capability>{c}</capability>" for c in capabilities)
    return (f'<?xml version="1.0" encoding="UTF-8"?><hello xmlns="{NC_NS}">'
            f"<capabilities>{caps}</capabilities></hello>").encode()


def rpc(body: str, message_id: str | None = "1") -> bytes:
    """An <rpc> around body; message_id None leaves the attribute out."""
    attr = "" if message_id is None else f' message-id="{message_id}"'
    return f'<rpc xmlns="{NC_NS}"{attr}>{body}</rpc>'.encode()


def chunked(message: bytes) -> bytes:
    """message in one chunk, then the end of chunks (RFC 6242 4.2)."""
    return b"\n#%d\n" % len(message) + message + END_OF_CHUNKS


class RawSession:
    """A NETCONF session over SSH from inside the route server's namespace,
    spoken byte by byte: SSH (public key of `user`), the netconf subsystem,
    then whatever the test sends.  start() reads the server's hello and
    sends ours (base:1.1, so chunked framing after it)."""

    def __init__(self, rs: rslab.RouteServer, key: ClientKey,
                 user: str = "admin", timeout: float = 10,
                 port: int = NETCONF_PORT):
        self.timeout = timeout
        self.buffer = b""
        self.chunked = False
        self.server_hello = b""
        self.session_id: str | None = None
        self.transport: paramiko.Transport | None = None
        self.channel: paramiko.Channel | None = None
        self.sock = netns_connection(rs.netns.name, port, timeout)
        try:
            self.transport = paramiko.Transport(self.sock)
            self.transport.start_client(timeout=timeout)
            self.transport.auth_publickey(user, key.pkey())
            self.channel = self.transport.open_session(timeout=timeout)
            self.channel.settimeout(timeout)
            self.channel.invoke_subsystem("netconf")
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> "RawSession":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        for thing in (self.channel, self.transport, self.sock):
            if thing is not None:
                try:
                    thing.close()
                except Exception:  # noqa: BLE001 - closing anyway
                    pass

    def start(self, capabilities=(BASE_10, BASE_11)) -> "RawSession":
        self.read_server_hello()
        self.send_hello(capabilities)
        return self

    def read_server_hello(self) -> bytes:
        self.server_hello = self.read_message()
        m = re.search(rb"<session-id>(\d+)</session-id>", self.server_hello)
        self.session_id = m.group(1).decode() if m else None
        return self.server_hello

    def send_hello(self, capabilities=(BASE_10, BASE_11)) -> None:
        self.send(hello(capabilities) + EOM)
        self.chunked = BASE_11 in capabilities

    # output
    def send(self, data: bytes) -> None:
        """Raw bytes, no framing added."""
        try:
            self.channel.sendall(data)
        except (OSError, EOFError, paramiko.SSHException) as exc:
            raise Closed(f"sending failed: {exc!r}") from None

    def frame(self, message: bytes) -> bytes:
        """message framed as this session frames (chunked after a base:1.1
        hello, else end-of-message)."""
        return chunked(message) if self.chunked else message + EOM

    def send_message(self, message: bytes) -> None:
        self.send(self.frame(message))

    def send_rpc(self, body: str, message_id: str | None = "1") -> None:
        self.send_message(rpc(body, message_id))

    # input
    def _fill(self, deadline: float) -> None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(f"no complete message from the server; "
                               f"buffered: {self.buffer[:200]!r}")
        self.channel.settimeout(remaining)
        try:
            data = self.channel.recv(1 << 16)
        except socket.timeout:
            raise TimeoutError(f"no complete message from the server; "
                               f"buffered: {self.buffer[:200]!r}") from None
        except (OSError, EOFError, paramiko.SSHException) as exc:
            raise Closed(f"receiving failed: {exc!r}") from None
        if not data:
            raise Closed("the server closed the session")
        self.buffer += data

    def _take_eom(self) -> bytes | None:
        message, eom, rest = self.buffer.partition(EOM)
        if not eom:
            return None
        self.buffer = rest
        return message.strip()

    def _take_chunked(self) -> bytes | None:
        buf, pos, parts = self.buffer, 0, []
        while True:
            if buf.startswith(END_OF_CHUNKS, pos) and parts:
                self.buffer = buf[pos + len(END_OF_CHUNKS):]
                return b"".join(parts)
            m = CHUNK_HEADER.match(buf, pos)
            if m is None:
                if HEADER_PREFIX.fullmatch(buf, pos):
                    return None
                raise BadFraming(f"not a chunk header: {buf[pos:pos + 40]!r}")
            end = m.end() + int(m.group(1))
            if len(buf) < end:
                return None
            parts.append(buf[m.end():end])
            pos = end

    def read_message(self, timeout: float | None = None) -> bytes:
        """The server's next message; TimeoutError or Closed."""
        deadline = time.monotonic() + (self.timeout if timeout is None
                                       else timeout)
        while True:
            message = self._take_chunked() if self.chunked \
                else self._take_eom()
            if message is not None:
                return message
            self._fill(deadline)

    def read_reply(self, timeout: float | None = None) -> bytes:
        """The next message that is not a notification."""
        while True:
            message = self.read_message(timeout)
            if b"<notification" not in message[:200]:
                return message

    def closed_by_server(self, timeout: float) -> bool:
        """True once the server has closed the session, within timeout
        seconds; whatever it sends meanwhile is read past."""
        deadline = time.monotonic() + timeout
        try:
            while True:
                self.buffer = b""
                self._fill(deadline)
        except Closed:
            return True
        except TimeoutError:
            return False

"""rslab: a small lab of network namespaces around Debian's FRR bgpd with
the frr-routeserver module, and gobgpd peers.

Topology: one namespace for the route server, holding a bridge ``br0`` with
198.18.0.1/24 and 2001:db8:18::1/64; one namespace per peer, each wired to
the bridge with a veth pair (``eth0`` on the peer's side).  The route
server runs Debian's zebra and bgpd (bgpd with ``-M routeserver``); each peer
runs its own gobgpd, reached with the ``gobgp`` CLI inside its namespace.
A route server with NETCONF also runs frr-netconfd in its namespace, which
reaches bgpd through bgpd's northbound agent (``-M nbagent``).
A topology may have a second route server (198.18.0.2, 2001:db8:18::2) in a
namespace of its own, wired to the bridge like a peer; every peer then
peers with both.

Every namespace name starts with a prefix that holds the PID of the run that
made it (``rs<PID>-`` for tests), so parallel runs never collide and
:func:`cleanup_leftovers` can remove what a dead run left behind.  Every
process is started and stopped by its own PID; every wait has a deadline.

Environment:
  RS_MODULEDIR  directory holding bgpd_routeserver.so
                (default: /usr/lib/x86_64-linux-gnu/frr/modules)
  RS_VTYSH      the vtysh that knows the module's commands (default: /usr/bin/vtysh)
  RS_NETCONFD   the NETCONF daemon (default: /usr/sbin/frr-netconfd)
  RS_KEEP       if set to 1, keep the work directories after a stop
  RS_BUILD_DIR  the build directory the --build options use (default: build/)
"""

from __future__ import annotations

import ctypes
import functools
import glob
import ipaddress
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from typing import Callable, Iterable

FRR_DAEMON_DIR = "/usr/lib/frr"
DEFAULT_MODULEDIR = "/usr/lib/x86_64-linux-gnu/frr/modules"
DEFAULT_VTYSH = "/usr/bin/vtysh"
DEFAULT_NETCONFD = "/usr/sbin/frr-netconfd"
NETCONF_PORT = 830
MODULE_NAME = "routeserver"
MODULE_FILE = "bgpd_routeserver.so"
# this source tree
TOP = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))

NET4 = ipaddress.ip_network("198.18.0.0/24")
NET6 = ipaddress.ip_network("2001:db8:18::/64")
RS_HOST = 1

GOBGP_API = "127.0.0.1:50051"
CMD_TIMEOUT = 30  # seconds, for any one helper command


def moduledir() -> str:
    return os.environ.get("RS_MODULEDIR") or DEFAULT_MODULEDIR


def vtysh_path() -> str:
    return os.environ.get("RS_VTYSH") or DEFAULT_VTYSH


def netconfd_path() -> str:
    return os.environ.get("RS_NETCONFD") or DEFAULT_NETCONFD


@functools.lru_cache(maxsize=None)
def frr_major() -> int:
    """The installed frr's major version: 8 on Debian 12, 10 on Debian 13."""
    version = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "frr"],
                             capture_output=True, text=True, check=True,
                             timeout=CMD_TIMEOUT).stdout
    return int(version.split(":")[-1].split(".")[0])


def _module_version() -> str:
    """The version configure.ac gives, which the module reports."""
    with open(os.path.join(TOP, "configure.ac")) as f:
        return re.search(r"AC_INIT\(\[frr-routeserver\], \[([^]]+)\]",
                         f.read()).group(1)


MODULE_VERSION = _module_version()


def build_dir() -> str:
    """This tree's build directory: RS_BUILD_DIR, or build/ at its top."""
    return os.environ.get("RS_BUILD_DIR") or os.path.join(TOP, "build")


def addr4(host: int) -> str:
    return str(NET4.network_address + host)


def addr6(host: int) -> str:
    return str(NET6.network_address + host)


class LabError(RuntimeError):
    pass


# --------------------------------------------------------------------------
# small helpers


def wait_until(predicate: Callable[[], object], timeout: float, what: str,
               interval: float = 0.2):
    """Call predicate until it returns a true value, and return that value.

    Raises TimeoutError naming `what`, the last value and the last exception
    once `timeout` seconds have passed.  An exception of type LabError raised
    by the predicate (e.g. "the daemon died") ends the wait at once.
    """
    deadline = time.monotonic() + timeout
    last_value = None
    last_error = None
    while True:
        try:
            value = predicate()
            if value:
                return value
            last_value = value
            last_error = None
        except LabError:
            raise
        except Exception as exc:  # noqa: BLE001 - reported below
            last_error = exc
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            msg = f"timed out after {timeout:g}s waiting for {what}"
            if last_error is not None:
                msg += f"; last error: {last_error!r}"
            else:
                msg += f"; last value: {last_value!r}"
            raise TimeoutError(msg)
        time.sleep(min(interval, remaining))


def run(argv: list[str], timeout: float = CMD_TIMEOUT, check: bool = True,
        input: str | None = None) -> subprocess.CompletedProcess:
    """Run a command, capture its output as text, bounded in time."""
    cp = subprocess.run(argv, input=input, capture_output=True, text=True,
                        timeout=timeout)
    if check and cp.returncode != 0:
        raise LabError(f"command failed ({cp.returncode}): {' '.join(argv)}\n"
                       f"stdout: {cp.stdout}\nstderr: {cp.stderr}")
    return cp


def pid_alive(pid: int) -> bool:
    """True if the process exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
    except (FileNotFoundError, ProcessLookupError):
        return False
    state = stat.rsplit(")", 1)[1].split()[0]
    return state not in ("Z", "X")


def pid_starttime(pid: int) -> int | None:
    """Start time of a process (clock ticks since boot), to tell PIDs apart."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return int(stat.rsplit(")", 1)[1].split()[19])


def tail(path: str, lines: int = 40) -> str:
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except FileNotFoundError:
        return f"({path}: no such file)\n"


def chown_frr(path: str) -> None:
    shutil.chown(path, "frr", "frr")


def write_frr_file(path: str, text: str, mode: int = 0o644) -> None:
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)
    chown_frr(path)


# --------------------------------------------------------------------------
# processes


class Process:
    """A foreground daemon we started, tracked by its PID.

    `ip netns exec` execs the command, so the PID of the Popen is the PID of
    the daemon itself (or of valgrind, which runs the daemon in-process).
    """

    def __init__(self, name: str, argv: list[str], logfile: str,
                 detach: bool = False):
        self.name = name
        self.argv = argv
        self.logfile = logfile
        self.detach = detach
        self.popen: subprocess.Popen | None = None
        self.pid: int | None = None
        self.starttime: int | None = None
        self.returncode: int | None = None

    def start(self) -> None:
        with open(self.logfile, "ab") as out:
            self.popen = subprocess.Popen(
                self.argv, stdin=subprocess.DEVNULL, stdout=out,
                stderr=subprocess.STDOUT, start_new_session=self.detach)
        self.pid = self.popen.pid
        self.starttime = pid_starttime(self.pid)
        self.returncode = None

    def running(self) -> bool:
        if self.popen is not None:
            return self.popen.poll() is None
        return self.pid is not None and pid_alive(self.pid) and \
            pid_starttime(self.pid) == self.starttime

    def check_running(self) -> None:
        if not self.running():
            rc = self.popen.returncode if self.popen else None
            raise LabError(f"{self.name} (pid {self.pid}) exited with {rc}; "
                           f"output:\n{tail(self.logfile)}")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15) -> int | None:
        """Signal the process, wait for it (bounded), SIGKILL if it lingers.

        Returns the exit status (negative for a signal, as Popen does), or
        None when the process is not our child (lab `down`)."""
        if self.pid is None:
            return self.returncode
        if self.popen is not None:
            if self.popen.poll() is None:
                try:
                    os.kill(self.pid, sig)
                except ProcessLookupError:
                    pass
                try:
                    self.popen.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    self.popen.kill()
                    self.popen.wait(timeout=10)
                    self.returncode = self.popen.returncode
                    raise LabError(f"{self.name} (pid {self.pid}) did not exit "
                                   f"within {timeout}s of signal {sig}; killed")
            self.returncode = self.popen.returncode
            return self.returncode
        # not our child: only signal it if it is still the same process
        if self.running():
            os.kill(self.pid, sig)
            try:
                wait_until(lambda: not pid_alive(self.pid), timeout,
                           f"{self.name} (pid {self.pid}) to exit")
            except TimeoutError:
                if pid_alive(self.pid) and \
                        pid_starttime(self.pid) == self.starttime:
                    os.kill(self.pid, signal.SIGKILL)
                    wait_until(lambda: not pid_alive(self.pid), 10,
                               f"{self.name} (pid {self.pid}) to die")
        return None

    def state(self) -> dict:
        return {"name": self.name, "pid": self.pid,
                "starttime": self.starttime, "argv": self.argv,
                "logfile": self.logfile}

    @classmethod
    def from_state(cls, st: dict) -> "Process":
        p = cls(st["name"], st["argv"], st["logfile"])
        p.pid = st["pid"]
        p.starttime = st["starttime"]
        return p


# --------------------------------------------------------------------------
# namespaces


class Netns:
    def __init__(self, name: str):
        self.name = name
        self.created = False

    def exists(self) -> bool:
        return os.path.exists(f"/run/netns/{self.name}")

    def create(self) -> None:
        if self.exists():
            raise LabError(f"network namespace {self.name} already exists")
        run(["ip", "netns", "add", self.name])
        self.created = True
        self.ip("link", "set", "lo", "up")
        # no duplicate address detection in our own namespaces: addresses
        # are usable at once
        # (/proc/sys/net is the namespace's own; no procps needed)
        self.exec(["sh", "-c",
                   "echo 0 >/proc/sys/net/ipv6/conf/all/accept_dad && "
                   "echo 0 >/proc/sys/net/ipv6/conf/default/accept_dad"])

    def ip(self, *args: str) -> subprocess.CompletedProcess:
        return run(["ip", "-n", self.name, *args])

    def argv(self, argv: list[str]) -> list[str]:
        return ["ip", "netns", "exec", self.name, *argv]

    def exec(self, argv: list[str], **kw) -> subprocess.CompletedProcess:
        return run(self.argv(argv), **kw)

    def pids(self) -> list[int]:
        cp = run(["ip", "netns", "pids", self.name], check=False)
        return [int(x) for x in cp.stdout.split()]

    def delete(self) -> None:
        """Delete the namespace.  Processes still inside are ones we started
        (or a dead run of ours did): end them by PID first."""
        if not self.exists():
            return
        kill_pids(self.pids(), f"namespace {self.name}")
        run(["ip", "netns", "del", self.name], check=False)
        self.created = False


CLONE_NEWNET = 0x40000000


def netns_connection(netns: str, port: int, address: str = "127.0.0.1",
                     timeout: float = 10) -> socket.socket:
    """A TCP connection to address:port inside the namespace: a thread
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
            result["sock"] = socket.create_connection((address, port),
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


def kill_pids(pids: Iterable[int], where: str, timeout: float = 10) -> None:
    pids = [p for p in pids if pid_alive(p)]
    for p in pids:
        try:
            os.kill(p, signal.SIGTERM)
        except ProcessLookupError:
            pass
    try:
        wait_until(lambda: not any(pid_alive(p) for p in pids), timeout,
                   f"processes {pids} in {where} to exit")
    except TimeoutError:
        for p in pids:
            if pid_alive(p):
                os.kill(p, signal.SIGKILL)
        wait_until(lambda: not any(pid_alive(p) for p in pids), 10,
                   f"processes {pids} in {where} to die")


def exit_on_sigterm() -> None:
    """Make SIGTERM end a tool like sys.exit(), so that its finally
    clauses still stop the lab it started."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))


def cleanup_leftovers(pattern: str = r"^rs(\d+)-", verbose: bool = True) -> list[str]:
    """Remove namespaces (and /tmp work directories) of runs that are dead.

    A namespace matches `pattern`, whose first group is the PID of the run
    that made it; if that PID is no longer alive, the processes inside are
    ended and the namespace is deleted.  Returns the names removed."""
    removed = []
    rx = re.compile(pattern)
    try:
        names = sorted(os.listdir("/run/netns"))
    except FileNotFoundError:
        names = []
    for name in names:
        m = rx.match(name)
        if not m or pid_alive(int(m.group(1))):
            continue
        if verbose:
            print(f"rslab: removing leftover namespace {name}")
        Netns(name).delete()
        removed.append(name)
    tmp = tempfile.gettempdir()
    for entry in os.listdir(tmp):
        m = rx.match(entry)
        path = os.path.join(tmp, entry)
        if m and os.path.isdir(path) and not pid_alive(int(m.group(1))):
            shutil.rmtree(path, ignore_errors=True)
    return removed


# --------------------------------------------------------------------------
# frr-netconfd's access control


NACM_NS = "urn:ietf:params:xml:ns:yang:ietf-netconf-acm"


def nacm_xml(admins: Iterable[str]) -> str:
    """ietf-netconf-acm data: the group admin (its members `admins`) may do
    everything; other users have RFC 8341's defaults (read only)."""
    members = "".join(f"<user-name>{u}</user-name>" for u in admins)
    return (f'<nacm xmlns="{NACM_NS}">'
            f"<groups><group><name>admin</name>{members}</group></groups>"
            "<rule-list><name>admin</name><group>admin</group>"
            "<rule><name>everything</name><module-name>*</module-name>"
            "<access-operations>*</access-operations>"
            "<action>permit</action></rule></rule-list></nacm>\n")


# --------------------------------------------------------------------------
# the route server


class RouteServer:
    """zebra + bgpd (with the route-server module) in the route server's
    namespace; vtysh talks to them through DIR's sockets.  `name` is its
    hostname."""

    def __init__(self, netns: Netns, workdir: str, asn: int = 65515,
                 host: int = RS_HOST, moduledir_: str | None = None,
                 vtysh: str | None = None, valgrind: bool = False,
                 detach: bool = False, module: bool = True,
                 name: str = "rs"):
        self.name = name
        self.netns = netns
        self.module = module  # load the route-server module into bgpd
        self.dir = workdir
        self.asn = asn
        self.host = host
        self.router_id = addr4(host)
        self.addr4 = addr4(host)
        self.addr6 = addr6(host)
        self.moduledir = moduledir_ or moduledir()
        self.vtysh_bin = vtysh or vtysh_path()
        self.valgrind = valgrind
        # run bgpd under callgrind, counting nothing until
        # count_instructions() (bench/run --instructions)
        self.callgrind = False
        self.detach = detach
        self.peers: list[GobgpPeer] = []
        self.zebra: Process | None = None
        self.bgpd: Process | None = None
        self.bgpd_log_offset = 0
        self.bgpd_starts = 0
        # serve NETCONF: bgpd loads the northbound agent and frr-netconfd
        # runs beside it; netconfd_settings are keys of the daemon's
        # configuration file over the lab's (None drops a key)
        self.netconf = False
        # install the table in zebra's RIB and the kernel (bgpd without -n)
        self.rib = False
        self.netconfd_settings: dict[str, object] = {}
        self.netconfd: Process | None = None
        self.netconfd_log_offset = 0

    # files
    def path(self, name: str) -> str:
        return os.path.join(self.dir, name)

    @property
    def bgpd_log(self) -> str:
        return self.path("bgpd.log")

    @property
    def valgrind_log(self) -> str:
        return self.path("valgrind.log")

    @property
    def callgrind_out(self) -> str:
        return self.path("callgrind.out")

    @property
    def under_valgrind(self) -> bool:
        return self.valgrind or self.callgrind

    @property
    def hold_time(self) -> int:
        """Of every session with it: short, so that a dead peer shows soon;
        long under callgrind, which runs bgpd's threads one at a time and
        so lets keepalives wait for seconds."""
        return 240 if self.callgrind else 9

    @property
    def keepalive(self) -> int:
        return self.hold_time // 3

    @property
    def timers(self) -> str:
        """bgpd's keepalive and hold time."""
        return f"{self.keepalive} {self.hold_time}"

    @property
    def agent_socket(self) -> str:
        return self.path("nbagent.sock")

    @property
    def netconfd_conf(self) -> str:
        return self.path("netconf/frr-netconfd.conf")

    @property
    def netconfd_logfile(self) -> str:
        return self.path("netconfd.log")

    def generate_bgpd_conf(self) -> str:
        lines = [
            "frr defaults traditional",
            f"hostname {self.name}",
            # FRR 10 times every route-map application with it (README)
            "no service cputime-stats",
            "!",
            f"router bgp {self.asn}",
            f" bgp router-id {self.router_id}",
            " no bgp ebgp-requires-policy",
            " no bgp default ipv4-unicast",
            f" timers bgp {self.timers}",
        ]
        af4, af6 = [], []
        for peer in self.peers:
            for addr, af in ((peer.addr4, af4), (peer.addr6, af6)):
                if addr is None:
                    continue
                lines += [
                    f" neighbor {addr} remote-as {peer.asn}",
                    f" neighbor {addr} description {peer.name}:{peer.role}",
                    f" neighbor {addr} timers {self.timers}",
                    f" neighbor {addr} timers connect 2",
                ]
                af += [f"  neighbor {addr} activate",
                       f"  neighbor {addr} route-server-client"]
        for name, af in (("ipv4", af4), ("ipv6", af6)):
            if af:
                lines += ["!", f" address-family {name} unicast", *af,
                          " exit-address-family"]
        lines += ["exit", "!", ""]
        return "\n".join(lines)

    def write_bgpd_conf(self, text: str | None = None) -> None:
        """Write bgpd.conf: the generated one, or `text` (e.g. "" to start
        empty and boot from frr.conf)."""
        write_frr_file(self.path("bgpd.conf"),
                       self.generate_bgpd_conf() if text is None else text)

    def prepare(self) -> None:
        os.makedirs(self.dir, exist_ok=True)
        os.chmod(self.dir, 0o755)
        chown_frr(self.dir)
        write_frr_file(self.path("zebra.conf"), f"hostname {self.name}\n")
        # integrated config: `write memory` writes DIR/frr.conf
        write_frr_file(self.path("vtysh.conf"),
                       "service integrated-vtysh-config\n")
        if not os.path.exists(self.path("bgpd.conf")):
            self.write_bgpd_conf()
        if self.netconf:
            self.prepare_netconf()

    def prepare_netconf(self) -> None:
        """frr-netconfd's files under DIR/netconf, owned by root and
        writable by root only, as the daemon demands: its host key, the
        users directory (see authorize_key), a NACM file giving the group
        admin (user admin) everything, and its configuration file."""
        for directory in ("netconf", "netconf/users"):
            os.makedirs(self.path(directory), exist_ok=True)
            os.chmod(self.path(directory), 0o755)
        key = self.path("netconf/host_key")
        if not os.path.exists(key):
            run(["ssh-keygen", "-q", "-t", "ecdsa", "-b", "256", "-N", "",
                 "-f", key])
        os.chmod(key, 0o600)
        if not os.path.exists(self.path("netconf/nacm.xml")):
            self.write_nacm(nacm_xml(admins=["admin"]))
        self.write_netconfd_conf()

    def authorize_key(self, public_key: str, user: str = "admin") -> None:
        """Let `user` log in with the key: a line in DIR/netconf/users/USER
        (root's, 0644)."""
        path = self.path(f"netconf/users/{user}")
        with open(path, "a") as f:
            f.write(public_key.strip() + "\n")
        os.chmod(path, 0o644)

    def write_nacm(self, xml: str) -> None:
        path = self.path("netconf/nacm.xml")
        with open(path, "w") as f:
            f.write(xml)
        os.chmod(path, 0o644)

    def netconfd_config(self) -> dict[str, str]:
        """frr-netconfd's configuration: the lab's keys, then
        netconfd_settings."""
        nc = self.path("netconf")
        config = {"address": "127.0.0.1", "port": str(NETCONF_PORT),
                  "host-key": f"{nc}/host_key", "users": f"{nc}/users",
                  "nacm": f"{nc}/nacm.xml", "agent": self.agent_socket}
        for name, value in self.netconfd_settings.items():
            if value is None:
                config.pop(name, None)
            else:
                config[name] = str(value)
        return config

    def write_netconfd_conf(self) -> None:
        text = "".join(f"{name} = {value}\n"
                       for name, value in self.netconfd_config().items())
        with open(self.netconfd_conf, "w") as f:
            f.write("# written by the test lab\n" + text)
        os.chmod(self.netconfd_conf, 0o644)

    # daemons
    def zebra_argv(self) -> list[str]:
        d = self.dir
        return self.netns.argv([
            f"{FRR_DAEMON_DIR}/zebra", "-f", f"{d}/zebra.conf",
            "-i", f"{d}/zebra.pid", "--vty_socket", d,
            "-z", f"{d}/zserv.api", "-A", "127.0.0.1", "-P", "0",
            "--log", f"file:{d}/zebra.log"])

    def bgpd_argv(self) -> list[str]:
        d = self.dir
        module = ["-M", MODULE_NAME] if self.module else []
        if self.netconf:
            module += ["-M", f"nbagent:socket={self.agent_socket}"]
        if module:
            module = ["--moduledir", self.moduledir, *module]
        argv = [f"{FRR_DAEMON_DIR}/bgpd", *module, "-f", f"{d}/bgpd.conf",
                "-i", f"{d}/bgpd.pid", "--vty_socket", d,
                "-z", f"{d}/zserv.api", "-A", "127.0.0.1", "-P", "0",
                "-p", "179", *([] if self.rib else ["-n"]), "-S",
                "--log", f"file:{d}/bgpd.log"]
        if self.valgrind:
            argv = ["valgrind", "--leak-check=full", "--error-exitcode=99",
                    "--num-callers=30", f"--log-file={self.valgrind_log}",
                    *argv]
        elif self.callgrind:
            argv = ["valgrind", "--tool=callgrind", "--instr-atstart=no",
                    f"--callgrind-out-file={self.callgrind_out}",
                    f"--log-file={self.valgrind_log}", *argv]
        return self.netns.argv(argv)

    def start_zebra(self, timeout: float = 20) -> None:
        self.zebra = Process("zebra", self.zebra_argv(),
                             self.path("zebra.out"), self.detach)
        self.zebra.start()
        wait_until(lambda: (self.zebra.check_running(),
                            self.vtysh("show version", daemon="zebra")[0] == 0)[1],
                   timeout, "zebra to answer vtysh")

    def start_bgpd(self, timeout: float | None = None,
                   wait_agent: bool = True) -> None:
        """Start bgpd and wait until it answers vtysh; if frr-netconfd runs,
        also (unless wait_agent is false) until it has reached bgpd's
        agent again."""
        if timeout is None:
            timeout = 90 if self.under_valgrind else 20
        if not os.path.exists(self.path("bgpd.conf")):
            self.write_bgpd_conf()
        netconfd_runs = self.netconfd is not None and self.netconfd.running()
        connections = self.agent_connections() if netconfd_runs else 0
        try:
            self.bgpd_log_offset = os.path.getsize(self.bgpd_log)
        except FileNotFoundError:
            self.bgpd_log_offset = 0
        self.bgpd = Process("bgpd", self.bgpd_argv(), self.path("bgpd.out"),
                            self.detach)
        self.bgpd.start()
        self.bgpd_starts += 1
        wait_until(lambda: (self.bgpd.check_running(),
                            self.vtysh("show version", daemon="bgpd")[0] == 0)[1],
                   timeout, "bgpd to answer vtysh", interval=0.3)
        if netconfd_runs and wait_agent:
            wait_until(lambda: (self.netconfd.check_running(),
                                self.agent_connections() > connections)[1],
                       timeout, "frr-netconfd to reach bgpd's agent again")

    def start(self) -> None:
        self.prepare()
        if self.zebra is None or not self.zebra.running():
            self.start_zebra()
        self.start_bgpd()
        if self.netconf and not (self.netconfd and self.netconfd.running()):
            self.start_netconfd()

    # frr-netconfd
    def netconfd_argv(self) -> list[str]:
        return self.netns.argv([netconfd_path(), "-f", self.netconfd_conf,
                                "-d"])

    def start_netconfd(self, settings: dict | None = None, wait: bool = True,
                       timeout: float | None = None) -> None:
        """Start frr-netconfd in the namespace (with settings, if given, as
        its netconfd_settings) and, unless wait is false, wait until it
        accepts TCP connections (see wait_netconfd)."""
        if settings is not None:
            self.netconfd_settings = dict(settings)
        self.prepare_netconf()
        try:
            self.netconfd_log_offset = os.path.getsize(self.netconfd_logfile)
        except FileNotFoundError:
            self.netconfd_log_offset = 0
        self.netconfd = Process("netconfd", self.netconfd_argv(),
                                self.netconfd_logfile, self.detach)
        self.netconfd.start()
        if wait:
            self.wait_netconfd(timeout)

    def wait_netconfd(self, timeout: float | None = None) -> None:
        """Wait until frr-netconfd accepts a TCP connection on its port
        (it listens once it has loaded the schemas from bgpd)."""
        if timeout is None:
            timeout = 90 if self.under_valgrind else 20
        port = int(self.netconfd_config()["port"])

        def accepts():
            self.netconfd.check_running()
            netns_connection(self.netns.name, port, timeout=2).close()
            return True

        wait_until(accepts, timeout, "frr-netconfd to listen")

    def stop_netconfd(self, sig: int = signal.SIGTERM,
                      timeout: float = 10) -> int | None:
        """Signal frr-netconfd and wait for it (SIGKILL after timeout, then
        LabError); its exit status."""
        if self.netconfd is None:
            return None
        return self.netconfd.stop(sig, timeout)

    def kill_netconfd(self) -> int | None:
        """kill -9 of frr-netconfd."""
        return self.stop_netconfd(signal.SIGKILL)

    def restart_netconfd(self, settings: dict | None = None) -> None:
        self.stop_netconfd()
        self.start_netconfd(settings)

    def netconfd_log(self, since_start: bool = True) -> str:
        """frr-netconfd's output; by default only what its last start
        wrote."""
        try:
            with open(self.netconfd_logfile, errors="replace") as f:
                if since_start:
                    f.seek(self.netconfd_log_offset)
                return f.read()
        except FileNotFoundError:
            return ""

    def agent_connections(self) -> int:
        """How often frr-netconfd connected to bgpd's agent since it
        started."""
        return self.netconfd_log().count(
            f"northbound agent {self.agent_socket}: connected")

    def count_instructions(self) -> None:
        """Start callgrind's count of what bgpd executes (self.callgrind)."""
        run(["callgrind_control", "-i", "on", str(self.bgpd.pid)])

    def dump_instructions(self) -> str:
        """Stop the count of count_instructions() and have callgrind write
        what bgpd executed meanwhile, all its threads; returns the dump's
        file.  Uncounted, bgpd also stops in seconds rather than minutes."""
        dumps = glob.glob(glob.escape(self.callgrind_out) + ".*")
        pid = str(self.bgpd.pid)
        run(["callgrind_control", "-d", pid])
        run(["callgrind_control", "-i", "off", pid])
        return f"{self.callgrind_out}.{len(dumps) + 1}"

    def stop_bgpd(self, sig: int = signal.SIGTERM, timeout: float | None = None) -> int | None:
        if self.bgpd is None:
            return None
        if timeout is None:
            timeout = 120 if self.under_valgrind else 20
        return self.bgpd.stop(sig, timeout)

    def restart_bgpd(self) -> int | None:
        rc = self.stop_bgpd()
        self.start_bgpd()
        return rc

    restart = restart_bgpd

    def kill_bgpd(self) -> int | None:
        """kill -9: bgpd dies with whatever it was doing half done."""
        return self.stop_bgpd(signal.SIGKILL)

    def write_memory(self) -> None:
        """`write memory`: the running configuration into DIR/frr.conf."""
        rc, out, err = self.vtysh("write memory")
        if rc != 0:
            raise LabError(f"write memory failed ({rc}): {out}{err}")

    @property
    def saved_config(self) -> str:
        with open(self.path("frr.conf")) as f:
            return f.read()

    def boot_saved(self) -> None:
        """Start bgpd with an empty bgpd.conf and boot the saved frr.conf,
        as Debian's init does."""
        self.write_bgpd_conf("")
        self.start_bgpd()
        rc, out, err = self.vtysh(boot=True)
        if rc != 0:
            raise LabError(f"booting frr.conf failed ({rc}): {out}{err}")

    def save_and_reboot(self) -> None:
        """`write memory`, stop bgpd, and boot the saved frr.conf."""
        self.write_memory()
        rc = self.stop_bgpd()
        if rc != 0:
            raise LabError(f"bgpd exited with {rc}")
        self.boot_saved()

    def stop(self) -> None:
        errors = []
        for proc in (self.netconfd, self.bgpd, self.zebra):
            if proc is None:
                continue
            try:
                proc.stop(timeout=120 if self.under_valgrind and proc is self.bgpd else 20)
            except Exception as exc:  # noqa: BLE001 - stop the rest too
                errors.append(exc)
        if errors:
            raise errors[0]

    # talking to it
    def vtysh(self, *commands: str, daemon: str | None = None,
              stdin: str | None = None, boot: bool = False,
              timeout: float | None = None) -> tuple[int, str, str]:
        """Run vtysh against this route server: each command as one `-c`, or
        `stdin` fed to an interactive vtysh, or `-b` (boot DIR/frr.conf).
        Returns (returncode, stdout, stderr)."""
        if timeout is None:
            timeout = CMD_TIMEOUT * (10 if self.under_valgrind else 1)
        argv = [self.vtysh_bin, "--vty_socket", self.dir,
                "--config_dir", self.dir]
        if daemon:
            argv += ["-d", daemon]
        if boot:
            argv.append("-b")
        for c in commands:
            argv += ["-c", c]
        cp = subprocess.run(argv, input=stdin, capture_output=True,
                            text=True, timeout=timeout,
                            stdin=None if stdin is not None else subprocess.DEVNULL)
        return cp.returncode, cp.stdout, cp.stderr

    def configure(self, *lines: str, router: bool = True) -> tuple[int, str, str]:
        """Enter `configure` (and `router bgp ASN`) and run lines there."""
        cmds = ["configure"]
        if router:
            cmds.append(f"router bgp {self.asn}")
        return self.vtysh(*cmds, *lines)

    def running_config(self, daemon: str | None = "bgpd") -> str:
        rc, out, err = self.vtysh("show running-config", daemon=daemon)
        if rc != 0:
            raise LabError(f"show running-config failed ({rc}): {out}{err}")
        return out

    def router_bgp_block(self, config: str | None = None) -> list[str]:
        """The lines inside `router bgp ASN` ... `exit` of a config."""
        if config is None:
            config = self.running_config()
        return router_bgp_block(config, self.asn)

    def show_json(self, command: str):
        rc, out, err = self.vtysh(command, daemon="bgpd")
        if rc != 0:
            raise LabError(f"{command} failed ({rc}): {out}{err}")
        return json.loads(out)

    def neighbor_states(self) -> dict[str, str]:
        """{neighbor address: bgpState} from bgpd."""
        data = self.show_json("show bgp neighbors json")
        return {addr: n.get("bgpState", "?") for addr, n in data.items()}

    def log_text(self, since_start: bool = True) -> str:
        """bgpd's log; by default only what the last start wrote."""
        try:
            with open(self.bgpd_log, errors="replace") as f:
                if since_start:
                    f.seek(self.bgpd_log_offset)
                return f.read()
        except FileNotFoundError:
            return ""

    def diagnostics(self) -> str:
        out = [f"--- {self.dir}"]
        for name in ("bgpd.log", "bgpd.out", "zebra.log", "zebra.out",
                     "netconfd.log", "valgrind.log"):
            if os.path.exists(self.path(name)):
                out.append(f"--- tail of {name}\n{tail(self.path(name))}")
        return "\n".join(out)

    def state(self) -> dict:
        return {"name": self.name, "host": self.host,
                "netns": self.netns.name, "dir": self.dir, "asn": self.asn,
                "moduledir": self.moduledir, "vtysh": self.vtysh_bin,
                "processes": [p.state() for p in
                              (self.netconfd, self.bgpd, self.zebra) if p]}


def router_bgp_block(config: str, asn: int) -> list[str]:
    lines = config.splitlines()
    try:
        start = lines.index(f"router bgp {asn}")
    except ValueError:
        return []
    block = []
    for line in lines[start + 1:]:
        if line == "exit":
            break
        block.append(line)
    return block


# --------------------------------------------------------------------------
# gobgpd peers


def family_of(prefix: str) -> str:
    return "ipv6" if ipaddress.ip_network(prefix).version == 6 else "ipv4"


class Speaker:
    """A BGP speaker of the lab in its own namespace, peering from address
    `host` of the lab's networks with the route server rs, or with each of
    `route_servers` (rs first); its daemon is self.proc once started."""

    def __init__(self, name: str, role: str, asn: int, host: int,
                 netns: Netns, workdir: str, rs: RouteServer,
                 prefixes: Iterable[str] = (), ipv6: bool = True,
                 detach: bool = False,
                 route_servers: Iterable[RouteServer] | None = None):
        self.name = name
        self.role = role
        self.asn = asn
        self.host = host
        self.netns = netns
        self.dir = workdir
        self.rs = rs
        self.route_servers = list(route_servers or [rs])
        self.addr4 = addr4(host)
        self.addr6 = addr6(host) if ipv6 else None
        self.prefixes = list(prefixes)  # originated once started
        self.detach = detach
        self.proc: Process | None = None

    def stop(self) -> int | None:
        return self.proc.stop() if self.proc else None

    def state(self) -> dict:
        return {"name": self.name, "role": self.role, "asn": self.asn,
                "addr4": self.addr4, "addr6": self.addr6,
                "netns": self.netns.name, "dir": self.dir,
                "prefixes": self.prefixes,
                "process": self.proc.state() if self.proc else None}


class GobgpPeer(Speaker):
    """A gobgpd in its own namespace, peering with each route server over
    IPv4 (ipv4-unicast) and, if it has an IPv6 address, IPv6 (ipv6-unicast).

    With more than one route server it advertises only the routes it
    originates, as a branch does: gobgpd would otherwise pass what one
    route server sent it on to the other, and the route servers would hold
    (and prefer, by hub routing preference) paths through it.
    """

    @property
    def router_id(self) -> str:
        return self.addr4

    def neighbors(self) -> list[tuple[RouteServer, str, str, str]]:
        """(route server, its address, family, our local address)"""
        out = []
        for rs in self.route_servers:
            out.append((rs, rs.addr4, "ipv4-unicast", self.addr4))
            if self.addr6:
                out.append((rs, rs.addr6, "ipv6-unicast", self.addr6))
        return out

    def generate_config(self) -> str:
        lines = [
            "[global.config]",
            f"  as = {self.asn}",
            f'  router-id = "{self.router_id}"',
            "",
        ]
        if len(self.route_servers) > 1:
            lines += [
                "[global.apply-policy.config]",
                '  export-policy-list = ["originated"]',
                '  default-export-policy = "reject-route"',
                "",
                "[[policy-definitions]]",
                '  name = "originated"',
                "  [[policy-definitions.statements]]",
                "    [policy-definitions.statements.conditions.bgp-conditions]",
                '      route-type = "local"',
                "    [policy-definitions.statements.actions]",
                '      route-disposition = "accept-route"',
                "",
            ]
        for rs, rs_addr, fam, local in self.neighbors():
            lines += [
                "[[neighbors]]",
                "  [neighbors.config]",
                f'    neighbor-address = "{rs_addr}"',
                f"    peer-as = {rs.asn}",
                '    description = "route server"',
                "  [neighbors.transport.config]",
                f'    local-address = "{local}"',
                "  [neighbors.timers.config]",
                "    connect-retry = 2",
                f"    hold-time = {rs.hold_time}",
                f"    keepalive-interval = {rs.keepalive}",
                "  [[neighbors.afi-safis]]",
                "    [neighbors.afi-safis.config]",
                f'      afi-safi-name = "{fam}"',
                "",
            ]
        return "\n".join(lines)

    @property
    def config_path(self) -> str:
        return os.path.join(self.dir, "gobgpd.toml")

    @property
    def logfile(self) -> str:
        return os.path.join(self.dir, "gobgpd.log")

    def start(self, timeout: float = 20) -> None:
        os.makedirs(self.dir, exist_ok=True)
        with open(self.config_path, "w") as f:
            f.write(self.generate_config())
        self.proc = Process(f"gobgpd {self.name}", self.netns.argv([
            "gobgpd", "-f", self.config_path, "-t", "toml", "-p",
            "--pprof-disable", "--api-hosts", GOBGP_API]),
            self.logfile, self.detach)
        self.proc.start()
        wait_until(lambda: (self.proc.check_running(),
                            self.gobgp("neighbor", check=False).returncode == 0)[1],
                   timeout, f"gobgpd {self.name} to answer its API")
        for p in self.prefixes:
            self.originate(p, remember=False)

    def gobgp(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        host, port = GOBGP_API.split(":")
        return self.netns.exec(["gobgp", "-u", host, "-p", port, *args],
                               check=check)

    def gobgp_json(self, *args: str):
        out = self.gobgp("-j", *args).stdout
        return json.loads(out) if out.strip() else None

    def originate(self, prefix: str, *attrs: str,
                  remember: bool = True) -> None:
        """Announce prefix; attrs as gobgp takes them, e.g.
        ("community", "no-advertise") or ("aspath", "65001,65009")."""
        self.gobgp("global", "rib", "add", prefix, *attrs, "-a",
                   family_of(prefix))
        if remember and prefix not in self.prefixes:
            self.prefixes.append(prefix)

    def withdraw(self, prefix: str) -> None:
        self.gobgp("global", "rib", "del", prefix, "-a", family_of(prefix))
        if prefix in self.prefixes:
            self.prefixes.remove(prefix)

    def rib(self, family: str | None = None) -> set[str]:
        """Prefixes in gobgpd's global RIB (its own and those received)."""
        families = [family] if family else ["ipv4", "ipv6"]
        out = set()
        for fam in families:
            data = self.gobgp_json("global", "rib", "-a", fam) or {}
            out.update(data.keys())
        return out

    def received(self, family: str | None = None) -> set[str]:
        """Prefixes received from the route servers (accepted into the RIB):
        those held from at least one of them."""
        return self.held_from(self.route_servers, family)

    def received_from(self, rs: RouteServer,
                      family: str | None = None) -> set[str]:
        """Prefixes received from route server rs."""
        return self.held_from([rs], family)

    def held_from(self, route_servers: Iterable[RouteServer],
                  family: str | None) -> set[str]:
        sources = {a for rs in route_servers for a in (rs.addr4, rs.addr6)}
        families = [family] if family else ["ipv4", "ipv6"]
        out = set()
        for fam in families:
            data = self.gobgp_json("global", "rib", "-a", fam) or {}
            for prefix, paths in data.items():
                if any(p.get("neighbor-ip") in sources for p in paths):
                    out.add(prefix)
        return out

    def session_states(self) -> dict[str, str]:
        """{route server address: session state}, e.g. 'established'."""
        data = self.gobgp_json("neighbor") or []
        out = {}
        for n in data:
            addr = n.get("conf", {}).get("neighbor_address") or \
                n.get("state", {}).get("neighbor_address")
            st = n.get("state", {}).get("session_state")
            out[addr] = GOBGP_SESSION_STATES.get(st, str(st))
        return out

    def established(self) -> bool:
        states = self.session_states()
        return bool(states) and all(s == "established" for s in states.values())


# gobgp's JSON gives the session state as the gRPC enum number
GOBGP_SESSION_STATES = {
    0: "unknown", 1: "idle", 2: "connect", 3: "active", 4: "opensent",
    5: "openconfirm", 6: "established",
}


# --------------------------------------------------------------------------
# BIRD: a speaker for many routes at once (and, for the benchmark, a route
# server)


def start_bird(netns: Netns, name: str, config: str, directory: str,
               detach: bool = False, timeout: float = 20) -> Process:
    """Write DIRECTORY/bird.conf and run BIRD 2 on it in netns, its control
    socket DIRECTORY/bird.ctl and its output DIRECTORY/bird.log."""
    os.makedirs(directory, exist_ok=True)
    conf = os.path.join(directory, "bird.conf")
    ctl = os.path.join(directory, "bird.ctl")
    with open(conf, "w") as f:
        f.write(config)
    proc = Process(name, netns.argv(["bird", "-f", "-c", conf, "-s", ctl]),
                   os.path.join(directory, "bird.log"), detach)
    proc.start()
    wait_until(lambda: (proc.check_running(), os.path.exists(ctl))[1],
               timeout, f"{name} to start")
    return proc


class BirdControl:
    """A connection to the control socket of the BIRD started in directory:
    what birdc does, without a process.  The socket is a file, reachable
    from any network namespace, so a count can be asked every few
    milliseconds without taking the CPU being measured."""

    def __init__(self, directory: str, timeout: float = CMD_TIMEOUT):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.buffer = b""
        try:
            self.sock.connect(os.path.join(directory, "bird.ctl"))
            self.reply()  # the greeting
        except BaseException:
            self.sock.close()
            raise

    def __enter__(self) -> BirdControl:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def reply(self) -> list[str]:
        """The lines of BIRD's next reply, without their codes; it ends
        with a line "NNNN " (8NNN and 9NNN are errors)."""
        lines = []
        while True:
            line, newline, rest = self.buffer.partition(b"\n")
            if not newline:
                data = self.sock.recv(65536)
                if not data:
                    raise LabError("BIRD closed its control socket")
                self.buffer += data
                continue
            self.buffer = rest
            text = line.decode(errors="replace")
            coded = len(text) >= 5 and text[:4].isdigit() and text[4] in " -"
            lines.append(text[5:] if coded else text[1:])
            if coded and text[4] == " ":
                if text[0] in "89":
                    raise LabError(f"BIRD: {text}")
                return lines

    def command(self, text: str) -> str:
        self.sock.sendall(text.encode() + b"\n")
        return "\n".join(self.reply())

    def close(self) -> None:
        self.sock.close()


def birdc(directory: str, *args: str) -> str:
    """A birdc command to the BIRD started in directory; its reply."""
    with BirdControl(directory) as control:
        return control.command(" ".join(args))


# How many routes a BIRD peer took in from the route server: its session's
# import counter, which BIRD keeps as it goes (`show route ... count` walks
# the whole table, and polling it at 1M routes takes the CPU the route
# server is being measured on).
BIRD_HELD_QUERY = "show protocols all uplink"


def bird_held(reply: str) -> int:
    """The count in BIRD's reply to BIRD_HELD_QUERY."""
    m = re.search(r"Routes:\s+(\d+) imported", reply)
    return int(m.group(1)) if m else 0


class BirdPeer(Speaker):
    """Debian's BIRD 2 in its own namespace, over one IPv4 session: it
    announces many IPv4 prefixes (static routes) and takes nothing in, or,
    with receive=True, takes everything in and announces nothing.  Added to
    a topology like a gobgpd peer, with the same name, asn, host, addresses
    and prefixes.  With announce_later=True its static routes wait for
    announce()."""

    def __init__(self, name: str, role: str, asn: int, host: int,
                 netns: Netns, workdir: str, rs: RouteServer,
                 prefixes: Iterable[str] = (), detach: bool = False,
                 receive: bool = False, announce_later: bool = False):
        super().__init__(name, role, asn, host, netns, workdir, rs, prefixes,
                         ipv6=False, detach=detach)
        self.receive = receive
        self.announce_later = announce_later

    def generate_config(self) -> str:
        routes = "\n".join(f"  route {p} blackhole;" for p in self.prefixes)
        policy = ("import all; export none;" if self.receive
                  else "import none; export all;")
        return f"""router id {self.addr4};
protocol device {{}}
protocol static announced {{
  {"disabled;" if self.announce_later else ""}
  ipv4;
{routes}
}}
protocol bgp uplink {{
  local {self.addr4} as {self.asn};
  neighbor {self.rs.addr4} as {self.rs.asn};
  connect delay time 1;
  connect retry time 2;
  hold time {self.rs.hold_time};
  ipv4 {{ {policy} }};
}}
"""

    def birdc(self, *args: str) -> str:
        return birdc(self.dir, *args)

    def announce(self) -> None:
        self.birdc("enable", "announced")

    def held(self) -> int:
        """How many routes it took in from the route server."""
        return bird_held(self.birdc(*BIRD_HELD_QUERY.split()))

    def start(self, timeout: float = 20) -> None:
        self.proc = start_bird(self.netns, f"bird {self.name}",
                               self.generate_config(), self.dir, self.detach,
                               timeout)

    def established(self) -> bool:
        return "Established" in self.birdc("show", "protocols", "uplink")

    @property
    def logfile(self) -> str:
        return os.path.join(self.dir, "bird.log")


# --------------------------------------------------------------------------
# the topology


class Topology:
    """Namespaces, the bridge and veths, the route servers and their peers.

        topo = Topology()
        topo.add_peer("nva1", "nva", 65001, 11, ["203.0.113.0/24"])
        topo.start(); ...; topo.stop()

    or as a context manager.

    topo.rs is the first route server (host 1 of the networks); its
    namespace holds the bridge.  With route_servers=N, route server n
    (2..N) is host n, with the same ASN, its own namespace wired to the
    bridge like a peer, its own zebra, bgpd and work directory DIR/rsN;
    every peer peers with each of them.  topo.route_servers lists them all,
    topo.rs first.
    """

    def __init__(self, prefix: str | None = None, rs_asn: int = 65515,
                 workdir: str | None = None, valgrind: bool = False,
                 moduledir_: str | None = None, vtysh: str | None = None,
                 detach: bool = False, module: bool = True,
                 route_servers: int = 1):
        if route_servers < 1:
            raise LabError("a topology has at least one route server")
        self.prefix = prefix or f"rs{os.getpid()}-"
        self.own_workdir = workdir is None
        self.workdir = workdir or tempfile.mkdtemp(prefix=self.prefix)
        os.makedirs(self.workdir, exist_ok=True)
        os.chmod(self.workdir, 0o755)
        self.detach = detach
        self.rs_netns = Netns(self._unique(self.prefix + "rs"))
        self.route_servers: list[RouteServer] = []
        for n in range(1, route_servers + 1):
            name = "rs" if n == 1 else f"rs{n}"
            netns = self.rs_netns if n == 1 else \
                Netns(self._unique(self.prefix + name))
            self.route_servers.append(RouteServer(
                netns, os.path.join(self.workdir, name), asn=rs_asn,
                host=n, moduledir_=moduledir_, vtysh=vtysh,
                valgrind=valgrind, detach=detach, module=module, name=name))
        self.peers: dict[str, GobgpPeer] = {}
        self.started = False

    @property
    def rs(self) -> RouteServer:
        return self.route_servers[0]

    @rs.setter
    def rs(self, rs: RouteServer) -> None:
        # a route server of another kind (bench/run's BIRD) takes its place
        self.route_servers[0] = rs

    @staticmethod
    def _unique(name: str) -> str:
        # several topologies in one run (one per test): number them
        base, n = name, 1
        while os.path.exists(f"/run/netns/{name}") or name in Topology._taken:
            n += 1
            name = f"{base}{n}"
        Topology._taken.add(name)
        return name

    _taken: set = set()

    def add_peer(self, name: str, role: str, asn: int, host: int,
                 prefixes: Iterable[str] = (), ipv6: bool = True,
                 bird: bool = False, **bird_options) -> GobgpPeer | BirdPeer:
        """A gobgpd peer, or with bird=True a BIRD one (IPv4 only, one
        route server only; see BirdPeer for its options)."""
        if name in self.peers:
            raise LabError(f"peer {name} exists")
        if host in {rs.host for rs in self.route_servers}:
            raise LabError(f"peer {name}: host {host} is a route server's")
        if bird and len(self.route_servers) > 1:
            raise LabError(f"peer {name}: a BIRD peer peers with one route "
                           "server only")
        netns = Netns(self._unique(self.prefix + name))
        workdir = os.path.join(self.workdir, name)
        if bird:
            peer = BirdPeer(name, role, asn, host, netns, workdir, self.rs,
                            prefixes, detach=self.detach, **bird_options)
        else:
            peer = GobgpPeer(name, role, asn, host, netns, workdir, self.rs,
                             prefixes, ipv6=ipv6, detach=self.detach,
                             route_servers=self.route_servers)
        self.peers[name] = peer
        for rs in self.route_servers:
            rs.peers.append(peer)
        return peer

    def build_network(self) -> None:
        ns = self.rs_netns
        ns.create()
        ns.ip("link", "add", "br0", "type", "bridge", "forward_delay", "0")
        ns.ip("addr", "add", f"{self.rs.addr4}/{NET4.prefixlen}", "dev", "br0")
        ns.ip("addr", "add", f"{self.rs.addr6}/{NET6.prefixlen}", "dev", "br0",
              "nodad")
        ns.ip("link", "set", "br0", "up")
        for rs in self.route_servers[1:]:
            rs.netns.create()
            self.wire(f"b-{rs.name}", rs.netns, rs.addr4, rs.addr6)
        for i, peer in enumerate(self.peers.values()):
            peer.netns.create()
            self.wire(f"p{i}-{peer.name}", peer.netns, peer.addr4, peer.addr6)

    def wire(self, port: str, netns: Netns, address4: str,
             address6: str | None) -> None:
        """A veth from the bridge (its end named port) to netns (eth0 there,
        with the addresses)."""
        port = port[:15]
        self.rs_netns.ip("link", "add", port, "type", "veth", "peer", "name",
                         "eth0", "netns", netns.name)
        self.rs_netns.ip("link", "set", port, "master", "br0", "up")
        netns.ip("addr", "add", f"{address4}/{NET4.prefixlen}", "dev", "eth0")
        if address6:
            netns.ip("addr", "add", f"{address6}/{NET6.prefixlen}",
                     "dev", "eth0", "nodad")
        netns.ip("link", "set", "eth0", "up")

    def start(self, wait_established: bool = False, timeout: float = 60) -> None:
        try:
            self.started = True
            self.build_network()
            for rs in self.route_servers:
                rs.start()
            for peer in self.peers.values():
                peer.start()
            if wait_established:
                self.wait_established(timeout)
        except BaseException:
            self.stop()
            raise

    def wait_established(self, timeout: float = 60) -> None:
        def all_up():
            for p in self.peers.values():
                p.proc.check_running()
            for rs in self.route_servers:
                rs.bgpd.check_running()
            return all(p.established() for p in self.peers.values())

        def describe():
            try:
                return repr({p.name: p.session_states()
                             for p in self.peers.values()})
            except Exception as exc:  # noqa: BLE001
                return repr(exc)

        try:
            wait_until(all_up, timeout, "all BGP sessions to be Established")
        except TimeoutError as exc:
            raise TimeoutError(f"{exc}; sessions: {describe()}") from None

    def namespaces(self) -> list[Netns]:
        """Every namespace, the bridge's last."""
        return [p.netns for p in self.peers.values()] + \
            [rs.netns for rs in reversed(self.route_servers)]

    def stop(self) -> None:
        """Stop every process by PID, delete every namespace, remove the
        work directory (unless RS_KEEP=1).  Safe to call twice."""
        errors = []
        for daemon in [*self.peers.values(), *self.route_servers]:
            try:
                daemon.stop()
            except Exception as exc:  # noqa: BLE001 - stop the rest too
                errors.append(exc)
        for ns in self.namespaces():
            try:
                if ns.created or ns.exists():
                    ns.delete()
            except Exception as exc:  # noqa: BLE001
                errors.append(exc)
        if self.own_workdir and os.environ.get("RS_KEEP") != "1":
            shutil.rmtree(self.workdir, ignore_errors=True)
        self.started = False
        if errors:
            raise errors[0]

    def diagnostics(self) -> str:
        out = [rs.diagnostics() for rs in self.route_servers]
        for p in self.peers.values():
            out.append(f"--- tail of {p.logfile}\n{tail(p.logfile, 15)}")
        return "\n".join(out)

    def __enter__(self) -> "Topology":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def state(self) -> dict:
        return {"prefix": self.prefix, "workdir": self.workdir,
                "route_server": self.rs.state(),
                "route_servers": [rs.state() for rs in self.route_servers],
                "peers": [p.state() for p in self.peers.values()],
                "namespaces": [rs.netns.name for rs in self.route_servers] +
                              [p.netns.name for p in self.peers.values()]}


# --------------------------------------------------------------------------
# what the peers hold


def holdings_differences(topo: "Topology", table: dict[str, set[str]],
                         local: Iterable[str],
                         route_server: RouteServer | None = None) -> dict:
    """How the peers' routes from the route servers (or from route_server
    alone) differ from `table`: {peer name: set of source names}, a source
    being a peer (its prefixes) or "local" (the prefixes in `local`)."""
    diff = {}
    for name, sources in table.items():
        want = set()
        for src in sources:
            want.update(local if src == "local" else topo.peers[src].prefixes)
        peer = topo.peers[name]
        got = peer.received() if route_server is None else \
            peer.received_from(route_server)
        if got != want:
            diff[name] = {"missing": sorted(want - got),
                          "unexpected": sorted(got - want)}
    return diff


def wait_holdings(topo: "Topology", table: dict[str, set[str]],
                  local: Iterable[str], timeout: float,
                  route_server: RouteServer | None = None) -> None:
    """Wait until every peer in `table` holds exactly its routes from the
    route servers (from route_server alone, if given); on a timeout, raise
    AssertionError naming the differences."""
    local = list(local)
    try:
        wait_until(lambda: not holdings_differences(topo, table, local,
                                                    route_server),
                   timeout, "every peer to hold exactly its routes")
    except TimeoutError as exc:
        diff = holdings_differences(topo, table, local, route_server)
        servers = [route_server] if route_server else topo.route_servers
        paths = {rs.name: route_server_paths(rs, diff) for rs in servers}
        raise AssertionError(
            f"{exc}: {diff}; the route servers' paths of those: "
            f"{paths}") from None


def holds_from_each(topo: "Topology", table: dict[str, set[str]],
                    local: Iterable[str]) -> bool:
    """True if every peer in `table` holds exactly its routes from each
    route server."""
    return not any(holdings_differences(topo, table, local, rs)
                   for rs in topo.route_servers)


def wait_holdings_from_each(topo: "Topology", table: dict[str, set[str]],
                            local: Iterable[str], timeout: float) -> None:
    for rs in topo.route_servers:
        wait_holdings(topo, table, local, timeout, route_server=rs)


def watch_holdings(topo: "Topology", table: dict[str, set[str]],
                   local: Iterable[str], done: Callable[[], bool],
                   timeout: float, interval: float = 0.5) -> int:
    """Sample what every peer in `table` holds from the route servers until
    done() is true (at least once); each sample must be exactly its routes,
    else AssertionError.  Returns the number of samples."""
    local = list(local)
    deadline = time.monotonic() + timeout
    samples = 0
    while True:
        diff = holdings_differences(topo, table, local)
        samples += 1
        if diff:
            raise AssertionError(f"sample {samples}: routes lost or gained: "
                                 f"{diff}")
        if done():
            return samples
        if time.monotonic() >= deadline:
            raise AssertionError(f"not done within {timeout:g}s "
                                 f"({samples} samples, each exact)")
        time.sleep(interval)


def route_server_paths(rs: "RouteServer", diff: dict) -> dict:
    """{prefix: [neighbor of each path the route server holds]}"""
    out = {}
    for entry in diff.values():
        for prefix in entry["missing"] + entry["unexpected"]:
            try:
                data = rs.show_json(f"show bgp {family_of(prefix)} unicast "
                                    f"{prefix} json")
                out[prefix] = [p.get("peer", {}).get("peerId")
                               for p in data.get("paths", [])]
            except (LabError, ValueError) as err:
                out[prefix] = repr(err)
    return out


# --------------------------------------------------------------------------
# valgrind's report


def valgrind_report(text: str) -> dict:
    """Parse a valgrind log: error kinds, loss records, the leak summary."""
    lines = [re.sub(r"^==\d+==\s?", "", ln) for ln in text.splitlines()]
    records, cur = [], None
    for ln in lines:
        if not ln.strip():
            if cur is not None:
                records.append(cur)
                cur = None
            continue
        if cur is None:
            cur = [ln]
        else:
            cur.append(ln)
    if cur:
        records.append(cur)
    invalid = [r for r in records
               if re.match(r"Invalid (read|write|free)", r[0])]
    definitely = [r for r in records
                  if re.search(r"are definitely lost in loss record", r[0])]
    summary = []
    in_summary = False
    for ln in lines:
        if ln.startswith("LEAK SUMMARY") or ln.startswith("ERROR SUMMARY"):
            in_summary = True
        if in_summary:
            summary.append(ln)
        if in_summary and not ln.strip():
            in_summary = False
    return {"records": records, "invalid": invalid,
            "definitely_lost": definitely, "summary": "\n".join(summary)}


# a frame in one of the project's modules in bgpd: the shared objects, the
# route-server module's functions (rs_*), the agent's (nba_*), or the
# source tree
OUR_FRAME = re.compile(
    r"bgpd_(routeserver|nbagent)\.so"
    r"|\b(rs|nba)_\w+"
    r"|frr-module/")


def ours(record: list[str]) -> bool:
    return any(OUR_FRAME.search(ln) for ln in record[1:])


def valgrind_text(records: list[list[str]]) -> str:
    """Records of a valgrind report as valgrind printed them."""
    return "\n\n".join("\n".join(r) for r in records)


def stop_under_valgrind(rs: RouteServer) -> dict:
    """Stop bgpd (running under valgrind) with SIGTERM and parse valgrind's
    log: valgrind_report() with the exit status as "returncode"."""
    returncode = rs.stop_bgpd(signal.SIGTERM)
    with open(rs.valgrind_log) as f:
        report = valgrind_report(f.read())
    report["returncode"] = returncode
    return report


def assert_clean_under_valgrind(rs: RouteServer,
                                is_ours: Callable[[list[str]], bool] = ours,
                                any_invalid: bool = False,
                                started: float | None = None) -> None:
    """Stop bgpd (running under valgrind) and assert that valgrind checked
    for leaks, that bgpd ended cleanly (0, or valgrind's 99 for errors of
    others), and that no record of ours (is_ours) is an invalid access
    (with any_invalid: no record at all) or a definite leak."""
    report = stop_under_valgrind(rs)
    rc = report["returncode"]
    took = "" if started is None else \
        f" after {time.monotonic() - started:.0f}s"
    print(f"valgrind exit status {rc}{took}\n{report['summary']}")
    assert "definitely lost:" in report["summary"], "valgrind did no leak check"
    assert rc in (0, 99), f"bgpd under valgrind ended with {rc}"
    invalid = [r for r in report["invalid"] if any_invalid or is_ours(r)]
    assert not invalid, valgrind_text(invalid)
    leaks = [r for r in report["definitely_lost"] if is_ours(r)]
    assert not leaks, valgrind_text(leaks)


# --------------------------------------------------------------------------
# what must not happen, watched over a window


HOLD_SECONDS = 1.5  # how long a check that something does not happen watches


def hold_for(predicate: Callable[[], object], seconds: float, what: str,
             interval: float = 0.25):
    """Check that `what` holds for `seconds`: call predicate every
    `interval` (at least three times, the last after `seconds`) and raise
    AssertionError at the first call that returns a false value or raises
    AssertionError, naming `what`, when and the value or error.  Returns
    the last value."""
    start = time.monotonic()
    samples = 0
    while True:
        samples += 1
        try:
            value = predicate()
        except AssertionError as exc:
            value, error = None, exc
        else:
            error = None
        elapsed = time.monotonic() - start
        if error is not None or not value:
            raise AssertionError(
                f"{what}: stopped holding after {elapsed:.2f}s (sample "
                f"{samples}): {error if error is not None else repr(value)}")
        if elapsed >= seconds and samples >= 3:
            return value
        time.sleep(interval)


def hold_holdings(topo: "Topology", table: dict[str, set[str]],
                  local: Iterable[str], seconds: float = HOLD_SECONDS,
                  route_server: RouteServer | None = None) -> None:
    """Check that every peer in `table` keeps holding exactly its routes
    (see holdings_differences) for `seconds`: nothing arrives late, nothing
    goes."""
    local = list(local)

    def exact():
        diff = holdings_differences(topo, table, local, route_server)
        assert not diff, diff
        return True

    hold_for(exact, seconds, "every peer holding exactly its routes")


def hold_unchanged(read: Callable[[], object], before: object, what: str,
                   seconds: float = HOLD_SECONDS) -> None:
    """Check that read() keeps returning `before` for `seconds` (see
    hold_for); a change is reported as a diff."""
    def unchanged():
        now = read()
        if now != before:
            raise AssertionError(describe_change(before, now))
        return True

    hold_for(unchanged, seconds, f"{what} unchanged")


def describe_change(before: object, now: object) -> str:
    """A change as a unified diff (text) or as both values."""
    import difflib

    if isinstance(before, str) and isinstance(now, str):
        return "\n" + "\n".join(difflib.unified_diff(
            before.splitlines(), now.splitlines(), "before", "now",
            lineterm=""))
    return f"{before!r} became {now!r}"

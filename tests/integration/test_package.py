"""The Debian package: installing it gives a vtysh that knows the module's
commands and frr-netconfd with its user, unit and files, and removing or
purging it puts Debian's vtysh back and leaves nothing behind. RS_DEB names
the .deb (tests/run sets it); the package is installed again at the end."""

import grp
import hashlib
import os
import pwd
import subprocess

import pytest

import rslab

DEB = os.environ.get("RS_DEB")
pytestmark = pytest.mark.skipif(
    not DEB, reason="RS_DEB names the package to test (tests/run sets it)")

PKG = "frr-routeserver"
VTYSH = "/usr/bin/vtysh"
DIVERTED = "/usr/bin/vtysh.frr-distrib"
SHIPPED = [
    "/usr/lib/x86_64-linux-gnu/frr/modules/bgpd_routeserver.so",
    "/usr/share/yang/frr-routeserver.yang",
    "/usr/share/man/man7/frr-routeserver.7.gz",
    "/usr/lib/x86_64-linux-gnu/frr/modules/bgpd_nbagent.so",
    "/usr/sbin/frr-netconfd",
    "/lib/systemd/system/frr-netconfd.service",
    "/usr/share/man/man8/frr-netconfd.8.gz",
    "/usr/share/frr-routeserver/yang/ietf-netconf@2013-09-29.yang",
]
NETCONF_DIR = "/etc/frr/netconf"
HOST_KEY = NETCONF_DIR + "/ssh_host_ecdsa_key"
CONFFILES = [NETCONF_DIR + "/frr-netconfd.conf", NETCONF_DIR + "/nacm.xml"]
GONE = ["/usr/lib/x86_64-linux-gnu/frr/modules/bgpd_netconf.so",
        "/usr/lib/x86_64-linux-gnu/frr/modules/bgpd_netconf_server.so"]
DAEMON_USER = "frr-netconf"
CONFIG_WITH_MODULE_COMMAND = "router bgp 65515\n route-server branch-to-branch\n"


def md5(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.md5(f.read()).hexdigest()


def debians_vtysh_md5() -> str:
    with open("/var/lib/dpkg/info/frr.md5sums") as f:
        for line in f:
            digest, path = line.split()
            if "/" + path == VTYSH:
                return digest
    raise AssertionError("frr.md5sums lists no usr/bin/vtysh")


def vtysh_diversions() -> list[str]:
    out = rslab.run(["dpkg-divert", "--list", VTYSH]).stdout
    return [line for line in out.splitlines() if line.strip()]


def dpkg(*args: str) -> None:
    rslab.run(["dpkg", *args], timeout=120)


def vtysh_accepts_module_command(tmp_path) -> bool:
    conf = tmp_path / "check.conf"
    conf.write_text(CONFIG_WITH_MODULE_COMMAND)
    cp = subprocess.run([VTYSH, "-C", "-f", str(conf)], capture_output=True,
                        text=True, timeout=30)
    return cp.returncode == 0


def assert_installed(tmp_path):
    assert vtysh_diversions() == [
        f"diversion of {VTYSH} to {DIVERTED} by {PKG}"]
    assert md5(DIVERTED) == debians_vtysh_md5()
    assert md5(VTYSH) != debians_vtysh_md5()
    assert vtysh_accepts_module_command(tmp_path)
    for path in SHIPPED + CONFFILES:
        assert os.path.isfile(path), path
    for path in GONE:
        assert not os.path.exists(path), path
    assert_netconf_files()
    assert_daemon_checks_its_files_as_its_user()


def owner(path: str) -> tuple[int, str, str]:
    st = os.stat(path)
    return (st.st_mode & 0o777, pwd.getpwuid(st.st_uid).pw_name,
            grp.getgrgid(st.st_gid).gr_name)


def assert_netconf_files():
    """The host key is readable by the daemon's group only; the users'
    key directory belongs to root; the daemon's user may use bgpd's
    agent socket (group frr)."""
    assert owner(HOST_KEY) == (0o640, "root", DAEMON_USER)
    assert owner(NETCONF_DIR) == (0o750, "root", DAEMON_USER)
    assert owner(NETCONF_DIR + "/users") == (0o755, "root", "root")
    assert DAEMON_USER in grp.getgrnam("frr").gr_mem
    assert pwd.getpwnam(DAEMON_USER).pw_shell == "/usr/sbin/nologin"


def assert_daemon_checks_its_files_as_its_user():
    """What the unit's ExecStartPre runs: the shipped configuration, the
    host key and the access control file pass as the daemon's user."""
    cp = subprocess.run(["setpriv", f"--reuid={DAEMON_USER}",
                         f"--regid={DAEMON_USER}", "--init-groups",
                         "/usr/sbin/frr-netconfd", "-t"],
                        capture_output=True, text=True, timeout=30)
    assert cp.returncode == 0, cp.stderr
    assert "is fine" in cp.stdout


def assert_as_debian_left_it(tmp_path):
    assert vtysh_diversions() == []
    assert md5(VTYSH) == debians_vtysh_md5()
    assert not os.path.exists(DIVERTED)
    assert not vtysh_accepts_module_command(tmp_path)
    for path in SHIPPED:
        assert not os.path.exists(path), path
    assert rslab.run(["dpkg", "--verify", "frr"], check=False).stdout == ""


def test_install_remove_purge(tmp_path):
    try:
        assert_installed(tmp_path)

        dpkg("--remove", PKG)
        assert_as_debian_left_it(tmp_path)

        dpkg("--install", DEB)
        assert_installed(tmp_path)

        dpkg("--purge", PKG)
        assert_as_debian_left_it(tmp_path)
        assert not os.path.exists(HOST_KEY)
        for path in CONFFILES:
            assert not os.path.exists(path), path
        status = rslab.run(["dpkg-query", "-W", "-f=${db:Status-Status}",
                            PKG], check=False).stdout
        assert status in ("", "not-installed"), status
        leftovers = [f for f in os.listdir("/var/lib/dpkg/info")
                     if f.startswith(PKG + ".")]
        assert leftovers == []
    finally:
        dpkg("--install", DEB)

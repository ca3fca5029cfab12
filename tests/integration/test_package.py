"""The Debian package: installing it gives a vtysh that knows the module's
commands and frr-netconfd with its user, unit and files, upgrading it from
a package that kept those files in /etc/frr/netconf moves them to
/etc/frr-netconfd, and removing or purging it puts Debian's vtysh back and
leaves nothing behind. RS_DEB names the .deb (tests/run sets it); the
package is installed again at the end."""

import grp
import hashlib
import os
import pwd
import shutil
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
NETCONF_DIR = "/etc/frr-netconfd"
HOST_KEY = NETCONF_DIR + "/ssh_host_ecdsa_key"
CONFFILES = [NETCONF_DIR + "/frr-netconfd.conf", NETCONF_DIR + "/nacm.xml"]
# where earlier packages kept them (not readable by frr-netconf on Debian
# 13, whose frr makes /etc/frr 0700)
OLD_NETCONF_DIR = "/etc/frr/netconf"
OLD_HOST_KEY = OLD_NETCONF_DIR + "/ssh_host_ecdsa_key"
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


def build_old_package(tmp_path, version: str, conffiles: bool) -> str:
    """A stand-in for an earlier frr-routeserver VERSION that kept
    frr-netconfd's files in /etc/frr/netconf: with CONFFILES, this
    package's conffiles there (as 0.2.0 shipped them), else nothing
    (0.1.0 had none). The files its postinst made are up to the caller."""
    shipped = tmp_path / "shipped"
    dpkg("--extract", DEB, str(shipped))
    root = tmp_path / f"old-{version}"
    (root / "DEBIAN").mkdir(parents=True)
    arch = rslab.run(["dpkg", "--print-architecture"]).stdout.strip()
    (root / "DEBIAN" / "control").write_text(
        f"Package: {PKG}\nVersion: {version}\nArchitecture: {arch}\n"
        "Maintainer: tests <tests@frr-routeserver.invalid>\n"
        f"Description: stand-in for {PKG} {version}\n")
    if conffiles:
        old = root / OLD_NETCONF_DIR.lstrip("/")
        old.mkdir(parents=True)
        lines = []
        for path in CONFFILES:
            text = (shipped / path.lstrip("/")).read_text()
            name = os.path.basename(path)
            (old / name).write_text(text.replace(NETCONF_DIR, OLD_NETCONF_DIR))
            lines.append(f"{OLD_NETCONF_DIR}/{name}\n")
        (root / "DEBIAN" / "conffiles").write_text("".join(lines))
    for dirpath, dirnames, filenames in os.walk(root):
        os.chmod(dirpath, 0o755)
        for name in filenames:
            os.chmod(os.path.join(dirpath, name), 0o644)
    deb = str(tmp_path / f"{PKG}_{version}_{arch}.deb")
    rslab.run(["dpkg-deb", "--root-owner-group", "--build", str(root), deb],
              timeout=120)
    return deb


def install_file(path: str, text: str, mode: int, user: str,
                 group: str) -> None:
    with open(path, "w") as f:
        f.write(text)
    os.chown(path, pwd.getpwnam(user).pw_uid, grp.getgrnam(group).gr_gid)
    os.chmod(path, mode)


def make_old_host_key(user: str, group: str, mode: int) -> None:
    rslab.run(["ssh-keygen", "-q", "-t", "ecdsa", "-b", "256", "-N", "",
               "-f", OLD_HOST_KEY])
    for path in (OLD_HOST_KEY, OLD_HOST_KEY + ".pub"):
        os.chown(path, pwd.getpwnam(user).pw_uid, grp.getgrnam(group).gr_gid)
    os.chmod(OLD_HOST_KEY, mode)


@pytest.mark.parametrize("version", ["0.1.0", "0.2.0"])
def test_upgrade_moves_netconf_files(tmp_path, version):
    """An upgrade from a package that kept frr-netconfd's files in
    /etc/frr/netconf (0.1.0: a host key owned by frr and an empty
    authorized_keys; 0.2.0: conffiles, one of them changed, the host key
    and a user's key)
    moves them to /etc/frr-netconfd, keeping the changes and the key, and
    removes the old directory; a path into it set by hand is kept, with a
    note. The daemon then checks its files fine as its user. Purging
    afterwards leaves neither directory."""
    made = False
    try:
        dpkg("--purge", PKG)
        for path in (NETCONF_DIR, OLD_NETCONF_DIR):
            if os.path.exists(path):
                pytest.skip(f"{path} keeps files after a purge")
        made = True
        dpkg("--install", build_old_package(tmp_path, version,
                                            conffiles=version != "0.1.0"))
        conf = OLD_NETCONF_DIR + "/frr-netconfd.conf"
        alice = ""
        if version == "0.1.0":
            os.makedirs(OLD_NETCONF_DIR)
            os.chown(OLD_NETCONF_DIR, pwd.getpwnam("frr").pw_uid,
                     grp.getgrnam("frr").gr_gid)
            os.chmod(OLD_NETCONF_DIR, 0o750)
            make_old_host_key("frr", "frr", 0o600)
            install_file(OLD_NETCONF_DIR + "/authorized_keys", "", 0o640,
                         "frr", "frr")
        else:
            os.chown(OLD_NETCONF_DIR, 0, grp.getgrnam(DAEMON_USER).gr_gid)
            os.chmod(OLD_NETCONF_DIR, 0o750)
            make_old_host_key("root", DAEMON_USER, 0o640)
            os.chown(OLD_HOST_KEY + ".pub", 0, 0)
            os.mkdir(OLD_NETCONF_DIR + "/users", 0o755)
            with open(OLD_HOST_KEY + ".pub") as f:
                alice = f.read()  # any valid key
            install_file(OLD_NETCONF_DIR + "/users/alice", alice, 0o644,
                         "root", "root")
            with open(conf, "a") as f:
                f.write("idle-timeout = 1234\n")
                # an old path set by hand: kept, with a note
                f.write(f"nacm = {OLD_NETCONF_DIR}/nacm.xml\n")
        key_md5 = md5(OLD_HOST_KEY)
        pub_md5 = md5(OLD_HOST_KEY + ".pub")

        upgrade = rslab.run(["dpkg", "--install", DEB], timeout=120)
        note = f"frr-netconfd.conf still names {OLD_NETCONF_DIR}"
        assert (note in upgrade.stderr) == (version != "0.1.0"), \
            upgrade.stderr
        assert not os.path.exists(OLD_NETCONF_DIR)
        assert md5(HOST_KEY) == key_md5
        assert md5(HOST_KEY + ".pub") == pub_md5
        assert owner(HOST_KEY + ".pub") == (0o644, "root", "root")
        shipped = tmp_path / "shipped" / NETCONF_DIR.lstrip("/")
        with open(NETCONF_DIR + "/nacm.xml") as f:
            assert f.read() == (shipped / "nacm.xml").read_text()
        conf = NETCONF_DIR + "/frr-netconfd.conf"
        with open(conf) as f:
            text = f.read()
        if version == "0.1.0":
            assert os.listdir(NETCONF_DIR + "/users") == []
            assert text == (shipped / "frr-netconfd.conf").read_text()
        else:
            assert owner(NETCONF_DIR + "/users/alice") == (0o644, "root",
                                                           "root")
            with open(NETCONF_DIR + "/users/alice") as f:
                assert f.read() == alice
            old_nacm = f"nacm = {OLD_NETCONF_DIR}/nacm.xml\n"
            assert text.endswith("idle-timeout = 1234\n" + old_nacm)
            # what the note asks for (on Debian 13 the old path is
            # unreadable: the daemon would refuse to start)
            with open(conf, "w") as f:
                f.write(text.removesuffix(old_nacm))
        assert_installed(tmp_path)
        if version != "0.1.0":
            os.remove(NETCONF_DIR + "/users/alice")
        conffiles = rslab.run(["dpkg-query", "-W", "-f=${Conffiles}",
                               PKG]).stdout.split("\n")
        assert sorted(line.split()[0] for line in conffiles if line.strip()
                      and "obsolete" not in line) == sorted(CONFFILES)

        dpkg("--purge", PKG)
        assert not os.path.exists(NETCONF_DIR)
        assert not os.path.exists(OLD_NETCONF_DIR)
    finally:
        if made:
            # both directories are this test's alone (see above)
            rslab.run(["dpkg", "--purge", PKG], timeout=120, check=False)
            for path in (NETCONF_DIR, OLD_NETCONF_DIR):
                shutil.rmtree(path, ignore_errors=True)
        dpkg("--install", DEB)

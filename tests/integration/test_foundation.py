"""Foundation integration tests: Debian's bgpd loads the route-server
module, its command works through vtysh the ways a user types it, its state
shows over the northbound, the config survives `write memory` and a restart,
bad input is refused, bgpd stops cleanly (also under valgrind), and a real
BGP exchange through the route server works."""

import json
import os
import signal
import subprocess

import pytest

import rslab

MODULE_LINE = f"route-server module {rslab.MODULE_VERSION} loaded"
CMD = "route-server branch-to-branch"
RS_ASN = 65515

NVA = ("nva1", "nva", 65001, 11, ["203.0.113.0/24", "2001:db8:100::/48"])
ER = ("er1", "expressroute", 65002, 21, ["198.51.100.0/24", "2001:db8:200::/48"])


def block(rs):
    return rs.router_bgp_block()


def has_cmd(rs):
    return f" {CMD}" in block(rs)


def mentions_cmd(rs):
    return any(CMD in line for line in block(rs))


# --------------------------------------------------------------------------


def loads(rs) -> int:
    """How often bgpd's log says the module loaded since its last start."""
    return rs.log_text().count(MODULE_LINE)


def test_module_loads_once(route_server):
    rslab.hold_unchanged(lambda: loads(route_server), 1,
                         "the module's loaded lines")
    rc, out, err = route_server.vtysh("show modules", daemon="bgpd")
    assert rc == 0, out + err
    assert "bgpd_routeserver" in out and rslab.MODULE_VERSION in out, out
    assert rslab.MODULE_FILE in out, out


def test_command_with_dash_c(route_server):
    rs = route_server
    assert not mentions_cmd(rs), block(rs)

    rc, out, err = rs.configure(CMD)
    assert (rc, out.strip(), err.strip()) == (0, "", ""), (rc, out, err)
    assert has_cmd(rs), block(rs)
    # the line sits inside the router bgp block of the whole config too
    rc, out, err = rs.vtysh("show running-config")
    assert rc == 0
    assert f" {CMD}" in rslab.router_bgp_block(out, RS_ASN), out

    rc, out, err = rs.configure(f"no {CMD}")
    assert (rc, out.strip(), err.strip()) == (0, "", ""), (rc, out, err)
    assert not mentions_cmd(rs), block(rs)


def test_command_interactive(route_server):
    rs = route_server
    rc, out, err = rs.vtysh(
        stdin=f"configure\nrouter bgp {RS_ASN}\n{CMD}\nend\n")
    assert rc == 0, out + err
    assert "%" not in out, out  # no error echoed by vtysh
    assert has_cmd(rs), block(rs)

    rc, out, err = rs.vtysh(
        stdin=f"configure\nrouter bgp {RS_ASN}\nno {CMD}\nend\n")
    assert rc == 0, out + err
    assert "%" not in out, out
    assert not mentions_cmd(rs), block(rs)


def test_deleting_the_bgp_instance_drops_its_route_server_config(
        route_server):
    rs = route_server
    rc, out, err = rs.configure(CMD)
    assert rc == 0, out + err
    assert has_cmd(rs), block(rs)

    rc, out, err = rs.configure(f"no router bgp {RS_ASN}",
                                f"router bgp {RS_ASN}", router=False)
    assert rc == 0, out + err
    assert not mentions_cmd(rs), block(rs)
    # and a later command does not bring the old setting back
    rc, out, err = rs.configure("bgp router-id 198.18.0.1")
    assert rc == 0, out + err
    rslab.hold_for(lambda: not mentions_cmd(rs), rslab.HOLD_SECONDS,
                   f"no {CMD} in the router bgp block")


def test_operational_state_version(route_server):
    rc, out, err = route_server.vtysh(
        "show yang operational-data /frr-routeserver:route-server bgpd")
    assert rc == 0, out + err
    assert json.loads(out) == {
        "frr-routeserver:route-server": {"state": {"version": rslab.MODULE_VERSION}}}


def test_write_memory_and_boot_after_restart(route_server):
    rs = route_server
    rc, out, err = rs.configure(CMD)
    assert rc == 0, out + err
    rc, out, err = rs.vtysh("write memory")
    assert rc == 0, out + err
    assert "Integrated configuration saved" in out, out
    with open(rs.path("frr.conf")) as f:
        saved = f.read()
    assert f" {CMD}" in rslab.router_bgp_block(saved, RS_ASN), saved

    # bgpd comes back with an empty bgpd.conf: the line can only come from
    # booting the integrated frr.conf, as Debian's init does
    assert rs.stop_bgpd() == 0
    rs.write_bgpd_conf("")
    rs.start_bgpd()
    assert f"router bgp {RS_ASN}" not in rs.running_config()
    rc, out, err = rs.vtysh(boot=True)
    assert rc == 0, out + err
    assert has_cmd(rs), rs.running_config()
    rslab.hold_unchanged(lambda: loads(rs), 1, "the module's loaded lines")


def hold_config(rs, before):
    rslab.hold_unchanged(rs.running_config, before,
                         "the running configuration")


BAD_INPUT = [
    f"{CMD} extra",
    f"no {CMD} extra",
    "route-server branch-to-trunk",
]


@pytest.mark.parametrize("line", BAD_INPUT)
def test_bad_input_is_refused(route_server, line):
    rs = route_server
    before = rs.running_config()
    rc, out, err = rs.configure(line)
    assert rc != 0, (rc, out, err)
    assert ("% Unknown command" in out + err
            or "% There is no matched command" in out + err), (out, err)
    hold_config(rs, before)
    # typed interactively, vtysh shows the same error (its exit status
    # stays 0 there: it reads on after an error) and changes nothing
    rc, out, err = rs.vtysh(stdin=f"configure\nrouter bgp {RS_ASN}\n{line}\nend\n")
    assert "% Unknown command" in out + err, (out, err)
    hold_config(rs, before)
    # also with the command on: a bad line does not turn it off
    assert rs.configure(CMD)[0] == 0
    before = rs.running_config()
    rc, out, err = rs.configure(line)
    assert rc != 0, (rc, out, err)
    hold_config(rs, before)


def test_sigterm_exits_zero(route_server):
    rs = route_server
    assert rs.configure(CMD)[0] == 0
    pid = rs.bgpd.pid
    rc = rs.stop_bgpd(signal.SIGTERM)
    log = rs.log_text()
    assert rc == 0, f"bgpd {pid} exited with {rc}\n{log}"
    assert "Received signal" not in log, log
    assert "abort" not in log.lower(), log
    assert "Terminating on signal" in log, log


def test_route_exchange_between_nva_and_expressroute(topology_factory):
    topo = topology_factory([NVA, ER])
    topo.wait_established(timeout=30)
    nva, er = topo.peers["nva1"], topo.peers["er1"]
    assert set(topo.rs.neighbor_states().values()) == {"Established"}

    rslab.wait_until(lambda: set(NVA[4]) <= er.received(), 20,
                     "er1 to receive nva1's prefixes")
    rslab.wait_until(lambda: set(ER[4]) <= nva.received(), 20,
                     "nva1 to receive er1's prefixes")
    # a route server: the path is the originator's own, next hop unchanged
    paths = er.gobgp_json("global", "rib", "-a", "ipv4")["203.0.113.0/24"]
    attrs = {a["type"]: a for a in paths[0]["attrs"]}
    assert attrs[2]["as_paths"][0]["asns"] == [65001], paths
    assert attrs[3]["nexthop"] == nva.addr4, paths

    # and a withdrawal travels too, and only it
    nva.withdraw("203.0.113.0/24")
    rslab.wait_until(lambda: "203.0.113.0/24" not in er.received(), 20,
                     "er1 to lose nva1's withdrawn prefix")
    rslab.hold_unchanged(lambda: set(NVA[4]) & er.received(),
                         {"2001:db8:100::/48"}, "nva1's prefixes at er1")


def test_valgrind_bgpd_with_module(topology_factory):
    topo = topology_factory([NVA, ER], valgrind=True)
    rs = topo.rs
    topo.wait_established(timeout=90)
    nva, er = topo.peers["nva1"], topo.peers["er1"]
    rslab.wait_until(lambda: "203.0.113.0/24" in rs.show_json(
        "show bgp ipv4 unicast json").get("routes", {}), 60,
        "bgpd (valgrind) to learn nva1's prefix")
    # every part of the module: roles applied to bgpd, the exchange rule
    # run on routes, refreshes, settings, inspection, a role taken back and
    # a neighbor with a role deleted
    for line in ("neighbor 198.18.0.11 route-server role nva",
                 "neighbor 2001:db8:18::b route-server role nva",
                 "neighbor 198.18.0.21 route-server role "
                 "expressroute-gateway er1",
                 CMD, f"no {CMD}", CMD,
                 "route-server hub-routing-preference as-path",
                 "route-server max-routes-per-peer 100"):
        rc, out, err = rs.configure(line)
        assert rc == 0, out + err
    rslab.wait_until(lambda: "203.0.113.0/24" in er.received(), 60,
                     "er1 to receive nva1's prefix through the exchange")
    for command in ("show bgp route-server json",
                    "show bgp route-server neighbor 198.18.0.21 "
                    "advertised-routes json",
                    "show yang operational-data /frr-routeserver:route-server"
                    " bgpd"):
        assert rs.vtysh(command, daemon="bgpd")[0] == 0, command
    assert rs.configure(f"{CMD} extra")[0] != 0
    for line in ("no neighbor 198.18.0.21 route-server role",
                 "no neighbor 2001:db8:18::b"):
        rc, out, err = rs.configure(line)
        assert rc == 0, out + err
    assert nva.session_states()[rs.addr4] == "established"

    rslab.assert_clean_under_valgrind(rs, any_invalid=True)
    assert loads(rs) == 1


# --------------------------------------------------------------------------
# the harness itself


VALGRIND_SAMPLE = """\
==42== Invalid read of size 8
==42==    at 0x4849: bgp_foo (bgpd.c:1)
==42==
==42== 16 bytes in 1 blocks are definitely lost in loss record 1 of 5
==42==    at 0x4848899: malloc (vg_replace_malloc.c:381)
==42==    by 0x4A1B2C3: qmalloc (memory.c:100)
==42==    by 0x5B2C3D4: rs_instance_get (rs_instance.c:30)
==42==    by 0x5B2C3D4: ??? (in /usr/lib/x86_64-linux-gnu/frr/modules/bgpd_routeserver.so)
==42==
==42== 32 bytes in 1 blocks are definitely lost in loss record 2 of 5
==42==    at 0x4848899: malloc (vg_replace_malloc.c:381)
==42==    by 0x4A1B2C3: bgp_vrf_new (bgpd.c:3)
==42==
==42== 24 bytes in 1 blocks are definitely lost in loss record 3 of 5
==42==    at 0x4848899: malloc (vg_replace_malloc.c:381)
==42==    by 0x6C1D2E3: nba_conn_new (nba_conn.c:80)
==42==    by 0x6A0B1C2: nba_accept (nbagent.c:210)
==42==
==42== 8 bytes in 1 blocks are definitely lost in loss record 4 of 5
==42==    at 0x4848899: malloc (vg_replace_malloc.c:381)
==42==    by 0x6A0B1C2: ??? (in /usr/lib/x86_64-linux-gnu/frr/modules/bgpd_nbagent.so)
==42==
==42== 8 bytes in 1 blocks are definitely lost in loss record 5 of 5
==42==    at 0x4848899: malloc (vg_replace_malloc.c:381)
==42==    by 0x6C1D2E3: nc_session_new (session.c:80)
==42==    by 0x6C1D3F4: nc_accept (session_server.c:1700)
==42==
==42== LEAK SUMMARY:
==42==    definitely lost: 88 bytes in 5 blocks
==42==
"""


def test_valgrind_report_parser():
    report = rslab.valgrind_report(VALGRIND_SAMPLE)
    assert len(report["invalid"]) == 1
    assert len(report["definitely_lost"]) == 5
    # ours: the route-server module, the agent by its functions or its
    # shared object; libnetconf2's nc_ functions are not
    assert [rslab.ours(r) for r in report["definitely_lost"]] == [
        True, False, True, True, False]
    assert "definitely lost: 88 bytes" in report["summary"]


def test_leftover_cleaner_removes_dead_runs_only():
    dead = subprocess.Popen(["true"])
    dead.wait()
    ns = rslab.Netns(f"rs{dead.pid}-leftover")
    if rslab.pid_alive(dead.pid) or ns.exists():
        pytest.skip("PID reused at once")
    live = rslab.Netns(rslab.Topology._unique(f"rs{os.getpid()}-live"))
    ns.create()
    live.create()
    try:
        removed = rslab.cleanup_leftovers(verbose=False)
        assert ns.name in removed and not ns.exists()
        assert live.exists()
    finally:
        ns.delete()
        live.delete()

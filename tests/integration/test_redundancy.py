"""Faults: two route servers side by side, as the reference product runs
them, every peer peering with both; one route server's bgpd killed
(kill -9) costs no peer a route, and back from its saved configuration it
serves every peer its table again.  And bgpd killed in the middle of a flip
with thousands of routes comes back exactly as saved, every peer holding
what that configuration says."""

import ipaddress
import time

import pytest

import rslab
from test_exchange import (LOCAL, TABLE_ON, configure, originate_locally,
                           role_lines, sessions_established, speakers)

CONVERGE = 30  # seconds a change may take to reach every peer
HOLD_TIME = 9  # both sides of every session: `timers 3 9`
# how long after a kill the peers must still hold every route: past the
# hold time, so that a session the kill did not close has expired too
STEADY = max(5, HOLD_TIME + 3)


def test_a_killed_route_server_costs_no_peer_a_route(topology_factory):
    topo = topology_factory(speakers(12076, 65020), route_servers=2)
    topo.wait_established(timeout=CONVERGE)
    for rs in topo.route_servers:
        configure(rs, "route-server max-peers 16", *role_lines(topo),
                  "route-server branch-to-branch")
        originate_locally(rs)
    rslab.wait_holdings_from_each(topo, TABLE_ON, LOCAL, CONVERGE)

    for rs in topo.route_servers:
        other, = [o for o in topo.route_servers if o is not rs]
        other_ups = sessions_established(other)
        rs.write_memory()
        config = rs.router_bgp_block()
        assert rs.kill_bgpd() == -9
        killed = time.monotonic()
        samples = rslab.watch_holdings(
            topo, TABLE_ON, LOCAL,
            lambda: time.monotonic() - killed >= STEADY, STEADY + CONVERGE)
        assert samples >= 5, samples
        assert sessions_established(other) == other_ups
        for peer in topo.peers.values():
            # it holds every route from the other route server alone
            states = peer.session_states()
            assert states[rs.addr4] != "established", states
            assert states[rs.addr6] != "established", states
            assert peer.received_from(rs) == set(), peer.name

        rs.boot_saved()
        back = time.monotonic()
        rslab.watch_holdings(
            topo, TABLE_ON, LOCAL,
            lambda: rslab.holds_from_each(topo, TABLE_ON, LOCAL), CONVERGE)
        assert rs.router_bgp_block() == config
        print(f"{rs.name}: killed, no route lost over {STEADY}s "
              f"({samples} samples); booted from its saved configuration, "
              f"every peer holds its table from each route server after "
              f"{time.monotonic() - back:.1f}s, none lost meanwhile")


MANY = 3000
# IPv4 routes er2 (an IPv4-only BIRD) holds: local, nva1's, nva2's, er1's
# and nva3's with branch-to-branch on, local's alone with it off
ER2_HOLDS = {"off": 1, "on": 4 + MANY}
TABLES = {
    "off": {"nva1": {"nva2", "nva3", "local"},
            "nva2": {"nva1", "nva3", "local"},
            "er1": {"local"}},
    "on": {"nva1": {"nva2", "nva3", "er1", "local"},
           "nva2": {"nva1", "nva3", "er1", "local"},
           "er1": {"nva1", "nva2", "nva3", "local"}},
}
# the flip away from each saved state
FLIP = {"off": "route-server branch-to-branch",
        "on": "no route-server branch-to-branch"}


def many_prefixes():
    return [str(net) for _, net in zip(range(MANY), ipaddress.ip_network(
        "10.64.0.0/12").subnets(new_prefix=24))]


def start_flip_lab(topology_factory):
    topo = topology_factory(start=False)
    topo.add_peer("nva3", "nva", 65003, 13, many_prefixes(), bird=True)
    topo.add_peer("er2", "expressroute", 65022, 22, bird=True, receive=True)
    for name, role, asn, host, prefixes in speakers(12076, 65020)[:3]:
        topo.add_peer(name, role, asn, host, prefixes)
    topo.start(wait_established=True, timeout=CONVERGE)
    originate_locally(topo.rs)
    configure(topo.rs, "route-server max-routes-per-peer 10000",
              "neighbor 198.18.0.13 route-server role nva",
              "neighbor 198.18.0.22 route-server role expressroute-gateway er2",
              *role_lines(topo, ["nva1", "nva2", "er1"]))
    return topo


def wait_toggle_table(topo, toggle):
    rslab.wait_holdings(topo, TABLES[toggle], LOCAL, CONVERGE)
    er2 = topo.peers["er2"]
    rslab.wait_until(lambda: er2.held() == ER2_HOLDS[toggle], CONVERGE,
                     f"er2 to hold {ER2_HOLDS[toggle]} routes")


def kill_mid_flip(rs, er2, start, moment):
    """kill -9 bgpd in the middle of a flip whose commit just returned: at
    once, before bgpd sends any update of it (it waits some 100 ms), or as
    soon as er2 no longer holds `start` routes (the updates to some peers
    are out)."""
    if moment == "once-er2-has-it":
        rslab.wait_until(lambda: er2.held() != start, CONVERGE,
                         "the flip to reach er2", interval=0.002)
    assert rs.kill_bgpd() == -9


@pytest.mark.parametrize("moment", ["at-once", "once-er2-has-it"])
@pytest.mark.parametrize("saved", ["off", "on"])
def test_bgpd_killed_in_the_middle_of_a_flip_comes_back_as_saved(
        topology_factory, saved, moment):
    topo = start_flip_lab(topology_factory)
    rs, er2 = topo.rs, topo.peers["er2"]
    if saved == "on":
        configure(rs, "route-server branch-to-branch")
    wait_toggle_table(topo, saved)
    rs.write_memory()
    config = rslab.router_bgp_block(rs.saved_config, rs.asn)
    assert rs.router_bgp_block() == config
    assert (" route-server branch-to-branch" in config) == (saved == "on")

    configure(rs, FLIP[saved])
    kill_mid_flip(rs, er2, ER2_HOLDS[saved], moment)

    rs.boot_saved()
    topo.wait_established(timeout=CONVERGE)
    wait_toggle_table(topo, saved)
    rslab.wait_until(lambda: rs.router_bgp_block() == config, CONVERGE,
                     "the running configuration to be the saved one")
    assert rs.show_json("show bgp route-server json")["branchToBranch"] is \
        (saved == "on")

"""The route-server policy enforced in bgpd's real route propagation: the
branch-to-branch table at every peer in IPv4 and IPv6 with the toggle off,
on and off again without a session reset, gateways over iBGP and eBGP,
active-active VPN gateways, NO_ADVERTISE, the route limit, hub routing
preference with multipath, an operator's own outbound route-map, and the
state after `write memory` and a restart."""

import ipaddress
import re
import time

import pytest

import rslab

RS_ASN = 65515
CONVERGE = 30  # seconds a change may take to reach every peer

LOCAL = ["10.100.0.0/16", "2001:db8:100::/48"]


def own(n):
    return [f"10.{n}.0.0/16", f"2001:db8:{n}::/48"]


def speakers(er_asn, vpn_asn):
    """(name, role, asn, host, prefixes): each originates its own."""
    return [
        ("nva1", "nva", 65001, 11, own(1)),
        ("nva2", "nva", 65002, 12, own(2)),
        ("er1", "expressroute", er_asn, 21, own(21)),
        ("vpn1-0", "vpn", vpn_asn, 31, own(31)),
        ("vpn1-1", "vpn", vpn_asn, 32, own(32)),
    ]


ROLES = {
    "nva1": "nva",
    "nva2": "nva",
    "er1": "expressroute-gateway er1",
    "vpn1-0": "vpn-gateway vpn1 instance 0",
    "vpn1-1": "vpn-gateway vpn1 instance 1",
}

# What each peer must hold from the route server, by the sources' names.
TABLE_OFF = {
    "nva1": {"nva2", "local"},
    "nva2": {"nva1", "local"},
    "er1": {"local"},
    "vpn1-0": {"local"},
    "vpn1-1": {"local"},
}
TABLE_ON = {
    "nva1": {"nva2", "er1", "vpn1-0", "vpn1-1", "local"},
    "nva2": {"nva1", "er1", "vpn1-0", "vpn1-1", "local"},
    "er1": {"nva1", "nva2", "vpn1-0", "vpn1-1", "local"},
    # never from the same gateway's other instance
    "vpn1-0": {"nva1", "nva2", "er1", "local"},
    "vpn1-1": {"nva1", "nva2", "er1", "local"},
}


def role_lines(topo, names=None):
    lines = []
    for name in names or ROLES:
        peer = topo.peers[name]
        for addr in (peer.addr4, peer.addr6):
            lines.append(f"neighbor {addr} route-server role {ROLES[name]}")
    return lines


def configure(rs, *lines):
    rc, out, err = rs.configure(*lines)
    assert rc == 0, out + err
    return out


def originate_locally(rs):
    configure(rs, "no bgp network import-check",
              "address-family ipv4 unicast", f"network {LOCAL[0]}",
              "exit-address-family",
              "address-family ipv6 unicast", f"network {LOCAL[1]}",
              "exit-address-family")


def wait_table(topo, table):
    """Every peer in table comes to hold from the route server exactly the
    routes of the sources table names, and keeps holding them."""
    rslab.wait_holdings(topo, table, LOCAL, CONVERGE)
    rslab.hold_holdings(topo, table, LOCAL)


def sessions_established(rs) -> dict[str, int]:
    """{neighbor: how often its session came up}: a reset raises it."""
    data = rs.show_json("show bgp neighbors json")
    return {addr: n.get("connectionsEstablished", 0)
            for addr, n in data.items()}


def hold_no_reset(rs, ups):
    """No session resets or goes down, over a window."""
    rslab.hold_unchanged(lambda: sessions_established(rs), ups,
                         "sessions established")
    rslab.hold_for(lambda: set(rs.neighbor_states().values()) ==
                   {"Established"}, rslab.HOLD_SECONDS,
                   "every session Established")


def show(rs) -> dict:
    return rs.show_json("show bgp route-server json")


def hold_warnings(rs, warnings):
    """show bgp route-server's warnings are these, over a window."""
    rslab.hold_unchanged(lambda: show(rs)["warnings"], warnings,
                         "the route server's warnings")


def yang_peer_state(rs, neighbor) -> dict:
    data = rs.show_json(
        "show yang operational-data /frr-routeserver:route-server bgpd")
    instance, = data["frr-routeserver:route-server"]["instance"]
    peer, = [p for p in instance["peer"] if p["neighbor"] == neighbor]
    return peer["state"]


def start_lab(topology_factory, er_asn=12076, vpn_asn=65020, names=None):
    peers = [s for s in speakers(er_asn, vpn_asn)
             if names is None or s[0] in names]
    topo = topology_factory(peers)
    topo.wait_established(timeout=CONVERGE)
    configure(topo.rs, "route-server max-peers 16")
    originate_locally(topo.rs)
    return topo


# --------------------------------------------------------------------------


@pytest.mark.parametrize("er_asn,vpn_asn", [(12076, 65020), (RS_ASN, RS_ASN)],
                         ids=["ebgp-gateways", "ibgp-gateways"])
def test_branch_to_branch_table_holds_both_ways_without_a_reset(
        topology_factory, er_asn, vpn_asn):
    topo = start_lab(topology_factory, er_asn, vpn_asn)
    rs = topo.rs
    configure(rs, *role_lines(topo))
    wait_table(topo, TABLE_OFF)
    ups = sessions_established(rs)
    assert len(ups) == 10 and set(ups.values()) == {1}, ups

    configure(rs, "route-server branch-to-branch")
    wait_table(topo, TABLE_ON)
    configure(rs, "no route-server branch-to-branch")
    wait_table(topo, TABLE_OFF)
    configure(rs, "route-server branch-to-branch")
    wait_table(topo, TABLE_ON)
    hold_no_reset(rs, ups)

    data = show(rs)
    assert data["branchToBranch"] is True
    assert {p["outboundPolicy"] for p in data["peers"].values()} == {
        "enforced"}, data
    assert all(p["exchange"] for p in data["peers"].values()), data


def advertised(rs, neighbor) -> set[str]:
    """The IPv4 prefixes bgpd says it sent to the neighbor."""
    data = rs.show_json(f"show bgp ipv4 unicast neighbors {neighbor} "
                        "advertised-routes json")
    return set(data.get("advertisedRoutes", {}))


def yang_instance_state(rs) -> dict:
    data = rs.show_json(
        "show yang operational-data /frr-routeserver:route-server bgpd")
    instance, = data["frr-routeserver:route-server"]["instance"]
    return instance["state"]


def table_on_with_loop_prevention(er_asn, vpn_asn):
    """TABLE_ON, less what an eBGP peer drops for its own ASN in the AS
    path."""
    asn = {name: a for name, _, a, _, _ in speakers(er_asn, vpn_asn)}
    return {peer: {source for source in sources
                   if source == "local" or asn[peer] == RS_ASN or
                   asn[source] != asn[peer]}
            for peer, sources in TABLE_ON.items()}


def wait_classes(rs, classes):
    """The instance's receiver classes, one update group each per address
    family, as show and YANG state say."""
    want = {"receiver-classes": classes, "update-groups": 2 * classes}
    seen = []
    try:
        rslab.wait_until(
            lambda: seen.append(yang_instance_state(rs)) or seen[-1] == want,
            CONVERGE, f"{classes} receiver classes")
    except TimeoutError as exc:
        raise AssertionError(f"{exc}: {seen[-1]}") from None
    data = show(rs)
    assert (data["receiverClasses"], data["updateGroups"]) == (
        classes, 2 * classes), data


@pytest.mark.parametrize(
    "er_asn,vpn_asn,strict,classes_on,classes_off",
    [(12076, 65020, False, 1, 2), (12076, 12076, False, 3, 3),
     (RS_ASN, RS_ASN, False, 3, 3), (12076, 65020, True, 3, 3)],
    ids=["ebgp-own-asn", "vpn-asn-not-its-own", "ibgp", "strict"])
def test_gateways_share_an_update_group_where_loop_prevention_allows(
        topology_factory, er_asn, vpn_asn, strict, classes_on, classes_off):
    """The NVAs are one receiving class; eBGP gateways whose own routes
    their AS-path check drops share another, and are sent those routes,
    and while branch-to-branch is on they receive in the NVAs' class,
    which is then sent the same; a VPN gateway whose ASN another role peer
    has, an iBGP one, or any with strict-gateway-exclusion keeps a class
    of its own, and is never sent its sibling's routes. The peers' tables
    are the same either way, through flips that move the gateways between
    classes."""
    topo = start_lab(topology_factory, er_asn, vpn_asn)
    rs = topo.rs
    if strict:
        configure(rs, "route-server strict-gateway-exclusion")
    configure(rs, *role_lines(topo), "route-server branch-to-branch")
    table_on = table_on_with_loop_prevention(er_asn, vpn_asn)
    wait_table(topo, table_on)
    assert show(rs)["strictGatewayExclusion"] is strict
    wait_classes(rs, classes_on)
    vpn_shared = er_asn != vpn_asn and not strict
    sent_to_vpn1_0 = advertised(rs, topo.peers["vpn1-0"].addr4)
    assert (own(32)[0] in sent_to_vpn1_0) is vpn_shared, sent_to_vpn1_0
    assert own(1)[0] in sent_to_vpn1_0

    configure(rs, "no route-server branch-to-branch")
    wait_table(topo, TABLE_OFF)
    wait_classes(rs, classes_off)
    configure(rs, "route-server branch-to-branch")
    wait_table(topo, table_on)
    wait_classes(rs, classes_on)


def split_events(rs) -> int:
    """How often bgpd has split a peer off its update subgroup, copying
    what the subgroup advertised."""
    rc, out, err = rs.vtysh("show bgp update-groups statistics",
                            daemon="bgpd")
    assert rc == 0, out + err
    return int(re.search(r"^Split events: (\d+)$", out, re.M).group(1))


def test_a_flip_moves_the_gateways_of_a_subgroup_as_one(topology_factory):
    """A flip moves the three gateways of the shared class between their
    class and the NVAs', in IPv4 and IPv6 unicast: bgpd splits one of them
    off (a copy of what their subgroup advertised) per address family and
    direction, and the others join it, instead of a copy each."""
    topo = start_lab(topology_factory)
    rs = topo.rs
    configure(rs, *role_lines(topo), "route-server branch-to-branch")
    table_on = table_on_with_loop_prevention(12076, 65020)
    wait_table(topo, table_on)
    before = split_events(rs)
    configure(rs, "no route-server branch-to-branch")
    wait_table(topo, TABLE_OFF)
    assert split_events(rs) - before == 2
    configure(rs, "route-server branch-to-branch")
    wait_table(topo, table_on)
    assert split_events(rs) - before == 4


def route_refreshes_sent(rs) -> dict[str, int]:
    """Per neighbor, how often bgpd asked it to send its table again."""
    return {addr: n["messageStats"]["routeRefreshSent"]
            for addr, n in rs.show_json("show bgp neighbors json").items()}


def test_roles_given_to_sessions_that_are_up_ask_no_route_refresh(
        topology_factory):
    """Roles given to peers whose sessions are up, as a configuration
    applied to a running route server, do not ask a peer that sent nothing
    to send its table again (route refresh): bgpd would take its answer
    for a request of its own and send it the whole table again."""
    topo = topology_factory([(name, role, asn, host, [])
                             for name, role, asn, host, _
                             in speakers(12076, 65020)])
    topo.wait_established(timeout=CONVERGE)
    rs = topo.rs
    configure(rs, "route-server max-peers 16")
    originate_locally(rs)
    local_only = {name: {"local"} for name in ROLES}
    wait_table(topo, local_only)
    refreshes = route_refreshes_sent(rs)
    configure(rs, *role_lines(topo), "route-server branch-to-branch")
    # one receiver class with the toggle on: a group per address family
    assert show(rs)["updateGroups"] == 2
    wait_table(topo, local_only)
    assert route_refreshes_sent(rs) == refreshes


def test_a_gateway_of_two_sessions_with_two_asns_keeps_its_own_class(
        topology_factory):
    """Two sessions of one expressroute gateway from different ASNs would
    accept each other's routes: the gateway keeps a class of its own, and
    neither is sent the other's (found by test_model.py)."""
    topo = start_lab(topology_factory, names={"nva1", "nva2", "er1"})
    rs = topo.rs
    lines = role_lines(topo, ["nva1", "er1"])
    for addr in (topo.peers["nva2"].addr4, topo.peers["nva2"].addr6):
        lines.append(f"neighbor {addr} route-server role "
                     "expressroute-gateway er1")
    configure(rs, *lines, "route-server branch-to-branch")
    wait_table(topo, {"nva1": {"nva2", "er1", "local"},
                      "nva2": {"nva1", "local"},
                      "er1": {"nva1", "local"}})
    data = show(rs)
    assert data["receiverClasses"] == 2, data
    assert own(2)[0] not in advertised(rs, topo.peers["er1"].addr4)


MANY = 3000


def test_a_flip_with_thousands_of_routes_in_the_tables(topology_factory):
    topo = topology_factory(start=False)
    many = [str(net) for _, net in zip(range(MANY), ipaddress.ip_network(
        "10.64.0.0/12").subnets(new_prefix=24))]
    topo.add_peer("nva3", "nva", 65003, 13, many, bird=True)
    for name, role, asn, host, prefixes in speakers(12076, 65020)[:3]:
        topo.add_peer(name, role, asn, host, prefixes)
    topo.start(wait_established=True, timeout=CONVERGE)
    rs = topo.rs
    originate_locally(rs)
    configure(rs, "route-server max-routes-per-peer 10000",
              "neighbor 198.18.0.13 route-server role nva",
              *role_lines(topo, ["nva1", "nva2", "er1"]))
    off = {"nva1": {"nva2", "nva3", "local"}, "er1": {"local"}}
    on = {"nva1": {"nva2", "nva3", "er1", "local"},
          "er1": {"nva1", "nva2", "nva3", "local"}}
    wait_table(topo, off)
    ups = sessions_established(rs)
    for table, line in ((on, "route-server branch-to-branch"),
                        (off, "no route-server branch-to-branch"),
                        (on, "route-server branch-to-branch")):
        start = time.monotonic()
        configure(rs, line)
        rslab.wait_holdings(topo, table, LOCAL, CONVERGE)
        print(f"{line}: every peer holds exactly its {MANY}+ routes after "
              f"{time.monotonic() - start:.2f}s")
        rslab.hold_holdings(topo, table, LOCAL)
    hold_no_reset(rs, ups)


def test_as_path_and_next_hop_pass_unchanged(topology_factory):
    topo = start_lab(topology_factory, names={"nva1", "er1"})
    configure(topo.rs, *role_lines(topo, ["nva1", "er1"]),
              "route-server branch-to-branch")
    er, nva = topo.peers["er1"], topo.peers["nva1"]
    rslab.wait_until(lambda: set(own(1)) <= er.received(), CONVERGE,
                     "er1 to receive nva1's routes")
    path = er.gobgp_json("global", "rib", "-a", "ipv4")[own(1)[0]][0]
    attrs = {a["type"]: a for a in path["attrs"]}
    assert attrs[2]["as_paths"][0]["asns"] == [65001], path
    assert attrs[3]["nexthop"] == nva.addr4, path


def test_roles_assigned_before_the_sessions_come_up(topology_factory):
    topo = start_lab(topology_factory)
    rs = topo.rs
    for peer in topo.peers.values():
        peer.stop()
    configure(rs, *role_lines(topo), "route-server branch-to-branch")
    for peer in topo.peers.values():
        peer.start()
    topo.wait_established(timeout=CONVERGE)
    wait_table(topo, TABLE_ON)


def test_a_vpn_gateway_exchanges_only_while_active_active(topology_factory):
    topo = start_lab(topology_factory)
    rs = topo.rs
    vpn1_1 = topo.peers["vpn1-1"]
    vpn1_1.stop()
    out = configure(rs, *role_lines(topo, ["nva1", "nva2", "er1", "vpn1-0"]),
                    "route-server branch-to-branch")
    assert ("% Warning: gateway vpn1 is not active-active "
            "(instance 1 not configured); its routes do not cross") in out, out
    wait_table(topo, {
        "nva1": {"nva2", "er1", "local"},
        "er1": {"nva1", "nva2", "local"},
        "vpn1-0": {"local"},
    })
    hold_warnings(rs, [
        "gateway vpn1 is not active-active (instance 1 not configured); "
        "its routes do not cross"])
    assert ("route-server: default: branch-to-branch is on, but gateway vpn1 "
            "is not active-active") in rs.log_text()

    vpn1_1.start()
    topo.wait_established(timeout=CONVERGE)
    configure(rs, *role_lines(topo, ["vpn1-1"]))
    wait_table(topo, TABLE_ON)
    hold_warnings(rs, [])

    # one instance's sessions lost: degraded, the exchange goes on
    topo.peers["vpn1-1"].stop()
    rslab.wait_until(
        lambda: show(rs)["gateways"]["vpn1"]["state"] == "degraded",
        CONVERGE, "vpn1 to be degraded")
    table = {name: TABLE_ON[name] - {"vpn1-1"} for name in TABLE_ON}
    del table["vpn1-1"]
    wait_table(topo, table)

    # a removed instance takes the gateway out of the exchange again
    configure(rs, "no neighbor 198.18.0.32 route-server role",
              "no neighbor 2001:db8:18::20 route-server role")
    wait_table(topo, {
        "nva1": {"nva2", "er1", "local"},
        "er1": {"nva1", "nva2", "local"},
        "vpn1-0": {"local"},
    })


def test_a_deleted_neighbor_and_its_return(topology_factory):
    topo = start_lab(topology_factory, names={"nva1", "nva2", "er1"})
    rs = topo.rs
    er = topo.peers["er1"]
    configure(rs, *role_lines(topo, ["nva1", "nva2", "er1"]),
              "route-server branch-to-branch")
    on = {"nva1": {"nva2", "er1", "local"}, "nva2": {"nva1", "er1", "local"},
          "er1": {"nva1", "nva2", "local"}}
    wait_table(topo, on)

    configure(rs, f"no neighbor {er.addr4}", f"no neighbor {er.addr6}")
    wait_table(topo, {"nva1": {"nva2", "local"}, "nva2": {"nva1", "local"}})
    rslab.hold_unchanged(lambda: set(show(rs)["peers"]), {
        "198.18.0.11", "2001:db8:18::b", "198.18.0.12", "2001:db8:18::c"},
        "the role peers")

    configure(rs, *(line for addr in (er.addr4, er.addr6) for line in (
        f"neighbor {addr} remote-as {er.asn}",
        f"neighbor {addr} timers connect 2",
        "address-family ipv6 unicast" if ":" in addr else
        "address-family ipv4 unicast",
        f"neighbor {addr} activate", "exit-address-family")),
        *role_lines(topo, ["er1"]), "no route-server branch-to-branch")
    topo.wait_established(timeout=CONVERGE)
    wait_table(topo, {"nva1": {"nva2", "local"}, "nva2": {"nva1", "local"},
                      "er1": {"local"}})


def test_no_advertise_routes_reach_nobody(topology_factory):
    topo = start_lab(topology_factory, names={"nva1", "nva2", "er1"})
    rs = topo.rs
    configure(rs, *role_lines(topo, ["nva1", "nva2", "er1"]),
              "route-server branch-to-branch")
    nva1 = topo.peers["nva1"]
    nva1.originate("10.1.99.0/24", "community", "no-advertise",
                   remember=False)
    nva1.originate("2001:db8:1:99::/64", "community", "no-advertise",
                   remember=False)
    rslab.wait_until(
        lambda: show(rs)["peers"]["198.18.0.11"]["routesLearned"] == 2,
        CONVERGE, "the route server to hold nva1's two IPv4 routes")
    wait_table(topo, {
        "nva1": {"nva2", "er1", "local"},
        "nva2": {"nva1", "er1", "local"},
        "er1": {"nva1", "nva2", "local"},
    })
    learned = rs.show_json(
        "show bgp route-server neighbor 198.18.0.11 learned-routes json")
    assert "10.1.99.0/24" in learned["routes"], learned


def test_route_limit_tears_down_only_the_offender(topology_factory):
    topo = start_lab(topology_factory, names={"nva1", "nva2"})
    rs = topo.rs
    configure(rs, *role_lines(topo, ["nva1", "nva2"]),
              "route-server max-routes-per-peer 3")
    nva2 = topo.peers["nva2"]
    # held: its own /16 and two more make three, the limit
    nva2.originate("10.2.1.0/24")
    nva2.originate("10.2.2.0/24")
    wait_table(topo, {"nva1": {"nva2", "local"}})
    ups = sessions_established(rs)
    # announcing a held route again does not count twice
    nva2.originate("10.2.2.0/24", "med", "7")
    rslab.wait_until(lambda: rs.show_json(
        "show bgp ipv4 unicast 10.2.2.0/24 json")["paths"][0].get(
            "metric") == 7, CONVERGE, "the route server to take the new MED")
    hold_no_reset(rs, ups)
    rslab.hold_unchanged(
        lambda: show(rs)["peers"]["198.18.0.12"]["limitTeardowns"], 0,
        "nva2's limit teardowns")

    nva2.originate("10.2.3.0/24")
    rslab.wait_until(
        lambda: show(rs)["peers"]["198.18.0.12"]["limitTeardowns"] == 1,
        CONVERGE, "nva2's session to be torn down")
    rslab.wait_until(
        lambda: rs.neighbor_states()["198.18.0.12"] != "Established",
        CONVERGE, "nva2's IPv4 session to be down")
    assert ("198.18.0.12 held 4 IPv4 routes, more than 3; session torn down"
            in rs.log_text())
    rslab.wait_until(lambda: not {"10.2.0.0/16", "10.2.1.0/24"} &
                     topo.peers["nva1"].received(), CONVERGE,
                     "nva1 to lose nva2's IPv4 routes")
    # the others carry on without a reset, nva2's IPv4 session stays down
    # after its one teardown, and bgpd's own maximum-prefix is not
    # involved, nor written to the config
    others = ("198.18.0.11", "2001:db8:18::b", "2001:db8:18::c")

    def after_the_teardown():
        states = rs.neighbor_states()
        now = sessions_established(rs)
        assert all(states[n] == "Established" for n in others), states
        assert all(now[n] == ups[n] for n in others), (now, ups)
        assert states["198.18.0.12"] != "Established", states
        assert show(rs)["peers"]["198.18.0.12"]["limitTeardowns"] == 1
        assert "%MAXPFX" not in rs.log_text()
        assert "maximum-prefix" not in rs.running_config()
        return True

    rslab.hold_for(after_the_teardown, rslab.HOLD_SECONDS,
                   "the teardown of nva2's IPv4 session alone")


SHARED = "10.50.0.0/16"


def selected_paths(rs, prefix=SHARED):
    """Sorted neighbors of the best path and of its equal multipaths."""
    data = rs.show_json(f"show bgp ipv4 unicast {prefix} json")
    return sorted(path["peer"]["peerId"] for path in data.get("paths", [])
                  if path.get("multipath") or
                  path.get("bestpath", {}).get("overall"))


@pytest.mark.parametrize("vpn_asn", [65020, RS_ASN], ids=["ebgp-vpn",
                                                          "ibgp-vpn"])
def test_hub_routing_preference_picks_the_best_path(topology_factory,
                                                    vpn_asn):
    topo = start_lab(topology_factory, vpn_asn=vpn_asn,
                     names={"nva1", "nva2", "er1", "vpn1-0", "vpn1-1"})
    rs = topo.rs
    configure(rs, *role_lines(topo))
    for name in ("nva1", "er1", "vpn1-0"):
        topo.peers[name].originate(SHARED)
    rslab.wait_until(lambda: len(rs.show_json(
        f"show bgp ipv4 unicast {SHARED} json").get("paths", [])) == 3,
        CONVERGE, "three paths for the shared prefix")
    nva, er, vpn = "198.18.0.11", "198.18.0.21", "198.18.0.31"

    def expect(multi):
        """The selected paths: the best one and its equal multipaths."""
        rslab.wait_until(lambda: selected_paths(rs) == sorted(multi),
                         CONVERGE, f"selected paths {multi}")

    expect([er])  # the default: expressroute
    configure(rs, "route-server hub-routing-preference vpn")
    # an iBGP VPN gateway's AS path is the shorter one
    expect([vpn] if vpn_asn == RS_ASN else [nva, vpn])
    configure(rs, "route-server hub-routing-preference as-path")
    expect([vpn] if vpn_asn == RS_ASN else [er, nva, vpn])
    configure(rs, "no route-server hub-routing-preference")
    expect([er])
    assert show(rs)["hubRoutingPreference"] == "expressroute"


def test_an_operators_outbound_route_map_conflicts_or_composes(
        topology_factory):
    topo = start_lab(topology_factory, names={"nva1", "nva2", "er1"})
    rs = topo.rs
    configure(rs, *role_lines(topo, ["nva1", "nva2", "er1"]))
    wait_table(topo, {"er1": {"local"}})

    rc, out, err = rs.vtysh("configure", "route-map OPS permit 10")
    assert rc == 0, out + err
    configure(rs, "address-family ipv4 unicast",
              "neighbor 198.18.0.21 route-map OPS out")
    rslab.wait_until(
        lambda: show(rs)["peers"]["198.18.0.21"]["outboundPolicy"] ==
        "conflict", CONVERGE, "the conflict to show")
    peer = show(rs)["peers"]["198.18.0.21"]
    assert peer["outboundRouteMap"] == "OPS", peer
    state = yang_peer_state(rs, "198.18.0.21")
    assert (state["outbound-policy"], state["outbound-route-map"],
            state["limit-teardowns"]) == ("conflict", "OPS", 0), state
    assert ('neighbor 198.18.0.21: outbound route-map OPS replaces the '
            'route-server policy; add "call rs-exchange:gateways:default" '
            'to it') in show(rs)["warnings"]
    rslab.wait_until(lambda: "outbound route-map OPS replaces the "
                     "route-server policy" in rs.log_text(), CONVERGE,
                     "the conflict to be logged")

    rc, out, err = rs.vtysh("configure", "route-map OPS permit 10",
                            "call rs-exchange:gateways:default")
    assert rc == 0, out + err
    rslab.wait_until(
        lambda: show(rs)["peers"]["198.18.0.21"]["outboundPolicy"] ==
        "composed", CONVERGE, "the composition to show")
    assert yang_peer_state(rs, "198.18.0.21")["outbound-policy"] == "composed"
    wait_table(topo, {"er1": {"local"}})
    hold_warnings(rs, [])

    # the operator's map gone, the module's comes back
    configure(rs, "address-family ipv4 unicast",
              "no neighbor 198.18.0.21 route-map OPS out")
    rslab.wait_until(
        lambda: show(rs)["peers"]["198.18.0.21"]["outboundPolicy"] ==
        "enforced", CONVERGE, "the module's map to be back")
    wait_table(topo, {"er1": {"local"}})


def test_state_survives_write_memory_and_restart(topology_factory):
    topo = start_lab(topology_factory)
    rs = topo.rs
    configure(rs, *role_lines(topo), "route-server branch-to-branch",
              "route-server hub-routing-preference as-path",
              "route-server max-routes-per-peer 500")
    wait_table(topo, TABLE_ON)
    before = show(rs)
    config = rs.router_bgp_block()
    rs.save_and_reboot()
    topo.wait_established(timeout=60)
    wait_table(topo, TABLE_ON)
    assert rs.router_bgp_block() == config
    after = show(rs)
    for data in (before, after):
        for peer in data["peers"].values():
            peer.pop("routesAdvertised")
    assert after == before

    configure(rs, "no route-server branch-to-branch")
    wait_table(topo, TABLE_OFF)


MRAI = 10  # seconds: holds a withdrawal in its update subgroup's queue
SENT, HELD = "10.77.1.0/24", "10.77.2.0/24"


def subgroups(rs) -> list[set[str]]:
    """The peers of each IPv4 unicast update subgroup."""
    rc, out, err = rs.vtysh("show bgp ipv4 unicast update-groups",
                            daemon="bgpd")
    assert rc == 0, out + err
    return [set(re.findall(r"^\s+- (\S+)$", part, re.M))
            for part in out.split("Update-subgroup")[1:]]


def has_path(rs, prefix) -> bool:
    return bool(rs.show_json(f"show bgp ipv4 unicast {prefix} json").get(
        "paths"))


def test_a_role_given_while_a_withdrawal_waits_leaves_no_stale_route(
        topology_factory):
    """A withdrawal still queued in an update subgroup (held there by the
    advertisement interval behind an update) also reaches the peer that a
    role moves out of that subgroup."""
    topo = start_lab(topology_factory, names={"nva1", "nva2", "er1"})
    rs = topo.rs
    nva1, nva2, er1 = (topo.peers[n] for n in ("nva1", "nva2", "er1"))
    # the routes' source in a group of its own: nothing it is sent writes
    # the subgroup's queue out before the interval is over
    configure(rs, *role_lines(topo, ["er1"]),
              *(f"neighbor {peer.addr4} advertisement-interval {MRAI}"
                for peer in (nva1, nva2)))
    rslab.wait_until(lambda: {nva1.addr4, nva2.addr4} <= max(
        subgroups(rs), key=len), CONVERGE, "nva1 and nva2 in one subgroup")
    # past the interval since anything was written to them, the next
    # update goes to both at once, and starts their timers in step
    time.sleep(MRAI + 1)
    er1.originate(SENT)
    rslab.wait_until(lambda: SENT in nva1.received(), CONVERGE,
                     "nva1 to hold er1's new route")
    # an update within the interval waits for its timer, and the
    # withdrawal right after it waits with it
    er1.originate(HELD)
    rslab.wait_until(lambda: has_path(rs, HELD), CONVERGE,
                     "the route server to take the update")
    er1.withdraw(SENT)
    rslab.wait_until(lambda: not has_path(rs, SENT), CONVERGE,
                     "the route server to take the withdrawal")
    configure(rs, f"neighbor {nva1.addr4} route-server role nva")
    rslab.wait_until(lambda: SENT not in nva1.received(), MRAI + CONVERGE,
                     "nva1 to lose the withdrawn route")
    rslab.hold_for(lambda: SENT not in nva1.received(), rslab.HOLD_SECONDS,
                   "the withdrawn route gone from nva1")

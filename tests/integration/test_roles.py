"""Peer roles: the commands that give a neighbor a route-server role, their
`no` forms, their validation (a clear error and nothing applied), the role
following the neighbor's deletion, and the roles surviving `write memory`
and a restart."""

import json

import pytest

import rslab

RS_ASN = 65515
NEIGHBORS = {
    "198.18.0.11": 65001,
    "198.18.0.12": 65002,
    "198.18.0.13": 65517,  # Azure-reserved
    "198.18.0.14": 64500,  # IANA-reserved (documentation)
    "198.18.0.15": RS_ASN,  # the route server's own
    "198.18.0.21": 12076,
    "198.18.0.31": 65020,
    "198.18.0.32": 65020,
    "198.18.0.33": 65020,
    "2001:db8:18::b": 65001,
}
ROLE_LINES = [
    "neighbor 198.18.0.11 route-server role nva",
    "neighbor 198.18.0.21 route-server role expressroute-gateway er1",
    "neighbor 198.18.0.31 route-server role vpn-gateway vpn1 instance 0",
    "neighbor 198.18.0.32 route-server role vpn-gateway vpn1 instance 1",
    "neighbor 2001:db8:18::b route-server role nva",
]


@pytest.fixture
def rs(route_server):
    lines = [f"neighbor {addr} remote-as {asn}"
             for addr, asn in NEIGHBORS.items()]
    rc, out, err = route_server.configure(*lines)
    assert rc == 0, out + err
    return route_server


def role_lines(rs) -> list[str]:
    return [line.strip() for line in rs.router_bgp_block()
            if "route-server" in line]


def test_roles_show_in_running_config_and_no_forms_remove_them(rs):
    rc, out, err = rs.configure(*ROLE_LINES)
    assert rc == 0, out + err
    assert role_lines(rs) == ROLE_LINES

    rc, out, err = rs.configure(
        "no neighbor 198.18.0.11 route-server role nva",
        "no neighbor 198.18.0.31 route-server role")
    assert rc == 0, out + err
    assert role_lines(rs) == [ROLE_LINES[1], ROLE_LINES[3], ROLE_LINES[4]]


def test_neighbor_address_is_stored_in_canonical_form(rs):
    rc, out, err = rs.configure("neighbor 2001:DB8:18:0::B route-server role nva")
    assert rc == 0, out + err
    assert role_lines(rs) == ["neighbor 2001:db8:18::b route-server role nva"]


@pytest.mark.parametrize("line", [
    "route-server max-peers 2",
    "route-server max-routes-per-peer 5000",
    "route-server hub-routing-preference vpn",
    "route-server hub-routing-preference as-path",
])
def test_instance_settings_and_their_no_forms(rs, line):
    rc, out, err = rs.configure(line)
    assert rc == 0, out + err
    assert role_lines(rs) == [line]
    rc, out, err = rs.configure("no " + line)
    assert rc == 0, out + err
    assert role_lines(rs) == []


def test_a_vpn_instance_may_have_an_ipv4_and_an_ipv6_neighbor(rs):
    v6 = "neighbor 2001:db8:18::b route-server role vpn-gateway vpn1 instance 0"
    rc, out, err = rs.configure(ROLE_LINES[2], v6)
    assert rc == 0, out + err
    assert role_lines(rs) == [ROLE_LINES[2], v6]


BAD_INPUT = [
    # (configured first, refused line, error text)
    ([], "neighbor 198.18.0.99 route-server role nva",
     "neighbor 198.18.0.99 is not configured in this BGP instance"),
    ([], "neighbor 198.18.0.13 route-server role nva",
     "neighbor 198.18.0.13 has AS 65517: reserved ASN (Azure), "
     "not allowed for an nva"),
    ([], "neighbor 198.18.0.14 route-server role nva",
     "neighbor 198.18.0.14 has AS 64500: reserved ASN (IANA), "
     "not allowed for an nva"),
    ([], "neighbor 198.18.0.15 route-server role nva",
     "neighbor 198.18.0.15 has AS 65515: reserved ASN (Azure), "
     "not allowed for an nva"),
    ([ROLE_LINES[2]],
     "neighbor 198.18.0.33 route-server role vpn-gateway vpn1 instance 0",
     "instance 0 of VPN gateway vpn1 is already neighbor 198.18.0.31"),
    ([], "neighbor 198.18.0.31 route-server role vpn-gateway vpn1 instance 2",
     "% Unknown command"),
    ([ROLE_LINES[1]], "neighbor 198.18.0.21 route-server role nva",
     "neighbor 198.18.0.21 already has the route-server role "
     "expressroute-gateway; remove it first with "
     "\"no neighbor 198.18.0.21 route-server role\""),
    ([ROLE_LINES[1]],
     "neighbor 198.18.0.31 route-server role vpn-gateway er1 instance 0",
     "gateway er1 is already an expressroute-gateway (neighbor 198.18.0.21);"
     " a gateway name has one kind"),
    (["route-server max-peers 2", ROLE_LINES[0], ROLE_LINES[1]],
     ROLE_LINES[2],
     "more than 2 peers with a route-server role (route-server max-peers 2)"),
    ([ROLE_LINES[0], ROLE_LINES[1]], "route-server max-peers 1",
     "more than 1 peers with a route-server role (route-server max-peers 1)"),
    ([], "route-server max-peers 0", "% Unknown command"),
    ([], "route-server max-routes-per-peer 0", "% Unknown command"),
    ([], "route-server max-routes-per-peer 4294967296", "% Unknown command"),
    ([], "route-server hub-routing-preference fastest", "% Unknown command"),
    ([], "route-server max-peers 4097", "% Unknown command"),
]


@pytest.mark.parametrize("setup,line,error", BAD_INPUT,
                         ids=[case[1] for case in BAD_INPUT])
def test_bad_input_gives_a_clear_error_and_changes_nothing(rs, setup, line,
                                                           error):
    if setup:
        rc, out, err = rs.configure(*setup)
        assert rc == 0, out + err
    before = rs.running_config()
    rc, out, err = rs.configure(line)
    assert rc != 0, (out, err)
    assert error in out + err, out + err
    rslab.hold_unchanged(rs.running_config, before,
                         "the running configuration")


def test_deleting_a_neighbor_removes_its_role(rs):
    rc, out, err = rs.configure(*ROLE_LINES[:2])
    assert rc == 0, out + err
    rc, out, err = rs.configure("no neighbor 198.18.0.21")
    assert rc == 0, out + err
    # and it does not come back
    rslab.hold_unchanged(lambda: role_lines(rs), [ROLE_LINES[0]],
                         "the role lines")
    # the neighbor comes back without a role, and gets one again
    rc, out, err = rs.configure("neighbor 198.18.0.21 remote-as 12076",
                                ROLE_LINES[1])
    assert rc == 0, out + err
    assert role_lines(rs) == ROLE_LINES[:2]


def test_the_watch_applies_roles_again_only_after_bgpd_changed_them(rs):
    """A commit records what it applied, so the once-a-second watch over
    the role peers' bgpd settings leaves them alone until one of bgpd's own
    commands changes one (here a neighbor's remote AS)."""
    applied_again = "role peers changed; roles applied again"
    rc, out, err = rs.vtysh("debug bgp route-server")
    assert rc == 0, out + err
    rc, out, err = rs.configure(*ROLE_LINES)
    assert rc == 0, out + err
    rslab.hold_for(lambda: applied_again not in rs.log_text(),
                   3 * rslab.HOLD_SECONDS,
                   "the roles applied once, by their commit")

    rc, out, err = rs.configure("neighbor 198.18.0.11 remote-as 65011")
    assert rc == 0, out + err
    rslab.wait_until(lambda: applied_again in rs.log_text(), 10,
                     "the watch to apply the roles again")


def test_roles_survive_write_memory_and_restart(rs):
    rc, out, err = rs.configure("route-server max-peers 6", *ROLE_LINES)
    assert rc == 0, out + err
    expected = role_lines(rs)
    rs.save_and_reboot()
    assert role_lines(rs) == expected


VPN_GW = [
    ("nva1", "nva", 65001, 11, ["203.0.113.0/24"]),
    ("er1", "expressroute", 12076, 21, ["198.51.100.0/24"]),
    ("vpn1-0", "vpn-inst0", 65020, 31, ["192.0.2.0/24"]),
    ("vpn1-1", "vpn-inst1", 65020, 32, ["192.0.2.0/24"]),
]


def show(rs) -> dict:
    return rs.show_json("show bgp route-server json")


def yang_state(rs) -> dict:
    """The default instance's YANG operational state: peers and gateways
    keyed by neighbor and by name."""
    data = rs.show_json(
        "show yang operational-data /frr-routeserver:route-server bgpd")
    instance, = data["frr-routeserver:route-server"]["instance"]
    assert instance["vrf"] == "default"
    return {
        "peer": {p["neighbor"]: p["state"] for p in instance["peer"]},
        "gateway": {g.pop("name"): g for g in instance.get("gateway", [])},
    }


def gateway(rs, name) -> tuple[str, str]:
    gw = show(rs)["gateways"][name]
    return gw["state"], gw["reason"]


def test_show_follows_roles_sessions_and_active_active_state(
        topology_factory):
    topo = topology_factory(VPN_GW)
    topo.wait_established(timeout=30)
    rs = topo.rs
    rc, out, err = rs.configure(
        "neighbor 198.18.0.11 route-server role nva",
        "neighbor 198.18.0.21 route-server role expressroute-gateway er1",
        "neighbor 198.18.0.31 route-server role vpn-gateway vpn1 instance 0")
    assert rc == 0, out + err

    data = show(rs)
    assert (data["vrf"], data["asn"], data["branchToBranch"],
            data["maxPeers"], data["rolePeers"]) == (
                "default", RS_ASN, False, 8, 3)
    nva = data["peers"]["198.18.0.11"]
    assert (nva["role"], nva["state"], nva["exchange"]) == (
        "nva", "Established", True)
    rslab.wait_until(
        lambda: show(rs)["peers"]["198.18.0.11"]["routesLearned"] == 1, 20,
        "the route server to count nva1's one IPv4 route")
    vpn0 = data["peers"]["198.18.0.31"]
    assert (vpn0["role"], vpn0["gateway"], vpn0["instance"],
            vpn0["exchange"]) == ("vpn-gateway", "vpn1", 0, False)
    assert gateway(rs, "er1") == ("ready", "")
    assert gateway(rs, "vpn1") == ("not-active-active",
                                   "instance 1 not configured")

    state = yang_state(rs)
    vpn0 = state["peer"]["198.18.0.31"]
    assert (vpn0["session-state"], vpn0["routes-learned"],
            vpn0["exchange"]) == ("Established", 1, False)
    assert state["gateway"]["vpn1"] == {
        "role": "vpn-gateway", "state": "not-active-active",
        "reason": "instance 1 not configured"}

    rc, out, err = rs.configure(
        "neighbor 198.18.0.32 route-server role vpn-gateway vpn1 instance 1")
    assert rc == 0, out + err
    assert gateway(rs, "vpn1") == ("ready", "")
    assert yang_state(rs)["gateway"]["vpn1"]["state"] == "ready"
    assert show(rs)["peers"]["198.18.0.31"]["exchange"] is True

    topo.peers["vpn1-1"].stop()
    rslab.wait_until(lambda: gateway(rs, "vpn1") == (
        "degraded", "instance 1 session down"), 30,
        "vpn1 to be degraded once instance 1's session is down")
    state = yang_state(rs)
    assert state["gateway"]["vpn1"]["state"] == "degraded"
    assert state["peer"]["198.18.0.32"]["session-state"] != "Established"
    rc, out, err = rs.vtysh("show bgp route-server", daemon="bgpd")
    assert rc == 0, out + err
    lines = [line.split() for line in out.splitlines()]
    assert ["vpn1", "vpn-gateway", "degraded", "instance", "1", "session",
            "down"] in lines, out
    assert ["er1", "expressroute-gateway", "ready"] in lines, out


def test_show_without_configuration_and_for_an_unknown_vrf(route_server):
    data = show(route_server)
    assert (data["branchToBranch"], data["maxPeers"], data["rolePeers"],
            data["peers"], data["gateways"]) == (False, 8, 0, {}, {})
    rc, out, err = route_server.vtysh("show bgp vrf nosuch route-server",
                                      daemon="bgpd")
    assert "% No BGP instance in VRF nosuch" in out, out
    assert route_server.show_json(
        "show bgp vrf nosuch route-server json") == {}


def test_learned_and_advertised_routes_of_a_role_peer(topology_factory):
    topo = topology_factory(VPN_GW[:2])
    topo.wait_established(timeout=30)
    rs = topo.rs
    rc, out, err = rs.configure(
        "neighbor 198.18.0.11 route-server role nva",
        "neighbor 198.18.0.21 route-server role expressroute-gateway er1",
        "route-server branch-to-branch")
    assert rc == 0, out + err

    def routes(neighbor, which):
        return rs.show_json(
            f"show bgp route-server neighbor {neighbor} {which} json")

    rslab.wait_until(
        lambda: "203.0.113.0/24" in routes("198.18.0.21",
                                           "advertised-routes")["routes"],
        20, "the route server to advertise nva1's route to er1")
    advertised = routes("198.18.0.21", "advertised-routes")
    assert advertised["routes"]["203.0.113.0/24"] == {"asPath": "65001"}
    assert advertised["count"] == len(advertised["routes"])
    assert routes("198.18.0.11", "learned-routes") == {
        "routes": {"203.0.113.0/24": {"asPath": "65001"}}, "count": 1}
    assert routes("198.18.0.21", "learned-routes")["routes"] == {
        "198.51.100.0/24": {"asPath": "12076"}}

    rc, out, err = rs.vtysh(
        "show bgp route-server neighbor 198.18.0.11 learned-routes",
        daemon="bgpd")
    assert rc == 0, out + err
    assert ["203.0.113.0/24", "65001"] in [l.split() for l in
                                           out.splitlines()], out
    assert "Total: 1" in out, out

    rc, out, err = rs.vtysh(
        "show bgp route-server neighbor 198.18.0.99 learned-routes",
        daemon="bgpd")
    assert "% Neighbor 198.18.0.99 has no route-server role in VRF default" \
        in out, out


ROOT = "/frr-routeserver:route-server"
# FRR 8.4's operational-data walk answers the whole model and its state
# container only: a list without keys, an instance entry and a leaf fail;
# an entry of a list inside an instance comes back empty (see README,
# "YANG model and state")
FAILED = "% Failed to fetch operational data."
EMPTY: dict = {}
PARTIAL_XPATHS = {
    f"{ROOT}/state": {
        "frr-routeserver:route-server": {"state": {"version": rslab.MODULE_VERSION}}},
    f"{ROOT}/instance": FAILED,
    f"{ROOT}/instance[vrf='default']": FAILED,
    f"{ROOT}/instance[vrf='nosuch']/gateway": FAILED,
    f"{ROOT}/instance/peer": FAILED,
    f"{ROOT}/instance/peer/state": FAILED,
    f"{ROOT}/instance[vrf='default']/peer[neighbor='198.18.0.11']": EMPTY,
    f"{ROOT}/instance[vrf='default']/peer[neighbor='198.18.0.11']/state":
        EMPTY,
    f"{ROOT}/instance[vrf='default']/peer[neighbor='198.18.0.99']/state":
        EMPTY,
    f"{ROOT}/instance[vrf='default']/gateway": FAILED,
    f"{ROOT}/instance[vrf='default']/gateway[name='vpn1']": EMPTY,
    # a leaf
    f"{ROOT}/instance[vrf='default']/gateway[name='vpn1']/state": FAILED,
}

# FRR 10's walk answers each query with the part of the state it names
PEER_STATE = {"session-state": "Idle", "routes-learned": 0,
              "routes-advertised": 0, "outbound-policy": "none",
              "limit-teardowns": 0}
PEERS = [{"neighbor": "198.18.0.11", "state": {**PEER_STATE, "exchange": True}},
         {"neighbor": "198.18.0.31",
          "state": {**PEER_STATE, "exchange": False}}]
GATEWAY = {"name": "vpn1", "role": "vpn-gateway", "state": "not-active-active",
           "reason": "instance 1 not configured"}


def default_instance(**parts):
    return {"frr-routeserver:route-server": {
        "instance": [{"vrf": "default", **parts}]}}


WHOLE_INSTANCE = default_instance(
    peer=PEERS, gateway=[GATEWAY],
    state={"receiver-classes": 2, "update-groups": 0})
ANSWERED_XPATHS = {
    f"{ROOT}/state": PARTIAL_XPATHS[f"{ROOT}/state"],
    f"{ROOT}/instance": WHOLE_INSTANCE,
    f"{ROOT}/instance[vrf='default']": WHOLE_INSTANCE,
    f"{ROOT}/instance[vrf='nosuch']/gateway": EMPTY,
    f"{ROOT}/instance/peer": default_instance(peer=PEERS),
    f"{ROOT}/instance/peer/state": default_instance(peer=PEERS),
    f"{ROOT}/instance[vrf='default']/peer[neighbor='198.18.0.11']":
        default_instance(peer=PEERS[:1]),
    f"{ROOT}/instance[vrf='default']/peer[neighbor='198.18.0.11']/state":
        default_instance(peer=PEERS[:1]),
    f"{ROOT}/instance[vrf='default']/peer[neighbor='198.18.0.99']/state":
        EMPTY,
    f"{ROOT}/instance[vrf='default']/gateway":
        default_instance(gateway=[GATEWAY]),
    f"{ROOT}/instance[vrf='default']/gateway[name='vpn1']":
        default_instance(gateway=[GATEWAY]),
    f"{ROOT}/instance[vrf='default']/gateway[name='vpn1']/state":
        default_instance(gateway=[{"name": "vpn1",
                                   "state": "not-active-active"}]),
}


def operational_data(rs, xpath):
    """bgpd's answer to a state query: the data, or its error line."""
    rc, out, err = rs.vtysh(f"show yang operational-data {xpath} bgpd",
                            daemon="bgpd")
    assert (rc, err) == (0, ""), (xpath, rc, out, err)
    return json.loads(out) if out.lstrip().startswith("{") else out.strip()


def test_state_queries_on_any_part_of_the_model_leave_bgpd_running(rs):
    rc, out, err = rs.configure(ROLE_LINES[0], ROLE_LINES[2])
    assert rc == 0, out + err
    expected = PARTIAL_XPATHS if rslab.frr_major() < 10 else ANSWERED_XPATHS
    answers = {xpath: operational_data(rs, xpath) for xpath in expected}
    assert answers == expected
    rslab.hold_for(lambda: rs.bgpd.running() and
                   rs.vtysh("show version", daemon="bgpd")[0] == 0,
                   rslab.HOLD_SECONDS, "bgpd running and answering")
    state = yang_state(rs)
    assert set(state["peer"]) == {"198.18.0.11", "198.18.0.31"}
    assert state["gateway"] == {"vpn1": {
        "role": "vpn-gateway", "state": "not-active-active",
        "reason": "instance 1 not configured"}}

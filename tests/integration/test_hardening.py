"""The route-server module against operator actions and stale facts: its
own route-maps protected, roles made stale by bgpd's configuration, the
cleanup of deleted neighbors (also under a NETCONF lock), canonical
neighbor keys, names unique across VRFs, one rule set for vtysh and
NETCONF, the operator's own weight and maximum-prefix left alone, the
largest route limit, and routes of neighbors without a role kept from role
peers (fail closed).

Every "never" is sampled over a window of WINDOW seconds."""

import difflib
import time

import pytest
from ncclient.operations.rpc import RPCError

import nclab
import rslab

RS_ASN = 65515
CONVERGE = 30  # seconds a change may take to reach every peer
WINDOW = 2.5  # seconds over which something must not happen

LOCAL = ["10.100.0.0/16"]

# (name, role, asn, host, prefixes): IPv4-only gobgpd speakers
NVA1 = ("nva1", "nva", 65001, 11, ["10.1.0.0/16"])
NVA2 = ("nva2", "nva", 65002, 12, ["10.2.0.0/16"])
ER1 = ("er1", "expressroute", 12076, 21, ["10.21.0.0/16"])
BRANCH = ("branch", "none", 65030, 30, ["10.30.0.0/16"])

NVA1_ROLE = "neighbor 198.18.0.11 route-server role nva"
NVA2_ROLE = "neighbor 198.18.0.12 route-server role nva"
ER1_ROLE = "neighbor 198.18.0.21 route-server role expressroute-gateway er1"

OWNED_BY_MODULE = ("names beginning with rs-exchange: belong to the "
                   "route-server module")
NVA_MAP = "rs-exchange:nva:default"
STALE_NVA1 = ("stale role nva: neighbor 198.18.0.11 has AS 65517: reserved "
              "ASN (Azure), not allowed for an nva")

RS_NS = "urn:frr-routeserver:yang:frr-routeserver"
NC_NS = "urn:ietf:params:xml:ns:netconf:base:1.0"
RS_XPATH = ({"rs": RS_NS}, "/rs:route-server")


# --------------------------------------------------------------------------
# the lab


def start_lab(topology_factory, *speakers):
    """A route server and IPv4-only gobgpd speakers, sessions up."""
    topo = topology_factory(start=False)
    for name, role, asn, host, prefixes in speakers:
        topo.add_peer(name, role, asn, host, prefixes, ipv6=False)
    topo.start(wait_established=True, timeout=CONVERGE)
    return topo


@pytest.fixture
def netconf_lab(topology_factory, tmp_path):
    """(route server with the NETCONF server listening, an authorized
    client key)."""
    topo = topology_factory(start=False)
    topo.rs.netconf = True
    topo.rs.prepare()
    key = nclab.ClientKey(str(tmp_path))
    topo.rs.authorize_key(key.public)
    topo.start()
    nclab.wait_listening(topo.rs)
    return topo.rs, key


# --------------------------------------------------------------------------
# vtysh


def configure(rs, *lines, router=True):
    """Lines in `configure` (inside `router bgp` unless router=False),
    which must succeed; their output."""
    rc, out, err = rs.configure(*lines, router=router)
    assert rc == 0, out + err
    return out


def refused(rs, *lines, router=True):
    """Lines which must be refused; their output."""
    rc, out, err = rs.configure(*lines, router=router)
    assert rc != 0, f"accepted: {lines}: {out}{err}"
    return out + err


def assert_unchanged(before, after):
    """Two configurations are the same; else the lines that differ."""
    diff = list(difflib.unified_diff(before.splitlines(), after.splitlines(),
                                     "before", "after", lineterm="", n=0))
    assert not diff, "\n".join(diff)


def configure_vrf(rs, vrf, *lines):
    rc, out, err = rs.vtysh("configure", f"router bgp {RS_ASN} vrf {vrf}",
                            *lines)
    assert rc == 0, out + err


def originate_locally(rs):
    configure(rs, "no bgp network import-check", "address-family ipv4 unicast",
              f"network {LOCAL[0]}", "exit-address-family")


def role_lines(rs):
    """The route-server lines of `router bgp` (not route-server-client)."""
    return [line.strip() for line in rs.router_bgp_block()
            if line.startswith(" route-server") or
            " route-server role " in line]


def block(config, header):
    """The lines of a config's block opened by `header`, up to its exit."""
    lines = config.splitlines()
    start = lines.index(header)
    return lines[start + 1:lines.index("exit", start)]


def show(rs, vrf=None):
    vrf_part = f"vrf {vrf} " if vrf else ""
    return rs.show_json(f"show bgp {vrf_part}route-server json")


def outbound_policies(rs):
    return {addr: peer["outboundPolicy"]
            for addr, peer in show(rs)["peers"].items()}


def yang_peer_states(rs):
    """{neighbor: state} of the default instance's YANG operational data."""
    data = rs.show_json(
        "show yang operational-data /frr-routeserver:route-server bgpd")
    instance, = [i for i in data["frr-routeserver:route-server"]["instance"]
                 if i["vrf"] == "default"]
    return {p["neighbor"]: p["state"] for p in instance.get("peer", [])}


def bgpd_route_maps(rs, *name):
    """bgpd's route-maps (or the one named) as `show route-map json` gives
    them: under "BGP" from FRR 8.4's bgpd, under "bgpd" from FRR 10's
    vtysh."""
    shown = rs.show_json(" ".join(("show route-map", *name, "json")))
    return shown["BGP"] if "BGP" in shown else shown["bgpd"]


def route_map_rules(rs, name):
    """(sequence, type, match clauses) of each entry of bgpd's route-map."""
    maps = bgpd_route_maps(rs, name)
    return [(rule["sequenceNumber"], rule["type"], rule["matchClauses"])
            for rule in maps[name]["rules"]]


def module_map(name):
    """The rules of an exchange route-map as the module makes it."""
    return [(10, "permit", [f"route-server-exchange {name}"])]


def path_weights(rs, *prefixes):
    """{prefix: weight of each path bgpd holds} (bgpd omits weight 0)."""
    return {prefix: [path.get("weight", 0) for path in rs.show_json(
        f"show bgp ipv4 unicast {prefix} json").get("paths", [])]
        for prefix in prefixes}


# --------------------------------------------------------------------------
# over time


def steady(observe, expected, what, window=WINDOW, interval=0.4):
    """Sample observe() over `window` seconds: every sample must equal
    expected."""
    deadline = time.monotonic() + window
    samples = 0
    while True:
        value = observe()
        samples += 1
        assert value == expected, f"{what}, sample {samples}: {value!r}"
        if time.monotonic() >= deadline:
            return
        time.sleep(interval)


def wait_table(topo, table):
    rslab.wait_holdings(topo, table, LOCAL, CONVERGE)


def steady_table(topo, table):
    """Every peer in table holds exactly its routes, sample after sample."""
    steady(lambda: rslab.holdings_differences(topo, table, LOCAL), {},
           "routes missing or unexpected at the peers")


# --------------------------------------------------------------------------
# NETCONF


def instance_config(body):
    return (f'<config xmlns="{NC_NS}"><route-server xmlns="{RS_NS}">'
            f"<instance><vrf>default</vrf>{body}</instance>"
            "</route-server></config>")


def peer_xml(neighbor, role, gateway=None):
    gateway_xml = f"<gateway>{gateway}</gateway>" if gateway else ""
    return (f"<peer><neighbor>{neighbor}</neighbor><role>{role}</role>"
            f"{gateway_xml}</peer>")


def running_xml(m):
    return m.get_config(source="running", filter=("xpath", RS_XPATH)).data_xml


def netconf_peers(m):
    """The neighbors of the peers in NETCONF's running configuration."""
    data = m.get_config(source="running", filter=("xpath", RS_XPATH)).data
    return {node.text for node in data.iter(f"{{{RS_NS}}}neighbor")}


def netconf_peers_after_restart(rs, key):
    nclab.wait_listening(rs)
    with nclab.connect(rs, key) as m:
        return netconf_peers(m)


def refused_edit(m, body):
    """An edit of the default instance that must be refused: its error."""
    with pytest.raises(RPCError) as error:
        m.edit_config(target="running", config=instance_config(body))
    return error.value


# --------------------------------------------------------------------------
# 1. the module's route-maps belong to the module


def test_module_route_maps_cannot_be_edited_or_deleted(topology_factory):
    topo = start_lab(topology_factory, NVA1, NVA2, ER1)
    rs = topo.rs
    originate_locally(rs)
    configure(rs, NVA1_ROLE, NVA2_ROLE, ER1_ROLE)
    # branch-to-branch off: the NVAs and the gateway do not exchange
    table = {"nva1": {"nva2", "local"}, "nva2": {"nva1", "local"},
             "er1": {"local"}}
    wait_table(topo, table)
    before = rs.running_config()

    out = refused(rs, f"route-map {NVA_MAP} permit 20", router=False)
    assert f"route-map {NVA_MAP}: {OWNED_BY_MODULE}" in out, out
    assert_unchanged(before, rs.running_config())

    # whatever vtysh answers, the module's map stays
    rs.vtysh("configure", f"no route-map {NVA_MAP}")
    assert route_map_rules(rs, NVA_MAP) == module_map(NVA_MAP)
    assert_unchanged(before, rs.running_config())
    steady(lambda: outbound_policies(rs),
           {"198.18.0.11": "enforced", "198.18.0.12": "enforced",
            "198.18.0.21": "enforced"}, "outbound policies")
    steady_table(topo, table)
    rs.bgpd.check_running()


def test_a_saved_module_route_map_is_refused_at_start_up(route_server):
    rs = route_server
    configure(rs, "neighbor 198.18.0.11 remote-as 65001",
              "address-family ipv4 unicast", "neighbor 198.18.0.11 activate",
              "exit-address-family", NVA1_ROLE)
    rs.write_memory()
    with open(rs.path("frr.conf"), "a") as saved:
        saved.write(f"route-map {NVA_MAP} permit 20\n set weight 7\nexit\n!\n")
    rc = rs.stop_bgpd()
    assert rc == 0, rc

    rs.boot_saved()
    rs.bgpd.check_running()
    log = rs.log_text()
    assert f"route-map {NVA_MAP}: {OWNED_BY_MODULE}" in log, log
    if rslab.frr_major() < 10:
        assert route_map_rules(rs, NVA_MAP) == module_map(NVA_MAP)
        assert role_lines(rs) == [NVA1_ROLE]
        assert outbound_policies(rs) == {"198.18.0.11": "enforced"}
    else:
        # FRR 10 commits a configuration file as one transaction, which
        # the refusal refuses whole, the role included (README): the
        # operator's entry becomes no map of bgpd's either
        assert NVA_MAP not in bgpd_route_maps(rs)
        assert role_lines(rs) == []


# --------------------------------------------------------------------------
# 2. a role made stale by bgpd's configuration blocks no commit


def test_a_stale_role_blocks_no_commit_and_survives_a_restart(route_server):
    rs = route_server
    configure(rs, "neighbor 198.18.0.11 remote-as 65001",
              "neighbor 198.18.0.12 remote-as 65002",
              "neighbor 198.18.0.13 remote-as 65517", NVA1_ROLE)
    # out of band: the NVA's AS becomes one an NVA may not have
    configure(rs, "neighbor 198.18.0.11 remote-as 65517")

    configure(rs, "route-map FOO permit 10", router=False)
    configure(rs, "route-server max-peers 12")
    configure(rs, NVA2_ROLE)
    assert "route-map FOO permit 10" in rs.running_config()
    assert show(rs)["maxPeers"] == 12
    expected_lines = ["route-server max-peers 12", NVA1_ROLE, NVA2_ROLE]
    assert role_lines(rs) == expected_lines

    def assert_stale():
        warnings = show(rs)["warnings"]
        assert any(w.startswith(STALE_NVA1) for w in warnings), warnings
        state = yang_peer_states(rs)["198.18.0.11"]
        assert STALE_NVA1 in state.get("warning", ""), state

    def assert_new_nva_role_refused():
        before = rs.running_config()
        out = refused(rs, "neighbor 198.18.0.13 route-server role nva")
        assert ("neighbor 198.18.0.13 has AS 65517: reserved ASN (Azure), "
                "not allowed for an nva") in out, out
        assert_unchanged(before, rs.running_config())

    assert_stale()
    assert_new_nva_role_refused()
    rs.save_and_reboot()
    assert role_lines(rs) == expected_lines
    assert_stale()
    assert_new_nva_role_refused()


# --------------------------------------------------------------------------
# 3. a deleted neighbor always loses its role


def assert_roles(rs, lines, peers):
    """The route-server lines of the running configuration, and the peers
    `show bgp route-server` lists."""
    assert role_lines(rs) == lines
    assert set(show(rs)["peers"]) == peers


def test_a_deleted_neighbor_loses_its_role_while_netconf_holds_the_lock(
        netconf_lab):
    rs, key = netconf_lab
    configure(rs, "neighbor 198.18.0.11 remote-as 65001",
              "neighbor 198.18.0.21 remote-as 12076", NVA1_ROLE, ER1_ROLE)
    with nclab.connect(rs, key) as m:
        m.lock("running")
        # the lock keeps vtysh's northbound commands out ...
        assert "locked" in refused(rs, "route-server max-peers 7")
        # ... not bgpd's own
        configure(rs, "no neighbor 198.18.0.21")
        assert_roles(rs, [NVA1_ROLE], {"198.18.0.11"})
        assert netconf_peers(m) == {"198.18.0.11"}
        m.unlock("running")

    # the next commit of vtysh's candidate does not bring the role back
    configure(rs, "route-server max-peers 7")
    kept = ["route-server max-peers 7", NVA1_ROLE]
    assert_roles(rs, kept, {"198.18.0.11"})
    rs.save_and_reboot()
    assert_roles(rs, kept, {"198.18.0.11"})
    assert netconf_peers_after_restart(rs, key) == {"198.18.0.11"}
    configure(rs, "neighbor 198.18.0.21 remote-as 12076")
    assert_roles(rs, kept, {"198.18.0.11"})


def test_a_deleted_neighbor_loses_its_role_beside_a_stale_role(route_server):
    rs = route_server
    configure(rs, "neighbor 198.18.0.11 remote-as 65001",
              "neighbor 198.18.0.12 remote-as 65002", NVA1_ROLE, NVA2_ROLE)
    configure(rs, "neighbor 198.18.0.11 remote-as 65517")
    assert STALE_NVA1 in show(rs)["warnings"]

    configure(rs, "no neighbor 198.18.0.12")
    assert_roles(rs, [NVA1_ROLE], {"198.18.0.11"})
    assert STALE_NVA1 in show(rs)["warnings"]


# --------------------------------------------------------------------------
# 4. one neighbor, one key


def test_a_neighbor_has_one_key_over_netconf_and_vtysh(netconf_lab):
    rs, key = netconf_lab
    configure(rs, "neighbor 2001:db8:18::b remote-as 65001")
    with nclab.connect(rs, key) as m:
        before, before_vtysh = running_xml(m), rs.running_config()
        for spelling in ("2001:DB8:18::B", "2001:db8:18:0::b"):
            error = refused_edit(m, peer_xml(spelling, "nva"))
            assert (f"neighbor {spelling} is not in canonical form; write "
                    "it as 2001:db8:18::b") in error.message, error.to_dict()
            assert_unchanged(before, running_xml(m))
            assert_unchanged(before_vtysh, rs.running_config())

        configure(rs, "neighbor 2001:DB8:18::B route-server role nva",
                  "neighbor 2001:db8:18:0::b route-server role nva")
        assert_roles(rs, ["neighbor 2001:db8:18::b route-server role nva"],
                     {"2001:db8:18::b"})
        assert netconf_peers(m) == {"2001:db8:18::b"}


# --------------------------------------------------------------------------
# 5. names are unique


def test_route_map_and_gateway_names_are_unique(route_server):
    rs = route_server
    configure_vrf(rs, "a-vpn", "neighbor 198.18.0.11 remote-as 65001",
                  "neighbor 198.18.0.12 remote-as 65002", NVA1_ROLE,
                  NVA2_ROLE)
    # one class per gateway, so that the gateway's class is named after it
    configure_vrf(rs, "a", "route-server strict-gateway-exclusion",
                  "neighbor 198.18.0.31 remote-as 65020",
                  "neighbor 198.18.0.32 remote-as 65020",
                  "neighbor 198.18.0.31 route-server role vpn-gateway nva "
                  "instance 0",
                  "neighbor 198.18.0.32 route-server role vpn-gateway nva "
                  "instance 1")

    nva_map, vpn_map = "rs-exchange:nva:a-vpn", "rs-exchange:vpn:nva:a"
    maps = bgpd_route_maps(rs)
    assert {name for name in maps if name.startswith("rs-exchange:")} == {
        nva_map, vpn_map}, sorted(maps)
    for name in (nva_map, vpn_map):
        assert route_map_rules(rs, name) == module_map(name)

    config = rs.running_config()
    for vrf, peers, name in (("a-vpn", ("198.18.0.11", "198.18.0.12"),
                              nva_map),
                             ("a", ("198.18.0.31", "198.18.0.32"), vpn_map)):
        outbound = [line.strip() for line in
                    block(config, f"router bgp {RS_ASN} vrf {vrf}")
                    if line.endswith(" out")]
        assert outbound == [f"neighbor {peer} route-map {name} out"
                            for peer in peers], (vrf, outbound)
    assert {addr: (p["role"], p.get("gateway"), p["outboundPolicy"])
            for addr, p in show(rs, "a-vpn")["peers"].items()} == {
        "198.18.0.11": ("nva", None, "enforced"),
        "198.18.0.12": ("nva", None, "enforced")}
    assert {addr: (p["role"], p.get("gateway"), p["outboundPolicy"])
            for addr, p in show(rs, "a")["peers"].items()} == {
        "198.18.0.31": ("vpn-gateway", "nva", "enforced"),
        "198.18.0.32": ("vpn-gateway", "nva", "enforced")}

    configure(rs, "neighbor 198.18.0.21 remote-as 12076",
              "neighbor 198.18.0.22 remote-as 65021",
              "neighbor 198.18.0.21 route-server role expressroute-gateway "
              "gw1")
    before = rs.running_config()
    out = refused(rs, "neighbor 198.18.0.22 route-server role vpn-gateway gw1 "
                  "instance 0")
    assert ("gateway gw1 is already an expressroute-gateway (neighbor "
            "198.18.0.21); a gateway name has one kind") in out, out
    assert_unchanged(before, rs.running_config())


# --------------------------------------------------------------------------
# 6. NETCONF obeys the rules vtysh does


def test_netconf_cannot_change_a_role_in_place(netconf_lab):
    rs, key = netconf_lab
    configure(rs, "neighbor 198.18.0.11 remote-as 65001", NVA1_ROLE)
    with nclab.connect(rs, key) as m:
        before, before_vtysh = running_xml(m), rs.running_config()
        error = refused_edit(m, peer_xml("198.18.0.11",
                                         "expressroute-gateway", "er1"))
        assert ("neighbor 198.18.0.11 already has the route-server role "
                "nva; remove it first") in error.message, error.to_dict()
        assert_unchanged(before, running_xml(m))
    assert_unchanged(before_vtysh, rs.running_config())
    assert show(rs)["peers"]["198.18.0.11"]["role"] == "nva"


# --------------------------------------------------------------------------
# 7. the operator's own weight and maximum-prefix


def own_settings(rs):
    """The weight and maximum-prefix lines of the running configuration."""
    return sorted(line.strip() for line in rs.router_bgp_block()
                  if " weight " in line or " maximum-prefix " in line)


def test_a_role_leaves_the_operators_weight_and_maximum_prefix(
        topology_factory):
    topo = start_lab(topology_factory, NVA1, NVA2, ER1)
    rs = topo.rs
    configure(rs, "address-family ipv4 unicast",
              "neighbor 198.18.0.12 weight 50",
              "neighbor 198.18.0.12 maximum-prefix 5000")
    own = ["neighbor 198.18.0.12 maximum-prefix 5000",
           "neighbor 198.18.0.12 weight 50"]
    assert own_settings(rs) == own
    prefixes = ("10.1.0.0/16", "10.2.0.0/16", "10.21.0.0/16")

    configure(rs, NVA1_ROLE, NVA2_ROLE, ER1_ROLE)
    assert own_settings(rs) == own
    assert ("neighbor 198.18.0.12: its own weight 50 replaces the hub "
            "routing preference") in show(rs)["warnings"]
    # the default preference: expressroute 200, the others 100
    with_roles = {"10.1.0.0/16": [100], "10.2.0.0/16": [50],
                  "10.21.0.0/16": [200]}
    rslab.wait_until(lambda: path_weights(rs, *prefixes) == with_roles,
                     CONVERGE, f"the weights {with_roles}")

    configure(rs, "no neighbor 198.18.0.11 route-server role",
              "no neighbor 198.18.0.12 route-server role",
              "no neighbor 198.18.0.21 route-server role")
    assert own_settings(rs) == own
    without_roles = {"10.1.0.0/16": [0], "10.2.0.0/16": [50],
                     "10.21.0.0/16": [0]}
    rslab.wait_until(lambda: path_weights(rs, *prefixes) == without_roles,
                     CONVERGE, f"the weights {without_roles}")


# --------------------------------------------------------------------------
# 8. the largest route limit, and a lower one over routes held


def test_the_largest_route_limit_and_a_lower_one(topology_factory):
    nva1 = ("nva1", "nva", 65001, 11,
            ["10.1.0.0/16", "10.1.1.0/24", "10.1.2.0/24"])
    topo = start_lab(topology_factory, nva1, NVA2)
    rs = topo.rs
    configure(rs, "route-server max-routes-per-peer 4294967295", NVA1_ROLE,
              NVA2_ROLE)
    table = {"nva2": {"nva1"}, "nva1": {"nva2"}}
    wait_table(topo, table)

    def limit_state():
        peers = show(rs)["peers"]
        return {"nva1 routes held": peers["198.18.0.11"]["routesLearned"],
                "teardowns": [p["limitTeardowns"] for p in peers.values()],
                "sessions": set(rs.neighbor_states().values()),
                "%MAXPFX in the log": "%MAXPFX" in rs.log_text()}

    steady(limit_state, {"nva1 routes held": 3, "teardowns": [0, 0],
                         "sessions": {"Established"},
                         "%MAXPFX in the log": False},
           "the route limit 4294967295")
    steady_table(topo, table)
    assert "maximum-prefix" not in rs.running_config()

    configure(rs, "route-server max-routes-per-peer 2")
    rslab.wait_until(
        lambda: show(rs)["peers"]["198.18.0.11"]["limitTeardowns"] == 1,
        CONVERGE, "nva1's session to be torn down")
    rslab.wait_until(
        lambda: rs.neighbor_states()["198.18.0.11"] != "Established",
        CONVERGE, "nva1's session to be down")
    assert ("198.18.0.11 held 3 IPv4 routes, more than 2; session torn down"
            in rs.log_text())
    assert show(rs)["peers"]["198.18.0.12"]["limitTeardowns"] == 0


# --------------------------------------------------------------------------
# 9. fail closed


def test_routes_of_neighbors_without_a_role_reach_no_role_peer(
        topology_factory):
    topo = start_lab(topology_factory, NVA1, ER1, BRANCH)
    rs = topo.rs
    configure(rs, "route-server branch-to-branch", NVA1_ROLE, ER1_ROLE)
    closed = {"nva1": {"er1"}, "er1": {"nva1"}, "branch": {"nva1", "er1"}}
    wait_table(topo, closed)
    steady_table(topo, closed)
    assert show(rs)["allowUnclassified"] is False

    configure(rs, "route-server allow-unclassified")
    wait_table(topo, {"nva1": {"er1", "branch"}, "er1": {"nva1", "branch"},
                      "branch": {"nva1", "er1"}})
    assert show(rs)["allowUnclassified"] is True
    assert "route-server allow-unclassified" in role_lines(rs)

    configure(rs, "no route-server allow-unclassified")
    wait_table(topo, closed)
    steady_table(topo, closed)
    assert show(rs)["allowUnclassified"] is False
    assert "route-server allow-unclassified" not in role_lines(rs)

"""Peer roles: the commands that give a neighbor a route-server role, their
`no` forms, their validation (a clear error and nothing applied), the role
following the neighbor's deletion, and the roles surviving `write memory`
and a restart."""

import pytest

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


def test_max_peers_and_its_no_form(rs):
    rc, out, err = rs.configure("route-server max-peers 2")
    assert rc == 0, out + err
    assert role_lines(rs) == ["route-server max-peers 2"]
    rc, out, err = rs.configure("no route-server max-peers")
    assert rc == 0, out + err
    assert role_lines(rs) == []


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
     "% Neighbor 198.18.0.21 already has the route-server role "
     "expressroute-gateway; remove it first with "
     "\"no neighbor 198.18.0.21 route-server role\""),
    (["route-server max-peers 2", ROLE_LINES[0], ROLE_LINES[1]],
     ROLE_LINES[2],
     "more than 2 peers with a route-server role (route-server max-peers 2)"),
    ([ROLE_LINES[0], ROLE_LINES[1]], "route-server max-peers 1",
     "more than 1 peers with a route-server role (route-server max-peers 1)"),
    ([], "route-server max-peers 0", "% Unknown command"),
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
    assert rs.running_config() == before


def test_deleting_a_neighbor_removes_its_role(rs):
    rc, out, err = rs.configure(*ROLE_LINES[:2])
    assert rc == 0, out + err
    rc, out, err = rs.configure("no neighbor 198.18.0.21")
    assert rc == 0, out + err
    assert role_lines(rs) == [ROLE_LINES[0]]
    # the neighbor comes back without a role, and gets one again
    rc, out, err = rs.configure("neighbor 198.18.0.21 remote-as 12076",
                                ROLE_LINES[1])
    assert rc == 0, out + err
    assert role_lines(rs) == ROLE_LINES[:2]


def test_roles_survive_write_memory_and_restart(rs):
    rc, out, err = rs.configure("route-server max-peers 6", *ROLE_LINES)
    assert rc == 0, out + err
    expected = role_lines(rs)
    rc, out, err = rs.vtysh("write memory")
    assert rc == 0, out + err

    assert rs.stop_bgpd() == 0
    rs.write_bgpd_conf("")
    rs.start_bgpd()
    rc, out, err = rs.vtysh(boot=True)
    assert rc == 0, out + err
    assert role_lines(rs) == expected

"""The NETCONF daemon frr-netconfd, which reaches bgpd through bgpd's
northbound agent (bgpd -M nbagent), driven by a real client, Debian's
python3-ncclient: hello and capabilities, get-schema, filters, edits that
change the routes real peers receive, rejected edits, locks, the candidate,
notifications, refused logins and garbage on the port."""

import os
import time

import pytest
from ncclient.operations.rpc import RPCError
from ncclient.transport.errors import AuthenticationError, SSHError
from ncclient.xml_ import to_ele

import nclab
import rslab
from test_exchange import (CONVERGE, TABLE_OFF, TABLE_ON, ROLES,
                           originate_locally, speakers, wait_table)

RS_NS = "urn:frr-routeserver:yang:frr-routeserver"
NC_NS = "urn:ietf:params:xml:ns:netconf:base:1.0"
RS_XPATH = ({"rs": RS_NS}, "/rs:route-server")
VALGRIND_WAIT = 90  # seconds bgpd under valgrind may take to start or answer


def config(body: str) -> str:
    return (f'<config xmlns="{NC_NS}"><route-server xmlns="{RS_NS}">'
            f"{body}</route-server></config>")


def instance(body: str) -> str:
    return config(f"<instance><vrf>default</vrf>{body}</instance>")


def peer_xml(neighbor: str, role: str) -> str:
    role, *rest = role.split()
    xml = f"<peer><neighbor>{neighbor}</neighbor><role>{role}</role>"
    if rest:
        xml += f"<gateway>{rest[0]}</gateway>"
    if len(rest) == 3:
        xml += f"<instance>{rest[2]}</instance>"
    return xml + "</peer>"


def roles_xml(topo, names=None) -> str:
    return "".join(peer_xml(addr, ROLES[name])
                   for name in names or ROLES
                   for addr in (topo.peers[name].addr4,
                                topo.peers[name].addr6))


@pytest.fixture
def netconf_lab(topology_factory, tmp_path):
    """make(peers, valgrind=False) -> (topology, client key) with
    frr-netconfd listening and the key authorized for user admin (who may
    do everything)."""
    def make(peers=(), valgrind=False):
        topo = topology_factory(start=False, valgrind=valgrind)
        for spec in peers:
            topo.add_peer(*spec)
        topo.rs.netconf = True
        topo.rs.prepare()
        key = nclab.ClientKey(str(tmp_path))
        topo.rs.authorize_key(key.public)
        topo.start()
        nclab.wait_listening(topo.rs, timeout=VALGRIND_WAIT if valgrind
                             else 20)
        return topo, key
    return make


def running_xml(m) -> str:
    return m.get_config(source="running", filter=("xpath", RS_XPATH)).data_xml


def both_running(m, rs) -> str:
    """The running configuration over NETCONF and in vtysh."""
    return running_xml(m) + "\n" + rs.running_config()


def hold_running(m, rs, before: str) -> None:
    """The running configuration stays as both_running() read it."""
    rslab.hold_unchanged(lambda: both_running(m, rs), before,
                         "the running configuration")


# --------------------------------------------------------------------------


def test_hello_lists_every_module_and_get_schema_returns_it(netconf_lab):
    topo, key = netconf_lab()
    with nclab.connect(topo.rs, key) as m:
        caps = set(m.server_capabilities)
        for cap in ("urn:ietf:params:netconf:base:1.0",
                    "urn:ietf:params:netconf:base:1.1",
                    "urn:ietf:params:netconf:capability:writable-running:1.0",
                    "urn:ietf:params:netconf:capability:candidate:1.0",
                    "urn:ietf:params:netconf:capability:validate:1.1",
                    "urn:ietf:params:netconf:capability:xpath:1.0",
                    "urn:ietf:params:netconf:capability:notification:1.0"):
            assert cap in caps, sorted(caps)
        modules = {c.split("module=")[1].split("&")[0]: c for c in caps
                   if "module=" in c}
        for name in ("frr-routeserver", "frr-route-map", "frr-filter",
                     "ietf-netconf", "ietf-netconf-monitoring"):
            assert "&revision=" in modules[name], modules.get(name)
        assert m.session_id

        schema = m.get_schema("frr-routeserver").data
        assert schema.startswith("module frr-routeserver {"), schema[:200]
        assert "notification gateway-state-change" in schema
        # RFC 6022 3.1: no schema matches
        with pytest.raises(RPCError) as error:
            m.get_schema("no-such-module")
        assert error.value.tag == "invalid-value", error.value.to_dict()


def test_get_config_and_get_with_subtree_and_xpath_filters(netconf_lab):
    topo, key = netconf_lab()
    rc, out, err = topo.rs.configure("route-server max-routes-per-peer 500",
                                     "route-server branch-to-branch")
    assert rc == 0, out + err
    with nclab.connect(topo.rs, key) as m:
        full = m.get_config(source="running").data_xml
        assert "<max-routes-per-peer>500</max-routes-per-peer>" in full

        subtree = (f'<route-server xmlns="{RS_NS}"><instance><vrf>default'
                   "</vrf><branch-to-branch/></instance></route-server>")
        got = m.get_config(source="running",
                           filter=("subtree", subtree)).data_xml
        assert "<branch-to-branch>true</branch-to-branch>" in got
        assert "max-routes-per-peer" not in got

        state = m.get(filter=("xpath", ({"rs": RS_NS},
                                        "/rs:route-server/rs:state"))).data_xml
        assert "<version>" in state and "<instance>" not in state
        # config only: no state
        assert "<version>" not in running_xml(m)
        nothing = m.get_config(source="running", filter=(
            "subtree", '<nothing xmlns="urn:unknown"/>')).data_xml
        assert "route-server" not in nothing


def test_an_edit_assigns_roles_and_flips_the_exchange_at_real_peers(
        netconf_lab):
    topo, key = netconf_lab(speakers(12076, 65020))
    rs = topo.rs
    topo.wait_established(timeout=CONVERGE)
    originate_locally(rs)
    with nclab.connect(rs, key) as m:
        m.edit_config(target="running", config=instance(
            "<max-peers>16</max-peers>" + roles_xml(topo)))
        wait_table(topo, TABLE_OFF)
        m.edit_config(target="running", config=instance(
            "<branch-to-branch>true</branch-to-branch>"))
        wait_table(topo, TABLE_ON)
        assert "route-server branch-to-branch" in rs.running_config()
        assert rs.show_json("show bgp route-server json")["branchToBranch"]

        # and the other way round: vtysh's change shows over NETCONF
        rc, out, err = rs.configure("no route-server branch-to-branch")
        assert rc == 0, out + err
        wait_table(topo, TABLE_OFF)
        assert "<branch-to-branch>false</branch-to-branch>" in running_xml(m)

        # delete and remove
        nva1 = topo.peers["nva1"].addr4
        delete = instance(f'<peer xmlns:nc="{NC_NS}" nc:operation="delete">'
                          f"<neighbor>{nva1}</neighbor></peer>")
        m.edit_config(target="running", config=delete)
        rslab.hold_for(lambda: f"neighbor {nva1} route-server role"
                       not in rs.running_config(), rslab.HOLD_SECONDS,
                       f"no role for {nva1} in the running configuration")
        with pytest.raises(RPCError) as error:
            m.edit_config(target="running", config=delete)
        assert error.value.tag == "data-missing"
        m.edit_config(target="running", config=delete.replace(
            '"delete"', '"remove"'))

    rs.save_and_reboot()
    assert "route-server max-peers 16" in rs.running_config()
    # the same frr-netconfd serves the rebooted bgpd
    rs.netconfd.check_running()
    with nclab.connect(rs, key) as m:
        assert "<max-peers>16</max-peers>" in running_xml(m)


def test_a_rejected_edit_changes_nothing(netconf_lab):
    topo, key = netconf_lab()
    rs = topo.rs
    # 65517 is an ASN reserved by the cloud: no NVA may have it
    rc, out, err = rs.configure("neighbor 198.18.0.77 remote-as 65517",
                                "route-server max-peers 4")
    assert rc == 0, out + err
    with nclab.connect(rs, key) as m:
        before = both_running(m, rs)
        edits = {
            # one good change and one bad one: neither applies
            instance("<max-peers>6</max-peers>"
                     + peer_xml("198.18.0.77", "nva")): "invalid-value",
            instance("<no-such-leaf>1</no-such-leaf>"): "unknown-element",
            config('<instance xmlns="urn:wrong"><vrf>default</vrf>'
                   "</instance>"): "unknown-namespace",
            instance("<max-peers>many</max-peers>"): "invalid-value",
            instance(f'<max-peers xmlns:nc="{NC_NS}" nc:operation="create">'
                     "4</max-peers>"): "data-exists",
        }
        for edit, tag in edits.items():
            with pytest.raises(RPCError) as error:
                m.edit_config(target="running", config=edit,
                              error_option="rollback-on-error")
            assert error.value.tag == tag, (edit, error.value.to_dict())
            assert error.value.message, edit
        with pytest.raises(RPCError) as error:
            m.edit_config(target="running", config=instance(
                "<max-peers>6</max-peers>"
                + peer_xml("198.18.0.77", "nva")))
        assert "65517" in error.value.message
        hold_running(m, rs, before)

        # test-only checks without applying
        m.edit_config(target="running", test_option="test-only",
                      config=instance("<max-peers>6</max-peers>"))
        hold_running(m, rs, before)


def test_locks_keep_other_sessions_and_vtysh_out(netconf_lab):
    topo, key = netconf_lab()
    rs = topo.rs
    edit = instance("<max-peers>5</max-peers>")
    a = nclab.connect(rs, key)
    with nclab.connect(rs, key) as b:
        a.lock("running")
        with pytest.raises(RPCError) as error:
            b.lock("running")
        assert error.value.tag == "lock-denied"
        assert f"<session-id>{a.session_id}</session-id>" in error.value.info
        with pytest.raises(RPCError) as error:
            b.edit_config(target="running", config=edit)
        assert error.value.tag == "in-use"
        rc, out, err = rs.configure("route-server max-peers 7")
        assert "locked" in out + err
        a.edit_config(target="running", config=edit)
        a.unlock("running")
        b.lock("running")
        # a session's locks go with it
        b.kill_session(a.session_id)
        b.unlock("running")
        rslab.wait_until(lambda: not a.connected, 10, "the killed session to end")
    assert "route-server max-peers 5" in rs.running_config()


def test_the_candidate_applies_on_commit_only(netconf_lab):
    topo, key = netconf_lab()
    rs = topo.rs
    with nclab.connect(rs, key) as m:
        before = rs.running_config()
        m.edit_config(target="candidate",
                      config=instance("<max-peers>3</max-peers>"))
        rslab.hold_unchanged(rs.running_config, before,
                             "the running configuration")
        m.validate(source="candidate")
        m.commit()
        committed = rs.running_config()
        assert "route-server max-peers 3" in committed
        m.edit_config(target="candidate",
                      config=instance("<max-peers>2</max-peers>"))
        m.discard_changes()
        m.commit()
        rslab.hold_unchanged(rs.running_config, committed,
                             "the running configuration")


def test_a_notification_tells_a_vpn_instance_went_down(netconf_lab):
    topo, key = netconf_lab([s for s in speakers(12076, 65020)
                             if s[0].startswith("vpn")])
    rs = topo.rs
    topo.wait_established(timeout=CONVERGE)
    with nclab.connect(rs, key) as m:
        m.edit_config(target="running", config=instance(
            roles_xml(topo, ["vpn1-0", "vpn1-1"])))
        m.create_subscription()
        topo.peers["vpn1-1"].stop()
        seen = []
        deadline = time.monotonic() + CONVERGE
        while time.monotonic() < deadline:
            notif = m.take_notification(block=True, timeout=2)
            if notif is None:
                continue
            seen.append(notif.notification_xml)
            if "gateway-state-change" in seen[-1]:
                break
        text = "\n".join(seen)
        assert "<peer-session-change" in text, text
        assert "<established>false</established>" in text, text
        assert "<gateway-state-change" in text, text
        assert "<state>degraded</state>" in text, text
        assert "<previous-state>ready</previous-state>" in text, text


def test_wrong_keys_and_passwords_are_refused_and_logged(netconf_lab,
                                                         tmp_path):
    topo, key = netconf_lab()
    stranger = nclab.ClientKey(str(tmp_path), "stranger")
    with pytest.raises((AuthenticationError, SSHError)):
        nclab.connect(topo.rs, stranger)
    # no password is ever accepted, not even a user's with a key
    for user in ("root", "admin"):
        with pytest.raises((AuthenticationError, SSHError)):
            nclab.connect(topo.rs, password="guess", user=user)

    def logged():
        log = topo.rs.netconfd_log()
        return all(line in log for line in (
            'refused public key of user "admin" from 127.0.0.1',
            'refused password login of user "root" from 127.0.0.1',
            'refused password login of user "admin" from 127.0.0.1'))

    rslab.wait_until(logged, 10, "the refusals in frr-netconfd's log")
    log = topo.rs.netconfd_log()
    assert "started: user" not in log, "a refused login started a session"
    assert "127.0.0.1:830" in nclab.ss_listeners(topo.rs)
    with nclab.connect(topo.rs, key) as m:
        assert m.session_id


def test_garbage_harms_neither_bgpd_nor_the_daemon(netconf_lab):
    topo, key = netconf_lab()
    rs = topo.rs
    for junk in (os.urandom(4096), b"SSH-2.0-junk\r\n" + os.urandom(512),
                 b"\x00" * 65536):
        sock = nclab.netns_connection(rs.netns.name)
        try:
            sock.sendall(junk)
        except OSError:
            pass
        sock.close()
    with nclab.connect(rs, key) as m:
        with pytest.raises(RPCError):
            m.dispatch(to_ele('<bogus xmlns="urn:bogus"/>'))
        assert "<route-server" in m.get(filter=("xpath", RS_XPATH)).data_xml

    def both_run():
        rs.bgpd.check_running()
        rs.netconfd.check_running()
        return rs.vtysh("show version")[0] == 0

    rslab.hold_for(both_run, rslab.HOLD_SECONDS,
                   "bgpd and frr-netconfd running, bgpd answering")


def test_valgrind_bgpd_with_both_modules(netconf_lab):
    """bgpd with -M routeserver and -M nbagent under valgrind, frr-netconfd
    beside it: a NETCONF session goes through hello, get, get-config with
    filters, an edit that gives a live neighbor its role, a rejected edit,
    lock and unlock, the candidate, a notification, and close; then bgpd
    stops with no invalid access and no definite leak of ours."""
    started = time.monotonic()
    topo, key = netconf_lab([("nva1", "nva", 65001, 11, ["203.0.113.0/24"])],
                            valgrind=True)
    rs = topo.rs
    topo.wait_established(timeout=VALGRIND_WAIT)
    nva = topo.peers["nva1"].addr4
    reserved = "198.18.0.77"  # AS 65517: reserved, no NVA may have it
    rc, out, err = rs.configure(f"neighbor {reserved} remote-as 65517")
    assert rc == 0, out + err
    with nclab.connect(rs, key, timeout=VALGRIND_WAIT) as m:
        m.timeout = VALGRIND_WAIT
        session = m.session_id
        assert "urn:ietf:params:netconf:base:1.1" in m.server_capabilities
        assert any("module=frr-routeserver&" in cap
                   for cap in m.server_capabilities)

        m.edit_config(target="running", config=instance(peer_xml(nva, "nva")))
        assert f"neighbor {nva} route-server role nva" in rs.running_config()
        subtree = (f'<route-server xmlns="{RS_NS}"><instance><vrf>default'
                   "</vrf><peer/></instance></route-server>")
        got = m.get_config(source="running",
                           filter=("subtree", subtree)).data_xml
        assert f"<neighbor>{nva}</neighbor>" in got, got
        assert "<role>nva</role>" in got, got
        by_xpath = running_xml(m)
        assert f"<neighbor>{nva}</neighbor>" in by_xpath, by_xpath
        state = m.get(filter=("xpath", RS_XPATH)).data_xml
        assert "<session-state>Established</session-state>" in state, state
        assert "<version>" in state, state

        before = both_running(m, rs)
        with pytest.raises(RPCError) as error:
            m.edit_config(target="running",
                          config=instance(peer_xml(reserved, "nva")))
        assert error.value.tag == "invalid-value", error.value.to_dict()
        assert "65517" in error.value.message
        hold_running(m, rs, before)

        m.lock("running")
        m.unlock("running")
        m.edit_config(target="candidate",
                      config=instance("<max-peers>9</max-peers>"))
        m.commit()
        assert "route-server max-peers 9" in rs.running_config()
        m.create_subscription()
        rc, out, err = rs.vtysh(f"clear bgp {nva}")
        assert rc == 0, out + err
        notif = m.take_notification(block=True, timeout=VALGRIND_WAIT)
        assert notif is not None, "no notification"
        assert "<peer-session-change" in notif.notification_xml
    rslab.wait_until(lambda: f"session {session} ended: user admin from "
                     "127.0.0.1" in rs.netconfd_log(), VALGRIND_WAIT,
                     "frr-netconfd to end the closed session")
    rs.netconfd.check_running()

    rslab.assert_clean_under_valgrind(rs, started=started)

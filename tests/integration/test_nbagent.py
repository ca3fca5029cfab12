"""The northbound agent (bgpd -M nbagent) driven by nbaclient over its Unix
socket: modules and schemas, get, the candidate's edit, validate, commit
and discard, the running lock against other connections and vtysh,
notifications, malformed input, stalled and surplus connections, and bgpd
under valgrind."""

import grp
import os
import pwd
import stat
import struct
import time

import pytest

import nbaclient
import rslab
from nbaclient import Client, NbaError

RS_NS = "urn:frr-routeserver:yang:frr-routeserver"
RS_XPATH = "/frr-routeserver:route-server"
NVA = ("nva1", "nva", 65001, 11, ["203.0.113.0/24"])
RESERVED = "198.18.0.77"  # given AS 65517: reserved, no NVA may have it
STALL = 2  # the agent's stall timeout in these tests, seconds
VALGRIND_WAIT = 90


def agent_socket(rs: rslab.RouteServer) -> str:
    return rs.path("nbagent.sock")


def load_agent(rs: rslab.RouteServer) -> None:
    """Give bgpd `-M nbagent` with its socket in the route server's
    directory (next to its vty sockets)."""
    argv_without = rs.bgpd_argv

    def argv():
        argv = argv_without()
        at = argv.index("-f")
        options = f"socket={agent_socket(rs)},timeout={STALL},debug"
        return argv[:at] + ["-M", f"nbagent:{options}"] + argv[at:]

    rs.bgpd_argv = argv


def connect(rs: rslab.RouteServer, timeout: float = 10) -> Client:
    return Client(agent_socket(rs), timeout)


def wait_agent(rs: rslab.RouteServer, timeout: float = 20) -> None:
    def answers():
        with connect(rs) as c:
            return c.modules()

    rslab.wait_until(answers, timeout, "the agent to answer")


@pytest.fixture
def agent_lab(topology_factory):
    """make(peers=(), valgrind=False) -> a started topology whose bgpd
    runs the agent, with a neighbor of reserved AS RESERVED configured."""
    def make(peers=(), valgrind=False):
        topo = topology_factory(peers, start=False, valgrind=valgrind)
        load_agent(topo.rs)
        topo.start()
        wait_agent(topo.rs, VALGRIND_WAIT if valgrind else 20)
        rc, out, err = topo.rs.configure(f"neighbor {RESERVED} remote-as 65517")
        assert rc == 0, out + err
        return topo
    return make


def instance(body: str) -> str:
    return (f'<route-server xmlns="{RS_NS}"><instance><vrf>default</vrf>'
            f"{body}</instance></route-server>")


def role(neighbor: str, name: str = "nva") -> str:
    return f"<peer><neighbor>{neighbor}</neighbor><role>{name}</role></peer>"


def assert_closed_alone(victim: Client, witness: Client,
                        rs: rslab.RouteServer, timeout: float) -> None:
    """The agent closed victim; witness still works and bgpd runs."""
    assert victim.closed_by_agent(timeout), "the agent kept the connection"
    victim.close()
    assert "frr-routeserver" in witness.modules()
    rs.bgpd.check_running()


# --------------------------------------------------------------------------


def test_socket_modules_and_schemas(agent_lab):
    topo = agent_lab()
    st = os.stat(agent_socket(topo.rs))
    assert stat.S_ISSOCK(st.st_mode)
    assert stat.S_IMODE(st.st_mode) == 0o660, oct(st.st_mode)
    assert (st.st_uid, st.st_gid) == (pwd.getpwnam("frr").pw_uid,
                                      grp.getgrnam("frr").gr_gid)
    with connect(topo.rs) as c:
        modules = c.modules()
        revision, namespace = modules["frr-routeserver"]
        assert namespace == RS_NS
        assert revision, modules
        for name in ("frr-route-map", "frr-filter", "frr-interface"):
            assert modules[name][0], (name, modules[name])

        yang = c.get_schema("frr-routeserver")
        assert yang.startswith("module frr-routeserver {"), yang[:200]
        assert "notification peer-session-change" in yang
        assert c.get_schema("frr-routeserver", revision) == yang
        yin = c.get_schema("frr-routeserver", yin=True)
        assert '<module name="frr-routeserver"' in yin, yin[:300]
        with pytest.raises(NbaError) as error:
            c.get_schema("no-such-module")
        assert error.value.status == nbaclient.ERR_NOT_FOUND
        assert "no-such-module" in error.value.message


def test_get_config_and_state(agent_lab):
    topo = agent_lab()
    rc, out, err = topo.rs.configure("route-server max-routes-per-peer 500")
    assert rc == 0, out + err
    rc, out, err = topo.rs.configure("route-map OPS permit 10", router=False)
    assert rc == 0, out + err
    with connect(topo.rs) as c:
        config = c.get(RS_XPATH)
        assert config.startswith(f'<route-server xmlns="{RS_NS}">'), config
        assert "<max-routes-per-peer>500</max-routes-per-peer>" in config
        assert "<version>" not in config

        state = c.get(RS_XPATH, config=False, state=True)
        assert "<version>" in state, state
        assert "max-routes-per-peer" not in state

        both = c.get(RS_XPATH, state=True)
        assert "<version>" in both and "<max-routes-per-peer>500" in both

        nested = c.get(f"{RS_XPATH}/instance[vrf='default']/max-routes-per-peer")
        assert "<instance>" in nested and "<vrf>default</vrf>" in nested
        assert "<max-routes-per-peer>500" in nested

        everything = c.get("")
        assert "<max-routes-per-peer>500" in everything
        assert "<name>OPS</name>" in everything, everything
        assert "<version>" in c.get("", config=False, state=True)

        with pytest.raises(NbaError) as error:
            c.get("/frr-routeserver:route-server[")
        assert error.value.status == nbaclient.ERR_INVALID
        assert error.value.message
        assert "<max-routes-per-peer>500" in c.get(RS_XPATH)


def test_edit_validate_commit_reach_running(agent_lab):
    topo = agent_lab([NVA])
    rs = topo.rs
    nva = topo.peers["nva1"].addr4
    before = rs.running_config()
    with connect(rs) as c:
        c.edit(instance("<branch-to-branch>true</branch-to-branch>" +
                        role(nva)))
        c.validate()
        rslab.hold_unchanged(rs.running_config, before,
                             "the running configuration before the commit")
        c.commit("give nva1 its role")
        running = rs.running_config()
        assert f"neighbor {nva} route-server role nva" in running, running
        assert "route-server branch-to-branch" in running, running
        assert "<role>nva</role>" in c.get(RS_XPATH)

        # an edit left uncommitted is discarded, and commits nothing
        c.edit(instance("<max-peers>3</max-peers>"))
        c.discard()
        c.commit()
        assert "max-peers" not in rs.running_config()

        # replace: the tree becomes the whole candidate
        whole = c.get("")
        assert "<branch-to-branch>true</branch-to-branch>" in whole
        c.edit(whole.replace("<branch-to-branch>true</branch-to-branch>", ""),
               replace=True)
        c.commit()
        running = rs.running_config()
        assert "route-server branch-to-branch" not in running, running
        assert f"neighbor {nva} route-server role nva" in running, running


def test_rejected_edit_answers_the_error_and_changes_nothing(agent_lab):
    topo = agent_lab()
    rs = topo.rs
    with connect(rs) as c:
        before = rs.running_config() + c.get(RS_XPATH)
        c.edit(instance(role(RESERVED)))
        for step in (c.validate, c.commit):
            with pytest.raises(NbaError) as error:
                step()
            assert error.value.status == nbaclient.ERR_VALIDATION
            assert "65517" in error.value.message, error.value.message
            assert "reserved ASN" in error.value.message, error.value.message
        rslab.hold_unchanged(lambda: rs.running_config() + c.get(RS_XPATH),
                             before, "the running configuration")

        with pytest.raises(NbaError) as error:
            c.edit('<route-server xmlns="urn:nowhere"/>')
        assert error.value.status == nbaclient.ERR_INVALID
        with pytest.raises(NbaError) as error:
            c.edit(instance("<no-such-leaf>1</no-such-leaf>"))
        assert error.value.status == nbaclient.ERR_INVALID
        c.discard()
        c.commit()
        assert rs.running_config() + c.get(RS_XPATH) == before
    assert "libyang" not in rs.log_text(), "a client's error was logged"


def test_an_edit_naming_a_key_twice_is_refused_before_it_is_parsed(agent_lab):
    """libyang 3's parser with the schema crashed bgpd on list entries like
    these (each names its key twice), sorted in beside each other."""
    topo = agent_lab()
    rs = topo.rs
    keys = [(1, 0), (0, 3), (4, 0), (3, 2, 1), (0, 2)]
    peers = "".join(
        "<peer>" + "".join(f"<neighbor>198.18.9.{k}</neighbor>" for k in ks)
        + "<role>nva</role></peer>" for ks in keys)
    with connect(rs) as c:
        before = rs.running_config() + c.get(RS_XPATH)
        with pytest.raises(NbaError) as error:
            c.edit(instance(peers))
        assert error.value.status == nbaclient.ERR_INVALID
        assert error.value.message == \
            'the list entry "peer" repeats its key "neighbor"', \
            error.value.message
        c.commit()
        assert rs.running_config() + c.get(RS_XPATH) == before
    rs.bgpd.check_running()
    assert "libyang" not in rs.log_text(), "a client's error was logged"


def test_lock_keeps_other_connections_and_vtysh_out(agent_lab):
    topo = agent_lab()
    rs = topo.rs
    holder, other = connect(rs), connect(rs)
    try:
        holder.lock()
        holder.lock()  # holding it already is fine
        with pytest.raises(NbaError) as error:
            other.lock()
        assert error.value.status == nbaclient.ERR_LOCKED
        with pytest.raises(NbaError) as error:
            other.unlock()
        assert error.value.status == nbaclient.ERR_NOT_HELD

        other.edit(instance("<max-peers>5</max-peers>"))
        with pytest.raises(NbaError) as error:
            other.commit()
        assert error.value.status == nbaclient.ERR_LOCKED
        assert "locked" in error.value.message
        rc, out, err = rs.configure("route-server max-peers 7")
        assert "locked" in out + err, (rc, out, err)
        assert "max-peers" not in rs.running_config()

        holder.edit(instance("<max-peers>6</max-peers>"))
        holder.commit()
        assert "route-server max-peers 6" in rs.running_config()

        # the lock goes with the connection
        holder.close()
        other.discard()
        other.edit(instance("<max-peers>5</max-peers>"))
        rslab.wait_until(lambda: not _commit_refused(other), 5,
                         "the closed connection's lock to go")
        assert "route-server max-peers 5" in rs.running_config()
        rc, out, err = rs.configure("route-server max-peers 7")
        assert rc == 0 and "locked" not in out + err, out + err
    finally:
        holder.close()
        other.close()


def _commit_refused(c: Client) -> bool:
    try:
        c.commit()
    except NbaError as error:
        if error.status == nbaclient.ERR_LOCKED:
            return True
        raise
    return False


def test_commit_of_an_outdated_candidate_is_refused(agent_lab):
    topo = agent_lab()
    rs = topo.rs
    with connect(rs) as early, connect(rs) as late:
        early.edit(instance("<max-peers>4</max-peers>"))
        late.edit(instance("<max-peers>5</max-peers>"))
        late.commit()
        with pytest.raises(NbaError) as error:
            early.commit()
        assert error.value.status == nbaclient.ERR_OUTDATED
        early.discard()
        early.edit(instance("<max-peers>4</max-peers>"))
        early.commit()
        assert "route-server max-peers 4" in rs.running_config()


def test_notification_when_a_role_peer_session_changes(agent_lab):
    topo = agent_lab([NVA])
    rs = topo.rs
    topo.wait_established(timeout=60)
    nva = topo.peers["nva1"].addr4
    with connect(rs) as listener, connect(rs) as bystander:
        bystander.edit(instance(role(nva)))
        bystander.commit()
        listener.subscribe()
        rc, out, err = rs.vtysh(f"clear bgp {nva}")
        assert rc == 0, out + err
        xml, eventtime = listener.wait_notification(timeout=30)
        assert xml.startswith(f'<peer-session-change xmlns="{RS_NS}">'), xml
        assert f"<neighbor>{nva}</neighbor>" in xml, xml
        assert "<role>nva</role>" in xml, xml
        assert "<established>false</established>" in xml, xml
        assert eventtime[:4].isdigit() and "T" in eventtime, eventtime

        xml, _ = listener.wait_notification(timeout=60)
        assert "<established>true</established>" in xml, xml
        # nothing for a connection that did not subscribe
        bystander.modules()
        assert bystander.notifications == []


def test_malformed_input_closes_only_that_connection(agent_lab):
    topo = agent_lab()
    rs = topo.rs
    header = nbaclient.HEADER
    bad_inputs = {
        "garbage": b"\x00\x00\x00\x02GARBAGE GARBAGE!",
        "oversized header": header.pack(0xFFFFFFFF, 1, nbaclient.GET, 1, 1, 0),
        "just over the limit": header.pack(nbaclient.FRAME_MAX - 15, 1,
                                           nbaclient.GET, 1, 1, 0),
        "fields past the body": header.pack(6, 1, nbaclient.GET, 1, 1, 0) +
        struct.pack(">I", 100) + b"ab",
    }
    with connect(rs) as witness:
        for what, data in bad_inputs.items():
            victim = connect(rs)
            victim.send_raw(data)
            assert victim.closed_by_agent(5), what
            victim.close()
            assert "frr-routeserver" in witness.modules(), what

        # answered, not closed: an unknown operation, wrong fields, a NUL
        with connect(rs) as c:
            for op, fields, flags, status in (
                    (99, [], 0, nbaclient.ERR_UNKNOWN_OP),
                    (nbaclient.GET, [], nbaclient.GET_CONFIG,
                     nbaclient.ERR_INVALID),
                    (nbaclient.GET, [RS_XPATH], 0, nbaclient.ERR_INVALID),
                    (nbaclient.GET, [RS_XPATH + "\0"], nbaclient.GET_CONFIG,
                     nbaclient.ERR_INVALID)):
                reply = c.request(op, fields, flags)
                assert reply.status == status, (op, reply.status,
                                                reply.fields)
                assert reply.fields and reply.fields[0]
            assert "frr-routeserver" in c.modules()

        # a frame begun and never finished
        truncated = connect(rs)
        truncated.send_raw(nbaclient.encode(nbaclient.GET, [RS_XPATH],
                                            nbaclient.GET_CONFIG)[:20])
        time.sleep(STALL / 2)
        assert "frr-routeserver" in witness.modules()
        assert_closed_alone(truncated, witness, rs, STALL + 5)

        # an idle connection between frames is kept
        idle = connect(rs)
        time.sleep(STALL + 1)
        assert "frr-routeserver" in idle.modules()
        idle.close()

        # a client that sends requests and reads no reply
        deaf = connect(rs)
        request = nbaclient.encode(nbaclient.GET, [""], nbaclient.GET_CONFIG
                                   | nbaclient.GET_STATE, 1)
        deaf.send_raw(request * 2000)
        time.sleep(STALL + 2)
        assert "frr-routeserver" in witness.modules()
        assert_closed_alone(deaf, witness, rs, 10)


def test_seventeenth_connection_is_refused(agent_lab):
    topo = agent_lab()
    rs = topo.rs
    clients = [connect(rs) for _ in range(16)]
    try:
        for c in clients:
            assert "frr-routeserver" in c.modules()
        extra = connect(rs)
        assert extra.closed_by_agent(5), "a 17th connection was served"
        extra.close()
        for c in clients:
            assert "frr-routeserver" in c.modules()
        clients.pop().close()

        def another():
            with connect(rs, timeout=2) as c:
                return c.modules()

        rslab.wait_until(another, 5, "a connection once one closed")
    finally:
        for c in clients:
            c.close()


def test_valgrind_bgpd_with_the_agent(agent_lab):
    """bgpd with -M routeserver and -M nbagent under valgrind: every
    operation, a rejected commit, malformed and surplus connections, a lock
    left to the connection's close; then no invalid access and no definite
    leak in the agent."""
    started = time.monotonic()
    topo = agent_lab([NVA], valgrind=True)
    rs = topo.rs
    topo.wait_established(timeout=VALGRIND_WAIT)
    nva = topo.peers["nva1"].addr4
    with connect(rs, VALGRIND_WAIT) as c, connect(rs, VALGRIND_WAIT) as d:
        c.subscribe()
        assert "frr-routeserver" in c.modules()
        assert c.get_schema("frr-routeserver")
        c.lock()
        c.edit(instance(role(nva)))
        c.validate()
        c.commit()
        assert "<session-state>" in c.get(RS_XPATH, state=True)
        c.edit(instance(role(RESERVED)))
        with pytest.raises(NbaError):
            c.commit()
        c.edit(c.get(""), replace=True)
        c.discard()
        with pytest.raises(NbaError):
            d.lock()
        rc, out, err = rs.vtysh(f"clear bgp {nva}")
        assert rc == 0, out + err
        c.wait_notification(VALGRIND_WAIT)
        garbage = connect(rs, VALGRIND_WAIT)
        garbage.send_raw(b"\xff" * 16)
        assert garbage.closed_by_agent(VALGRIND_WAIT)
        garbage.close()
        pending = connect(rs, VALGRIND_WAIT)
        pending.send_raw(nbaclient.encode(nbaclient.MODULES, id_=1) * 50)
        pending.close()
    surplus = [connect(rs, VALGRIND_WAIT) for _ in range(17)]
    assert surplus[-1].closed_by_agent(VALGRIND_WAIT)
    for s in surplus:
        s.close()

    def lock_once_closed():
        with connect(rs, VALGRIND_WAIT) as e:
            e.lock()
            return True

    rslab.wait_until(lock_once_closed, VALGRIND_WAIT,
                     "the closed connection's lock to go")

    rslab.assert_clean_under_valgrind(rs, is_ours=agent_frame,
                                      started=started)


def agent_frame(record: list[str]) -> bool:
    """A valgrind record with a frame in the agent or its source."""
    return rslab.ours(record) or any(
        "bgpd_nbagent.so" in ln or "frr-module/nbagent/" in ln or
        " nba_" in ln for ln in record[1:])

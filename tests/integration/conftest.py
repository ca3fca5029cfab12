"""pytest fixtures for the integration tests: route servers and topologies
in network namespaces of their own, always torn down by PID (see rslab.py).

Run as root, with Debian's frr, gobgpd and bird2 installed:

    RS_MODULEDIR=build/.libs RS_VTYSH=build/vtysh/vtysh \\
        /usr/bin/python3 -m pytest -v tests/integration

Without those variables the installed module and /usr/bin/vtysh are tested.
"""

import os
import shutil
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import rslab  # noqa: E402

RS_ASN = 65515


def _prerequisites() -> list[str]:
    problems = []
    if os.geteuid() != 0:
        problems.append("must run as root (network namespaces, FRR daemons)")
    so = os.path.join(rslab.moduledir(), rslab.MODULE_FILE)
    if not os.path.isfile(so):
        problems.append(f"no module {so} (set RS_MODULEDIR)")
    if not os.access(rslab.vtysh_path(), os.X_OK):
        problems.append(f"no vtysh {rslab.vtysh_path()} (set RS_VTYSH)")
    for exe in ("/usr/lib/frr/zebra", "/usr/lib/frr/bgpd"):
        if not os.access(exe, os.X_OK):
            problems.append(f"no {exe} (apt-get install frr)")
    for exe in ("gobgpd", "gobgp", "bird", "ip"):
        if shutil.which(exe) is None:
            problems.append(f"no {exe} on PATH")
    return problems


@pytest.fixture(scope="session", autouse=True)
def lab_environment():
    problems = _prerequisites()
    if problems:
        pytest.fail("integration tests cannot run: " + "; ".join(problems),
                    pytrace=False)
    removed = rslab.cleanup_leftovers()
    if removed:
        print(f"removed leftover namespaces of dead runs: {removed}")
    print(f"module dir: {rslab.moduledir()}  vtysh: {rslab.vtysh_path()}")
    yield


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, "rep_" + rep.when, rep)


def _failed(request) -> bool:
    node = request.node
    return any(getattr(node, f"rep_{w}", None) is not None
               and getattr(node, f"rep_{w}").failed
               for w in ("setup", "call"))


@pytest.fixture
def topology_factory(request):
    """make(peers=[(name, role, asn, host, prefixes)], valgrind=False,
    start=True, route_servers=1) -> a Topology, stopped and removed after
    the test."""
    made = []

    def make(peers=(), valgrind=False, start=True, rs_asn=RS_ASN,
             route_servers=1):
        topo = rslab.Topology(rs_asn=rs_asn, valgrind=valgrind,
                              route_servers=route_servers)
        made.append(topo)
        for name, role, asn, host, prefixes in peers:
            topo.add_peer(name, role, asn, host, prefixes)
        if start:
            topo.start()
        return topo

    yield make
    errors = []
    for topo in reversed(made):
        if _failed(request):
            print(topo.diagnostics())
        try:
            topo.stop()
        except Exception as exc:  # noqa: BLE001 - stop the others too
            errors.append(exc)
    if errors:
        raise errors[0]


@pytest.fixture
def route_server(topology_factory):
    """A running route server (zebra + bgpd with the module), no peers."""
    return topology_factory().rs

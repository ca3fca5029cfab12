"""A model-based randomized test of the route server: a seeded random
sequence of events (branch-to-branch and allow-unclassified flips, roles
given and taken, sessions down and up, neighbors deleted and added again,
routes announced, re-announced with NO_ADVERTISE and withdrawn, local
networks added and removed), and after each one every peer must hold
exactly the routes an independent model of the product's rules predicts,
and keep holding them.

    RS_MODEL_SEED   the seed (default: a random one, printed)
    RS_MODEL_STEPS  how many events (default 300; tests/soak runs 10,000)
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import os
import random
import time
from typing import Callable

import pytest

import rslab

CONVERGE = 30  # seconds an event may take to reach every peer
STABLE = 1.0  # seconds every peer must then keep the model's routes
STABLE_SAMPLES = 3  # looks over that second after the first equal one
DEFAULT_STEPS = 300

FAMILIES = ("ipv4", "ipv6")


# --------------------------------------------------------------------------
# the assumption the model makes about routes from neighbors without a role


def unclassified_route_reaches(receiver_exchanging: bool,
                               allow_unclassified: bool) -> bool:
    """Whether a route from a neighbor without a role reaches a peer with a
    role: only with `route-server allow-unclassified` (fail closed), and
    then only a peer that takes part in the exchange (a VPN gateway that is
    not active-active gets none of it)."""
    return allow_unclassified and receiver_exchanging


# --------------------------------------------------------------------------
# the speakers


NVA = "nva"
EXPRESSROUTE = "expressroute-gateway"
VPN = "vpn-gateway"


@dataclasses.dataclass(frozen=True)
class Role:
    kind: str
    gateway: str | None = None
    instance: int | None = None

    def cli(self) -> str:
        """The role as `neighbor X route-server role` takes it."""
        words = [self.kind]
        if self.gateway is not None:
            words.append(self.gateway)
        if self.instance is not None:
            words += ["instance", str(self.instance)]
        return " ".join(words)

    def same_gateway(self, other: Role) -> bool:
        return self.kind != NVA and (self.kind, self.gateway) == \
            (other.kind, other.gateway)


@dataclasses.dataclass(frozen=True)
class SpeakerSpec:
    name: str
    asn: int
    host: int
    roles: tuple[Role, ...]  # the roles it may be given, the first at start
    role_at_start: bool = True

    def pool(self) -> list[str]:
        """The prefixes it may announce, its first one per family at start."""
        h = self.host
        return [f"10.{h}.0.0/16", f"2001:db8:{h}::/48",
                f"10.{h}.1.0/24", f"10.{h}.2.0/24",
                f"2001:db8:{h}:1::/64", f"2001:db8:{h}:2::/64"]

    def initial_prefixes(self) -> list[str]:
        return self.pool()[:2]


SPEAKERS = [
    SpeakerSpec("nva1", 65001, 11, (Role(NVA),)),
    SpeakerSpec("nva2", 65002, 12, (Role(NVA),)),
    SpeakerSpec("nva3", 65003, 13, (Role(NVA),)),
    SpeakerSpec("er1", 64600, 21, (Role(EXPRESSROUTE, "er1"),)),
    SpeakerSpec("er2", 64601, 22, (Role(EXPRESSROUTE, "er2"),)),
    SpeakerSpec("vpn1-0", 65020, 31, (Role(VPN, "vpn1", 0),)),
    SpeakerSpec("vpn1-1", 65020, 32, (Role(VPN, "vpn1", 1),)),
    # without a role at start; later perhaps a role of its own, or a second
    # neighbor of a gateway the others already belong to
    SpeakerSpec("extra", 65030, 41, (
        Role(NVA), Role(EXPRESSROUTE, "er1"), Role(EXPRESSROUTE, "er2"),
        Role(VPN, "vpn1", 0), Role(VPN, "vpn1", 1), Role(VPN, "vpn2", 0)),
        role_at_start=False),
]
SPEC = {s.name: s for s in SPEAKERS}

LOCAL_AT_START = ["10.100.0.0/16", "2001:db8:100::/48"]
LOCAL_OPTIONAL = ["10.100.1.0/24", "2001:db8:100:1::/64"]

NeighborKey = tuple[str, str]  # (speaker, family)


def neighbor_keys(speaker: str) -> list[NeighborKey]:
    """The speaker's neighbors at the route server, one per family."""
    return [(speaker, family) for family in FAMILIES]


# --------------------------------------------------------------------------
# the model


@dataclasses.dataclass
class Neighbor:
    configured: bool = True
    shutdown: bool = False
    role: Role | None = None

    def __str__(self) -> str:
        state = ("deleted" if not self.configured else
                 "shutdown" if self.shutdown else "enabled")
        return f"{state}, {self.role.cli() if self.role else 'no role'}"


class Model:
    """What the route server is told, and which routes every peer must
    hold from it as a consequence."""

    def __init__(self):
        self.branch_to_branch = False
        self.allow_unclassified = False
        self.local = set(LOCAL_AT_START)
        self.running = {s.name: True for s in SPEAKERS}
        self.neighbors: dict[NeighborKey, Neighbor] = {
            (s.name, fam): Neighbor() for s in SPEAKERS for fam in FAMILIES}
        # {speaker: {prefix: carries NO_ADVERTISE}}
        self.announced = {s.name: dict.fromkeys(s.initial_prefixes(), False)
                          for s in SPEAKERS}

    def session_up(self, key: NeighborKey) -> bool:
        n = self.neighbors[key]
        return n.configured and not n.shutdown and self.running[key[0]]

    def vpn_instance_holder(self, role: Role) -> str | None:
        """The speaker one of whose neighbors holds role, if a VPN
        instance (validation lets no other speaker take it)."""
        if role.kind != VPN:
            return None
        for (speaker, _), n in self.neighbors.items():
            if n.role == role:
                return speaker
        return None

    def active_active(self, gateway: str) -> bool:
        instances = {n.role.instance for n in self.neighbors.values()
                     if n.role and n.role.kind == VPN
                     and n.role.gateway == gateway}
        return instances == {0, 1}

    def exchanging(self, role: Role) -> bool:
        return role.kind != VPN or self.active_active(role.gateway)

    def reaches_role_peer(self, source: Role | None, receiver: Role) -> bool:
        """Whether a route from a neighbor with role source (None: without
        one) reaches a peer with role receiver: from NVA to NVA always;
        between the NVA and the gateway side and between gateways only
        with branch-to-branch; never within one gateway, nor to or from a
        VPN gateway that is not active-active."""
        if source is None:
            return unclassified_route_reaches(self.exchanging(receiver),
                                              self.allow_unclassified)
        if not (self.exchanging(source) and self.exchanging(receiver)):
            return False
        if source.same_gateway(receiver):
            return False
        if source.kind == receiver.kind == NVA:
            return True
        return self.branch_to_branch

    def routes_of(self, speaker: str, family: str,
                  to_role_peer: bool) -> set[str]:
        """What the speaker announces in family that may reach the
        receiver.  A route with NO_ADVERTISE reaches no role peer; bgpd
        passes it between route-server clients, which every neighbor of
        the lab is by its configuration (rslab), so a receiver without a
        role gets it."""
        return {p for p, no_advertise in self.announced[speaker].items()
                if rslab.family_of(p) == family and
                not (no_advertise and to_role_peer)}

    def holds(self, receiver: str) -> set[str]:
        """The prefixes the speaker receiver holds from the route server:
        over each session of its that is up, the local routes and the
        routes of the other sources whose sessions are up, all of them for
        a neighbor without a role (bgpd's own rules), else those its role
        lets in; none with its own AS in the AS path."""
        out = set()
        for family in FAMILIES:
            key = (receiver, family)
            if not self.session_up(key):
                continue
            role = self.neighbors[key].role
            out |= {p for p in self.local if rslab.family_of(p) == family}
            for source in SPEAKERS:
                skey = (source.name, family)
                if source.name == receiver or not self.session_up(skey):
                    continue
                if source.asn == SPEC[receiver].asn:
                    continue  # the receiver drops it: its own AS in the path
                if role is None or self.reaches_role_peer(
                        self.neighbors[skey].role, role):
                    out |= self.routes_of(source.name, family,
                                          role is not None)
        return out

    def tables(self) -> dict[str, set[str]]:
        """{speaker: prefixes it holds}, for every speaker that runs."""
        return {s.name: self.holds(s.name) for s in SPEAKERS
                if self.running[s.name]}

    def describe(self) -> str:
        lines = [f"branch-to-branch {self.branch_to_branch}, "
                 f"allow-unclassified {self.allow_unclassified}, "
                 f"local {sorted(self.local)}"]
        for s in SPEAKERS:
            gobgpd = "running" if self.running[s.name] else "stopped"
            neighbors = [f"{family} {self.neighbors[(s.name, family)]}"
                         for family in FAMILIES]
            lines.append(f"  {s.name}: gobgpd {gobgpd}; {'; '.join(neighbors)}"
                         f"; announces {self.announced[s.name]}")
        return "\n".join(lines)


# --------------------------------------------------------------------------
# the system: the route server and the speakers, told what the model is


class Lab:
    """The route server and the speakers, each method one thing done to
    them."""

    def __init__(self, topo: rslab.Topology):
        self.topo = topo
        self.rs = topo.rs

    def configure(self, *lines: str) -> None:
        rc, out, err = self.rs.configure(*lines)
        if rc != 0:
            raise rslab.LabError(f"configure {lines} failed ({rc}): "
                                 f"{out}{err}")

    def address(self, key: NeighborKey) -> str:
        peer = self.topo.peers[key[0]]
        return peer.addr4 if key[1] == "ipv4" else peer.addr6

    def set_role(self, keys: list[NeighborKey], role: Role) -> None:
        self.configure(*(f"neighbor {self.address(k)} route-server role "
                         f"{role.cli()}" for k in keys))

    def remove_role(self, keys: list[NeighborKey]) -> None:
        self.configure(*(f"no neighbor {self.address(k)} route-server role"
                         for k in keys))

    def shutdown(self, key: NeighborKey, down: bool) -> None:
        no = "" if down else "no "
        self.configure(f"{no}neighbor {self.address(key)} shutdown")

    def delete_neighbors(self, keys: list[NeighborKey]) -> None:
        self.configure(*(f"no neighbor {self.address(k)}" for k in keys))

    def add_neighbors(self, keys: list[NeighborKey]) -> None:
        """As RouteServer.generate_bgpd_conf configures them at start."""
        lines = []
        for key in keys:
            peer = self.topo.peers[key[0]]
            addr = self.address(key)
            lines += [f"neighbor {addr} remote-as {peer.asn}",
                      f"neighbor {addr} description {peer.name}:{peer.role}",
                      f"neighbor {addr} timers 3 9",
                      f"neighbor {addr} timers connect 2",
                      f"address-family {key[1]} unicast",
                      f"neighbor {addr} activate",
                      f"neighbor {addr} route-server-client",
                      "exit-address-family"]
        self.configure(*lines)

    def local_network(self, prefix: str, add: bool) -> None:
        no = "" if add else "no "
        self.configure(f"address-family {rslab.family_of(prefix)} unicast",
                       f"{no}network {prefix}", "exit-address-family")

    def stop_speaker(self, name: str) -> None:
        self.topo.peers[name].stop()

    def start_speaker(self, name: str, announced: dict[str, bool]) -> None:
        """gobgpd again, announcing what it did before it stopped: the
        plain prefixes as it starts, those with NO_ADVERTISE then."""
        peer = self.topo.peers[name]
        peer.prefixes = [p for p, no_adv in announced.items() if not no_adv]
        peer.start()
        for prefix, no_advertise in announced.items():
            if no_advertise:
                self.announce(name, prefix, True)

    def announce(self, name: str, prefix: str, no_advertise: bool) -> None:
        attrs = ("community", "no-advertise") if no_advertise else ()
        self.topo.peers[name].originate(prefix, *attrs, remember=False)

    def withdraw(self, name: str, prefix: str) -> None:
        self.topo.peers[name].withdraw(prefix)

    def holdings(self, names) -> dict[str, set[str]]:
        """{speaker: prefixes it holds from the route server}, asked of all
        of them at once."""
        names = list(names)
        with concurrent.futures.ThreadPoolExecutor(len(names) or 1) as pool:
            held = pool.map(lambda n: self.topo.peers[n].received(), names)
            return dict(zip(names, held))


# --------------------------------------------------------------------------
# events: what the system is told, and what changes in the model


@dataclasses.dataclass
class Event:
    text: str
    act: Callable[[Lab], None]
    change: Callable[[], None]


def named(keys: list[NeighborKey]) -> str:
    return ", ".join(f"{speaker} {family}" for speaker, family in keys)


def some(rng: random.Random, keys: list[NeighborKey]) -> list[NeighborKey]:
    """All of keys, or (one time in five) one of them."""
    if len(keys) > 1 and rng.random() < 0.2:
        return [rng.choice(keys)]
    return keys


def flip_setting(model: Model, attribute: str, command: str) -> Event:
    """Turns an instance's boolean setting (a Model attribute, the
    `route-server COMMAND` line) the other way."""
    on = not getattr(model, attribute)
    line = ("" if on else "no ") + f"route-server {command}"
    return Event(line, lambda lab: lab.configure(line),
                 lambda: setattr(model, attribute, on))


def flip_branch_to_branch(rng: random.Random, model: Model) -> Event:
    return flip_setting(model, "branch_to_branch", "branch-to-branch")


def flip_allow_unclassified(rng: random.Random, model: Model) -> Event:
    return flip_setting(model, "allow_unclassified", "allow-unclassified")


def roles_free_for(model: Model, speaker: str) -> list[Role]:
    """The roles the speaker may take now: the one its other neighbor has,
    else any of its roles whose VPN instance no other speaker holds."""
    held = {model.neighbors[k].role for k in neighbor_keys(speaker)}
    held.discard(None)
    if held:
        return list(held)
    return [r for r in SPEC[speaker].roles
            if model.vpn_instance_holder(r) in (None, speaker)]


def assign_role(rng: random.Random, model: Model) -> Event | None:
    candidates = []
    for s in SPEAKERS:
        keys = [k for k in neighbor_keys(s.name)
                if model.neighbors[k].configured
                and model.neighbors[k].role is None]
        roles = roles_free_for(model, s.name)
        if keys and roles:
            candidates.append((keys, roles))
    if not candidates:
        return None
    keys, roles = rng.choice(candidates)
    keys, role = some(rng, keys), rng.choice(roles)

    def change():
        for k in keys:
            model.neighbors[k].role = role
    return Event(f"{named(keys)}: role {role.cli()}",
                 lambda lab: lab.set_role(keys, role), change)


def remove_role(rng: random.Random, model: Model,
                kinds=(NVA, EXPRESSROUTE, VPN)) -> Event | None:
    candidates = []
    for s in SPEAKERS:
        keys = [k for k in neighbor_keys(s.name)
                if model.neighbors[k].role
                and model.neighbors[k].role.kind in kinds]
        if keys:
            candidates.append(keys)
    if not candidates:
        return None
    keys = some(rng, rng.choice(candidates))

    def change():
        for k in keys:
            model.neighbors[k].role = None
    return Event(f"{named(keys)}: no role", lambda lab: lab.remove_role(keys),
                 change)


def remove_gateway_instance(rng: random.Random, model: Model) -> Event | None:
    return remove_role(rng, model, kinds=(VPN,))


def stop_speaker(rng: random.Random, model: Model) -> Event | None:
    names = [s.name for s in SPEAKERS if model.running[s.name]]
    if not names:
        return None
    name = rng.choice(names)

    def change():
        model.running[name] = False
    return Event(f"stop gobgpd {name}", lambda lab: lab.stop_speaker(name),
                 change)


def start_speaker(rng: random.Random, model: Model) -> Event | None:
    names = [s.name for s in SPEAKERS if not model.running[s.name]]
    if not names:
        return None
    name = rng.choice(names)
    announced = dict(model.announced[name])

    def change():
        model.running[name] = True
    return Event(f"start gobgpd {name}",
                 lambda lab: lab.start_speaker(name, announced), change)


def shutdown_neighbor(rng: random.Random, model: Model,
                      down: bool = True) -> Event | None:
    keys = [k for k, n in model.neighbors.items()
            if n.configured and n.shutdown != down]
    if not keys:
        return None
    key = rng.choice(keys)

    def change():
        model.neighbors[key].shutdown = down
    return Event(f"{named([key])}: {'' if down else 'no '}shutdown",
                 lambda lab: lab.shutdown(key, down), change)


def enable_neighbor(rng: random.Random, model: Model) -> Event | None:
    return shutdown_neighbor(rng, model, down=False)


def per_speaker(model: Model, configured: bool) -> list[list[NeighborKey]]:
    """Per speaker, its neighbors that are (or are not) configured."""
    out = [[k for k in neighbor_keys(s.name)
            if model.neighbors[k].configured == configured]
           for s in SPEAKERS]
    return [keys for keys in out if keys]


def delete_neighbors(rng: random.Random, model: Model) -> Event | None:
    candidates = per_speaker(model, configured=True)
    if not candidates:
        return None
    keys = some(rng, rng.choice(candidates))

    def change():
        for k in keys:
            model.neighbors[k] = Neighbor(configured=False)
    return Event(f"{named(keys)}: no neighbor",
                 lambda lab: lab.delete_neighbors(keys), change)


def add_neighbors(rng: random.Random, model: Model) -> Event | None:
    candidates = per_speaker(model, configured=False)
    if not candidates:
        return None
    keys = rng.choice(candidates)

    def change():
        for k in keys:
            model.neighbors[k] = Neighbor()
    return Event(f"{named(keys)}: neighbor again",
                 lambda lab: lab.add_neighbors(keys), change)


def announce(rng: random.Random, model: Model) -> Event | None:
    """A new prefix, or one announced again with NO_ADVERTISE added or
    taken away."""
    no_advertise = rng.random() < 0.3
    candidates = [(s.name, p) for s in SPEAKERS if model.running[s.name]
                  for p in s.pool()
                  if model.announced[s.name].get(p) is not no_advertise]
    if not candidates:
        return None
    name, prefix = rng.choice(candidates)

    def change():
        model.announced[name][prefix] = no_advertise
    text = f"{name} announces {prefix}" + \
        (" with NO_ADVERTISE" if no_advertise else "")
    return Event(text, lambda lab: lab.announce(name, prefix, no_advertise),
                 change)


def withdraw(rng: random.Random, model: Model) -> Event | None:
    candidates = [(s.name, p) for s in SPEAKERS if model.running[s.name]
                  for p in model.announced[s.name]]
    if not candidates:
        return None
    name, prefix = rng.choice(candidates)

    def change():
        del model.announced[name][prefix]
    return Event(f"{name} withdraws {prefix}",
                 lambda lab: lab.withdraw(name, prefix), change)


def flip_local_network(rng: random.Random, model: Model) -> Event:
    prefix = rng.choice(LOCAL_OPTIONAL)
    add = prefix not in model.local

    def change():
        if add:
            model.local.add(prefix)
        else:
            model.local.remove(prefix)
    return Event(f"{'' if add else 'no '}network {prefix}",
                 lambda lab: lab.local_network(prefix, add), change)


# How often each kind of event is drawn.  Bringing a session back costs
# seconds (gobgpd waits 5 s in Idle after a session ends), so events that
# take sessions down are rare, and those that bring them back are drawn
# more often, to keep most sessions up.
EVENT_WEIGHTS = {
    flip_branch_to_branch: 8,
    flip_allow_unclassified: 4,
    assign_role: 12,
    remove_role: 6,
    remove_gateway_instance: 3,
    announce: 12,
    withdraw: 6,
    flip_local_network: 3,
    stop_speaker: 3,
    start_speaker: 6,
    shutdown_neighbor: 2,
    enable_neighbor: 4,
    delete_neighbors: 2,
    add_neighbors: 4,
}


def draw_event(rng: random.Random, model: Model) -> Event:
    kinds, weights = list(EVENT_WEIGHTS), list(EVENT_WEIGHTS.values())
    for _ in range(1000):
        event = rng.choices(kinds, weights)[0](rng, model)
        if event is not None:
            return event
    raise AssertionError("no event possible")  # a flip always is


# --------------------------------------------------------------------------
# comparing the system with the model


def differences(lab: Lab, expected: dict[str, set[str]]) -> dict:
    got = lab.holdings(expected)
    return {name: {"missing": sorted(expected[name] - got[name]),
                   "unexpected": sorted(got[name] - expected[name])}
            for name in expected if got[name] != expected[name]}


def equal_since(lab: Lab, expected: dict[str, set[str]]) -> float | None:
    """When the look that found every peer at the model's routes began, or
    None if one is not."""
    begin = time.monotonic()
    return None if differences(lab, expected) else begin


def stays_equal(lab: Lab, expected: dict[str, set[str]], since: float) -> dict:
    """Look STABLE_SAMPLES more times, evenly up to STABLE seconds after
    `since`; the first differences seen ({} if none)."""
    for n in range(1, STABLE_SAMPLES + 1):
        time.sleep(max(0.0, since + STABLE * n / STABLE_SAMPLES -
                       time.monotonic()))
        diff = differences(lab, expected)
        if diff:
            return diff
    return {}


def failure(seed: int, step: int, events: list[str], what: str,
            diff: dict | None, lab: Lab, model: Model) -> str:
    lines = [f"RS_MODEL_SEED={seed}, step {step}: {events[-1]}: {what}"]
    if diff:
        lines += [f"differences: {diff}",
                  "the route server's paths of those: "
                  f"{rslab.route_server_paths(lab.rs, diff)}"]
    lines += ["the model:", model.describe(), "events:"]
    lines += [f"  {n}. {text}" for n, text in enumerate(events)]
    return "\n".join(lines)


# --------------------------------------------------------------------------


def seed_from_environment() -> int:
    value = os.environ.get("RS_MODEL_SEED")
    return int(value) if value else random.SystemRandom().randrange(2 ** 32)


def start_lab(topology_factory) -> tuple[Lab, Model]:
    topo = topology_factory([
        (s.name, s.roles[0].kind if s.role_at_start else "none", s.asn,
         s.host, s.initial_prefixes()) for s in SPEAKERS])
    topo.wait_established(timeout=CONVERGE)
    lab, model = Lab(topo), Model()
    lab.configure("route-server max-peers 16", "no bgp network import-check")
    for prefix in LOCAL_AT_START:
        lab.local_network(prefix, True)
    for s in SPEAKERS:
        if s.role_at_start:
            keys = neighbor_keys(s.name)
            lab.set_role(keys, s.roles[0])
            for k in keys:
                model.neighbors[k].role = s.roles[0]
    return lab, model


def verify(lab: Lab, model: Model) -> tuple[str, dict] | None:
    """None if every peer holds the model's routes within CONVERGE seconds
    and keeps them for STABLE seconds; else what went wrong and the
    differences."""
    expected = model.tables()
    try:
        since = rslab.wait_until(lambda: equal_since(lab, expected), CONVERGE,
                                 "every peer to hold the model's routes",
                                 interval=0.05)
    except TimeoutError:
        return (f"not the model's routes after {CONVERGE}s",
                differences(lab, expected))
    diff = stays_equal(lab, expected, since)
    if diff:
        return "the model's routes, then not", diff
    return None


def test_every_peer_holds_what_the_model_predicts(topology_factory):
    seed = seed_from_environment()
    steps = int(os.environ.get("RS_MODEL_STEPS") or DEFAULT_STEPS)
    print(f"RS_MODEL_SEED={seed} RS_MODEL_STEPS={steps}", flush=True)
    rng = random.Random(seed)
    lab, model = start_lab(topology_factory)
    events = ["start: every speaker but extra with its first role"]
    durations = []
    for step in range(steps + 1):
        begin = time.monotonic()
        try:
            if step:
                event = draw_event(rng, model)
                events.append(event.text)
                event.act(lab)
                event.change()
            wrong = verify(lab, model)
        except (rslab.LabError, TimeoutError) as exc:
            wrong = f"failed: {exc}", None
        if wrong:
            pytest.fail(failure(seed, step, events, *wrong, lab, model),
                        pytrace=False)
        durations.append(time.monotonic() - begin)
        print(f"step {step}: {events[-1]} ({durations[-1]:.2f}s)", flush=True)
    total = sum(durations[1:])
    print(f"{steps} steps in {total:.0f}s, {total / max(steps, 1):.2f}s a "
          f"step, the longest {max(durations[1:], default=0):.2f}s")

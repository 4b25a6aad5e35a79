"""The replicated runtime's decision rules (azlab.cluster.membership): examples, then properties over random
histories of members that die, fall silent, come back, append and are told configurations."""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import given, settings
from hypothesis import strategies as st

from azlab.cluster.membership import (Configuration, Evidence, Leaderless, MajorityQuorum, SyncStandby, WriteLease,
                                     decide, retold)

POLICY = MajorityQuorum(silence_s=0.6)
MEMBERS = ("sqs-lab-1a", "sqs-lab-1b", "sqs-lab-1c")
A, B, C = MEMBERS


def up(epoch: int = 0, position: tuple[int, ...] = ()) -> Evidence:
    return Evidence(node_alive=True, answered=True, epoch=epoch, position=position)


def silent(since: float, epoch: int = 0, node_alive: bool = True) -> Evidence:
    return Evidence(node_alive=node_alive, answered=False, silent_since=since, epoch=epoch)


def test_a_new_service_fences_an_epoch_first_then_the_first_member_leads():
    fresh = Configuration(members=MEMBERS)
    fenced = decide(fresh, {m: up() for m in MEMBERS}, now=0, policy=POLICY)
    assert fenced == Configuration(1, "", MEMBERS)
    assert decide(fenced, {m: up() for m in MEMBERS}, now=0, policy=POLICY) == fenced  # nobody holds epoch 1 yet
    assert decide(fenced, {m: up(1) for m in MEMBERS}, now=0, policy=POLICY) == Configuration(1, A, MEMBERS)


def test_a_leader_that_answers_keeps_leading_and_a_short_silence_is_forgiven():
    leading = Configuration(3, B, MEMBERS)
    assert decide(leading, {A: up(3), B: up(3), C: up(3)}, now=10, policy=POLICY) is leading
    assert decide(leading, {A: up(3), B: silent(9.7, 3), C: up(3)}, now=10, policy=POLICY) is leading


def test_a_leader_silent_too_long_or_on_a_dead_node_is_replaced_by_the_most_up_to_date_member():
    leading = Configuration(3, B, MEMBERS)
    for leader in (silent(9.0, 3), silent(9.9, 3, node_alive=False)):
        fenced = decide(leading, {A: up(3, (3, 7)), B: leader, C: up(3, (3, 9))}, now=10, policy=POLICY)
        assert fenced == Configuration(4, "", MEMBERS)
        chosen = decide(fenced, {A: up(4, (3, 7)), B: leader, C: up(4, (3, 9))}, now=10, policy=POLICY)
        assert chosen == Configuration(4, C, MEMBERS)


def test_a_log_of_a_later_epoch_wins_over_a_longer_one():
    fenced = Configuration(5, "", MEMBERS)
    assert decide(fenced, {A: up(5, (3, 40)), B: up(5, (4, 12))}, now=0, policy=POLICY).leader == B


def test_without_a_majority_to_elect_from_nothing_changes():
    leading = Configuration(3, A, MEMBERS)
    alone = {A: silent(0, 3, node_alive=False), B: up(3, (3, 5)), C: silent(0, 3)}
    assert decide(leading, alone, now=10, policy=POLICY) is leading
    fenced = Configuration(4, "", MEMBERS)
    assert decide(fenced, {A: up(3), B: up(4), C: silent(0, 3)}, now=10, policy=POLICY) is fenced


def test_a_member_the_new_epoch_has_not_reached_neither_counts_nor_leads():
    # c still holds epoch 3 (its push was lost): it could still take the deposed leader's appends
    fenced = Configuration(4, "", MEMBERS)
    evidence = {A: silent(0, 3, node_alive=False), B: up(4, (3, 5)), C: up(3, (3, 9))}
    assert decide(fenced, evidence, now=10, policy=POLICY) is fenced


def test_the_new_epoch_is_above_any_a_member_holds():
    leading = Configuration(3, A, MEMBERS)
    evidence = {A: silent(0, 3, node_alive=False), B: up(7), C: up(3)}
    assert decide(leading, evidence, now=10, policy=POLICY).epoch == 8


# ---- properties over random histories


@dataclass
class World:
    """Three members with replicated logs (each entry is the epoch it was written under), the epoch each holds
    and whom it follows, and the region's view of them; what was acknowledged, and every leader ever named."""

    logs: dict[str, list[int]] = field(default_factory=lambda: {m: [] for m in MEMBERS})
    epochs: dict[str, int] = field(default_factory=lambda: dict.fromkeys(MEMBERS, 0))
    leaders: dict[str, str] = field(default_factory=lambda: dict.fromkeys(MEMBERS, ""))
    alive: dict[str, bool] = field(default_factory=lambda: dict.fromkeys(MEMBERS, True))
    answering: dict[str, bool] = field(default_factory=lambda: dict.fromkeys(MEMBERS, True))
    silent_since: dict[str, float] = field(default_factory=dict)
    configuration: Configuration = Configuration(members=MEMBERS)
    acknowledged: list[tuple[int, int]] = field(default_factory=list)  # (index, epoch) of acknowledged entries
    named: dict[int, set[str]] = field(default_factory=dict)
    epochs_decided: list[int] = field(default_factory=list)

    def write(self, pick: int, accepters: list[str]) -> None:
        """One of the members that believe they lead (a deposed one may still) appends under its epoch; a peer
        takes the append (and the writer's log) unless it holds a newer epoch; a majority of copies is an
        acknowledgement."""
        writers = [m for m in MEMBERS if self.alive[m] and self.leaders[m] == m]
        if not writers:
            return
        writer = writers[pick % len(writers)]
        epoch = self.epochs[writer]
        self.logs[writer].append(epoch)
        copies = 1
        for peer in accepters:
            if peer != writer and self.alive[peer] and self.epochs[peer] <= epoch:
                self.epochs[peer], self.leaders[peer] = epoch, writer
                self.logs[peer] = list(self.logs[writer])
                copies += 1
        if copies >= len(MEMBERS) // 2 + 1:
            self.acknowledged.append((len(self.logs[writer]), epoch))

    def evidence(self) -> dict[str, Evidence]:
        found = {}
        for m in MEMBERS:
            answered = self.alive[m] and self.answering[m]
            log = self.logs[m]
            found[m] = Evidence(node_alive=self.alive[m], answered=answered, silent_since=self.silent_since.get(m),
                                epoch=self.epochs[m] if answered else 0,
                                position=(log[-1] if log else 0, len(log)) if answered else ())
        return found

    def leader_holds_every_acknowledged_entry(self, leader: str) -> bool:
        held = self.logs[leader]
        return all(len(held) >= i and held[i - 1] == e for i, e in self.acknowledged)

    def tick(self, now: float, unreached: frozenset[str] = frozenset()) -> None:
        """The runtime: decide, persist, then tell every member that answers, but the `unreached` (its push
        got lost); a member never goes back an epoch."""
        if leader := self.configuration.leader:  # what it acknowledged since it was named is its own
            assert self.leader_holds_every_acknowledged_entry(leader), f"{leader}, leading, lacks an acknowledged entry"
        for m in MEMBERS:
            if self.alive[m] and self.answering[m]:
                self.silent_since.pop(m, None)
            else:
                self.silent_since.setdefault(m, now)
        before = self.configuration
        after = decide(before, self.evidence(), now, POLICY)
        if after.leader:
            assert self.leader_holds_every_acknowledged_entry(after.leader), \
                f"{after.leader} named at epoch {after.epoch} without every acknowledged entry"
            self.named.setdefault(after.epoch, set()).add(after.leader)
        self.configuration = after
        self.epochs_decided.append(after.epoch)
        for m in MEMBERS:
            if self.alive[m] and self.answering[m] and m not in unreached and after.epoch >= self.epochs[m]:
                self.epochs[m], self.leaders[m] = after.epoch, after.leader


WRITE = st.tuples(st.just("write"), st.integers(0, 2), st.lists(st.sampled_from(MEMBERS), max_size=2))
LEADERS = st.sampled_from(("leader", *MEMBERS))  # "leader": whoever the region names now
TICK = st.tuples(st.just("tick"), st.floats(0, 1.0), st.frozensets(st.sampled_from(MEMBERS), max_size=1))
KILL, REVIVE = st.tuples(st.just("kill"), LEADERS), st.tuples(st.just("revive"), st.sampled_from(MEMBERS))
MUTE = st.tuples(st.just("mute"), LEADERS)  # alive, but its answers do not reach the region
UNMUTE = st.tuples(st.just("unmute"), st.sampled_from(MEMBERS))
EVENTS = st.one_of(WRITE, WRITE, WRITE, TICK, TICK, TICK, KILL, REVIVE, MUTE, UNMUTE)  # histories that do something


@settings(max_examples=1000, deadline=None)
@given(st.lists(EVENTS, min_size=20, max_size=80))
def test_no_two_leaders_in_an_epoch_the_epoch_only_grows_and_no_leader_lacks_an_acknowledged_entry(events):
    world, now = World(), 0.0
    for event in events:
        kind, member = event[0], event[1]
        if member == "leader":
            member = world.configuration.leader or MEMBERS[0]
        if kind == "kill":
            world.alive[member] = False  # its process is gone: it holds no role when it comes back
            world.leaders[member] = ""
        elif kind == "revive":
            world.alive[member] = True
        elif kind == "mute":
            world.answering[member] = False
        elif kind == "unmute":
            world.answering[member] = True
        elif kind == "write":
            world.write(member, event[2])
        else:
            now += member
            world.tick(now, event[2])  # asserts that the leader holds every acknowledged entry
    assert all(len(leaders) == 1 for leaders in world.named.values()), world.named
    assert world.epochs_decided == sorted(world.epochs_decided)
    world.alive, world.answering = dict.fromkeys(MEMBERS, True), dict.fromkeys(MEMBERS, True)
    for _ in range(3):  # healed: a leader within an election's two ticks, and every member follows it
        now += 1.0
        world.tick(now)
    assert world.configuration.leader and set(world.epochs.values()) == {world.configuration.epoch}


# WriteLease: ElastiCache's primary and its asynchronous replicas
LEASE = WriteLease(lease_s=4.0)
NODES = ("g-001", "g-002", "g-003")
P, R2, R3 = NODES


def replica(offset: int) -> Evidence:
    return Evidence(node_alive=True, answered=True, position=(offset,))


def test_a_primary_is_replaced_at_once_when_its_engine_exits_by_the_replica_with_the_most_of_its_stream():
    leading = Configuration(3, P, NODES)
    alive = Evidence(node_alive=True, answered=True)
    assert LEASE.decide(leading, {P: alive, R2: replica(500), R3: replica(900)}, now=10) is leading
    exited = Evidence(node_alive=True, answered=False, exited=True)
    assert LEASE.decide(leading, {P: exited, R2: replica(500), R3: replica(900)}, now=10) == Configuration(4, R3, NODES)
    assert LEASE.decide(leading, {P: exited, R2: replica(900), R3: replica(900)}, now=10).leader == R2  # ties: first
    assert LEASE.decide(leading, {P: exited, R2: silent(9), R3: silent(9)}, now=10) is leading  # none to take over


def test_a_primary_whose_node_went_silent_is_replaced_only_once_its_write_lease_has_run_out():
    leading = Configuration(3, P, NODES)
    replicas = {R2: replica(500), R3: replica(900)}
    cut_off = silent(since=10, node_alive=False)
    assert LEASE.decide(leading, {P: cut_off, **replicas}, now=13.9) is leading  # it may still take writes
    assert LEASE.decide(leading, {P: cut_off, **replicas}, now=14) == Configuration(4, R3, NODES)


def test_a_failover_asked_for_hands_over_to_the_most_up_to_date_replica_under_the_next_epoch():
    leading = Configuration(3, P, NODES)
    evidence = {P: Evidence(node_alive=True, answered=True, position=(1000,)), R2: replica(700), R3: replica(600)}
    assert LEASE.hand_over(leading, evidence) == Configuration(4, R2, NODES)  # never the primary itself


@given(st.lists(st.one_of(st.none(), st.integers(0, 50)), min_size=3, max_size=3), st.floats(0, 20),
       st.booleans())
def test_a_lease_failover_never_picks_a_replica_behind_another_that_answered(offsets, now, exited):
    members = ("m0", "m1", "m2")
    leading = Configuration(7, "m0", members)
    evidence = {"m0": Evidence(node_alive=False, answered=False, silent_since=0.0, exited=exited)}
    for member, offset in zip(members[1:], offsets[1:]):
        evidence[member] = replica(offset) if offset is not None else silent(0.0)
    after = LEASE.decide(leading, evidence, now)
    answering = {m: e.position for m, e in evidence.items() if m != "m0" and e.answered}
    if (exited or now >= LEASE.lease_s) and answering:
        assert after.epoch == 8 and after.leader in answering
        assert all(evidence[after.leader].position >= p for p in answering.values())
    else:
        assert after is leading


# Leaderless: members each serving what they are told
def test_leaderless_members_get_a_new_epoch_only_when_what_they_serve_changes():
    told = Configuration(2, "", ("r-a", "r-b"), settings="v7")
    assert Leaderless().decide(told, {}, now=0) is told
    assert retold(told, "v7") is told
    assert retold(told, "v8") == Configuration(3, "", ("r-a", "r-b"), settings="v8")


# SyncStandby: RDS Multi-AZ's primary and its synchronous standby
def test_a_lost_primary_is_replaced_by_its_standby_only_when_that_is_in_sync_under_the_current_epoch():
    leading = Configuration(5, "db-1", ("db-1", "db-2"))
    down = Evidence(node_alive=False, answered=False)
    in_sync = Evidence(node_alive=True, answered=True, epoch=5, in_sync=True)
    policy = SyncStandby()
    assert policy.decide(leading, {"db-1": Evidence(node_alive=True, answered=False), "db-2": in_sync}, now=0) is leading
    assert policy.decide(leading, {"db-1": down, "db-2": in_sync}, now=0) == Configuration(6, "db-2", leading.members)
    catching_up = Evidence(node_alive=True, answered=True, epoch=5, in_sync=False)
    assert policy.decide(leading, {"db-1": down, "db-2": catching_up}, now=0) is leading
    of_an_older_epoch = Evidence(node_alive=True, answered=True, epoch=4, in_sync=True)  # commits stopped waiting for it
    assert policy.decide(leading, {"db-1": down, "db-2": of_an_older_epoch}, now=0) is leading

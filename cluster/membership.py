"""Who leads a replicated service's members, decided from evidence: pure, no clock of its own, no I/O.

A replicated data plane is a set of members and a configuration `{epoch,
leader, members}`. The region side probes the members, turns what it saw
into `Evidence`, asks its policy's `decide` for the next configuration,
persists it, and only then tells the members. The epoch only grows, and one
epoch names at most one leader. How a failover may go depends on how the
leader's acknowledgements are backed, so there is one policy per kind:

`MajorityQuorum` (SQS's queue replicas, one per AZ, a replicated log):

- A leader is named only under an epoch that first went out leaderless.
- A failover has two steps, a tick apart or in one tick. The leader is judged
  failed (its node down in the region's health model, or silent for the
  policy's `silence_s`); if enough other members answer that an election can
  end, the next configuration is the failed one's epoch + 1 with no leader.
  The runtime pushes it, which fences the members: from then on they refuse
  the old leader's appends, so no log moves. Once a majority of all members
  holds the new epoch, the most up-to-date of them leads. Every acknowledged
  entry was on a majority, so on at least one fenced member, and the most
  up-to-date fenced member holds it (Raft's election restriction, with the
  controller as the only voter).
- With no majority to elect from, nothing changes: acknowledging nothing is
  the only safe answer.

`position` is how far a member's log reaches, compared as a tuple: for SQS
(last entry's epoch, last index).

A primary with one synchronous standby (RDS Multi-AZ) fails over under
`SyncStandby`: when its node is down, in one step, to the standby if that is
in sync under the current epoch, and to nobody otherwise.

A primary whose replicas copy its stream asynchronously and cannot be fenced
(ElastiCache's Redis) fails over under `WriteLease`: only once it cannot be
acknowledging writes any more (its process exited, or its node silent past
the lease a primary needs from a following replica to take a write), and in
one step, to the answering replica holding the most of its stream.

Members that each serve alone what they are told (Route53's name servers,
ELB's LB nodes) have no leader: under `Leaderless` the epoch only counts the
configurations they were told, a new one whenever what they are to serve
changes (`retold`), so a member refuses a push older than the one it holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Configuration:
    epoch: int = 0
    leader: str = ""  # a member id; "" while an election fences the members
    members: tuple[str, ...] = ()  # every member the service has, placed or not: majorities are of these
    settings: str = ""  # what the members are told besides who leads, as a digest: a change is a new epoch


@dataclass(frozen=True)
class Evidence:
    """What the region knows of one placed member now."""

    node_alive: bool                # its node, in the region's health model
    answered: bool                  # it answered the last probe
    silent_since: float | None = None  # when it (or, under WriteLease, its node) went silent; None while it answers
    exited: bool = False            # its process is known to have ended: it acknowledges nothing
    in_sync: bool = False           # a synchronous standby marked in sync under the epoch it holds
    epoch: int = 0                  # the highest epoch it holds, as it said
    position: tuple[int, ...] = ()  # how far its log reaches


@dataclass(frozen=True)
class MajorityQuorum:
    """A leader acknowledges what a majority of all members holds (SQS's replicated log)."""

    silence_s: float  # how long a leader whose node lives may not answer before it is judged failed
    elects = True  # an election counts every member: the runtime places each before the first

    def majority(self, configuration: Configuration) -> int:
        return len(configuration.members) // 2 + 1

    def decide(self, configuration: Configuration, evidence: Mapping[str, Evidence], now: float) -> Configuration:
        return decide(configuration, evidence, now, self)


@dataclass(frozen=True)
class SyncStandby:
    """A primary and one standby it replicates to synchronously: from the moment the standby is marked in sync
    under an epoch, the primary acknowledges no commit the standby does not hold. So when the primary's node is
    down, the standby leads at once under the next epoch if it is in sync under the current one; without such a
    standby nothing changes (the instance waits for its primary: unavailable, never missing a commit)."""

    elects = True

    def decide(self, configuration: Configuration, evidence: Mapping[str, Evidence], now: float) -> Configuration:
        seen = evidence.get(configuration.leader)
        if seen is not None and seen.node_alive:
            return configuration
        standby = next((m for m, e in evidence.items() if m != configuration.leader and e.node_alive and e.answered
                        and e.in_sync and e.epoch == configuration.epoch), None)
        if standby is None:
            return configuration
        return replace(configuration, epoch=configuration.epoch + 1, leader=standby)


@dataclass(frozen=True)
class WriteLease:
    """A primary acknowledges a write only while a replica follows it within a lease (Redis's min-replicas-to-write
    and min-replicas-max-lag), and nothing can fence a replica: so a primary is replaced only once its process has
    exited or its node has been silent for `lease_s` (the lease and the region's detection, so that a primary only
    cut off has stopped taking writes by then). The answering replica holding the most of its stream then leads
    under the next epoch: every write a client confirmed with WAIT 1 is in it. Ties go to the first member."""

    lease_s: float
    elects = True

    def leader_failed(self, configuration: Configuration, evidence: Mapping[str, Evidence], now: float) -> bool:
        seen = evidence.get(configuration.leader)
        if seen is None or seen.exited:
            return True
        return not seen.node_alive and seen.silent_since is not None and now - seen.silent_since >= self.lease_s

    def decide(self, configuration: Configuration, evidence: Mapping[str, Evidence], now: float) -> Configuration:
        if configuration.leader and not self.leader_failed(configuration, evidence, now):
            return configuration
        return self.hand_over(configuration, evidence)

    def hand_over(self, configuration: Configuration, evidence: Mapping[str, Evidence]) -> Configuration:
        """The most up-to-date answering replica leads under the next epoch (a failover asked for, as TestFailover,
        or decided); `configuration` itself when none answers."""
        candidates = {m: e for m, e in evidence.items()
                      if m != configuration.leader and e.answered and e.node_alive and m in configuration.members}
        if not candidates:
            return configuration
        return replace(configuration, epoch=configuration.epoch + 1,
                       leader=most_up_to_date(candidates, configuration.members))


@dataclass(frozen=True)
class Leaderless:
    """Members that each serve what they are told, none leading: nothing to decide from evidence."""

    elects = False

    def decide(self, configuration: Configuration, evidence: Mapping[str, Evidence], now: float) -> Configuration:
        return configuration


def retold(configuration: Configuration, settings: str) -> Configuration:
    """The configuration that tells leaderless members `settings`: itself when they are told so already, else
    the next epoch (one naming a leader would break the rule that a leader is named only under a fencing epoch)."""
    if configuration.leader:
        raise ValueError("only a leaderless configuration is retold")
    if settings == configuration.settings:
        return configuration
    return replace(configuration, epoch=configuration.epoch + 1, settings=settings)


def leader_failed(configuration: Configuration, evidence: Mapping[str, Evidence], now: float,
                  policy: MajorityQuorum) -> bool:
    seen = evidence.get(configuration.leader)
    if seen is None or not seen.node_alive:
        return True
    return seen.silent_since is not None and now - seen.silent_since >= policy.silence_s


def decide(configuration: Configuration, evidence: Mapping[str, Evidence], now: float,
           policy: MajorityQuorum) -> Configuration:
    """The next configuration; `configuration` itself when nothing is to change."""
    majority = policy.majority(configuration)
    if configuration.leader:
        if not leader_failed(configuration, evidence, now, policy):
            return configuration
        electors = [m for m, e in evidence.items() if e.answered and e.node_alive and m != configuration.leader]
        return fence(configuration, evidence) if len(electors) >= majority else configuration
    if configuration.epoch == 0:  # never led: an epoch no member can hold yet goes out first
        electors = [m for m, e in evidence.items() if e.answered and e.node_alive]
        return fence(configuration, evidence) if len(electors) >= majority else configuration
    fenced = {m: e for m, e in evidence.items()
              if e.answered and e.node_alive and e.epoch == configuration.epoch and m in configuration.members}
    if len(fenced) < majority:
        return configuration  # the runtime goes on pushing the epoch; the rest hold it by the next tick
    return replace(configuration, leader=most_up_to_date(fenced, configuration.members))


def most_up_to_date(candidates: Mapping[str, Evidence], order: tuple[str, ...]) -> str:
    """The candidate whose state reaches furthest; ties go to the first in `order` (the first AZ's member)."""
    return max(candidates, key=lambda m: (candidates[m].position, -order.index(m)))


def fence(configuration: Configuration, evidence: Mapping[str, Evidence]) -> Configuration:
    """A new epoch with no leader, above every epoch any member said it holds."""
    epoch = max([configuration.epoch, *(e.epoch for e in evidence.values())]) + 1
    return replace(configuration, epoch=epoch, leader="")

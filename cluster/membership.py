"""Who leads a replicated service's members, decided from evidence: pure, no clock of its own, no I/O.

Every replicated data plane (SQS's queue replicas first) is a fixed set of
members, one per AZ, and a configuration `{epoch, leader, members}`. The
region side (`azlab.cluster.replicated`) probes the members, turns what it
saw into `Evidence`, asks `decide` for the next configuration, persists it,
and only then tells the members. The rules:

- The epoch only grows, and one epoch names at most one leader: a leader is
  named only under an epoch that first went out leaderless.
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
    silent_since: float | None = None  # when it stopped answering (the caller's clock); None while it answers
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
    order = configuration.members  # ties go to the first member (the first AZ's)
    leader = max(fenced, key=lambda m: (fenced[m].position, -order.index(m)))
    return replace(configuration, leader=leader)


def fence(configuration: Configuration, evidence: Mapping[str, Evidence]) -> Configuration:
    """A new epoch with no leader, above every epoch any member said it holds."""
    epoch = max([configuration.epoch, *(e.epoch for e in evidence.values())]) + 1
    return replace(configuration, epoch=epoch, leader="")

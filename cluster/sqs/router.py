"""Forwarding SQS calls to the leader replica, following it across failovers.

One router, two doors: the controller's gRPC API (its `Leadership` is the
controller's own configuration) and the region's front end, which serves the
AWS endpoint without the controller (its `Leadership` is `ReplicaLeadership`:
who leads is asked of the replicas themselves, so data calls go on while the
controller is down or restarting). A call that meets a dead, fenced or
cut-off leader is sent again to the next leader as soon as one is known: the
caller sees one slow call, not an error, unless no leader appears within the
retry budget. A call is abandoned (and retried) the moment the configuration
changes under it, so a call stuck on a cut-off leader does not wait out its
timeout.

Retries are at-least-once, as SQS is: a send whose acknowledgement was lost
with its leader may be stored twice on a standard queue (FIFO queues drop the
second by its deduplication id).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

from google.protobuf.message import Message

from azlab.cluster.replicated import MemberChannels
from azlab.common.sqs.calls import CallChannel, ReplicaError
from azlab.common.sqs.errors import LeaderUnavailable
from azlab.member.v1 import member_pb2

RETRY_BUDGET_S = 15.0
ATTEMPT_TIMEOUT_S = 5.0
RETRY_PAUSE_S = 0.05
# ReplicaLeadership: how often the replicas are asked who leads while calls succeed, and at most how often
# while they fail (each failed attempt asks at once, so a new leader is found as soon as it is configured).
PROBE_INTERVAL_S = 0.5
PROBE_MIN_GAP_S = 0.05
PROBE_TIMEOUT_S = 0.3


class Leadership(Protocol):
    def activate(self) -> None:
        """A call has come: the replicas must run."""

    def leader_address(self) -> tuple[str, int]:
        """(host:port of the leader's call stream, or "" while there is none; the epoch)."""

    def configuration_changed(self) -> asyncio.Event:
        """Set when the leader or epoch changes."""

    def leader_failed(self, address: str, epoch: int) -> None:
        """A call to the leader at `address` under `epoch` failed (no answer, or NotLeader): look again."""


class Replica(Protocol):
    """Where a replica listens: what the controller persisted of its placement (cluster.sqs.service.Placement)."""

    endpoint: str       # azlab.member.v1.Member: configuration and status
    call_endpoint: str  # the call stream


def leader_from_statuses(statuses: Iterable[member_pb2.MemberStatus]) -> tuple[str, int]:
    """(replica id of the leader, or "" while there is none; its epoch), from the replicas' own statuses.

    The highest epoch any replica holds wins: the controller persisted it before telling anyone, so no older
    configuration can still be in force. Under it, a replica that leads names itself; otherwise the leader its
    followers were told (it may not have heard yet: its NotLeader answer makes the caller ask again). No
    leader under the highest epoch means an election is under way.
    """
    statuses = list(statuses)
    if not statuses:
        return "", 0
    epoch = max(s.epoch for s in statuses)
    current = [s for s in statuses if s.epoch == epoch]
    leading = next((s.member_id for s in current if s.role == "leader"), "")
    named = next((s.leader for s in current if s.leader), "")
    return leading or named, epoch


class ReplicaChannels(MemberChannels):
    """Connections to the replicas, opened in the caller's event loop and kept: per address, a stub of their node
    contract (configuration and status, `MemberChannels`) or a call stream (the data calls, `calls`)."""

    def __init__(self):
        super().__init__()
        self._calls: dict[str, CallChannel] = {}

    def calls(self, address: str) -> CallChannel:
        if address not in self._calls:
            self._calls[address] = CallChannel(address)
        return self._calls[address]


class ReplicaLeadership:
    """Who leads, learnt from the replicas' `Status` (epoch, leader, role), not from the controller.

    `replicas` are the placements the controller persisted (static facts: they change only when an AZ first
    gets a replica); `activate` is told of every call. `run` keeps asking, sooner when a call failed.
    """

    def __init__(self, replicas: Callable[[], Mapping[str, Replica]], channels: ReplicaChannels,
                 activate: Callable[[], None]):
        self.replicas = replicas
        self.channels = channels
        self._activate = activate
        self.leader, self.epoch = "", 0
        self._changed = asyncio.Event()
        self._look_again = asyncio.Event()

    def activate(self) -> None:
        self._activate()

    def leader_address(self) -> tuple[str, int]:
        leader = self.replicas().get(self.leader)
        return (leader.call_endpoint if leader else ""), self.epoch

    def configuration_changed(self) -> asyncio.Event:
        return self._changed

    def leader_failed(self, address: str, epoch: int) -> None:
        self._look_again.set()

    async def look(self) -> None:
        """Ask every replica once and follow what they say."""
        answers = await asyncio.gather(*(self.channels.status(r.endpoint, PROBE_TIMEOUT_S)
                                         for r in self.replicas().values()))
        leader, epoch = leader_from_statuses(a for a in answers if a is not None)
        if epoch < self.epoch:
            return  # only replicas of an older epoch answer (the others are cut off): keep the newer leader
        if (leader, epoch) != (self.leader, self.epoch):
            self.leader, self.epoch = leader, epoch
            self._changed.set()
            self._changed = asyncio.Event()

    async def run(self) -> None:
        while True:
            await self.look()
            self._look_again.clear()
            await _first(self._look_again.wait(), PROBE_INTERVAL_S)
            await asyncio.sleep(PROBE_MIN_GAP_S)


class LeaderRouter:
    def __init__(self, leadership: Leadership, channels: ReplicaChannels, retry_budget_s: float = RETRY_BUDGET_S):
        self.leadership = leadership
        self.channels = channels
        self.retry_budget_s = retry_budget_s
        self._watched: asyncio.Event | None = None
        self._watcher: asyncio.Future | None = None

    async def call(self, method: str, request: Message, wait_s: float = 0.0) -> Any:
        """`method` of azlab.sqs.v1.Sqs on the leader; `wait_s`: how long the call itself may take (long polls)."""
        self.leadership.activate()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.retry_budget_s + wait_s
        last_failure = "no leader elected yet"
        while loop.time() < deadline:
            changed = self.leadership.configuration_changed()
            address, epoch = self.leadership.leader_address()
            if not address:
                await _first(changed.wait(), RETRY_PAUSE_S * 4)
                continue
            attempt = asyncio.ensure_future(self.channels.calls(address).call(method, request))
            waiter = self._watch(changed)
            done, _ = await asyncio.wait({attempt, waiter}, timeout=ATTEMPT_TIMEOUT_S + wait_s,
                                         return_when=asyncio.FIRST_COMPLETED)
            if attempt not in done:  # a new leader (whatever this one answers no longer counts), or no answer
                attempt.cancel()
                if waiter not in done:
                    self.channels.calls(address).reset()
                    self.leadership.leader_failed(address, epoch)
                    last_failure = f"epoch {epoch} leader at {address}: no answer"
                continue
            try:
                return attempt.result()
            except ReplicaError as e:
                if e.code != LeaderUnavailable.code:
                    raise
                last_failure = f"epoch {epoch} leader at {address}: {e.message}"
            except (ConnectionError, OSError, asyncio.TimeoutError) as e:
                last_failure = f"epoch {epoch} leader at {address}: {e}"
            self.leadership.leader_failed(address, epoch)
            await _first(changed.wait(), RETRY_PAUSE_S)
        raise LeaderUnavailable(f"no queue replica could acknowledge within {self.retry_budget_s:.0f}s "
                                f"({last_failure})")

    def _watch(self, changed: asyncio.Event) -> asyncio.Future:
        """Done when `changed` is set: one waiter per configuration, shared by every call made under it
        (a waiting task per call cost more than the rest of the call's routing)."""
        if self._watched is not changed:
            self._watched, self._watcher = changed, asyncio.ensure_future(changed.wait())
        return self._watcher


async def _first(awaitable, timeout_s: float) -> None:
    try:
        await asyncio.wait_for(awaitable, timeout_s)
    except asyncio.TimeoutError:
        pass

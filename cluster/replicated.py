"""The region side of a replicated service: its members placed, kept running, probed and configured.

A replicated data plane (SQS's queue replicas first) is one member per AZ,
each a process on a living node of its AZ. `Members.reconcile` runs on the
controller's tick, level-triggered, so a failover, a restore-az and a
restarted controller are one code path:

1. every AZ's member has a placement (node, ports, data directory), recorded
   once in the store: the front end and a restarted controller read it;
2. every member is probed, bounded in time;
3. a member that does not answer while its node lives is (re)started through
   its node agent, in the background so a cut-off node never stalls the
   tick, with one back-off for all: `RESTART_BACKOFF`;
4. `azlab.cluster.membership.decide` turns the evidence into the next
   configuration, which is persisted before any member hears of it (a
   restarted controller never reuses an epoch), then pushed to every member
   that holds another, followers before the leader. A fencing epoch and the
   election under it can happen in one tick when the members answer at once.

What differs per service (its placement's ports, its process, its gRPC
contract, how far a member's log reaches) is its `Driver`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any, Generic, Protocol, TypeVar

from azlab.cluster.membership import Configuration, Evidence, MajorityQuorum, decide
from azlab.cluster.services import NodeUnreachable, ServiceContext

log = logging.getLogger(__name__)

P = TypeVar("P")  # a member's placement: a frozen dataclass with at least `node` and `az`
S = TypeVar("S")  # what a member says of itself (its Status)


@dataclass(frozen=True)
class Backoff:
    """How long after a start that did not bring a member up the next one is tried: doubling, bounded."""

    first_s: float
    max_s: float

    def delay(self, failed_starts: int) -> float:
        return min(self.max_s, self.first_s * 2 ** max(0, failed_starts - 1))


RESTART_BACKOFF = Backoff(first_s=2.0, max_s=30.0)


class Driver(Protocol[P, S]):
    """What one service's members are: the runtime's only view of them."""

    service: str
    placement_type: type

    def member_id(self, az: str) -> str: ...
    def place(self, member_id: str, az: str, node: Any) -> P: ...
    def argv(self, placement: P) -> list[str]: ...
    async def status(self, placement: P) -> S | None: ...
    async def configure(self, placements: dict[str, P], member_id: str, configuration: Configuration) -> S | None: ...
    def epoch(self, status: S) -> int: ...
    def position(self, status: S) -> tuple[int, ...]: ...
    def holds(self, member_id: str, status: S, configuration: Configuration) -> bool: ...
    def elected(self, configuration: Configuration, previous: Configuration, statuses: dict[str, S | None]) -> None: ...


class Members(Generic[P, S]):
    """One replicated service's members, as the region runs them."""

    def __init__(self, context: ServiceContext, driver: Driver[P, S], policy: MajorityQuorum,
                 clock: Callable[[], float] = time.monotonic, restart: Backoff = RESTART_BACKOFF):
        self.context = context
        self.region = context.region
        self.store = context.store
        self.driver = driver
        self.policy = policy
        self.clock = clock
        self.restart = restart
        self.member_ids = tuple(driver.member_id(az) for az in self.region.config.azs)
        self.placements: dict[str, P] = {}
        for doc in self.store.resources(driver.service, "member"):
            placement = driver.placement_type(**doc)
            self.placements[driver.member_id(placement.az)] = placement
        [saved] = self.store.resources(driver.service, "configuration") or [{"epoch": 0, "leader": ""}]
        self.configuration = Configuration(saved["epoch"], saved["leader"], self.member_ids)
        self.statuses: dict[str, S | None] = {}
        self._silent_since: dict[str, float] = {}
        self._starting: dict[str, asyncio.Task] = {}
        self._starts: dict[str, tuple[int, float]] = {}  # member -> (starts since it last answered, when)
        self._changed = asyncio.Event()

    def configuration_changed(self) -> asyncio.Event:
        """Set (and replaced) whenever a new configuration is persisted: who waits for a leader waits on it."""
        return self._changed

    def node_alive(self, placement: P) -> bool:
        return self.region.node_alive(placement.node)  # type: ignore[attr-defined]

    async def reconcile(self) -> None:
        self._place()
        await self._probe()
        self._keep_running()
        if len(self.placements) < len(self.member_ids):
            return  # an election counts every member: not before each AZ has one
        for _ in range(2):  # fence, then elect under the new epoch, when the members answer at once
            wanted = decide(self.configuration, self.evidence(), self.clock(), self.policy)
            if wanted != self.configuration:
                self._persist(wanted)
            await self._push()
            if wanted.leader:
                return

    def evidence(self) -> dict[str, Evidence]:
        found = {}
        for member_id, placement in self.placements.items():
            status = self.statuses.get(member_id)
            found[member_id] = Evidence(
                node_alive=self.node_alive(placement), answered=status is not None,
                silent_since=self._silent_since.get(member_id),
                epoch=self.driver.epoch(status) if status is not None else 0,
                position=self.driver.position(status) if status is not None else ())
        return found

    # ---- placement and processes
    def _place(self) -> None:
        for az, member_id in zip(self.region.config.azs, self.member_ids):
            if member_id in self.placements:
                continue
            node = next((n for n in self.region.nodes_in(az) if n.state == "alive"), None)
            if node is None:
                continue
            placement = self.driver.place(member_id, az, node)
            self.store.put_resource(self.driver.service, "member", member_id, asdict(placement))
            self.placements[member_id] = placement

    async def _probe(self) -> None:
        ids = list(self.placements)
        answers = await asyncio.gather(*(self.driver.status(self.placements[m]) for m in ids))
        now = self.clock()
        for member_id, answer in zip(ids, answers):
            self.statuses[member_id] = answer
            if answer is None:
                self._silent_since.setdefault(member_id, now)
            else:
                self._silent_since.pop(member_id, None)
                self._starts.pop(member_id, None)

    def _keep_running(self) -> None:
        now = self.clock()
        for member_id, placement in self.placements.items():
            if self.statuses.get(member_id) is not None or not self.node_alive(placement):
                continue
            if (task := self._starting.get(member_id)) and not task.done():
                continue
            starts, at = self._starts.get(member_id, (0, float("-inf")))
            if now - at < self.restart.delay(starts):
                continue
            self._starts[member_id] = (starts + 1, now)
            self._starting[member_id] = asyncio.get_running_loop().create_task(self._start(member_id, placement))

    async def _start(self, member_id: str, placement: P) -> None:
        try:
            await self.context.agents.start_process(placement.node, member_id, self.driver.argv(placement))  # type: ignore[attr-defined]
        except NodeUnreachable as e:
            log.info("cannot start %s yet: %s", member_id, e)

    # ---- configuration
    def _persist(self, configuration: Configuration) -> None:
        previous = self.configuration
        self.store.put_resource(self.driver.service, "configuration", "members", asdict(configuration))
        self.configuration = configuration
        self._changed.set()
        self._changed = asyncio.Event()
        if configuration.leader:
            self.driver.elected(configuration, previous, self.statuses)

    async def _push(self) -> None:
        """Tell every member that answers and holds another configuration; followers before the leader, so that
        the leader's first appends find them following."""
        wanted = self.configuration
        stale = [m for m, s in self.statuses.items() if s is not None and not self.driver.holds(m, s, wanted)]
        for group in ([m for m in stale if m != wanted.leader], [m for m in stale if m == wanted.leader]):
            answers = await asyncio.gather(*(self.driver.configure(self.placements, m, wanted) for m in group))
            for member_id, status in zip(group, answers):
                if status is not None:
                    self.statuses[member_id] = status

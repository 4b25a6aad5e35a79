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
   tick, with one back-off for all (`Processes`, which RDS and ElastiCache,
   whose models place their members, use alone);
4. `azlab.cluster.membership.decide` turns the evidence into the next
   configuration, which is persisted before any member hears of it (a
   restarted controller never reuses an epoch), then pushed to every member
   that holds another, followers before the leader. A fencing epoch and the
   election under it can happen in one tick when the members answer at once.

What differs per service (its placement's ports, its process, its gRPC
contract, how far a member's log reaches) is its `Driver`.

A service's members are one group (SQS: the region's queue replicas) or
many (ELB: one per load balancer, over the AZs it is enabled in, which
change: a member of an AZ left is stopped and forgotten, `retire`). Members
no leader leads (`Leaderless`: Route53's name servers, ELB's LB nodes) are
told what to serve under a new epoch whenever it changes
(`Driver.settings`). Servers that implement azlab.member.v1.Member (the one
node contract: Configure under an epoch, Status, grpc.health.v1) are reached
through `MemberChannels` and read by `MemberContract`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any, Generic, Protocol, TypeVar

import grpc

from azlab.cluster.membership import Configuration, Evidence, Leaderless, MajorityQuorum, retold
from azlab.cluster.services import NodeUnreachable, ServiceContext
from azlab.member.v1 import member_pb2, member_pb2_grpc

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


class Processes:
    """Keeps a service's processes running on their nodes, with one back-off for all (`RESTART_BACKOFF`).

    A process is known by a key (its member id, or its process name where a
    member has several). A process that does not run, or does not answer, is
    started again once the back-off since its last start has passed, doubling
    while it keeps failing, and from scratch once it answers (`reset`).
    Starts are idempotent on the node (the agent starts a name once), so one
    that comes while an earlier start is still booting is harmless.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic, restart: Backoff = RESTART_BACKOFF):
        self.clock = clock
        self.restart = restart
        self._starts: dict[str, tuple[int, float]] = {}  # key -> (starts since it last answered, the last)
        self._starting: dict[str, asyncio.Task] = {}

    def reset(self, key: str) -> None:
        """Its back-off starts over: it answered, or it was stopped on purpose (retired, or to restart with new
        arguments), so that its next start is made at once."""
        self._starts.pop(key, None)

    def due(self, key: str) -> bool:
        """Whether a start of `key` is due now; when it is, it counts as made (the caller makes it)."""
        if (task := self._starting.get(key)) and not task.done():
            return False
        starts, at = self._starts.get(key, (0, float("-inf")))
        if self.clock() - at < self.restart.delay(starts):
            return False
        self._starts[key] = (starts + 1, self.clock())
        return True

    def keep(self, key: str, start: Callable[[], Awaitable[Any]]) -> None:
        """Start `key` in the background when a start is due, so that a cut-off node never stalls the caller's
        tick; a node that cannot be reached is tried again after the back-off."""
        if self.due(key):
            self._starting[key] = asyncio.get_running_loop().create_task(self._start(key, start))

    async def settled(self) -> None:
        """Wait for the starts under way (tests)."""
        await asyncio.gather(*(t for t in self._starting.values() if not t.done()))

    @staticmethod
    async def _start(key: str, start: Callable[[], Awaitable[Any]]) -> None:
        try:
            await start()
        except NodeUnreachable as e:
            log.info("cannot start %s yet: %s", key, e)


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
    def settings(self, placements: dict[str, P]) -> str: ...  # a digest of what leaderless members are to serve
    def retired(self, placement: P) -> None: ...  # its member is stopped and forgotten: what else goes with it


Policy = MajorityQuorum | Leaderless


class Members(Generic[P, S]):
    """One replicated service's members, as the region runs them."""

    def __init__(self, context: ServiceContext, driver: Driver[P, S], policy: Policy, group: str = "members",
                 azs: Sequence[str] | None = None, clock: Callable[[], float] = time.monotonic,
                 restart: Backoff = RESTART_BACKOFF):
        self.context = context
        self.region = context.region
        self.store = context.store
        self.driver = driver
        self.policy = policy
        self.group = group
        self.clock = clock
        self.processes = Processes(clock, restart)
        self.member_ids = tuple(driver.member_id(az) for az in (self.region.config.azs if azs is None else azs))
        self.placements: dict[str, P] = {}
        for az in self.region.config.azs:  # this group's members in any AZ: those of AZs it left are retired
            if doc := self.store.resource(driver.service, "member", driver.member_id(az)):
                self.placements[driver.member_id(az)] = driver.placement_type(**doc)
        saved = self.store.resource(driver.service, "configuration", group) or {}
        self.configuration = Configuration(saved.get("epoch", 0), saved.get("leader", ""), self.member_ids,
                                           saved.get("settings", ""))
        self.statuses: dict[str, S | None] = {}
        self._silent_since: dict[str, float] = {}
        self._changed = asyncio.Event()

    def configuration_changed(self) -> asyncio.Event:
        """Set (and replaced) whenever a new configuration is persisted: who waits for a leader waits on it."""
        return self._changed

    def node_alive(self, placement: P) -> bool:
        return self.region.node_alive(placement.node)  # type: ignore[attr-defined]

    def set_azs(self, azs: Sequence[str]) -> None:
        """The AZs the group has members in from now on; the next reconcile places the new and retires the rest."""
        self.member_ids = tuple(self.driver.member_id(az) for az in azs)
        self.configuration = replace(self.configuration, members=self.member_ids)

    async def reconcile(self) -> None:
        await self._retire_others()
        self._place()
        await self._probe()
        self._keep_running()
        if not self.policy.elects:
            await self.retell()
            return
        if len(self.placements) < len(self.member_ids):
            return  # an election counts every member: not before each AZ has one
        for _ in range(2):  # fence, then elect under the new epoch, when the members answer at once
            wanted = self.policy.decide(self.configuration, self.evidence(), self.clock())
            if wanted != self.configuration:
                self._persist(wanted)
            await self._push()
            if wanted.leader:
                return

    async def retell(self) -> None:
        """Tell leaderless members what they are to serve: under a new epoch (persisted first) when it changed, to
        each that answered the last probe and holds another. A service whose settings change after its tick's
        reconcile calls this alone, without probing again."""
        wanted = retold(self.configuration, self.driver.settings(self.placements))
        if wanted != self.configuration:
            self._persist(wanted)
        await self._push()

    async def remove(self) -> bool:
        """Stop and forget every member and the group's configuration (its resource is deleted); False while
        a member's node cannot be reached to stop it: call again."""
        self.set_azs(())
        await self._retire_others()
        if self.placements:
            return False
        self.store.delete_resource(self.driver.service, "configuration", self.group)
        return True

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
        azs = {self.driver.member_id(az): az for az in self.region.config.azs}
        for member_id in self.member_ids:
            placed = self.placements.get(member_id)
            if placed is not None and placed.node in self.region.nodes:  # type: ignore[attr-defined]
                continue
            node = next((n for n in self.region.nodes_in(azs[member_id]) if n.state == "alive"), None)
            if node is None:
                continue
            self.store.release_ports(member_id)  # a node that left the region took its ports' addresses along
            placement = self.driver.place(member_id, azs[member_id], node)
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
                self.processes.reset(member_id)

    def _keep_running(self) -> None:
        for member_id, placement in self.placements.items():
            if self.statuses.get(member_id) is None and self.node_alive(placement):
                self.processes.keep(member_id, lambda m=member_id, p=placement: self.context.agents.start_process(
                    p.node, m, self.driver.argv(p)))  # type: ignore[attr-defined]

    async def _retire_others(self) -> None:
        """Stop and forget the members of AZs the group has left; one whose node is down is forgotten (its
        process went with the node), one whose node cannot be reached now is tried again next tick."""
        for member_id in [m for m in self.placements if m not in self.member_ids]:
            placement = self.placements[member_id]
            if self.node_alive(placement):
                try:
                    await self.context.agents.stop_process(placement.node, member_id)  # type: ignore[attr-defined]
                except NodeUnreachable as e:
                    log.info("cannot stop %s yet: %s", member_id, e)
                    continue
            self.store.delete_resource(self.driver.service, "member", member_id)
            self.store.release_ports(member_id)
            del self.placements[member_id]
            for known in (self.statuses, self._silent_since):
                known.pop(member_id, None)
            self.processes.reset(member_id)
            self.driver.retired(placement)

    # ---- configuration
    def _persist(self, configuration: Configuration) -> None:
        previous = self.configuration
        self.store.put_resource(self.driver.service, "configuration", self.group, asdict(configuration))
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


# gRPC's default reconnect back-off grows to minutes: a member back from a lost AZ would be heard of that late
RECONNECT_OPTIONS = [("grpc.initial_reconnect_backoff_ms", 100), ("grpc.min_reconnect_backoff_ms", 100),
                     ("grpc.max_reconnect_backoff_ms", 1000)]


class MemberChannels:
    """gRPC stubs of azlab.member.v1.Member, one per address, opened in the caller's event loop and kept."""

    def __init__(self):
        self._stubs: dict[str, member_pb2_grpc.MemberStub] = {}

    def stub(self, address: str) -> member_pb2_grpc.MemberStub:
        if address not in self._stubs:  # a stub is built per address once: building one costs more than a call
            self._stubs[address] = member_pb2_grpc.MemberStub(
                grpc.aio.insecure_channel(address, options=RECONNECT_OPTIONS))
        return self._stubs[address]

    async def status(self, address: str, timeout_s: float) -> member_pb2.MemberStatus | None:
        """The member's Status, or None when it does not answer within `timeout_s`."""
        try:
            return await self.stub(address).Status(member_pb2.StatusRequest(), timeout=timeout_s)
        except grpc.aio.AioRpcError:
            return None

    async def configure(self, address: str, request: member_pb2.ConfigureRequest,
                        timeout_s: float) -> member_pb2.MemberStatus | None:
        """What the member holds once told `request`; None when it does not answer (or refuses a stale epoch,
        which the next probe shows)."""
        try:
            return await self.stub(address).Configure(request, timeout=timeout_s)
        except grpc.aio.AioRpcError:
            return None


class MemberContract:
    """What the runtime reads of an azlab.member.v1.MemberStatus: the part of a Driver every such service shares."""

    def epoch(self, status: member_pb2.MemberStatus) -> int:
        return status.epoch

    def position(self, status: member_pb2.MemberStatus) -> tuple[int, ...]:
        return tuple(status.position)

    def holds(self, member_id: str, status: member_pb2.MemberStatus, configuration: Configuration) -> bool:
        return (status.epoch, status.leader) == (configuration.epoch, configuration.leader)

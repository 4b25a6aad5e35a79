"""SQS on the controller: keep a queue replica running in every AZ, name the leader, fail over.

Each reconcile tick (level-triggered, so a failover, a restore-az and a
restarted controller are one code path):
1. every AZ has a placement (node, ports, data directory), recorded once;
2. every replica is probed (`Status`, bounded in time); a replica that does
   not answer while its node is alive is (re)started through its node agent,
   in the background so a cut-off node never stalls the tick;
3. the leader is judged from health evidence: its node down in the region
   model, or our own probes failing for `LEADER_SILENCE_S`; then a new leader
   is elected (below);
4. every reachable replica is told the configuration in force if it holds
   another.

An election is two steps. First the controller persists a new epoch and
fences every reachable replica with it (no leader yet): from then on they
refuse the old leader's appends, so their logs stop moving. Then, if the
fenced candidates (the suspect leader never among them) are a majority of all
replicas, the one with the most up-to-date log, by (last entry's epoch, last
index), leads. Every acknowledged entry is on a majority, so on at least one
candidate, and the most up-to-date candidate holds it.

The replicas start with the region's first SQS call (remembered in the store),
so a region that never uses SQS runs none of its processes. The region's front
end (`azlab.cluster.frontend`: the AWS endpoint and its own router, which asks
the replicas who leads) is kept running from here, SQS being its first user; a
restarted controller adopts the one that answers. This controller's router
serves only the gRPC API (control plane and SDK).
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from dataclasses import asdict, dataclass

import grpc

from azlab.cluster.frontend import AWS_ENDPOINT_KEY, FrontendSupervisor
from azlab.cluster.services import GrpcService, NodeUnreachable, ServiceContext
from azlab.cluster.sqs.router import LeaderRouter, ReplicaChannels
from azlab.cluster.sqs.servicer import SqsServicer
from azlab.sqs.v1 import replica_pb2, sqs_pb2, sqs_pb2_grpc

log = logging.getLogger(__name__)
SERVICE = "sqs"
PROBE_TIMEOUT_S = 0.3
CONFIGURE_TIMEOUT_S = 1.0
LEADER_SILENCE_S = 0.6
RESTART_INTERVAL_S = 2.0
ACTIVE_KEY = "sqs_active"


@dataclass(frozen=True)
class Placement:
    replica_id: str
    az: str
    node: str
    address: str
    port: int              # gRPC: azlab.sqs.v1.SqsReplica (configuration, status, health)
    replication_port: int  # the replication stream
    call_port: int         # the call stream: azlab.sqs.v1.Sqs's calls, from the router
    data_dir: str

    @property
    def endpoint(self) -> str:
        return f"{self.address}:{self.port}"

    @property
    def replication_endpoint(self) -> str:
        return f"{self.address}:{self.replication_port}"

    @property
    def call_endpoint(self) -> str:
        return f"{self.address}:{self.call_port}"


@dataclass
class Configuration:
    epoch: int = 0
    leader: str = ""  # replica id; "" while an election is under way


class SqsService:
    name = SERVICE

    def __init__(self, context: ServiceContext):
        self.context = context
        self.region = context.region
        self.store = context.store
        self.placements = {p["replica_id"]: Placement(**p) for p in self.store.resources(SERVICE, "replica")}
        docs = self.store.resources(SERVICE, "configuration")
        self.configuration = Configuration(**docs[0]) if docs else Configuration()
        self.channels = ReplicaChannels()
        self.router = LeaderRouter(self, self.channels)
        self.statuses: dict[str, replica_pb2.ReplicaStatus | None] = {}
        self._silent_since: dict[str, float] = {}
        self._changed = asyncio.Event()
        self._starting: dict[str, asyncio.Task] = {}
        self._started_at: dict[str, float] = {}
        self.frontend = FrontendSupervisor(context.paths, self.store, self.region.network.region_address())
        self.active = bool(self.store.get(ACTIVE_KEY, False))

    # ---- what the router and servicer read
    def activate(self) -> None:
        """The first SQS call of the region: from now on its replicas run."""
        if not self.active:
            self.store.put(ACTIVE_KEY, True)
            self.active = True

    def leader_address(self) -> tuple[str, int]:
        leader = self.placements.get(self.configuration.leader)
        return (leader.call_endpoint if leader else ""), self.configuration.epoch

    def configuration_changed(self) -> asyncio.Event:
        return self._changed

    def leader_failed(self, address: str, epoch: int) -> None:
        pass  # the reconcile tick judges the leader from its own probes

    def queue_url_base(self) -> str:
        return f"http://{self.store.get(AWS_ENDPOINT_KEY, '')}"

    def grpc_services(self) -> list[GrpcService]:
        return [GrpcService(sqs_pb2.DESCRIPTOR.services_by_name["Sqs"].full_name, SqsServicer(self),
                            sqs_pb2_grpc.add_SqsServicer_to_server)]

    # ---- the loop
    async def reconcile(self) -> None:
        await self.frontend.ensure()
        if not self.active:
            return
        self._ensure_placements()
        await self._probe()
        self._ensure_running()
        if self._leader_failed():
            await self._elect()
        await self._push_configuration()

    def _ensure_placements(self) -> None:
        for az in self.region.config.azs:
            replica_id = f"sqs-{az}"
            if replica_id in self.placements:
                continue
            node = next((n for n in self.region.nodes_in(az) if n.state == "alive"), None)
            if node is None:
                continue
            placement = Placement(replica_id, az, node.name, node.address,
                                  self.store.allocate_port(node.address, replica_id),
                                  self.store.allocate_port(node.address, replica_id),
                                  self.store.allocate_port(node.address, replica_id),
                                  str(self.context.paths.home / "sqs" / replica_id))
            self.store.put_resource(SERVICE, "replica", replica_id, asdict(placement))
            self.placements[replica_id] = placement

    async def _probe(self) -> None:
        ids = list(self.placements)
        answers = await asyncio.gather(*(self.channels.status(self.placements[i].endpoint, PROBE_TIMEOUT_S)
                                         for i in ids))
        now = time.monotonic()
        for replica_id, answer in zip(ids, answers):
            self.statuses[replica_id] = answer
            if answer is None:
                self._silent_since.setdefault(replica_id, now)
            else:
                self._silent_since.pop(replica_id, None)

    def _node_alive(self, placement: Placement) -> bool:
        node = self.region.nodes.get(placement.node)
        return node is not None and node.state == "alive"

    def _ensure_running(self) -> None:
        for replica_id, placement in self.placements.items():
            if self.statuses.get(replica_id) is not None or not self._node_alive(placement):
                continue
            running = self._starting.get(replica_id)
            if running and not running.done():
                continue
            if time.monotonic() - self._started_at.get(replica_id, 0.0) < RESTART_INTERVAL_S:
                continue
            self._started_at[replica_id] = time.monotonic()
            self._starting[replica_id] = asyncio.get_running_loop().create_task(self._start(placement))

    async def _start(self, p: Placement) -> None:
        argv = [sys.executable, "-m", "azlab.nodes.sqs.server", "--replica-id", p.replica_id,
                "--listen", p.endpoint, "--replication-listen", p.replication_endpoint,
                "--call-listen", p.call_endpoint, "--data-dir", p.data_dir, "--region", self.region.config.region]
        try:
            await self.context.agents.start_process(p.node, p.replica_id, argv)
        except NodeUnreachable as e:
            log.info("cannot start %s yet: %s", p.replica_id, e)

    def _leader_failed(self) -> bool:
        leader = self.configuration.leader
        if leader not in self.placements:
            return True
        if not self._node_alive(self.placements[leader]):
            return True
        silent_since = self._silent_since.get(leader)
        return silent_since is not None and time.monotonic() - silent_since >= LEADER_SILENCE_S

    async def _elect(self) -> None:
        suspect = self.configuration.leader
        reachable = [r for r, s in self.statuses.items() if s is not None]
        majority = len(self.placements) // 2 + 1
        candidates = [r for r in reachable if r != suspect and self._node_alive(self.placements[r])]
        if len(candidates) < majority or len(self.placements) < len(self.region.config.azs):
            return  # no majority to elect from: acknowledging nothing is the only safe answer
        epoch = max([self.configuration.epoch, *(s.epoch for s in self.statuses.values() if s)]) + 1
        self._set_configuration(Configuration(epoch, ""))
        fenced = await self._configure_all(reachable)
        eligible = {r: s for r, s in fenced.items() if r in candidates and s.epoch == epoch}
        if len(eligible) < majority:
            return  # some fencing failed: try again next tick, with a newer epoch
        order = list(self.region.config.azs)
        best = max(eligible, key=lambda r: (eligible[r].last_epoch, eligible[r].last_index,
                                            -order.index(self.placements[r].az)))
        self._set_configuration(Configuration(epoch, best))
        was = f", was {suspect}" if suspect else ""
        self.region.record("SqsLeaderElected", self.placements[best].az,
                           f"{best} leads the queue replicas under epoch {epoch} "
                           f"(log at {eligible[best].last_index}{was})")
        await self._push_configuration()

    def _set_configuration(self, configuration: Configuration) -> None:
        # persisted before any replica hears of it: a restarted controller never reuses an epoch
        self.store.put_resource(SERVICE, "configuration", "replication", asdict(configuration))
        self.configuration = configuration
        self._changed.set()
        self._changed = asyncio.Event()

    async def _configure_all(self, replica_ids: list[str]) -> dict[str, replica_pb2.ReplicaStatus]:
        peers = {r: p.replication_endpoint for r, p in self.placements.items()}
        request = replica_pb2.ConfigureRequest(epoch=self.configuration.epoch, leader_id=self.configuration.leader,
                                               peers=peers, queue_url_base=self.queue_url_base())

        async def configure(replica_id: str) -> tuple[str, replica_pb2.ReplicaStatus | None]:
            try:
                stub = self.channels.replica(self.placements[replica_id].endpoint)
                return replica_id, await stub.Configure(request, timeout=CONFIGURE_TIMEOUT_S)
            except grpc.aio.AioRpcError:
                return replica_id, None

        answers = await asyncio.gather(*(configure(r) for r in replica_ids))
        for replica_id, status in answers:
            if status is not None:
                self.statuses[replica_id] = status
        return {r: s for r, s in answers if s is not None}

    async def _push_configuration(self) -> None:
        """Tell every reachable replica that holds another configuration; followers before the leader."""
        wanted = self.configuration
        if not wanted.leader:
            return
        stale = [r for r, s in self.statuses.items() if s is not None and (
            s.epoch != wanted.epoch or s.leader_id != wanted.leader
            or s.role != ("leader" if r == wanted.leader else "follower"))]
        followers = [r for r in stale if r != wanted.leader]
        if followers:
            await self._configure_all(followers)
        if wanted.leader in stale:
            await self._configure_all([wanted.leader])

    def describe(self) -> sqs_pb2.DescribeQueueReplicasResponse:
        replicas = []
        for replica_id, p in sorted(self.placements.items()):
            s = self.statuses.get(replica_id)
            replicas.append(sqs_pb2.QueueReplica(
                replica_id=replica_id, availability_zone=p.az, node_name=p.node, address=p.endpoint,
                role=s.role if s else "unreachable", epoch=s.epoch if s else 0,
                last_index=s.last_index if s else 0, commit_index=s.commit_index if s else 0))
        return sqs_pb2.DescribeQueueReplicasResponse(epoch=self.configuration.epoch,
                                                     leader=self.configuration.leader, replicas=replicas)


def create(context: ServiceContext) -> SqsService:
    return SqsService(context)

"""SQS on the controller: a queue replica in every AZ, run by the replicated runtime.

The runtime (`azlab.cluster.replicated`, deciding with
`azlab.cluster.membership`) places a replica on a living node of each AZ,
keeps it running, probes it, and fails the leader over: a new epoch fences
the replicas (from then on they refuse the old leader's appends), then the
most up-to-date of a majority leads. Every acknowledged entry is on a
majority, so the new leader holds it. This module is SQS's `Driver`: the
replica's ports and process, what it is told (`SqsReplicaSettings`) under the
node contract (azlab.member.v1.Member), and its role, which `holds` checks
besides the epoch and the leader. How far its log reaches (last entry's
epoch, last index) is the contract's position.

The replicas start with the region's first SQS call (remembered in the store),
so a region that never uses SQS runs none of its processes. The region's front
end (`azlab.cluster.frontend`: the AWS endpoint and its own router, which asks
the replicas who leads) is kept running from here, SQS being its first user; a
restarted controller adopts the one that answers. This controller's router
serves only the gRPC API (control plane and SDK).
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from dataclasses import dataclass

from azlab.cluster.frontend import AWS_ENDPOINT_KEY, FrontendSupervisor
from azlab.cluster.membership import Configuration, MajorityQuorum
from azlab.cluster.replicated import MemberContract, Members
from azlab.cluster.services import GrpcService, ServiceContext
from azlab.cluster.sqs.router import LeaderRouter, ReplicaChannels
from azlab.cluster.sqs.servicer import SqsServicer
from azlab.member.v1 import member_pb2
from azlab.sqs.v1 import sqs_pb2, sqs_pb2_grpc
from azlab.sqs.v1.replica_pb2 import SqsReplicaDetail, SqsReplicaSettings

SERVICE = "sqs"
PROBE_TIMEOUT_S = 0.3
CONFIGURE_TIMEOUT_S = 1.0
LEADER_SILENCE_S = 0.6
ACTIVE_KEY = "sqs_active"


@dataclass(frozen=True)
class Placement:
    replica_id: str
    az: str
    node: str
    address: str
    port: int              # gRPC: azlab.member.v1.Member (configuration, status) and health
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


def last_index(status: member_pb2.MemberStatus) -> int:
    return status.position[1]  # a replica's position: its last entry's epoch, its last index


def commit_index(status: member_pb2.MemberStatus) -> int:
    detail = SqsReplicaDetail()
    status.detail.Unpack(detail)
    return detail.commit_index


class SqsDriver(MemberContract):
    """The queue replicas, as the replicated runtime sees them."""

    service = SERVICE
    placement_type = Placement

    def __init__(self, context: ServiceContext, channels: ReplicaChannels, queue_url_base: Callable[[], str]):
        self.context = context
        self.channels = channels
        self.queue_url_base = queue_url_base

    def member_id(self, az: str) -> str:
        return f"sqs-{az}"

    def place(self, member_id: str, az: str, node) -> Placement:
        ports = [self.context.store.allocate_port(node.address, member_id) for _ in range(3)]
        return Placement(member_id, az, node.name, node.address, *ports,
                         str(self.context.paths.home / "sqs" / member_id))

    def argv(self, p: Placement) -> list[str]:
        return [sys.executable, "-m", "azlab.nodes.sqs.server", "--replica-id", p.replica_id,
                "--listen", p.endpoint, "--replication-listen", p.replication_endpoint,
                "--call-listen", p.call_endpoint, "--data-dir", p.data_dir, "--region", self.context.region.config.region]

    async def status(self, p: Placement) -> member_pb2.MemberStatus | None:
        return await self.channels.status(p.endpoint, PROBE_TIMEOUT_S)

    async def configure(self, placements: dict[str, Placement], member_id: str,
                        configuration: Configuration) -> member_pb2.MemberStatus | None:
        request = member_pb2.ConfigureRequest(epoch=configuration.epoch, leader=configuration.leader)
        request.settings.Pack(SqsReplicaSettings(
            peers={r: p.replication_endpoint for r, p in placements.items()}, queue_url_base=self.queue_url_base()))
        return await self.channels.configure(placements[member_id].endpoint, request, CONFIGURE_TIMEOUT_S)

    def holds(self, member_id: str, status: member_pb2.MemberStatus, configuration: Configuration) -> bool:
        # a replica fenced by a peer may hold the epoch and the leader's name, not the role
        role = "leader" if member_id == configuration.leader else "follower"
        return super().holds(member_id, status, configuration) and status.role == role

    def settings(self, placements: dict[str, Placement]) -> str:
        return ""  # the replicas are led: their epoch moves by election only

    def retired(self, placement: Placement) -> None:
        pass  # the region's AZs never leave it, nor their replicas

    def elected(self, configuration: Configuration, previous: Configuration,
                statuses: dict[str, member_pb2.MemberStatus | None]) -> None:
        was = f", was {previous.leader}" if previous.leader and previous.leader != configuration.leader else ""
        status = statuses.get(configuration.leader)
        self.context.region.record(
            "SqsLeaderElected", configuration.leader.removeprefix("sqs-"),
            f"{configuration.leader} leads the queue replicas under epoch {configuration.epoch} "
            f"(log at {last_index(status) if status else 0}{was})")


class SqsService:
    name = SERVICE

    def __init__(self, context: ServiceContext):
        self.context = context
        self.region = context.region
        self.store = context.store
        self.channels = ReplicaChannels()
        self.members: Members[Placement, member_pb2.MemberStatus] = Members(
            context, SqsDriver(context, self.channels, self.queue_url_base), MajorityQuorum(LEADER_SILENCE_S))
        self.router = LeaderRouter(self, self.channels)
        self.frontend = FrontendSupervisor(context.paths, self.store, self.region.network.region_address())
        self.active = bool(self.store.get(ACTIVE_KEY, False))

    # ---- what the router and servicer read
    def activate(self) -> None:
        """The first SQS call of the region: from now on its replicas run."""
        if not self.active:
            self.store.put(ACTIVE_KEY, True)
            self.active = True

    def leader_address(self) -> tuple[str, int]:
        configuration = self.members.configuration
        leader = self.members.placements.get(configuration.leader)
        return (leader.call_endpoint if leader else ""), configuration.epoch

    def configuration_changed(self) -> asyncio.Event:
        return self.members.configuration_changed()

    def leader_failed(self, address: str, epoch: int) -> None:
        pass  # the reconcile tick judges the leader from its own probes

    def queue_url_base(self) -> str:
        return f"http://{self.store.get(AWS_ENDPOINT_KEY, '')}"

    def grpc_services(self) -> list[GrpcService]:
        return [GrpcService(sqs_pb2.DESCRIPTOR.services_by_name["Sqs"].full_name, SqsServicer(self),
                            sqs_pb2_grpc.add_SqsServicer_to_server)]

    async def reconcile(self) -> None:
        await self.frontend.ensure()
        if self.active:
            await self.members.reconcile()

    def describe(self) -> sqs_pb2.DescribeQueueReplicasResponse:
        replicas = []
        for replica_id, p in sorted(self.members.placements.items()):
            s = self.members.statuses.get(replica_id)
            replicas.append(sqs_pb2.QueueReplica(
                replica_id=replica_id, availability_zone=p.az, node_name=p.node, address=p.endpoint,
                role=s.role if s else "unreachable", epoch=s.epoch if s else 0,
                last_index=last_index(s) if s else 0, commit_index=commit_index(s) if s else 0))
        configuration = self.members.configuration
        return sqs_pb2.DescribeQueueReplicasResponse(epoch=configuration.epoch, leader=configuration.leader,
                                                     replicas=replicas)


def create(context: ServiceContext) -> SqsService:
    return SqsService(context)

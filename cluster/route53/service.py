"""Route53 on the controller: a name server in every AZ, run by the replicated runtime, told the model's zone data.

The runtime (`azlab.cluster.replicated.Members`, policy `Leaderless`: one
group over every AZ of the region, no member leading) places a name server
(nodes/route53/server.py) on a living node of each AZ, keeps its process
running, probes it (azlab.member.v1.Member Status) and, whenever what the
servers are to serve changes, persists a new epoch and tells every server
that answers (Configure, settings: the model's NameServerSettings snapshot).
This module is Route53's `Driver` (`NameServerDriver`: the server's ports,
process and state file; a digest of the model's zone-data version as what
they serve, which every change of zone data or health bumps) and what only
Route53 does with its servers, each tick:

1. the votes of the living checkers (the detail of the statuses of servers on
   nodes the region holds alive) decide each health check; a change of health
   is a new version, told the servers in the same tick;
2. changes whose version every AZ's server serves become INSYNC.

Servers on a dead AZ are neither told nor counted; they are told the current
settings when the AZ comes back. Servers keep answering while the controller
is away, from what they were last told (their state file; health included,
frozen until it returns).

Other services keep names here through `Dns` (cluster/interfaces.py), which
this service implements over its model: ELB its load balancers' names.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from azlab.cluster.interfaces import RecordSetChange, ResourceRecordSet
from azlab.cluster.membership import Configuration, Leaderless
from azlab.cluster.replicated import MemberChannels, MemberContract, Members
from azlab.cluster.route53.model import SERVICE, RecordSet, Route53Model, Vote, absolute_name
from azlab.cluster.services import GrpcService, ServiceContext
from azlab.member.v1 import member_pb2
from azlab.route53.v1.nameserver_pb2 import NameServerDetail

log = logging.getLogger(__name__)
PROBE_TIMEOUT_S = 0.5
CONFIGURE_TIMEOUT_S = 2.0


@dataclass(frozen=True)
class Placement:
    az: str
    node: str
    address: str
    port: int         # DNS, UDP and TCP
    member_port: int  # gRPC: azlab.member.v1.Member, grpc.health.v1
    state_file: str   # the last configuration told, read at start

    @property
    def member_endpoint(self) -> str:
        return f"{self.address}:{self.member_port}"


def detail(status: member_pb2.MemberStatus) -> NameServerDetail:
    found = NameServerDetail()
    status.detail.Unpack(found)
    return found


class NameServerDriver(MemberContract):
    """The name servers, as the replicated runtime sees them."""

    service = SERVICE
    placement_type = Placement

    def __init__(self, context: ServiceContext, model: Route53Model):
        self.context = context
        self.model = model
        self.channels = MemberChannels()
        self.data = context.paths.home / "data" / SERVICE

    def member_id(self, az: str) -> str:
        return f"{SERVICE}-dns-{az}"

    def place(self, member_id: str, az: str, node) -> Placement:
        port, member_port = (self.context.store.allocate_port(node.address, member_id) for _ in range(2))
        return Placement(az, node.name, node.address, port, member_port, str(self.data / f"{member_id}.binpb"))

    def argv(self, p: Placement) -> list[str]:
        return [sys.executable, "-m", "azlab.nodes.route53.server", "--member-id", self.member_id(p.az),
                "--address", p.address, "--port", str(p.port), "--member-port", str(p.member_port),
                "--state-file", p.state_file, "--az", p.az]

    async def status(self, p: Placement) -> member_pb2.MemberStatus | None:
        return await self.channels.status(p.member_endpoint, PROBE_TIMEOUT_S)

    async def configure(self, placements: dict[str, Placement], member_id: str,
                        configuration: Configuration) -> member_pb2.MemberStatus | None:
        request = member_pb2.ConfigureRequest(epoch=configuration.epoch)
        request.settings.Pack(self.model.snapshot(self.az_networks()))
        return await self.channels.configure(placements[member_id].member_endpoint, request, CONFIGURE_TIMEOUT_S)

    def settings(self, placements: dict[str, Placement]) -> str:
        return f"version {self.model.version}"

    def az_networks(self) -> dict[str, str]:
        region = self.context.region
        return {az: region.network.cidr(region.config.az_index(az)) for az in region.config.azs}

    def elected(self, configuration: Configuration, previous: Configuration,
                statuses: dict[str, member_pb2.MemberStatus | None]) -> None:
        pass  # no server leads

    def retired(self, placement: Placement) -> None:
        pass  # the region's AZs never leave it, nor their servers


class Route53:
    name = SERVICE

    def __init__(self, context: ServiceContext):
        self.context = context
        self.region = context.region
        self.model = Route53Model(context.store, list(context.region.config.azs))
        self.driver = NameServerDriver(context, self.model)
        self.members: Members[Placement, member_pb2.MemberStatus] = Members(context, self.driver, Leaderless())

    def grpc_services(self) -> list[GrpcService]:
        from azlab.cluster.route53.servicer import Route53Servicer
        from azlab.route53.v1 import route53_pb2, route53_pb2_grpc

        return [GrpcService(route53_pb2.DESCRIPTOR.services_by_name["Route53"].full_name,
                            Route53Servicer(self), route53_pb2_grpc.add_Route53Servicer_to_server)]

    def az_networks(self) -> dict[str, str]:
        return self.driver.az_networks()

    # the tick
    async def reconcile(self) -> None:
        if not (self.model.zones or self.model.health_checks or self.members.placements):
            return  # nothing to serve: no servers started for nothing
        await self.members.reconcile()
        if self.model.record_votes(self._votes()):
            await self.members.retell()  # the new health (a new version) reaches the servers in this tick
        served = {placement.az: found.version for placement, found in self._living()}
        for change in self.model.served(served):
            log.info("change %s is in sync in every AZ", change.id)

    def _living(self) -> list[tuple[Placement, NameServerDetail]]:
        """What each server on a node the region holds alive said at the last probe or push."""
        return [(self.members.placements[m], detail(s)) for m, s in self.members.statuses.items()
                if s is not None and self.members.node_alive(self.members.placements[m])]

    def _votes(self) -> dict[str, list[Vote]]:
        """The living checkers' latest verdicts, by health check."""
        votes: dict[str, list[Vote]] = {}
        for placement, found in self._living():
            for hc_id, v in found.votes.items():
                votes.setdefault(hc_id, []).append(Vote(placement.az, placement.address, v.healthy, v.detail,
                                                        v.checked_at))
        return votes

    # Dns (cluster/interfaces.py)
    def hosted_zone_id(self, name: str, caller_reference: str, comment: str) -> str:
        name = absolute_name(name)
        zone = next((z for z in self.model.zones.values() if z.name == name and not z.private_zone), None)
        if zone is None:
            zone, _ = self.model.create_hosted_zone(name, caller_reference, comment)
        return zone.id

    def record_sets(self, zone_id: str, type: str) -> list[ResourceRecordSet]:
        return [ResourceRecordSet(r.name, r.type, r.ttl, tuple(r.values)) for r in self.model.zone(zone_id).records
                if r.type == type and r.policy == "simple" and not r.set_identifier and r.alias is None
                and r.ttl is not None]

    def change_record_sets(self, zone_id: str, changes: Sequence[RecordSetChange], comment: str) -> None:
        self.model.change_resource_record_sets(zone_id, [
            {"action": c.action, "record": RecordSet(c.record_set.name, c.record_set.type, c.record_set.ttl,
                                                     list(c.record_set.values))} for c in changes], comment)

    # what DescribeNameServers shows
    def name_servers(self) -> list[dict]:
        found = []
        for az in self.region.config.azs:
            placement = self.members.placements.get(self.driver.member_id(az))
            if placement is None:
                continue
            alive = self.members.node_alive(placement)
            status = self.members.statuses.get(self.driver.member_id(az)) if alive else None
            state = "serving" if status else "starting" if alive else "unreachable"
            found.append({"az": az, "node": placement.node, "address": placement.address, "port": placement.port,
                          "state": state, "zone_version": detail(status).version if status else 0})
        return found


def create(context: ServiceContext) -> Route53:
    return Route53(context)

"""ELB's controller side: one group of LB nodes per load balancer on the replicated runtime, and the LB's name in DNS.

Each load balancer is one `Members` group (azlab.cluster.replicated) named
after it, with a member (an LB node, nodes/elb/server.py) in each AZ it is
enabled in, none leading (`Leaderless`); `LbNodeDriver` says what a member
is. The runtime places each LB node on a living node of its AZ (on the LB
node's own address there, with a member port), keeps its process running
(started in the background: a dead AZ's start never holds the tick back),
probes it (`PROBE_TIMEOUT_S`, short: a cut-off AZ's node leaves the DNS
answer at once), retires the nodes of an AZ disabled (`set_azs`) or of a
deleted LB (`remove`), and tells every node its `LbNodeSettings` under a new
epoch whenever the digest of what the group's nodes serve changes (targets
follow EC2 through `Instances`: an instance's address, AZ and whether it runs
are in the digest).

What remains here, each tick after the groups' own reconcile:
1. each answering node's `LbNodeDetail` (its view of each target's health,
   its counters) goes to the model;
2. the LB's DNS name, an A record in the ELB's own hosted zone
   (`<region>.elb.lab.`, kept through `Dns`), answers the addresses of the LB
   nodes that answered and can route to at least one healthy target; when
   none can, every answering node (as ELB, failing open); a dead AZ's never.

LB nodes keep serving while the controller is away, from their state files.
ELB meets other services only through cluster/interfaces.py: `Dns` (Route53
implements it) and `Instances` (EC2).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import shutil
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from azlab.cluster.elb.model import SERVICE, ElbModel, LoadBalancer
from azlab.cluster.interfaces import Dns, Placement, RecordSetChange, ResourceRecordSet
from azlab.cluster.membership import Configuration, Leaderless
from azlab.cluster.replicated import MemberChannels, MemberContract, Members
from azlab.cluster.services import GrpcService, ServiceContext
from azlab.common.errors import AzlabError, UnsupportedOperation
from azlab.elb.v1.lbnode_pb2 import LbNodeDetail, LbNodeSettings
from azlab.member.v1 import member_pb2

log = logging.getLogger(__name__)
PROBE_TIMEOUT_S = 0.5  # a node silent this long (a cut-off AZ's) leaves the LB's DNS answer at once
CONFIGURE_TIMEOUT_S = 1.0
# isolations where an LB node can have its own address: None, every loopback address is
# local already; else the device (and prefix length) of the host namespace it joins
ADDRESSABLE = {"loopback": None, "netns": "eth0/16"}
DNS_TTL = 1  # short, so that resolvers follow a lost AZ within seconds
ZONE_REFERENCE = "azlab-elb"


@dataclass(frozen=True)
class LbNodePlacement:
    member_id: str
    lb: str
    az: str
    node: str
    node_address: str  # the LB node's own: its listeners and its member port bind it
    port: int          # azlab.member.v1.Member and grpc.health.v1
    state_file: str    # what it was last told, with its epoch: a restarted node serves from it

    @property
    def endpoint(self) -> str:
        return f"{self.node_address}:{self.port}"


class LbNodeDriver(MemberContract):
    """One load balancer's LB nodes, as the replicated runtime sees them."""

    service = SERVICE
    placement_type = LbNodePlacement

    def __init__(self, elb: Elb, lb: str):
        self.elb = elb
        self.lb = lb

    def member_id(self, az: str) -> str:
        return f"{SERVICE}-{self.lb}-{az}"

    def place(self, member_id: str, az: str, node) -> LbNodePlacement:
        address = self.elb.node_address(self.elb.ticking[self.lb], az)
        return LbNodePlacement(member_id, self.lb, az, node.name, address,
                               self.elb.store.allocate_port(address, member_id), str(self.elb.data / self.lb / f"{az}.pb"))

    def argv(self, p: LbNodePlacement) -> list[str]:
        argv = [sys.executable, "-m", "azlab.nodes.elb.server", "--member-id", p.member_id, "--address", p.node_address,
                "--member-port", str(p.port), "--az", p.az, "--state-file", p.state_file]
        if device := ADDRESSABLE[self.elb.region.network.isolation]:
            argv += ["--add-address", device]
        return argv

    async def status(self, p: LbNodePlacement) -> member_pb2.MemberStatus | None:
        return await self.elb.channels.status(p.endpoint, PROBE_TIMEOUT_S)

    async def configure(self, placements: dict[str, LbNodePlacement], member_id: str,
                        configuration: Configuration) -> member_pb2.MemberStatus | None:
        request = member_pb2.ConfigureRequest(epoch=configuration.epoch)
        request.settings.Pack(self.elb.node_settings(placements[member_id]))
        return await self.elb.channels.configure(placements[member_id].endpoint, request, CONFIGURE_TIMEOUT_S)

    def settings(self, placements: dict[str, LbNodePlacement]) -> str:
        """A digest of every node's settings: what any of them is to serve changes, they are told under a new epoch."""
        digest = hashlib.sha256()
        for member_id in sorted(placements):
            digest.update(self.elb.node_settings(placements[member_id]).SerializeToString(deterministic=True))
        return digest.hexdigest()

    def elected(self, configuration: Configuration, previous: Configuration, statuses: dict) -> None:
        pass  # never called: no LB node leads

    def retired(self, p: LbNodePlacement) -> None:
        state = Path(p.state_file)
        state.unlink(missing_ok=True)
        self.elb.forget_counted(p.member_id)
        if self.lb not in self.elb.model.load_balancers:
            shutil.rmtree(state.parent, ignore_errors=True)


class Elb:
    name = SERVICE

    def __init__(self, context: ServiceContext):
        if context.dns is None or context.instances is None:
            raise ValueError("ELB needs a Dns and an Instances in its context (cluster/interfaces.py)")
        self.context = context
        self.dns = context.dns
        self.instances = context.instances
        self.region = context.region
        self.store = context.store
        self.data = context.paths.home / "data" / SERVICE
        self.model = ElbModel(context.store, list(context.region.config.azs), context.region.config.region)
        self.channels = MemberChannels()
        self.groups: dict[str, Members[LbNodePlacement, member_pb2.MemberStatus]] = {}
        for lb in {doc["lb"] for doc in self.store.resources(SERVICE, "member")} - set(self.model.load_balancers):
            self._group(lb, ())  # the nodes of an LB deleted while the controller was away: removed on the next tick
        # this tick's load balancers and where EC2 has their instances: what the groups' members are told (an LB
        # deleted while the groups reconcile is still whole until the next tick removes its group)
        self.ticking: dict[str, LoadBalancer] = {}
        self.targets: dict[str, Placement] = {}
        self.serving: dict[str, dict[str, tuple[LbNodePlacement, LbNodeDetail]]] = {}  # LB -> AZ -> node answering
        # by member: its counters as last added to the LB's (a restarted node counts from zero again)
        self.counted: dict[str, dict[str, int]] = {d["member_id"]: d["counters"]
                                                  for d in self.store.resources(SERVICE, "counted")}

    def grpc_services(self) -> list[GrpcService]:
        from azlab.cluster.elb.servicer import ElbServicer
        from azlab.elb.v1 import elb_pb2, elb_pb2_grpc

        return [GrpcService(elb_pb2.DESCRIPTOR.services_by_name["Elb"].full_name, ElbServicer(self),
                            elb_pb2_grpc.add_ElbServicer_to_server)]

    def placements(self, instance_ids: Iterable[str] = ()) -> dict[str, Placement]:
        """Where EC2 has every instance registered with a load balancer, and each of `instance_ids`."""
        registered = (i for lb in self.model.load_balancers.values() for i in lb.instances)
        return self.instances.placements({*registered, *instance_ids})

    def check_supported(self) -> None:
        if self.region.network.isolation not in ADDRESSABLE:
            raise UnsupportedOperation("LB nodes need addresses of their own, which this lab gives under loopback and "
                                       f"netns isolation only so far (this region uses {self.region.network.isolation})")

    def node_address(self, lb: LoadBalancer, az: str) -> str:
        # LB nodes have the AZ's x.x.2.0/24 (hosts .0.x, instances .1.x): LB number k is .2.k in every AZ
        prefix = ".".join(self.region.network.cidr(self.region.config.az_index(az)).split(".")[:2])
        return f"{prefix}.2.{lb.node_index}"

    def node_settings(self, p: LbNodePlacement) -> LbNodeSettings:
        """What the LB node of `p` is to serve, as its LB and EC2's instances were at this tick's start."""
        return self.model.node_config(self.ticking[p.lb], p.az, p.node_address, self.targets)

    # the tick
    async def reconcile(self) -> None:
        lbs = list(self.model.load_balancers.values())
        if not (lbs or self.groups):
            return
        self.ticking, self.targets = {lb.name: lb for lb in lbs}, self.placements()
        for lb in lbs:
            self._group(lb.name, lb.availability_zones)
        gone = [name for name in self.groups if name not in self.model.load_balancers]
        kept = [lb for lb in lbs if lb.name in self.groups]
        removed = await asyncio.gather(*(self.groups[name].remove() for name in gone),
                                       *(self.groups[lb.name].reconcile() for lb in kept))
        for name, done in zip(gone, removed):
            if done:
                del self.groups[name]
            self.serving.pop(name, None)
        for lb in kept:
            if lb.name not in self.model.load_balancers:  # deleted while the groups were reconciled
                continue
            self.serving[lb.name] = self._answering(lb)
            self.model.record_observations(lb.name, {
                az: {t: {"state": h.state, "description": h.description} for t, h in detail.targets.items()}
                for az, (_, detail) in self.serving[lb.name].items()})
            self._count(lb)
        self._publish()

    def _group(self, name: str, azs: Iterable[str]) -> Members[LbNodePlacement, member_pb2.MemberStatus]:
        """The LB's group of nodes, over `azs` from now on."""
        group = self.groups.get(name)
        if group is None:
            group = self.groups[name] = Members(self.context, LbNodeDriver(self, name), Leaderless(), group=name,
                                                azs=tuple(azs))
        elif group.member_ids != tuple(group.driver.member_id(az) for az in azs):
            group.set_azs(tuple(azs))
        return group

    def _answering(self, lb: LoadBalancer) -> dict[str, tuple[LbNodePlacement, LbNodeDetail]]:
        """By AZ: the LB's nodes that answered this tick's probe (or push), on a node the region sees alive."""
        group = self.groups[lb.name]
        found = {}
        for az in lb.availability_zones:
            member_id = group.driver.member_id(az)
            p, status = group.placements.get(member_id), group.statuses.get(member_id)
            if p is None or status is None or not self.region.node_alive(p.node):
                continue
            detail = LbNodeDetail()
            if status.detail.Unpack(detail):
                found[az] = (p, detail)
        return found

    def _count(self, lb: LoadBalancer) -> None:
        """Add what each node counted since the last look (a restarted node counts from zero again)."""
        deltas: dict[str, int] = {}
        for p, detail in self.serving[lb.name].values():
            now = {f.name: getattr(detail.counters, f.name) for f in detail.counters.DESCRIPTOR.fields}
            before = self.counted.get(p.member_id, {})
            restarted = any(now.get(k, 0) < v for k, v in before.items())
            changed = False
            for name, value in now.items():
                delta = value if restarted else value - before.get(name, 0)
                if delta:
                    deltas[name] = deltas.get(name, 0) + delta
                    changed = True
            if changed or restarted:
                self.counted[p.member_id] = now
                self.store.put_resource(SERVICE, "counted", p.member_id, {"member_id": p.member_id, "counters": now})
        self.model.add_counters(lb.name, deltas)

    def forget_counted(self, member_id: str) -> None:
        self.counted.pop(member_id, None)
        self.store.delete_resource(SERVICE, "counted", member_id)

    # DNS
    def _zone_id(self) -> str:
        return self.dns.hosted_zone_id(self.model.zone_name, f"{ZONE_REFERENCE}-{self.model.region}",
                                       "load balancers' names; owned by the ELB service")

    def route53_zone_id(self) -> str:
        """The ELB zone's id: an alias record to a load balancer names it as its HostedZoneId."""
        try:
            return self._zone_id()
        except AzlabError:
            return ""

    def dns_addresses(self, lb: LoadBalancer) -> list[str]:
        serving = self.serving.get(lb.name, {}).values()
        healthy = sorted(p.node_address for p, detail in serving if detail.routable > 0)
        return healthy or sorted(p.node_address for p, _ in serving)

    def _publish(self) -> None:
        try:
            publish_names(self.dns, self._zone_id(),
                          {self.model.fqdn(lb): self.dns_addresses(lb) for lb in self.model.load_balancers.values()})
        except AzlabError as e:
            log.warning("cannot keep load balancers' names in DNS: %s", e)

    # what DescribeLoadBalancerNodes shows
    def describe_nodes(self, lb: LoadBalancer) -> list[dict]:
        in_dns = set(self.dns_addresses(lb))
        group, serving = self.groups.get(lb.name), self.serving.get(lb.name, {})
        found = []
        for az in lb.availability_zones:
            p = group.placements.get(group.driver.member_id(az)) if group else None
            if p is None:
                found.append({"az": az, "address": "", "state": "pending", "in_dns": False, "routable": 0, "errors": []})
                continue
            detail = serving[az][1] if az in serving else None
            state = "serving" if detail else "unreachable" if not self.region.node_alive(p.node) else "starting"
            found.append({"az": az, "address": p.node_address, "state": state,
                          "in_dns": p.node_address in in_dns and detail is not None,
                          "routable": detail.routable if detail else 0,
                          "errors": [detail.errors[port] for port in sorted(detail.errors)] if detail else []})
        return found


def publish_names(dns: Dns, zone_id: str, answers: dict[str, list[str]]) -> None:
    """Make the zone's A record sets answer `answers` (name -> addresses), in one change when any differs.

    A name with no address keeps its last answer rather than vanish (its LB has no serving node, or
    none the controller can see); an A record set of a name not in `answers` is withdrawn.
    """
    names = {name.lower() for name in answers}  # DNS names ignore case: "Web"'s record set is Dns's "web"
    wanted = [ResourceRecordSet(name.lower(), "A", DNS_TTL, tuple(addresses)) for name, addresses in answers.items()
              if addresses]
    published = {r.name: r for r in dns.record_sets(zone_id, "A")}
    changes = [RecordSetChange("UPSERT", r) for r in wanted if published.get(r.name) != r]
    changes += [RecordSetChange("DELETE", r) for name, r in published.items() if name not in names]
    if changes:
        dns.change_record_sets(zone_id, changes, "ELB: LB nodes' health")


def create(context: ServiceContext) -> Elb:
    return Elb(context)

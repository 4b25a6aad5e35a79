"""ELB's controller side: an LB node per load balancer and enabled AZ, and the LB's name in Route53.

Level-triggered (cluster/services.py), each tick:

1. Every (load balancer, enabled AZ) has one LB node (nodes/elb/server.py) on a
   living node of the AZ, listening on its own address; a node whose process is
   gone is started again (it reloads its last config from its state file). A
   node of a deleted LB or a disabled AZ is stopped.
2. Each reachable LB node is asked its status (first, and bounded: the DNS
   answer must not wait on a dead AZ's agent) and pushed its config when the
   digest it serves differs from the model's (targets follow EC2: an instance's
   address, AZ and whether it runs, through `Instances`). Its view of each
   target's health and its counters go to the model.
3. The LB's DNS name, an A record in the ELB's own hosted zone
   (`<region>.elb.lab.`, kept through `Dns`), answers the addresses
   of the LB nodes that serve and can route to at least one healthy target; when
   none can, every serving node (as ELB, failing open); a dead AZ's node never.

LB nodes keep serving while the controller is away, from their last config.
ELB meets other services only through cluster/interfaces.py: `Dns` (Route53
implements it) and `Instances` (EC2).
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import sys
import time
from collections.abc import Iterable

from azlab.cluster.elb.model import SERVICE, ElbModel, LoadBalancer
from azlab.cluster.interfaces import Dns, Placement, RecordSetChange, ResourceRecordSet
from azlab.common.errors import AzlabError, UnsupportedOperation
from azlab.cluster.services import GrpcService, NodeUnreachable, ServiceContext, admin_call
from azlab.nodes.elb.server import digest

log = logging.getLogger(__name__)
ADMIN_TIMEOUT_S = 0.5  # a node silent this long (a cut-off AZ's) leaves the LB's DNS answer at once
PROCESS_CHECK_INTERVAL_S = 1.0
LOOK_TIMEOUT_S = 1.0
# isolations where an LB node can have its own address: None, every loopback address is
# local already; else the device (and prefix length) of the host namespace it joins
ADDRESSABLE = {"loopback": None, "netns": "eth0/16"}
DNS_TTL = 1  # short, so that resolvers follow a lost AZ within seconds
ZONE_REFERENCE = "azlab-elb"


def process_name(lb: str, az: str) -> str:
    return f"{SERVICE}-{lb}-{az}"


class Elb:
    name = SERVICE

    def __init__(self, context: ServiceContext):
        if context.dns is None or context.instances is None:
            raise ValueError("ELB needs a Dns and an Instances in its context (cluster/interfaces.py)")
        self.dns = context.dns
        self.instances = context.instances
        self.region = context.region
        self.store = context.store
        self.agents = context.agents
        self.data = context.paths.home / "data" / SERVICE
        self.model = ElbModel(context.store, list(context.region.config.azs), context.region.config.region)
        self.nodes: dict[str, dict] = {d["key"]: d for d in self.store.resources(SERVICE, "node")}
        self.status: dict[str, dict] = {}  # by node key: what the LB node said at the last look
        self._processes_checked: dict[str, float] = {}

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

    # the tick
    async def reconcile(self) -> None:
        if not (self.model.load_balancers or self.nodes):
            return
        placements = self.placements()
        wanted = {f"{lb.name}/{az}": (lb, az) for lb in self.model.load_balancers.values() for az in lb.availability_zones}
        for key in [k for k in self.nodes if k not in wanted]:
            await self._retire(key)
        await asyncio.gather(*(self._look(key, lb, az, placements) for key, (lb, az) in wanted.items()))
        for lb in list(self.model.load_balancers.values()):
            keys = [f"{lb.name}/{az}" for az in lb.availability_zones]
            self.model.record_observations(lb.name, {
                self.nodes[k]["az"]: self.status[k]["targets"] for k in keys if k in self.status})
            self._count(lb, keys)
        self._publish()
        # last: asking a dead AZ's agent takes its timeout, which must not hold the DNS answer back
        await asyncio.gather(*(self._ensure_process(self.nodes[k]) for k in wanted
                               if k in self.nodes and k not in self.status and self._alive(k)))

    def _alive(self, key: str) -> bool:
        node = self.nodes.get(key)
        return node is not None and self.region.node_alive(node["node"])

    async def _look(self, key: str, lb: LoadBalancer, az: str, placements: dict[str, Placement]) -> None:
        """The node's status, its config pushed when it serves another; no status when it does not answer."""
        node = self._place(key, lb, az)
        if node is None or not self._alive(key):
            self.status.pop(key, None)
            return
        config = self.model.node_config(lb, az, node["address"], placements)
        try:
            status = await self._admin(node, {"op": "status"})
            if status["digest"] != digest(config):
                status = await self._admin(node, {"op": "push", "config": config})
        except (OSError, asyncio.TimeoutError, ValueError, KeyError):
            self.status.pop(key, None)
            return
        self.status[key] = status

    def _place(self, key: str, lb: LoadBalancer, az: str) -> dict | None:
        """The LB node's record: where it runs, or on a living node of the AZ if it has none yet (or its host is gone)."""
        node = self.nodes.get(key)
        if node and node["node"] in self.region.nodes:
            return node
        host = next((n for n in self.region.nodes_in(az) if n.state == "alive"), None)
        if host is None:
            return None
        address = self.node_address(lb, az)
        self.store.release_ports(f"{SERVICE}-{key}")
        node = {"key": key, "lb": lb.name, "az": az, "node": host.name, "address": address,
                "admin_port": self.store.allocate_port(address, f"{SERVICE}-{key}"), "counted": {}}
        self.store.put_resource(SERVICE, "node", key, node)
        self.nodes[key] = node
        return node

    async def _ensure_process(self, node: dict) -> None:
        now = time.monotonic()
        if now - self._processes_checked.get(node["key"], 0) < PROCESS_CHECK_INTERVAL_S:
            return
        self._processes_checked[node["key"]] = now
        name = process_name(node["lb"], node["az"])
        try:
            procs = await self.agents.processes(node["node"], LOOK_TIMEOUT_S)
            if procs.get(name, {}).get("running"):
                return
            argv = [sys.executable, "-m", "azlab.nodes.elb.server", "--address", node["address"],
                    "--admin-port", str(node["admin_port"]), "--az", node["az"],
                    "--state-file", str(self.data / node["lb"] / f"{node['az']}.json")]
            if device := ADDRESSABLE[self.region.network.isolation]:
                argv += ["--add-address", device]
            await self.agents.start_process(node["node"], name, argv)
            self.region.record("LoadBalancerNodeStarted", node["node"], f"{node['lb']} on {node['address']}")
        except NodeUnreachable as e:
            log.info("cannot reach %s for LB node %s yet: %s", node["node"], node["key"], e)

    async def _retire(self, key: str) -> None:
        node = self.nodes[key]
        if self._alive(key):
            try:
                await self.agents.stop_process(node["node"], process_name(node["lb"], node["az"]))
            except NodeUnreachable as e:
                log.info("cannot stop LB node %s yet: %s", key, e)
                return
        self.store.delete_resource(SERVICE, "node", key)
        self.store.release_ports(f"{SERVICE}-{key}")
        self.nodes.pop(key)
        self.status.pop(key, None)
        (self.data / node["lb"] / f"{node['az']}.json").unlink(missing_ok=True)
        if node["lb"] not in self.model.load_balancers:
            shutil.rmtree(self.data / node["lb"], ignore_errors=True)

    def _count(self, lb: LoadBalancer, keys: list[str]) -> None:
        """Add what each node counted since the last look (a restarted node counts from zero again)."""
        deltas: dict[str, int] = {}
        for key in keys:
            if key not in self.status:
                continue
            node, now = self.nodes[key], self.status[key]["counters"]
            before = node.get("counted") or {}
            restarted = any(now.get(k, 0) < v for k, v in before.items())
            changed = False
            for name, value in now.items():
                delta = value if restarted else value - before.get(name, 0)
                if delta:
                    deltas[name] = deltas.get(name, 0) + delta
                    changed = True
            if changed or restarted:
                node["counted"] = dict(now)
                self.store.put_resource(SERVICE, "node", key, node)
        self.model.add_counters(lb.name, deltas)

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
        serving = {self.nodes[k]["address"]: self.status[k] for az in lb.availability_zones
                   if (k := f"{lb.name}/{az}") in self.status}
        healthy = sorted(a for a, s in serving.items() if s["routable"] > 0)
        return healthy or sorted(serving)

    def _publish(self) -> None:
        try:
            publish_names(self.dns, self._zone_id(),
                          {self.model.fqdn(lb): self.dns_addresses(lb) for lb in self.model.load_balancers.values()})
        except AzlabError as e:
            log.warning("cannot keep load balancers' names in DNS: %s", e)

    @staticmethod
    async def _admin(node: dict, request: dict) -> dict:
        return await admin_call(node["address"], node["admin_port"], request, ADMIN_TIMEOUT_S)

    # what DescribeLoadBalancerNodes shows
    def describe_nodes(self, lb: LoadBalancer) -> list[dict]:
        in_dns = set(self.dns_addresses(lb))
        found = []
        for az in lb.availability_zones:
            key = f"{lb.name}/{az}"
            node = self.nodes.get(key)
            if node is None:
                found.append({"az": az, "address": "", "state": "pending", "in_dns": False, "routable": 0, "errors": []})
                continue
            status = self.status.get(key)
            state = "serving" if status else "unreachable" if not self._alive(key) else "starting"
            found.append({"az": az, "address": node["address"], "state": state,
                          "in_dns": node["address"] in in_dns and status is not None,
                          "routable": status["routable"] if status else 0,
                          "errors": list(status["errors"].values()) if status else []})
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

"""Route53's controller side: a DNS server in every AZ, kept serving the model's zone data.

Level-triggered (cluster/services.py), each tick:

1. Every AZ has one server (nodes/route53/server.py) on a living node of it;
   a server whose process is gone is started again (it reloads its last
   snapshot from its state file, so it answers at once).
2. Each reachable server is asked its status: the zone-data version it serves
   and its checkers' votes. A server behind the model's version gets the
   snapshot pushed. The votes of the living checkers (servers on nodes the
   region holds alive) decide each health check, and a change of health is a
   new version pushed like any other.
3. Changes whose version every AZ's server serves become INSYNC.

Servers on a dead AZ are neither pushed to nor counted; they catch up from the
next push when the AZ comes back. Servers keep answering while the controller
is away, from their last snapshot (health included, frozen until it returns).

Other services keep names here through `Dns` (cluster/interfaces.py), which
this service implements over its model: ELB its load balancers' names.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from collections.abc import Sequence

from azlab.cluster.interfaces import RecordSetChange, ResourceRecordSet
from azlab.cluster.route53.model import SERVICE, RecordSet, Route53Model, Vote, absolute_name
from azlab.cluster.services import GrpcService, NodeUnreachable, ServiceContext, admin_call
from azlab.cluster.state import NodeRecord

log = logging.getLogger(__name__)
ADMIN_TIMEOUT_S = 1.0
PROCESS_CHECK_INTERVAL_S = 1.0
LOOK_TIMEOUT_S = 1.0


def process_name(az: str) -> str:
    return f"{SERVICE}-dns-{az}"


class Route53:
    name = SERVICE

    def __init__(self, context: ServiceContext):
        self.context = context
        self.region = context.region
        self.store = context.store
        self.agents = context.agents
        self.data = context.paths.home / "data" / SERVICE
        self.model = Route53Model(context.store, list(context.region.config.azs))
        self.servers: dict[str, dict] = {d["az"]: d for d in self.store.resources(SERVICE, "server")}
        self.status: dict[str, dict] = {}  # by AZ: what its server said at the last look
        self._processes_checked: dict[str, float] = {}

    def grpc_services(self) -> list[GrpcService]:
        from azlab.cluster.route53.servicer import Route53Servicer
        from azlab.route53.v1 import route53_pb2, route53_pb2_grpc

        return [GrpcService(route53_pb2.DESCRIPTOR.services_by_name["Route53"].full_name,
                            Route53Servicer(self), route53_pb2_grpc.add_Route53Servicer_to_server)]

    def az_networks(self) -> dict[str, str]:
        config = self.region.config
        return {az: self.region.network.cidr(config.az_index(az)) for az in config.azs}

    # the tick
    async def reconcile(self) -> None:
        if not (self.model.zones or self.model.health_checks or self.servers):
            return  # nothing to serve: no servers started for nothing
        azs = list(self.region.config.azs)
        await asyncio.gather(*(self._reconcile_az(az) for az in azs))
        living = {az: s for az, s in self.status.items() if self._alive(az)}
        votes: dict[str, list[Vote]] = {}
        for az, status in living.items():
            for hc_id, v in status.get("votes", {}).items():
                votes.setdefault(hc_id, []).append(Vote(az, self.servers[az]["address"], v["healthy"], v["detail"], v["checked_at"]))
        if self.model.record_votes(votes):
            await asyncio.gather(*(self._push(az) for az in living))
        for change in self.model.served({az: s["version"] for az, s in self.status.items()}):
            log.info("change %s is in sync in every AZ", change.id)

    def _alive(self, az: str) -> bool:
        server = self.servers.get(az)
        return server is not None and self.region.node_alive(server["node"])

    async def _reconcile_az(self, az: str) -> None:
        server = self._place(az)
        if server is None or not self._alive(az):
            self.status.pop(az, None)
            return
        await self._ensure_process(server)
        try:
            status = await self._admin(server, {"op": "status"})
        except (OSError, asyncio.TimeoutError, ValueError):
            self.status.pop(az, None)
            return
        self.status[az] = status
        if status["version"] < self.model.version:
            await self._push(az)

    def _place(self, az: str) -> dict | None:
        """This AZ's server: where it is, or on a living node of the AZ if it has none yet (or its node is gone)."""
        server = self.servers.get(az)
        if server and server["node"] in self.region.nodes:
            return server
        node: NodeRecord | None = next((n for n in self.region.nodes_in(az) if n.state == "alive"), None)
        if node is None:
            return None
        owner = f"{SERVICE}-{az}"
        self.store.release_ports(owner)
        server = {"az": az, "node": node.name, "address": node.address,
                  "port": self.store.allocate_port(node.address, owner),
                  "admin_port": self.store.allocate_port(node.address, owner)}
        self.store.put_resource(SERVICE, "server", az, server)
        self.servers[az] = server
        return server

    async def _ensure_process(self, server: dict) -> None:
        now = time.monotonic()
        if now - self._processes_checked.get(server["az"], 0) < PROCESS_CHECK_INTERVAL_S:
            return
        self._processes_checked[server["az"]] = now
        name = process_name(server["az"])
        try:
            procs = await self.agents.processes(server["node"], LOOK_TIMEOUT_S)
            if procs.get(name, {}).get("running"):
                return
            argv = [sys.executable, "-m", "azlab.nodes.route53.server", "--address", server["address"],
                    "--port", str(server["port"]), "--admin-port", str(server["admin_port"]),
                    "--state-file", str(self.data / f"{server['az']}.json"), "--az", server["az"]]
            await self.agents.start_process(server["node"], name, argv)
            self.region.record("NameServerStarted", server["node"], f"DNS on {server['address']}:{server['port']}")
        except NodeUnreachable as e:
            log.info("cannot reach %s for its DNS server yet: %s", server["node"], e)

    async def _push(self, az: str) -> None:
        server = self.servers[az]
        try:
            reply = await self._admin(server, {"op": "push", "snapshot": self.model.snapshot(self.az_networks())})
        except (OSError, asyncio.TimeoutError, ValueError) as e:
            log.info("push to %s failed: %r", az, e)
            return
        self.status.setdefault(az, {"votes": {}})["version"] = reply["version"]

    @staticmethod
    async def _admin(server: dict, request: dict) -> dict:
        return await admin_call(server["address"], server["admin_port"], request, ADMIN_TIMEOUT_S)

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
            server = self.servers.get(az)
            if server is None:
                continue
            status = self.status.get(az)
            state = "serving" if status else "unreachable" if not self._alive(az) else "starting"
            found.append({**server, "state": state, "zone_version": status["version"] if status else 0})
        return found


def create(context: ServiceContext) -> Route53:
    return Route53(context)

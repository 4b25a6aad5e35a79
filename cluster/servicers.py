"""gRPC servicers: wire <-> model, no decisions. Errors become statuses in one interceptor."""

from __future__ import annotations

from typing import TYPE_CHECKING

import grpc
from google.protobuf.timestamp_pb2 import Timestamp
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from azlab.chaos.v1 import chaos_pb2, chaos_pb2_grpc
from azlab.common.rpc import ErrorInterceptor
from azlab.cluster.services import GrpcService
from azlab.cluster.state import Event, Fault
from azlab.region.v1 import region_pb2, region_pb2_grpc

if TYPE_CHECKING:
    from azlab.cluster.controller import RegionController



def timestamp(seconds: float | None) -> Timestamp | None:
    if seconds is None:
        return None
    ts = Timestamp()
    ts.FromNanoseconds(int(seconds * 1e9))
    return ts


class RegionServicer(region_pb2_grpc.RegionServicer):
    def __init__(self, controller: RegionController):
        self.controller = controller
        self.region = controller.region

    async def DescribeRegion(self, request, context):
        config = self.region.config
        return region_pb2.DescribeRegionResponse(
            region=region_pb2.RegionInfo(
                region_name=config.region,
                isolation=config.isolation,
                ray_address=self.controller.runtime.gcs_address,
                endpoints=region_pb2.Endpoints(grpc=self.region.store.get("endpoint", ""),
                                           aws_http=self.region.store.get("aws_http_endpoint", "")),
                created_at=timestamp(self.region.store.get("created_at")),
                controller_started_at=timestamp(self.controller.started_at),
                services=sorted(s.full_name for s in grpc_services(self.controller)),
            )
        )

    async def DescribeAvailabilityZones(self, request, context):
        zones = [self.region.az(z) for z in request.zone_names] or list(self.region.config.azs)
        return region_pb2.DescribeAvailabilityZonesResponse(availability_zones=[self._zone(z) for z in zones])

    def _zone(self, az: str) -> region_pb2.AvailabilityZone:
        config = self.region.config
        return region_pb2.AvailabilityZone(
            zone_name=az,
            zone_id=config.zone_id(az),
            state=self.region.az_state(az),
            network_cidr=self.region.network.cidr(config.az_index(az)),
            nodes=[
                region_pb2.Node(
                    node_name=n.name, availability_zone=n.az, address=n.address, ray_node_id=n.ray_node_id,
                    state=n.state, last_heartbeat=timestamp(n.last_heartbeat),
                )
                for n in self.region.nodes_in(az)
            ],
            faults=sorted({f.kind for f in self.region.faults([az])}),
        )

    async def DescribeEvents(self, request, context):
        events, token = self.region.events(
            start_time=request.start_time.ToNanoseconds() / 1e9 if request.HasField("start_time") else 0.0,
            types=list(request.event_types), source=request.source,
            max_results=request.max_results, next_token=request.next_token,
        )
        return region_pb2.DescribeEventsResponse(events=[_event(e) for e in events], next_token=token)


def _event(e: Event) -> region_pb2.Event:
    return region_pb2.Event(event_id=e.event_id, time=timestamp(e.time), event_type=e.event_type, source=e.source, message=e.message)


def _fault(f: Fault) -> chaos_pb2.Fault:
    return chaos_pb2.Fault(
        fault_id=f.fault_id, kind=f.kind, availability_zone=f.availability_zone, node_name=f.node_name,
        latency_ms=f.latency_ms, loss_pct=f.loss_pct, started_at=timestamp(f.started_at), processes_killed=f.processes_killed,
    )


class ChaosServicer(chaos_pb2_grpc.ChaosServicer):
    def __init__(self, controller: RegionController):
        self.chaos = controller.chaos
        self.region = controller.region

    async def KillAz(self, request, context):
        return chaos_pb2.KillAzResponse(fault=_fault(await self.chaos.kill_az(request.availability_zone)))

    async def PartitionAz(self, request, context):
        return chaos_pb2.PartitionAzResponse(fault=_fault(await self.chaos.partition_az(request.availability_zone)))

    async def SlowAz(self, request, context):
        fault = await self.chaos.slow_az(request.availability_zone, request.latency_ms, request.loss_pct)
        return chaos_pb2.SlowAzResponse(fault=_fault(fault))

    async def RestoreAz(self, request, context):
        restored = await self.chaos.restore_az(request.availability_zone)
        return chaos_pb2.RestoreAzResponse(restored=[_fault(f) for f in restored])

    async def KillNode(self, request, context):
        return chaos_pb2.KillNodeResponse(fault=_fault(await self.chaos.kill_node(request.node_name)))

    async def DescribeFaults(self, request, context):
        faults = self.region.faults(list(request.zone_names))
        return chaos_pb2.DescribeFaultsResponse(faults=[_fault(f) for f in faults])


def grpc_services(controller: RegionController) -> list[GrpcService]:
    """The region's own services, then those of every regional service it hosts."""
    return [
        GrpcService(region_pb2.DESCRIPTOR.services_by_name["Region"].full_name, RegionServicer(controller),
                    region_pb2_grpc.add_RegionServicer_to_server),
        GrpcService(chaos_pb2.DESCRIPTOR.services_by_name["Chaos"].full_name, ChaosServicer(controller),
                    chaos_pb2_grpc.add_ChaosServicer_to_server),
        *(g for service in controller.services for g in service.grpc_services()),
    ]


async def create_server(address: str, controller: RegionController) -> tuple[grpc.aio.Server, int]:
    """Bind `address` (port 0 picks one), register every service, health and reflection; start it."""
    server = grpc.aio.server(interceptors=[ErrorInterceptor()], options=[("grpc.so_reuseport", 0)])
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    services = grpc_services(controller)
    for service in services:
        service.add_to_server(service.servicer, server)
        await health_servicer.set(service.full_name, health_pb2.HealthCheckResponse.SERVING)
    await health_servicer.set("", health_pb2.HealthCheckResponse.SERVING)
    reflection.enable_server_reflection(
        [*(s.full_name for s in services), health.SERVICE_NAME, reflection.SERVICE_NAME], server)
    port = server.add_insecure_port(address)
    if port == 0:
        raise RuntimeError(f"cannot bind {address}")
    await server.start()
    return server, port

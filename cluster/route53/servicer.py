"""azlab.route53.v1 over gRPC: wire <-> model, no decisions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from azlab.cluster.route53.model import Change, HealthCheck, HostedZone, RecordSet
from azlab.cluster.servicers import timestamp
from azlab.route53.v1 import route53_pb2 as pb
from azlab.route53.v1 import route53_pb2_grpc

if TYPE_CHECKING:
    from azlab.cluster.route53.service import Route53


def _zone(zone: HostedZone) -> pb.HostedZone:
    return pb.HostedZone(id=f"/hostedzone/{zone.id}", name=zone.name, caller_reference=zone.caller_reference,
                         config=pb.HostedZoneConfig(comment=zone.comment, private_zone=zone.private_zone),
                         resource_record_set_count=len(zone.records))


def _change(change: Change) -> pb.ChangeInfo:
    return pb.ChangeInfo(id=f"/change/{change.id}", status=change.status,
                         submitted_at=timestamp(change.submitted_at), comment=change.comment)


def _record_to_pb(r: RecordSet) -> pb.ResourceRecordSet:
    message = pb.ResourceRecordSet(
        name=r.name, type=r.type, set_identifier=r.set_identifier, weight=r.weight or 0,
        has_weight=r.weight is not None, region=r.region, failover=r.failover,
        multi_value_answer=r.multi_value_answer, ttl=r.ttl or 0,
        resource_records=[pb.ResourceRecord(value=v) for v in r.values], health_check_id=r.health_check_id,
    )
    if r.geo_location:
        message.geo_location.CopyFrom(pb.GeoLocation(**r.geo_location))
    if r.alias:
        message.alias_target.CopyFrom(pb.AliasTarget(hosted_zone_id=r.alias["hosted_zone_id"], dns_name=r.alias["dns_name"],
                                                     evaluate_target_health=r.alias["evaluate_target_health"]))
    return message


def record_from_pb(m: pb.ResourceRecordSet) -> RecordSet:
    alias = None
    if m.HasField("alias_target"):
        alias = {"hosted_zone_id": m.alias_target.hosted_zone_id, "dns_name": m.alias_target.dns_name,
                 "evaluate_target_health": m.alias_target.evaluate_target_health}
    geo = None
    if m.HasField("geo_location"):
        geo = {"continent_code": m.geo_location.continent_code, "country_code": m.geo_location.country_code,
               "subdivision_code": m.geo_location.subdivision_code}
    return RecordSet(
        name=m.name, type=m.type, ttl=(m.ttl or None) if alias else m.ttl,
        values=[r.value for r in m.resource_records], set_identifier=m.set_identifier,
        weight=m.weight if m.has_weight else None, region=m.region, failover=m.failover,
        multi_value_answer=m.multi_value_answer, health_check_id=m.health_check_id, alias=alias, geo_location=geo,
    )


def _health_check(h: HealthCheck) -> pb.HealthCheck:
    return pb.HealthCheck(id=h.id, caller_reference=h.caller_reference, health_check_version=h.version,
                          health_check_config=pb.HealthCheckConfig(
                              ip_address=h.ip_address, port=h.port, type=h.type, resource_path=h.resource_path,
                              fully_qualified_domain_name=h.fully_qualified_domain_name, search_string=h.search_string,
                              request_interval=h.request_interval, failure_threshold=h.failure_threshold,
                              child_health_checks=h.child_health_checks, health_threshold=h.health_threshold,
                              inverted=h.inverted))


def _client_location(entry: dict) -> pb.ClientLocation:
    return pb.ClientLocation(cidr=entry["cidr"], location=pb.GeoLocation(**entry["location"]), source=entry.get("source", "user"))


class Route53Servicer(route53_pb2_grpc.Route53Servicer):
    def __init__(self, service: Route53):
        self.service = service
        self.model = service.model

    def _delegation(self) -> pb.DelegationSet:
        return pb.DelegationSet(name_servers=self.model.name_servers())

    async def CreateHostedZone(self, request, context):
        zone, change = self.model.create_hosted_zone(
            request.name, request.caller_reference, request.hosted_zone_config.comment,
            request.hosted_zone_config.private_zone)
        return pb.CreateHostedZoneResponse(hosted_zone=_zone(zone), change_info=_change(change),
                                           delegation_set=self._delegation())

    async def GetHostedZone(self, request, context):
        return pb.GetHostedZoneResponse(hosted_zone=_zone(self.model.zone(request.id)), delegation_set=self._delegation())

    async def ListHostedZones(self, request, context):
        return pb.ListHostedZonesResponse(hosted_zones=[_zone(z) for z in sorted(self.model.zones.values(), key=lambda z: z.name)])

    async def DeleteHostedZone(self, request, context):
        return pb.DeleteHostedZoneResponse(change_info=_change(self.model.delete_hosted_zone(request.id)))

    async def ChangeResourceRecordSets(self, request, context):
        changes = [{"action": c.action, "record": record_from_pb(c.resource_record_set)} for c in request.change_batch.changes]
        change = self.model.change_resource_record_sets(request.hosted_zone_id, changes, request.change_batch.comment)
        return pb.ChangeResourceRecordSetsResponse(change_info=_change(change))

    async def ListResourceRecordSets(self, request, context):
        zone = self.model.zone(request.hosted_zone_id)
        records = sorted(zone.records, key=lambda r: (r.name[::-1], r.type, r.set_identifier))
        return pb.ListResourceRecordSetsResponse(resource_record_sets=[_record_to_pb(r) for r in records])

    async def GetChange(self, request, context):
        return pb.GetChangeResponse(change_info=_change(self.model.change(request.id)))

    async def CreateHealthCheck(self, request, context):
        c = request.health_check_config
        config = {"type": c.type, "ip_address": c.ip_address, "port": c.port, "resource_path": c.resource_path,
                  "fully_qualified_domain_name": c.fully_qualified_domain_name, "search_string": c.search_string,
                  "request_interval": c.request_interval, "failure_threshold": c.failure_threshold,
                  "child_health_checks": list(c.child_health_checks), "health_threshold": c.health_threshold,
                  "inverted": c.inverted}
        return pb.CreateHealthCheckResponse(health_check=_health_check(self.model.create_health_check(request.caller_reference, config)))

    async def GetHealthCheck(self, request, context):
        return pb.GetHealthCheckResponse(health_check=_health_check(self.model.health_check(request.health_check_id)))

    async def ListHealthChecks(self, request, context):
        return pb.ListHealthChecksResponse(health_checks=[_health_check(h) for h in self.model.health_checks.values()])

    async def DeleteHealthCheck(self, request, context):
        self.model.delete_health_check(request.health_check_id)
        return pb.DeleteHealthCheckResponse()

    async def GetHealthCheckStatus(self, request, context):
        self.model.health_check(request.health_check_id)
        votes = sorted(self.model.votes.get(request.health_check_id, {}).values(), key=lambda v: v.az)
        return pb.GetHealthCheckStatusResponse(
            healthy=self.model.healthy(request.health_check_id),
            health_check_observations=[pb.HealthCheckObservation(region=v.az, ip_address=v.address, status=v.detail,
                                                                 checked_time=timestamp(v.checked_at)) for v in votes])

    async def DescribeNameServers(self, request, context):
        return pb.DescribeNameServersResponse(zone_version=self.model.version, name_servers=[
            pb.NameServer(availability_zone=s["az"], address=s["address"], port=s["port"], state=s["state"],
                          zone_version=s["zone_version"]) for s in self.service.name_servers()])

    async def PutClientLocation(self, request, context):
        location = {"continent_code": request.location.continent_code, "country_code": request.location.country_code,
                    "subdivision_code": request.location.subdivision_code}
        return pb.PutClientLocationResponse(client_location=_client_location(self.model.put_client_location(request.cidr, location)))

    async def DeleteClientLocation(self, request, context):
        self.model.delete_client_location(request.cidr)
        return pb.DeleteClientLocationResponse()

    async def ListClientLocations(self, request, context):
        return pb.ListClientLocationsResponse(client_locations=[
            _client_location(e) for e in self.model.locations(self.service.az_networks())])

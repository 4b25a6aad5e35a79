"""azlab.elb.v1 over gRPC: wire <-> model, no decisions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from azlab.cluster.elb.model import LoadBalancer, Listener
from azlab.cluster.servicers import timestamp
from azlab.elb.v1 import elb_pb2 as pb
from azlab.elb.v1 import elb_pb2_grpc

if TYPE_CHECKING:
    from azlab.cluster.elb.service import Elb


def _listener_from_pb(m: pb.Listener) -> Listener:
    return Listener(m.protocol, m.load_balancer_port, m.instance_protocol, m.instance_port, m.ssl_certificate_id)


def _health_check(h: dict) -> pb.HealthCheck:
    return pb.HealthCheck(target=h["target"], interval=h["interval"], timeout=h["timeout"],
                          unhealthy_threshold=h["unhealthy_threshold"], healthy_threshold=h["healthy_threshold"])


def _attributes(a: dict) -> pb.LoadBalancerAttributes:
    return pb.LoadBalancerAttributes(
        cross_zone_load_balancing=pb.CrossZoneLoadBalancing(enabled=a["cross_zone"]),
        connection_draining=pb.ConnectionDraining(enabled=a["draining_enabled"], timeout=a["draining_timeout"]),
        connection_settings=pb.ConnectionSettings(idle_timeout=a["idle_timeout"]))


def _certificate(c: dict) -> pb.ServerCertificateMetadata:
    return pb.ServerCertificateMetadata(server_certificate_name=c["name"], arn=c["arn"],
                                        upload_date=timestamp(c["uploaded_at"]), expiration=timestamp(c["expiration"]))


def _instances(ids: list[str]) -> list[pb.Instance]:
    return [pb.Instance(instance_id=i) for i in ids]


class ElbServicer(elb_pb2_grpc.ElbServicer):
    def __init__(self, service: Elb):
        self.service = service
        self.model = service.model

    def _describe(self, lb: LoadBalancer) -> pb.LoadBalancerDescription:
        zone = self.service.route53_zone_id()
        return pb.LoadBalancerDescription(
            load_balancer_name=lb.name, dns_name=self.model.fqdn(lb).rstrip("."),
            canonical_hosted_zone_name=self.model.fqdn(lb).rstrip("."), canonical_hosted_zone_name_id=zone,
            listener_descriptions=[pb.ListenerDescription(
                listener=pb.Listener(protocol=x.protocol, load_balancer_port=x.load_balancer_port,
                                     instance_protocol=x.instance_protocol, instance_port=x.instance_port,
                                     ssl_certificate_id=x.ssl_certificate_id),
                policy_names=x.policy_names) for x in lb.listeners],
            policies=pb.Policies(
                app_cookie_stickiness_policies=[pb.AppCookieStickinessPolicy(policy_name=p.name, cookie_name=p.cookie_name)
                                                for p in lb.policies if p.cookie_name],
                lb_cookie_stickiness_policies=[pb.LBCookieStickinessPolicy(
                    policy_name=p.name, cookie_expiration_period=p.cookie_expiration_period or 0)
                    for p in lb.policies if not p.cookie_name]),
            availability_zones=lb.availability_zones, instances=_instances(lb.instances),
            health_check=_health_check(lb.health_check), created_time=timestamp(lb.created_at), scheme=lb.scheme)

    async def CreateLoadBalancer(self, request, context):
        self.service.check_supported()
        lb = self.model.create_load_balancer(request.load_balancer_name, [_listener_from_pb(x) for x in request.listeners],
                                             list(request.availability_zones), request.scheme)
        return pb.CreateLoadBalancerResponse(dns_name=self.model.fqdn(lb).rstrip("."))

    async def DeleteLoadBalancer(self, request, context):
        self.model.delete_load_balancer(request.load_balancer_name)
        return pb.DeleteLoadBalancerResponse()

    async def DescribeLoadBalancers(self, request, context):
        return pb.DescribeLoadBalancersResponse(load_balancer_descriptions=[
            self._describe(lb) for lb in self.model.describe_load_balancers(list(request.load_balancer_names))])

    async def CreateLoadBalancerListeners(self, request, context):
        self.model.create_listeners(request.load_balancer_name, [_listener_from_pb(x) for x in request.listeners])
        return pb.CreateLoadBalancerListenersResponse()

    async def DeleteLoadBalancerListeners(self, request, context):
        self.model.delete_listeners(request.load_balancer_name, list(request.load_balancer_ports))
        return pb.DeleteLoadBalancerListenersResponse()

    async def RegisterInstancesWithLoadBalancer(self, request, context):
        wanted = [i.instance_id for i in request.instances]
        ids = self.model.register_instances(request.load_balancer_name, wanted, self.service.placements(wanted))
        return pb.RegisterInstancesResponse(instances=_instances(ids))

    async def DeregisterInstancesFromLoadBalancer(self, request, context):
        ids = self.model.deregister_instances(request.load_balancer_name, [i.instance_id for i in request.instances])
        return pb.DeregisterInstancesResponse(instances=_instances(ids))

    async def ConfigureHealthCheck(self, request, context):
        h = request.health_check
        check = self.model.configure_health_check(request.load_balancer_name, h.target, h.interval, h.timeout,
                                                  h.unhealthy_threshold, h.healthy_threshold)
        return pb.ConfigureHealthCheckResponse(health_check=_health_check(check))

    async def DescribeInstanceHealth(self, request, context):
        asked = [i.instance_id for i in request.instances]
        states = self.model.instance_health(request.load_balancer_name, asked, self.service.placements(asked))
        return pb.DescribeInstanceHealthResponse(instance_states=[
            pb.InstanceState(instance_id=s.instance_id, state=s.state, reason_code=s.reason_code, description=s.description)
            for s in states])

    async def EnableAvailabilityZonesForLoadBalancer(self, request, context):
        azs = self.model.enable_availability_zones(request.load_balancer_name, list(request.availability_zones))
        return pb.AvailabilityZonesResponse(availability_zones=azs)

    async def DisableAvailabilityZonesForLoadBalancer(self, request, context):
        azs = self.model.disable_availability_zones(request.load_balancer_name, list(request.availability_zones))
        return pb.AvailabilityZonesResponse(availability_zones=azs)

    async def ModifyLoadBalancerAttributes(self, request, context):
        a = request.load_balancer_attributes
        changes = {}
        if a.HasField("cross_zone_load_balancing"):
            changes["cross_zone"] = a.cross_zone_load_balancing.enabled
        if a.HasField("connection_draining"):
            changes["draining_enabled"] = a.connection_draining.enabled
            if a.connection_draining.timeout:
                changes["draining_timeout"] = a.connection_draining.timeout
        if a.HasField("connection_settings"):
            changes["idle_timeout"] = a.connection_settings.idle_timeout
        attributes = self.model.modify_attributes(request.load_balancer_name, changes)
        return pb.ModifyLoadBalancerAttributesResponse(load_balancer_name=request.load_balancer_name,
                                                       load_balancer_attributes=_attributes(attributes))

    async def DescribeLoadBalancerAttributes(self, request, context):
        lb = self.model.load_balancer(request.load_balancer_name)
        return pb.DescribeLoadBalancerAttributesResponse(load_balancer_attributes=_attributes(lb.attributes))

    async def CreateLBCookieStickinessPolicy(self, request, context):
        expiration = request.cookie_expiration_period if request.HasField("cookie_expiration_period") else None
        self.model.create_lb_cookie_policy(request.load_balancer_name, request.policy_name, expiration)
        return pb.CreateStickinessPolicyResponse()

    async def CreateAppCookieStickinessPolicy(self, request, context):
        self.model.create_app_cookie_policy(request.load_balancer_name, request.policy_name, request.cookie_name)
        return pb.CreateStickinessPolicyResponse()

    async def SetLoadBalancerPoliciesOfListener(self, request, context):
        self.model.set_listener_policies(request.load_balancer_name, request.load_balancer_port, list(request.policy_names))
        return pb.SetLoadBalancerPoliciesOfListenerResponse()

    async def DescribeLoadBalancerCounters(self, request, context):
        lb = self.model.load_balancer(request.load_balancer_name)
        counts = self.model.healthy_host_counts(lb.name, self.service.placements())
        return pb.DescribeLoadBalancerCountersResponse(
            load_balancer_name=lb.name, **{k: v for k, v in lb.counters.items() if k in pb.DescribeLoadBalancerCountersResponse.DESCRIPTOR.fields_by_name},
            host_counts=[pb.AzHostCount(availability_zone=az, healthy_host_count=h, unhealthy_host_count=u)
                         for az, (h, u) in sorted(counts.items())])

    async def DescribeLoadBalancerNodes(self, request, context):
        lb = self.model.load_balancer(request.load_balancer_name)
        return pb.DescribeLoadBalancerNodesResponse(nodes=[
            pb.LoadBalancerNode(availability_zone=n["az"], address=n["address"], state=n["state"], in_dns=n["in_dns"],
                                routable_targets=n["routable"], errors=n["errors"]) for n in self.service.describe_nodes(lb)])

    async def UploadServerCertificate(self, request, context):
        c = self.model.upload_server_certificate(request.server_certificate_name, request.certificate_body,
                                                 request.private_key, request.certificate_chain)
        return pb.ServerCertificateResponse(server_certificate_metadata=_certificate(c), certificate_body=c["body"],
                                            certificate_chain=c["chain"])

    async def IssueCertificate(self, request, context):
        c = self.model.issue_certificate(request.server_certificate_name, list(request.domain_names))
        return pb.ServerCertificateResponse(server_certificate_metadata=_certificate(c), certificate_body=c["body"],
                                            certificate_chain=c["chain"])

    async def ListServerCertificates(self, request, context):
        return pb.ListServerCertificatesResponse(server_certificate_metadata_list=[
            _certificate(c) for c in sorted(self.model.certificates.values(), key=lambda c: c["name"])])

    async def DeleteServerCertificate(self, request, context):
        self.model.delete_server_certificate(request.server_certificate_name)
        return pb.DeleteServerCertificateResponse()

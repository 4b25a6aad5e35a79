"""`azlab elb <operation>`, with aws-cli's operation and option names (aws elb ...).

`--load-balancer-name` may be written `--name`; `--instances` takes `i-1 i-2` or aws-cli's
`InstanceId=i-1 InstanceId=i-2`; `--listeners` takes aws-cli's shorthand
`Protocol=HTTP,LoadBalancerPort=80,InstancePort=8080` (one per listener);
configure-health-check takes aws-cli's `--health-check Target=HTTP:8080/health,Interval=5,...`
or the fields as options (`--target HTTP:8080/health --interval 1 ...`).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from azlab.cluster.cli import rpc
from azlab.cluster.elb.model import DEFAULT_HEALTH, ValidationError
from azlab.cluster.shorthand import ShorthandError, parse_flat
from azlab.elb.v1 import elb_pb2 as pb

LISTENER_KEYS = {"Protocol": "protocol", "LoadBalancerPort": "load_balancer_port", "InstanceProtocol": "instance_protocol",
                 "InstancePort": "instance_port", "SSLCertificateId": "ssl_certificate_id"}
HEALTH_KEYS = {"Target": "target", "Interval": "interval", "Timeout": "timeout",
               "UnhealthyThreshold": "unhealthy_threshold", "HealthyThreshold": "healthy_threshold"}


def shorthand(text: str, keys: dict[str, str], option: str) -> dict:
    """aws-cli's `A=1,B=x` into the proto's fields; ValidationError for bad shorthand, an unknown key or a bad number."""
    try:
        given = parse_flat(text, keys)
    except ShorthandError as e:
        raise ValidationError(f"--{option}: {e}") from None
    fields: dict[str, str | int] = {}
    for key, value in given.items():
        name = keys[key]
        if name.endswith(("port", "interval", "timeout", "threshold")):
            try:
                fields[name] = int(value)
            except ValueError:
                raise ValidationError(f"--{option}: {key} must be a number, not {value!r}") from None
        else:
            fields[name] = value
    return fields


def listeners(items: list[str]) -> list[pb.Listener]:
    return [pb.Listener(**shorthand(item, LISTENER_KEYS, "listeners")) for item in items]


def instances(items: list[str]) -> list[pb.Instance]:
    """`i-1`, or aws-cli's `InstanceId=i-1`."""
    return [pb.Instance(**shorthand(item, {"InstanceId": "instance_id"}, "instances")) if "=" in item
            else pb.Instance(instance_id=item) for item in items]


def health_check(a: argparse.Namespace) -> pb.HealthCheck:
    fields = shorthand(a.health_check, HEALTH_KEYS, "health-check") if a.health_check else {}
    for name in HEALTH_KEYS.values():
        if getattr(a, name) is not None:
            fields[name] = getattr(a, name)
    if "target" not in fields:
        raise ValidationError("a health check needs a Target (--target or --health-check Target=...)")
    defaults = dict(DEFAULT_HEALTH)
    defaults["timeout"] = min(defaults["timeout"], fields.get("interval", defaults["interval"]))
    return pb.HealthCheck(**{**defaults, **fields})


def _name(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--load-balancer-name", "--name", dest="name", required=True)


def add_commands(verbs) -> None:
    ops = verbs.add_parser("elb", help="azlab.elb.v1 (Classic Load Balancer)").add_subparsers(
        dest="op", required=True, metavar="OPERATION")

    create = ops.add_parser("create-load-balancer")
    _name(create)
    create.add_argument("--listeners", nargs="+", required=True, help="Protocol=HTTP,LoadBalancerPort=80,InstancePort=8080")
    create.add_argument("--availability-zones", nargs="+", required=True)
    create.add_argument("--scheme", default="", choices=("", "internet-facing", "internal"))
    create.set_defaults(run=rpc("elb", "CreateLoadBalancer", lambda a: pb.CreateLoadBalancerRequest(
        load_balancer_name=a.name, listeners=listeners(a.listeners), availability_zones=a.availability_zones,
        scheme=a.scheme)))

    delete = ops.add_parser("delete-load-balancer")
    _name(delete)
    delete.set_defaults(run=rpc("elb", "DeleteLoadBalancer", lambda a: pb.DeleteLoadBalancerRequest(load_balancer_name=a.name)))

    describe = ops.add_parser("describe-load-balancers")
    describe.add_argument("--load-balancer-names", "--names", dest="names", nargs="*", default=[])
    describe.set_defaults(run=rpc("elb", "DescribeLoadBalancers", lambda a: pb.DescribeLoadBalancersRequest(
        load_balancer_names=a.names)))

    add = ops.add_parser("create-load-balancer-listeners")
    _name(add)
    add.add_argument("--listeners", nargs="+", required=True)
    add.set_defaults(run=rpc("elb", "CreateLoadBalancerListeners", lambda a: pb.CreateLoadBalancerListenersRequest(
        load_balancer_name=a.name, listeners=listeners(a.listeners))))

    remove = ops.add_parser("delete-load-balancer-listeners")
    _name(remove)
    remove.add_argument("--load-balancer-ports", nargs="+", type=int, required=True)
    remove.set_defaults(run=rpc("elb", "DeleteLoadBalancerListeners", lambda a: pb.DeleteLoadBalancerListenersRequest(
        load_balancer_name=a.name, load_balancer_ports=a.load_balancer_ports)))

    for op, method, request in (
        ("register-instances-with-load-balancer", "RegisterInstancesWithLoadBalancer", pb.RegisterInstancesRequest),
        ("deregister-instances-from-load-balancer", "DeregisterInstancesFromLoadBalancer", pb.DeregisterInstancesRequest),
    ):
        sub = ops.add_parser(op)
        _name(sub)
        sub.add_argument("--instances", nargs="+", required=True, help="i-1 i-2, or InstanceId=i-1 InstanceId=i-2")
        sub.set_defaults(run=rpc("elb", method, lambda a, request=request: request(
            load_balancer_name=a.name, instances=instances(a.instances))))

    check = ops.add_parser("configure-health-check")
    _name(check)
    check.add_argument("--health-check", help="Target=HTTP:8080/health,Interval=30,Timeout=5,UnhealthyThreshold=2,HealthyThreshold=10")
    check.add_argument("--target")
    for option in ("interval", "timeout", "unhealthy-threshold", "healthy-threshold"):
        check.add_argument(f"--{option}", type=int)
    check.set_defaults(run=rpc("elb", "ConfigureHealthCheck", lambda a: pb.ConfigureHealthCheckRequest(
        load_balancer_name=a.name, health_check=health_check(a))))

    health = ops.add_parser("describe-instance-health")
    _name(health)
    health.add_argument("--instances", nargs="*", default=[])
    health.set_defaults(run=rpc("elb", "DescribeInstanceHealth", lambda a: pb.DescribeInstanceHealthRequest(
        load_balancer_name=a.name, instances=instances(a.instances))))

    for op, method in (("enable-availability-zones-for-load-balancer", "EnableAvailabilityZonesForLoadBalancer"),
                       ("disable-availability-zones-for-load-balancer", "DisableAvailabilityZonesForLoadBalancer")):
        sub = ops.add_parser(op)
        _name(sub)
        sub.add_argument("--availability-zones", nargs="+", required=True)
        sub.set_defaults(run=rpc("elb", method, lambda a: pb.AvailabilityZonesRequest(
            load_balancer_name=a.name, availability_zones=a.availability_zones)))

    modify = ops.add_parser("modify-load-balancer-attributes")
    _name(modify)
    modify.add_argument("--cross-zone-load-balancing", choices=("true", "false"))
    modify.add_argument("--connection-draining", choices=("true", "false"))
    modify.add_argument("--connection-draining-timeout", type=int)
    modify.add_argument("--idle-timeout", type=int)
    modify.set_defaults(run=rpc("elb", "ModifyLoadBalancerAttributes", lambda a: pb.ModifyLoadBalancerAttributesRequest(
        load_balancer_name=a.name, load_balancer_attributes=attributes(a))))

    attrs = ops.add_parser("describe-load-balancer-attributes")
    _name(attrs)
    attrs.set_defaults(run=rpc("elb", "DescribeLoadBalancerAttributes", lambda a: pb.DescribeLoadBalancerAttributesRequest(
        load_balancer_name=a.name)))

    lb_cookie = ops.add_parser("create-lb-cookie-stickiness-policy")
    _name(lb_cookie)
    lb_cookie.add_argument("--policy-name", required=True)
    lb_cookie.add_argument("--cookie-expiration-period", type=int)
    lb_cookie.set_defaults(run=rpc("elb", "CreateLBCookieStickinessPolicy", lambda a: pb.CreateLBCookieStickinessPolicyRequest(
        load_balancer_name=a.name, policy_name=a.policy_name, cookie_expiration_period=a.cookie_expiration_period)))

    app_cookie = ops.add_parser("create-app-cookie-stickiness-policy")
    _name(app_cookie)
    app_cookie.add_argument("--policy-name", required=True)
    app_cookie.add_argument("--cookie-name", required=True)
    app_cookie.set_defaults(run=rpc("elb", "CreateAppCookieStickinessPolicy", lambda a: pb.CreateAppCookieStickinessPolicyRequest(
        load_balancer_name=a.name, policy_name=a.policy_name, cookie_name=a.cookie_name)))

    policies = ops.add_parser("set-load-balancer-policies-of-listener")
    _name(policies)
    policies.add_argument("--load-balancer-port", type=int, required=True)
    policies.add_argument("--policy-names", nargs="*", default=[])
    policies.set_defaults(run=rpc("elb", "SetLoadBalancerPoliciesOfListener", lambda a: pb.SetLoadBalancerPoliciesOfListenerRequest(
        load_balancer_name=a.name, load_balancer_port=a.load_balancer_port, policy_names=a.policy_names)))

    upload = ops.add_parser("upload-server-certificate", help="IAM's call in AWS: a certificate for HTTPS/SSL listeners")
    upload.add_argument("--server-certificate-name", required=True)
    upload.add_argument("--certificate-body", required=True, help="PEM, or file://path")
    upload.add_argument("--private-key", required=True, help="PEM, or file://path")
    upload.add_argument("--certificate-chain", default="", help="PEM, or file://path")
    upload.set_defaults(run=rpc("elb", "UploadServerCertificate", lambda a: pb.UploadServerCertificateRequest(
        server_certificate_name=a.server_certificate_name, certificate_body=pem(a.certificate_body),
        private_key=pem(a.private_key), certificate_chain=pem(a.certificate_chain))))

    issue = ops.add_parser("issue-certificate", help="the lab's own (ACM's role): a certificate from the region's CA")
    issue.add_argument("--server-certificate-name", required=True)
    issue.add_argument("--domain-names", nargs="+", required=True)
    issue.set_defaults(run=rpc("elb", "IssueCertificate", lambda a: pb.IssueCertificateRequest(
        server_certificate_name=a.server_certificate_name, domain_names=a.domain_names)))

    ops.add_parser("list-server-certificates").set_defaults(
        run=rpc("elb", "ListServerCertificates", lambda a: pb.ListServerCertificatesRequest()))
    drop = ops.add_parser("delete-server-certificate")
    drop.add_argument("--server-certificate-name", required=True)
    drop.set_defaults(run=rpc("elb", "DeleteServerCertificate", lambda a: pb.DeleteServerCertificateRequest(
        server_certificate_name=a.server_certificate_name)))

    counters = ops.add_parser("describe-load-balancer-counters", help="the lab's own: requests, status classes, healthy hosts per AZ")
    _name(counters)
    counters.set_defaults(run=rpc("elb", "DescribeLoadBalancerCounters", lambda a: pb.DescribeLoadBalancerCountersRequest(
        load_balancer_name=a.name)))

    nodes = ops.add_parser("describe-load-balancer-nodes", help="the lab's own: each AZ's LB node, and whether DNS answers it")
    _name(nodes)
    nodes.set_defaults(run=rpc("elb", "DescribeLoadBalancerNodes", lambda a: pb.DescribeLoadBalancerNodesRequest(
        load_balancer_name=a.name)))


def pem(value: str) -> str:
    if value.startswith("file://"):
        try:
            return Path(value.removeprefix("file://")).expanduser().read_text()
        except OSError as e:
            raise ValidationError(f"cannot read {value}: {e.strerror}") from None
    return value


def attributes(a: argparse.Namespace) -> pb.LoadBalancerAttributes:
    message = pb.LoadBalancerAttributes()
    if a.cross_zone_load_balancing is not None:
        message.cross_zone_load_balancing.enabled = a.cross_zone_load_balancing == "true"
    if a.connection_draining is not None or a.connection_draining_timeout is not None:
        message.connection_draining.enabled = a.connection_draining != "false"
        message.connection_draining.timeout = a.connection_draining_timeout or 0
    if a.idle_timeout is not None:
        message.connection_settings.idle_timeout = a.idle_timeout
    return message

"""ELB's state and rules (Classic Load Balancer): load balancers, listeners, health checks,
attributes, stickiness policies, registered instances, and what each LB node is handed.

Pure: no Ray, no sockets. The service tells it where instances are (address and
AZ, from EC2) and what the LB nodes report (each target's health as each node
sees it, request counters); it hands the service one versioned config per LB
node. Every change is written to the store before the method returns.

Limitations against AWS's Classic Load Balancer:
- TLS is terminated at the LB node (HTTPS and SSL listeners) with a certificate
  uploaded here (UploadServerCertificate, IAM's call in AWS) or issued by the
  lab's own CA (IssueCertificate, the lab's own in ACM's role); TLS to the
  instances (InstanceProtocol HTTPS or SSL), HTTPS/SSL health checks, SSL
  negotiation policies, ProxyProtocol and other policy types but the two
  cookie stickiness policies are refused (UnsupportedOperation).
- Host and path rules are not a Classic Load Balancer feature and are absent.
- The scheme is recorded and shown; an internal LB's name still resolves from
  outside the region (the ELB zone is public).
- Health check interval and timeout go down to 1 s (AWS: 5 s and 2 s), so that
  tests and demos need not wait; the timeout may equal the interval.
- No tags, no access logs, no security groups or subnets (EC2-Classic shape);
  one account.
- LB nodes need addresses of their own: the lab gives them under loopback and
  netns isolation; a multi-VM lab refuses CreateLoadBalancer (UnsupportedOperation).
- There is no ELB source security group (amazon-elb-sg): under netns the
  instances' groups must admit the LB nodes' addresses (x.x.2.0/24 of each AZ).
- The LB's name is an A record with TTL 1 s in the region's `<region>.elb.lab`
  zone; AWS's answers have a 60 s TTL.
- The LB cookie's value names the instance (AWS's is opaque).
- Certificates' private keys are kept in the region's store and in the LB
  nodes' state files, unencrypted (a lab, not a vault).
- Under netns an LB node's address stays on its host's interface after the LB
  is deleted (it goes with the region's namespaces).
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from azlab.cluster.elb import certificates
from azlab.cluster.interfaces import Placement
from azlab.common.errors import AzlabError, UnsupportedOperation
from azlab.cluster.state import Store
from azlab.elb.v1.lbnode_pb2 import (Certificate, LbNodeHealthCheck, LbNodeListener, LbNodeSettings, LbNodeTarget,
                                     Stickiness)

SERVICE = "elb"
PROTOCOLS = ("HTTP", "HTTPS", "TCP", "SSL")
TLS_PROTOCOLS = ("HTTPS", "SSL")
LAYER = {"HTTP": 7, "HTTPS": 7, "TCP": 4, "SSL": 4}
PLAIN = {"HTTP": "HTTP", "HTTPS": "HTTP", "TCP": "TCP", "SSL": "TCP"}  # InstanceProtocol when none is given
SCHEMES = ("internet-facing", "internal")
IN_SERVICE, OUT_OF_SERVICE, UNKNOWN = "InService", "OutOfService", "Unknown"
LB_COOKIE = "AWSELB"
DNS_DOMAIN = "elb.lab"
MAX_NAME = 32
MAX_NODES = 254  # LB node addresses per AZ
# AWS's defaults for a new load balancer
DEFAULT_HEALTH = {"interval": 30, "timeout": 5, "unhealthy_threshold": 2, "healthy_threshold": 10}
DEFAULT_ATTRIBUTES = {"cross_zone": False, "draining_enabled": False, "draining_timeout": 300, "idle_timeout": 60}


class LoadBalancerNotFound(AzlabError):
    code = "LoadBalancerNotFound"
    status = "NOT_FOUND"


class DuplicateLoadBalancerName(AzlabError):
    code = "DuplicateLoadBalancerName"
    status = "ALREADY_EXISTS"


class DuplicateListener(AzlabError):
    code = "DuplicateListener"
    status = "ALREADY_EXISTS"


class ListenerNotFound(AzlabError):
    code = "ListenerNotFound"
    status = "NOT_FOUND"


class DuplicatePolicyName(AzlabError):
    code = "DuplicatePolicyName"
    status = "ALREADY_EXISTS"


class PolicyNotFound(AzlabError):
    code = "PolicyNotFound"
    status = "NOT_FOUND"


class InvalidInstance(AzlabError):
    code = "InvalidInstance"
    status = "INVALID_ARGUMENT"


class ValidationError(AzlabError):
    code = "ValidationError"
    status = "INVALID_ARGUMENT"


class InvalidConfigurationRequest(AzlabError):
    code = "InvalidConfigurationRequest"
    status = "INVALID_ARGUMENT"


class CertificateNotFound(AzlabError):
    code = "CertificateNotFound"
    status = "NOT_FOUND"


class DuplicateCertificateName(AzlabError):
    """IAM's EntityAlreadyExists, for a server certificate name."""

    code = "EntityAlreadyExists"
    status = "ALREADY_EXISTS"


class CertificateInUse(AzlabError):
    code = "DeleteConflict"
    status = "FAILED_PRECONDITION"


class TooManyLoadBalancers(AzlabError):
    code = "TooManyLoadBalancers"
    status = "RESOURCE_EXHAUSTED"


@dataclass
class Listener:
    protocol: str
    load_balancer_port: int
    instance_protocol: str
    instance_port: int
    ssl_certificate_id: str = ""
    policy_names: list[str] = field(default_factory=list)


@dataclass
class Policy:
    name: str
    type: str  # "LBCookieStickinessPolicyType" | "AppCookieStickinessPolicyType"
    cookie_expiration_period: int | None = None  # LB cookie: seconds; None: a session cookie
    cookie_name: str = ""  # app cookie


@dataclass
class LoadBalancer:
    name: str
    id: str  # in the DNS name
    node_index: int  # LB node k of every AZ listens on the AZ's k-th LB address
    scheme: str
    created_at: float
    listeners: list[Listener] = field(default_factory=list)
    availability_zones: list[str] = field(default_factory=list)
    instances: list[str] = field(default_factory=list)
    health_check: dict = field(default_factory=dict)
    attributes: dict = field(default_factory=lambda: dict(DEFAULT_ATTRIBUTES))
    policies: list[Policy] = field(default_factory=list)
    version: int = 1  # of the config its nodes are handed
    counters: dict[str, int] = field(default_factory=dict)

    @classmethod
    def from_doc(cls, doc: dict) -> LoadBalancer:
        return cls(**{**doc, "listeners": [Listener(**x) for x in doc["listeners"]],
                      "policies": [Policy(**p) for p in doc["policies"]]})

    @property
    def dns_name(self) -> str:
        prefix = "internal-" if self.scheme == "internal" else ""
        return f"{prefix}{self.name}-{self.id}"

    def listener(self, port: int) -> Listener:
        found = next((x for x in self.listeners if x.load_balancer_port == port), None)
        if found is None:
            raise ListenerNotFound(f"There is no listener on port {port} of load balancer {self.name}")
        return found

    def policy(self, name: str) -> Policy:
        found = next((p for p in self.policies if p.name == name), None)
        if found is None:
            raise PolicyNotFound(f"There is no policy with name {name} for load balancer {self.name}")
        return found


@dataclass(frozen=True)
class InstanceHealth:
    instance_id: str
    state: str
    reason_code: str  # "Instance" | "ELB" | "N/A"
    description: str


def check_name(name: str) -> str:
    if not name or len(name) > MAX_NAME or not re.fullmatch(r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?", name):
        raise ValidationError(f"LoadBalancerName {name!r} must be 1..{MAX_NAME} letters, digits and hyphens, "
                              "neither starting nor ending with a hyphen")
    return name


def parse_target(target: str) -> tuple[str, int, str]:
    """"HTTP:8080/health" -> ("HTTP", 8080, "/health"); "TCP:8080" -> ("TCP", 8080, "")."""
    m = re.fullmatch(r"(HTTP|HTTPS|TCP|SSL):(\d{1,5})(/.*)?", target or "")
    if not m or not 1 <= int(m.group(2)) <= 65535:
        raise ValidationError(f"Target {target!r} must be PROTOCOL:PORT with a /path for HTTP(S), "
                              "PROTOCOL one of HTTP, HTTPS, TCP, SSL")
    protocol, port, path = m.group(1), int(m.group(2)), m.group(3) or ""
    if protocol in ("HTTP", "HTTPS") and not path:
        raise ValidationError(f"Target {target!r}: an {protocol} health check needs a path")
    if protocol in ("TCP", "SSL") and path:
        raise ValidationError(f"Target {target!r}: a {protocol} health check takes no path")
    if protocol in TLS_PROTOCOLS:
        raise UnsupportedOperation(f"{protocol} health checks are not supported yet (TCP and HTTP are)")
    return protocol, port, path


class ElbModel:
    def __init__(self, store: Store, azs: list[str], region: str, clock: Callable[[], float] = time.time):
        self.store = store
        self.azs = list(azs)
        self.region = region
        self.clock = clock
        self.load_balancers: dict[str, LoadBalancer] = {
            d["name"]: LoadBalancer.from_doc(d) for d in store.resources(SERVICE, "load-balancer")}
        self.certificates: dict[str, dict] = {d["arn"]: d for d in store.resources(SERVICE, "certificate")}
        # What the LB nodes last said of each target, by LB, AZ, instance: not kept (nodes report every tick).
        self.observed: dict[str, dict[str, dict[str, dict]]] = {}

    @property
    def zone_name(self) -> str:
        return f"{self.region}.{DNS_DOMAIN}."

    def fqdn(self, lb: LoadBalancer) -> str:
        return f"{lb.dns_name}.{self.zone_name}"

    # lookups
    def load_balancer(self, name: str) -> LoadBalancer:
        if name not in self.load_balancers:
            raise LoadBalancerNotFound(f"There is no ACTIVE Load Balancer named '{name}'")
        return self.load_balancers[name]

    def describe_load_balancers(self, names: list[str] = ()) -> list[LoadBalancer]:
        if names:
            return [self.load_balancer(n) for n in names]
        return sorted(self.load_balancers.values(), key=lambda lb: lb.name)

    def _save(self, lb: LoadBalancer, bump: bool = True) -> None:
        if bump:
            lb.version += 1
        self.store.put_resource(SERVICE, "load-balancer", lb.name, asdict(lb))

    # create / delete
    def create_load_balancer(self, name: str, listeners: list[Listener], azs: list[str],
                             scheme: str = "") -> LoadBalancer:
        check_name(name)
        scheme = scheme or "internet-facing"
        if scheme not in SCHEMES:
            raise ValidationError(f"Scheme must be internet-facing or internal, not {scheme!r}")
        if not listeners:
            raise ValidationError("Listeners must hold at least one listener")
        listeners = self._valid_listeners([], listeners)
        azs = self._valid_azs(azs)
        if name in self.load_balancers:
            existing = self.load_balancers[name]
            same = ([asdict(x) for x in existing.listeners] == [asdict(x) for x in listeners]
                    and sorted(existing.availability_zones) == sorted(azs) and existing.scheme == scheme)
            if same:
                return existing  # as AWS: the same call again answers the same load balancer
            raise DuplicateLoadBalancerName(f"Load Balancer named '{name}' already exists and it is configured "
                                            "with different parameters.")
        taken = {lb.node_index for lb in self.load_balancers.values()}
        index = next((i for i in range(1, MAX_NODES + 1) if i not in taken), None)
        if index is None:
            raise TooManyLoadBalancers(f"this region holds at most {MAX_NODES} load balancers")
        first = listeners[0]
        lb = LoadBalancer(name, secrets.token_hex(5), index, scheme, self.clock(), listeners, azs,
                          health_check={"target": f"TCP:{first.instance_port}", **DEFAULT_HEALTH})
        self.load_balancers[name] = lb
        self._save(lb)
        return lb

    def delete_load_balancer(self, name: str) -> LoadBalancer | None:
        """Idempotent, as AWS's: deleting a load balancer that is not there succeeds."""
        lb = self.load_balancers.pop(name, None)
        if lb is not None:
            self.store.delete_resource(SERVICE, "load-balancer", name)
            self.observed.pop(name, None)
        return lb

    def _valid_listeners(self, existing: list[Listener], new: list[Listener]) -> list[Listener]:
        ports = {x.load_balancer_port: x for x in existing}
        out = []
        for x in new:
            protocol = x.protocol.upper()
            x = Listener(protocol, x.load_balancer_port, (x.instance_protocol or PLAIN.get(protocol, protocol)).upper(),
                         x.instance_port, x.ssl_certificate_id, list(x.policy_names))
            for proto in (x.protocol, x.instance_protocol):
                if proto not in PROTOCOLS:
                    raise ValidationError(f"Protocol must be one of {', '.join(PROTOCOLS)}, not {proto!r}")
            if LAYER[x.protocol] != LAYER[x.instance_protocol]:
                raise ValidationError(f"Listener on port {x.load_balancer_port}: InstanceProtocol {x.instance_protocol} "
                                      f"does not go with Protocol {x.protocol}")
            if x.instance_protocol in TLS_PROTOCOLS:
                raise UnsupportedOperation(f"InstanceProtocol {x.instance_protocol} (TLS to the instances) is not "
                                           "supported yet; TLS ends at the LB node")
            if x.protocol in TLS_PROTOCOLS and x.ssl_certificate_id not in self.certificates:
                raise CertificateNotFound(f"Listener on port {x.load_balancer_port}: no server certificate "
                                          f"{x.ssl_certificate_id or '(none given)'}")
            if x.protocol not in TLS_PROTOCOLS and x.ssl_certificate_id:
                raise ValidationError(f"Listener on port {x.load_balancer_port}: SSLCertificateId is for HTTPS and "
                                      "SSL listeners only")
            for port, what in ((x.load_balancer_port, "LoadBalancerPort"), (x.instance_port, "InstancePort")):
                if not 1 <= port <= 65535:
                    raise ValidationError(f"{what} must be 1..65535, not {port}")
            if x.load_balancer_port in ports:
                if asdict(ports[x.load_balancer_port]) | {"policy_names": []} == asdict(x) | {"policy_names": []}:
                    continue
                raise DuplicateListener(f"A listener already exists for port {x.load_balancer_port} with different "
                                        "settings")
            ports[x.load_balancer_port] = x
            out.append(x)
        return out

    def _valid_azs(self, azs: list[str]) -> list[str]:
        if not azs:
            raise ValidationError("AvailabilityZones must name at least one zone")
        unknown = [az for az in azs if az not in self.azs]
        if unknown:
            raise ValidationError(f"Invalid Availability Zone: {unknown[0]} (this region's are {', '.join(self.azs)})")
        return sorted(set(azs))

    # certificates
    def upload_server_certificate(self, name: str, body: str, private_key: str, chain: str = "") -> dict:
        if not name or not re.fullmatch(r"[\w+=,.@-]{1,128}", name):
            raise ValidationError(f"ServerCertificateName {name!r} must be 1..128 of letters, digits and +=,.@_-")
        arn = f"arn:aws:iam::000000000000:server-certificate/{name}"
        if arn in self.certificates:
            raise DuplicateCertificateName(f"The Server Certificate with name {name} already exists.")
        expires = certificates.check(body, private_key, chain)
        document = {"arn": arn, "name": name, "body": body, "chain": chain, "private_key": private_key,
                    "uploaded_at": self.clock(), "expiration": expires.timestamp()}
        self.certificates[arn] = document
        self.store.put_resource(SERVICE, "certificate", arn, document)
        return document

    def issue_certificate(self, name: str, domains: list[str]) -> dict:
        """A certificate for `domains` from the lab's CA (made at the first call), uploaded under `name`."""
        if not domains:
            raise ValidationError("DomainNames must name at least one domain")
        ca = self.certificate_authority()
        body, key = certificates.issue(ca["body"], ca["private_key"], domains)
        return self.upload_server_certificate(name, body, key, ca["body"])

    def certificate_authority(self) -> dict:
        ca = self.store.get(f"{SERVICE}.ca")
        if ca is None:
            body, key = certificates.new_ca(self.region)
            ca = {"body": body, "private_key": key}
            self.store.put(f"{SERVICE}.ca", ca)
        return ca

    def delete_server_certificate(self, name: str) -> None:
        arn = f"arn:aws:iam::000000000000:server-certificate/{name}"
        if arn not in self.certificates:
            raise CertificateNotFound(f"The Server Certificate with name {name} cannot be found.")
        users = [lb.name for lb in self.load_balancers.values() for x in lb.listeners if x.ssl_certificate_id == arn]
        if users:
            raise CertificateInUse(f"Certificate {name} is in use by load balancer {users[0]}")
        del self.certificates[arn]
        self.store.delete_resource(SERVICE, "certificate", arn)

    # listeners
    def create_listeners(self, name: str, listeners: list[Listener]) -> None:
        lb = self.load_balancer(name)
        if not listeners:
            raise ValidationError("Listeners must hold at least one listener")
        new = self._valid_listeners(lb.listeners, listeners)
        if new:
            lb.listeners.extend(new)
            self._save(lb)

    def delete_listeners(self, name: str, ports: list[int]) -> None:
        lb = self.load_balancer(name)
        kept = [x for x in lb.listeners if x.load_balancer_port not in set(ports)]
        if len(kept) != len(lb.listeners):  # a port with no listener is no error, as AWS
            lb.listeners = kept
            self._save(lb)

    # zones
    def enable_availability_zones(self, name: str, azs: list[str]) -> list[str]:
        lb = self.load_balancer(name)
        lb.availability_zones = sorted(set(lb.availability_zones) | set(self._valid_azs(azs)))
        self._save(lb)
        return lb.availability_zones

    def disable_availability_zones(self, name: str, azs: list[str]) -> list[str]:
        lb = self.load_balancer(name)
        remaining = sorted(set(lb.availability_zones) - set(self._valid_azs(azs)))
        if not remaining:
            raise ValidationError("Cannot disable every Availability Zone of a load balancer")
        lb.availability_zones = remaining
        self._save(lb)
        return remaining

    # instances
    def register_instances(self, name: str, instance_ids: list[str], placements: dict[str, Placement]) -> list[str]:
        """`placements`: what EC2 knows of each instance id; an unknown or terminated one is InvalidInstance."""
        lb = self.load_balancer(name)
        if not instance_ids:
            raise ValidationError("Instances must name at least one instance")
        for instance_id in instance_ids:
            placement = placements.get(instance_id)
            if placement is None or placement.state in ("terminated", "shutting-down"):
                raise InvalidInstance(f"EC2 instance {instance_id} is not in a valid state (or does not exist)")
        added = [i for i in dict.fromkeys(instance_ids) if i not in lb.instances]
        if added:
            lb.instances.extend(added)
            self._save(lb)
        return list(lb.instances)

    def deregister_instances(self, name: str, instance_ids: list[str]) -> list[str]:
        lb = self.load_balancer(name)
        unknown = [i for i in instance_ids if i not in lb.instances]
        if unknown:
            raise InvalidInstance(f"The instance {unknown[0]} is not registered with load balancer {name}")
        lb.instances = [i for i in lb.instances if i not in set(instance_ids)]
        self._save(lb)
        return list(lb.instances)

    # health check
    def configure_health_check(self, name: str, target: str, interval: int, timeout: int,
                               unhealthy_threshold: int, healthy_threshold: int) -> dict:
        lb = self.load_balancer(name)
        parse_target(target)
        if not 1 <= interval <= 300:
            raise ValidationError(f"Interval must be 1..300 seconds, not {interval}")
        if not 1 <= timeout <= 60:
            raise ValidationError(f"Timeout must be 1..60 seconds, not {timeout}")
        if timeout > interval:
            raise ValidationError(f"Timeout ({timeout}) must not exceed Interval ({interval})")
        for value, what in ((unhealthy_threshold, "UnhealthyThreshold"), (healthy_threshold, "HealthyThreshold")):
            if not 2 <= value <= 10:
                raise ValidationError(f"{what} must be 2..10, not {value}")
        lb.health_check = {"target": target, "interval": interval, "timeout": timeout,
                           "unhealthy_threshold": unhealthy_threshold, "healthy_threshold": healthy_threshold}
        self._save(lb)
        return lb.health_check

    # attributes
    def modify_attributes(self, name: str, changes: dict) -> dict:
        """`changes`: any of cross_zone (bool), draining_enabled (bool), draining_timeout, idle_timeout (s)."""
        lb = self.load_balancer(name)
        unknown = set(changes) - set(DEFAULT_ATTRIBUTES)
        if unknown:
            raise ValidationError(f"unknown load balancer attributes: {', '.join(sorted(unknown))}")
        if "draining_timeout" in changes and not 1 <= changes["draining_timeout"] <= 3600:
            raise ValidationError(f"ConnectionDraining Timeout must be 1..3600 seconds, not {changes['draining_timeout']}")
        if "idle_timeout" in changes and not 1 <= changes["idle_timeout"] <= 4000:
            raise ValidationError(f"ConnectionSettings IdleTimeout must be 1..4000 seconds, not {changes['idle_timeout']}")
        lb.attributes = {**lb.attributes, **changes}
        self._save(lb)
        return lb.attributes

    # stickiness
    def create_lb_cookie_policy(self, name: str, policy_name: str, expiration: int | None) -> Policy:
        if expiration is not None and expiration <= 0:
            raise ValidationError(f"CookieExpirationPeriod must be positive, not {expiration}")
        return self._add_policy(name, Policy(policy_name, "LBCookieStickinessPolicyType", expiration))

    def create_app_cookie_policy(self, name: str, policy_name: str, cookie_name: str) -> Policy:
        if not cookie_name or not re.fullmatch(r"[!#-'*+.0-9A-Z^-z|~-]+", cookie_name):
            raise ValidationError(f"CookieName {cookie_name!r} is not a valid cookie name")
        return self._add_policy(name, Policy(policy_name, "AppCookieStickinessPolicyType", cookie_name=cookie_name))

    def _add_policy(self, name: str, policy: Policy) -> Policy:
        lb = self.load_balancer(name)
        if not policy.name or not re.fullmatch(r"[A-Za-z0-9-]{1,64}", policy.name):
            raise ValidationError(f"PolicyName {policy.name!r} must be 1..64 letters, digits and hyphens")
        if any(p.name == policy.name for p in lb.policies):
            raise DuplicatePolicyName(f"Policy {policy.name} already exists for load balancer {name}")
        lb.policies.append(policy)
        self._save(lb, bump=False)  # nothing a node does changes until a listener uses it
        return policy

    def set_listener_policies(self, name: str, port: int, policy_names: list[str]) -> None:
        lb = self.load_balancer(name)
        listener = lb.listener(port)
        policies = [lb.policy(p) for p in dict.fromkeys(policy_names)]
        if policies and LAYER[listener.protocol] != 7:
            raise InvalidConfigurationRequest(f"stickiness policies apply to HTTP(S) listeners; port {port} is "
                                              f"{listener.protocol}")
        if len(policies) > 1:
            raise InvalidConfigurationRequest("a listener takes at most one stickiness policy")
        listener.policy_names = [p.name for p in policies]
        self._save(lb)

    # what the LB nodes report
    def record_observations(self, name: str, by_az: dict[str, dict[str, dict]]) -> None:
        """Each living LB node's view of each target: {az: {instance_id: {"state", "description"}}}."""
        if name in self.load_balancers:
            self.observed[name] = by_az

    def add_counters(self, name: str, deltas: dict[str, int]) -> None:
        lb = self.load_balancers.get(name)
        if lb is None or not any(deltas.values()):
            return
        for key, value in deltas.items():
            lb.counters[key] = lb.counters.get(key, 0) + value
        self._save(lb, bump=False)

    def instance_health(self, name: str, instance_ids: list[str], placements: dict[str, Placement]) -> list[InstanceHealth]:
        lb = self.load_balancer(name)
        unknown = [i for i in instance_ids if i not in lb.instances]
        if unknown:
            raise InvalidInstance(f"Could not find EC2 instance {unknown[0]} registered with load balancer {name}")
        return [self._health(lb, i, placements.get(i)) for i in (instance_ids or lb.instances)]

    def _health(self, lb: LoadBalancer, instance_id: str, placement: Placement | None) -> InstanceHealth:
        if placement is None or not placement.address:
            state = placement.state if placement else "terminated"
            return InstanceHealth(instance_id, OUT_OF_SERVICE, "Instance", f"Instance is in {state} state.")
        if placement.az not in lb.availability_zones and not lb.attributes["cross_zone"]:
            return InstanceHealth(instance_id, OUT_OF_SERVICE, "ELB",
                                  f"Instance is in {placement.az}, which is not enabled for this load balancer.")
        views = [v[instance_id] for v in self.observed.get(lb.name, {}).values() if instance_id in v]
        if not views:
            return InstanceHealth(instance_id, OUT_OF_SERVICE, "ELB", "Instance registration is still in progress.")
        healthy = sum(v["state"] == IN_SERVICE for v in views)
        if healthy * 2 > len(views):  # most living LB nodes see it pass
            return InstanceHealth(instance_id, IN_SERVICE, "N/A", "N/A")
        failing = next((v["description"] for v in views if v["state"] != IN_SERVICE), "")
        return InstanceHealth(instance_id, OUT_OF_SERVICE, "Instance", failing or "Instance has failed at least "
                              "the UnhealthyThreshold number of health checks consecutively.")

    def healthy_host_counts(self, name: str, placements: dict[str, Placement]) -> dict[str, tuple[int, int]]:
        """By AZ of the instances: (healthy, unhealthy) registered instances."""
        lb = self.load_balancer(name)
        counts: dict[str, list[int]] = {az: [0, 0] for az in lb.availability_zones}
        for health in self.instance_health(name, [], placements):
            placement = placements.get(health.instance_id)
            az = placement.az if placement and placement.az else "unknown"
            counts.setdefault(az, [0, 0])[0 if health.state == IN_SERVICE else 1] += 1
        return {az: (h, u) for az, (h, u) in counts.items()}

    # what an LB node is handed
    def node_config(self, lb: LoadBalancer, az: str, address: str, placements: dict[str, Placement]) -> LbNodeSettings:
        """Everything the LB node of `az` needs: its listeners, the targets it may route to, checks, attributes."""
        enabled = set(lb.availability_zones)
        targets = [LbNodeTarget(id=i, address=p.address, az=p.az) for i in lb.instances
                   if (p := placements.get(i)) is not None and p.address and (p.az in enabled or lb.attributes["cross_zone"])]
        listeners = []
        for x in lb.listeners:
            listener = LbNodeListener(protocol=x.protocol, port=x.load_balancer_port, instance_port=x.instance_port)
            for policy in (lb.policy(n) for n in x.policy_names if any(p.name == n for p in lb.policies)):
                listener.stickiness.CopyFrom(
                    Stickiness(type="lb", cookie_name=LB_COOKIE, expiration=policy.cookie_expiration_period or 0)
                    if policy.type == "LBCookieStickinessPolicyType"
                    else Stickiness(type="app", cookie_name=policy.cookie_name))
            if x.protocol in TLS_PROTOCOLS:
                cert = self.certificates[x.ssl_certificate_id]
                listener.certificate.CopyFrom(Certificate(body=cert["body"], chain=cert["chain"],
                                                          private_key=cert["private_key"]))
            listeners.append(listener)
        protocol, port, path = parse_target(lb.health_check["target"])
        check = lb.health_check
        return LbNodeSettings(
            version=lb.version, name=lb.name, az=az, address=address, listeners=listeners, targets=targets,
            cross_zone=lb.attributes["cross_zone"],
            health_check=LbNodeHealthCheck(protocol=protocol, port=port, path=path, interval=check["interval"],
                                           timeout=check["timeout"], healthy_threshold=check["healthy_threshold"],
                                           unhealthy_threshold=check["unhealthy_threshold"]),
            draining=lb.attributes["draining_enabled"], draining_timeout=lb.attributes["draining_timeout"],
            idle_timeout=lb.attributes["idle_timeout"])

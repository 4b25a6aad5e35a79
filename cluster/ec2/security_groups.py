"""Security groups: their rules, and the firewall of an instance they resolve to."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

from azlab.cluster.ec2.common import SERVICE, Region, new_id
from azlab.cluster.ec2.errors import (
    CannotDelete,
    DependencyViolation,
    InvalidGroupDuplicate,
    InvalidGroupNotFound,
    InvalidGroupReserved,
    InvalidParameterValue,
    InvalidPermissionDuplicate,
    InvalidPermissionNotFound,
    MissingParameter,
)
from azlab.cluster.ec2.instances import ON_HOST, TERMINATED, Instance, Instances

PROTOCOLS = {"tcp": "tcp", "6": "tcp", "udp": "udp", "17": "udp", "icmp": "icmp", "1": "icmp", "-1": "-1", "all": "-1"}


@dataclass(frozen=True)
class Rule:
    """One flattened permission: a protocol, a port range and one source (or destination)."""

    protocol: str  # "tcp" | "udp" | "icmp" | "-1"
    from_port: int
    to_port: int
    cidr: str = ""
    group_id: str = ""
    description: str = ""

    def key(self) -> tuple:
        return (self.protocol, self.from_port, self.to_port, self.cidr, self.group_id)


@dataclass
class SecurityGroup:
    group_id: str
    group_name: str
    description: str
    ingress: list[Rule] = field(default_factory=list)
    egress: list[Rule] = field(default_factory=list)


class SecurityGroups:
    """The region's groups; a region always has its `default` one."""

    def __init__(self, region: Region, instances: Instances):
        self.region = region
        self.instances = instances
        self.groups: dict[str, SecurityGroup] = {
            d["group_id"]: _group(d) for d in region.store.resources(SERVICE, "security-group")}
        if not any(g.group_name == "default" for g in self.groups.values()):
            self._create_default()

    def _save(self, group: SecurityGroup) -> None:
        self.region.store.put_resource(SERVICE, "security-group", group.group_id, asdict(group))

    def group(self, group_id: str) -> SecurityGroup:
        if not group_id:
            raise MissingParameter("a GroupId is required")
        try:
            return self.groups[group_id]
        except KeyError:
            raise InvalidGroupNotFound(f"the security group {group_id!r} does not exist") from None

    def _create_default(self) -> None:
        group = SecurityGroup(new_id("sg"), "default", "default VPC security group")
        group.ingress.append(Rule("-1", -1, -1, group_id=group.group_id))
        group.egress.append(Rule("-1", -1, -1, cidr="0.0.0.0/0"))
        self.groups[group.group_id] = group
        self._save(group)

    def default(self) -> SecurityGroup:
        return next(g for g in self.groups.values() if g.group_name == "default")

    def create_security_group(self, name: str, description: str) -> SecurityGroup:
        """A new group: no inbound rule (deny), all outbound allowed, as EC2 makes them."""
        if not name:
            raise MissingParameter("a GroupName is required")
        if not description:
            raise MissingParameter("a GroupDescription is required")
        if len(name) > 255 or len(description) > 255:
            raise InvalidParameterValue("a group name and description are at most 255 characters")
        if name.startswith("sg-") or name == "default":
            raise InvalidGroupReserved(f"the group name {name!r} is reserved")
        if any(g.group_name == name for g in self.groups.values()):
            raise InvalidGroupDuplicate(f"the security group {name!r} already exists")
        group = SecurityGroup(new_id("sg"), name, description, egress=[Rule("-1", -1, -1, cidr="0.0.0.0/0")])
        self.groups[group.group_id] = group
        self._save(group)
        return group

    def describe_security_groups(self, group_ids: Iterable[str] = (), group_names: Iterable[str] = ()) -> list[SecurityGroup]:
        found = [self.group(g) for g in dict.fromkeys(group_ids)]
        for name in dict.fromkeys(group_names):
            match = [g for g in self.groups.values() if g.group_name == name]
            if not match:
                raise InvalidGroupNotFound(f"the security group {name!r} does not exist")
            found += match
        return found or sorted(self.groups.values(), key=lambda g: g.group_name)

    def delete_security_group(self, group_id: str) -> None:
        group = self.group(group_id)
        if group.group_name == "default":
            raise CannotDelete("the default security group cannot be deleted")
        users = [i.instance_id for i in self.instances.instances.values() if group_id in i.security_group_ids and i.state != TERMINATED]
        if users:
            raise DependencyViolation(f"security group {group_id} is used by {', '.join(users)}")
        referrers = [g.group_id for g in self.groups.values() if g is not group and
                     any(r.group_id == group_id for r in g.ingress + g.egress)]
        if referrers:
            raise DependencyViolation(f"security group {group_id} is referenced by the rules of {', '.join(referrers)}")
        del self.groups[group_id]
        self.region.store.delete_resource(SERVICE, "security-group", group_id)

    def change_rules(self, group_id: str, permissions: list[dict], egress: bool, authorize: bool) -> None:
        """Authorize or revoke permissions ({ip_protocol, from_port, to_port, cidrs, group_ids}); all or nothing."""
        group = self.group(group_id)
        rules = [r for p in permissions for r in self._rules(p)]
        if not rules:
            raise MissingParameter("at least one IpPermission with a source is required")
        current = group.egress if egress else group.ingress
        keys_now = {r.key() for r in current}
        wanted = [r.key() for r in rules]
        if authorize:
            if dup := next((r for r in rules if r.key() in keys_now), None):
                raise InvalidPermissionDuplicate(f"the rule {_describe_rule(dup)} already exists in {group_id}")
            if len(set(wanted)) < len(wanted):
                raise InvalidPermissionDuplicate("the same rule is given twice")
            current.extend(rules)
        else:
            if missing := next((r for r in rules if r.key() not in keys_now), None):
                raise InvalidPermissionNotFound(f"the rule {_describe_rule(missing)} does not exist in {group_id}")
            current[:] = [r for r in current if r.key() not in set(wanted)]
        self._save(group)

    def _rules(self, permission: dict) -> list[Rule]:
        protocol = PROTOCOLS.get(str(permission.get("ip_protocol", "")).lower())
        if protocol is None:
            raise InvalidParameterValue(f"invalid IpProtocol {permission.get('ip_protocol')!r}: tcp, udp, icmp or -1")
        low, high = permission.get("from_port", 0), permission.get("to_port", 0)
        if protocol in ("tcp", "udp"):
            if not (0 <= low <= high <= 65535):
                raise InvalidParameterValue(f"invalid port range {low}-{high}: 0 <= FromPort <= ToPort <= 65535")
        elif protocol == "icmp":
            if not (-1 <= low <= 255 and -1 <= high <= 255):
                raise InvalidParameterValue(f"invalid ICMP type/code {low}/{high}: -1..255")
        else:
            low = high = -1
        rules = []
        for cidr in permission.get("cidrs", []):
            try:
                network = ipaddress.IPv4Network(cidr)
            except ValueError:
                raise InvalidParameterValue(f"invalid CIDR {cidr!r}") from None
            rules.append(Rule(protocol, low, high, cidr=str(network)))
        for group_id in permission.get("group_ids", []):
            self.group(group_id)
            rules.append(Rule(protocol, low, high, group_id=group_id))
        return rules

    def firewall(self, instance: Instance) -> dict[str, list[dict]]:
        """The instance's rules with group sources resolved to the private addresses of their members."""
        members: dict[str, list[str]] = {}
        for i in self.instances.instances.values():
            if i.state in ON_HOST:
                for g in i.security_group_ids:
                    members.setdefault(g, []).append(i.private_ip)

        def resolve(rules: list[Rule]) -> list[dict]:
            out = []
            for r in rules:
                sources = [r.cidr] if r.cidr else sorted(members.get(r.group_id, []))
                if sources:
                    out.append({"protocol": r.protocol, "from_port": r.from_port, "to_port": r.to_port, "sources": sources})
            return sorted(out, key=lambda d: (d["protocol"], d["from_port"], d["to_port"], d["sources"]))

        groups = [self.groups[g] for g in instance.security_group_ids if g in self.groups]
        return {"ingress": resolve([r for g in groups for r in g.ingress]),
                "egress": resolve([r for g in groups for r in g.egress])}


def _group(doc: dict) -> SecurityGroup:
    return SecurityGroup(doc["group_id"], doc["group_name"], doc["description"],
                         [Rule(**r) for r in doc["ingress"]], [Rule(**r) for r in doc["egress"]])


def _describe_rule(rule: Rule) -> str:
    ports = "all" if rule.from_port == -1 else f"{rule.from_port}-{rule.to_port}"
    return f"{rule.protocol} {ports} {rule.cidr or rule.group_id}"

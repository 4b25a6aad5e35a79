"""The EC2 model: instances, images, key pairs, security groups, Elastic IPs, spot market and billing.

Synchronous and pure: no Ray, no gRPC, no sockets. The service feeds it the
hosts of the region and the clock, and tells it what the data plane did
(`mark_running`, `mark_stopped`, ...); every change is written to the store
before the method returns. Bad input raises before anything changes.

Limitations against EC2:
- one account, one VPC with one default subnet per AZ (`subnet-<az>`);
- user data runs at every boot (the process backend has no init system
  whose services would come back on their own);
- reserved instances are billing only: a purchase lowers the hourly price of
  as many running instances of its type and AZ as it covers;
- spot instances are one-time and terminated on interruption (no stop or hibernate);
  a spot hour is billed at the market price of the instance's launch;
  DescribeSpotPriceHistory gives the current price only;
- EBS: volumes standard, gp2 and io1 (no gp3, st1, sc1), no encryption, no
  ModifyVolume, no multi-attach, no snapshot copies across regions, no fast
  snapshot restore; a snapshot is a full copy (not incremental); a volume in a
  dead AZ keeps its state and reads `impaired` in its status until the AZ
  returns; the process backend attaches no volumes (UnsupportedOperation);
- no VPCs, subnets of one's own, network interfaces, placement groups
  or instance profiles; DescribeInstanceStatus has no scheduled events.
"""

from __future__ import annotations

import base64
import ipaddress
import math
import re
import secrets
import time
import uuid
import zlib
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from azlab.cluster.ec2 import catalog, keys
from azlab.cluster.ec2.errors import (
    AddressLimitExceeded,
    CannotDelete,
    DependencyViolation,
    IncorrectInstanceState,
    IncorrectState,
    InsufficientInstanceCapacity,
    InvalidAllocationIDNotFound,
    InvalidAMIIDMalformed,
    InvalidAMIIDNotFound,
    InvalidAMINameDuplicate,
    InvalidAssociationIDNotFound,
    InvalidGroupDuplicate,
    InvalidGroupNotFound,
    InvalidGroupReserved,
    InvalidInstanceIDMalformed,
    InvalidInstanceIDNotFound,
    InvalidIPAddressInUse,
    InvalidKeyPairDuplicate,
    InvalidKeyPairNotFound,
    InvalidParameterValue,
    InvalidPermissionDuplicate,
    InvalidPermissionNotFound,
    InvalidReservedInstancesOfferingId,
    InvalidSnapshotIDMalformed,
    InvalidSnapshotNotFound,
    InvalidSubnetIDNotFound,
    InvalidVolumeIDMalformed,
    InvalidVolumeNotFound,
    InvalidVolumeZoneMismatch,
    MissingParameter,
    ResourceAlreadyAssociated,
    SpotMaxPriceTooLow,
    UnsupportedOperation,
    VolumeInUse,
)

SERVICE = "ec2"
PENDING, RUNNING, SHUTTING_DOWN, TERMINATED, STOPPING, STOPPED = (
    "pending", "running", "shutting-down", "terminated", "stopping", "stopped")
STATE_CODES = {PENDING: 0, RUNNING: 16, SHUTTING_DOWN: 32, TERMINATED: 48, STOPPING: 64, STOPPED: 80}
# EC2's lifecycle, the one table every change is checked against.
TRANSITIONS: dict[str, set[str]] = {
    PENDING: {RUNNING, STOPPING, SHUTTING_DOWN},
    RUNNING: {STOPPING, SHUTTING_DOWN},
    STOPPING: {STOPPED, SHUTTING_DOWN},
    STOPPED: {PENDING, SHUTTING_DOWN},
    SHUTTING_DOWN: {TERMINATED},
    TERMINATED: set(),
}
ON_HOST = {PENDING, RUNNING, STOPPING, SHUTTING_DOWN}  # states that hold a host's capacity
TERMINATED_VISIBLE_S = 600.0  # EC2 keeps describing a terminated instance for about an hour
MAX_COUNT = 1000
MAX_USER_DATA = 16 * 1024
MAX_TAGS = 50
MAX_ADDRESSES = 250
DEFAULT_SPOT_NOTICE_S = 10.0  # EC2 gives two minutes; scaled for the lab
PAGE_SIZES = range(5, 1001)
TENANCIES = ("default", "dedicated")
PROTOCOLS = {"tcp": "tcp", "6": "tcp", "udp": "udp", "17": "udp", "icmp": "icmp", "1": "icmp", "-1": "-1", "all": "-1"}
# EBS volumes: their states, and their attachment's, each lifecycle in one table.
CREATING, AVAILABLE, IN_USE, DELETING, ERROR = "creating", "available", "in-use", "deleting", "error"
VOLUME_TRANSITIONS: dict[str, set[str]] = {
    CREATING: {AVAILABLE, IN_USE, ERROR, DELETING},
    AVAILABLE: {IN_USE, DELETING},
    IN_USE: {AVAILABLE, DELETING},
    ERROR: {DELETING},
    DELETING: set(),
}
ATTACHING, ATTACHED, DETACHING, DETACHED = "attaching", "attached", "detaching", ""
ATTACHMENT_TRANSITIONS: dict[str, set[str]] = {
    DETACHED: {ATTACHING, ATTACHED},
    ATTACHING: {ATTACHED, DETACHING, DETACHED},
    ATTACHED: {DETACHING, DETACHED},
    DETACHING: {DETACHED},
}
SNAPSHOT_PENDING, SNAPSHOT_COMPLETED, SNAPSHOT_ERROR = "pending", "completed", "error"
DEVICE = re.compile(r"^/dev/(sd|xvd)[a-z]{1,2}$")
VOLUME_FILTERS = ("volume-id", "status", "availability-zone", "volume-type", "snapshot-id", "size",
                  "attachment.instance-id", "attachment.device", "attachment.status")
SNAPSHOT_FILTERS = ("snapshot-id", "volume-id", "status")
INSTANCE_FILTERS = ("instance-id", "instance-state-name", "availability-zone", "instance-type", "image-id",
                    "tag-key", "instance-lifecycle", "private-ip-address", "key-name", "reservation-id")


@dataclass(frozen=True)
class Host:
    name: str
    az: str
    alive: bool
    backend: str = "process"  # the compute backend its instances run on


@dataclass
class Instance:
    instance_id: str
    reservation_id: str
    image_id: str
    instance_type: str
    az: str
    host: str
    private_ip: str
    launch_time: float
    state: str = PENDING
    state_reason: str = ""
    tenancy: str = "default"
    key_name: str = ""
    security_group_ids: list[str] = field(default_factory=list)
    tags: dict[str, str] = field(default_factory=dict)
    user_data: str = ""  # base64
    ami_launch_index: int = 0
    client_token: str = ""
    market: str = ""  # "spot" or on-demand ("")
    spot_max_price: float = 0.0
    spot_price_paid: float = 0.0
    interruption_at: float | None = None  # when a spot interruption notice ends
    usage: list[list[float | None]] = field(default_factory=list)  # [started, ended] of each running period
    terminated_at: float | None = None
    limits: dict[str, Any] = field(default_factory=dict)  # what the host enforced at its first boot on it; {}: booting
    reboots: int = 0  # asked for; the service reboots once per increment
    backend: str = "process"  # its host's compute backend

    @property
    def vcpus(self) -> int:
        return catalog.INSTANCE_TYPES[self.instance_type].vcpus

    @property
    def memory_mib(self) -> int:
        return catalog.INSTANCE_TYPES[self.instance_type].memory_mib


@dataclass
class Volume:
    """An EBS volume: a file on its AZ's storage, attached to at most one instance of its AZ."""

    volume_id: str
    az: str
    size_gib: int
    volume_type: str
    iops: int
    burst_iops: int
    create_time: float
    snapshot_id: str = ""
    state: str = CREATING
    tags: dict[str, str] = field(default_factory=dict)
    instance_id: str = ""
    device: str = ""
    attach_state: str = DETACHED
    attach_time: float = 0.0
    delete_on_termination: bool = False
    image_location: str = ""  # an EBS root volume starts as its image's disk

    @property
    def root(self) -> bool:
        return bool(self.image_location)


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


def _new_id(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(9)[:17]}"


class Ec2Model:
    def __init__(
        self, store, azs: Iterable[str], hosts: Callable[[], list[Host]], subnet_prefix: Callable[[str], str],
        eip_prefix: str, clock: Callable[[], float] = time.time,
        host_vcpus: int = catalog.HOST_VCPUS, host_memory_mib: int = catalog.HOST_MEMORY_MIB,
        volume_backends: Iterable[str] = ("docker", "libvirt"),
    ):
        self.store = store
        self.azs = tuple(azs)
        self.hosts = hosts
        self.subnet_prefix = subnet_prefix
        self.eip_prefix = eip_prefix
        self.clock = clock
        self.host_vcpus = host_vcpus
        self.host_memory_mib = host_memory_mib
        self.instances: dict[str, Instance] = {
            d["instance_id"]: Instance(**d) for d in store.resources(SERVICE, "instance")}
        self.images: dict[str, dict] = {i["image_id"]: i for i in catalog.builtin_images()}
        self.images.update({d["image_id"]: d for d in store.resources(SERVICE, "image")})
        self.key_pairs: dict[str, dict] = {d["key_name"]: d for d in store.resources(SERVICE, "key-pair")}
        self.groups: dict[str, SecurityGroup] = {d["group_id"]: _group(d) for d in store.resources(SERVICE, "security-group")}
        self.addresses: dict[str, dict] = {d["allocation_id"]: d for d in store.resources(SERVICE, "address")}
        self.spot_overrides: dict[str, float] = {d["key"]: d["price"] for d in store.resources(SERVICE, "spot-price")}
        self.reserved: dict[str, dict] = {d["reserved_instances_id"]: d for d in store.resources(SERVICE, "reserved")}
        self.spot_notice_s: float = store.get("ec2.spot_notice_s", DEFAULT_SPOT_NOTICE_S)
        self.volumes: dict[str, Volume] = {d["volume_id"]: Volume(**d) for d in store.resources(SERVICE, "volume")}
        self.snapshots: dict[str, dict] = {d["snapshot_id"]: d for d in store.resources(SERVICE, "snapshot")}
        self.volume_backends: set[str] = set(volume_backends)
        self.unavailable_backends: dict[str, str] = {}  # backend -> why this controller cannot run it
        self.failing_boots: set[str] = set()  # observed, not kept: a restarted controller observes again
        if not any(g.group_name == "default" for g in self.groups.values()):
            self._create_default_group()

    # persistence
    def _save_instance(self, instance: Instance) -> None:
        self.store.put_resource(SERVICE, "instance", instance.instance_id, asdict(instance))

    def _save_group(self, group: SecurityGroup) -> None:
        self.store.put_resource(SERVICE, "security-group", group.group_id, asdict(group))

    # lookups: one lookup-or-raise per kind, used by every verb
    def instance(self, instance_id: str) -> Instance:
        if not instance_id:
            raise MissingParameter("an InstanceId is required")
        if not instance_id.startswith("i-"):
            raise InvalidInstanceIDMalformed(f"invalid id {instance_id!r}: instance ids look like i-0123456789abcdef0")
        try:
            return self.instances[instance_id]
        except KeyError:
            raise InvalidInstanceIDNotFound(f"the instance ID {instance_id!r} does not exist") from None

    def _instances(self, instance_ids: Iterable[str]) -> list[Instance]:
        ids = list(dict.fromkeys(instance_ids))
        if not ids:
            raise MissingParameter("at least one InstanceId is required")
        return [self.instance(i) for i in ids]

    def image(self, image_id: str) -> dict:
        if not image_id:
            raise MissingParameter("an ImageId is required")
        if not image_id.startswith("ami-"):
            raise InvalidAMIIDMalformed(f"invalid id {image_id!r}: image ids look like ami-0123456789abcdef0")
        try:
            return self.images[image_id]
        except KeyError:
            raise InvalidAMIIDNotFound(f"the image id {image_id!r} does not exist") from None

    def instance_type(self, name: str) -> catalog.InstanceType:
        if not name:
            raise MissingParameter("an InstanceType is required")
        try:
            return catalog.INSTANCE_TYPES[name]
        except KeyError:
            raise InvalidParameterValue(f"invalid value {name!r} for InstanceType") from None

    def az(self, name: str) -> str:
        if name not in self.azs:
            raise InvalidParameterValue(f"invalid availability zone {name!r} (AZs: {', '.join(self.azs)})")
        return name

    def key_pair(self, name: str) -> dict:
        try:
            return self.key_pairs[name]
        except KeyError:
            raise InvalidKeyPairNotFound(f"the key pair {name!r} does not exist") from None

    def group(self, group_id: str) -> SecurityGroup:
        if not group_id:
            raise MissingParameter("a GroupId is required")
        try:
            return self.groups[group_id]
        except KeyError:
            raise InvalidGroupNotFound(f"the security group {group_id!r} does not exist") from None

    def address(self, allocation_id: str) -> dict:
        if not allocation_id:
            raise MissingParameter("an AllocationId is required")
        try:
            return self.addresses[allocation_id]
        except KeyError:
            raise InvalidAllocationIDNotFound(f"the allocation ID {allocation_id!r} does not exist") from None

    # instances
    def run_instances(
        self, image_id: str, instance_type: str, min_count: int = 1, max_count: int = 1, az: str = "",
        subnet_id: str = "", tenancy: str = "", key_name: str = "", security_group_ids: Iterable[str] = (),
        user_data: bytes = b"", tags: dict[str, str] | None = None, market: str = "", spot_max_price: str = "",
        client_token: str = "",
    ) -> list[Instance]:
        """Place and record up to `max_count` instances (at least `min_count`), all pending."""
        if client_token:
            earlier = [i for i in self.instances.values() if i.client_token == client_token]
            if earlier:
                return sorted(earlier, key=lambda i: i.ami_launch_index)
        image = self.image(image_id)
        kind = self.instance_type(instance_type)
        min_count, max_count = min_count or 1, max_count or min_count or 1
        if not 1 <= min_count <= max_count <= MAX_COUNT:
            raise InvalidParameterValue(f"need 1 <= MinCount <= MaxCount <= {MAX_COUNT}, got {min_count} and {max_count}")
        if subnet_id:
            subnet_az = self._subnet_az(subnet_id)
            if az and az != subnet_az:
                raise InvalidParameterValue(f"subnet {subnet_id} is in {subnet_az}, not {az}")
            az = subnet_az
        if az:
            self.az(az)
        tenancy = tenancy or "default"
        if tenancy not in TENANCIES:
            raise InvalidParameterValue(f"Tenancy must be one of {', '.join(TENANCIES)}, not {tenancy!r}")
        if key_name:
            self.key_pair(key_name)
        group_ids = list(dict.fromkeys(security_group_ids)) or [self._default_group().group_id]
        for group_id in group_ids:
            self.group(group_id)
        if len(user_data) > MAX_USER_DATA:
            raise InvalidParameterValue(f"user data is {len(user_data)} bytes; at most {MAX_USER_DATA}")
        tags = _check_tags(tags or {})
        if image.get("state", "available") != "available":
            raise InvalidParameterValue(f"image {image_id} is {image['state']}, not available")
        backends = set(image["backends"])
        bootable = sorted({h.az for h in self.hosts() if h.backend in backends})
        if not bootable or (az and az not in bootable):
            runs = sorted({h.backend for h in self.hosts() if not az or h.az == az})
            raise UnsupportedOperation(
                f"image {image_id} boots on {', '.join(image['backends']) or 'no backend yet'}, and the hosts of "
                f"{az or 'this region'} run {', '.join(runs) or 'nothing'} (see `backend` in the region config)")
        usable = [z for z in bootable if any(h.az == z and h.backend in backends and h.backend not in
                                             self.unavailable_backends for h in self.hosts())]
        if not usable or (az and az not in usable):
            reasons = "; ".join(f"{b}: {why}" for b, why in sorted(self.unavailable_backends.items()) if b in backends)
            raise UnsupportedOperation(f"image {image_id}'s backend is unavailable in this region ({reasons})")
        bootable = usable
        if market not in ("", "spot"):
            raise InvalidParameterValue(f"MarketType must be spot or empty, not {market!r}")
        max_price = 0.0
        now = self.clock()
        if market == "spot":
            max_price = _price(spot_max_price, "MaxPrice") if spot_max_price else kind.price
        az = az or self._roomiest_az(kind, tenancy, backends, bootable)
        if market == "spot" and (market_price := self.spot_price(az, kind.name, now)) > max_price:
            raise SpotMaxPriceTooLow(f"your max price {max_price:.4f} is below the spot price {market_price:.4f} "
                                     f"of {kind.name} in {az}")
        hosts = self._place(az, kind, tenancy, max_count, backends)
        if len(hosts) < min_count:
            raise InsufficientInstanceCapacity(
                f"there is not enough capacity for {min_count} {kind.name} ({tenancy} tenancy) in {az}; "
                f"{len(hosts)} fit")
        reservation_id = _new_id("r")
        ips = self._free_ips(az, len(hosts))
        launched = []
        for index, (host, ip) in enumerate(zip(hosts, ips, strict=True)):
            instance = Instance(
                instance_id=_new_id("i"), reservation_id=reservation_id, image_id=image_id, instance_type=kind.name,
                az=az, host=host, private_ip=ip, launch_time=now, tenancy=tenancy, key_name=key_name,
                security_group_ids=group_ids, tags=dict(tags), user_data=base64.b64encode(user_data).decode(),
                ami_launch_index=index, client_token=client_token, market=market, spot_max_price=max_price,
                spot_price_paid=self.spot_price(az, kind.name, now) if market == "spot" else 0.0,
                backend=self._backend_of(host),
            )
            self.instances[instance.instance_id] = instance
            self._save_instance(instance)
            if image.get("root_device_type") == "ebs":
                self._new_volume(az, catalog.ROOT_VOLUME_GIB, "gp2", 0, "", {}, instance=instance,
                                 device=image["root_device_name"], image_location=image["image_location"])
            launched.append(instance)
        return launched

    def _subnet_az(self, subnet_id: str) -> str:
        for az in self.azs:
            if subnet_id == subnet_of(az):
                return az
        raise InvalidSubnetIDNotFound(f"the subnet ID {subnet_id!r} does not exist")

    def _used(self) -> dict[str, tuple[int, int, bool, int]]:
        """host -> (vCPUs, MiB, holds a dedicated instance, instances) of what it runs."""
        used: dict[str, tuple[int, int, bool, int]] = {}
        for i in self.instances.values():
            if i.state in ON_HOST and i.host:
                cpus, mem, dedicated, count = used.get(i.host, (0, 0, False, 0))
                used[i.host] = (cpus + i.vcpus, mem + i.memory_mib, dedicated or i.tenancy == "dedicated", count + 1)
        return used

    def _backend_of(self, host_name: str) -> str:
        return next((h.backend for h in self.hosts() if h.name == host_name), "process")

    def _place(self, az: str, kind: catalog.InstanceType, tenancy: str, count: int,
               backends: set[str] | None = None) -> list[str]:
        """Up to `count` hosts (repeats allowed) of `az` with room, each time the one with the most free vCPUs;
        only hosts whose backend is in `backends` (None: any)."""
        used = self._used()
        free = {}
        for host in self.hosts():
            if host.az != az or not host.alive or (backends is not None and host.backend not in backends):
                continue
            cpus, mem, dedicated, instances = used.get(host.name, (0, 0, False, 0))
            if dedicated or (tenancy == "dedicated" and instances):
                continue
            free[host.name] = [self.host_vcpus - cpus, self.host_memory_mib - mem]
        chosen: list[str] = []
        for _ in range(count):
            fits = [h for h, (cpus, mem) in free.items() if cpus >= kind.vcpus and mem >= kind.memory_mib]
            if not fits:
                break
            host = max(fits, key=lambda h: (free[h][0], h))
            chosen.append(host)
            if tenancy == "dedicated":
                del free[host]  # a host to itself
            else:
                free[host][0] -= kind.vcpus
                free[host][1] -= kind.memory_mib
        return chosen

    def _roomiest_az(self, kind: catalog.InstanceType, tenancy: str, backends: set[str], azs: list[str]) -> str:
        return max(azs, key=lambda az: (len(self._place(az, kind, tenancy, 4, backends)), -self.azs.index(az)))

    def _free_ips(self, az: str, count: int) -> list[str]:
        """Instance addresses are <prefix>.1.1 and up: hosts live in <prefix>.0.x."""
        taken = {i.private_ip for i in self.instances.values() if i.az == az and i.state != TERMINATED}
        prefix = self.subnet_prefix(az)
        found = []
        for n in range(254 * 254):
            ip = f"{prefix}.{1 + n // 254}.{1 + n % 254}"
            if ip not in taken:
                found.append(ip)
                if len(found) == count:
                    return found
        raise InsufficientInstanceCapacity(f"no free address left in the subnet of {az}")

    def describe_instances(self, instance_ids: Iterable[str] = (), filters: dict[str, list[str]] | None = None,
                           max_results: int = 0, next_token: str = "") -> tuple[list[Instance], str]:
        """Instances by id order; a page ends where `next_token` (the last id given) picks up."""
        self.purge_terminated()
        instance_ids = list(instance_ids)
        if max_results and (instance_ids or max_results not in PAGE_SIZES):
            raise InvalidParameterValue("MaxResults must be 5..1000 and cannot be combined with InstanceIds")
        found = self._instances(instance_ids) if instance_ids else list(self.instances.values())
        for name, values in (filters or {}).items():
            if name not in INSTANCE_FILTERS and not name.startswith("tag:"):
                raise InvalidParameterValue(f"the filter {name!r} is invalid")
            found = [i for i in found if _matches(i, name, values)]
        found.sort(key=lambda i: i.instance_id)
        if next_token:
            found = [i for i in found if i.instance_id > next_token]
        if max_results and len(found) > max_results:
            return found[:max_results], found[max_results - 1].instance_id
        return found, ""

    def _change(self, instance: Instance, new: str, reason: str = "") -> None:
        if new not in TRANSITIONS[instance.state]:
            raise IncorrectInstanceState(f"instance {instance.instance_id} is {instance.state}; it cannot become {new}")
        now = self.clock()
        if instance.state == RUNNING:
            instance.usage[-1][1] = now
        if new == RUNNING:
            instance.usage.append([now, None])
        if new == TERMINATED:
            instance.terminated_at = now
        instance.state = new
        instance.state_reason = reason
        self._save_instance(instance)

    def start_instances(self, instance_ids: Iterable[str]) -> list[tuple[Instance, str]]:
        """(instance, previous state) for each; a running or pending one is left as it is."""
        instances = self._instances(instance_ids)
        for i in instances:
            if i.state in (STOPPING, SHUTTING_DOWN, TERMINATED):
                raise IncorrectInstanceState(f"instance {i.instance_id} is {i.state}; it cannot be started")
        moves = []
        for i in instances:
            if i.state == STOPPED:
                [host] = self._place(i.az, catalog.INSTANCE_TYPES[i.instance_type], i.tenancy, 1, {i.backend}) or [""]
                if not host:
                    raise InsufficientInstanceCapacity(f"there is not enough {i.instance_type} capacity in {i.az}")
                moves.append((i, host))
        changes = [(i, i.state) for i in instances]
        for i, host in moves:
            i.host = host
            self._change(i, PENDING, "User initiated")
        return changes

    def stop_instances(self, instance_ids: Iterable[str]) -> list[tuple[Instance, str]]:
        instances = self._instances(instance_ids)
        for i in instances:
            if i.state in (SHUTTING_DOWN, TERMINATED):
                raise IncorrectInstanceState(f"instance {i.instance_id} is {i.state}; it cannot be stopped")
            if i.market == "spot":
                raise UnsupportedOperation(f"instance {i.instance_id} is a one-time spot instance; it cannot be stopped")
        changes = [(i, i.state) for i in instances]
        for i in instances:
            if i.state in (PENDING, RUNNING):
                self._change(i, STOPPING, "User initiated")
        return changes

    def terminate_instances(self, instance_ids: Iterable[str], reason: str = "User initiated") -> list[tuple[Instance, str]]:
        instances = self._instances(instance_ids)
        changes = [(i, i.state) for i in instances]
        for i in instances:
            if i.state not in (SHUTTING_DOWN, TERMINATED):
                self._change(i, SHUTTING_DOWN, reason)
                for address in self.addresses.values():
                    if address["instance_id"] == i.instance_id:
                        self._disassociate(address)
        return changes

    def reboot_instances(self, instance_ids: Iterable[str]) -> None:
        instances = self._instances(instance_ids)
        for i in instances:
            if i.state in (STOPPED, STOPPING, SHUTTING_DOWN, TERMINATED):
                raise IncorrectInstanceState(f"instance {i.instance_id} is {i.state}; it cannot be rebooted")
        for i in instances:
            i.reboots += 1
            self._save_instance(i)

    # what the data plane did, as the service observed it
    def mark_running(self, instance_id: str) -> None:
        """Its host runs it now, as a VM runs once its hypervisor started it; its OS may still be booting."""
        self._change(self.instances[instance_id], RUNNING)

    def mark_booted(self, instance_id: str, limits: dict[str, Any]) -> None:
        """Its init is up: what the host enforces of its limits is known."""
        instance = self.instances[instance_id]
        instance.limits = limits
        self._save_instance(instance)

    def mark_stopped(self, instance_id: str) -> None:
        """Off its host: a volume on its way in is attached (it boots with it), one on its way out detached."""
        self._change(self.instances[instance_id], STOPPED, self.instances[instance_id].state_reason)
        for volume in self.attached_volumes(instance_id, every=True):
            if volume.attach_state == ATTACHING:
                self._attachment(volume, ATTACHED)
            elif volume.attach_state == DETACHING:
                self._detached(volume)

    def mark_terminated(self, instance_id: str) -> None:
        """Gone from its host: its volumes are detached, those marked DeleteOnTermination deleted."""
        self._change(self.instances[instance_id], TERMINATED, self.instances[instance_id].state_reason)
        for volume in self.attached_volumes(instance_id, every=True):
            delete = volume.delete_on_termination
            self._detached(volume)
            if delete:
                self._volume_state(volume, DELETING)

    def purge_terminated(self) -> None:
        """Terminated instances stay visible for a while, then are forgotten."""
        now = self.clock()
        for i in list(self.instances.values()):
            if i.state == TERMINATED and i.terminated_at is not None and now - i.terminated_at > TERMINATED_VISIBLE_S:
                del self.instances[i.instance_id]
                self.store.delete_resource(SERVICE, "instance", i.instance_id)

    def status(self, instance: Instance) -> tuple[str, str]:
        """(system status, instance status): impaired when the instance's host is down."""
        if instance.state != RUNNING:
            return "not-applicable", "not-applicable"
        host = next((h for h in self.hosts() if h.name == instance.host), None)
        if host is None or not host.alive:
            return "impaired", "impaired"
        if instance.instance_id in self.failing_boots:
            return "ok", "impaired"
        return "ok", "ok" if instance.limits else "initializing"

    def boot_failing(self, instance_id: str, failing: bool) -> None:
        """What the service sees: the instance's boots keep failing on a live host (or no longer)."""
        (self.failing_boots.add if failing else self.failing_boots.discard)(instance_id)

    # images
    def register_image(self, name: str, description: str = "", architecture: str = "", virtualization_type: str = "",
                       kernel_id: str = "", ramdisk_id: str = "", root_device_name: str = "", image_location: str = "",
                       backends: Iterable[str] = (), source_instance_id: str = "", state: str = "available") -> dict:
        if not name:
            raise MissingParameter("a Name is required")
        if not 3 <= len(name) <= 128:
            raise InvalidParameterValue("an image name is 3..128 characters")
        if any(i["name"] == name for i in self.images.values()):
            raise InvalidAMINameDuplicate(f"an image named {name!r} already exists")
        architecture = architecture or "x86_64"
        if architecture not in ("x86_64", "arm64", "i386"):
            raise InvalidParameterValue(f"Architecture must be x86_64, arm64 or i386, not {architecture!r}")
        virtualization_type = virtualization_type or "hvm"
        if virtualization_type not in ("hvm", "paravirtual"):
            raise InvalidParameterValue(f"VirtualizationType must be hvm or paravirtual, not {virtualization_type!r}")
        if kernel_id and not kernel_id.startswith("aki-") or ramdisk_id and not ramdisk_id.startswith("ari-"):
            raise InvalidParameterValue("kernel ids look like aki-..., ramdisk ids like ari-...")
        if virtualization_type == "hvm" and (kernel_id or ramdisk_id):
            raise InvalidParameterValue("an hvm image boots through its own bootloader: no KernelId or RamdiskId")
        image = {
            "image_id": _new_id("ami"), "name": name, "description": description, "architecture": architecture,
            "virtualization_type": virtualization_type, "kernel_id": kernel_id, "ramdisk_id": ramdisk_id,
            "root_device_name": root_device_name or "/dev/xvda", "image_location": image_location,
            "backends": list(backends), "source_instance_id": source_instance_id, "creation_date": self.clock(),
            "state": state, "root_device_type": "instance-store",
        }
        self.images[image["image_id"]] = image
        self.store.put_resource(SERVICE, "image", image["image_id"], image)
        return image

    def create_image(self, instance_id: str, name: str, description: str = "") -> dict:
        """A pending image of a stopped instance; available once the backend has snapshotted its root."""
        instance = self.instance(instance_id)
        if instance.state != STOPPED:
            raise IncorrectInstanceState(f"instance {instance_id} is {instance.state}; stop it before CreateImage")
        source = self.images.get(instance.image_id, {})
        image = self.register_image(
            name, description, source.get("architecture", ""), source.get("virtualization_type", ""),
            backends=source.get("backends", ["process"]), source_instance_id=instance_id, state="pending",
        )
        return image

    def image_snapshotted(self, image_id: str, location: str | None) -> None:
        """The backend's snapshot is at `location` (available), or could not be taken (None: failed)."""
        image = self.images[image_id]
        image.update(state="available" if location else "failed", image_location=location or "")
        self.store.put_resource(SERVICE, "image", image_id, image)

    def describe_images(self, image_ids: Iterable[str] = (), filters: dict[str, list[str]] | None = None) -> list[dict]:
        found = [self.image(i) for i in dict.fromkeys(image_ids)] or list(self.images.values())
        fields = {"name": "name", "architecture": "architecture", "virtualization-type": "virtualization_type",
                  "image-id": "image_id"}
        for name, values in (filters or {}).items():
            if name not in fields:
                raise InvalidParameterValue(f"the filter {name!r} is invalid")
            found = [i for i in found if i[fields[name]] in values]
        return sorted(found, key=lambda i: i["image_id"])

    def deregister_image(self, image_id: str) -> None:
        image = self.image(image_id)
        if any(image_id == builtin["image_id"] for builtin in catalog.builtin_images()):
            raise InvalidParameterValue(f"{image_id} is built in and cannot be deregistered")
        del self.images[image["image_id"]]
        self.store.delete_resource(SERVICE, "image", image_id)

    # EBS volumes and snapshots
    def volume(self, volume_id: str) -> Volume:
        if not volume_id:
            raise MissingParameter("a VolumeId is required")
        if not volume_id.startswith("vol-"):
            raise InvalidVolumeIDMalformed(f"invalid id {volume_id!r}: volume ids look like vol-0123456789abcdef0")
        try:
            return self.volumes[volume_id]
        except KeyError:
            raise InvalidVolumeNotFound(f"the volume {volume_id!r} does not exist") from None

    def snapshot(self, snapshot_id: str) -> dict:
        if not snapshot_id:
            raise MissingParameter("a SnapshotId is required")
        if not snapshot_id.startswith("snap-"):
            raise InvalidSnapshotIDMalformed(f"invalid id {snapshot_id!r}: snapshot ids look like snap-0123456789abcdef0")
        try:
            return self.snapshots[snapshot_id]
        except KeyError:
            raise InvalidSnapshotNotFound(f"the snapshot {snapshot_id!r} does not exist") from None

    def _save_volume(self, volume: Volume) -> None:
        self.store.put_resource(SERVICE, "volume", volume.volume_id, asdict(volume))

    def _save_snapshot(self, snapshot: dict) -> None:
        self.store.put_resource(SERVICE, "snapshot", snapshot["snapshot_id"], snapshot)

    def _volume_state(self, volume: Volume, new: str) -> None:
        if new not in VOLUME_TRANSITIONS[volume.state]:
            raise IncorrectState(f"volume {volume.volume_id} is {volume.state}; it cannot become {new}")
        volume.state = new
        self._save_volume(volume)

    def _attachment(self, volume: Volume, new: str) -> None:
        if new not in ATTACHMENT_TRANSITIONS[volume.attach_state]:
            raise IncorrectState(f"volume {volume.volume_id} is {volume.attach_state or 'detached'}; "
                                 f"it cannot become {new or 'detached'}")
        volume.attach_state = new
        self._save_volume(volume)

    def create_volume(self, az: str, size_gib: int = 0, volume_type: str = "", iops: int = 0, snapshot_id: str = "",
                      tags: dict[str, str] | None = None) -> Volume:
        """A new volume, `creating` until the service has made its file (empty, or a copy of the snapshot)."""
        if not az:
            raise MissingParameter("an AvailabilityZone is required")
        self.az(az)
        volume_type = volume_type or "standard"
        if volume_type not in catalog.VOLUME_TYPES:
            raise InvalidParameterValue(f"VolumeType must be one of {', '.join(catalog.VOLUME_TYPES)}, not {volume_type!r}")
        if snapshot_id:
            snapshot = self.snapshot(snapshot_id)
            if snapshot["state"] != SNAPSHOT_COMPLETED:
                raise IncorrectState(f"snapshot {snapshot_id} is {snapshot['state']}, not completed")
            size_gib = size_gib or snapshot["volume_size"]
            if size_gib < snapshot["volume_size"]:
                raise InvalidParameterValue(f"the volume size {size_gib} GiB is below the snapshot's {snapshot['volume_size']} GiB")
        elif not size_gib:
            raise MissingParameter("a Size or a SnapshotId is required")
        low, high = catalog.VOLUME_SIZES_GIB[volume_type]
        if not low <= size_gib <= high:
            raise InvalidParameterValue(f"a {volume_type} volume is {low}..{high} GiB, not {size_gib}")
        if volume_type == "io1":
            if not iops:
                raise MissingParameter("an io1 volume needs Iops")
            if not catalog.IO1_MIN_IOPS <= iops <= min(catalog.IO1_MAX_IOPS, catalog.IO1_IOPS_PER_GIB * size_gib):
                raise InvalidParameterValue(
                    f"Iops {iops} is out of range: {catalog.IO1_MIN_IOPS}..{catalog.IO1_MAX_IOPS}, "
                    f"and at most {catalog.IO1_IOPS_PER_GIB} per GiB ({catalog.IO1_IOPS_PER_GIB * size_gib} for {size_gib} GiB)")
        elif iops:
            raise InvalidParameterValue(f"Iops is provisioned on io1 volumes only, not {volume_type}")
        return self._new_volume(az, size_gib, volume_type, iops, snapshot_id, _check_tags(tags or {}))

    def _new_volume(self, az: str, size_gib: int, volume_type: str, iops: int, snapshot_id: str, tags: dict[str, str],
                    instance: Instance | None = None, device: str = "", image_location: str = "") -> Volume:
        sustained, burst = catalog.volume_iops(volume_type, size_gib, iops)
        volume = Volume(_new_id("vol"), az, size_gib, volume_type, sustained, burst, self.clock(), snapshot_id, tags=tags,
                        image_location=image_location)
        if instance is not None:  # an EBS root: attached from the start, gone with its instance
            volume.instance_id, volume.device, volume.attach_state = instance.instance_id, device, ATTACHED
            volume.attach_time, volume.delete_on_termination = self.clock(), True
        self.volumes[volume.volume_id] = volume
        self._save_volume(volume)
        return volume

    def volume_created(self, volume_id: str, ok: bool) -> None:
        """The service made the volume's file (or could not)."""
        volume = self.volumes[volume_id]
        self._volume_state(volume, (IN_USE if volume.instance_id else AVAILABLE) if ok else ERROR)

    def attach_volume(self, volume_id: str, instance_id: str, device: str) -> Volume:
        """Attach to an instance of the volume's own AZ; `attaching` until its backend has it (at once when stopped)."""
        volume = self.volume(volume_id)
        instance = self.instance(instance_id)
        if not device:
            raise MissingParameter("a Device is required")
        if not DEVICE.match(device):
            raise InvalidParameterValue(f"invalid device name {device!r}: /dev/sdf, /dev/xvdf, ...")
        if volume.az != instance.az:
            raise InvalidVolumeZoneMismatch(
                f"volume {volume_id} is in {volume.az} and instance {instance_id} in {instance.az}: "
                "a volume attaches only to instances of its own availability zone")
        if volume.state == IN_USE or volume.instance_id:
            raise VolumeInUse(f"volume {volume_id} is already attached to {volume.instance_id}")
        if volume.state != AVAILABLE:
            raise IncorrectState(f"volume {volume_id} is {volume.state}, not available")
        if instance.state not in (PENDING, RUNNING, STOPPED):
            raise IncorrectInstanceState(f"instance {instance_id} is {instance.state}; volumes attach to running or stopped ones")
        if instance.backend not in self.volume_backends:
            raise UnsupportedOperation(f"instance {instance_id} runs on the {instance.backend} backend, which attaches "
                                       f"no volumes (these do: {', '.join(sorted(self.volume_backends)) or 'none'})")
        if any(v.device == device for v in self.attached_volumes(instance_id, every=True)):
            raise InvalidParameterValue(f"the attachment point {device} is already in use on {instance_id}")
        volume.instance_id, volume.device, volume.attach_time = instance_id, device, self.clock()
        self._attachment(volume, ATTACHED if instance.state == STOPPED else ATTACHING)
        self._volume_state(volume, IN_USE)
        return volume

    def volume_attached(self, volume_id: str) -> None:
        self._attachment(self.volumes[volume_id], ATTACHED)

    def detach_volume(self, volume_id: str, instance_id: str = "", device: str = "", force: bool = False) -> Volume:
        """`detaching` until the backend has let go of it (at once when its instance is stopped)."""
        volume = self.volume(volume_id)
        if volume.state != IN_USE or not volume.instance_id:
            raise IncorrectState(f"volume {volume_id} is in the '{volume.state}' state; it is attached to nothing")
        if instance_id and instance_id != volume.instance_id or device and device != volume.device:
            raise IncorrectState(f"volume {volume_id} is attached to {volume.instance_id} as {volume.device}")
        instance = self.instances.get(volume.instance_id)
        stopped = instance is None or instance.state in (STOPPED, TERMINATED)
        if volume.root and not stopped:
            raise IncorrectState(f"unable to detach root volume {volume_id} from running instance {volume.instance_id}")
        if volume.attach_state == DETACHING:
            return volume
        if stopped:
            self._detached(volume)
        else:
            self._attachment(volume, DETACHING)
        return volume

    def volume_detached(self, volume_id: str) -> None:
        self._detached(self.volumes[volume_id])

    def _detached(self, volume: Volume) -> None:
        self._attachment(volume, DETACHED)
        volume.instance_id, volume.device, volume.attach_time, volume.delete_on_termination = "", "", 0.0, False
        volume.image_location = ""  # once detached, a root volume is an ordinary one
        self._volume_state(volume, AVAILABLE)

    def delete_volume(self, volume_id: str) -> None:
        """`deleting` until the service has removed its file; then it is forgotten."""
        volume = self.volume(volume_id)
        if volume.state == IN_USE:
            raise VolumeInUse(f"volume {volume_id} is attached to {volume.instance_id}; detach it first")
        if volume.state != DELETING:
            self._volume_state(volume, DELETING)

    def volume_deleted(self, volume_id: str) -> None:
        if self.volumes.pop(volume_id, None):
            self.store.delete_resource(SERVICE, "volume", volume_id)

    def attached_volumes(self, instance_id: str, every: bool = False) -> list[Volume]:
        """Those attached to the instance (what it boots with), or with `every`, also attaching and detaching ones."""
        return sorted((v for v in self.volumes.values() if v.instance_id == instance_id
                       and (every or v.attach_state == ATTACHED)), key=lambda v: v.device)

    def volume_status(self, volume: Volume) -> str:
        """"ok", or "impaired" while no host of its AZ is alive (its file is there, unreachable)."""
        return "ok" if any(h.az == volume.az and h.alive for h in self.hosts()) else "impaired"

    def describe_volumes(self, volume_ids: Iterable[str] = (), filters: dict[str, list[str]] | None = None) -> list[Volume]:
        found = [self.volume(v) for v in dict.fromkeys(volume_ids)] or list(self.volumes.values())
        for name, values in (filters or {}).items():
            if name not in VOLUME_FILTERS and not name.startswith("tag:"):
                raise InvalidParameterValue(f"the filter {name!r} is invalid")
            found = [v for v in found if _volume_matches(v, name, values)]
        return sorted(found, key=lambda v: v.volume_id)

    def create_snapshot(self, volume_id: str, description: str = "", tags: dict[str, str] | None = None) -> dict:
        """A pending snapshot; the service copies the volume's file (crash-consistent) and completes it."""
        volume = self.volume(volume_id)
        if volume.state not in (AVAILABLE, IN_USE):
            raise IncorrectState(f"volume {volume_id} is {volume.state}; only an available or in-use volume is snapshotted")
        if len(description) > 255:
            raise InvalidParameterValue("a snapshot description is at most 255 characters")
        snapshot = {"snapshot_id": _new_id("snap"), "volume_id": volume_id, "volume_size": volume.size_gib,
                    "availability_zone": volume.az, "description": description, "state": SNAPSHOT_PENDING,
                    "progress": "0%", "start_time": self.clock(), "tags": _check_tags(tags or {})}
        self.snapshots[snapshot["snapshot_id"]] = snapshot
        self._save_snapshot(snapshot)
        return snapshot

    def snapshot_copied(self, snapshot_id: str, ok: bool) -> None:
        snapshot = self.snapshots[snapshot_id]
        snapshot.update(state=SNAPSHOT_COMPLETED if ok else SNAPSHOT_ERROR, progress="100%" if ok else "0%")
        self._save_snapshot(snapshot)

    def delete_snapshot(self, snapshot_id: str) -> dict:
        """Forgets it at once; the service removes its file. Volumes made from it keep their own copies."""
        snapshot = self.snapshot(snapshot_id)
        if snapshot["state"] == SNAPSHOT_PENDING:
            raise IncorrectState(f"snapshot {snapshot_id} is still pending")
        del self.snapshots[snapshot_id]
        self.store.delete_resource(SERVICE, "snapshot", snapshot_id)
        return snapshot

    def describe_snapshots(self, snapshot_ids: Iterable[str] = (), filters: dict[str, list[str]] | None = None) -> list[dict]:
        found = [self.snapshot(s) for s in dict.fromkeys(snapshot_ids)] or list(self.snapshots.values())
        for name, values in (filters or {}).items():
            if name not in SNAPSHOT_FILTERS:
                raise InvalidParameterValue(f"the filter {name!r} is invalid")
            key = {"snapshot-id": "snapshot_id", "volume-id": "volume_id", "status": "state"}[name]
            found = [s for s in found if s[key] in values]
        return sorted(found, key=lambda s: s["snapshot_id"])

    # key pairs
    def create_key_pair(self, name: str, key_type: str = "") -> tuple[dict, str]:
        """The key pair and its private key, which is not kept."""
        self._check_key_name(name)
        private, public, fingerprint = keys.create(key_type or "rsa")
        return self._add_key_pair(name, key_type or "rsa", public, fingerprint), private

    def import_key_pair(self, name: str, public_key_material: bytes) -> dict:
        self._check_key_name(name)
        if not public_key_material:
            raise MissingParameter("PublicKeyMaterial is required")
        key_type, public, fingerprint = keys.imported(public_key_material)
        return self._add_key_pair(name, key_type, public, fingerprint)

    def _check_key_name(self, name: str) -> None:
        if not name:
            raise MissingParameter("a KeyName is required")
        if len(name) > 255:
            raise InvalidParameterValue("a key name is at most 255 characters")
        if name in self.key_pairs:
            raise InvalidKeyPairDuplicate(f"the key pair {name!r} already exists")

    def _add_key_pair(self, name: str, key_type: str, public: str, fingerprint: str) -> dict:
        pair = {"key_pair_id": _new_id("key"), "key_name": name, "key_type": key_type, "public_key": public,
                "key_fingerprint": fingerprint, "create_time": self.clock()}
        self.key_pairs[name] = pair
        self.store.put_resource(SERVICE, "key-pair", name, pair)
        return pair

    def describe_key_pairs(self, names: Iterable[str] = ()) -> list[dict]:
        return [self.key_pair(n) for n in dict.fromkeys(names)] or sorted(self.key_pairs.values(), key=lambda k: k["key_name"])

    def delete_key_pair(self, name: str) -> None:
        """Idempotent, as in EC2: deleting a missing key pair succeeds."""
        if not name:
            raise MissingParameter("a KeyName is required")
        if self.key_pairs.pop(name, None):
            self.store.delete_resource(SERVICE, "key-pair", name)

    # security groups
    def _create_default_group(self) -> None:
        group = SecurityGroup(_new_id("sg"), "default", "default VPC security group")
        group.ingress.append(Rule("-1", -1, -1, group_id=group.group_id))
        group.egress.append(Rule("-1", -1, -1, cidr="0.0.0.0/0"))
        self.groups[group.group_id] = group
        self._save_group(group)

    def _default_group(self) -> SecurityGroup:
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
        group = SecurityGroup(_new_id("sg"), name, description, egress=[Rule("-1", -1, -1, cidr="0.0.0.0/0")])
        self.groups[group.group_id] = group
        self._save_group(group)
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
        users = [i.instance_id for i in self.instances.values() if group_id in i.security_group_ids and i.state != TERMINATED]
        if users:
            raise DependencyViolation(f"security group {group_id} is used by {', '.join(users)}")
        referrers = [g.group_id for g in self.groups.values() if g is not group and
                     any(r.group_id == group_id for r in g.ingress + g.egress)]
        if referrers:
            raise DependencyViolation(f"security group {group_id} is referenced by the rules of {', '.join(referrers)}")
        del self.groups[group_id]
        self.store.delete_resource(SERVICE, "security-group", group_id)

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
        self._save_group(group)

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
        for i in self.instances.values():
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

    # Elastic IPs
    def allocate_address(self, domain: str = "") -> dict:
        if domain not in ("", "vpc"):
            raise InvalidParameterValue(f"Domain must be vpc, not {domain!r}")
        taken = {a["public_ip"] for a in self.addresses.values()}
        ip = next((f"{self.eip_prefix}.{n}" for n in range(1, MAX_ADDRESSES + 1)
                   if f"{self.eip_prefix}.{n}" not in taken), None)
        if ip is None:
            raise AddressLimitExceeded(f"at most {MAX_ADDRESSES} Elastic IPs per region")
        address = {"allocation_id": _new_id("eipalloc"), "public_ip": ip, "association_id": "", "instance_id": ""}
        self.addresses[address["allocation_id"]] = address
        self.store.put_resource(SERVICE, "address", address["allocation_id"], address)
        return address

    def associate_address(self, allocation_id: str, instance_id: str, allow_reassociation: bool = False) -> dict:
        address = self.address(allocation_id)
        instance = self.instance(instance_id)
        if instance.state in (SHUTTING_DOWN, TERMINATED):
            raise IncorrectInstanceState(f"instance {instance_id} is {instance.state}")
        if address["instance_id"] == instance_id:
            return address
        if address["instance_id"] and not allow_reassociation:
            raise ResourceAlreadyAssociated(f"{address['public_ip']} is associated with {address['instance_id']}")
        for other in self.addresses.values():  # an instance has one Elastic IP; a new one replaces the old
            if other["instance_id"] == instance_id:
                self._disassociate(other)
        address.update(association_id=_new_id("eipassoc"), instance_id=instance_id)
        self.store.put_resource(SERVICE, "address", allocation_id, address)
        return address

    def disassociate_address(self, association_id: str) -> None:
        if not association_id:
            raise MissingParameter("an AssociationId is required")
        address = next((a for a in self.addresses.values() if a["association_id"] == association_id), None)
        if address is None:
            raise InvalidAssociationIDNotFound(f"the association ID {association_id!r} does not exist")
        self._disassociate(address)

    def _disassociate(self, address: dict) -> None:
        address.update(association_id="", instance_id="")
        self.store.put_resource(SERVICE, "address", address["allocation_id"], address)

    def release_address(self, allocation_id: str) -> None:
        address = self.address(allocation_id)
        if address["instance_id"]:
            raise InvalidIPAddressInUse(f"{address['public_ip']} is associated with {address['instance_id']}")
        del self.addresses[allocation_id]
        self.store.delete_resource(SERVICE, "address", allocation_id)

    def public_ip(self, instance: Instance) -> str:
        return next((a["public_ip"] for a in self.addresses.values() if a["instance_id"] == instance.instance_id), "")

    def eip_targets(self) -> dict[str, Instance]:
        """Elastic IP -> the instance it reaches now."""
        return {a["public_ip"]: self.instances[a["instance_id"]]
                for a in self.addresses.values() if a["instance_id"] in self.instances}

    # spot market
    def spot_price(self, az: str, instance_type: str, now: float | None = None) -> float:
        """The market price: fixed by the lab if set, else a slow wave around 30% of on-demand, its own per (AZ, type)."""
        key = f"{az}/{instance_type}"
        if key in self.spot_overrides:
            return self.spot_overrides[key]
        now = self.clock() if now is None else now
        phase = zlib.crc32(key.encode()) % 1000 / 1000
        wave = 1 + 0.2 * math.sin(2 * math.pi * (now / 3600 + phase))
        return round(catalog.INSTANCE_TYPES[instance_type].price * catalog.SPOT_BASE_SHARE * wave, 4)

    def set_spot_price(self, az: str, instance_type: str, price: str, notice_s: int = 0) -> float:
        """Lab-only. "0" lets the market move again; `notice_s` sets the interruption notice region-wide."""
        self.az(az)
        self.instance_type(instance_type)
        value = _price(price, "SpotPrice", allow_zero=True)
        if notice_s < 0:
            raise InvalidParameterValue("InterruptionNoticeSeconds must be >= 0")
        key = f"{az}/{instance_type}"
        if value == 0:
            self.spot_overrides.pop(key, None)
            self.store.delete_resource(SERVICE, "spot-price", key)
        else:
            self.spot_overrides[key] = value
            self.store.put_resource(SERVICE, "spot-price", key, {"key": key, "price": value})
        if notice_s:
            self.spot_notice_s = float(notice_s)
            self.store.put("ec2.spot_notice_s", self.spot_notice_s)
        return self.spot_price(az, instance_type)

    def interrupt_spot(self) -> list[Instance]:
        """Give notice to spot instances priced out of the market, terminate those whose notice ran out;
        returns the instances that got notice now."""
        now = self.clock()
        noticed = []
        for i in list(self.instances.values()):
            if i.market != "spot" or i.state not in (PENDING, RUNNING):
                continue
            if i.interruption_at is None and self.spot_price(i.az, i.instance_type, now) > i.spot_max_price:
                i.interruption_at = now + self.spot_notice_s
                self._save_instance(i)
                noticed.append(i)
            elif i.interruption_at is not None and now >= i.interruption_at:
                self.terminate_instances([i.instance_id], "Server.SpotInstanceTermination: the spot price rose above your max price")
        return noticed

    # reserved instances and billing
    def offerings(self, instance_type: str = "", az: str = "", offering_type: str = "") -> list[dict]:
        types = [self.instance_type(instance_type).name] if instance_type else sorted(catalog.INSTANCE_TYPES)
        azs = [self.az(az)] if az else list(self.azs)
        if offering_type and offering_type not in catalog.UTILIZATIONS:
            raise InvalidParameterValue(f"OfferingType must be one of {', '.join(catalog.UTILIZATIONS)}")
        kinds = [offering_type] if offering_type else list(catalog.UTILIZATIONS)
        return [_offering(t, z, k) for t in types for z in azs for k in kinds]

    def purchase_reserved(self, offering_id: str, count: int) -> dict:
        offering = next((o for o in self.offerings() if o["reserved_instances_offering_id"] == offering_id), None)
        if offering is None:
            raise InvalidReservedInstancesOfferingId(f"the offering {offering_id!r} does not exist")
        if not 1 <= count <= 100:
            raise InvalidParameterValue("InstanceCount must be 1..100")
        reserved = {**offering, "reserved_instances_id": str(uuid.uuid4()), "instance_count": count,
                    "start": self.clock(), "state": "active"}
        self.reserved[reserved["reserved_instances_id"]] = reserved
        self.store.put_resource(SERVICE, "reserved", reserved["reserved_instances_id"], reserved)
        return reserved

    def billing(self) -> tuple[list[dict], float, float]:
        """(lines, upfront, total). Every started hour of running is billed in full."""
        now = self.clock()
        covered = {}
        for r in self.reserved.values():
            if now < r["start"] + catalog.RESERVED_TERM_S:
                covered.setdefault((r["instance_type"], r["availability_zone"]), []).extend([r] * r["instance_count"])
        lines = []
        for i in sorted(self.instances.values(), key=lambda i: (i.launch_time, i.instance_id)):
            hours = sum(math.ceil(((end or now) - start) / 3600) or 1 for start, end in i.usage)
            if not hours:
                continue
            pool = covered.get((i.instance_type, i.az), [])
            if i.market == "spot":
                option, hourly = "spot", i.spot_price_paid
            elif pool:
                option, hourly = "reserved", float(pool.pop()["usage_price"])
            else:
                option, hourly = "on-demand", catalog.INSTANCE_TYPES[i.instance_type].price
            lines.append({"instance_id": i.instance_id, "instance_type": i.instance_type, "availability_zone": i.az,
                          "purchase_option": option, "billed_hours": hours, "hourly_price": hourly,
                          "cost": round(hours * hourly, 4)})
        upfront = sum(float(r["fixed_price"]) * r["instance_count"] for r in self.reserved.values())
        return lines, upfront, round(upfront + sum(line["cost"] for line in lines), 4)


def subnet_of(az: str) -> str:
    return f"subnet-{az}"


def _group(doc: dict) -> SecurityGroup:
    return SecurityGroup(doc["group_id"], doc["group_name"], doc["description"],
                         [Rule(**r) for r in doc["ingress"]], [Rule(**r) for r in doc["egress"]])


def _describe_rule(rule: Rule) -> str:
    ports = "all" if rule.from_port == -1 else f"{rule.from_port}-{rule.to_port}"
    return f"{rule.protocol} {ports} {rule.cidr or rule.group_id}"


def _price(text: str, what: str, allow_zero: bool = False) -> float:
    try:
        value = float(text)
    except ValueError:
        raise InvalidParameterValue(f"invalid {what} {text!r}: a price in USD per hour") from None
    if value < 0 or (value == 0 and not allow_zero) or not math.isfinite(value):
        raise InvalidParameterValue(f"invalid {what} {text!r}: a price in USD per hour above 0")
    return value


def _check_tags(tags: dict[str, str]) -> dict[str, str]:
    if len(tags) > MAX_TAGS:
        raise InvalidParameterValue(f"at most {MAX_TAGS} tags per resource")
    for key, value in tags.items():
        if not key or len(key) > 128 or len(value) > 256:
            raise InvalidParameterValue(f"invalid tag {key!r}: keys are 1..128 characters, values up to 256")
        if key.lower().startswith("aws:"):
            raise InvalidParameterValue(f"tag keys starting with 'aws:' are reserved: {key!r}")
    return tags


def _matches(instance: Instance, name: str, values: list[str]) -> bool:
    if name.startswith("tag:"):
        return instance.tags.get(name[4:]) in values
    actual = {
        "instance-id": instance.instance_id, "instance-state-name": instance.state, "availability-zone": instance.az,
        "instance-type": instance.instance_type, "image-id": instance.image_id, "instance-lifecycle": instance.market,
        "private-ip-address": instance.private_ip, "key-name": instance.key_name, "reservation-id": instance.reservation_id,
    }
    if name == "tag-key":
        return any(k in values for k in instance.tags)
    return actual[name] in values


def _volume_matches(volume: Volume, name: str, values: list[str]) -> bool:
    if name.startswith("tag:"):
        return volume.tags.get(name[4:]) in values
    actual = {
        "volume-id": volume.volume_id, "status": volume.state, "availability-zone": volume.az,
        "volume-type": volume.volume_type, "snapshot-id": volume.snapshot_id, "size": str(volume.size_gib),
        "attachment.instance-id": volume.instance_id, "attachment.device": volume.device,
        "attachment.status": volume.attach_state or "detached",
    }
    return actual[name] in values


def _offering(instance_type: str, az: str, offering_type: str) -> dict:
    upfront_hours, factor = catalog.UTILIZATIONS[offering_type]
    price = catalog.INSTANCE_TYPES[instance_type].price
    return {
        "reserved_instances_offering_id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"azlab/{instance_type}/{az}/{offering_type}")),
        "instance_type": instance_type, "availability_zone": az, "offering_type": offering_type,
        "duration": catalog.RESERVED_TERM_S, "fixed_price": f"{price * upfront_hours:.2f}",
        "usage_price": f"{price * factor:.4f}",
    }

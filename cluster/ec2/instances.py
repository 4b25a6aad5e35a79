"""EC2 instances: their records, their lifecycle, and the hosts and addresses they are placed on."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from azlab.cluster.ec2 import catalog
from azlab.cluster.ec2.common import PAGE_SIZES, SERVICE, Region
from azlab.cluster.ec2.errors import (
    IncorrectInstanceState,
    InsufficientInstanceCapacity,
    InvalidInstanceIDMalformed,
    InvalidInstanceIDNotFound,
    InvalidParameterValue,
    MissingParameter,
    UnsupportedOperation,
)

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
INSTANCE_FILTERS = ("instance-id", "instance-state-name", "availability-zone", "instance-type", "image-id",
                    "tag-key", "instance-lifecycle", "private-ip-address", "key-name", "reservation-id")


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


@dataclass(frozen=True)
class RunInstancesSpec:
    """What a RunInstances call asks for; an empty or zero field takes EC2's default."""

    image_id: str
    instance_type: str
    min_count: int = 1
    max_count: int = 1
    az: str = ""
    subnet_id: str = ""
    tenancy: str = ""
    key_name: str = ""
    security_group_ids: tuple[str, ...] = ()
    user_data: bytes = b""
    tags: dict[str, str] = field(default_factory=dict)
    market: str = ""  # "spot" or on-demand ("")
    spot_max_price: str = ""
    client_token: str = ""


class Instances:
    """The region's instances: each change checked against TRANSITIONS and written before the call returns."""

    def __init__(self, region: Region, subnet_prefix: Callable[[str], str], host_vcpus: int, host_memory_mib: int):
        self.region = region
        self.subnet_prefix = subnet_prefix
        self.host_vcpus = host_vcpus
        self.host_memory_mib = host_memory_mib
        self.instances: dict[str, Instance] = {
            d["instance_id"]: Instance(**d) for d in region.store.resources(SERVICE, "instance")}
        self.failing_boots: set[str] = set()  # observed, not kept: a restarted controller observes again

    def save(self, instance: Instance) -> None:
        self.region.store.put_resource(SERVICE, "instance", instance.instance_id, asdict(instance))

    def add(self, instance: Instance) -> None:
        self.instances[instance.instance_id] = instance
        self.save(instance)

    def instance(self, instance_id: str) -> Instance:
        if not instance_id:
            raise MissingParameter("an InstanceId is required")
        if not instance_id.startswith("i-"):
            raise InvalidInstanceIDMalformed(f"invalid id {instance_id!r}: instance ids look like i-0123456789abcdef0")
        try:
            return self.instances[instance_id]
        except KeyError:
            raise InvalidInstanceIDNotFound(f"the instance ID {instance_id!r} does not exist") from None

    def some(self, instance_ids: Iterable[str]) -> list[Instance]:
        """The instances named, each once; at least one."""
        ids = list(dict.fromkeys(instance_ids))
        if not ids:
            raise MissingParameter("at least one InstanceId is required")
        return [self.instance(i) for i in ids]

    def by_client_token(self, client_token: str) -> list[Instance]:
        """The instances of an earlier launch with this token, in launch order."""
        return sorted((i for i in self.instances.values() if i.client_token == client_token),
                      key=lambda i: i.ami_launch_index)

    # placement
    def _used(self) -> dict[str, tuple[int, int, bool, int]]:
        """host -> (vCPUs, MiB, holds a dedicated instance, instances) of what it runs."""
        used: dict[str, tuple[int, int, bool, int]] = {}
        for i in self.instances.values():
            if i.state in ON_HOST and i.host:
                cpus, mem, dedicated, count = used.get(i.host, (0, 0, False, 0))
                used[i.host] = (cpus + i.vcpus, mem + i.memory_mib, dedicated or i.tenancy == "dedicated", count + 1)
        return used

    def backend_of(self, host_name: str) -> str:
        return next((h.backend for h in self.region.hosts() if h.name == host_name), "process")

    def place(self, az: str, kind: catalog.InstanceType, tenancy: str, count: int,
              backends: set[str] | None = None) -> list[str]:
        """Up to `count` hosts (repeats allowed) of `az` with room, each time the one with the most free vCPUs;
        only hosts whose backend is in `backends` (None: any)."""
        used = self._used()
        free = {}
        for host in self.region.hosts():
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

    def roomiest_az(self, kind: catalog.InstanceType, tenancy: str, backends: set[str], azs: list[str]) -> str:
        return max(azs, key=lambda az: (len(self.place(az, kind, tenancy, 4, backends)), -self.region.azs.index(az)))

    def free_ips(self, az: str, count: int) -> list[str]:
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

    # the lifecycle
    def describe_instances(self, instance_ids: Iterable[str] = (), filters: dict[str, list[str]] | None = None,
                           max_results: int = 0, next_token: str = "") -> tuple[list[Instance], str]:
        """Instances by id order; a page ends where `next_token` (the last id given) picks up."""
        self.purge_terminated()
        instance_ids = list(instance_ids)
        if max_results and (instance_ids or max_results not in PAGE_SIZES):
            raise InvalidParameterValue("MaxResults must be 5..1000 and cannot be combined with InstanceIds")
        found = self.some(instance_ids) if instance_ids else list(self.instances.values())
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

    def change(self, instance: Instance, new: str, reason: str = "") -> None:
        if new not in TRANSITIONS[instance.state]:
            raise IncorrectInstanceState(f"instance {instance.instance_id} is {instance.state}; it cannot become {new}")
        now = self.region.clock()
        if instance.state == RUNNING:
            instance.usage[-1][1] = now
        if new == RUNNING:
            instance.usage.append([now, None])
        if new == TERMINATED:
            instance.terminated_at = now
        instance.state = new
        instance.state_reason = reason
        self.save(instance)

    def start_instances(self, instance_ids: Iterable[str]) -> list[tuple[Instance, str]]:
        """(instance, previous state) for each; a running or pending one is left as it is."""
        instances = self.some(instance_ids)
        for i in instances:
            if i.state in (STOPPING, SHUTTING_DOWN, TERMINATED):
                raise IncorrectInstanceState(f"instance {i.instance_id} is {i.state}; it cannot be started")
        moves = []
        for i in instances:
            if i.state == STOPPED:
                [host] = self.place(i.az, catalog.INSTANCE_TYPES[i.instance_type], i.tenancy, 1, {i.backend}) or [""]
                if not host:
                    raise InsufficientInstanceCapacity(f"there is not enough {i.instance_type} capacity in {i.az}")
                moves.append((i, host))
        changes = [(i, i.state) for i in instances]
        for i, host in moves:
            i.host = host
            self.change(i, PENDING, "User initiated")
        return changes

    def stop_instances(self, instance_ids: Iterable[str]) -> list[tuple[Instance, str]]:
        instances = self.some(instance_ids)
        for i in instances:
            if i.state in (SHUTTING_DOWN, TERMINATED):
                raise IncorrectInstanceState(f"instance {i.instance_id} is {i.state}; it cannot be stopped")
            if i.market == "spot":
                raise UnsupportedOperation(f"instance {i.instance_id} is a one-time spot instance; it cannot be stopped")
        changes = [(i, i.state) for i in instances]
        for i in instances:
            if i.state in (PENDING, RUNNING):
                self.change(i, STOPPING, "User initiated")
        return changes

    def reboot_instances(self, instance_ids: Iterable[str]) -> None:
        instances = self.some(instance_ids)
        for i in instances:
            if i.state in (STOPPED, STOPPING, SHUTTING_DOWN, TERMINATED):
                raise IncorrectInstanceState(f"instance {i.instance_id} is {i.state}; it cannot be rebooted")
        for i in instances:
            i.reboots += 1
            self.save(i)

    # what the data plane did, as the service observed it
    def mark_running(self, instance_id: str) -> None:
        """Its host runs it now, as a VM runs once its hypervisor started it; its OS may still be booting."""
        self.change(self.instances[instance_id], RUNNING)

    def mark_booted(self, instance_id: str, limits: dict[str, Any]) -> None:
        """Its init is up: what the host enforces of its limits is known."""
        instance = self.instances[instance_id]
        instance.limits = limits
        self.save(instance)

    def purge_terminated(self) -> None:
        """Terminated instances stay visible for a while, then are forgotten."""
        now = self.region.clock()
        for i in list(self.instances.values()):
            if i.state == TERMINATED and i.terminated_at is not None and now - i.terminated_at > TERMINATED_VISIBLE_S:
                del self.instances[i.instance_id]
                self.region.store.delete_resource(SERVICE, "instance", i.instance_id)

    def status(self, instance: Instance) -> tuple[str, str]:
        """(system status, instance status): impaired when the instance's host is down."""
        if instance.state != RUNNING:
            return "not-applicable", "not-applicable"
        host = next((h for h in self.region.hosts() if h.name == instance.host), None)
        if host is None or not host.alive:
            return "impaired", "impaired"
        if instance.instance_id in self.failing_boots:
            return "ok", "impaired"
        return "ok", "ok" if instance.limits else "initializing"

    def boot_failing(self, instance_id: str, failing: bool) -> None:
        """What the service sees: the instance's boots keep failing on a live host (or no longer)."""
        (self.failing_boots.add if failing else self.failing_boots.discard)(instance_id)


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

"""The EC2 model: instances, images, key pairs, security groups, Elastic IPs, spot market and billing.

`Ec2Model` is its one entry point. Each resource family is a part in a module
of its own that owns its records and rules (`instances`, `images`, `volumes`,
`security_groups`, `addresses`, `key_pairs`, `market`); the model holds the
parts, hands callers their verbs, and keeps here the verbs that span families
(a launch checks an image, a key pair and groups, and makes a root volume;
a termination lets go of an Elastic IP and of volumes).

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
import time
from collections.abc import Callable, Iterable

from azlab.cluster.ec2 import catalog
from azlab.cluster.ec2.addresses import Addresses
from azlab.cluster.ec2.common import Host, Region, check_tags, new_id, parse_price, subnet_of
from azlab.cluster.ec2.common import instance_type as instance_type_named
from azlab.cluster.ec2.errors import (
    InsufficientInstanceCapacity,
    InvalidParameterValue,
    InvalidSubnetIDNotFound,
    SpotMaxPriceTooLow,
    UnsupportedOperation,
)
from azlab.cluster.ec2.images import Images
from azlab.cluster.ec2.instances import (
    PENDING,
    RUNNING,
    SHUTTING_DOWN,
    STATE_CODES,
    STOPPED,
    STOPPING,
    TERMINATED,
    TERMINATED_VISIBLE_S,
    Instance,
    Instances,
    RunInstancesSpec,
)
from azlab.cluster.ec2.key_pairs import KeyPairs
from azlab.cluster.ec2.market import Market
from azlab.cluster.ec2.security_groups import Rule, SecurityGroup, SecurityGroups
from azlab.cluster.ec2.volumes import (
    ATTACHING,
    CREATING,
    DELETING,
    DETACHING,
    SNAPSHOT_PENDING,
    Volume,
    Volumes,
)

# The records and states callers name through the model, as they did when it was one class.
__all__ = [
    "ATTACHING", "CREATING", "DELETING", "DETACHING", "PENDING", "RUNNING", "SHUTTING_DOWN", "SNAPSHOT_PENDING",
    "STATE_CODES", "STOPPED", "STOPPING", "TERMINATED", "TERMINATED_VISIBLE_S", "Ec2Model", "Host",
    "Instance", "InvalidParameterValue", "Rule", "RunInstancesSpec", "SecurityGroup", "Volume", "subnet_of",
]
MAX_COUNT = 1000
MAX_USER_DATA = 16 * 1024
TENANCIES = ("default", "dedicated")


class Ec2Model:
    """The one entry point of the EC2 model: a part per resource family, each owning its records and rules
    (`fleet` the instances, `amis`, `ebs` the volumes and snapshots, `security_groups`, `elastic_ips`, `keyring`
    the key pairs, `market` spot and reserved prices and the bill), and here the verbs that span families."""

    def __init__(
        self, store, azs: Iterable[str], hosts: Callable[[], list[Host]], subnet_prefix: Callable[[str], str],
        eip_prefix: str, clock: Callable[[], float] = time.time,
        host_vcpus: int = catalog.HOST_VCPUS, host_memory_mib: int = catalog.HOST_MEMORY_MIB,
        volume_backends: Iterable[str] = ("docker", "libvirt"),
    ):
        self.region = region = Region(store, tuple(azs), hosts, clock)
        self.store, self.azs, self.hosts, self.clock = store, region.azs, hosts, clock
        self.fleet = fleet = Instances(region, subnet_prefix, host_vcpus, host_memory_mib)
        self.amis = amis = Images(region, fleet)
        self.ebs = ebs = Volumes(region, fleet, volume_backends)
        self.security_groups = groups = SecurityGroups(region, fleet)
        self.elastic_ips = eips = Addresses(region, fleet, eip_prefix)
        self.keyring = keyring = KeyPairs(region)
        self.market = market = Market(region, fleet)
        self.unavailable_backends: dict[str, str] = {}  # backend -> why this controller cannot run it

        # Each family's records and verbs, where callers have always found them.
        self.az, self.instance_type = region.az, instance_type_named
        # instances
        self.instances = fleet.instances
        self.instance = fleet.instance
        self.describe_instances = fleet.describe_instances
        self.start_instances = fleet.start_instances
        self.stop_instances = fleet.stop_instances
        self.reboot_instances = fleet.reboot_instances
        self.mark_running = fleet.mark_running
        self.mark_booted = fleet.mark_booted
        self.status = fleet.status
        self.purge_terminated = fleet.purge_terminated
        self.boot_failing = fleet.boot_failing
        # images
        self.images = amis.images
        self.image = amis.image
        self.register_image = amis.register_image
        self.create_image = amis.create_image
        self.image_snapshotted = amis.image_snapshotted
        self.describe_images = amis.describe_images
        self.deregister_image = amis.deregister_image
        # volumes and snapshots
        self.volumes = ebs.volumes
        self.snapshots = ebs.snapshots
        self.volume = ebs.volume
        self.snapshot = ebs.snapshot
        self.create_volume = ebs.create_volume
        self.volume_created = ebs.volume_created
        self.attach_volume = ebs.attach_volume
        self.volume_attached = ebs.volume_attached
        self.detach_volume = ebs.detach_volume
        self.volume_detached = ebs.volume_detached
        self.delete_volume = ebs.delete_volume
        self.volume_deleted = ebs.volume_deleted
        self.attached_volumes = ebs.attached_volumes
        self.volume_status = ebs.volume_status
        self.describe_volumes = ebs.describe_volumes
        self.create_snapshot = ebs.create_snapshot
        self.snapshot_copied = ebs.snapshot_copied
        self.delete_snapshot = ebs.delete_snapshot
        self.describe_snapshots = ebs.describe_snapshots
        # security groups
        self.groups = groups.groups
        self.group = groups.group
        self.create_security_group = groups.create_security_group
        self.describe_security_groups = groups.describe_security_groups
        self.delete_security_group = groups.delete_security_group
        self.change_rules = groups.change_rules
        self.firewall = groups.firewall
        # Elastic IPs
        self.addresses = eips.addresses
        self.address = eips.address
        self.allocate_address = eips.allocate_address
        self.associate_address = eips.associate_address
        self.disassociate_address = eips.disassociate_address
        self.release_address = eips.release_address
        self.public_ip = eips.public_ip
        self.eip_targets = eips.eip_targets
        # key pairs
        self.key_pairs = keyring.key_pairs
        self.key_pair = keyring.key_pair
        self.create_key_pair = keyring.create_key_pair
        self.import_key_pair = keyring.import_key_pair
        self.describe_key_pairs = keyring.describe_key_pairs
        self.delete_key_pair = keyring.delete_key_pair
        # prices and the bill
        self.reserved = market.reserved
        self.spot_price = market.spot_price
        self.set_spot_price = market.set_spot_price
        self.offerings = market.offerings
        self.purchase_reserved = market.purchase_reserved
        self.billing = market.billing

    # the verbs that span families
    def run_instances(self, spec: RunInstancesSpec) -> list[Instance]:
        """Place and record up to `spec.max_count` instances (at least `spec.min_count`), all pending."""
        image_id, az, key_name, market, client_token = (
            spec.image_id, spec.az, spec.key_name, spec.market, spec.client_token)
        if client_token:
            if earlier := self.fleet.by_client_token(client_token):
                return earlier
        image = self.amis.image(image_id)
        kind = instance_type_named(spec.instance_type)
        min_count, max_count = spec.min_count or 1, spec.max_count or spec.min_count or 1
        if not 1 <= min_count <= max_count <= MAX_COUNT:
            raise InvalidParameterValue(f"need 1 <= MinCount <= MaxCount <= {MAX_COUNT}, got {min_count} and {max_count}")
        if spec.subnet_id:
            subnet_az = self._subnet_az(spec.subnet_id)
            if az and az != subnet_az:
                raise InvalidParameterValue(f"subnet {spec.subnet_id} is in {subnet_az}, not {az}")
            az = subnet_az
        if az:
            self.region.az(az)
        tenancy = spec.tenancy or "default"
        if tenancy not in TENANCIES:
            raise InvalidParameterValue(f"Tenancy must be one of {', '.join(TENANCIES)}, not {tenancy!r}")
        if key_name:
            self.keyring.key_pair(key_name)
        group_ids = list(dict.fromkeys(spec.security_group_ids)) or [self.security_groups.default().group_id]
        for group_id in group_ids:
            self.security_groups.group(group_id)
        user_data = spec.user_data
        if len(user_data) > MAX_USER_DATA:
            raise InvalidParameterValue(f"user data is {len(user_data)} bytes; at most {MAX_USER_DATA}")
        tags = check_tags(dict(spec.tags))
        if image.get("state", "available") != "available":
            raise InvalidParameterValue(f"image {image_id} is {image['state']}, not available")
        backends = set(image["backends"])
        bootable = sorted({h.az for h in self.region.hosts() if h.backend in backends})
        if not bootable or (az and az not in bootable):
            runs = sorted({h.backend for h in self.region.hosts() if not az or h.az == az})
            raise UnsupportedOperation(
                f"image {image_id} boots on {', '.join(image['backends']) or 'no backend yet'}, and the hosts of "
                f"{az or 'this region'} run {', '.join(runs) or 'nothing'} (see `backend` in the region config)")
        usable = [z for z in bootable if any(h.az == z and h.backend in backends and h.backend not in
                                             self.unavailable_backends for h in self.region.hosts())]
        if not usable or (az and az not in usable):
            reasons = "; ".join(f"{b}: {why}" for b, why in sorted(self.unavailable_backends.items()) if b in backends)
            raise UnsupportedOperation(f"image {image_id}'s backend is unavailable in this region ({reasons})")
        bootable = usable
        if market not in ("", "spot"):
            raise InvalidParameterValue(f"MarketType must be spot or empty, not {market!r}")
        max_price = 0.0
        now = self.region.clock()
        if market == "spot":
            max_price = parse_price(spec.spot_max_price, "MaxPrice") if spec.spot_max_price else kind.price
        az = az or self.fleet.roomiest_az(kind, tenancy, backends, bootable)
        if market == "spot" and (market_price := self.market.spot_price(az, kind.name, now)) > max_price:
            raise SpotMaxPriceTooLow(f"your max price {max_price:.4f} is below the spot price {market_price:.4f} "
                                     f"of {kind.name} in {az}")
        hosts = self.fleet.place(az, kind, tenancy, max_count, backends)
        if len(hosts) < min_count:
            raise InsufficientInstanceCapacity(
                f"there is not enough capacity for {min_count} {kind.name} ({tenancy} tenancy) in {az}; "
                f"{len(hosts)} fit")
        reservation_id = new_id("r")
        ips = self.fleet.free_ips(az, len(hosts))
        launched = []
        for index, (host, ip) in enumerate(zip(hosts, ips, strict=True)):
            instance = Instance(
                instance_id=new_id("i"), reservation_id=reservation_id, image_id=image_id, instance_type=kind.name,
                az=az, host=host, private_ip=ip, launch_time=now, tenancy=tenancy, key_name=key_name,
                security_group_ids=group_ids, tags=dict(tags), user_data=base64.b64encode(user_data).decode(),
                ami_launch_index=index, client_token=client_token, market=market, spot_max_price=max_price,
                spot_price_paid=self.market.spot_price(az, kind.name, now) if market == "spot" else 0.0,
                backend=self.fleet.backend_of(host),
            )
            self.fleet.add(instance)
            if image.get("root_device_type") == "ebs":
                self.ebs.new_volume(az, catalog.ROOT_VOLUME_GIB, "gp2", 0, "", {}, instance=instance,
                                device=image["root_device_name"], image_location=image["image_location"])
            launched.append(instance)
        return launched

    def _subnet_az(self, subnet_id: str) -> str:
        for az in self.region.azs:
            if subnet_id == subnet_of(az):
                return az
        raise InvalidSubnetIDNotFound(f"the subnet ID {subnet_id!r} does not exist")

    def terminate_instances(self, instance_ids: Iterable[str], reason: str = "User initiated") -> list[tuple[Instance, str]]:
        instances = self.fleet.some(instance_ids)
        changes = [(i, i.state) for i in instances]
        for i in instances:
            if i.state not in (SHUTTING_DOWN, TERMINATED):
                self.fleet.change(i, SHUTTING_DOWN, reason)
                self.elastic_ips.instance_terminated(i.instance_id)
        return changes

    def mark_stopped(self, instance_id: str) -> None:
        """Off its host: a volume on its way in is attached (it boots with it), one on its way out detached."""
        self.fleet.change(self.instances[instance_id], STOPPED, self.instances[instance_id].state_reason)
        self.ebs.instance_stopped(instance_id)

    def mark_terminated(self, instance_id: str) -> None:
        """Gone from its host: its volumes are detached, those marked DeleteOnTermination deleted."""
        self.fleet.change(self.instances[instance_id], TERMINATED, self.instances[instance_id].state_reason)
        self.ebs.instance_terminated(instance_id)

    def interrupt_spot(self) -> list[Instance]:
        """Give notice to spot instances priced out of the market, terminate those whose notice ran out;
        returns the instances that got notice now."""
        now = self.region.clock()
        noticed = []
        for i in list(self.instances.values()):
            if i.market != "spot" or i.state not in (PENDING, RUNNING):
                continue
            if i.interruption_at is None and self.market.spot_price(i.az, i.instance_type, now) > i.spot_max_price:
                i.interruption_at = now + self.market.spot_notice_s
                self.fleet.save(i)
                noticed.append(i)
            elif i.interruption_at is not None and now >= i.interruption_at:
                self.terminate_instances([i.instance_id], "Server.SpotInstanceTermination: the spot price rose above your max price")
        return noticed

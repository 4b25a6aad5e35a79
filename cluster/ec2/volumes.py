"""EBS: volumes on their AZ's storage, attached to an instance of their AZ, and their snapshots."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

from azlab.cluster.ec2 import catalog
from azlab.cluster.ec2.common import SERVICE, Region, check_tags, new_id
from azlab.cluster.ec2.errors import (
    IncorrectInstanceState,
    IncorrectState,
    InvalidParameterValue,
    InvalidSnapshotIDMalformed,
    InvalidSnapshotNotFound,
    InvalidVolumeIDMalformed,
    InvalidVolumeNotFound,
    InvalidVolumeZoneMismatch,
    MissingParameter,
    UnsupportedOperation,
    VolumeInUse,
)
from azlab.cluster.ec2.instances import PENDING, RUNNING, STOPPED, TERMINATED, Instance, Instances

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


class Volumes:
    """The region's volumes and snapshots: each lifecycle checked against its table, written before the call returns."""

    def __init__(self, region: Region, instances: Instances, volume_backends: Iterable[str]):
        self.region = region
        self.instances = instances
        self.volumes: dict[str, Volume] = {d["volume_id"]: Volume(**d) for d in region.store.resources(SERVICE, "volume")}
        self.snapshots: dict[str, dict] = {d["snapshot_id"]: d for d in region.store.resources(SERVICE, "snapshot")}
        self.volume_backends: set[str] = set(volume_backends)

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
        self.region.store.put_resource(SERVICE, "volume", volume.volume_id, asdict(volume))

    def _save_snapshot(self, snapshot: dict) -> None:
        self.region.store.put_resource(SERVICE, "snapshot", snapshot["snapshot_id"], snapshot)

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
        self.region.az(az)
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
        return self.new_volume(az, size_gib, volume_type, iops, snapshot_id, check_tags(tags or {}))

    def new_volume(self, az: str, size_gib: int, volume_type: str, iops: int, snapshot_id: str, tags: dict[str, str],
                    instance: Instance | None = None, device: str = "", image_location: str = "") -> Volume:
        sustained, burst = catalog.volume_iops(volume_type, size_gib, iops)
        volume = Volume(new_id("vol"), az, size_gib, volume_type, sustained, burst, self.region.clock(), snapshot_id, tags=tags,
                        image_location=image_location)
        if instance is not None:  # an EBS root: attached from the start, gone with its instance
            volume.instance_id, volume.device, volume.attach_state = instance.instance_id, device, ATTACHED
            volume.attach_time, volume.delete_on_termination = self.region.clock(), True
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
        instance = self.instances.instance(instance_id)
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
        volume.instance_id, volume.device, volume.attach_time = instance_id, device, self.region.clock()
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
        instance = self.instances.instances.get(volume.instance_id)
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
            self.region.store.delete_resource(SERVICE, "volume", volume_id)

    def attached_volumes(self, instance_id: str, every: bool = False) -> list[Volume]:
        """Those attached to the instance (what it boots with), or with `every`, also attaching and detaching ones."""
        return sorted((v for v in self.volumes.values() if v.instance_id == instance_id
                       and (every or v.attach_state == ATTACHED)), key=lambda v: v.device)

    def volume_status(self, volume: Volume) -> str:
        """"ok", or "impaired" while no host of its AZ is alive (its file is there, unreachable)."""
        return "ok" if any(h.az == volume.az and h.alive for h in self.region.hosts()) else "impaired"

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
        snapshot = {"snapshot_id": new_id("snap"), "volume_id": volume_id, "volume_size": volume.size_gib,
                    "availability_zone": volume.az, "description": description, "state": SNAPSHOT_PENDING,
                    "progress": "0%", "start_time": self.region.clock(), "tags": check_tags(tags or {})}
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
        self.region.store.delete_resource(SERVICE, "snapshot", snapshot_id)
        return snapshot

    def describe_snapshots(self, snapshot_ids: Iterable[str] = (), filters: dict[str, list[str]] | None = None) -> list[dict]:
        found = [self.snapshot(s) for s in dict.fromkeys(snapshot_ids)] or list(self.snapshots.values())
        for name, values in (filters or {}).items():
            if name not in SNAPSHOT_FILTERS:
                raise InvalidParameterValue(f"the filter {name!r} is invalid")
            key = {"snapshot-id": "snapshot_id", "volume-id": "volume_id", "status": "state"}[name]
            found = [s for s in found if s[key] in values]
        return sorted(found, key=lambda s: s["snapshot_id"])

    # what its instance did
    def instance_stopped(self, instance_id: str) -> None:
        """Off its host: a volume on its way in is attached (it boots with it), one on its way out detached."""
        for volume in self.attached_volumes(instance_id, every=True):
            if volume.attach_state == ATTACHING:
                self._attachment(volume, ATTACHED)
            elif volume.attach_state == DETACHING:
                self._detached(volume)

    def instance_terminated(self, instance_id: str) -> None:
        """Gone from its host: its volumes are detached, those marked DeleteOnTermination deleted."""
        for volume in self.attached_volumes(instance_id, every=True):
            delete = volume.delete_on_termination
            self._detached(volume)
            if delete:
                self._volume_state(volume, DELETING)


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

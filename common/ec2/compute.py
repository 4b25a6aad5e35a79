"""The compute-backend contract: how an EC2 instance becomes something that runs on a host of its AZ.

One small interface for every backend (after OpenStack Nova's virt driver,
much lighter): `process`, `docker`, `libvirt` and `fake` (nodes/ec2/). Each
host runs its backend on its own side, in its node agent (`NodeAgent.compute`),
so a host's dockerd or libvirtd is that host's; the EC2 service on the
controller calls it from its reconcile loop through the agent, again and
again, so every method is idempotent, and each states its failure rules.

Capabilities are data (`supports_*`, the metadata endpoint), read from one
table by the backend's name and the region's isolation (`Traits`), so the
controller knows them without loading a backend, and never writes
`if backend == ...`.

Specs are frozen dataclasses of plain values, so a backend never reaches into
the EC2 model, and the model knows nothing of backends. This module is what
both sides share (common/: the region and the AZs import it, it imports
neither).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from azlab.common.network import AzNetwork

METADATA_ADDRESS = "169.254.169.254"  # where EC2's instance metadata service answers
METADATA_LOOPBACK_PORT = 80  # under loopback: on the instance's own address, which nothing else binds


@dataclass(frozen=True)
class VolumeSpec:
    """An EBS volume as a backend attaches it: a sparse raw disk image on the instance's host."""

    volume_id: str
    path: str           # the raw image file on the host, size_gib large
    size_gib: int
    device: str         # as the user named it: "/dev/xvdf", "/dev/sdf"
    volume_type: str    # "standard" (magnetic), "gp2", "io1"
    iops: int           # the sustained limit
    burst_iops: int     # what a full credit bucket allows (gp2: 3000); == iops without burst


@dataclass(frozen=True)
class InstanceSpec:
    """What a backend needs to boot an instance; fixed for one boot."""

    instance_id: str
    image_id: str
    instance_type: str
    host: str                 # the AZ node it runs on, "<az>/node-<n>"
    az: str
    private_ip: str
    vcpus: int
    memory_mib: int
    user_data: str = ""       # base64
    public_keys: dict[str, str] = field(default_factory=dict)  # key name -> OpenSSH public key
    image_location: str = ""  # the image's root: "" for the host userland, a snapshot for CreateImage's
    metadata: dict[str, Any] = field(default_factory=dict)     # the static part of the instance metadata
    virtualization_type: str = "hvm"  # "paravirtual": boot kernel_location + ramdisk_location directly
    kernel_location: str = ""
    ramdisk_location: str = ""
    root_volume: VolumeSpec | None = None    # EBS-backed root (kept across stop/start); None: instance store
    volumes: tuple[VolumeSpec, ...] = ()     # attached when it boots (those attached before a stop)


@dataclass(frozen=True)
class InstanceConfig:
    """What may change while an instance runs; a backend applies it within a second."""

    firewall: dict[str, list[dict]] = field(default_factory=dict)  # {"ingress": [...], "egress": [...]}
    public_ip: str = ""
    spot_action: dict[str, str] | None = None  # {"action": "terminate", "time": ISO 8601}


@dataclass(frozen=True)
class BackendInstance:
    """What a backend sees of an instance on a host."""

    instance_id: str
    running: bool
    booted: bool                   # up: network plumbed, limits set, user data started
    limits: dict[str, Any] = field(default_factory=dict)  # {"enforced": bool, "detail": str}


class LaunchFailed(Exception):
    """The instance cannot boot here, and starting it again will not help (its image's files are missing, say):
    the region terminates it with this reason, as EC2 does a launch that fails (`StateReason`)."""

    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code = code  # EC2's state reason code: Server.InternalError, Client.InvalidParameterValue ...
        self.message = message

    def __reduce__(self):  # rebuilt from its own arguments where it crosses from a host to the controller
        return type(self), (self.code, self.message)


class BackendUnavailable(LaunchFailed):
    """The host cannot build this backend (its library is missing): every launch on it fails the same way, and
    the region refuses new ones, saying why."""

    def __init__(self, backend: str, why: str):
        super().__init__("Server.InternalError", f"the {backend} backend is unavailable: {why}")
        self.backend = backend
        self.why = why

    def __reduce__(self):
        return type(self), (self.backend, self.why)


@dataclass(frozen=True)
class Capabilities:
    security_groups: bool  # rules are enforced on packets
    addresses: bool        # Elastic IPs really move traffic
    block_devices: bool    # volumes reach the guest as block devices with IOPS limits, not a mounted directory
    volumes: bool          # AttachVolume works at all (the process backend: not)
    metadata: str          # where the guest reads its metadata: "link-local", "own-address" (port 80), "" none
    daemon_held: bool      # its instances are a daemon's children (dockerd's, libvirtd's): outlive a killed host


def capabilities(backend: str, isolation: str) -> Capabilities:
    """What backend `backend` gives its instances in a region of `isolation` (each backend's docstring says why)."""
    netns = isolation == "netns"  # the process backend filters and routes in the instance's own namespace
    return {
        "process": Capabilities(netns, netns, False, False, "link-local" if netns else "own-address", False),
        "docker": Capabilities(False, False, False, True, "", True),
        "libvirt": Capabilities(False, False, True, True, "link-local", True),  # the guest serves its own
        # recorded, moving no packet; held as a daemon's (in memory), so the service's tests see them evicted
        "fake": Capabilities(False, False, False, True, "link-local", True),
    }[backend]


class Traits:
    """The ComputeBackend's data part, for a backend (or its stand-in on the controller) with a `name` and its
    region's `network`: read from `capabilities`, never from a loaded backend."""

    name: str
    network: AzNetwork | None

    @property
    def capabilities(self) -> Capabilities:
        return capabilities(self.name, self.network.isolation if self.network else "loopback")

    @property
    def supports_security_groups(self) -> bool:
        return self.capabilities.security_groups

    @property
    def supports_addresses(self) -> bool:
        return self.capabilities.addresses

    @property
    def supports_block_devices(self) -> bool:
        return self.capabilities.block_devices

    @property
    def supports_volumes(self) -> bool:
        return self.capabilities.volumes

    def metadata_endpoint(self, spec: InstanceSpec) -> str:
        """Where the instance reaches its metadata service (what AWS_EC2_METADATA_SERVICE_ENDPOINT says)."""
        where = self.capabilities.metadata
        if where == "own-address":
            return f"http://{spec.private_ip}:{METADATA_LOOPBACK_PORT}/"
        return f"http://{METADATA_ADDRESS}/" if where else ""


@dataclass(frozen=True)
class BackendSetup(Traits):
    """What a host needs to build backend `name`, besides its own home: handed over with each call (it is small),
    so that a host builds its backend on first use, whichever controller asks. Its `Traits` are the backend's."""

    name: str
    network: AzNetwork
    azs: tuple[str, ...]
    region_id: str


class ComputeBackend(Protocol):
    """What a backend is, on its host (nodes/ec2/) and as the controller reaches it (cluster/ec2/compute.py)."""

    name: str
    # data, from `Traits`
    supports_security_groups: bool
    supports_addresses: bool
    supports_block_devices: bool
    supports_volumes: bool

    def metadata_endpoint(self, spec: InstanceSpec) -> str: ...

    async def start(self, spec: InstanceSpec, config: InstanceConfig) -> None:
        """Boot the instance on `spec.host`, creating what it needs on first boot. A no-op when it runs.
        A start that fails leaves nothing running. Raises NodeUnreachable when the host does not answer."""

    async def stop(self, spec: InstanceSpec) -> None:
        """Stop every process of the instance; its files stay. Succeeds when it is not running."""

    async def reboot(self, spec: InstanceSpec, config: InstanceConfig) -> None:
        """Stop, then boot again on the same host with the same files."""

    async def destroy(self, spec: InstanceSpec) -> None:
        """Stop the instance and remove its files. Succeeds when it is already gone."""

    async def describe(self, host: str) -> dict[str, BackendInstance]:
        """The instances this backend has on `host`, by id (running or not)."""

    async def snapshot(self, spec: InstanceSpec, image_id: str) -> str:
        """Copy a stopped instance's root into a new image's; returns the image location to boot from.
        Raises RuntimeError when the copy fails (nothing is left), NodeUnreachable when the host is gone."""

    async def console_output(self, spec: InstanceSpec) -> str:
        """The last 64 KiB of the instance's console; "" when there is none or the host does not answer."""

    async def configure(self, spec: InstanceSpec, config: InstanceConfig) -> None:
        """Hand a running instance its new config (security groups, metadata that changed)."""

    async def attach_address(self, public_ip: str, spec: InstanceSpec) -> None:
        """Send traffic for `public_ip` to the instance; an address moves by attaching it elsewhere."""

    async def detach_address(self, public_ip: str) -> None:
        """Stop sending traffic for `public_ip` anywhere. Succeeds when it was not attached."""

    async def attach_volume(self, spec: InstanceSpec, volume: VolumeSpec) -> None:
        """Make `volume` visible in the running instance: a block device at `volume.device`, or, without
        block devices, its filesystem mounted at /mnt/<device name>. A no-op when attached."""

    async def detach_volume(self, spec: InstanceSpec, volume: VolumeSpec) -> None:
        """Take `volume` out of the instance; its data stays in `volume.path`. Succeeds when it is not attached."""

    async def evict(self, az: str, host: str | None = None) -> None:
        """Destroy every instance of `az` (of `host` alone when given) at once, no grace; succeeds when there are
        none. Called by kill-az and kill-node through a live host other than the killed ones (their agents are
        dead): the daemons (dockerd, libvirtd) hold instances outside the AZ's processes, and in a one-machine
        lab every host shares them. Restore-az boots them again through the service's reconcile."""

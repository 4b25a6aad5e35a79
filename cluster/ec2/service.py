"""The EC2 service on the controller: makes what runs on the hosts match the model.

Level-triggered (cluster/services.py): each pass compares every instance's
state with what its host's backend reports and the region's health, and acts
on the difference. So a kill-az, a restore-az (the instances boot again, as
after a host's power loss) and a restarted controller (it re-adopts the
instances that kept running meanwhile, never restarting them) are one code
path. Instances are zonal, like EC2's: a dead AZ's instances are impaired
until it returns; nothing moves them elsewhere.

Each host runs one compute backend, chosen by the region config (`backend`,
and per AZ or host `[backends]`), on the host itself: the service reaches it
through the host's node agent (cluster/ec2/compute.py), and never loads a
backend. A host builds its backend on first use; one that cannot (its library
is missing) answers BackendUnavailable, which the service records, so that
launches on that backend answer UnsupportedOperation with the reason, and the
other backends run on. The first pass asks one live host of each backend in
use, so that is known before the first launch is placed. EBS volumes are files
on their AZ's hosts, made, copied and removed through a live host's node agent
(`common/ec2/volumes.py`), and attached through the instance's backend.

Calls that are no single instance's go to the hosts that hold what they act
on. Elastic IPs: an address is region-wide (under netns, one table in the
region's router), so the first live host of each backend by name holds them
all; when that host changes, the new one is handed every address again.
Evict (kill-az, kill-node): the killed hosts' agents are dead, so a live host
outside them, one running the backend where there is one, destroys their
containers and VMs (on one machine every host reaches the same daemons).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import subprocess
import sys
import time
from collections.abc import Iterable
from datetime import datetime, timezone

from azlab.cluster.config import BACKENDS, Paths, RegionConfig
from azlab.cluster.ec2 import catalog
from azlab.cluster.ec2 import model as m
from azlab.cluster.ec2.compute import HostBackend
from azlab.cluster.ec2.model import Ec2Model, Host, Instance, Volume
from azlab.cluster.interfaces import Placement
from azlab.cluster.services import GrpcService, NodeUnreachable, ServiceContext
from azlab.common.ec2 import volumes
from azlab.common.ec2.compute import (BackendInstance, BackendSetup, BackendUnavailable, InstanceConfig, InstanceSpec,
                                      LaunchFailed, VolumeSpec)
from azlab.ec2.v1 import ec2_pb2, ec2_pb2_grpc

log = logging.getLogger(__name__)
EIP_PREFIX = {"netns": "10.200.0", "loopback": "127.200.0"}
BOOT_RETRIES = 3           # failed boots in a row before starts back off
BOOT_BACKOFF_S = 0.25
BOOT_BACKOFF_MAX_S = 30.0
GIB = 1 << 30
VOLUME_CHORE_S = 300.0  # making or copying a volume's file
REMOVE_REGION_S = 300.0


class Ec2Service:
    name = "ec2"

    def __init__(self, context: ServiceContext):
        region = context.region
        self.region = region
        self.agents = context.agents
        self.home = context.paths.home
        network = region.network
        azs = region.config.azs
        self.setups = {name: BackendSetup(name, network, azs, context.paths.region_id) for name in BACKENDS}
        self.in_use = sorted({region.config.backend_of(n) for n in region.nodes} | {region.config.backend})
        self.unavailable: dict[str, str] = {}  # backend -> why its hosts cannot build it
        self._answered: set[str] = set()        # backends a host has answered for, as available or not
        self.model = Ec2Model(
            context.store, azs, self.hosts,
            subnet_prefix=lambda az: ".".join(network.cidr(region.config.az_index(az)).split(".")[:2]),
            eip_prefix=EIP_PREFIX.get(network.isolation, "127.200.0"),
            volume_backends=[n for n in self.in_use if self.setups[n].supports_volumes],
        )
        self.model.unavailable_backends = self.unavailable
        self._lock = asyncio.Lock()
        self._configs: dict[str, InstanceConfig] = {}  # what each running instance was last handed
        self._reboots: dict[str, int] = {}              # reboots done, per instance, since this controller started
        self._routes: dict[str, str] | None = None      # Elastic IP -> instance id, as attached; None: not yet synced
        self._address_hosts: dict[str, str] = {}        # backend -> the host that holds its Elastic IPs
        self._kick: asyncio.Task | None = None
        self._unbooted_starts: dict[str, tuple[int, float]] = {}  # instance -> (starts since it last booted, the last)

    def hosts(self) -> list[Host]:
        return [Host(n.name, n.az, n.state == "alive", self.region.config.backend_of(n.name))
                for n in self.region.nodes.values()]

    @property
    def backend(self) -> BackendSetup:
        """The region's own backend (its `backend` setting), as data: what region-wide flags report."""
        return self.setups[self.region.config.backend]

    def backend_of(self, instance: Instance) -> HostBackend:
        """The instance's backend on its host (its data alone, while it has no host)."""
        return HostBackend(self.agents, instance.host, self.setups[instance.backend])

    def host_backend(self, host: str, name: str | None = None) -> HostBackend:
        """Backend `name` (by default the one the host runs) on `host`."""
        return HostBackend(self.agents, host, self.setups[name or self.region.config.backend_of(host)])

    # Instances (cluster/interfaces.py): what other services (ELB) may know of instances
    def placements(self, instance_ids: Iterable[str]) -> dict[str, Placement]:
        return {i: Placement(instance.private_ip if instance.state == m.RUNNING else "", instance.az, instance.state)
                for i in instance_ids if (instance := self.model.instances.get(i)) is not None}

    def grpc_services(self) -> list[GrpcService]:
        from azlab.cluster.ec2.servicer import Ec2Servicer

        return [GrpcService(ec2_pb2.DESCRIPTOR.services_by_name["Ec2"].full_name, Ec2Servicer(self),
                            ec2_pb2_grpc.add_Ec2Servicer_to_server)]

    def kick(self) -> None:
        """Reconcile now rather than at the next tick (a launch should not wait for it)."""
        if self._kick is None or self._kick.done():
            self._kick = asyncio.get_running_loop().create_task(self.reconcile())
            self._kick.add_done_callback(_log_failure)

    def spec(self, instance: Instance) -> InstanceSpec:
        image = self.model.images.get(instance.image_id, {})
        keys = {}
        if instance.key_name and instance.key_name in self.model.key_pairs:
            keys[instance.key_name] = self.model.key_pairs[instance.key_name]["public_key"]
        groups = [self.model.groups[g].group_name for g in instance.security_group_ids if g in self.model.groups]
        attached = self.model.attached_volumes(instance.instance_id)
        return InstanceSpec(
            instance_id=instance.instance_id, image_id=instance.image_id, instance_type=instance.instance_type,
            host=instance.host, az=instance.az, private_ip=instance.private_ip, vcpus=instance.vcpus,
            memory_mib=instance.memory_mib, user_data=instance.user_data, public_keys=keys,
            image_location=image.get("image_location", ""),
            virtualization_type=image.get("virtualization_type", "hvm"),
            kernel_location=catalog.KERNELS.get(image.get("kernel_id", ""), ""),
            ramdisk_location=catalog.RAMDISKS.get(image.get("ramdisk_id", ""), ""),
            root_volume=next((self.volume_spec(v) for v in attached if v.root), None),
            volumes=tuple(self.volume_spec(v) for v in attached if not v.root),
            metadata={
                "instance-id": instance.instance_id, "ami-id": instance.image_id, "instance-type": instance.instance_type,
                "ami-launch-index": instance.ami_launch_index, "reservation-id": instance.reservation_id,
                "availability-zone": instance.az, "region": self.region.config.region, "security-groups": groups,
                "local-hostname": f"ip-{instance.private_ip.replace('.', '-')}.{self.region.config.region}.compute.internal",
            },
        )

    def volume_spec(self, volume: Volume) -> VolumeSpec:
        return VolumeSpec(volume.volume_id, str(volumes.volume_path(self.home, volume.az, volume.volume_id)),
                          volume.size_gib, volume.device, volume.volume_type, volume.iops, volume.burst_iops)

    def config(self, instance: Instance) -> InstanceConfig:
        action = None
        if instance.interruption_at is not None:
            at = datetime.fromtimestamp(instance.interruption_at, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
            action = {"action": "terminate", "time": at}
        return InstanceConfig(firewall=self.model.firewall(instance), public_ip=self.model.public_ip(instance),
                              spot_action=action)

    async def reconcile(self) -> None:
        async with self._lock:
            self.model.interrupt_spot()
            hosts = self.hosts()
            alive = {h.name for h in hosts if h.alive}
            wanted_hosts = {i.host for i in self.model.instances.values() if i.host and i.host in alive}
            # and one live host of each backend no host has answered for yet: whether it is available
            probes = {min((h.name for h in hosts if h.alive and h.backend == name), default=None)
                      for name in self.in_use if name not in self._answered}
            asked = sorted(wanted_hosts | (probes - {None}))
            described: dict[str, dict[str, BackendInstance]] = {}
            for host, found in zip(asked, await asyncio.gather(
                    *(self.host_backend(h).describe(h) for h in asked), return_exceptions=True), strict=True):
                name = self.region.config.backend_of(host)
                if isinstance(found, NodeUnreachable):
                    continue  # its health will say so; its instances wait
                self._answered.add(name)
                if isinstance(found, BackendUnavailable):
                    self._unavailable(found)
                    continue
                if isinstance(found, BaseException):
                    log.error("describing %s failed; its instances wait", host, exc_info=found)
                    continue
                if self.unavailable.pop(name, None) is not None:
                    log.warning("the %s backend is available again", name)
                described[host] = found
            await asyncio.gather(*(self._reconcile_instance(i, described, alive) for i in list(self.model.instances.values())),
                                 *(self._stop_stray(host, found) for host, found in described.items()))
            await self._reconcile_addresses()
            await self._reconcile_volumes(described, alive)

    def _unavailable(self, e: BackendUnavailable) -> None:
        if self.unavailable.get(e.backend) != e.why:
            log.warning("the %s backend is unavailable: %s", e.backend, e.why)
        self.unavailable[e.backend] = e.why

    def _may_boot(self, instance_id: str) -> bool:
        """Whether to (re)start the instance now. Starts that never boot (its init exits first) are failed
        boots; after a few, starts back off exponentially and its instance status reads impaired, as a
        failing EC2 instance's status check does, instead of a restart every tick."""
        starts, last = self._unbooted_starts.get(instance_id, (0, 0.0))
        if starts < BOOT_RETRIES:
            return True
        self.model.boot_failing(instance_id, True)
        return time.monotonic() >= last + min(BOOT_BACKOFF_MAX_S, BOOT_BACKOFF_S * 2 ** starts)

    async def _stop_stray(self, host: str, found: dict[str, BackendInstance]) -> None:
        """Stop what runs where the model says it should not: an instance marked stopped or terminated while its
        host was cut off (its processes ran on), or one started elsewhere since."""
        for instance_id, seen in found.items():
            instance = self.model.instances.get(instance_id)
            if not seen.running or instance is None:
                continue
            if instance.state in (m.STOPPED, m.TERMINATED) or instance.host != host:
                spec = dataclasses.replace(self.spec(instance), host=host)
                backend = self.host_backend(host)  # the host's own backend: what it runs there
                try:
                    await (backend.destroy(spec) if instance.state == m.TERMINATED else backend.stop(spec))
                    log.warning("%s: stopped a stray process of it on %s", instance_id, host)
                except Exception as e:
                    log.info("%s: stopping its stray on %s failed (%s); trying again", instance_id, host, e)

    async def _reconcile_instance(self, instance: Instance, described: dict[str, dict[str, BackendInstance]],
                                  alive: set[str]) -> None:
        if instance.state in (m.STOPPED, m.TERMINATED):
            return
        if instance.state == m.PENDING and (why := self.unavailable.get(instance.backend)):
            # placed before its hosts said they cannot build its backend: no retry will boot it
            self.model.terminate_instances([instance.instance_id],
                                           reason=str(BackendUnavailable(instance.backend, why)))
            return
        reachable = instance.host in described
        # Health evidence: a host the region reports down runs nothing we could stop (a cut-off one
        # may; `_stop_stray` stops it once it is back), nor does one that cannot build the backend.
        runs_nothing = instance.host not in alive or instance.backend in self.unavailable
        seen = described.get(instance.host, {}).get(instance.instance_id)
        backend = self.backend_of(instance)
        try:
            if instance.state in (m.PENDING, m.RUNNING):
                if not reachable:
                    return  # impaired until its host returns; it boots again then
                if seen is None or not seen.running:
                    if not self._may_boot(instance.instance_id) or self._root_pending(instance):
                        return
                    self._configs.pop(instance.instance_id, None)
                    config = self.config(instance)
                    await backend.start(self.spec(instance), config)
                    starts, _ = self._unbooted_starts.get(instance.instance_id, (0, 0.0))
                    self._unbooted_starts[instance.instance_id] = (starts + 1, time.monotonic())
                    self._configs[instance.instance_id] = config
                    self._reboots[instance.instance_id] = instance.reboots
                    if instance.state == m.PENDING:
                        self.model.mark_running(instance.instance_id)
                    return
                if instance.state == m.PENDING:  # started by a controller that died before recording it
                    self.model.mark_running(instance.instance_id)
                if not seen.booted:
                    return
                if self._unbooted_starts.pop(instance.instance_id, None):
                    self.model.boot_failing(instance.instance_id, False)
                if seen.limits != instance.limits:
                    self.model.mark_booted(instance.instance_id, seen.limits)
                if self._reboots.setdefault(instance.instance_id, instance.reboots) < instance.reboots:
                    self._reboots[instance.instance_id] = instance.reboots
                    await backend.reboot(self.spec(instance), self.config(instance))
                    return
                config = self.config(instance)
                if self._configs.get(instance.instance_id) != config:
                    await backend.configure(self.spec(instance), config)
                    self._configs[instance.instance_id] = config
            elif instance.state == m.STOPPING:
                if reachable:
                    await backend.stop(self.spec(instance))
                if reachable or runs_nothing:
                    self.model.mark_stopped(instance.instance_id)
            elif instance.state == m.SHUTTING_DOWN:
                if reachable:
                    await backend.destroy(self.spec(instance))
                if reachable or runs_nothing:
                    self._configs.pop(instance.instance_id, None)
                    self.model.mark_terminated(instance.instance_id)
        except NodeUnreachable as e:
            log.info("%s: host %s unreachable (%s); trying again", instance.instance_id, instance.host, e)
        except LaunchFailed as e:  # no retry will boot it: terminated with the reason, as EC2 does
            log.warning("%s: %s", instance.instance_id, e)
            if isinstance(e, BackendUnavailable):
                self._unavailable(e)
            self.model.terminate_instances([instance.instance_id], reason=str(e))
        except Exception:  # one instance's trouble must not hold up the others
            log.exception("%s: reconciling failed; trying again", instance.instance_id)

    async def _reconcile_addresses(self) -> None:
        holders: dict[str, str] = {}  # backend -> the first live host running it, which holds its addresses
        for host in sorted(self.hosts(), key=lambda h: h.name):
            if host.alive and host.backend not in self.unavailable:
                holders.setdefault(host.backend, host.name)
        if holders != self._address_hosts:  # a new holder knows none yet: hand it every address again
            self._address_hosts, self._routes = holders, None
        targets = self.model.eip_targets()
        try:
            if self._routes is None:  # first pass: whatever the network holds is made to match
                for address in self.model.addresses.values():
                    if address["public_ip"] not in targets:
                        await self._detach_address(address["public_ip"])
                self._routes = {}
            for eip in [e for e in self._routes if e not in targets]:
                await self._detach_address(eip)
                del self._routes[eip]
            for eip, instance in targets.items():
                if self._routes.get(eip) != instance.instance_id and (holder := holders.get(instance.backend)):
                    if eip in self._routes:  # from the backend that had it, which may be another one
                        await self._detach_address(eip)
                    await self.host_backend(holder, instance.backend).attach_address(eip, self.spec(instance))
                    self._routes[eip] = instance.instance_id
        except NodeUnreachable as e:  # a holder cut off: the next pass goes on, or hands them to the next holder
            log.info("moving Elastic IPs waits for %s", e)

    async def _detach_address(self, eip: str) -> None:
        for name, holder in self._address_hosts.items():
            await self.host_backend(holder, name).detach_address(eip)

    def _root_pending(self, instance: Instance) -> bool:
        """An EBS-backed instance boots once its root volume's file is made."""
        return any(v.root and v.state == m.CREATING for v in self.model.attached_volumes(instance.instance_id))

    async def _on_live_host(self, az: str, alive: set[str], script: str, *args) -> bool | None:
        """Run a volume chore on a live host of `az`: True when it worked, False when it failed, None: no host now."""
        for host in sorted(h.name for h in self.hosts() if h.az == az and h.name in alive):
            try:
                done = await self.agents.call(host, "run_command", volumes.command(script, *args), VOLUME_CHORE_S,
                                              timeout_s=VOLUME_CHORE_S + 5)
            except NodeUnreachable:
                continue
            if done["returncode"] != 0:
                log.warning("a volume chore on %s failed: %s", host, done["output"].strip()[-500:])
            return done["returncode"] == 0
        return None

    async def _reconcile_volumes(self, described: dict[str, dict[str, BackendInstance]], alive: set[str]) -> None:
        """Make, remove, copy, attach and detach what the model says, each where its AZ has a live host."""
        await asyncio.gather(*(self._reconcile_volume(v, described, alive) for v in list(self.model.volumes.values())),
                             *(self._copy_snapshot(s, alive) for s in list(self.model.snapshots.values())
                               if s["state"] == m.SNAPSHOT_PENDING))

    async def _reconcile_volume(self, volume: Volume, described: dict[str, dict[str, BackendInstance]],
                                alive: set[str]) -> None:
        path = volumes.volume_path(self.home, volume.az, volume.volume_id)
        try:
            if volume.state == m.CREATING:
                source = (volumes.snapshot_path(self.home, volume.snapshot_id) if volume.snapshot_id else
                          self.home / "images" / volume.image_location if volume.image_location else "")
                done = await self._on_live_host(volume.az, alive, volumes.CREATE, path, volume.size_gib * GIB, source)
                if done is not None:
                    self.model.volume_created(volume.volume_id, done)
            elif volume.state == m.DELETING:
                if await self._on_live_host(volume.az, alive, volumes.REMOVE, path):
                    self.model.volume_deleted(volume.volume_id)
            elif volume.attach_state in (m.ATTACHING, m.DETACHING):
                instance = self.model.instances.get(volume.instance_id)
                seen = described.get(instance.host, {}).get(volume.instance_id) if instance else None
                if instance is None or seen is None or not seen.booted:
                    return  # once its instance runs where it is reached (for a stopped one the model settles it)
                backend = self.backend_of(instance)
                if volume.attach_state == m.ATTACHING:
                    await backend.attach_volume(self.spec(instance), self.volume_spec(volume))
                    self.model.volume_attached(volume.volume_id)
                else:
                    await backend.detach_volume(self.spec(instance), self.volume_spec(volume))
                    self.model.volume_detached(volume.volume_id)
        except NodeUnreachable as e:
            log.info("%s: host unreachable (%s); trying again", volume.volume_id, e)
        except Exception:  # one volume's trouble must not hold up the others
            log.exception("%s: reconciling failed; trying again", volume.volume_id)

    async def _copy_snapshot(self, snapshot: dict, alive: set[str]) -> None:
        """A crash-consistent copy of the volume's file into the region's storage, made by a host of its AZ."""
        volume = self.model.volumes.get(snapshot["volume_id"])
        if volume is None:
            self.model.snapshot_copied(snapshot["snapshot_id"], False)  # its volume was deleted first
            return
        done = await self._on_live_host(volume.az, alive, volumes.COPY,
                                        volumes.volume_path(self.home, volume.az, volume.volume_id),
                                        volumes.snapshot_path(self.home, snapshot["snapshot_id"]))
        if done is not None:
            self.model.snapshot_copied(snapshot["snapshot_id"], done)

    def delete_snapshot(self, snapshot_id: str) -> None:
        """Forget it, then remove its copy from the region's storage (here, on the region node)."""
        self.model.delete_snapshot(snapshot_id)
        volumes.snapshot_path(self.home, snapshot_id).unlink(missing_ok=True)

    async def evict(self, az: str, host: str | None = None) -> None:
        """Kill-az or kill-node: each backend in use whose instances a daemon holds destroys those of `az` (of `host`
        alone when given), which the kill of the dead nodes' processes misses, through a live host outside what
        was killed."""
        live = [h for h in self.hosts() if h.alive and h.az != az] if host is None else \
            [h for h in self.hosts() if h.alive and h.name != host]
        for name in [n for n in self.in_use if self.setups[n].capabilities.daemon_held]:
            evictor = min(live, key=lambda h: (h.backend != name, h.name), default=None)
            if evictor is None:
                log.warning("no live host to evict %s's %s instances", host or az, name)
                continue
            try:
                await self.host_backend(evictor.name, name).evict(az, host)
            except Exception:
                log.exception("the %s backend could not evict %s (through %s)", name, host or az, evictor.name)

    async def create_image(self, instance_id: str, name: str, description: str) -> dict:
        """CreateImage: record it pending, have the backend snapshot the stopped instance's root, record the outcome."""
        image = self.model.create_image(instance_id, name, description)
        instance = self.model.instance(instance_id)
        try:
            location = await self.backend_of(instance).snapshot(self.spec(instance), image["image_id"])
        except (NodeUnreachable, RuntimeError, LaunchFailed) as e:  # LaunchFailed: its backend is unavailable
            log.warning("snapshot of %s for %s failed: %s", instance_id, image["image_id"], e)
            location = None
        self.model.image_snapshotted(image["image_id"], location)
        return image

    async def console_output(self, instance_id: str) -> str:
        instance = self.model.instance(instance_id)
        if not instance.host:
            return ""
        try:
            return await self.backend_of(instance).console_output(self.spec(instance))
        except (NodeUnreachable, LaunchFailed):  # LaunchFailed: its backend is unavailable
            return ""


def _log_failure(task: asyncio.Task) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.warning("reconciling ec2 on demand failed; the next tick tries again", exc_info=task.exception())


def remove_region(paths: Paths, config: RegionConfig | None) -> int:
    """`azlab down`: each backend the region ran removes what outlives the region's processes (containers and
    VMs are dockerd's and libvirtd's children, so no process tag finds them); how many instances went. The
    backends' own code does it, run as the node side's program (nodes/ec2/backends.py)."""
    names = {config.backend, *dict(config.backends).values()} if config else set(BACKENDS)
    done = subprocess.run([sys.executable, "-m", "azlab.nodes.ec2.backends", "remove-region", "--region-id",
                           paths.region_id, "--home", str(paths.home), *sorted(names)],
                          capture_output=True, text=True, timeout=REMOVE_REGION_S)
    if done.returncode != 0:
        raise RuntimeError(f"removing the region's EC2 instances failed: {done.stderr.strip()[-1000:]}")
    return int(done.stdout.split()[-1])  # the count, on its last line


def create(context: ServiceContext) -> Ec2Service:
    return Ec2Service(context)

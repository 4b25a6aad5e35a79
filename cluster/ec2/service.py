"""The EC2 service on the controller: makes what runs on the hosts match the model.

Level-triggered (cluster/services.py): each pass compares every instance's
state with what its host's backend reports and the region's health, and acts
on the difference. So a kill-az, a restore-az (the instances boot again, as
after a host's power loss) and a restarted controller (it re-adopts the
instances that kept running meanwhile, never restarting them) are one code
path. Instances are zonal, like EC2's: a dead AZ's instances are impaired
until it returns; nothing moves them elsewhere.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from datetime import datetime, timezone

from azlab.cluster.ec2 import model as m
from azlab.cluster.ec2.model import Ec2Model, Host, Instance
from azlab.cluster.services import GrpcService, NodeUnreachable, ServiceContext
from azlab.ec2.v1 import ec2_pb2, ec2_pb2_grpc
from azlab.nodes.ec2.backend import BackendInstance, ComputeBackend, InstanceConfig, InstanceSpec
from azlab.nodes.ec2.process import ProcessBackend

log = logging.getLogger(__name__)
EIP_PREFIX = {"netns": "10.200.0", "loopback": "127.200.0"}
BOOT_RETRIES = 3           # failed boots in a row before starts back off
BOOT_BACKOFF_S = 0.25
BOOT_BACKOFF_MAX_S = 30.0


class Ec2Service:
    name = "ec2"

    def __init__(self, context: ServiceContext, backend: ComputeBackend | None = None):
        region = context.region
        self.region = region
        network = region.network
        azs = region.config.azs
        self.backend: ComputeBackend = backend or ProcessBackend(
            context.agents, context.paths.home, network, azs, context.paths.region_id)
        self.model = Ec2Model(
            context.store, azs, self.hosts,
            subnet_prefix=lambda az: ".".join(network.cidr(region.config.az_index(az)).split(".")[:2]),
            eip_prefix=EIP_PREFIX.get(network.isolation, "127.200.0"),
        )
        self._lock = asyncio.Lock()
        self._configs: dict[str, InstanceConfig] = {}  # what each running instance was last handed
        self._reboots: dict[str, int] = {}              # reboots done, per instance, since this controller started
        self._routes: dict[str, str] | None = None      # Elastic IP -> instance id, as attached; None: not yet synced
        self._kick: asyncio.Task | None = None
        self._unbooted_starts: dict[str, tuple[int, float]] = {}  # instance -> (starts since it last booted, the last)

    def hosts(self) -> list[Host]:
        return [Host(n.name, n.az, n.state == "alive") for n in self.region.nodes.values()]

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
        return InstanceSpec(
            instance_id=instance.instance_id, image_id=instance.image_id, instance_type=instance.instance_type,
            host=instance.host, az=instance.az, private_ip=instance.private_ip, vcpus=instance.vcpus,
            memory_mib=instance.memory_mib, user_data=instance.user_data, public_keys=keys,
            image_location=image.get("image_location", ""),
            metadata={
                "instance-id": instance.instance_id, "ami-id": instance.image_id, "instance-type": instance.instance_type,
                "ami-launch-index": instance.ami_launch_index, "reservation-id": instance.reservation_id,
                "availability-zone": instance.az, "region": self.region.config.region, "security-groups": groups,
                "local-hostname": f"ip-{instance.private_ip.replace('.', '-')}.{self.region.config.region}.compute.internal",
            },
        )

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
            alive = {h.name for h in self.hosts() if h.alive}
            wanted_hosts = {i.host for i in self.model.instances.values() if i.host and i.host in alive}
            described: dict[str, dict[str, BackendInstance]] = {}
            for host, found in zip(wanted_hosts, await asyncio.gather(
                    *(self.backend.describe(h) for h in wanted_hosts), return_exceptions=True), strict=True):
                if isinstance(found, NodeUnreachable):
                    continue  # its health will say so; its instances wait
                if isinstance(found, BaseException):
                    log.error("describing %s failed; its instances wait", host, exc_info=found)
                    continue
                described[host] = found
            await asyncio.gather(*(self._reconcile_instance(i, described, alive) for i in list(self.model.instances.values())),
                                 *(self._stop_stray(host, found) for host, found in described.items()))
            await self._reconcile_addresses()

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
                try:
                    await (self.backend.destroy(spec) if instance.state == m.TERMINATED else self.backend.stop(spec))
                    log.warning("%s: stopped a stray process of it on %s", instance_id, host)
                except Exception as e:
                    log.info("%s: stopping its stray on %s failed (%s); trying again", instance_id, host, e)

    async def _reconcile_instance(self, instance: Instance, described: dict[str, dict[str, BackendInstance]],
                                  alive: set[str]) -> None:
        if instance.state in (m.STOPPED, m.TERMINATED):
            return
        reachable = instance.host in described
        # Health evidence: a host the region reports down runs nothing we could stop (a cut-off one
        # may; `_stop_stray` stops it once it is back).
        host_down = instance.host not in alive
        seen = described.get(instance.host, {}).get(instance.instance_id)
        try:
            if instance.state in (m.PENDING, m.RUNNING):
                if not reachable:
                    return  # impaired until its host returns; it boots again then
                if seen is None or not seen.running:
                    if not self._may_boot(instance.instance_id):
                        return
                    self._configs.pop(instance.instance_id, None)
                    config = self.config(instance)
                    await self.backend.start(self.spec(instance), config)
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
                    await self.backend.reboot(self.spec(instance), self.config(instance))
                    return
                config = self.config(instance)
                if self._configs.get(instance.instance_id) != config:
                    await self.backend.configure(self.spec(instance), config)
                    self._configs[instance.instance_id] = config
            elif instance.state == m.STOPPING:
                if reachable:
                    await self.backend.stop(self.spec(instance))
                if reachable or host_down:
                    self.model.mark_stopped(instance.instance_id)
            elif instance.state == m.SHUTTING_DOWN:
                if reachable:
                    await self.backend.destroy(self.spec(instance))
                if reachable or host_down:
                    self._configs.pop(instance.instance_id, None)
                    self.model.mark_terminated(instance.instance_id)
        except NodeUnreachable as e:
            log.info("%s: host %s unreachable (%s); trying again", instance.instance_id, instance.host, e)
        except Exception:  # one instance's trouble must not hold up the others
            log.exception("%s: reconciling failed; trying again", instance.instance_id)

    async def _reconcile_addresses(self) -> None:
        targets = self.model.eip_targets()
        if self._routes is None:  # first pass: whatever the network holds is made to match
            for address in self.model.addresses.values():
                if address["public_ip"] not in targets:
                    await self.backend.detach_address(address["public_ip"])
            self._routes = {}
        for eip in [e for e in self._routes if e not in targets]:
            await self.backend.detach_address(eip)
            del self._routes[eip]
        for eip, instance in targets.items():
            if self._routes.get(eip) != instance.instance_id:
                await self.backend.attach_address(eip, self.spec(instance))
                self._routes[eip] = instance.instance_id

    async def create_image(self, instance_id: str, name: str, description: str) -> dict:
        """CreateImage: record it pending, have the backend snapshot the stopped instance's root, record the outcome."""
        image = self.model.create_image(instance_id, name, description)
        try:
            location = await self.backend.snapshot(self.spec(self.model.instance(instance_id)), image["image_id"])
        except (NodeUnreachable, RuntimeError) as e:
            log.warning("snapshot of %s for %s failed: %s", instance_id, image["image_id"], e)
            location = None
        self.model.image_snapshotted(image["image_id"], location)
        return image

    async def console_output(self, instance_id: str) -> str:
        instance = self.model.instance(instance_id)
        if not instance.host:
            return ""
        try:
            return await self.backend.console_output(self.spec(instance))
        except NodeUnreachable:
            return ""


def _log_failure(task: asyncio.Task) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.warning("reconciling ec2 on demand failed; the next tick tries again", exc_info=task.exception())


def create(context: ServiceContext) -> Ec2Service:
    return Ec2Service(context)

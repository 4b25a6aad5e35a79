"""The `fake` backend: instances held in memory, for fast tests of the EC2 service and model.

After OpenStack Nova's `nova/virt/fake.py`: a real implementation of the
backend contract (common/ec2/compute.py) that runs nothing, with the real
backends' state transitions and shapes. `start` boots at once (running and
booted; a second start is a no-op), `stop` keeps the instance and its console
(described not running), `destroy` forgets it and succeeds when it is gone,
`evict` forgets an AZ's (or a host's) at once. It asks the host's node agent
whether the host lives before it starts or describes anything, as the docker
and libvirt backends do, so a dead host raises NodeUnreachable. Its console
says what it did ("azlab-fake: booting ..."); `metadata` gives the instance
metadata tree the instance would be served, with the config last handed over
(public address, spot notice) applied at once.

Chosen like the others (config `backend = "fake"`, or per AZ or host in
`[backends]`): for tests, never for a lab that should run anything.

Faults, for tests (Nova's fake drivers inject them by subclassing; here they
are data): `unbootable` maps an instance to the LaunchFailed its start raises
(nothing is made), and an instance in `crashing` starts but its init exits
before it boots (described not running, as a process whose init died).
`calls` records what the backend was asked, in order.

Differences from the real backends (the contract suite, tests/unit/test_ec2_backend.py,
skips these, saying so): the user data is never run, so its output is not on the console and no
instance reads its metadata; no files on any host (`snapshot` returns a
location nothing can boot from but this fake); volumes and addresses are
recorded, not attached to anything, and no security group or Elastic IP moves
a packet (`supports_*` say so).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from azlab.common.network import AzNetwork
from azlab.common.ec2.compute import BackendInstance, InstanceConfig, InstanceSpec, LaunchFailed, Traits, VolumeSpec

CONSOLE_BYTES = 64 * 1024  # as the real backends keep
LIMITS = {"enforced": False, "detail": "fake backend: nothing runs, no limits to enforce"}


def remove_region(region_id: str, home: Path) -> int:
    """`azlab down`: nothing of a fake instance outlives the controller."""
    return 0


@dataclass
class FakeInstance:
    spec: InstanceSpec
    config: InstanceConfig
    running: bool = False
    booted: bool = False
    console: str = ""
    volumes: dict[str, VolumeSpec] = field(default_factory=dict)  # by volume id


class FakeBackend(Traits):
    name = "fake"

    def __init__(self, agents, home: Path | None = None, network: AzNetwork | None = None,
                 azs: tuple[str, ...] = (), region_id: str = ""):
        self.agents = agents
        self.instances: dict[str, FakeInstance] = {}
        self.routes: dict[str, str] = {}  # public address -> private address
        self.unbootable: dict[str, LaunchFailed] = {}
        self.crashing: set[str] = set()
        self.calls: list[tuple[str, ...]] = []

    async def _alive(self, host: str) -> None:
        """NodeUnreachable (from the agents) when `host` does not answer."""
        if self.agents is not None:
            await self.agents.call(host, "ping")

    def metadata(self, instance_id: str) -> dict[str, str]:
        """The instance's meta-data tree (paths under latest/meta-data/): the process backend's main keys, with
        the config last handed over."""
        instance = self.instances[instance_id]
        spec, config, meta = instance.spec, instance.config, instance.spec.metadata
        tree = {"instance-id": spec.instance_id, "ami-id": spec.image_id, "instance-type": spec.instance_type,
                "local-ipv4": spec.private_ip, "placement/availability-zone": spec.az,
                "local-hostname": meta.get("local-hostname", ""), "placement/region": meta.get("region", ""),
                "security-groups": "\n".join(meta.get("security-groups", []))}
        if config.public_ip:
            tree["public-ipv4"] = config.public_ip
        for index, (name, key) in enumerate(sorted(spec.public_keys.items())):
            tree[f"public-keys/{index}/openssh-key"] = key
        if config.spot_action:
            tree["spot/instance-action"] = json.dumps(config.spot_action)
        return tree

    def _log(self, instance: FakeInstance, line: str) -> None:
        instance.console = (instance.console + f"azlab-fake: {line}\n")[-CONSOLE_BYTES:]

    async def start(self, spec: InstanceSpec, config: InstanceConfig) -> None:
        await self._alive(spec.host)
        if (failed := self.unbootable.get(spec.instance_id)) is not None:
            raise failed  # before anything is made: a failed start leaves nothing running
        instance = self.instances.get(spec.instance_id)
        if instance is not None and instance.running and instance.spec.host == spec.host:
            return
        if instance is None or instance.spec.host != spec.host:  # a first boot, or one on another host
            instance = self.instances[spec.instance_id] = FakeInstance(spec, config)
        instance.spec, instance.config = spec, config
        instance.volumes = {v.volume_id: v for v in spec.volumes}
        booted = spec.instance_id not in self.crashing
        instance.running = instance.booted = booted
        self._log(instance, f"booting {spec.instance_id} ({spec.instance_type}) on {spec.host}")
        self._log(instance, "user data not run (the fake backend runs nothing)" if booted else "init exited before boot")
        self.calls.append(("start", spec.instance_id, spec.host))

    async def stop(self, spec: InstanceSpec) -> None:
        if (instance := self.instances.get(spec.instance_id)) is not None and instance.running:
            instance.running = instance.booted = False
            self._log(instance, "stopped")
        self.calls.append(("stop", spec.instance_id, spec.host))

    async def reboot(self, spec: InstanceSpec, config: InstanceConfig) -> None:
        await self.stop(spec)
        await self.start(spec, config)

    async def destroy(self, spec: InstanceSpec) -> None:
        self.instances.pop(spec.instance_id, None)
        self.calls.append(("destroy", spec.instance_id, spec.host))

    async def describe(self, host: str) -> dict[str, BackendInstance]:
        await self._alive(host)
        return {i: BackendInstance(i, x.running, x.booted, dict(LIMITS) if x.booted else {})
                for i, x in self.instances.items() if x.spec.host == host}

    async def snapshot(self, spec: InstanceSpec, image_id: str) -> str:
        if spec.instance_id not in self.instances:
            raise RuntimeError(f"{spec.instance_id} has nothing to copy")
        return f"fake:{image_id}"

    async def console_output(self, spec: InstanceSpec) -> str:
        instance = self.instances.get(spec.instance_id)
        return instance.console if instance else ""

    async def configure(self, spec: InstanceSpec, config: InstanceConfig) -> None:
        if (instance := self.instances.get(spec.instance_id)) is not None:
            instance.config = config

    async def attach_address(self, public_ip: str, spec: InstanceSpec) -> None:
        self.routes[public_ip] = spec.private_ip

    async def detach_address(self, public_ip: str) -> None:
        self.routes.pop(public_ip, None)

    async def attach_volume(self, spec: InstanceSpec, volume: VolumeSpec) -> None:
        instance = self.instances.get(spec.instance_id)
        if instance is None or not instance.running:
            raise RuntimeError(f"{spec.instance_id} is not running")  # as libvirt's
        instance.volumes[volume.volume_id] = volume
        self.calls.append(("attach_volume", spec.instance_id, volume.volume_id))

    async def detach_volume(self, spec: InstanceSpec, volume: VolumeSpec) -> None:
        if (instance := self.instances.get(spec.instance_id)) is not None:
            instance.volumes.pop(volume.volume_id, None)
        self.calls.append(("detach_volume", spec.instance_id, volume.volume_id))

    async def evict(self, az: str, host: str | None = None) -> None:
        for instance_id in [i for i, x in self.instances.items() if x.spec.az == az and host in (None, x.spec.host)]:
            del self.instances[instance_id]

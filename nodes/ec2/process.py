"""The `process` backend: an instance is a process tree run by the node agent of its host.

Its init (`azlab.nodes.ec2.instance`) runs in its own network namespace on the
AZ's bridge under netns isolation, or on its own loopback address otherwise.
Its files live in `<home>/ec2/instances/<id>/` on the host: `spec.json` and
`config.json` (written here through the agent), `status.json` and
`console.log` (written by the init), `root/` (its home, kept across stops).

Limitations: under loopback isolation security groups are not enforced and
Elastic IPs do not move traffic (`supports_*` say so); every instance shares
the host's userland (ami-lab-minimal); an image made by CreateImage lives on
its source's host and boots only where that disk is seen (one machine); an
Elastic IP is translated by the region's router, so an instance of the same
AZ cannot reach another through it (no hairpin); an instance killed with its
AZ leaves its empty cgroup directories behind (its next boot reuses them;
`azlab down` removes them);
stopping gives the instance's processes the agent's grace (5 s) then SIGKILL;
no EBS volumes (`supports_volumes` False: AttachVolume answers UnsupportedOperation).
"""

from __future__ import annotations

import asyncio
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from azlab.common.errors import UnsupportedOperation
from azlab.common.network import AzNetwork, NetnsNetwork
from azlab.common.ec2.compute import (METADATA_ADDRESS, METADATA_LOOPBACK_PORT, BackendInstance, InstanceConfig,
                                      InstanceSpec, Traits, VolumeSpec)
from azlab.nodes.ec2.instance import Cgroups

CONSOLE_BYTES = 64 * 1024
SNAPSHOT_TIMEOUT_S = 60.0
METADATA_NETNS = (METADATA_ADDRESS, 80)


def region_cgroup(region_id: str) -> str:
    """The cgroup, in each hierarchy, under which the region's instances have theirs."""
    return f"azlab-{region_id}"


def remove_region(region_id: str, home: Path) -> int:
    """`azlab down`: the cgroups that instances killed with their AZ left behind. Their processes died with
    the region's tagged ones, so none is counted here."""
    Cgroups.remove_tree(region_cgroup(region_id))
    return 0


class ProcessBackend(Traits):
    name = "process"

    def __init__(self, agents, home: Path, network: AzNetwork, azs: tuple[str, ...], region_id: str):
        self.agents = agents
        self.home = home
        self.network = network
        self.azs = azs
        self.region_id = region_id
        self.netns = isinstance(network, NetnsNetwork)
        self._routes: dict[str, str] = {}
        self._status: dict[tuple[str, int], dict] = {}  # (instance, pid) -> its status.json, once booted

    def instance_dir(self, instance_id: str) -> Path:
        return self.home / "ec2" / "instances" / instance_id

    def _boot_spec(self, spec: InstanceSpec) -> dict[str, Any]:
        az_index = self.azs.index(spec.az) + 1
        boot = {
            "instance_id": spec.instance_id, "image_id": spec.image_id, "host": spec.host,
            "isolation": "netns" if self.netns else "loopback", "own_mounts": self.netns, "private_ip": spec.private_ip,
            "vcpus": spec.vcpus, "memory_mib": spec.memory_mib, "user_data": spec.user_data,
            "cgroup": f"{region_cgroup(self.region_id)}/{spec.instance_id}",
            "metadata": {**spec.metadata, "public-keys": spec.public_keys},
            "metadata_endpoint": self.metadata_endpoint(spec),
            "metadata_bind": list(METADATA_NETNS) if self.netns else [spec.private_ip, METADATA_LOOPBACK_PORT],
            "root_source": spec.image_location,
        }
        if self.netns:
            assert isinstance(self.network, NetnsNetwork)
            boot.update(switch_ns=self.network.switch(az_index), veth=f"v{spec.instance_id[-12:]}",
                        gateway=self.network.gateway(az_index), prefix_len=16)
        return boot

    async def start(self, spec: InstanceSpec, config: InstanceConfig) -> None:
        directory = self.instance_dir(spec.instance_id)
        await self.agents.call(spec.host, "write_file", str(directory / "spec.json"),
                               json.dumps(self._boot_spec(spec)).encode())
        await self.configure(spec, config)
        argv = [sys.executable, "-m", "azlab.nodes.ec2.instance", str(directory)]
        if self.netns:
            # Namespaces that die with the instance's last process; its own mounts show it its cgroups.
            argv = ["unshare", "--net", "--mount", "--", *argv]
        await self.agents.start_process(spec.host, spec.instance_id, argv, None, None)

    async def stop(self, spec: InstanceSpec) -> None:
        await self.agents.stop_process(spec.host, spec.instance_id)

    async def reboot(self, spec: InstanceSpec, config: InstanceConfig) -> None:
        await self.stop(spec)
        await self.start(spec, config)

    async def destroy(self, spec: InstanceSpec) -> None:
        await self.stop(spec)
        await self.agents.call(spec.host, "remove_path", str(self.instance_dir(spec.instance_id)))

    async def describe(self, host: str) -> dict[str, BackendInstance]:
        found = {}
        for name, process in (await self.agents.processes(host)).items():
            if not name.startswith("i-"):
                continue
            status = None
            for key in [k for k in self._status if k[0] == name and k[1] != process["pid"]]:
                del self._status[key]  # an earlier boot's
            if process["running"]:
                status = self._status.get((name, process["pid"])) or await self._read_status(host, name, process["pid"])
            found[name] = BackendInstance(name, process["running"], status is not None, (status or {}).get("limits", {}))
        return found

    async def _read_status(self, host: str, instance_id: str, pid: int) -> dict | None:
        """The init's status.json once it is this boot's (its pid; `unshare` execs, so the pids agree)."""
        data = await self.agents.call(host, "read_file", str(self.instance_dir(instance_id) / "status.json"), 65536)
        try:
            status = json.loads(data) if data else None
        except ValueError:
            return None
        if status and status.get("pid") == pid:
            self._status[(instance_id, pid)] = status
            return status
        return None

    async def snapshot(self, spec: InstanceSpec, image_id: str) -> str:
        """`cp -a` of the instance's root into `<home>/ec2/images/<id>/root`, run on its host by its agent."""
        target = self.home / "ec2" / "images" / image_id / "root"
        name = f"snapshot-{image_id}"
        source = self.instance_dir(spec.instance_id) / "root"
        await self.agents.start_process(spec.host, name, ["sh", "-c", 'mkdir -p "$2" && cp -a "$1/." "$2/"', "sh",
                                                          str(source), str(target)], None, None)
        deadline = asyncio.get_running_loop().time() + SNAPSHOT_TIMEOUT_S
        while (copy := (await self.agents.processes(spec.host))[name])["running"]:
            if asyncio.get_running_loop().time() > deadline:
                await self.agents.stop_process(spec.host, name)
                break
            await asyncio.sleep(0.05)
        if copy["running"] or copy["returncode"] != 0:
            await self.agents.call(spec.host, "remove_path", str(target.parent))
            raise RuntimeError(f"copying {source} failed (exit {copy['returncode']})")
        return str(target)

    async def console_output(self, spec: InstanceSpec) -> str:
        data = await self.agents.call(spec.host, "read_file", str(self.instance_dir(spec.instance_id) / "console.log"),
                                      CONSOLE_BYTES)
        return (data or b"").decode(errors="replace")

    async def configure(self, spec: InstanceSpec, config: InstanceConfig) -> None:
        await self.agents.call(spec.host, "write_file", str(self.instance_dir(spec.instance_id) / "config.json"),
                               json.dumps(asdict(config)).encode())

    async def attach_address(self, public_ip: str, spec: InstanceSpec) -> None:
        self._routes[public_ip] = spec.private_ip
        await self._route()

    async def detach_address(self, public_ip: str) -> None:
        self._routes.pop(public_ip, None)
        await self._route()

    async def _route(self) -> None:
        if self.netns:
            assert isinstance(self.network, NetnsNetwork)
            await asyncio.to_thread(self.network.route_eips, dict(self._routes))

    async def attach_volume(self, spec: InstanceSpec, volume: VolumeSpec) -> None:
        raise UnsupportedOperation("the process backend attaches no volumes")

    async def detach_volume(self, spec: InstanceSpec, volume: VolumeSpec) -> None:
        pass  # nothing was ever attached

    async def evict(self, az: str, host: str | None = None) -> None:
        """Nothing to do: an instance is a process of its node, and dies with the node's tagged processes."""

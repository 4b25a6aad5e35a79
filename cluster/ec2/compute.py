"""The compute backends as the EC2 service reaches them: through each host's node agent.

A host runs its backend itself (`NodeAgent.compute`, nodes/ec2/backends.py), so its dockerd, libvirtd and
processes are its own, in a multi-machine lab as on one machine. `HostBackend` is one host's backend on the
controller: each ComputeBackend call (common/ec2/compute.py) is one call of that host's agent, bounded in
time (a host that does not answer in time raises NodeUnreachable, as every agent call does); its
capabilities are data (`Traits`), known without asking the host.
"""

from __future__ import annotations

from typing import Any

from azlab.cluster.services import NodeAgents
from azlab.common.ec2.compute import BackendInstance, BackendSetup, InstanceConfig, InstanceSpec, Traits, VolumeSpec

# How long a call may take on its host. A boot may build a container or a VM (TCG is slow), a snapshot copies a
# root; the rest are quick, and a cut-off host holds up the reconcile pass that asks it for no longer than they
# take. A call the controller stops waiting for finishes on its host before the next one about the same
# instance starts (nodes/ec2/backends.py).
TIMEOUT_S = {"describe": 10.0, "console_output": 10.0, "configure": 10.0, "attach_address": 10.0,
             "detach_address": 10.0, "evict": 60.0, "snapshot": 600.0}
SLOW_TIMEOUT_S = 300.0


class HostBackend(Traits):
    def __init__(self, agents: NodeAgents, host: str, setup: BackendSetup):
        self.agents = agents
        self.host = host
        self.setup = setup
        self.name = setup.name
        self.network = setup.network

    async def _call(self, method: str, *args) -> Any:
        try:
            return await self.agents.call(self.host, "compute", self.setup, method, *args,
                                          timeout_s=TIMEOUT_S.get(method, SLOW_TIMEOUT_S))
        except Exception as e:
            # What the host's backend raised arrives wrapped by Ray (as its own class, but printing a traceback
            # as its message); the contract's errors (LaunchFailed, BackendUnavailable, ...) are the backend's own.
            raise getattr(e, "cause", e) from None

    async def start(self, spec: InstanceSpec, config: InstanceConfig) -> None:
        await self._call("start", spec, config)

    async def stop(self, spec: InstanceSpec) -> None:
        await self._call("stop", spec)

    async def reboot(self, spec: InstanceSpec, config: InstanceConfig) -> None:
        await self._call("reboot", spec, config)

    async def destroy(self, spec: InstanceSpec) -> None:
        await self._call("destroy", spec)

    async def describe(self, host: str) -> dict[str, BackendInstance]:
        return await self._call("describe", host)

    async def snapshot(self, spec: InstanceSpec, image_id: str) -> str:
        return await self._call("snapshot", spec, image_id)

    async def console_output(self, spec: InstanceSpec) -> str:
        return await self._call("console_output", spec)

    async def configure(self, spec: InstanceSpec, config: InstanceConfig) -> None:
        await self._call("configure", spec, config)

    async def attach_address(self, public_ip: str, spec: InstanceSpec) -> None:
        await self._call("attach_address", public_ip, spec)

    async def detach_address(self, public_ip: str) -> None:
        await self._call("detach_address", public_ip)

    async def attach_volume(self, spec: InstanceSpec, volume: VolumeSpec) -> None:
        await self._call("attach_volume", spec, volume)

    async def detach_volume(self, spec: InstanceSpec, volume: VolumeSpec) -> None:
        await self._call("detach_volume", spec, volume)

    async def evict(self, az: str, host: str | None = None) -> None:
        await self._call("evict", az, host)

"""The EC2 service's reconcile loop against a fake backend (after Nova's fake driver): the region's
health is fed by hand, the backend records what it was asked and runs nothing."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

import pytest

from azlab.cluster.config import Paths
from azlab.cluster.ec2.model import RunInstancesSpec
from azlab.cluster.ec2.service import Ec2Service
from azlab.cluster.services import NodeUnreachable, ServiceContext
from azlab.nodes.ec2.backend import BackendInstance, InstanceConfig, InstanceSpec, LaunchFailed

from .regions import live_region


class FakeBackend:
    """Instances as entries per host; an unreachable host raises NodeUnreachable, as the agents do."""

    name = "process"
    supports_security_groups = True
    supports_addresses = True
    supports_block_devices = False
    supports_volumes = True

    def __init__(self):
        self.crashing: set[str] = set()  # instances whose init exits before it boots
        self.unbootable: dict[str, LaunchFailed] = {}  # instances the backend cannot boot, and why
        self.hosts: dict[str, dict[str, BackendInstance]] = {}
        self.unreachable: set[str] = set()
        self.calls: list[tuple[str, str, str]] = []
        self.configs: dict[str, InstanceConfig] = {}
        self.routes: dict[str, str] = {}

    def _host(self, host: str) -> dict[str, BackendInstance]:
        if host in self.unreachable:
            raise NodeUnreachable(host)
        return self.hosts.setdefault(host, {})

    def metadata_endpoint(self, spec: InstanceSpec) -> str:
        return "http://169.254.169.254/"

    async def start(self, spec, config):
        if spec.instance_id in self.unbootable:
            raise self.unbootable[spec.instance_id]
        booted = spec.instance_id not in self.crashing
        self._host(spec.host)[spec.instance_id] = BackendInstance(
            spec.instance_id, booted, booted, {"enforced": True, "detail": "fake"} if booted else {})
        self.configs[spec.instance_id] = config
        self.calls.append(("start", spec.instance_id, spec.host))

    async def stop(self, spec):
        found = self._host(spec.host)
        if spec.instance_id in found:
            found[spec.instance_id] = BackendInstance(spec.instance_id, False, False)
        self.calls.append(("stop", spec.instance_id, spec.host))

    async def reboot(self, spec, config):
        await self.stop(spec)
        await self.start(spec, config)

    async def destroy(self, spec):
        self._host(spec.host).pop(spec.instance_id, None)
        self.calls.append(("destroy", spec.instance_id, spec.host))

    async def describe(self, host):
        return dict(self._host(host))

    async def snapshot(self, spec, image_id):
        return f"/images/{image_id}"

    async def console_output(self, spec):
        return ""

    async def configure(self, spec, config):
        self.configs[spec.instance_id] = config

    async def attach_address(self, public_ip, spec):
        self.routes[public_ip] = spec.private_ip

    async def detach_address(self, public_ip):
        self.routes.pop(public_ip, None)

    async def attach_volume(self, spec, volume):
        self.calls.append(("attach_volume", spec.instance_id, volume.volume_id))

    async def detach_volume(self, spec, volume):
        self.calls.append(("detach_volume", spec.instance_id, volume.volume_id))

    async def evict(self, az, host=None):
        for name in [h for h in self.hosts if h == host or (host is None and h.startswith(f"{az}/"))]:
            self.hosts[name] = {}


@pytest.fixture
def world(tmp_path: Path):
    store, region = live_region(tmp_path)
    backend = FakeBackend()
    service = Ec2Service(ServiceContext(region, store, agents=None, paths=Paths(tmp_path)), backends={"process": backend})  # type: ignore[arg-type]
    return service, region, backend


def reconcile(service: Ec2Service) -> None:
    asyncio.run(service.reconcile())


def test_launch_runs_on_the_placed_host_and_a_dead_host_leaves_it_impaired_until_it_boots_again(world):
    service, region, backend = world
    [instance] = service.model.run_instances(RunInstancesSpec("ami-lab-minimal", "t1.micro", az="lab-1b"))
    reconcile(service)
    assert instance.state == "running" and backend.calls == [("start", instance.instance_id, "lab-1b/node-0")]
    reconcile(service)
    assert instance.limits == {"enforced": True, "detail": "fake"} and service.model.status(instance) == ("ok", "ok")

    region.nodes["lab-1b/node-0"].state = "down"  # kill-az: its processes are gone with it
    backend.hosts["lab-1b/node-0"] = {}
    backend.unreachable.add("lab-1b/node-0")
    reconcile(service)
    assert service.model.status(instance) == ("impaired", "impaired") and instance.state == "running"
    region.nodes["lab-1b/node-0"].state = "alive"  # restore-az: a new agent, nothing running
    backend.unreachable.clear()
    reconcile(service)
    assert backend.calls[-1] == ("start", instance.instance_id, "lab-1b/node-0")  # booted again


def test_a_restarted_controller_adopts_what_runs_and_restarts_nothing(world, tmp_path):
    service, region, backend = world
    [instance] = service.model.run_instances(RunInstancesSpec("ami-lab-minimal", "t1.micro", az="lab-1a"))
    reconcile(service)
    service.model.reboot_instances([instance.instance_id])  # done once, by the first controller
    reconcile(service)
    calls = list(backend.calls)
    again = Ec2Service(ServiceContext(region, service.model.store, agents=None, paths=Paths(tmp_path)), backends={"process": backend})  # type: ignore[arg-type]
    reconcile(again)
    assert backend.calls == calls  # no start, no second reboot
    assert again.model.instances[instance.instance_id].state == "running"


def test_terminated_while_its_host_was_cut_off_its_stray_process_is_destroyed_once_back(world):
    service, region, backend = world
    [instance] = service.model.run_instances(RunInstancesSpec("ami-lab-minimal", "t1.micro", az="lab-1c"))
    reconcile(service)
    region.nodes["lab-1c/node-0"].state = "down"  # partitioned: down by health, its processes run on
    backend.unreachable.add("lab-1c/node-0")
    service.model.terminate_instances([instance.instance_id])
    reconcile(service)
    assert instance.state == "terminated"
    region.nodes["lab-1c/node-0"].state = "alive"
    backend.unreachable.clear()
    reconcile(service)
    assert backend.calls[-1] == ("destroy", instance.instance_id, "lab-1c/node-0")
    assert instance.instance_id not in backend.hosts["lab-1c/node-0"]


def test_stop_waits_for_a_host_that_is_alive_but_does_not_answer(world):
    service, region, backend = world
    [instance] = service.model.run_instances(RunInstancesSpec("ami-lab-minimal", "t1.micro", az="lab-1a"))
    reconcile(service)
    service.model.stop_instances([instance.instance_id])
    backend.unreachable.add("lab-1a/node-0")  # slow, not dead: the health monitor still hears it
    reconcile(service)
    assert instance.state == "stopping"
    backend.unreachable.clear()
    reconcile(service)
    assert instance.state == "stopped" and ("stop", instance.instance_id, "lab-1a/node-0") in backend.calls


def test_security_group_changes_and_elastic_ips_reach_the_backend(world):
    service, region, backend = world
    group = service.model.create_security_group("web", "web")
    a, b = service.model.run_instances(RunInstancesSpec("ami-lab-minimal", "t1.micro", 2, 2, az="lab-1a",
                                                             security_group_ids=(group.group_id,)))
    reconcile(service)
    reconcile(service)
    assert backend.configs[a.instance_id].firewall["ingress"] == []
    service.model.change_rules(group.group_id, [{"ip_protocol": "tcp", "from_port": 80, "to_port": 80,
                                                 "cidrs": ["0.0.0.0/0"]}], egress=False, authorize=True)
    eip = service.model.allocate_address()
    service.model.associate_address(eip["allocation_id"], a.instance_id)
    reconcile(service)
    assert backend.configs[a.instance_id].firewall["ingress"][0]["from_port"] == 80
    assert backend.configs[a.instance_id].public_ip == eip["public_ip"]
    assert backend.routes == {eip["public_ip"]: a.private_ip}
    service.model.associate_address(eip["allocation_id"], b.instance_id, allow_reassociation=True)
    reconcile(service)
    assert backend.routes == {eip["public_ip"]: b.private_ip}


def test_an_instance_whose_boots_keep_failing_is_impaired_and_restarted_ever_less_often(world):
    service, region, backend = world
    [instance] = service.model.run_instances(RunInstancesSpec("ami-lab-minimal", "t1.micro", az="lab-1a"))
    backend.crashing.add(instance.instance_id)
    for _ in range(10):
        reconcile(service)
    starts = [c for c in backend.calls if c[0] == "start"]
    assert len(starts) == 3  # then it backs off instead of restarting every tick
    assert service.model.status(instance) == ("ok", "impaired")
    backend.crashing.clear()
    service._unbooted_starts[instance.instance_id] = (3, 0.0)  # the back-off has run out
    reconcile(service)
    reconcile(service)
    assert service.model.status(instance) == ("ok", "ok")


def test_a_launch_the_backend_cannot_boot_is_terminated_with_its_reason(world):
    service, region, backend = world
    [doomed, kept] = service.model.run_instances(RunInstancesSpec("ami-lab-minimal", "t1.micro", 2, 2, az="lab-1a"))
    backend.unbootable[doomed.instance_id] = LaunchFailed("Server.InternalError", "its kernel is missing")
    for _ in range(3):
        reconcile(service)
    assert doomed.state == "terminated" and doomed.state_reason == "Server.InternalError: its kernel is missing"
    assert [c for c in backend.calls if c[0] == "start"] == [("start", kept.instance_id, kept.host)]
    assert kept.state == "running"


class HereAgents:
    """The node agents' `run_command`, run on this machine (real files; a host in `dead` does not answer)."""

    def __init__(self):
        self.dead: set[str] = set()

    async def call(self, host, method, *args, timeout_s=None):
        if host in self.dead:
            raise NodeUnreachable(host)
        assert method == "run_command"
        done = await asyncio.to_thread(subprocess.run, args[0], capture_output=True, text=True, timeout=args[1])
        return {"returncode": done.returncode, "output": done.stdout + done.stderr}


def test_volumes_are_made_attached_snapshotted_detached_and_removed_through_the_hosts(tmp_path):
    store, region = live_region(tmp_path)
    backend, agents = FakeBackend(), HereAgents()
    service = Ec2Service(ServiceContext(region, store, agents=agents, paths=Paths(tmp_path)),  # type: ignore[arg-type]
                         backends={"process": backend})
    model = service.model
    [instance] = model.run_instances(RunInstancesSpec("ami-lab-minimal", "t1.micro", az="lab-1a"))
    volume = model.create_volume("lab-1a", size_gib=2)
    agents.dead.add("lab-1a/node-0")
    reconcile(service)
    assert volume.state == "creating"  # no live host of its AZ to make its file: it waits
    agents.dead.clear()
    reconcile(service)
    path = tmp_path / "ec2" / "volumes" / "lab-1a" / f"{volume.volume_id}.img"
    assert volume.state == "available" and path.stat().st_size == 2 << 30 and path.stat().st_blocks == 0  # sparse
    path.write_bytes(b"data")  # what the instance would have written (truncating is fine for a copy test)
    reconcile(service)  # the instance boots
    model.attach_volume(volume.volume_id, instance.instance_id, "/dev/xvdf")
    reconcile(service)
    assert ("attach_volume", instance.instance_id, volume.volume_id) in backend.calls and volume.attach_state == "attached"
    assert service.spec(instance).volumes[0].path == str(path)  # what it boots with next time
    snapshot = model.create_snapshot(volume.volume_id)
    reconcile(service)
    copy = tmp_path / "ec2" / "snapshots" / f"{snapshot['snapshot_id']}.img"
    assert snapshot["state"] == "completed" and copy.read_bytes() == b"data"
    service.delete_snapshot(snapshot["snapshot_id"])
    assert not copy.exists()
    model.detach_volume(volume.volume_id)
    reconcile(service)
    assert ("detach_volume", instance.instance_id, volume.volume_id) in backend.calls and volume.state == "available"
    model.delete_volume(volume.volume_id)
    reconcile(service)
    assert not path.exists() and volume.volume_id not in model.volumes


def test_evict_empties_the_az_in_every_backend(world):
    service, region, backend = world
    [doomed] = service.model.run_instances(RunInstancesSpec("ami-lab-minimal", "t1.micro", az="lab-1b"))
    [kept] = service.model.run_instances(RunInstancesSpec("ami-lab-minimal", "t1.micro", az="lab-1c"))
    reconcile(service)
    asyncio.run(service.evict("lab-1b"))
    assert backend.hosts["lab-1b/node-0"] == {} and kept.instance_id in backend.hosts["lab-1c/node-0"]
    assert doomed.state == "running"  # impaired until restore, when reconcile boots it again

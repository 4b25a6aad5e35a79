"""The EC2 service's reconcile loop against the fake backend (nodes/ec2/fake.py, after Nova's fake driver),
chosen by the region's config as a lab chooses any backend: the region's health is fed by hand, the node
agents are stood in for by `HereAgents`, whose hosts build the backend and answer the service's calls as a
node agent does (`compute`), and the backend records what it was asked and runs nothing. What the real
backends do with those requests is tests/unit/test_ec2_backend.py's contract."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from azlab.cluster.config import Paths, RegionConfig
from azlab.cluster.ec2.model import RunInstancesSpec
from azlab.cluster.ec2.service import Ec2Service, remove_region
from azlab.cluster.region import Region
from azlab.cluster.services import ServiceContext
from azlab.common.ec2.compute import LaunchFailed
from azlab.common.errors import UnsupportedOperation
from azlab.nodes.ec2 import backends, fake
from azlab.nodes.ec2.fake import FakeBackend

from .backends import HereAgents
from .regions import live_region


def fake_service(tmp_path: Path) -> tuple[Ec2Service, Region]:
    store, region = live_region(tmp_path, RegionConfig(backend="fake"))
    return Ec2Service(ServiceContext(region, store, agents=HereAgents(), paths=Paths(tmp_path))), region  # type: ignore[arg-type]


@pytest.fixture
def world(tmp_path: Path):
    service, region = fake_service(tmp_path)
    reconcile(service)  # the first pass asks a host of each backend in use, which builds it
    backend = service.agents.compute.backends["fake"]
    assert isinstance(backend, FakeBackend)  # built by name on the host, as `backend = "fake"` in a lab's config does
    return service, region, backend


def reconcile(service: Ec2Service) -> None:
    asyncio.run(service.reconcile())


def test_launch_runs_on_the_placed_host_and_a_dead_host_leaves_it_impaired_until_it_boots_again(world):
    service, region, backend = world
    [instance] = service.model.run_instances(RunInstancesSpec("ami-lab-minimal", "t1.micro", az="lab-1b"))
    reconcile(service)
    assert instance.state == "running" and backend.calls == [("start", instance.instance_id, "lab-1b/node-0")]
    reconcile(service)
    assert instance.limits == fake.LIMITS and service.model.status(instance) == ("ok", "ok")

    region.nodes["lab-1b/node-0"].state = "down"  # kill-az: its processes are gone with it
    asyncio.run(backend.evict("lab-1b", "lab-1b/node-0"))
    backend.agents.unreachable.add("lab-1b/node-0")
    reconcile(service)
    assert service.model.status(instance) == ("impaired", "impaired") and instance.state == "running"
    region.nodes["lab-1b/node-0"].state = "alive"  # restore-az: a new agent, nothing running
    backend.agents.unreachable.clear()
    reconcile(service)
    assert backend.calls[-1] == ("start", instance.instance_id, "lab-1b/node-0")  # booted again


def test_a_restarted_controller_adopts_what_runs_and_restarts_nothing(world, tmp_path):
    service, region, backend = world
    [instance] = service.model.run_instances(RunInstancesSpec("ami-lab-minimal", "t1.micro", az="lab-1a"))
    reconcile(service)
    service.model.reboot_instances([instance.instance_id])  # done once, by the first controller
    reconcile(service)
    calls = list(backend.calls)
    # the new controller asks the same hosts, whose backend saw what the first one started
    context = ServiceContext(region, service.model.store, agents=backend.agents, paths=Paths(tmp_path))  # type: ignore[arg-type]
    again = Ec2Service(context)
    reconcile(again)
    assert backend.calls == calls  # no start, no second reboot
    assert again.model.instances[instance.instance_id].state == "running"


def test_terminated_while_its_host_was_cut_off_its_stray_process_is_destroyed_once_back(world):
    service, region, backend = world
    [instance] = service.model.run_instances(RunInstancesSpec("ami-lab-minimal", "t1.micro", az="lab-1c"))
    reconcile(service)
    region.nodes["lab-1c/node-0"].state = "down"  # partitioned: down by health, its processes run on
    backend.agents.unreachable.add("lab-1c/node-0")
    service.model.terminate_instances([instance.instance_id])
    reconcile(service)
    assert instance.state == "terminated"
    region.nodes["lab-1c/node-0"].state = "alive"
    backend.agents.unreachable.clear()
    reconcile(service)
    assert backend.calls[-1] == ("destroy", instance.instance_id, "lab-1c/node-0")
    assert instance.instance_id not in asyncio.run(backend.describe("lab-1c/node-0"))


def test_stop_waits_for_a_host_that_is_alive_but_does_not_answer(world):
    service, region, backend = world
    [instance] = service.model.run_instances(RunInstancesSpec("ami-lab-minimal", "t1.micro", az="lab-1a"))
    reconcile(service)
    service.model.stop_instances([instance.instance_id])
    backend.agents.unreachable.add("lab-1a/node-0")  # slow, not dead: the health monitor still hears it
    reconcile(service)
    assert instance.state == "stopping"
    backend.agents.unreachable.clear()
    reconcile(service)
    assert instance.state == "stopped" and ("stop", instance.instance_id, "lab-1a/node-0") in backend.calls


def test_security_group_changes_and_elastic_ips_reach_the_backend(world):
    service, region, backend = world
    group = service.model.create_security_group("web", "web")
    a, b = service.model.run_instances(RunInstancesSpec("ami-lab-minimal", "t1.micro", 2, 2, az="lab-1a",
                                                             security_group_ids=(group.group_id,)))
    reconcile(service)
    reconcile(service)
    assert backend.instances[a.instance_id].config.firewall["ingress"] == []
    service.model.change_rules(group.group_id, [{"ip_protocol": "tcp", "from_port": 80, "to_port": 80,
                                                 "cidrs": ["0.0.0.0/0"]}], egress=False, authorize=True)
    eip = service.model.allocate_address()
    service.model.associate_address(eip["allocation_id"], a.instance_id)
    reconcile(service)
    assert backend.instances[a.instance_id].config.firewall["ingress"][0]["from_port"] == 80
    assert backend.instances[a.instance_id].config.public_ip == eip["public_ip"]
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


def test_volumes_are_made_attached_snapshotted_detached_and_removed_through_the_hosts(world, tmp_path):
    service, region, backend = world
    agents, model = backend.agents, service.model
    [instance] = model.run_instances(RunInstancesSpec("ami-lab-minimal", "t1.micro", az="lab-1a"))
    volume = model.create_volume("lab-1a", size_gib=2)
    agents.unreachable.add("lab-1a/node-0")
    reconcile(service)
    assert volume.state == "creating"  # no live host of its AZ to make its file: it waits
    agents.unreachable.clear()
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
    assert asyncio.run(backend.describe("lab-1b/node-0")) == {} and kept.instance_id in asyncio.run(backend.describe("lab-1c/node-0"))
    assert doomed.state == "running"  # impaired until restore, when reconcile boots it again


def test_a_backend_its_hosts_cannot_build_fails_the_launches_placed_on_it_and_refuses_new_ones(tmp_path, monkeypatch):
    monkeypatch.setitem(backends.BACKENDS, "fake", "azlab.nodes.ec2.gone:GoneBackend")  # its library is missing
    service, region = fake_service(tmp_path)
    [placed] = service.model.run_instances(RunInstancesSpec("ami-lab-minimal", "t1.micro", az="lab-1a"))
    reconcile(service)  # no host has answered for it before: this launch was placed
    reconcile(service)
    why = "the fake backend is unavailable: ModuleNotFoundError: No module named 'azlab.nodes.ec2.gone'"
    assert placed.state == "terminated" and placed.state_reason == f"Server.InternalError: {why}"
    with pytest.raises(UnsupportedOperation, match="fake: ModuleNotFoundError"):
        service.model.run_instances(RunInstancesSpec("ami-lab-minimal", "t1.micro", az="lab-1a"))
    assert list(service.model.instances) == [placed.instance_id]


def test_down_has_each_backend_remove_what_outlives_the_region_through_the_node_side(tmp_path):
    assert remove_region(Paths(tmp_path), RegionConfig(backend="fake", backends=(("lab-1a", "process"),))) == 0


def test_a_hosts_calls_about_one_instance_run_one_at_a_time(world):
    """A call the controller stopped waiting for (its timeout) finishes on the host before the next one about that
    instance starts there, so a slow boot and the stop that follows it never interleave."""
    service, region, backend = world
    [instance] = service.model.run_instances(RunInstancesSpec("ami-lab-minimal", "t1.micro", az="lab-1a"))
    spec, config, booting = service.spec(instance), service.config(instance), asyncio.Event()
    start, seen = backend.start, []

    async def slow_start(*args) -> None:
        seen.append("boot begins")
        await booting.wait()
        await start(*args)
        seen.append("boot ends")

    backend.start = slow_start
    host = service.agents.compute

    async def story() -> None:
        boot = asyncio.create_task(host.call(service.setups["fake"], "start", spec, config))
        stop = asyncio.create_task(host.call(service.setups["fake"], "stop", spec))
        for _ in range(10):  # let both run as far as they can: the boot to its wait, the stop to its turn
            await asyncio.sleep(0)
        seen.append("controller gave up waiting")
        booting.set()
        await asyncio.gather(boot, stop)

    asyncio.run(story())
    assert seen == ["boot begins", "controller gave up waiting", "boot ends"]
    assert backend.calls[-2:] == [("start", instance.instance_id, spec.host), ("stop", instance.instance_id, spec.host)]

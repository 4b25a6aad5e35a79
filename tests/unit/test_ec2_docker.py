"""The docker backend against this machine's real dockerd, without a region: the host's node agent is
stood in for by one that runs its commands here (real processes, real mounts), on loopback addresses.
What every backend promises (idempotent start, user data on the console, stop and destroy) is
tests/unit/test_ec2_backend.py's contract; here, what is the docker backend's own."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from azlab.common.network import LoopbackNetwork
from azlab.cluster.services import NodeUnreachable
from azlab.common.ec2 import volumes
from azlab.common.ec2.compute import InstanceConfig, InstanceSpec, VolumeSpec

from .backends import HereAgents

pytestmark = pytest.mark.docker

docker_backend = pytest.importorskip("azlab.nodes.ec2.docker")
AZS = ("lab-1a", "lab-1b", "lab-1c")
PORT = 8080
USER_DATA = b"""#!/bin/sh
echo "user data says hello"
mkdir -p /root/www && echo "$AZLAB_INSTANCE_ID" > /root/www/instance-id
ls /mnt > /root/www/mnt
exec httpd -f -p "$AZLAB_PRIVATE_IP:8080" -h /root/www
"""


@pytest.fixture
def backend(docker_home):
    backend = docker_backend.DockerBackend(HereAgents(), docker_home, LoopbackNetwork(), AZS, "unit0000")
    yield backend
    docker_backend.remove_region("unit0000", docker_home)


def spec(instance_id: str, az: str = "lab-1a", n: int = 1, volumes_: tuple[VolumeSpec, ...] = ()) -> InstanceSpec:
    index = AZS.index(az) + 1
    return InstanceSpec(
        instance_id=instance_id, image_id="ami-lab-docker", instance_type="t1.micro", host=f"{az}/node-0", az=az,
        private_ip=f"127.{10 + index}.1.{n}", vcpus=1, memory_mib=628,
        user_data=base64.b64encode(USER_DATA).decode(), image_location=docker_backend.IMAGE, volumes=volumes_)


def volume(home: Path, volume_id: str, device: str = "/dev/xvdf", source: str = "") -> VolumeSpec:
    path = volumes.volume_path(home, "lab-1a", volume_id)
    done = subprocess.run(volumes.command(volumes.CREATE, path, 1 << 30, source), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return VolumeSpec(volume_id, str(path), 1, device, "gp2", 100, 3000)


def get(address: str, path: str) -> str | None:
    try:
        with urllib.request.urlopen(f"http://{address}:{PORT}/{path}", timeout=1) as answer:
            return answer.read().decode()
    except OSError:
        return None


def wait(predicate, what: str, timeout_s: float = 20):
    deadline = time.monotonic() + timeout_s
    while not (value := predicate()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)
    return value


def inside(backend, instance_id: str, *argv: str) -> str:
    container = backend.client.containers.get(backend.container_name(instance_id))
    code, output = container.exec_run(list(argv))
    assert code == 0, output
    return output.decode()


def test_an_instance_answers_on_its_address_within_its_limits_and_a_new_controller_adopts_it(backend):
    web = spec("i-0docker000000001")
    asyncio.run(backend.start(web, InstanceConfig()))
    assert wait(lambda: get(web.private_ip, "instance-id"), "the web server").strip() == web.instance_id
    [seen] = asyncio.run(backend.describe(web.host)).values()
    assert seen.limits["enforced"]
    container = backend.client.containers.get(backend.container_name(web.instance_id))
    assert container.attrs["HostConfig"]["NanoCpus"] == 10**9 and container.attrs["HostConfig"]["Memory"] == 628 << 20
    assert container.labels["azlab.az"] == "lab-1a"
    # a restarted controller's backend sees the same container, running
    again = docker_backend.DockerBackend(HereAgents(), backend.home, backend.network, AZS, "unit0000")
    assert asyncio.run(again.describe(web.host))[web.instance_id].running

    asyncio.run(backend.stop(web))
    assert get(web.private_ip, "instance-id") is None
    asyncio.run(backend.start(web, InstanceConfig()))
    wait(lambda: get(web.private_ip, "instance-id"), "the web server after a start")
    assert asyncio.run(backend.console_output(web)).count("user data started") == 2  # user data runs at every boot
    asyncio.run(backend.destroy(web))


def test_a_volume_keeps_its_data_across_detach_attach_and_through_a_snapshot(backend, docker_home):
    home = docker_home
    data = volume(home, "vol-0docker00000001")
    web = spec("i-0docker000000002", n=2)
    asyncio.run(backend.start(web, InstanceConfig()))
    wait(lambda: get(web.private_ip, "instance-id"), "the web server")
    asyncio.run(backend.attach_volume(web, data))  # while it runs
    asyncio.run(backend.attach_volume(web, data))  # a no-op when attached
    assert "/mnt/xvdf ext4" in inside(backend, web.instance_id, "cat", "/proc/mounts")
    inside(backend, web.instance_id, "sh", "-c", "echo kept > /mnt/xvdf/note && sync")
    asyncio.run(backend.detach_volume(web, data))
    assert "/mnt/xvdf" not in inside(backend, web.instance_id, "cat", "/proc/mounts")
    asyncio.run(backend.detach_volume(web, data))  # succeeds when not attached
    asyncio.run(backend.attach_volume(web, data))
    assert inside(backend, web.instance_id, "cat", "/mnt/xvdf/note") == "kept\n"

    snapshot = volumes.snapshot_path(home, "snap-0docker0000001")
    done = subprocess.run(volumes.command(volumes.COPY, data.path, snapshot), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr  # of a mounted volume: frozen while copied
    copy = volume(home, "vol-0docker00000002", "/dev/xvdg", source=str(snapshot))
    booted_with = spec("i-0docker000000003", n=3, volumes_=(copy,))  # attached when it boots
    asyncio.run(backend.start(booted_with, InstanceConfig()))
    wait(lambda: get(booted_with.private_ip, "mnt"), "the second web server")
    assert inside(backend, booted_with.instance_id, "cat", "/mnt/xvdg/note") == "kept\n"
    assert get(booted_with.private_ip, "mnt").split() == ["xvdg"]  # seen by its user data at boot
    for s in (web, booted_with):
        asyncio.run(backend.destroy(s))
    mounted = subprocess.run(volumes.command("findmnt -l -n -o TARGET"), capture_output=True, text=True).stdout
    assert str(volumes.mounts(home)) + "/i-" not in mounted  # destroy let go of the volumes


def test_evict_destroys_every_container_of_the_host_or_az_and_no_other(backend):
    doomed = [spec(f"i-0docker00000001{n}", "lab-1b", n) for n in range(2)]
    doomed[1] = dataclasses.replace(doomed[1], host="lab-1b/node-1")
    survivor = spec("i-0docker000000020", "lab-1c", 1)
    for s in (*doomed, survivor):
        asyncio.run(backend.start(s, InstanceConfig()))
    wait(lambda: get(survivor.private_ip, "instance-id") and get(doomed[1].private_ip, "instance-id"), "the others")
    asyncio.run(backend.evict("lab-1b", "lab-1b/node-0"))  # kill-node: that host's alone
    assert get(doomed[0].private_ip, "instance-id") is None
    assert get(doomed[1].private_ip, "instance-id").strip() == doomed[1].instance_id
    asyncio.run(backend.evict("lab-1b"))
    asyncio.run(backend.evict("lab-1b"))  # succeeds when there are none
    assert asyncio.run(backend.describe("lab-1b/node-0")) == {}
    assert all(get(s.private_ip, "instance-id") is None for s in doomed)
    assert get(survivor.private_ip, "instance-id").strip() == survivor.instance_id
    backend.agents.unreachable.add("lab-1b/node-0")
    with pytest.raises(NodeUnreachable):  # a dead host is never described as empty
        asyncio.run(backend.describe("lab-1b/node-0"))

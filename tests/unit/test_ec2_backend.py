"""The compute-backend contract, run against the process backend without Ray: its node agent is
stood in for by the agent's own parts (the process supervisor and the file helpers), on this host.

Every backend (docker and libvirt next) should pass these: idempotent start, describe, console,
configure, stop keeping files, destroy removing them and succeeding when already gone.
"""

from __future__ import annotations

import asyncio
import base64
import json
import urllib.request
from dataclasses import asdict
from pathlib import Path

import pytest

from azlab.common.network import LoopbackNetwork
from azlab.nodes import files
from azlab.nodes.ec2.backend import InstanceConfig, InstanceSpec
from azlab.nodes.ec2.process import ProcessBackend
from azlab.nodes.supervisor import ProcessSpec, ProcessSupervisor

BOOT_S = 20.0


class LocalAgents:
    """What NodeAgents offers the backend, done here with the node agent's own parts."""

    def __init__(self, home: Path):
        self.home = home
        self.supervisor = ProcessSupervisor(home / "logs")

    async def start_process(self, node, name, argv, env=None, cwd=None) -> dict:
        return asdict(await self.supervisor.start(ProcessSpec(name, tuple(argv), env or {}, cwd)))

    async def stop_process(self, node, name) -> dict | None:
        info = await self.supervisor.stop(name)
        return asdict(info) if info else None

    async def processes(self, node) -> dict[str, dict]:
        return {p.name: asdict(p) for p in self.supervisor.describe()}

    async def call(self, node, method, *args):
        operation = {"write_file": files.write_atomically, "read_file": files.read_tail, "remove_path": files.remove}[method]
        return operation(self.home, Path(args[0]), *args[1:])


def spec(instance_id: str = "i-0123456789abcdef0", user_data: str = "#!/bin/sh\necho hello from $AZLAB_INSTANCE_ID\n"):
    return InstanceSpec(
        instance_id=instance_id, image_id="ami-lab-minimal", instance_type="t1.micro", host="lab-1a/node-0",
        az="lab-1a", private_ip="127.11.1.77", vcpus=1, memory_mib=628,
        user_data=base64.b64encode(user_data.encode()).decode(), public_keys={"me": "ssh-ed25519 AAAAC3Nz me"},
        metadata={"instance-id": instance_id, "ami-id": "ami-lab-minimal", "instance-type": "t1.micro",
                  "ami-launch-index": 0, "reservation-id": "r-1", "availability-zone": "lab-1a", "region": "lab-1",
                  "security-groups": ["default"], "local-hostname": "ip-127-11-1-77"},
    )


async def until(predicate, what: str):
    deadline = asyncio.get_running_loop().time() + BOOT_S
    while not (value := await predicate()):
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)
    return value


@pytest.fixture
def backend(tmp_path):
    agents = LocalAgents(tmp_path)
    backend = ProcessBackend(agents, tmp_path, LoopbackNetwork(), ("lab-1a", "lab-1b"), region_id=f"t{tmp_path.name[-6:]}")
    yield backend
    asyncio.run(agents.supervisor.stop_all())


def metadata(path: str) -> str:
    with urllib.request.urlopen(f"http://127.11.1.77:80/latest/{path}", timeout=2) as answer:
        return answer.read().decode()


def test_an_instance_boots_runs_its_user_data_and_serves_its_metadata(backend):
    async def story():
        instance = spec()
        await backend.start(instance, InstanceConfig())
        await backend.start(instance, InstanceConfig())  # idempotent: one instance, one process
        seen = await until(lambda: _booted(backend, instance), "the instance to boot")
        assert seen.running and set(seen.limits) == {"enforced", "detail"}
        console = await until(lambda: _console_has(backend, instance, "hello from i-0123456789abcdef0"), "user data")
        assert "user data started" in console
        assert await asyncio.to_thread(metadata, "meta-data/instance-id") == instance.instance_id
        assert await asyncio.to_thread(metadata, "meta-data/public-keys/0/openssh-key") == "ssh-ed25519 AAAAC3Nz me"
        root = backend.instance_dir(instance.instance_id) / "root"
        assert (root / ".ssh" / "authorized_keys").read_text() == "ssh-ed25519 AAAAC3Nz me me\n"

        await backend.configure(instance, InstanceConfig(public_ip="10.200.0.9",
                                                         spot_action={"action": "terminate", "time": "2026-01-01T00:00:00Z"}))
        await until(lambda: _metadata_is("meta-data/public-ipv4", "10.200.0.9"), "the new config")
        assert json.loads(await asyncio.to_thread(metadata, "meta-data/spot/instance-action"))["action"] == "terminate"

        await backend.stop(instance)
        assert not (await backend.describe(instance.host))[instance.instance_id].running
        assert root.exists()  # a stopped instance keeps its files
        await backend.destroy(instance)
        await backend.destroy(instance)  # already gone: still fine
        assert not backend.instance_dir(instance.instance_id).exists()

    asyncio.run(story())


def test_stop_reaches_processes_that_left_the_process_group(backend):
    async def story():
        instance = spec(user_data="#!/bin/sh\nsetsid sleep 300 &\necho $! > daemon.pid\nexec sleep 300\n")
        await backend.start(instance, InstanceConfig())
        await until(lambda: _booted(backend, instance), "the instance to boot")
        pid_file = backend.instance_dir(instance.instance_id) / "root" / "daemon.pid"
        daemon = int(await until(lambda: _read(pid_file), "the daemon's pid"))
        await backend.stop(instance)
        assert not Path(f"/proc/{daemon}").exists() or "Z" in Path(f"/proc/{daemon}/stat").read_text().split(")")[1][:3]

    asyncio.run(story())


async def _booted(backend, instance):
    seen = (await backend.describe(instance.host)).get(instance.instance_id)
    return seen if seen and seen.booted else None


async def _console_has(backend, instance, text):
    console = await backend.console_output(instance)
    return console if text in console else None


async def _metadata_is(path, expected):
    try:
        return await asyncio.to_thread(metadata, path) == expected
    except OSError:
        return False


async def _read(path: Path) -> str:
    return path.read_text().strip() if path.exists() else ""

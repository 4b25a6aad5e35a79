"""`azlab up --ray-address`: adopting a Ray cluster that its owner started by hand."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from azlab.common import processes
from azlab.cluster.runtime import free_port

from .conftest import Lab, can_echo, gone, wait_until, with_descendants

pytestmark = pytest.mark.region
RAY = str(Path(sys.executable).with_name("ray"))
OWNER = f"owner{os.getpid()}"  # tags the owner's processes so the test can find and clean them up
AZ_ADDRESSES = {"j-1a": "127.31.0.1", "j-1b": "127.32.0.1"}


class OwnersCluster:
    """A head outside the AZs and one raylet per AZ, started with plain `ray start`."""

    def __init__(self, tmp_path: Path):
        token = tmp_path / "owner-token"
        token.write_text(secrets.token_hex(32))
        self.auth = {"RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN_PATH": str(token)}
        self.temp = Path(f"/tmp/azlab-{OWNER}")
        self.address = f"127.30.0.1:{free_port('127.30.0.1')}"
        self._ray_start("head", "--head", "--node-ip-address=127.30.0.1", f"--port={self.address.split(':')[1]}",
                        "--num-cpus=1", f"--temp-dir={self.temp}", "--include-dashboard=false")
        for az in AZ_ADDRESSES:
            self.start_raylet(az)

    def start_raylet(self, az: str) -> None:
        self._ray_start(az, f"--address={self.address}", f"--node-ip-address={AZ_ADDRESSES[az]}", "--num-cpus=1",
                        f"--resources={json.dumps({f'az:{az}': 1000})}", "--include-log-monitor=false")

    def _ray_start(self, who: str, *args: str) -> None:
        env = {**os.environ, **self.auth, processes.TAG_ENV: processes.tag(OWNER, who)}
        done = subprocess.run([RAY, "start", *args, "--object-store-memory=80000000", "--disable-usage-stats"],
                              env=env, capture_output=True, text=True, timeout=120, start_new_session=True)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]

    def processes_of(self, who: str) -> list[int]:
        return processes.tagged(processes.tag(OWNER, who), exact=True)

    def stop(self) -> None:
        processes.kill_tagged(processes.region_prefix(OWNER))
        shutil.rmtree(self.temp, ignore_errors=True)


@pytest.fixture
def owners_cluster(tmp_path):
    cluster = OwnersCluster(tmp_path)
    yield cluster
    cluster.stop()


def test_a_joined_cluster_is_adopted_killed_restored_and_left_running(owners_cluster, tmp_path):
    lab = Lab(tmp_path / "home", "host", extra_env=owners_cluster.auth)
    up = lab.json("up", "--ray-address", owners_cluster.address, "--region", "j-1")
    assert up["Isolation"] == "host"
    zones = lab.zones()
    assert sorted(zones) == ["j-1a", "j-1b"]
    assert all(z["State"] == "available" for z in zones.values())
    assert zones["j-1b"]["Nodes"][0]["Address"] == AZ_ADDRESSES["j-1b"]

    done = lab.azlab("chaos", "partition-az", "j-1b")
    assert done.returncode == 254 and "(UnsupportedOperation)" in done.stderr

    address = lab.start_echo("j-1b/node-0")["address"]
    doomed = with_descendants(owners_cluster.processes_of("j-1b"))
    lab.json("chaos", "kill-az", "j-1b")
    wait_until(lambda: lab.zones()["j-1b"]["State"] == "unavailable", 30, "j-1b reported down")
    assert all(gone(pid) for pid in doomed)  # its raylet, its workers, the agent and the agent's children
    assert not can_echo(address)
    assert owners_cluster.processes_of("j-1a") and lab.zones()["j-1a"]["State"] == "available"

    owners_cluster.start_raylet("j-1b")  # the owner restarts the machine's raylet; restore adopts it
    lab.json("chaos", "restore-az", "j-1b")
    assert lab.zones()["j-1b"]["State"] == "available"

    lab.json("down")
    assert owners_cluster.processes_of("head") and owners_cluster.processes_of("j-1a") and owners_cluster.processes_of("j-1b")
    actors = subprocess.run([sys.executable, "-c", (
        "import ray; ray.init(address='%s', logging_level='ERROR'); "
        "print(len([a for a in ray.util.list_named_actors(all_namespaces=True) if a['namespace'] == 'azlab-j-1']))"
    ) % owners_cluster.address], env={**os.environ, **owners_cluster.auth}, capture_output=True, text=True, timeout=120)
    assert actors.stdout.strip().splitlines()[-1] == "0", actors.stderr[-2000:]

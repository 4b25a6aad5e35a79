"""The bench's Ray-touching steps, each run as `python -m bench.probe <step> <json args>` in a subprocess.

A probe prints one `RESULT <json>` line and exits, so the bench process never
keeps a Ray connection, and each region gets a fresh Ray (Ray caches its auth
token per process). Timings are taken inside the probe, so they exclude the
interpreter's start-up but include importing Ray, as a user's `azlab up` does.

Steps:
- `up-azlab`: `lab.up(RegionConfig(isolation), Paths(home))`, timed until it returns.
- `up-ray`: the plain peer: network setup, `ray start` for the head and one
  raylet per AZ node (sequential, azlab's own `RayRuntime` commands, flags and
  environment, so every process carries the peer home's AZLAB_TAG), then a
  driver polling `ray.nodes()` until all are alive; timed from the first step.
- `detect-ray`: connect as a driver, SIGKILL the AZ's tagged processes (what
  azlab's KillAz does under loopback), poll `ray.nodes()` until the GCS marks
  the AZ's raylet dead or `bound_s` passes.
"""

from __future__ import annotations

import json
import secrets
import sys
import time
from pathlib import Path
from typing import Any

from azlab.common import processes
from azlab.cluster.config import Paths, RegionConfig
from azlab.cluster.runtime import RayRuntime, free_port, make_network

POLL_S = 0.1
ALIVE_TIMEOUT_S = 120.0


def up_azlab(home: str, isolation: str) -> dict[str, Any]:
    from azlab.cluster import lab

    started = time.monotonic()
    endpoint = lab.up(RegionConfig(isolation=isolation), Paths(Path(home)))
    return {"seconds": time.monotonic() - started, "endpoint": endpoint}


def up_ray(home: str, isolation: str) -> dict[str, Any]:
    config, paths = RegionConfig(isolation=isolation), Paths(Path(home))
    started = time.monotonic()
    network = make_network(config, paths)
    network.setup()
    runtime = RayRuntime(config, paths, free_port(network.region_address()))
    runtime.start_head()
    for az in config.azs:
        for idx in range(config.nodes_per_az):
            runtime.start_node(az, idx, f"azlab-incarnation:{secrets.token_hex(4)}")
    runtime.connect()
    import ray

    expected = 1 + len(config.azs) * config.nodes_per_az
    _until(lambda: sum(n["Alive"] for n in ray.nodes()) >= expected, ALIVE_TIMEOUT_S, f"{expected} alive Ray nodes")
    seconds = time.monotonic() - started
    ray.shutdown()
    return {"seconds": seconds, "gcs_port": runtime.gcs_port}


def detect_ray(home: str, isolation: str, gcs_port: int, az: str, bound_s: float) -> dict[str, Any]:
    config = RegionConfig(isolation=isolation)
    runtime = RayRuntime(config, Paths(Path(home)), gcs_port)
    runtime.connect()
    import ray

    address = runtime.network.host_address(config.az_index(az), 0)

    def alive() -> bool:
        return any(n["Alive"] and n["NodeManagerAddress"] == address for n in ray.nodes())

    _until(alive, ALIVE_TIMEOUT_S, f"the raylet of {az} alive")
    killed_at = time.monotonic()
    killed = processes.kill_tagged(processes.az_prefix(runtime.paths.region_id, az))
    dead = _until(lambda: not alive(), bound_s, "", raise_on_timeout=False)
    seconds = time.monotonic() - killed_at if dead else None
    ray.shutdown()
    return {"seconds": seconds, "bound_s": bound_s, "processes_killed": killed}


def _until(predicate, timeout_s: float, what: str, raise_on_timeout: bool = True) -> bool:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            if raise_on_timeout:
                raise TimeoutError(f"timed out after {timeout_s:.0f}s waiting for {what}")
            return False
        time.sleep(POLL_S)
    return True


STEPS = {"up-azlab": up_azlab, "up-ray": up_ray, "detect-ray": detect_ray}

if __name__ == "__main__":
    step, args = sys.argv[1], json.loads(sys.argv[2])
    print("RESULT " + json.dumps(STEPS[step](**args)), flush=True)

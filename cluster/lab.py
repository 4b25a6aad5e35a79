"""Bringing a region up on this machine and taking it down again.

`up` sets up the AZ networks, starts the Ray head (the region node) and the
region controller, and lets the controller start every AZ node: the same path
restore-az takes. `down` kills every process tagged with the region, removes
its namespaces and forgets its state; it works even when the controller or
Ray is already dead.
"""

from __future__ import annotations

import shutil
import time

from azlab.cluster import processes
from azlab.cluster.config import Paths, RegionConfig
from azlab.cluster.errors import IncorrectState, UnsupportedOperation
from azlab.cluster.network import NetnsNetwork
from azlab.cluster.runtime import CONTROLLER_NAME, REGION_RESOURCE, RayRuntime, free_port, make_network
from azlab.cluster.state import Store

UP_TIMEOUT_S = 180.0


def running(paths: Paths) -> bool:
    """Whether this home's region has live processes."""
    return bool(processes.tagged(processes.region_prefix(paths.region_id)))


def up(config: RegionConfig, paths: Paths) -> str:
    """Bring the region up and return its gRPC endpoint once every node heartbeats.

    Idempotent: a region already up with the same config returns its endpoint.
    A failed `up` leaves nothing running (its logs stay in the state dir).
    """
    if running(paths) and paths.state_db.exists():
        store = Store(paths.state_db)
        current = store.get("config")
        endpoint = store.get("endpoint")
        store.close()
        if RegionConfig.from_dict(current) != config:
            raise IncorrectState(f"region {current['region']} is already up with other settings; run `azlab down` first")
        if endpoint:
            return endpoint
    down(paths)  # leftovers of a region that died without `azlab down`
    if config.isolation == "netns" and (reason := NetnsNetwork.available()):
        raise UnsupportedOperation(reason)

    try:
        return _start(config, paths)
    except BaseException:
        down(paths)
        raise


def _start(config: RegionConfig, paths: Paths) -> str:
    store = Store(paths.state_db)
    try:
        network = make_network(config, paths)
        network.setup()
        runtime = RayRuntime(config, paths, free_port(network.region_address()))
        store.put("config", config.to_dict())
        store.put("runtime", runtime.to_dict())
        store.put("created_at", time.time())
        runtime.start_head()
        runtime.connect()
        import ray

        from azlab.cluster.controller import RegionController

        controller = RegionController.options(
            name=CONTROLLER_NAME, namespace=runtime.namespace, lifetime="detached",
            max_restarts=-1, max_task_retries=-1, num_cpus=0, resources={REGION_RESOURCE: 0.001},
        ).remote(str(paths.home))
        endpoint = ray.get(controller.bootstrap.remote(), timeout=UP_TIMEOUT_S)
        ray.shutdown()
        return endpoint
    finally:
        store.close()


def down(paths: Paths) -> int:
    """Kill every process of the region, remove its networks and state. Returns processes killed."""
    killed = processes.kill_tagged(processes.region_prefix(paths.region_id))
    config = None
    if paths.state_db.exists():
        store = Store(paths.state_db)
        if raw := store.get("config"):
            config = RegionConfig.from_dict(raw)
        store.close()
    if config is None or config.isolation == "netns":
        if NetnsNetwork.available() is None:
            NetnsNetwork(paths.region_id, 0, 0).teardown()
    for leftover in (paths.state_db, paths.state_db.with_name("state.db-wal"), paths.state_db.with_name("state.db-shm")):
        leftover.unlink(missing_ok=True)
    shutil.rmtree(paths.ray_temp, ignore_errors=True)
    return killed

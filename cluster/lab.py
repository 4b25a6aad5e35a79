"""Bringing a region up on this machine and taking it down again.

`up` sets up the AZ networks, starts the Ray head (the region node) and the
region controller, and lets the controller start every AZ node: the same path
restore-az takes. `down` kills every process tagged with the region, removes
its namespaces and forgets its state; it works even when the controller or
Ray is already dead.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import subprocess
import sys
import time

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from azlab.cluster import services
from azlab.common import processes
from azlab.cluster.config import Paths, RegionConfig
from azlab.common.errors import IncorrectState, UnsupportedOperation
from azlab.common.network import NetnsNetwork
from azlab.cluster.runtime import CONTROLLER_NAME, REGION_RESOURCE, RayRuntime, agent_name, free_port, make_network
from azlab.cluster.state import Store

UP_TIMEOUT_S = 180.0


def serving(paths: Paths) -> bool:
    """Whether this home's region controller answers."""
    if not paths.state_db.exists():
        return False
    store = Store(paths.state_db, readonly=True)
    endpoint = store.get("endpoint")
    store.close()
    if not endpoint:
        return False
    with grpc.insecure_channel(endpoint) as channel:
        try:
            answer = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=2)
        except grpc.RpcError:
            return False
    return answer.status == health_pb2.HealthCheckResponse.SERVING


def join(ray_address: str, paths: Paths, region: str = "lab-1", expect_azs: int = 0) -> str:
    """Adopt a Ray cluster azlab did not start, whose AZ raylets carry `az:<name>`,
    once at least `expect_azs` AZs have joined it."""
    return up(RayRuntime.discover(ray_address, region, expect_azs), paths)


@contextlib.contextmanager
def _exclusive(paths: Paths):
    """One `up` or `down` of a home at a time: a second waits, then finds the first's work done."""
    paths.home.mkdir(parents=True, exist_ok=True)
    with open(paths.home / "lab.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def up(config: RegionConfig, paths: Paths) -> str:
    """Bring the region up and return its gRPC endpoint once every node heartbeats.

    Idempotent: a region already up with the same config returns its endpoint.
    A failed `up` leaves nothing running (its logs stay in the state dir).
    """
    with _exclusive(paths):
        return _up(config, paths)


def _up(config: RegionConfig, paths: Paths) -> str:
    if serving(paths):
        store = Store(paths.state_db, readonly=True)
        current, endpoint = RegionConfig.from_dict(store.get("config")), store.get("endpoint")
        store.close()
        if current != config:
            raise IncorrectState(f"region {current.region} is already up with other settings; run `azlab down` first")
        return endpoint
    _down(paths)  # leftovers of a region that died without `azlab down`
    if config.isolation == "netns" and (reason := NetnsNetwork.available()):
        raise UnsupportedOperation(reason)
    if not config.joined and (other := _other_region(paths)):
        raise IncorrectState(
            f"another region is up on this machine (AZLAB_HOME={other}); its AZ addresses are the same as this "
            f"one's, so run `AZLAB_HOME={other} azlab down` first"
        )

    try:
        return _start(config, paths)
    except BaseException:
        _down(paths)
        raise


def _other_region(paths: Paths) -> str | None:
    """The home of another region started on this machine by `azlab up`, if one runs."""
    for env in processes.environments().values():
        tag = env.get(processes.TAG_ENV, "")
        if tag.endswith(":region") and not tag.startswith(processes.region_prefix(paths.region_id)):
            return env.get("AZLAB_HOME", "?")
    return None


def _start(config: RegionConfig, paths: Paths) -> str:
    if "docker" in {config.backend, *dict(config.backends).values()}:
        _start_docker(paths)
    store = Store(paths.state_db)
    try:
        network = make_network(config, paths)
        network.setup()
        runtime = RayRuntime(config, paths, 0 if config.joined else free_port(network.region_address()))
        store.put("config", config.to_dict())
        store.put("runtime", runtime.to_dict())
        store.put("created_at", time.time())
        if not config.joined:
            runtime.start_head()
        runtime.connect()
        import ray
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

        from azlab.cluster.controller import RegionController

        placement = (
            {"scheduling_strategy": NodeAffinitySchedulingStrategy(runtime.region_node_id(), soft=False)}
            if config.joined else {"resources": {REGION_RESOURCE: 0.001}}
        )
        controller = RegionController.options(
            name=CONTROLLER_NAME, namespace=runtime.namespace, lifetime="detached",
            max_restarts=-1, max_task_retries=-1, num_cpus=0, **placement,
        ).remote(str(paths.home))
        endpoint = ray.get(controller.bootstrap.remote(), timeout=UP_TIMEOUT_S)
        ray.shutdown()
        return endpoint
    finally:
        store.close()


def _start_docker(paths: Paths) -> None:
    """dockerd and the lab's docker image, for a region with docker hosts, started by the docker backend's own
    program (nodes/ec2/docker.py), which says on stderr whether it is ready; without them the backend is
    unavailable (its launches say why), and the rest of the region comes up all the same."""
    subprocess.run([sys.executable, "-m", "azlab.nodes.ec2.docker", "--build"],
                   env={**os.environ, "AZLAB_HOME": str(paths.home)}, stdin=subprocess.DEVNULL, check=False)


def down(paths: Paths) -> int:
    """Kill every process of the region, remove its networks and state. Returns processes killed.

    In a joined cluster the raylets are their owner's: only azlab's actors
    (and the processes they started) are removed.
    """
    with _exclusive(paths):
        return _down(paths)


def _down(paths: Paths) -> int:
    config, nodes = None, []
    if paths.state_db.exists():
        store = Store(paths.state_db)
        if raw := store.get("config"):
            config = RegionConfig.from_dict(raw)
        nodes = [node.name for node in store.nodes()]
        store.close()
    if config is not None and config.joined:
        # a joined cluster's address is in its config, not a stored GCS port
        _remove_actors(RayRuntime(config, paths, gcs_port=0), nodes)
    killed = processes.kill_tagged(processes.region_prefix(paths.region_id))
    killed += services.remove_region(paths, config)
    if config is None or config.isolation == "netns":
        if NetnsNetwork.available() is None:
            NetnsNetwork(paths.region_id, 0, 0).teardown()
    for leftover in (paths.state_db, paths.state_db.with_name("state.db-wal"), paths.state_db.with_name("state.db-shm")):
        leftover.unlink(missing_ok=True)
    shutil.rmtree(paths.ray_temp, ignore_errors=True)
    return killed


def _remove_actors(runtime: RayRuntime, nodes: list[str]) -> None:
    import ray

    runtime.connect()
    for node in nodes:
        try:
            agent = ray.get_actor(agent_name(node), namespace=runtime.namespace)
        except ValueError:
            continue  # already gone
        try:
            ray.get(agent.stop_all_processes.remote(), timeout=30)
        except (ray.exceptions.RayError, TimeoutError):
            pass  # a dead node's agent has nothing left to stop
        ray.kill(agent, no_restart=True)
    try:
        ray.kill(ray.get_actor(CONTROLLER_NAME, namespace=runtime.namespace), no_restart=True)
    except ValueError:
        pass
    ray.shutdown()

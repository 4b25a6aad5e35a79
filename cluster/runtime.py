"""The management plane: every `ray` call and every Ray process start sits here.

On one machine azlab runs a real multi-node Ray cluster: a head (the region
node, in no AZ, carrying `azlab-region`) and raylets per AZ carrying
`az:<name>` (and a per-start incarnation resource to pin one node's actors). Each
raylet is started on its host's network (`ip netns exec` under netns) with the
node's process tag, so `processes.kill_tagged` can kill a whole AZ.

Token authentication is on, with a per-region token in the state dir: every
raylet and driver of the region gets it through the environment.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from azlab.common import processes
from azlab.cluster.config import Paths, RegionConfig
from azlab.common.errors import UnsupportedOperation
from azlab.common.machines import MACHINE_PORT, Machine
from azlab.common.network import AzNetwork, HostNetwork, LoopbackNetwork, NetnsNetwork

REGION_RESOURCE = "azlab-region"
CONTROLLER_NAME = "controller"
OBJECT_STORE_BYTES = 80 * 1024 * 1024  # Ray's minimum is 75 MiB; the lab moves no big objects
AZ_NODE_CPUS = 4  # logical CPUs a node offers to Ray scheduling, not real cores


def ray_namespace(region: str) -> str:
    return f"azlab-{region}"


def agent_name(node_name: str) -> str:
    """`lab-1a/node-0` -> `lab-1a/agent-0`: the node agent actor's name."""
    az, node = node_name.split("/")
    return f"{az}/agent-{node.removeprefix('node-')}"


def make_network(config: RegionConfig, paths: Paths) -> AzNetwork:
    if config.joined:
        return HostNetwork(config.ray_address.rsplit(":", 1)[0], config.hosts, config.machine_port)
    if config.isolation == "netns":
        return NetnsNetwork(paths.region_id, len(config.azs), config.nodes_per_az)
    return LoopbackNetwork(config.nodes_per_az)


def free_port(address: str, start: int = 20000, end: int = 30000, taken: frozenset[int] = frozenset()) -> int:
    """A port outside Ray's worker range (10002-19999) and the kernel's ephemeral range, and not in
    `taken` (ports chosen for other components but not bound yet, which Ray refuses to share)."""
    for port in range(start + secrets.randbelow(1000), end):
        if port in taken:
            continue
        with socket.socket() as s:
            try:
                s.bind((address, port))
                return port
            except OSError:
                continue
    raise RuntimeError(f"no free port on {address} in {start}..{end}")


@dataclass(frozen=True)
class RayRuntime:
    """How this region's Ray processes are started and reached."""

    config: RegionConfig
    paths: Paths
    gcs_port: int

    @property
    def network(self) -> AzNetwork:
        return make_network(self.config, self.paths)

    @property
    def gcs_address(self) -> str:
        return self.config.ray_address or f"{self.network.region_address()}:{self.gcs_port}"

    @property
    def namespace(self) -> str:
        return ray_namespace(self.config.region)

    def environment(self, node: str) -> dict[str, str]:
        """What a process of `node` runs with. A joined cluster keeps its own auth settings."""
        env = dict(os.environ)
        env.update(
            {
                processes.TAG_ENV: processes.tag(self.paths.region_id, node),
                "AZLAB_HOME": str(self.paths.home),
                "RAY_USAGE_STATS_ENABLED": "0",
            }
        )
        if not self.config.joined:
            env.update({"RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN_PATH": str(self.paths.ray_token)})
        return env

    def _ray(self, args: list[str], node: str, prefix: list[str] = ()) -> None:
        log = self.paths.logs / f"ray-start-{node.replace('/', '-')}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        ray_cli = Path(sys.executable).with_name("ray")
        with log.open("ab") as out:
            done = subprocess.run(
                [*prefix, str(ray_cli), "start", *args, "--disable-usage-stats"],
                env=self.environment(node), stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                # Its own session: Ray kills a worker's process group when the worker dies,
                # and a raylet the controller started must outlive the controller.
                start_new_session=True,
            )
        if done.returncode != 0:
            raise RuntimeError(f"ray start for {node} failed (exit {done.returncode}); see {log}")

    def start_head(self) -> None:
        """The region node: GCS and a raylet outside every AZ. Needs the network set up."""
        if not self.paths.ray_token.exists():
            self.paths.ray_token.parent.mkdir(parents=True, exist_ok=True)
            self.paths.ray_token.touch(mode=0o600)
            self.paths.ray_token.write_text(secrets.token_hex(32))
        self._ray(
            [
                "--head",
                f"--node-ip-address={self.network.region_address()}",
                f"--port={self.gcs_port}",
                "--num-cpus=1",
                f"--resources={json.dumps({REGION_RESOURCE: 1})}",
                f"--object-store-memory={OBJECT_STORE_BYTES}",
                f"--temp-dir={self.paths.ray_temp}",
                "--include-dashboard=false",
                # Ray's fixed defaults (8265, 10001) would collide with another region on this machine.
                f"--dashboard-port={free_port('127.0.0.1', taken=frozenset({self.gcs_port}))}",
                f"--ray-client-server-port={free_port(self.network.region_address(), taken=frozenset({self.gcs_port}))}",
            ],
            node="region",
        )

    def start_node(self, az: str, idx: int, incarnation: str) -> str:
        """Start the raylet of `<az>/node-<idx>` on its host's network; returns its address.

        `incarnation` names a resource only this raylet carries, to pin actors to it.
        """
        node_name = f"{az}/node-{idx}"
        az_index = self.config.az_index(az)
        address = self.network.host_address(az_index, idx)
        self._ray(
            [
                f"--address={self.gcs_address}",
                f"--node-ip-address={address}",
                f"--num-cpus={AZ_NODE_CPUS}",
                f"--resources={json.dumps({f'az:{az}': 1000, incarnation: 1})}",
                f"--object-store-memory={OBJECT_STORE_BYTES}",
                "--include-log-monitor=false",
            ],
            node=node_name,
            prefix=self.network.host_command(az_index, idx),
        )
        return address

    def connect(self) -> None:
        """Join the cluster as a driver (the CLI, a test, the bench)."""
        # Ray reads its auth settings when it is first imported.
        os.environ.update({k: v for k, v in self.environment("driver").items() if k.startswith("RAY_")})
        import ray

        if not ray.is_initialized():
            ray.init(
                address=self.gcs_address,
                namespace=self.namespace,
                # A driver on this machine, which in a joined cluster may be no node of it.
                _node_ip_address=None if self.config.joined else self.network.region_address(),
                logging_level="WARNING",
                log_to_driver=False,
            )

    @staticmethod
    def discover(ray_address: str, region: str, expect_azs: int = 0, timeout_s: float = 600.0) -> RegionConfig:
        """Connect to a cluster azlab did not start and read its AZs from the raylets' `az:<name>` resources,
        waiting (bounded) until at least `expect_azs` AZs have joined.

        The driver stays connected, so `connect()` of the resulting runtime is free.
        """
        import ray

        ray.init(address=ray_address, namespace=ray_namespace(region), logging_level="WARNING", log_to_driver=False)
        deadline = time.monotonic() + timeout_s
        while True:
            hosts: dict[str, list[str]] = {}
            for node in ray.nodes():
                if node["Alive"]:
                    for resource in node["Resources"]:
                        if resource.startswith("az:"):
                            hosts.setdefault(resource.removeprefix("az:"), []).append(node["NodeManagerAddress"])
            if hosts and len(hosts) >= expect_azs:
                break
            if time.monotonic() > deadline:
                raise UnsupportedOperation(
                    f"{len(hosts)} AZs (az:<name> resources) in the Ray cluster at {ray_address}, expected {expect_azs or 1}+"
                )
            time.sleep(1.0)
        azs = sorted(hosts)
        az_hosts = tuple(tuple(sorted(hosts[az])) for az in azs)
        machines = [Machine(host, MACHINE_PORT) for az in az_hosts for host in az]
        managed = any(machine.answers() for machine in machines)
        while managed and not all(machine.answers() for machine in machines):
            if time.monotonic() > deadline:  # some machines run an agent: all must
                late = [m.endpoint for m in machines if not m.answers()]
                raise UnsupportedOperation(f"machine agents do not answer on {', '.join(late)}")
            time.sleep(1.0)
        return RegionConfig(region=region, azs=tuple(azs), isolation="host", ray_address=ray_address,
                            hosts=az_hosts, machine_port=MACHINE_PORT if managed else 0)

    def region_node_id(self) -> str:
        """A live node outside every AZ, where the controller runs: the region node."""
        import ray

        for node in ray.nodes():
            if node["Alive"] and not any(r.startswith("az:") for r in node["Resources"]):
                return node["NodeID"]
        raise UnsupportedOperation("the Ray cluster has no node outside the AZs to run the region controller on")

    def kill_node(self, node_name: str) -> int:
        return processes.kill_tagged(processes.tag(self.paths.region_id, node_name), exact=True)

    def to_dict(self) -> dict[str, Any]:
        return {"gcs_port": self.gcs_port}

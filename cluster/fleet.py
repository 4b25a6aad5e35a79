"""Bringing AZ nodes up: a raylet on the node's host, then its agent pinned to it.

One way to start a node, used by `azlab up` and by restore-az alike. Each
start is a new incarnation: its raylet carries a resource no other raylet has,
so the new agent can only land on the new raylet, even while Ray still
believes a killed predecessor is alive. In a cluster azlab joined, the
raylets are their owner's: the agent is pinned to a live one by node id.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time

import ray
from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

from azlab.common.machines import Machine
from azlab.cluster.region import Region
from azlab.cluster.runtime import CONTROLLER_NAME, RayRuntime, agent_name
from azlab.cluster.state import NodeRecord
from azlab.nodes.agent import NodeAgent

NAME_RELEASE_TIMEOUT_S = 30.0
RAYLET_START_ATTEMPTS = 2
log = logging.getLogger(__name__)


class Fleet:
    def __init__(self, region: Region, runtime: RayRuntime):
        self.region = region
        self.runtime = runtime
        self.joined = region.config.joined
        # Concurrent `ray start`s on one machine race for socket names.
        self._raylet_start = asyncio.Lock()

    async def start_nodes(self, nodes: list[NodeRecord], timeout_s: float = 120.0) -> None:
        """Start every node (killing what is left of a previous incarnation) and wait until all heartbeat.

        In a joined cluster the machine agents start the raylets; without
        them azlab waits for a live raylet at each node's address (started by
        its owner). Either way the agent is then pinned to it.
        """
        await asyncio.gather(*(self._start(node, timeout_s) for node in nodes))
        await self.wait_alive(nodes, timeout_s)

    async def _start(self, node: NodeRecord, timeout_s: float) -> None:
        if self.joined:
            if machine := self._machine(node):
                await asyncio.to_thread(machine.start_raylet)
            ray_node_id = await self._find_raylet(node, timeout_s)
            placement = {"scheduling_strategy": NodeAffinitySchedulingStrategy(ray_node_id, soft=False)}
        else:
            incarnation = f"azlab-incarnation:{secrets.token_hex(4)}"
            async with self._raylet_start:
                await self._start_raylet(node, incarnation)
            placement = {"resources": {incarnation: 0.001}}
        name = agent_name(node.name)
        await asyncio.to_thread(self._kill_actor, name)
        agent = await self._create_agent(node, name, placement)
        await agent.start.remote()

    async def _start_raylet(self, node: NodeRecord, incarnation: str) -> None:
        """Start the node's raylet after killing what is left of it; a failed start is tried again
        (a raylet now and then misses Ray's 30 s registration deadline on a loaded machine)."""
        for attempt in range(1, RAYLET_START_ATTEMPTS + 1):
            await asyncio.to_thread(self.runtime.kill_node, node.name)
            try:
                await asyncio.to_thread(self.runtime.start_node, node.az, node.idx, incarnation)
                return
            except RuntimeError as e:
                if attempt == RAYLET_START_ATTEMPTS:
                    raise
                log.warning("starting %s failed (%s); trying again", node.name, e)

    async def _find_raylet(self, node: NodeRecord, timeout_s: float) -> str:
        """The id of a live raylet at the node's address carrying its AZ, other than the one last killed."""
        deadline = time.monotonic() + timeout_s
        while True:
            for raylet in await asyncio.to_thread(ray.nodes):
                if (raylet["Alive"] and raylet["NodeManagerAddress"] == node.address
                        and f"az:{node.az}" in raylet["Resources"] and raylet["NodeID"] != node.ray_node_id):
                    return raylet["NodeID"]
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"no live raylet with az:{node.az} at {node.address}; azlab did not start this cluster, "
                    f"so start one there (ray start --address {self.runtime.gcs_address} ...) and restore-az again"
                )
            await asyncio.sleep(0.5)

    def _machine(self, node: NodeRecord) -> Machine | None:
        """The machine agent of a joined node's machine, where the machines run one."""
        port = self.region.config.machine_port
        return Machine(node.address, port) if self.joined and port else None

    async def kill_nodes(self, nodes: list[NodeRecord]) -> int:
        """SIGKILL every process of the nodes; returns how many (0 where the node agent kills, uncounted).

        Here azlab kills by tag; on a joined cluster's machines their machine
        agents do; without those, each node agent kills its own raylet's tree.
        """
        if not self.joined:
            counts = [await asyncio.to_thread(self.runtime.kill_node, node.name) for node in nodes]
            return sum(counts)
        machines = [self._machine(node) for node in nodes]
        if all(machines):
            return sum([await asyncio.to_thread(machine.kill) for machine in machines])
        for node in nodes:
            try:
                agent = await asyncio.to_thread(ray.get_actor, agent_name(node.name), self.runtime.namespace)
                await agent.kill_node.remote()
            except (ValueError, ray.exceptions.RayActorError):
                pass  # no agent, or it died killing its node: either way the node is gone
        return 0

    async def _create_agent(self, node: NodeRecord, name: str, placement: dict):
        deadline = time.monotonic() + NAME_RELEASE_TIMEOUT_S
        while True:
            try:
                return NodeAgent.options(
                    name=name, namespace=self.runtime.namespace, lifetime="detached", max_restarts=0,
                    num_cpus=0, **placement,
                ).remote(
                    node.name, node.address, CONTROLLER_NAME, self.runtime.namespace,
                    self.region.config.heartbeat_interval_s, str(self.runtime.paths.home),
                )
            except ValueError:  # the killed predecessor's name is not released yet
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.2)

    def _kill_actor(self, name: str) -> None:
        try:
            ray.kill(ray.get_actor(name, namespace=self.runtime.namespace), no_restart=True)
        except ValueError:
            pass  # no such actor

    async def wait_alive(self, nodes: list[NodeRecord], timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while not all(self.region.nodes[n.name].state == "alive" for n in nodes):
            if time.monotonic() > deadline:
                late = [n.name for n in nodes if self.region.nodes[n.name].state != "alive"]
                raise TimeoutError(f"nodes not heartbeating after {timeout_s:.0f}s: {', '.join(late)}")
            await asyncio.sleep(0.05)
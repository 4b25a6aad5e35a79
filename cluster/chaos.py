"""Chaos on failure domains: what kill, partition, slow and restore really do.

The rules (what is allowed when) live in the region model; this class acts on
processes, links and nodes, one chaos call at a time, and records the fault
once the act is done. Health is never written here: an AZ is reported down by
the health monitor when its heartbeats really stop.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable

from azlab.cluster.fleet import Fleet
from azlab.cluster.region import KILL_AZ, KILL_NODE, PARTITION_AZ, SLOW_AZ, Region
from azlab.cluster.state import Fault

RESTART_TIMEOUT_S = 120.0
log = logging.getLogger(__name__)


class ChaosManager:
    def __init__(self, region: Region, fleet: Fleet,
                 evictors: Iterable[Callable[[str, str | None], Awaitable[None]]] = ()):
        self.region = region
        self.fleet = fleet
        # What holds a node's workloads outside its processes (containers are dockerd's children, VMs
        # libvirtd's): each destroys a killed AZ's or node's share, so nothing of it runs on.
        self.evictors = list(evictors)
        self.network = region.network
        self._one_at_a_time = asyncio.Lock()

    async def kill_az(self, az: str) -> Fault:
        async with self._one_at_a_time:
            self.region.check_kill_az(az)
            started = self.region.clock()
            if self.network.supports_partition:
                await asyncio.to_thread(self.network.cut, self.region.config.az_index(az))
            killed = await self.fleet.kill_nodes(self.region.nodes_in(az))
            await self._evict(az)
            return self.region.open_fault(KILL_AZ, az, started, processes_killed=killed)

    async def partition_az(self, az: str) -> Fault:
        async with self._one_at_a_time:
            self.region.check_partition_az(az)
            started = self.region.clock()
            await asyncio.to_thread(self.network.cut, self.region.config.az_index(az))
            return self.region.open_fault(PARTITION_AZ, az, started)

    async def slow_az(self, az: str, latency_ms: int, loss_pct: float) -> Fault:
        async with self._one_at_a_time:
            self.region.check_slow_az(az, latency_ms, loss_pct)
            started = self.region.clock()
            await asyncio.to_thread(self.network.slow, self.region.config.az_index(az), latency_ms, loss_pct)
            return self.region.open_fault(SLOW_AZ, az, started, latency_ms=latency_ms, loss_pct=loss_pct)

    async def kill_node(self, node_name: str) -> Fault:
        async with self._one_at_a_time:
            node = self.region.check_kill_node(node_name)
            started = self.region.clock()
            killed = await self.fleet.kill_nodes([node])
            await self._evict(node.az, node.name)
            return self.region.open_fault(KILL_NODE, node.az, started, node_name=node.name, processes_killed=killed)

    async def _evict(self, az: str, node_name: str | None = None) -> None:
        for evict in self.evictors:
            try:
                await evict(az, node_name)
            except Exception:  # the AZ or node is killed all the same; the evictor said why it could not
                log.exception("evicting %s failed", node_name or az)

    async def restore_az(self, az: str) -> list[Fault]:
        """Heal the network, give cut-off nodes a chance to come back, restart the rest."""
        async with self._one_at_a_time:
            self.region.check_restore_az(az)
            await asyncio.to_thread(self.network.heal, self.region.config.az_index(az))
            nodes = self.region.nodes_in(az)
            faults = self.region.faults([az])
            killed = {n.name for n in nodes} if any(f.kind == KILL_AZ for f in faults) else {
                f.node_name for f in faults if f.kind == KILL_NODE
            }
            survivors = [n for n in nodes if n.name not in killed]
            try:
                # A partitioned raylet that Ray has not yet given up on resumes heartbeating.
                await self.fleet.wait_alive(survivors, timeout_s=max(5.0, 4 * self.region.config.heartbeat_threshold_s))
            except TimeoutError:
                pass
            lost = [n for n in nodes if n.name in killed or n.state != "alive"]
            await self.fleet.start_nodes(lost, RESTART_TIMEOUT_S)
            return self.region.close_faults(az)

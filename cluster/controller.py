"""The region controller: one detached actor on the region node.

A thin shell (after Ray Serve's controller): the region model keeps state and
rules, the fleet starts nodes, chaos acts; this actor serves them over gRPC and
runs the health sweep. Guarantees:
- every state change is committed to SQLite before its call returns;
- a killed controller is restarted by Ray (max_restarts=-1) on the region
  node, re-reads the store, binds the same endpoint and re-adopts the agents
  that still run: they keep heartbeating to the restarted actor, and the first
  heartbeat (or any call) brings the gRPC server back;
- it never kills healthy nodes to start clean (static stability).
"""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path

import ray

from azlab.cluster.chaos import ChaosManager
from azlab.cluster.config import Paths, RegionConfig
from azlab.cluster.fleet import Fleet
from azlab.cluster.region import Region
from azlab.cluster.runtime import RayRuntime
from azlab.cluster.servicers import create_server
from azlab.cluster.services import NodeAgents, ServiceContext, create_all, reconcile_forever
from azlab.cluster.state import Store

log = logging.getLogger(__name__)
RECONCILE_INTERVAL_S = 0.2


@ray.remote
class RegionController:
    def __init__(self, home: str):
        self.paths = Paths(Path(home))
        self.store = Store(self.paths.state_db)
        config = RegionConfig.from_dict(self.store.get("config"))
        self.runtime = RayRuntime(config, self.paths, self.store.get("runtime")["gcs_port"])
        self.region = Region(config, self.store, self.runtime.network)
        self.fleet = Fleet(self.region, self.runtime)
        self.services = create_all(ServiceContext(self.region, self.store, NodeAgents(self.runtime.namespace), self.paths))
        self.chaos = ChaosManager(self.region, self.fleet, [s.evict for s in self.services if hasattr(s, "evict")])
        self._reconcilers: list[asyncio.Task] = []
        self.started_at = time.time()
        self._serving: asyncio.Task | None = None
        self._sweeper: asyncio.Task | None = None

    async def _ensure_serving(self) -> str:
        if self._serving is None:
            self._serving = asyncio.get_running_loop().create_task(self._serve())
        return await asyncio.shield(self._serving)

    async def _serve(self) -> str:
        endpoint = self.store.get("endpoint") or f"{self.runtime.network.region_address()}:0"
        self.server, port = await create_server(endpoint, self)
        host = endpoint.rsplit(":", 1)[0]
        self.store.put("endpoint", f"{host}:{port}")
        restarted = self.store.get("controller_starts", 0)
        self.store.put("controller_starts", restarted + 1)
        adopted = sum(n.state == "alive" for n in self.region.nodes.values())
        self.region.record(
            "ControllerStarted", self.region.config.region,
            f"serving on {host}:{port}" + (f", re-adopted {adopted} live nodes" if restarted else ""),
        )
        loop = asyncio.get_running_loop()
        # held: the loop keeps only weak references to tasks
        self._sweeper = loop.create_task(self._sweep_forever())
        self._reconcilers = [loop.create_task(reconcile_forever(s, RECONCILE_INTERVAL_S)) for s in self.services]
        return f"{host}:{port}"

    async def _sweep_forever(self) -> None:
        tick = min(0.1, self.region.config.heartbeat_interval_s / 2)
        while True:
            try:
                self.region.sweep()
            except Exception:
                log.exception("health sweep failed; continuing")
            await asyncio.sleep(tick)

    async def bootstrap(self, timeout_s: float = 180.0) -> str:
        """Serve, start every node that is not alive, return the endpoint once all heartbeat. Idempotent."""
        endpoint = await self._ensure_serving()
        down = [n for n in self.region.nodes.values() if n.state != "alive"]
        await self.fleet.start_nodes(down, timeout_s)
        return endpoint

    async def heartbeat(self, node_name: str, ray_node_id: str) -> None:
        await self._ensure_serving()
        self.region.heartbeat(node_name, ray_node_id)

    async def endpoint(self) -> str:
        return await self._ensure_serving()

"""What the service tests share: a region's model (the default three-AZ region on loopback, every node alive),
node agents that run its processes here, and the controller's tick repeated until a thing holds."""

from __future__ import annotations

import asyncio
import os
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from azlab.cluster.config import RegionConfig
from azlab.cluster.region import Region
from azlab.cluster.state import Store
from azlab.common.network import LoopbackNetwork


def live_region(directory: Path, config: RegionConfig | None = None) -> tuple[Store, Region]:
    store = Store(directory / "state.db")
    region = Region(config or RegionConfig(), store, LoopbackNetwork())
    for node in region.nodes.values():
        node.state = "alive"
    return store, region


class LoopbackAgents:
    """The node agents' process calls, run on this machine: every node of a test region is a loopback address here,
    so its processes are this test's children (`starts` says which were started, in order)."""

    def __init__(self, logs: Path | None = None):
        self.logs = logs
        self.running: dict[str, subprocess.Popen] = {}
        self.starts: list[str] = []

    async def start_process(self, node: str, name: str, argv: list[str], env=None, cwd=None) -> dict:
        if name in self.running and self.running[name].poll() is None:
            return {}  # idempotent on the name, as the node agent's supervisor
        self.starts.append(name)
        with open(self.logs / f"{name}.log", "ab") if self.logs else open(os.devnull, "wb") as log:
            self.running[name] = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)
        return {}

    async def stop_process(self, node: str, name: str) -> dict | None:
        if process := self.running.pop(name, None):
            process.terminate()
            process.wait(10)
        return {}

    def kill(self, name: str) -> None:
        self.running[name].kill()
        self.running[name].wait()

    def close(self) -> None:
        for process in self.running.values():
            process.kill()
            process.wait()


async def reconcile_until(service, done: Callable[[], bool], what: str, timeout_s: float = 30.0) -> None:
    """Reconcile `service` as the controller's tick does until `done()`; fails after `timeout_s` of ticks."""
    deadline = time.monotonic() + timeout_s
    while True:
        await service.reconcile()
        if done():
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"not {what} after {timeout_s:.0f} s of ticks")
        await asyncio.sleep(0.1)

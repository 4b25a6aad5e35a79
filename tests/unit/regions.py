"""A region's model for the service tests: the default three-AZ region on loopback, every node alive."""

from __future__ import annotations

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

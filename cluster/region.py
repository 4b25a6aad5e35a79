"""The region model: AZs, nodes, their health, faults and the event timeline.

Synchronous and free of Ray, gRPC and sockets: the controller feeds it
heartbeats and the clock, asks it whether a chaos call is allowed, and tells it
what was done. Every change is written to the store before the method returns.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable

from azlab.cluster.config import RegionConfig
from azlab.common.errors import (
    AvailabilityZoneNotFound,
    IncorrectState,
    InvalidParameterValue,
    MissingParameter,
    NodeNotFound,
    UnsupportedOperation,
)
from azlab.cluster.health import HealthMonitor, Transition
from azlab.common.network import AzNetwork
from azlab.cluster.state import Event, Fault, NodeRecord, Store

AVAILABLE, IMPAIRED, UNAVAILABLE = "available", "impaired", "unavailable"
KILL_AZ, PARTITION_AZ, SLOW_AZ, KILL_NODE = "kill-az", "partition-az", "slow-az", "kill-node"
MAX_LATENCY_MS = 60_000
MAX_EVENTS_PAGE = 1000


class Region:
    def __init__(self, config: RegionConfig, store: Store, network: AzNetwork, clock: Callable[[], float] = time.time):
        self.config = config
        self.store = store
        self.network = network
        self.clock = clock
        self.monitor = HealthMonitor(config.heartbeat_threshold_s)
        self.nodes: dict[str, NodeRecord] = {n.name: n for n in store.nodes()}
        self._create_missing_nodes()
        now = clock()
        for node in self.nodes.values():
            # A node known alive before a controller restart gets one threshold
            # of grace: its agent is still heartbeating if it still runs.
            self.monitor.track(node.name, node.state, now)  # type: ignore[arg-type]
        self._az_states = {az: self.az_state(az) for az in config.azs}

    def _create_missing_nodes(self) -> None:
        for az in self.config.azs:
            for idx in range(self.network.hosts(self.config.az_index(az))):
                name = f"{az}/node-{idx}"
                if name not in self.nodes:
                    address = self.network.host_address(self.config.az_index(az), idx)
                    self.nodes[name] = NodeRecord(name=name, az=az, idx=idx, address=address)
                    self.store.save_node(self.nodes[name])

    # lookups
    def az(self, name: str) -> str:
        if not name:
            raise MissingParameter("an AvailabilityZone is required")
        if name not in self.config.azs:
            raise AvailabilityZoneNotFound(
                f"no AZ named {name!r} in region {self.config.region} (AZs: {', '.join(self.config.azs)})"
            )
        return name

    def node(self, name: str) -> NodeRecord:
        if not name:
            raise MissingParameter("a NodeName is required")
        try:
            return self.nodes[name]
        except KeyError:
            raise NodeNotFound(f"no node named {name!r} in region {self.config.region}") from None

    def nodes_in(self, az: str) -> list[NodeRecord]:
        return [n for n in self.nodes.values() if n.az == az]

    def az_state(self, az: str) -> str:
        alive = [n.state == "alive" for n in self.nodes_in(az)]
        return AVAILABLE if all(alive) else UNAVAILABLE if not any(alive) else IMPAIRED

    def faults(self, zones: list[str] | None = None) -> list[Fault]:
        wanted = {self.az(z) for z in zones} if zones else None
        return [f for f in self.store.faults() if wanted is None or f.availability_zone in wanted]

    def healthy(self) -> bool:
        return all(n.state == "alive" for n in self.nodes.values())

    # health
    def heartbeat(self, node_name: str, ray_node_id: str) -> None:
        node = self.nodes.get(node_name)
        if node is None:
            return  # an agent of a region this controller does not know; ignore, never crash
        now = self.clock()
        node.last_heartbeat = now
        if node.ray_node_id != ray_node_id:  # a new raylet: the node was restarted
            node.ray_node_id = ray_node_id
            self.store.save_node(node)
        if change := self.monitor.beat(node_name, now):
            self._apply([change])

    def node_alive(self, node_name: str) -> bool:
        """Whether the region knows the node and its heartbeats say it lives."""
        node = self.nodes.get(node_name)
        return node is not None and node.state == "alive"

    def silent_for(self, node_name: str) -> float:
        """Seconds since the node's last heartbeat reached this controller (since it started, if none has)."""
        last = self.monitor.last_seen(node_name)
        return self.clock() - last if last is not None else 0.0

    def sweep(self) -> None:
        """Declare silent nodes down; called by the controller on a short tick."""
        self._apply(self.monitor.sweep(self.clock()))

    def _apply(self, changes: list[Transition]) -> None:
        for change in changes:
            node = self.nodes[change.node]
            node.state = change.new
            if change.new == "down":
                self.record("NodeDown", node.name, f"no heartbeat for {change.silent_for:.2f}s")
            else:
                self.record("NodeUp", node.name, f"heartbeating from {node.address}")
            self.store.save_node(node)
        for az, old in self._az_states.items():
            new = self.az_state(az)
            if new != old:
                self._az_states[az] = new
                alive = sum(n.state == "alive" for n in self.nodes_in(az))
                self.record(f"Az{new.capitalize()}", az, f"{alive} of {len(self.nodes_in(az))} nodes alive")

    # events
    def record(self, event_type: str, source: str, message: str) -> Event:
        return self.store.record_event(event_type, source, message, self.clock())

    def events(
        self, start_time: float = 0.0, types: list[str] | None = None, source: str = "",
        max_results: int = 0, next_token: str = "",
    ) -> tuple[list[Event], str]:
        if not 0 <= max_results <= MAX_EVENTS_PAGE:
            raise InvalidParameterValue(f"MaxResults must be 0..{MAX_EVENTS_PAGE}")
        try:
            after = int(next_token) if next_token else 0
        except ValueError:
            raise InvalidParameterValue(f"invalid NextToken {next_token!r}") from None
        limit = max_results or 100
        page = self.store.events(after, start_time, types, source, limit + 1)
        more = len(page) > limit
        page = page[:limit]
        return page, str(page[-1].event_id) if more else ""

    # chaos rules: each check raises before anything changes
    def _kinds(self, az: str) -> set[str]:
        return {f.kind for f in self.faults([az])}

    def check_kill_az(self, az: str) -> None:
        if KILL_AZ in self._kinds(self.az(az)):
            raise IncorrectState(f"AZ {az} is already killed; restore-az brings it back")

    def check_partition_az(self, az: str) -> None:
        kinds = self._kinds(self.az(az))
        self._needs_partition_support("partition")
        if KILL_AZ in kinds:
            raise IncorrectState(f"AZ {az} is killed; restore-az first")
        if PARTITION_AZ in kinds:
            raise IncorrectState(f"AZ {az} is already partitioned")

    def check_slow_az(self, az: str, latency_ms: int, loss_pct: float) -> None:
        kinds = self._kinds(self.az(az))
        if not 0 <= latency_ms <= MAX_LATENCY_MS:
            raise InvalidParameterValue(f"LatencyMs must be 0..{MAX_LATENCY_MS}")
        if not 0 <= loss_pct <= 100:
            raise InvalidParameterValue("LossPct must be 0..100")
        if latency_ms == 0 and loss_pct == 0:
            raise InvalidParameterValue("slow-az needs LatencyMs or LossPct above 0")
        self._needs_partition_support("slow")
        if kinds & {KILL_AZ, PARTITION_AZ}:
            raise IncorrectState(f"AZ {az} is {'killed' if KILL_AZ in kinds else 'partitioned'}; restore-az first")
        if SLOW_AZ in kinds:
            raise IncorrectState(f"AZ {az} is already slowed; restore-az first")

    def check_restore_az(self, az: str) -> None:
        if not self._kinds(self.az(az)):
            raise IncorrectState(f"AZ {az} has no fault to restore")

    def check_kill_node(self, node_name: str) -> NodeRecord:
        node = self.node(node_name)
        for fault in self.faults([node.az]):
            if fault.kind == KILL_AZ or fault.node_name == node_name:
                raise IncorrectState(f"node {node_name} is already killed; restore-az {node.az} brings it back")
        return node

    def _needs_partition_support(self, verb: str) -> None:
        if not self.network.supports_partition:
            raise UnsupportedOperation(
                f"cannot {verb} an AZ under {self.network.isolation} isolation; bring the region up with --isolation netns"
            )

    def open_fault(self, kind: str, az: str, started_at: float, node_name: str = "", latency_ms: int = 0,
                   loss_pct: float = 0.0, processes_killed: int = 0) -> Fault:
        """Record a fault once it has been done; `started_at` is when the doing began."""
        fault = Fault(
            fault_id=f"fault-{secrets.token_hex(6)}", kind=kind, availability_zone=az, started_at=started_at,
            node_name=node_name, latency_ms=latency_ms, loss_pct=loss_pct, processes_killed=processes_killed,
        )
        self.store.add_fault(fault)
        what = {
            KILL_AZ: ("AzKilled", az, f"{processes_killed} processes killed"),
            PARTITION_AZ: ("AzPartitioned", az, "uplink cut"),
            SLOW_AZ: ("AzSlowed", az, f"+{latency_ms} ms round trip, {loss_pct:g}% loss each way"),
            KILL_NODE: ("NodeKilled", node_name, f"{processes_killed} processes killed"),
        }[kind]
        self.record(*what)
        return fault

    def close_faults(self, az: str) -> list[Fault]:
        closed = self.faults([az])
        self.store.remove_faults([f.fault_id for f in closed])
        self.record("AzRestored", az, "restored from " + ", ".join(sorted({f.kind for f in closed})))
        return closed

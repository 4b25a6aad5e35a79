"""ElastiCache's state and rules: replication groups, Memcached clusters, snapshots.

Pure: no Ray, no sockets, no engines. The service feeds it what the engines
report (replication offsets) and applies what it decides (who is primary, which
member replaces a lost one). Every change is written to the store before the
method returns, so a restarted controller decides from what it acknowledged.

Names follow AWS: a replication group's members are its cache clusters
(`<group>-001`, or `<group>-0001-001` with cluster mode), each one cache node.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from azlab.common.errors import AzlabError, InvalidParameterValue
from azlab.cluster.region import Region
from azlab.cluster.state import NodeRecord, Store

SERVICE = "elasticache"
REDIS, MEMCACHED = "redis", "memcached"
PRIMARY, REPLICA = "primary", "replica"
CLUSTER_SLOTS = 16384
MAX_CACHE_CLUSTERS = 6  # a primary and up to 5 replicas
MAX_REPLICAS_PER_SHARD = 5
MAX_NODE_GROUPS = 90
MAX_MEMCACHED_NODES = 40
DEFAULT_RESERVED_MEMORY_PERCENT = 25  # AWS's default: memory the engine may not use (forks, buffers)
ID_PATTERN = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")
MAX_ID_LENGTH = 40
MAX_SNAPSHOT_RETENTION_DAYS = 35


@dataclass(frozen=True)
class NodeType:
    name: str
    vcpus: int
    memory_gib: float

    def maxmemory_bytes(self, reserved_percent: int = DEFAULT_RESERVED_MEMORY_PERCENT) -> int:
        return int(self.memory_gib * (100 - reserved_percent) / 100 * 1024**3)


# The previous- and current-generation families AWS had when m3 was new.
NODE_TYPES = {t.name: t for t in (
    NodeType("cache.t1.micro", 1, 0.213),
    NodeType("cache.m1.small", 1, 1.3),
    NodeType("cache.m1.medium", 1, 3.35),
    NodeType("cache.m1.large", 2, 7.1),
    NodeType("cache.m1.xlarge", 4, 14.6),
    NodeType("cache.m2.xlarge", 2, 16.7),
    NodeType("cache.m2.2xlarge", 4, 33.8),
    NodeType("cache.m3.medium", 1, 2.78),
    NodeType("cache.m3.large", 2, 6.05),
    NodeType("cache.m3.xlarge", 4, 13.3),
    NodeType("cache.c1.xlarge", 8, 6.6),
)}
DEFAULT_NODE_TYPE = "cache.m3.medium"
REDIS_FAMILY, MEMCACHED_FAMILY = "redis7", "memcached1.6"
DEFAULT_PARAMETER_GROUPS = {REDIS_FAMILY: "default.redis7", MEMCACHED_FAMILY: "default.memcached1.6"}
EVICTION_POLICIES = ("volatile-lru", "allkeys-lru", "volatile-lfu", "allkeys-lfu", "volatile-random",
                     "allkeys-random", "volatile-ttl", "noeviction")


@dataclass(frozen=True)
class ParameterSpec:
    name: str
    default: str
    data_type: str  # "string" | "integer"
    allowed: tuple[str, ...] | tuple[int, int]  # choices, or an integer range
    description: str

    @property
    def allowed_values(self) -> str:
        if self.data_type == "integer":
            return f"{self.allowed[0]}-{self.allowed[1]}"
        return ",".join(self.allowed)  # type: ignore[arg-type]

    def check(self, value: str) -> str:
        if self.data_type == "integer":
            low, high = self.allowed
            if not value.isdigit() or not low <= int(value) <= high:  # type: ignore[operator]
                raise InvalidParameterValue(f"{self.name} must be an integer {low}..{high}, not {value!r}")
        elif self.allowed and value not in self.allowed:
            raise InvalidParameterValue(f"{self.name} must be one of {self.allowed_values}, not {value!r}")
        return value


# The Redis settings users change most, with ElastiCache's defaults. Memcached
# parameter groups exist (as on AWS) but hold nothing modifiable here yet.
REDIS_PARAMETERS = {p.name: p for p in (
    ParameterSpec("maxmemory-policy", "volatile-lru", "string", EVICTION_POLICIES, "the eviction policy when maxmemory is reached"),
    ParameterSpec("maxmemory-samples", "3", "integer", (1, 64), "keys sampled per eviction"),
    ParameterSpec("reserved-memory-percent", str(DEFAULT_RESERVED_MEMORY_PERCENT), "integer", (0, 100),
                  "percent of the node's memory kept out of maxmemory"),
    ParameterSpec("timeout", "0", "integer", (0, 86400), "seconds before an idle client is closed; 0 never"),
    ParameterSpec("notify-keyspace-events", "", "string", (), "keyspace notifications, as Redis spells them"),
)}
FAMILY_PARAMETERS = {REDIS_FAMILY: REDIS_PARAMETERS, MEMCACHED_FAMILY: {}}


@dataclass
class ParameterGroup:
    name: str
    family: str
    description: str
    values: dict[str, str] = field(default_factory=dict)  # only what differs from the family's defaults

    @property
    def is_default(self) -> bool:
        return self.name in DEFAULT_PARAMETER_GROUPS.values()

    def effective(self) -> dict[str, str]:
        return {name: self.values.get(name, spec.default) for name, spec in FAMILY_PARAMETERS[self.family].items()}


# With automatic failover a primary holds a write lease: it takes a write only while a replica has acknowledged its
# stream within WRITE_LEASE_LAG_S (min-replicas-to-write 1), so a primary cut off from its replicas stops taking
# writes, and a replica replaces it only once that can no longer be otherwise: WRITE_LEASE_S after the region last
# heard from its node. Redis counts the lag in whole seconds and recounts its replicas once a second (2 s), and the
# replicas' last acknowledgement may follow the node's last heartbeat by up to a heartbeat interval (1 s, with margin).
WRITE_LEASE_LAG_S = 1
WRITE_LEASE_S = WRITE_LEASE_LAG_S + 2 + 1


def engine_settings(parameters: dict[str, str], node_type_name: str, write_lease: bool = False) -> dict[str, str]:
    """A Redis engine's config (`--name value`, or CONFIG SET) from a parameter group's values."""
    settings = {k: v for k, v in parameters.items() if k != "reserved-memory-percent"}
    settings["maxmemory"] = str(NODE_TYPES[node_type_name].maxmemory_bytes(int(parameters["reserved-memory-percent"])))
    if write_lease:
        settings |= {"min-replicas-to-write": "1", "min-replicas-max-lag": str(WRITE_LEASE_LAG_S)}
    return settings


WINDOW = re.compile(r"([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)")
DEFAULT_SNAPSHOT_WINDOW = "05:00-06:00"
MIN_WINDOW_MINUTES = 60
DAY_S = 86400


def _window_minutes(window: str) -> tuple[int, int]:
    match = WINDOW.fullmatch(window)
    if not match:
        raise InvalidParameterValue(f"SnapshotWindow {window!r} must read hh24:mi-hh24:mi (UTC)")
    h1, m1, h2, m2 = map(int, match.groups())
    start, end = h1 * 60 + m1, h2 * 60 + m2
    if (end - start) % 1440 < MIN_WINDOW_MINUTES:
        raise InvalidParameterValue(f"SnapshotWindow {window!r} must last at least {MIN_WINDOW_MINUTES} minutes")
    return start, end


def in_window(window: str, now: float) -> bool:
    start, end = _window_minutes(window)
    minute = int(now % DAY_S) // 60
    return (minute - start) % 1440 < (end - start) % 1440


class ReplicationGroupNotFound(AzlabError):
    code = "ReplicationGroupNotFoundFault"
    status = "NOT_FOUND"


class ReplicationGroupAlreadyExists(AzlabError):
    code = "ReplicationGroupAlreadyExists"
    status = "ALREADY_EXISTS"


class InvalidReplicationGroupState(AzlabError):
    code = "InvalidReplicationGroupState"
    status = "FAILED_PRECONDITION"


class NodeGroupNotFound(AzlabError):
    code = "NodeGroupNotFoundFault"
    status = "NOT_FOUND"


class CacheClusterNotFound(AzlabError):
    code = "CacheClusterNotFound"
    status = "NOT_FOUND"


class CacheClusterAlreadyExists(AzlabError):
    code = "CacheClusterAlreadyExists"
    status = "ALREADY_EXISTS"


class InvalidCacheClusterState(AzlabError):
    code = "InvalidCacheClusterState"
    status = "FAILED_PRECONDITION"


class CacheNodeNotFound(AzlabError):
    code = "CacheNodeNotFound"
    status = "NOT_FOUND"


class SnapshotNotFound(AzlabError):
    code = "SnapshotNotFoundFault"
    status = "NOT_FOUND"


class SnapshotAlreadyExists(AzlabError):
    code = "SnapshotAlreadyExistsFault"
    status = "ALREADY_EXISTS"


class SnapshotFeatureNotSupported(AzlabError):
    code = "SnapshotFeatureNotSupportedFault"
    status = "FAILED_PRECONDITION"


class InvalidParameterCombination(AzlabError):
    code = "InvalidParameterCombination"
    status = "INVALID_ARGUMENT"


class InsufficientCacheClusterCapacity(AzlabError):
    code = "InsufficientCacheClusterCapacity"
    status = "RESOURCE_EXHAUSTED"


@dataclass
class Member:
    """One cache node: an engine process on a region node, at a port of its own."""

    member_id: str
    node_group_id: str
    az: str
    node_name: str
    address: str
    port: int
    role: str  # PRIMARY / REPLICA for Redis; "" for Memcached
    created_at: float
    joined: bool = False  # cluster mode: met the others and took its slots or its primary
    cluster_node_id: str = ""  # cluster mode: the engine's id in the cluster
    bus_port: int = 0  # cluster mode: the cluster bus, a port of its own (not port + 10000, in the ephemeral range)
    member_port: int = 0  # Redis: its sidecar's (azlab.member.v1.Member), on the same node

    @property
    def process_name(self) -> str:
        return f"elasticache-{self.member_id}"

    @property
    def sidecar_process_name(self) -> str:
        return f"{self.process_name}-sidecar"

    @property
    def sidecar_endpoint(self) -> str:
        return f"{self.address}:{self.member_port}"


@dataclass
class NodeGroup:
    node_group_id: str
    slots: tuple[int, int] | None = None  # cluster mode only
    epoch: int = 0


@dataclass
class ReplicationGroup:
    replication_group_id: str
    description: str
    node_type: str
    cluster_enabled: bool
    automatic_failover: bool
    multi_az: bool
    replicas_per_node_group: int
    node_groups: list[NodeGroup]
    members: list[Member]
    created_at: float
    status: str = "creating"
    restore_from: str = ""  # a snapshot's name, until the primaries have loaded it
    forget: list[str] = field(default_factory=list)  # cluster mode: ids of lost engines the rest must forget
    snapshot_retention_limit: int = 0  # days of automatic snapshots kept; 0: none taken
    snapshot_window: str = DEFAULT_SNAPSHOT_WINDOW
    parameter_group: str = DEFAULT_PARAMETER_GROUPS[REDIS_FAMILY]
    next_member: int = 1
    reader_turn: int = 0

    @classmethod
    def from_doc(cls, doc: dict) -> ReplicationGroup:
        doc = dict(doc)
        doc["node_groups"] = [NodeGroup(g["node_group_id"], tuple(g["slots"]) if g["slots"] else None, g["epoch"])
                              for g in doc["node_groups"]]
        doc["members"] = [Member(**m) for m in doc["members"]]
        return cls(**doc)

    def group(self, node_group_id: str) -> NodeGroup:
        for g in self.node_groups:
            if g.node_group_id == node_group_id:
                return g
        raise NodeGroupNotFound(f"replication group {self.replication_group_id} has no node group {node_group_id!r}")

    def members_of(self, node_group_id: str) -> list[Member]:
        return [m for m in self.members if m.node_group_id == node_group_id]

    def primary(self, node_group_id: str) -> Member:
        return next(m for m in self.members_of(node_group_id) if m.role == PRIMARY)


@dataclass
class CacheCluster:
    cache_cluster_id: str
    node_type: str
    members: list[Member]
    created_at: float
    config_port: int = 0  # on the region node: the configuration endpoint
    config_version: int = 1  # raised whenever nodes are added or removed, as Auto Discovery counts
    status: str = "creating"
    next_member: int = 1

    @classmethod
    def from_doc(cls, doc: dict) -> CacheCluster:
        return cls(**{**doc, "members": [Member(**m) for m in doc["members"]]})


@dataclass
class Snapshot:
    snapshot_name: str
    replication_group_id: str
    node_type: str
    cluster_enabled: bool
    shards: list[dict]  # per node group: {"node_group_id", "slots", "file"}
    size_bytes: int
    created_at: float
    source: str = "manual"


def slot_ranges(shards: int) -> list[tuple[int, int]]:
    """16384 hash slots split into `shards` contiguous ranges, as redis-cli --cluster create does."""
    per, extra = divmod(CLUSTER_SLOTS, shards)
    ranges, start = [], 0
    for i in range(shards):
        end = start + per + (1 if i < extra else 0) - 1
        ranges.append((start, end))
        start = end + 1
    return ranges


def _check_id(kind: str, value: str) -> str:
    if not value:
        raise InvalidParameterValue(f"{kind} is required")
    if len(value) > MAX_ID_LENGTH or not ID_PATTERN.fullmatch(value.lower()):
        raise InvalidParameterValue(
            f"{kind} {value!r} is invalid: 1 to {MAX_ID_LENGTH} letters, digits or hyphens, starting with a letter, "
            "no two hyphens in a row and no hyphen at the end"
        )
    return value.lower()  # ElastiCache stores identifiers in lowercase


def node_type(name: str) -> NodeType:
    name = name or DEFAULT_NODE_TYPE
    if name not in NODE_TYPES:
        raise InvalidParameterValue(f"invalid cache node type {name!r}; one of: {', '.join(NODE_TYPES)}")
    return NODE_TYPES[name]


class ElastiCacheModel:
    def __init__(self, region: Region, store: Store, clock: Callable[[], float] = time.time):
        self.region = region
        self.store = store
        self.clock = clock
        self.groups = {g.replication_group_id: g
                       for g in map(ReplicationGroup.from_doc, store.resources(SERVICE, "replication-group"))}
        self.clusters = {c.cache_cluster_id: c
                         for c in map(CacheCluster.from_doc, store.resources(SERVICE, "cache-cluster"))}
        self.snapshots = {s["snapshot_name"]: Snapshot(**s) for s in store.resources(SERVICE, "snapshot")}
        # Members no group owns any more, whose engines may still run (on a host that
        # was cut off): their ports are given back only once the engine is gone.
        self.retired = {doc["member_id"]: Member(**doc) for doc in store.resources(SERVICE, "retired-member")}
        self.parameter_groups = {name: ParameterGroup(name, family, f"Default parameter group for {family}")
                                 for family, name in DEFAULT_PARAMETER_GROUPS.items()}
        self.parameter_groups.update({d["name"]: ParameterGroup(**d) for d in store.resources(SERVICE, "parameter-group")})

    # persistence
    def save_group(self, group: ReplicationGroup) -> None:
        self.store.put_resource(SERVICE, "replication-group", group.replication_group_id, asdict(group))

    def save_cluster(self, cluster: CacheCluster) -> None:
        self.store.put_resource(SERVICE, "cache-cluster", cluster.cache_cluster_id, asdict(cluster))

    def retire(self, member: Member) -> None:
        self.retired[member.member_id] = member
        self.store.put_resource(SERVICE, "retired-member", member.member_id, asdict(member))

    def release(self, member: Member) -> None:
        """The retired member's engine is gone: its ports are free again."""
        self.retired.pop(member.member_id, None)
        self.store.delete_resource(SERVICE, "retired-member", member.member_id)
        self.store.release_ports(f"{SERVICE}/{member.member_id}")

    # lookups
    def group(self, replication_group_id: str) -> ReplicationGroup:
        if not replication_group_id:
            raise InvalidParameterValue("ReplicationGroupId is required")
        try:
            return self.groups[replication_group_id.lower()]
        except KeyError:
            raise ReplicationGroupNotFound(f"replication group {replication_group_id} not found") from None

    def cluster(self, cache_cluster_id: str) -> CacheCluster:
        if not cache_cluster_id:
            raise InvalidParameterValue("CacheClusterId is required")
        try:
            return self.clusters[cache_cluster_id.lower()]
        except KeyError:
            if cache_cluster_id.lower() in self._member_ids():
                raise InvalidParameterCombination(
                    f"{cache_cluster_id} is a member of a Redis replication group; use its replication group"
                ) from None
            raise CacheClusterNotFound(f"cache cluster {cache_cluster_id} not found") from None

    def snapshot(self, name: str) -> Snapshot:
        if not name:
            raise InvalidParameterValue("SnapshotName is required")
        try:
            return self.snapshots[name]
        except KeyError:
            raise SnapshotNotFound(f"snapshot {name} not found") from None

    def _member_ids(self) -> set[str]:
        return {m.member_id for g in self.groups.values() for m in g.members}

    def all_members(self) -> list[Member]:
        return [m for g in self.groups.values() for m in g.members] + [m for c in self.clusters.values() for m in c.members]

    # placement
    def _azs(self, preferred: list[str], count: int) -> list[str]:
        """`count` AZs: the preferred ones as given, else spread round-robin from the AZ with most room."""
        if preferred:
            azs = [self.region.az(az) for az in preferred]
            if len(azs) != count:
                raise InvalidParameterValue(f"{len(azs)} preferred AZs given for {count} nodes; give one per node")
            return azs
        available = [az for az in self.region.config.azs if self.region.az_state(az) != "unavailable"]
        if not available:
            raise InsufficientCacheClusterCapacity("no AZ of the region is available")
        load = {az: sum(m.az == az for m in self.all_members()) for az in available}
        ordered = sorted(available, key=lambda az: (load[az], self.region.config.az_index(az)))
        return [ordered[i % len(ordered)] for i in range(count)]

    def _place(self, member_id: str, node_group_id: str, az: str, role: str, bus: bool = False) -> Member:
        node = self._host(az)
        owner = f"{SERVICE}/{member_id}"
        port = self.store.allocate_port(node.address, owner)
        bus_port = self.store.allocate_port(node.address, owner) if bus else 0
        member_port = self.store.allocate_port(node.address, owner) if role else 0  # Memcached has no sidecar
        return Member(member_id, node_group_id, az, node.name, node.address, port, role, self.clock(),
                      bus_port=bus_port, member_port=member_port)

    def _host(self, az: str) -> NodeRecord:
        hosts = [n for n in self.region.nodes_in(az) if n.state == "alive"] or self.region.nodes_in(az)
        load = {n.name: sum(m.node_name == n.name for m in self.all_members()) for n in hosts}
        return min(hosts, key=lambda n: (load[n.name], n.idx))

    # replication groups
    def create_replication_group(
        self, replication_group_id: str, description: str = "", engine: str = REDIS, cache_node_type: str = "",
        num_cache_clusters: int = 0, num_node_groups: int = 0, replicas_per_node_group: int = 0,
        automatic_failover: bool = False, multi_az: bool = False, preferred_azs: list[str] | None = None,
        snapshot_name: str = "", snapshot_retention_limit: int = 0, snapshot_window: str = "",
        cache_parameter_group_name: str = "",
    ) -> ReplicationGroup:
        group_id = _check_id("ReplicationGroupId", replication_group_id)
        if group_id in self.groups:
            raise ReplicationGroupAlreadyExists(f"replication group {group_id} already exists")
        if (engine or REDIS) != REDIS:
            raise InvalidParameterValue(f"replication groups run Redis; {engine!r} is not supported (Memcached: create-cache-cluster)")
        node_type(cache_node_type)
        if not 0 <= snapshot_retention_limit <= MAX_SNAPSHOT_RETENTION_DAYS:
            raise InvalidParameterValue(f"SnapshotRetentionLimit must be 0..{MAX_SNAPSHOT_RETENTION_DAYS} days")
        snapshot_window = snapshot_window or DEFAULT_SNAPSHOT_WINDOW
        _window_minutes(snapshot_window)
        parameters = self.parameter_group(cache_parameter_group_name or DEFAULT_PARAMETER_GROUPS[REDIS_FAMILY])
        if parameters.family != REDIS_FAMILY:
            raise InvalidParameterCombination(
                f"parameter group {parameters.name} is for {parameters.family}; a Redis group needs {REDIS_FAMILY}")
        cluster_enabled = num_node_groups > 0
        if cluster_enabled:
            if num_cache_clusters:
                raise InvalidParameterCombination("give NumCacheClusters or NumNodeGroups, not both")
            if not 1 <= num_node_groups <= MAX_NODE_GROUPS:
                raise InvalidParameterValue(f"NumNodeGroups must be 1..{MAX_NODE_GROUPS}")
            if not 0 <= replicas_per_node_group <= MAX_REPLICAS_PER_SHARD:
                raise InvalidParameterValue(f"ReplicasPerNodeGroup must be 0..{MAX_REPLICAS_PER_SHARD}")
            shards, replicas = num_node_groups, replicas_per_node_group
        else:
            if replicas_per_node_group:
                raise InvalidParameterCombination("ReplicasPerNodeGroup needs cluster mode (NumNodeGroups); use NumCacheClusters")
            num_cache_clusters = num_cache_clusters or 1
            if not 1 <= num_cache_clusters <= MAX_CACHE_CLUSTERS:
                raise InvalidParameterValue(
                    f"NumCacheClusters must be 1..{MAX_CACHE_CLUSTERS} (a primary and up to {MAX_CACHE_CLUSTERS - 1} replicas)")
            shards, replicas = 1, num_cache_clusters - 1
        if (automatic_failover or multi_az) and replicas == 0:
            raise InvalidParameterCombination("automatic failover and Multi-AZ need at least one replica")
        if multi_az and not automatic_failover:
            raise InvalidParameterCombination("Multi-AZ needs automatic failover enabled")
        if cluster_enabled and not automatic_failover and replicas:
            raise InvalidParameterCombination("cluster mode with replicas needs automatic failover enabled")
        if snapshot_name:
            snapshot = self.snapshot(snapshot_name)
            if len(snapshot.shards) != shards:
                raise InvalidParameterCombination(
                    f"snapshot {snapshot_name} has {len(snapshot.shards)} node groups; the new group asks for {shards}")
        azs = self._azs(preferred_azs or [], shards * (replicas + 1))
        if multi_az and len(set(azs)) < 2:
            raise InvalidParameterCombination("Multi-AZ needs its nodes in at least two AZs")

        slots = slot_ranges(shards) if cluster_enabled else [None] * shards
        group = ReplicationGroup(
            replication_group_id=group_id, description=description, node_type=node_type(cache_node_type).name,
            cluster_enabled=cluster_enabled, automatic_failover=automatic_failover, multi_az=multi_az,
            replicas_per_node_group=replicas, node_groups=[], members=[], created_at=self.clock(),
            restore_from=snapshot_name, snapshot_retention_limit=snapshot_retention_limit,
            snapshot_window=snapshot_window, parameter_group=parameters.name,
        )
        placed = iter(azs)
        for shard in range(shards):
            node_group_id = f"{shard + 1:04d}"
            group.node_groups.append(NodeGroup(node_group_id, slots[shard]))
            for i in range(replicas + 1):
                group.members.append(self._new_member(group, node_group_id, next(placed), PRIMARY if i == 0 else REPLICA))
        self.groups[group_id] = group
        self.save_group(group)
        self.region.record("ReplicationGroupCreated", group_id, f"{len(group.members)} nodes in {', '.join(sorted(set(azs)))}")
        return group

    def _new_member(self, group: ReplicationGroup, node_group_id: str, az: str, role: str) -> Member:
        seq = group.next_member
        group.next_member += 1
        member_id = (f"{group.replication_group_id}-{node_group_id}-{seq:03d}" if group.cluster_enabled
                     else f"{group.replication_group_id}-{seq:03d}")
        return self._place(member_id, node_group_id, az, role, bus=group.cluster_enabled)

    def delete_replication_group(self, replication_group_id: str) -> ReplicationGroup:
        group = self.group(replication_group_id)
        if group.status == "creating":
            raise InvalidReplicationGroupState(f"replication group {group.replication_group_id} is still creating")
        group.status = "deleting"
        self.save_group(group)
        return group

    def forget_group(self, group: ReplicationGroup) -> None:
        """The group's engines are stopped: drop it and give its ports back."""
        for member in group.members:
            self.retire(member)
        for snapshot in list(self.snapshots.values()):
            if snapshot.replication_group_id == group.replication_group_id and snapshot.source == "automated":
                self.delete_snapshot(snapshot.snapshot_name)  # as AWS does; manual ones outlive the group
        self.groups.pop(group.replication_group_id, None)
        self.store.delete_resource(SERVICE, "replication-group", group.replication_group_id)
        self.region.record("ReplicationGroupDeleted", group.replication_group_id, "engines stopped")

    def check_failover(self, replication_group_id: str, node_group_id: str) -> tuple[ReplicationGroup, NodeGroup]:
        group = self.group(replication_group_id)
        shard = group.group(node_group_id or group.node_groups[0].node_group_id)
        if group.status != "available":
            raise InvalidReplicationGroupState(f"replication group {group.replication_group_id} is {group.status}")
        if not group.automatic_failover:
            raise InvalidReplicationGroupState("TestFailover needs automatic failover enabled")
        if not [m for m in group.members_of(shard.node_group_id) if m.role == REPLICA and self.node_alive(m)]:
            raise InvalidReplicationGroupState(f"node group {shard.node_group_id} has no available replica to fail over to")
        return group, shard

    def promote(self, group: ReplicationGroup, node_group_id: str, member_id: str, reason: str) -> Member:
        """Record a failover: `member_id` is the node group's primary under a new epoch."""
        shard = group.group(node_group_id)
        old = group.primary(node_group_id)
        for member in group.members_of(node_group_id):
            member.role = PRIMARY if member.member_id == member_id else REPLICA
        shard.epoch += 1
        self.save_group(group)
        self.region.record("FailoverComplete", group.replication_group_id,
                           f"node group {node_group_id}: {member_id} is primary (epoch {shard.epoch}), was {old.member_id}: {reason}")
        return next(m for m in group.members if m.member_id == member_id)

    def replace(self, group: ReplicationGroup, lost: Member) -> Member:
        """A replica in a surviving AZ for a member whose AZ or host is down."""
        alive = [az for az in self.region.config.azs if self.region.az_state(az) == "available" and az != lost.az]
        if not alive:
            raise InsufficientCacheClusterCapacity("no available AZ to replace a lost node in")
        # Apart from its own node group first (an AZ holding a shard's primary and its
        # only replica loses the shard with it), then from the rest of the group.
        others = [m for m in group.members if m is not lost]
        az = min(alive, key=lambda a: (
            sum(m.az == a for m in others if m.node_group_id == lost.node_group_id),
            sum(m.az == a for m in others), self.region.config.az_index(a),
        ))
        replacement = self._new_member(group, lost.node_group_id, az, REPLICA)
        group.members[group.members.index(lost)] = replacement
        group.status = "modifying"  # until the replacement has synced
        if lost.cluster_node_id:
            group.forget.append(lost.cluster_node_id)
        self.retire(lost)
        self.save_group(group)
        self.region.record("CacheNodeReplaced", group.replication_group_id,
                           f"{lost.member_id} in {lost.az} lost; {replacement.member_id} replaces it in {az}")
        return replacement

    def node_alive(self, member: Member) -> bool:
        return self.region.node_alive(member.node_name)

    def reader(self, group: ReplicationGroup, node_group_id: str) -> Member | None:
        """A replica for the reader endpoint, rotating over the available ones; the primary when there is none."""
        replicas = [m for m in group.members_of(node_group_id) if m.role == REPLICA and self.node_alive(m)]
        if not replicas:
            return None
        group.reader_turn += 1
        return replicas[group.reader_turn % len(replicas)]

    # Memcached clusters
    def create_cache_cluster(self, cache_cluster_id: str, engine: str = MEMCACHED, cache_node_type: str = "",
                             num_cache_nodes: int = 0, preferred_azs: list[str] | None = None,
                             snapshot_name: str = "") -> CacheCluster:
        cluster_id = _check_id("CacheClusterId", cache_cluster_id)
        if cluster_id in self.clusters or cluster_id in self._member_ids():
            raise CacheClusterAlreadyExists(f"cache cluster {cluster_id} already exists")
        if engine == REDIS:
            raise InvalidParameterValue("Redis runs as a replication group in azlab: use create-replication-group")
        if engine != MEMCACHED:
            raise InvalidParameterValue(f"invalid engine {engine!r}: memcached or redis")
        if snapshot_name:
            raise SnapshotFeatureNotSupported("Memcached clusters have no snapshots")
        node_type(cache_node_type)
        num_cache_nodes = num_cache_nodes or 1
        if not 1 <= num_cache_nodes <= MAX_MEMCACHED_NODES:
            raise InvalidParameterValue(f"NumCacheNodes must be 1..{MAX_MEMCACHED_NODES}")
        azs = self._azs(preferred_azs or [], num_cache_nodes)
        cluster = CacheCluster(cluster_id, node_type(cache_node_type).name, [], self.clock())
        cluster.config_port = self.store.allocate_port(self.region.network.region_address(), f"{SERVICE}/{cluster_id}")
        for az in azs:
            cluster.members.append(self._new_cache_node(cluster, az))
        self.clusters[cluster_id] = cluster
        self.save_cluster(cluster)
        self.region.record("CacheClusterCreated", cluster_id, f"{num_cache_nodes} Memcached nodes in {', '.join(sorted(set(azs)))}")
        return cluster

    def _new_cache_node(self, cluster: CacheCluster, az: str) -> Member:
        seq = cluster.next_member
        cluster.next_member += 1
        member = self._place(f"{cluster.cache_cluster_id}-{seq:04d}", "", az, "")
        return member

    def modify_cache_cluster(self, cache_cluster_id: str, num_cache_nodes: int, remove: list[str],
                             new_azs: list[str] | None = None) -> CacheCluster:
        cluster = self.cluster(cache_cluster_id)
        if cluster.status not in ("available", "creating"):
            raise InvalidCacheClusterState(f"cache cluster {cluster.cache_cluster_id} is {cluster.status}")
        ids = {cache_node_id(m): m for m in cluster.members}
        unknown = [r for r in remove if r not in ids]
        if unknown:
            raise CacheNodeNotFound(f"cache cluster {cluster.cache_cluster_id} has no node {unknown[0]!r}")
        current = len(cluster.members)
        if not 1 <= num_cache_nodes <= MAX_MEMCACHED_NODES:
            raise InvalidParameterValue(f"NumCacheNodes must be 1..{MAX_MEMCACHED_NODES}")
        if remove and num_cache_nodes != current - len(remove):
            raise InvalidParameterCombination(
                f"removing {len(remove)} of {current} nodes leaves {current - len(remove)}, not NumCacheNodes {num_cache_nodes}")
        if not remove and num_cache_nodes < current:
            raise InvalidParameterCombination("to remove nodes, name them in CacheNodeIdsToRemove")
        added = self._azs(new_azs or [], num_cache_nodes - current) if num_cache_nodes > current else []
        for node_id in remove:
            member = ids[node_id]
            cluster.members.remove(member)
            self.retire(member)
        for az in added:
            cluster.members.append(self._new_cache_node(cluster, az))
        cluster.config_version += 1
        self.save_cluster(cluster)
        self.region.record("CacheClusterModified", cluster.cache_cluster_id,
                           f"{len(added)} nodes added, {len(remove)} removed: {len(cluster.members)} nodes")
        return cluster

    def delete_cache_cluster(self, cache_cluster_id: str) -> CacheCluster:
        cluster = self.cluster(cache_cluster_id)
        cluster.status = "deleting"
        self.save_cluster(cluster)
        return cluster

    def forget_cluster(self, cluster: CacheCluster) -> None:
        for member in cluster.members:
            self.retire(member)
        self.store.release_ports(f"{SERVICE}/{cluster.cache_cluster_id}")
        self.clusters.pop(cluster.cache_cluster_id, None)
        self.store.delete_resource(SERVICE, "cache-cluster", cluster.cache_cluster_id)
        self.region.record("CacheClusterDeleted", cluster.cache_cluster_id, "engines stopped")

    # snapshots
    def check_snapshot(self, replication_group_id: str, cache_cluster_id: str, snapshot_name: str) -> ReplicationGroup:
        if cache_cluster_id and not replication_group_id:
            if cache_cluster_id.lower() in self.clusters:
                raise SnapshotFeatureNotSupported("Memcached clusters have no snapshots")
            raise CacheClusterNotFound(f"cache cluster {cache_cluster_id} not found; give a Redis ReplicationGroupId")
        group = self.group(replication_group_id)
        _check_id("SnapshotName", snapshot_name)
        if snapshot_name in self.snapshots:
            raise SnapshotAlreadyExists(f"snapshot {snapshot_name} already exists")
        if group.status != "available":
            raise InvalidReplicationGroupState(f"replication group {group.replication_group_id} is {group.status}")
        return group

    def add_snapshot(self, snapshot: Snapshot) -> Snapshot:
        self.snapshots[snapshot.snapshot_name] = snapshot
        self.store.put_resource(SERVICE, "snapshot", snapshot.snapshot_name, asdict(snapshot))
        self.region.record("SnapshotCreated", snapshot.replication_group_id, f"{snapshot.snapshot_name}: {snapshot.size_bytes} bytes")
        return snapshot

    def due_automatic_snapshot(self, group: ReplicationGroup) -> str | None:
        """The name of the automatic snapshot to take now, if one is due: once a day, inside the window."""
        now = self.clock()
        if group.status != "available" or not group.snapshot_retention_limit or not in_window(group.snapshot_window, now):
            return None
        taken = [s.created_at for s in self.snapshots.values()
                 if s.replication_group_id == group.replication_group_id and s.source == "automated"]
        if taken and now - max(taken) < DAY_S - MIN_WINDOW_MINUTES * 60:
            return None  # this window's snapshot is taken
        return f"automatic.{group.replication_group_id}-{time.strftime('%Y-%m-%d-%H-%M', time.gmtime(now))}"

    def expired_snapshots(self) -> list[Snapshot]:
        """Automatic snapshots older than their group's retention."""
        now = self.clock()
        return [s for s in self.snapshots.values() if s.source == "automated" and s.replication_group_id in self.groups
                and now - s.created_at > self.groups[s.replication_group_id].snapshot_retention_limit * DAY_S]

    # parameter groups
    def parameter_group(self, name: str) -> ParameterGroup:
        if not name:
            raise InvalidParameterValue("CacheParameterGroupName is required")
        try:
            return self.parameter_groups[name]
        except KeyError:
            raise CacheParameterGroupNotFound(f"cache parameter group {name} not found") from None

    def create_parameter_group(self, name: str, family: str, description: str) -> ParameterGroup:
        name = _check_id("CacheParameterGroupName", name)
        if name in self.parameter_groups:
            raise CacheParameterGroupAlreadyExists(f"cache parameter group {name} already exists")
        if family not in FAMILY_PARAMETERS:
            raise InvalidParameterValue(f"invalid family {family!r}; one of: {', '.join(FAMILY_PARAMETERS)}")
        group = ParameterGroup(name, family, description)
        self.parameter_groups[name] = group
        self.store.put_resource(SERVICE, "parameter-group", name, asdict(group))
        return group

    def modify_parameter_group(self, name: str, changes: dict[str, str]) -> ParameterGroup:
        group = self.parameter_group(name)
        if group.is_default:
            raise InvalidCacheParameterGroupState(f"{name} is a default parameter group and cannot be modified")
        if not changes:
            raise InvalidParameterValue("ParameterNameValues is required")
        specs = FAMILY_PARAMETERS[group.family]
        for key, value in changes.items():
            if key not in specs:
                raise InvalidParameterValue(f"{key!r} is not a modifiable {group.family} parameter in azlab "
                                            f"({', '.join(specs) or 'none yet'})")
            specs[key].check(value)
        group.values.update(changes)
        self.store.put_resource(SERVICE, "parameter-group", name, asdict(group))
        return group

    def delete_parameter_group(self, name: str) -> ParameterGroup:
        group = self.parameter_group(name)
        if group.is_default:
            raise InvalidCacheParameterGroupState(f"{name} is a default parameter group and cannot be deleted")
        users = [g.replication_group_id for g in self.groups.values() if g.parameter_group == name]
        if users:
            raise InvalidCacheParameterGroupState(f"{name} is in use by {', '.join(users)}")
        del self.parameter_groups[name]
        self.store.delete_resource(SERVICE, "parameter-group", name)
        return group

    def settings(self, group: ReplicationGroup) -> dict[str, str]:
        return engine_settings(self.parameter_groups[group.parameter_group].effective(), group.node_type,
                               write_lease=group.automatic_failover)

    def delete_snapshot(self, snapshot_name: str) -> Snapshot:
        snapshot = self.snapshot(snapshot_name)
        del self.snapshots[snapshot_name]
        self.store.delete_resource(SERVICE, "snapshot", snapshot_name)
        return snapshot


class CacheParameterGroupNotFound(AzlabError):
    code = "CacheParameterGroupNotFound"
    status = "NOT_FOUND"


class CacheParameterGroupAlreadyExists(AzlabError):
    code = "CacheParameterGroupAlreadyExists"
    status = "ALREADY_EXISTS"


class InvalidCacheParameterGroupState(AzlabError):
    code = "InvalidCacheParameterGroupState"
    status = "FAILED_PRECONDITION"


def cache_node_id(member: Member) -> str:
    """A Memcached node's id within its cluster ("0001"), as AWS numbers them."""
    return member.member_id.rsplit("-", 1)[1]


def page(ids: list[str], max_records: int = 0, marker: str = "") -> tuple[list[str], str]:
    """One page of ids by marker, as DescribeReplicationGroups pages: the marker is the next id."""
    if max_records and not 20 <= max_records <= 100:
        raise InvalidParameterValue("MaxRecords must be 20..100")
    ids = sorted(ids)
    if marker and marker not in ids:
        raise InvalidParameterValue(f"invalid Marker {marker!r}")
    start = ids.index(marker) if marker else 0
    end = start + (max_records or 100)
    return ids[start:end], ids[end] if end < len(ids) else ""

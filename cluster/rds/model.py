"""RDS's model: DB instances, their members, and the rules that move them.

Synchronous and free of Ray, gRPC and sockets. The service feeds it what the
members' DB nodes and the region's health say (`observe`), and asks it to
`decide`: fail over, replace a lost standby, step a modification on. Every
change is written to the store before the method returns; the DB nodes are
then made to match by the service.

A DB instance is a lineage of members sharing one log: a primary, on a
Multi-AZ instance a standby in another AZ, and (as DB instances of their own)
up to five read replicas following the primary. Each configuration change
that could make a commit's acknowledgement depend on a different set of
members gets a new epoch (failover, losing or replacing the standby); the DB
nodes refuse anything from an older epoch.

Failover is only to a standby that says it is in sync in the current epoch:
from the moment it was marked so, the primary acknowledged no commit it did
not hold. Without such a standby, a lost primary leaves the instance
unavailable until the primary's AZ returns (never a failover that loses
acknowledged commits). The rules are the same for both engines.

Backups: DB snapshots (manual) and automated backups (the first once an
instance is available, then daily in its backup window, kept for its retention
period) are taken by the service and recorded here; a restore is a new
instance carrying where its data comes from (`DBInstance.restore`), a
point-in-time restore the last automated backup before the asked time and
that time, inside [oldest automated backup, now]. DB parameter groups
(postgres) hold users' settings: an instance's `parameters` are what its
members run with, its `pending_parameters` what its next reboot applies.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from azlab.common.errors import InvalidParameterValue, MissingParameter, UnsupportedOperation
from azlab.common.rds.errors import (
    DBInstanceAlreadyExists,
    DBInstanceNotFound,
    DBParameterGroupAlreadyExists,
    DBParameterGroupNotFound,
    DBSnapshotAlreadyExists,
    DBSnapshotNotFound,
    InsufficientDBInstanceCapacity,
    InvalidDBInstanceState,
    InvalidDBParameterGroupState,
    InvalidDBSnapshotState,
    InvalidParameterCombination,
    InvalidRestore,
    PointInTimeRestoreNotEnabled,
    ReadReplicaLimitExceeded,
)
from azlab.cluster.membership import Configuration, Evidence, SyncStandby
from azlab.cluster.region import Region
from azlab.cluster.state import Store

SERVICE, KIND, RETIRED_KIND, SNAPSHOT_KIND = "rds", "db-instance", "retired-member", "db-snapshot"
PARAMETER_GROUP_KIND = "db-parameter-group"
FAILOVER = SyncStandby()
ENGINES = ("sqlite", "postgres")
# A postgres master user: PostgreSQL's identifier rules, less what PostgreSQL and RDS keep for themselves.
MASTER_USERNAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,62}$")
RESERVED_USERNAMES = {"postgres", "rdsadmin", "rdsrepladmin", "azlab"}
MASTER_PASSWORD = re.compile(r'^[!#-.0-?A-~]{8,128}$')  # printable ASCII but space, " / @, as RDS
# Memory (GiB) of each class; a DB node's SQLite page cache is a sixteenth of it.
INSTANCE_CLASSES = {
    "db.t3.micro": 1.0, "db.t3.small": 2.0, "db.t3.medium": 4.0,
    "db.m3.medium": 3.75, "db.m3.large": 7.5, "db.m3.xlarge": 15.0,
    "db.m5.large": 8.0, "db.m5.xlarge": 16.0, "db.r5.large": 16.0,
}
MIN_STORAGE_GIB, MAX_STORAGE_GIB = 5, 1024
MAX_READ_REPLICAS = 5
MAX_BACKUP_RETENTION_DAYS = 35
IDENTIFIER = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")

PRIMARY, STANDBY, REPLICA = "primary", "standby", "replica"
CREATING, AVAILABLE, MODIFYING, REBOOTING, DELETING = "creating", "available", "modifying", "rebooting", "deleting"
# Lifecycle: which status may follow which. Failover keeps "available", as on AWS.
TRANSITIONS = {
    CREATING: {AVAILABLE, DELETING},
    AVAILABLE: {MODIFYING, REBOOTING, DELETING},
    MODIFYING: {AVAILABLE, DELETING},
    REBOOTING: {AVAILABLE, DELETING},
    DELETING: set(),
}
# Steps of a change in progress (DBInstance.step)
STEP_STANDBY_FIRST = "standby-first"  # Multi-AZ scale: the standby restarts with the new class
STEP_OLD_PRIMARY = "old-primary"      # ... then, after the failover, the old primary does
STEP_RESTART = "restart"              # single member: restart it (reboot, or scale with an outage)
STEP_FAILOVER = "failover"            # reboot with failover: done once the new primary serves
# DB parameter groups (postgres). Each parameter: PostgreSQL's pg_settings.context (postmaster: static, a
# restart; the others dynamic, a reload), its data type, what it accepts, its description.
POSTGRES_FAMILY = "postgres15"
DEFAULT_PARAMETER_GROUP = f"default.{POSTGRES_FAMILY}"
_INT, _MEM, _MS = r"^\d{1,9}$", r"^\d{1,9}(kB|MB|GB)?$", r"^-?\d{1,9}(ms|s|min)?$"
POSTGRES_PARAMETERS: dict[str, tuple[str, str, str, str]] = {
    "max_connections": ("postmaster", "integer", _INT, "most concurrent connections"),
    "shared_buffers": ("postmaster", "memory", _MEM, "memory for the shared buffer cache"),
    "max_locks_per_transaction": ("postmaster", "integer", _INT, "locks per transaction"),
    "work_mem": ("user", "memory", _MEM, "memory per sort or hash before spilling to disk"),
    "maintenance_work_mem": ("user", "memory", _MEM, "memory for VACUUM, CREATE INDEX"),
    "effective_cache_size": ("user", "memory", _MEM, "the planner's guess of the OS cache"),
    "random_page_cost": ("user", "real", r"^\d{1,6}(\.\d{1,6})?$", "the planner's cost of a random page"),
    "statement_timeout": ("user", "integer", _MS, "abort statements running longer (0: never)"),
    "idle_in_transaction_session_timeout": ("user", "integer", _MS, "end sessions idle in a transaction"),
    "log_min_duration_statement": ("superuser", "integer", _MS, "log statements running longer (-1: none)"),
    "log_statement": ("superuser", "enum", r"^(none|ddl|mod|all)$", "which statements to log"),
    "checkpoint_timeout": ("sighup", "integer", _MS, "most time between checkpoints"),
    "max_wal_size": ("sighup", "memory", _MEM, "WAL size that triggers a checkpoint"),
    "autovacuum": ("sighup", "boolean", r"^(on|off|true|false|1|0)$", "run the autovacuum launcher"),
}
IMMEDIATE, PENDING_REBOOT = "immediate", "pending-reboot"

MANUAL, AUTOMATED = "manual", "automated"
SNAPSHOT_CREATING, SNAPSHOT_AVAILABLE, SNAPSHOT_FAILED, SNAPSHOT_DELETING = "creating", "available", "failed", "deleting"
DEFAULT_BACKUP_WINDOW = "03:00-03:30"
BACKUP_WINDOW = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")
DAY_S = 86400.0
EVENT_TYPES = ("DBInstanceCreated", "DBInstanceAvailable", "DBInstanceDeleted", "FailoverStarted",
               "FailoverCompleted", "StandbyLost", "StandbyReplaced", "ReadReplicaCreated",
               "ReadReplicaPromoted", "DBInstanceModified", "DBInstanceRebooted", "DBSnapshotCreated",
               "DBSnapshotFailed", "DBSnapshotDeleted", "DBInstanceRestored")


@dataclass
class Member:
    member_id: str
    role: str
    az: str
    node: str
    address: str
    port: int
    instance_class: str
    allocated_storage: int
    restarts_wanted: int = 0
    restarts_done: int = 0
    control_port: int = 0  # postgres: its DbNode's port (`port` is the PostgreSQL server's); sqlite: `port` serves both

    @property
    def control_endpoint(self) -> str:
        return f"{self.address}:{self.control_port or self.port}"

    @property
    def process_name(self) -> str:
        return f"rds-{self.member_id}"

    @property
    def endpoint(self) -> str:
        return f"{self.address}:{self.port}"


@dataclass
class DBInstance:
    identifier: str
    engine: str
    instance_class: str
    allocated_storage: int
    multi_az: bool
    availability_zone: str
    status: str
    created_at: float
    backup_retention_period: int = 1
    epoch: int = 1
    lineage: str = ""                 # whose log this instance's members share: its own, or its source's
    source: str = ""                  # a read replica's source DB instance
    replicas: list[str] = field(default_factory=list)
    members: list[Member] = field(default_factory=list)
    next_member: int = 0
    pending: dict[str, object] = field(default_factory=dict)   # PendingModifiedValues
    step: str = ""
    master_username: str = ""         # postgres: the server's superuser (a read replica: its source's)
    master_user_password: str = ""    # kept in the region's state, as the lab has no secrets store
    preferred_backup_window: str = DEFAULT_BACKUP_WINDOW
    # A restored instance's origin, for its first primary's first start: {"snapshot": id} and,
    # for a point in time, {"time": unix seconds, "source": the source instance}.
    restore: dict[str, object] = field(default_factory=dict)
    parameter_group: str = ""                                         # postgres: its DB parameter group
    parameters: dict[str, str] = field(default_factory=dict)          # in effect on its members
    pending_parameters: dict[str, str] = field(default_factory=dict)  # applied at the next reboot

    @classmethod
    def from_doc(cls, doc: dict) -> DBInstance:
        return cls(**{**doc, "members": [Member(**m) for m in doc["members"]]})

    def member(self, role: str) -> Member | None:
        return next((m for m in self.members if m.role == role), None)

    @property
    def primary(self) -> Member | None:
        """The member that takes writes (a read replica's one member, which takes reads)."""
        return self.member(REPLICA if self.source else PRIMARY)

    @property
    def standby(self) -> Member | None:
        return self.member(STANDBY)


@dataclass
class DBParameterGroup:
    name: str
    family: str
    description: str
    parameters: dict[str, str] = field(default_factory=dict)


@dataclass
class DBSnapshot:
    identifier: str
    instance: str
    engine: str
    snapshot_type: str
    status: str
    created_at: float            # asked for; `consistent_at` once taken
    instance_class: str
    allocated_storage: int
    master_username: str = ""
    master_user_password: str = ""
    engine_version: str = ""
    consistent_at: float = 0.0   # the moment the copy holds the database as it was
    lsn: int = 0


@dataclass(frozen=True)
class FollowerHealth:
    member_id: str
    acked_lsn: int = 0
    lag_lsns: int = 0
    lag_seconds: float = 0.0
    in_sync: bool = False
    sync: bool = False


@dataclass(frozen=True)
class MemberHealth:
    """What the service last learnt of a member: its node's liveness and its DB node's status."""

    node_alive: bool = False
    reachable: bool = False
    role: str = ""
    epoch: int = -1
    lineage: str = ""
    synced_epoch: int = -1
    lsn: int = 0
    instance_class: str = ""
    allocated_storage: int = 0
    followers: tuple[FollowerHealth, ...] = ()  # a primary's, as it reports them
    engine_version: str = ""
    parameters: tuple[tuple[str, str], ...] = ()  # what its engine runs with, sorted


UNKNOWN = MemberHealth()


def _iso(t: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def _in_window(window: str, now: float) -> bool:
    h1, m1, h2, m2 = map(int, BACKUP_WINDOW.match(window).groups())
    t = time.gmtime(now)
    minute, start, end = t.tm_hour * 60 + t.tm_min, h1 * 60 + m1, h2 * 60 + m2
    return start <= minute < end if start <= end else minute >= start or minute < end


class RdsModel:
    def __init__(self, region: Region, store: Store, clock: Callable[[], float] = time.time):
        self.region = region
        self.store = store
        self.clock = clock
        self.instances: dict[str, DBInstance] = {
            doc["identifier"]: DBInstance.from_doc(doc) for doc in store.resources(SERVICE, KIND)}
        self.retired: dict[str, Member] = {doc["member_id"]: Member(**doc) for doc in store.resources(SERVICE, RETIRED_KIND)}
        self.health: dict[str, MemberHealth] = {}
        self.parameter_groups: dict[str, DBParameterGroup] = {
            doc["name"]: DBParameterGroup(**doc) for doc in store.resources(SERVICE, PARAMETER_GROUP_KIND)}
        self.snapshots: dict[str, DBSnapshot] = {
            doc["identifier"]: DBSnapshot(**doc) for doc in store.resources(SERVICE, SNAPSHOT_KIND)}

    # lookups
    def get(self, identifier: str) -> DBInstance:
        if not identifier:
            raise MissingParameter("a DBInstanceIdentifier is required")
        try:
            return self.instances[identifier]
        except KeyError:
            raise DBInstanceNotFound(f"DBInstance {identifier} not found.") from None

    def describe(self, identifier: str = "") -> list[DBInstance]:
        return [self.get(identifier)] if identifier else list(self.instances.values())

    def source_of(self, instance: DBInstance) -> DBInstance | None:
        return self.instances.get(instance.source) if instance.source else None

    def health_of(self, member: Member | None) -> MemberHealth:
        return self.health.get(member.member_id, UNKNOWN) if member else UNKNOWN

    # the API's verbs: each validates everything before it changes anything
    def create_db_instance(self, identifier: str, engine: str, instance_class: str, allocated_storage: int,
                           multi_az: bool = False, availability_zone: str = "", backup_retention_period: int = 1,
                           master_username: str = "", master_user_password: str = "",
                           preferred_backup_window: str = "", restore: dict | None = None,
                           parameter_group: str = "") -> DBInstance:
        self._check_new_identifier(identifier)
        self._check_backup_window(preferred_backup_window)
        group = self._group_for(engine, parameter_group)
        if engine not in ENGINES:
            raise InvalidParameterValue(f"Invalid DB engine: {engine!r}. azlab's engines: {', '.join(ENGINES)}")
        self._check_master_user(engine, master_username, master_user_password)
        self._check_class(instance_class)
        self._check_storage(allocated_storage)
        self._check_retention(backup_retention_period)
        if availability_zone:
            self.region.az(availability_zone)
        primary_az = availability_zone or self._pick_az(exclude=())
        if multi_az:
            if not self._live_azs(exclude={primary_az}):
                raise InsufficientDBInstanceCapacity("a Multi-AZ DB instance needs a second live AZ for its standby")
        instance = DBInstance(
            identifier=identifier, engine=engine, instance_class=instance_class, allocated_storage=allocated_storage,
            multi_az=multi_az, availability_zone=primary_az, status=CREATING, created_at=self.clock(),
            backup_retention_period=backup_retention_period, lineage=identifier,
            master_username=master_username, master_user_password=master_user_password,
            preferred_backup_window=preferred_backup_window or DEFAULT_BACKUP_WINDOW, restore=dict(restore or {}),
            parameter_group=group.name if group else "", parameters=dict(group.parameters) if group else {},
        )
        self._add_member(instance, PRIMARY, primary_az)
        if multi_az:
            self._add_member(instance, STANDBY, self._pick_az(exclude={primary_az}))
        self._save(instance)
        self._event("DBInstanceCreated", instance, f"{engine} {instance_class}, {allocated_storage} GiB, "
                    + (f"Multi-AZ in {primary_az} and {instance.standby.az}" if multi_az else f"in {primary_az}"))
        return instance

    def create_read_replica(self, identifier: str, source_identifier: str, availability_zone: str = "",
                            instance_class: str = "") -> DBInstance:
        self._check_new_identifier(identifier)
        if not source_identifier:
            raise MissingParameter("a SourceDBInstanceIdentifier is required")
        source = self.get(source_identifier)
        if source.source:
            raise UnsupportedOperation("azlab does not chain read replicas: create it from the source DB instance")
        if source.status not in (AVAILABLE, MODIFYING, REBOOTING):
            raise InvalidDBInstanceState(f"DB instance {source.identifier} is {source.status}; it must be available")
        if not source.backup_retention_period:
            raise InvalidDBInstanceState(
                f"DB instance {source.identifier} has backups off (BackupRetentionPeriod 0): a read replica's source "
                "must have backup retention enabled")
        if len(source.replicas) >= MAX_READ_REPLICAS:
            raise ReadReplicaLimitExceeded(
                f"DB instance {source.identifier} already has {MAX_READ_REPLICAS} read replicas, the most it may have")
        if instance_class:
            self._check_class(instance_class)
        if availability_zone:
            self.region.az(availability_zone)
        az = availability_zone or self._pick_az(exclude=set())
        replica = DBInstance(
            identifier=identifier, engine=source.engine, instance_class=instance_class or source.instance_class,
            allocated_storage=source.allocated_storage, multi_az=False, availability_zone=az, status=CREATING,
            created_at=self.clock(), backup_retention_period=0, lineage=source.lineage, source=source.identifier,
            master_username=source.master_username, master_user_password=source.master_user_password,
            parameter_group=source.parameter_group, parameters=dict(source.parameters),
        )
        self._add_member(replica, REPLICA, az)
        source.replicas.append(identifier)
        self._save(replica)
        self._save(source)
        self._event("ReadReplicaCreated", replica, f"read replica of {source.identifier} in {az}")
        return replica

    def modify(self, identifier: str, instance_class: str = "", allocated_storage: int = 0, apply_immediately: bool = False,
               backup_retention_period: int | None = None, preferred_backup_window: str = "") -> DBInstance:
        instance = self.get(identifier)
        if instance_class:
            self._check_class(instance_class)
        if allocated_storage:
            self._check_storage(allocated_storage)
            if allocated_storage < instance.allocated_storage:
                raise InvalidParameterCombination(
                    f"Invalid storage size: {allocated_storage} GiB is below the current {instance.allocated_storage} GiB; "
                    "storage can only grow")
        if backup_retention_period is not None:
            self._check_retention(backup_retention_period)
            if instance.source and backup_retention_period:
                raise InvalidParameterCombination("a read replica takes no backups; promote it first")
        changes = {k: v for k, v in (("instance_class", instance_class), ("allocated_storage", allocated_storage))
                   if v and v != getattr(instance, k)}
        if changes:
            self._require_status(instance, AVAILABLE)
        self._check_backup_window(preferred_backup_window)
        if backup_retention_period is not None:
            instance.backup_retention_period = backup_retention_period
        if preferred_backup_window:
            instance.preferred_backup_window = preferred_backup_window
        if changes:
            instance.pending = {**instance.pending, **changes}
            if apply_immediately:
                self._start_applying_pending(instance)
        self._save(instance)
        if changes:
            self._event("DBInstanceModified", instance, ", ".join(f"{k}={v}" for k, v in changes.items())
                        + ("" if apply_immediately else ": pending until the next reboot"))
        return instance

    def reboot(self, identifier: str, force_failover: bool = False) -> DBInstance:
        instance = self.get(identifier)
        self._require_status(instance, AVAILABLE)
        if force_failover:
            if not instance.multi_az:
                raise InvalidDBInstanceState(f"DB instance {identifier} is not Multi-AZ: it has no standby to fail over to")
            if not self._eligible(instance, instance.standby):
                raise InvalidDBInstanceState(f"the standby of {identifier} is not in sync yet; try again shortly")
        self._transition(instance, REBOOTING)
        instance.parameters.update(instance.pending_parameters)  # static ones take effect with the restart
        instance.pending_parameters = {}
        self._event("DBInstanceRebooted", instance, "with failover to the standby" if force_failover else
                    "restarting the primary" + (", applying the pending modifications" if instance.pending else ""))
        if instance.pending:
            self._start_applying_pending(instance, status=REBOOTING)
        elif force_failover:
            self._fail_over(instance, "reboot with failover")
            instance.step = STEP_FAILOVER
        else:
            instance.primary.restarts_wanted += 1
            instance.step = STEP_RESTART
        self._save(instance)
        return instance

    def delete(self, identifier: str) -> DBInstance:
        instance = self.get(identifier)
        if instance.status == DELETING:
            return instance
        if live := [r for r in instance.replicas if self.instances[r].status != DELETING]:
            raise InvalidDBInstanceState(
                f"DB instance {identifier} has read replicas ({', '.join(live)}): delete or promote them first")
        self._transition(instance, DELETING)
        self._save(instance)
        return instance

    def promote_read_replica(self, identifier: str, backup_retention_period: int = 1) -> DBInstance:
        replica = self.get(identifier)
        if not replica.source:
            raise InvalidDBInstanceState(f"DB instance {identifier} is not a read replica")
        self._require_status(replica, AVAILABLE)
        self._check_retention(backup_retention_period)
        source = self.source_of(replica)
        if source:
            source.replicas.remove(identifier)
            self._save(source)
        member = replica.primary
        member.role = PRIMARY
        replica.source, replica.lineage, replica.epoch = "", identifier, 1
        replica.backup_retention_period = backup_retention_period
        replica.status = MODIFYING
        replica.step = STEP_RESTART  # done once the member serves as the primary of its own lineage
        self._save(replica)
        self._event("ReadReplicaPromoted", replica, f"no longer replicating from {source.identifier if source else '-'}: "
                    "an independent DB instance")
        return replica

    def forget(self, identifier: str) -> None:
        """The instance is gone; its members are retired (ports released once they are removed)."""
        instance = self.instances.pop(identifier)
        if source := self.source_of(instance):
            if identifier in source.replicas:
                source.replicas.remove(identifier)
                self._save(source)
        self.store.delete_resource(SERVICE, KIND, identifier)
        self._event("DBInstanceDeleted", instance, "deleted")

    # DB parameter groups
    def _group_for(self, engine: str, name: str) -> DBParameterGroup | None:
        if engine != "postgres":
            if name:
                raise InvalidParameterCombination(f"the {engine} engine takes no DB parameter group")
            return None
        group = self.get_parameter_group(name or DEFAULT_PARAMETER_GROUP)
        return group

    def get_parameter_group(self, name: str) -> DBParameterGroup:
        if not name:
            raise MissingParameter("a DBParameterGroupName is required")
        if name == DEFAULT_PARAMETER_GROUP:
            return DBParameterGroup(name, POSTGRES_FAMILY, f"Default parameter group for {POSTGRES_FAMILY}")
        try:
            return self.parameter_groups[name]
        except KeyError:
            raise DBParameterGroupNotFound(f"DBParameterGroup not found: {name}") from None

    def create_parameter_group(self, name: str, family: str, description: str) -> DBParameterGroup:
        if not name:
            raise MissingParameter("a DBParameterGroupName is required")
        if len(name) > 255 or not IDENTIFIER.match(name.lower()) or name.startswith("default"):
            raise InvalidParameterValue(f"Invalid DBParameterGroupName {name!r}: letters, digits and single hyphens, "
                                        "starting with a letter, not starting with 'default'")
        if family != POSTGRES_FAMILY:
            raise InvalidParameterValue(f"Invalid DBParameterGroupFamily {family!r}: azlab has {POSTGRES_FAMILY}")
        if not description:
            raise MissingParameter("a Description is required")
        if name in self.parameter_groups:
            raise DBParameterGroupAlreadyExists(f"Parameter group {name} already exists")
        group = DBParameterGroup(name, family, description)
        self._save_group(group)
        return group

    def describe_parameter_groups(self, name: str = "") -> list[DBParameterGroup]:
        if name:
            return [self.get_parameter_group(name)]
        return [self.get_parameter_group(DEFAULT_PARAMETER_GROUP), *self.parameter_groups.values()]

    def modify_parameter_group(self, name: str, changes: list[tuple[str, str, str]]) -> DBParameterGroup:
        """(name, value, apply method) each; all checked before any is applied."""
        group = self.get_parameter_group(name)
        if name == DEFAULT_PARAMETER_GROUP:
            raise InvalidDBParameterGroupState("a default parameter group cannot be modified: create your own")
        if not changes:
            raise MissingParameter("at least one Parameter is required")
        for parameter, value, method in changes:
            spec = POSTGRES_PARAMETERS.get(parameter)
            if spec is None:
                raise InvalidParameterValue(f"{parameter!r} is not a modifiable parameter; they are: "
                                            f"{', '.join(sorted(POSTGRES_PARAMETERS))}")
            if not re.match(spec[2], value):
                raise InvalidParameterValue(f"Invalid value {value!r} for {parameter} ({spec[1]})")
            if method not in (IMMEDIATE, PENDING_REBOOT):
                raise InvalidParameterValue(f"Invalid ApplyMethod {method!r}: immediate or pending-reboot")
            if method == IMMEDIATE and spec[0] == "postmaster":
                raise InvalidParameterCombination(
                    f"cannot use immediate apply method for static parameter {parameter}: use pending-reboot")
        for parameter, value, method in changes:
            group.parameters[parameter] = value
            for instance in self.instances.values():
                if instance.parameter_group == name:
                    target = instance.parameters if method == IMMEDIATE else instance.pending_parameters
                    target[parameter] = value
                    self._save(instance)
        self._save_group(group)
        return group

    def delete_parameter_group(self, name: str) -> None:
        self.get_parameter_group(name)
        if name == DEFAULT_PARAMETER_GROUP:
            raise InvalidDBParameterGroupState("a default parameter group cannot be deleted")
        if users := [i.identifier for i in self.instances.values() if i.parameter_group == name]:
            raise InvalidDBParameterGroupState(f"parameter group {name} is in use by {', '.join(users)}")
        del self.parameter_groups[name]
        self.store.delete_resource(SERVICE, PARAMETER_GROUP_KIND, name)

    def parameter_apply_status(self, instance: DBInstance) -> str:
        if instance.pending_parameters:
            return PENDING_REBOOT
        wanted = tuple(sorted(instance.parameters.items()))
        if any(self.health_of(m).reachable and self.health_of(m).parameters != wanted for m in instance.members):
            return "applying"
        return "in-sync"

    def _save_group(self, group: DBParameterGroup) -> None:
        self.parameter_groups[group.name] = group
        self.store.put_resource(SERVICE, PARAMETER_GROUP_KIND, group.name, asdict(group))

    # snapshots, automated backups and restores
    def get_snapshot(self, identifier: str) -> DBSnapshot:
        if not identifier:
            raise MissingParameter("a DBSnapshotIdentifier is required")
        try:
            return self.snapshots[identifier]
        except KeyError:
            raise DBSnapshotNotFound(f"DBSnapshot {identifier} not found.") from None

    def create_db_snapshot(self, identifier: str, snapshot_identifier: str, snapshot_type: str = MANUAL) -> DBSnapshot:
        instance = self.get(identifier)
        if not snapshot_identifier:
            raise MissingParameter("a DBSnapshotIdentifier is required")
        if snapshot_type == MANUAL and (len(snapshot_identifier) > 255 or not IDENTIFIER.match(snapshot_identifier)):
            raise InvalidParameterValue(f"Invalid DBSnapshotIdentifier {snapshot_identifier!r}: lowercase letters, "
                                        "digits and single hyphens, starting with a letter")
        if snapshot_identifier in self.snapshots:
            raise DBSnapshotAlreadyExists(f"DB snapshot already exists: {snapshot_identifier}")
        self._require_status(instance, AVAILABLE)
        snapshot = DBSnapshot(
            identifier=snapshot_identifier, instance=identifier, engine=instance.engine, snapshot_type=snapshot_type,
            status=SNAPSHOT_CREATING, created_at=self.clock(), instance_class=instance.instance_class,
            allocated_storage=instance.allocated_storage, master_username=instance.master_username,
            master_user_password=instance.master_user_password,
            engine_version=self.health_of(instance.primary).engine_version)
        self._save_snapshot(snapshot)
        return snapshot

    def describe_snapshots(self, identifier: str = "", snapshot_identifier: str = "", snapshot_type: str = "") -> list[DBSnapshot]:
        if snapshot_identifier:
            return [self.get_snapshot(snapshot_identifier)]
        if snapshot_type and snapshot_type not in (MANUAL, AUTOMATED):
            raise InvalidParameterValue(f"Invalid SnapshotType {snapshot_type!r}: manual or automated")
        return [s for s in self.snapshots.values() if s.status != SNAPSHOT_DELETING
                and (not identifier or s.instance == identifier) and (not snapshot_type or s.snapshot_type == snapshot_type)]

    def snapshot_taken(self, snapshot_identifier: str, consistent_at: float, lsn: int) -> None:
        snapshot = self.snapshots.get(snapshot_identifier)
        if snapshot is None or snapshot.status != SNAPSHOT_CREATING:
            return
        snapshot.status, snapshot.consistent_at, snapshot.lsn = SNAPSHOT_AVAILABLE, consistent_at, lsn
        self._save_snapshot(snapshot)
        self.region.record("DBSnapshotCreated", snapshot.instance, f"{snapshot.snapshot_type} snapshot "
                           f"{snapshot.identifier} taken")

    def snapshot_failed(self, snapshot_identifier: str, reason: str) -> None:
        snapshot = self.snapshots.get(snapshot_identifier)
        if snapshot is None or snapshot.status != SNAPSHOT_CREATING:
            return
        snapshot.status = SNAPSHOT_FAILED
        self._save_snapshot(snapshot)
        self.region.record("DBSnapshotFailed", snapshot.instance, f"snapshot {snapshot.identifier}: {reason}")

    def delete_db_snapshot(self, snapshot_identifier: str) -> DBSnapshot:
        snapshot = self.get_snapshot(snapshot_identifier)
        if snapshot.snapshot_type == AUTOMATED:
            raise InvalidDBSnapshotState(f"{snapshot_identifier} is an automated backup: it goes with its retention "
                                         "period, or with its DB instance")
        if snapshot.status == SNAPSHOT_CREATING:
            raise InvalidDBSnapshotState(f"DB snapshot {snapshot_identifier} is being created; delete it once available")
        self._delete_snapshot(snapshot)
        return snapshot

    def _delete_snapshot(self, snapshot: DBSnapshot) -> None:
        if snapshot.status != SNAPSHOT_DELETING:
            snapshot.status = SNAPSHOT_DELETING  # the service removes its files, then `forget_snapshot`
            self._save_snapshot(snapshot)

    def forget_snapshot(self, snapshot_identifier: str) -> None:
        if self.snapshots.pop(snapshot_identifier, None) is not None:
            self.store.delete_resource(SERVICE, SNAPSHOT_KIND, snapshot_identifier)

    def restore_from_snapshot(self, identifier: str, snapshot_identifier: str, instance_class: str = "",
                              multi_az: bool = False, availability_zone: str = "") -> DBInstance:
        snapshot = self.get_snapshot(snapshot_identifier)
        if snapshot.status != SNAPSHOT_AVAILABLE:
            raise InvalidDBSnapshotState(f"DB snapshot {snapshot_identifier} is {snapshot.status}, not available")
        instance = self.create_db_instance(
            identifier, snapshot.engine, instance_class or snapshot.instance_class, snapshot.allocated_storage,
            multi_az, availability_zone, master_username=snapshot.master_username,
            master_user_password=snapshot.master_user_password, restore={"snapshot": snapshot.identifier})
        self._event("DBInstanceRestored", instance, f"from DB snapshot {snapshot.identifier}")
        return instance

    def restorable_window(self, source: DBInstance) -> tuple[float, float] | None:
        """(earliest, latest) restorable time: from its oldest automated backup to now; None without one."""
        backups = [s for s in self.snapshots.values() if s.instance == source.identifier and s.snapshot_type == AUTOMATED
                   and s.status == SNAPSHOT_AVAILABLE]
        if not source.backup_retention_period or not backups:
            return None
        return min(s.consistent_at for s in backups), self.clock()

    def restore_to_point_in_time(self, source_identifier: str, identifier: str, restore_time: float | None = None,
                                 use_latest: bool = False, instance_class: str = "", multi_az: bool = False,
                                 availability_zone: str = "") -> DBInstance:
        source = self.get(source_identifier)
        if (restore_time is None) == (not use_latest):
            raise InvalidParameterCombination("give either a RestoreTime or UseLatestRestorableTime, not both or neither")
        if not source.backup_retention_period:
            raise PointInTimeRestoreNotEnabled(f"DB instance {source_identifier} has BackupRetentionPeriod 0")
        window = self.restorable_window(source)
        if window is None:
            raise InvalidRestore(f"DB instance {source_identifier} has no automated backup yet to restore from")
        at = window[1] if use_latest else restore_time
        if not window[0] <= at <= window[1]:
            raise InvalidRestore(f"restore time {_iso(at)} is outside the restorable window of {source_identifier}: "
                                 f"{_iso(window[0])} to {_iso(window[1])}")
        base = max((s for s in self.snapshots.values() if s.instance == source.identifier and s.snapshot_type == AUTOMATED
                    and s.status == SNAPSHOT_AVAILABLE and s.consistent_at <= at), key=lambda s: s.consistent_at)
        instance = self.create_db_instance(
            identifier, source.engine, instance_class or source.instance_class, source.allocated_storage, multi_az,
            availability_zone, master_username=source.master_username,
            master_user_password=source.master_user_password,
            restore={"snapshot": base.identifier, "time": at, "source": source.identifier})
        self._event("DBInstanceRestored", instance, f"{source.identifier} as it was at {_iso(at)}")
        return instance

    def backup_due(self, instance: DBInstance) -> str:
        """The automated backup's identifier if one should start now, else "".

        The first once the instance is available (so point-in-time restore has a
        base at once), then one a day, in its backup window."""
        if not instance.backup_retention_period or instance.source or instance.status != AVAILABLE:
            return ""
        mine = [s for s in self.snapshots.values() if s.instance == instance.identifier and s.snapshot_type == AUTOMATED]
        if any(s.status == SNAPSHOT_CREATING for s in mine):
            return ""
        now = self.clock()
        last = max((s.created_at for s in mine if s.status == SNAPSHOT_AVAILABLE), default=None)
        if last is not None and (now - last < DAY_S - 3600 or not _in_window(instance.preferred_backup_window, now)):
            return ""
        return f"rds:{instance.identifier}-{time.strftime('%Y-%m-%d-%H-%M-%S', time.gmtime(now))}"

    def expire_backups(self) -> None:
        """Automated backups older than their instance's retention, or of an instance gone, are deleted."""
        now = self.clock()
        for snapshot in list(self.snapshots.values()):
            if snapshot.snapshot_type != AUTOMATED or snapshot.status == SNAPSHOT_CREATING:
                continue
            instance = self.instances.get(snapshot.instance)
            gone = instance is None or instance.status == DELETING
            if gone or now - snapshot.created_at > instance.backup_retention_period * DAY_S or (
                    not instance.backup_retention_period):
                # keep the newest while it is the only base the retention period reaches back to
                newer = [s for s in self.snapshots.values() if s.instance == snapshot.instance and s is not snapshot
                         and s.snapshot_type == AUTOMATED and s.status == SNAPSHOT_AVAILABLE
                         and s.created_at > snapshot.created_at]
                if gone or not instance.backup_retention_period or newer:
                    self._delete_snapshot(snapshot)

    def _save_snapshot(self, snapshot: DBSnapshot) -> None:
        self.snapshots[snapshot.identifier] = snapshot
        self.store.put_resource(SERVICE, SNAPSHOT_KIND, snapshot.identifier, asdict(snapshot))

    def _check_backup_window(self, window: str) -> None:
        if not window:
            return
        found = BACKUP_WINDOW.match(window)
        if not found:
            raise InvalidParameterValue(f"Invalid PreferredBackupWindow {window!r}: hh24:mi-hh24:mi in UTC")
        h1, m1, h2, m2 = map(int, found.groups())
        if ((h2 * 60 + m2) - (h1 * 60 + m1)) % 1440 < 30:
            raise InvalidParameterValue(f"Invalid PreferredBackupWindow {window!r}: at least 30 minutes")

    def forget_retired(self, member_id: str) -> None:
        self.retired.pop(member_id, None)
        self.store.delete_resource(SERVICE, RETIRED_KIND, member_id)
        self.store.release_ports(f"rds/{member_id}")

    def restarted(self, identifier: str, member_id: str) -> None:
        instance = self.get(identifier)
        for member in instance.members:
            if member.member_id == member_id:
                member.restarts_done = member.restarts_wanted
        self._save(instance)

    # what the service wants the DB nodes to be
    def desired_epoch(self, instance: DBInstance) -> int:
        source = self.source_of(instance)
        return source.epoch if source else instance.epoch

    def needs_restart(self, member: Member) -> bool:
        """Its DB node runs, but with another class or storage than wanted, or a reboot was asked for."""
        health = self.health_of(member)
        return health.reachable and (
            (health.instance_class, health.allocated_storage) != (member.instance_class, member.allocated_storage)
            or member.restarts_done != member.restarts_wanted)

    def followers(self, instance: DBInstance) -> list[tuple[Member, bool]]:
        """A primary's followers: its standby, then its read replicas' members.

        The standby is synchronous unless it is about to restart (a scale step):
        commits must not wait for it meanwhile. It only ever turns asynchronous
        with a new epoch (`_start_applying_pending`, `_fail_over`), so no node
        holding an older epoch's in-sync mark is ever skipped silently.
        """
        standby = instance.standby
        wanted = [(standby, not self.needs_restart(standby))] if standby else []
        for replica_id in instance.replicas:
            if (replica := self.instances.get(replica_id)) and replica.primary and replica.status != DELETING:
                wanted.append((replica.primary, False))
        return wanted

    # rules, from evidence
    def observe(self, member_id: str, health: MemberHealth) -> None:
        self.health[member_id] = health

    def decide(self, instance: DBInstance) -> None:
        """One level-triggered step for one instance; `observe` its members first."""
        if instance.status == DELETING:
            return
        if instance.source:
            self._settle_replica(instance)
            return
        primary, standby = instance.primary, instance.standby
        primary_health, standby_health = self.health_of(primary), self.health_of(standby)
        configuration, evidence = self._failover_evidence(instance)
        if FAILOVER.decide(configuration, evidence, self.clock()).leader != configuration.leader:
            self._fail_over(instance, f"the primary's node {primary.node} is down")
        elif standby and not standby_health.node_alive and primary_health.node_alive:
            self._lose_standby(instance)
        elif instance.multi_az and not standby and primary_health.node_alive:
            if azs := self._live_azs(exclude={primary.az}):
                self._add_member(instance, STANDBY, azs[0])
                self._save(instance)
        self._settle(instance)

    def _failover_evidence(self, instance: DBInstance) -> tuple[Configuration, dict[str, Evidence]]:
        """The instance as azlab.cluster.membership sees it: its primary leading its members under its epoch, and
        what each member's DB node last said (answering only within the instance's lineage)."""
        members = [m for m in (instance.primary, instance.standby) if m is not None]
        configuration = Configuration(instance.epoch, instance.primary.member_id, tuple(m.member_id for m in members))
        evidence = {}
        for member in members:
            health = self.health_of(member)
            evidence[member.member_id] = Evidence(
                node_alive=health.node_alive, answered=health.reachable and health.lineage == instance.lineage,
                epoch=health.epoch, in_sync=health.reachable and health.synced_epoch == health.epoch,
                position=(health.lsn,))
        return configuration, evidence

    def _eligible(self, instance: DBInstance, member: Member | None) -> bool:
        health = self.health_of(member)
        return (member is not None and health.node_alive and health.reachable and health.lineage == instance.lineage
                and health.epoch == instance.epoch and health.synced_epoch == instance.epoch)

    def _fail_over(self, instance: DBInstance, reason: str) -> None:
        old, new = instance.primary, instance.standby
        self._event("FailoverStarted", instance, f"{reason}: promoting {new.member_id} in {new.az}")
        old.role, new.role = STANDBY, PRIMARY
        instance.epoch += 1
        instance.availability_zone = new.az
        self._save(instance)
        self._event("FailoverCompleted", instance,
                    f"{new.member_id} in {new.az} is the primary at epoch {instance.epoch}; "
                    f"{old.member_id} in {old.az} rejoins as standby once it has caught up")

    def _lose_standby(self, instance: DBInstance) -> None:
        """The standby's node is down: stop the primary waiting for it (new epoch), and
        replace it in another live AZ if there is one; if not, it rejoins when its AZ returns."""
        standby = instance.standby
        replacement = self._live_azs(exclude={instance.primary.az, standby.az})
        # the primary's own word (an in-sync link) is the surest sign it waits; the standby's last mark backs it up
        primary = self.health_of(instance.primary)
        was_waited_for = self.health_of(standby).synced_epoch == instance.epoch or (primary.epoch == instance.epoch and any(
            f.member_id == standby.member_id and f.in_sync for f in primary.followers))
        if not replacement and not was_waited_for:
            return
        instance.epoch += 1
        if replacement:
            instance.members.remove(standby)
            self.retire(standby)
            new = self._add_member(instance, STANDBY, replacement[0])
            self._event("StandbyReplaced", instance, f"standby {standby.member_id} in {standby.az} lost; "
                        f"{new.member_id} in {new.az} bootstraps from the primary (epoch {instance.epoch})")
        else:
            self._event("StandbyLost", instance, f"standby {standby.member_id} in {standby.az} lost and no other AZ is "
                        f"live: commits no longer wait for it (epoch {instance.epoch}); it rejoins when back")
        self._save(instance)

    def _settle(self, instance: DBInstance) -> None:
        """Move a primary's instance through its status and its change's steps."""
        primary, standby = instance.primary, instance.standby
        serving = self._serving(instance, primary, PRIMARY)
        protected = not instance.multi_az or self._eligible(instance, standby)
        if instance.status == CREATING and serving and protected:
            self._become_available(instance)
        elif instance.step == STEP_STANDBY_FIRST and serving and self._matches(standby) and protected:
            self._fail_over(instance, "scaling: the standby already runs the new class")
            old_primary = instance.standby
            old_primary.instance_class = standby.instance_class
            old_primary.allocated_storage = standby.allocated_storage
            instance.step = STEP_OLD_PRIMARY
            self._save(instance)
        elif instance.step == STEP_OLD_PRIMARY and serving and self._matches(standby) and protected:
            self._become_available(instance)
        elif instance.step in (STEP_RESTART, STEP_FAILOVER) and serving and self._matches(primary) and protected:
            self._become_available(instance)

    def _settle_replica(self, instance: DBInstance) -> None:
        """A read replica is available once it serves and has caught up with its source at least once."""
        member, source = instance.primary, self.source_of(instance)
        caught_up = source is not None and any(
            f.member_id == member.member_id and f.lag_lsns == 0 for f in self.health_of(source.primary).followers)
        if instance.status in (CREATING, REBOOTING, MODIFYING) and self._serving(instance, member, REPLICA) \
                and self._matches(member) and caught_up:
            self._become_available(instance)

    def _serving(self, instance: DBInstance, member: Member | None, role: str) -> bool:
        health = self.health_of(member)
        return (member is not None and health.reachable and health.role == role
                and health.lineage == instance.lineage and health.epoch == self.desired_epoch(instance))

    def _matches(self, member: Member | None) -> bool:
        health = self.health_of(member)
        return (member is not None and health.instance_class == member.instance_class
                and health.allocated_storage == member.allocated_storage and member.restarts_done == member.restarts_wanted)

    def _become_available(self, instance: DBInstance) -> None:
        applied = instance.pending
        for key, value in applied.items():
            setattr(instance, key, value)
        instance.pending, instance.step = {}, ""
        self._transition(instance, AVAILABLE)
        self._save(instance)
        self._event("DBInstanceAvailable", instance, f"available at epoch {instance.epoch}"
                    + (", applied " + ", ".join(f"{k}={v}" for k, v in applied.items()) if applied else ""))

    def _start_applying_pending(self, instance: DBInstance, status: str = MODIFYING) -> None:
        """Scale: on a Multi-AZ instance the standby first, then one failover; else restart with an outage."""
        if instance.status != status:
            self._transition(instance, status)
        targets = [instance.standby, instance.primary] if instance.standby else [instance.primary]
        for member in targets:
            member.instance_class = str(instance.pending.get("instance_class", member.instance_class))
            member.allocated_storage = int(instance.pending.get("allocated_storage", member.allocated_storage))
        if instance.standby:
            # The old primary must not restart before the failover: it restarts once it is the standby.
            instance.primary.instance_class, instance.primary.allocated_storage = (
                instance.instance_class, instance.allocated_storage)
            instance.epoch += 1  # commits stop waiting for the standby while it restarts
            instance.step = STEP_STANDBY_FIRST
        else:
            instance.step = STEP_RESTART

    # helpers
    def _transition(self, instance: DBInstance, status: str) -> None:
        if status not in TRANSITIONS[instance.status]:
            raise InvalidDBInstanceState(f"DB instance {instance.identifier} is {instance.status}; it cannot become {status}")
        instance.status = status

    def _require_status(self, instance: DBInstance, status: str) -> None:
        if instance.status != status:
            raise InvalidDBInstanceState(f"DB instance {instance.identifier} is {instance.status}, not {status}")

    def _check_new_identifier(self, identifier: str) -> None:
        if not identifier:
            raise MissingParameter("a DBInstanceIdentifier is required")
        if len(identifier) > 63 or not IDENTIFIER.match(identifier):
            raise InvalidParameterValue(
                f"Invalid DBInstanceIdentifier {identifier!r}: 1-63 lowercase letters, digits and single hyphens, "
                "starting with a letter")
        if identifier in self.instances:
            raise DBInstanceAlreadyExists(f"DB instance already exists: {identifier}")

    def _check_master_user(self, engine: str, username: str, password: str) -> None:
        if engine != "postgres":
            if username or password:
                raise InvalidParameterCombination(f"the {engine} engine has no users: no MasterUsername or MasterUserPassword")
            return
        if not username:
            raise MissingParameter("a MasterUsername is required for the postgres engine")
        if not password:
            raise MissingParameter("a MasterUserPassword is required for the postgres engine")
        if not MASTER_USERNAME.match(username) or username.lower() in RESERVED_USERNAMES:
            raise InvalidParameterValue(
                f"Invalid MasterUsername {username!r}: 1-63 letters, digits and underscores, starting with a letter, "
                f"and none of {', '.join(sorted(RESERVED_USERNAMES))}")
        if not MASTER_PASSWORD.match(password):
            raise InvalidParameterValue('Invalid MasterUserPassword: 8-128 printable ASCII characters but space, /, " and @')

    def _check_class(self, instance_class: str) -> None:
        if instance_class not in INSTANCE_CLASSES:
            raise InvalidParameterValue(
                f"Invalid DB instance class: {instance_class!r}. Classes: {', '.join(INSTANCE_CLASSES)}")

    def _check_storage(self, gib: int) -> None:
        if not MIN_STORAGE_GIB <= gib <= MAX_STORAGE_GIB:
            raise InvalidParameterValue(f"Invalid storage size: AllocatedStorage must be {MIN_STORAGE_GIB}..{MAX_STORAGE_GIB} GiB")

    def _check_retention(self, days: int) -> None:
        if not 0 <= days <= MAX_BACKUP_RETENTION_DAYS:
            raise InvalidParameterValue(f"BackupRetentionPeriod must be 0..{MAX_BACKUP_RETENTION_DAYS} days")

    def _live_azs(self, exclude: set[str]) -> list[str]:
        """Live AZs not excluded, those holding the fewest members first."""
        load = {az: 0 for az in self.region.config.azs}
        for instance in self.instances.values():
            for member in instance.members:
                load[member.az] = load.get(member.az, 0) + 1
        live = [az for az in self.region.config.azs if az not in exclude
                and any(n.state == "alive" for n in self.region.nodes_in(az))]
        return sorted(live, key=lambda az: load[az])

    def _pick_az(self, exclude: set[str] | tuple) -> str:
        azs = self._live_azs(set(exclude))
        if not azs:
            raise InsufficientDBInstanceCapacity("no live AZ can hold the DB instance now")
        return azs[0]

    def _add_member(self, instance: DBInstance, role: str, az: str) -> Member:
        node = next((n for n in self.region.nodes_in(az) if n.state == "alive"), None) or self.region.nodes_in(az)[0]
        instance.next_member += 1
        member_id = f"{instance.identifier}-{instance.next_member}"
        port = self.store.allocate_port(node.address, f"rds/{member_id}")
        # a postgres member's DbNode needs a port beside its server's; both are released together
        control_port = self.store.allocate_port(node.address, f"rds/{member_id}") if instance.engine == "postgres" else 0
        member = Member(member_id, role, az, node.name, node.address, port, instance.instance_class,
                        instance.allocated_storage, control_port=control_port)
        instance.members.append(member)
        return member

    def retire(self, member: Member) -> None:
        self.retired[member.member_id] = member
        self.store.put_resource(SERVICE, RETIRED_KIND, member.member_id, asdict(member))

    def _save(self, instance: DBInstance) -> None:
        self.instances[instance.identifier] = instance
        self.store.put_resource(SERVICE, KIND, instance.identifier, asdict(instance))

    def _event(self, event_type: str, instance: DBInstance, message: str) -> None:
        self.region.record(event_type, instance.identifier, message)


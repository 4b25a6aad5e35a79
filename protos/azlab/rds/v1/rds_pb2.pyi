import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Endpoint(_message.Message):
    __slots__ = ("address", "port")
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    PORT_FIELD_NUMBER: _ClassVar[int]
    address: str
    port: int
    def __init__(self, address: _Optional[str] = ..., port: _Optional[int] = ...) -> None: ...

class PendingModifiedValues(_message.Message):
    __slots__ = ("db_instance_class", "allocated_storage")
    DB_INSTANCE_CLASS_FIELD_NUMBER: _ClassVar[int]
    ALLOCATED_STORAGE_FIELD_NUMBER: _ClassVar[int]
    db_instance_class: str
    allocated_storage: int
    def __init__(self, db_instance_class: _Optional[str] = ..., allocated_storage: _Optional[int] = ...) -> None: ...

class Member(_message.Message):
    __slots__ = ("member_id", "role", "availability_zone", "node_name", "endpoint", "state", "lsn", "epoch", "in_sync", "db_instance_class")
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    AVAILABILITY_ZONE_FIELD_NUMBER: _ClassVar[int]
    NODE_NAME_FIELD_NUMBER: _ClassVar[int]
    ENDPOINT_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    LSN_FIELD_NUMBER: _ClassVar[int]
    EPOCH_FIELD_NUMBER: _ClassVar[int]
    IN_SYNC_FIELD_NUMBER: _ClassVar[int]
    DB_INSTANCE_CLASS_FIELD_NUMBER: _ClassVar[int]
    member_id: str
    role: str
    availability_zone: str
    node_name: str
    endpoint: Endpoint
    state: str
    lsn: int
    epoch: int
    in_sync: bool
    db_instance_class: str
    def __init__(self, member_id: _Optional[str] = ..., role: _Optional[str] = ..., availability_zone: _Optional[str] = ..., node_name: _Optional[str] = ..., endpoint: _Optional[_Union[Endpoint, _Mapping]] = ..., state: _Optional[str] = ..., lsn: _Optional[int] = ..., epoch: _Optional[int] = ..., in_sync: _Optional[bool] = ..., db_instance_class: _Optional[str] = ...) -> None: ...

class ReplicaLag(_message.Message):
    __slots__ = ("seconds", "lsns")
    SECONDS_FIELD_NUMBER: _ClassVar[int]
    LSNS_FIELD_NUMBER: _ClassVar[int]
    seconds: float
    lsns: int
    def __init__(self, seconds: _Optional[float] = ..., lsns: _Optional[int] = ...) -> None: ...

class DBInstance(_message.Message):
    __slots__ = ("db_instance_identifier", "db_instance_class", "engine", "db_instance_status", "allocated_storage", "availability_zone", "secondary_availability_zone", "multi_az", "endpoint", "read_replica_source_db_instance_identifier", "read_replica_db_instance_identifiers", "instance_create_time", "pending_modified_values", "backup_retention_period", "epoch", "lsn", "replica_lag", "members", "engine_version", "master_username", "preferred_backup_window", "latest_restorable_time", "db_parameter_groups")
    DB_INSTANCE_IDENTIFIER_FIELD_NUMBER: _ClassVar[int]
    DB_INSTANCE_CLASS_FIELD_NUMBER: _ClassVar[int]
    ENGINE_FIELD_NUMBER: _ClassVar[int]
    DB_INSTANCE_STATUS_FIELD_NUMBER: _ClassVar[int]
    ALLOCATED_STORAGE_FIELD_NUMBER: _ClassVar[int]
    AVAILABILITY_ZONE_FIELD_NUMBER: _ClassVar[int]
    SECONDARY_AVAILABILITY_ZONE_FIELD_NUMBER: _ClassVar[int]
    MULTI_AZ_FIELD_NUMBER: _ClassVar[int]
    ENDPOINT_FIELD_NUMBER: _ClassVar[int]
    READ_REPLICA_SOURCE_DB_INSTANCE_IDENTIFIER_FIELD_NUMBER: _ClassVar[int]
    READ_REPLICA_DB_INSTANCE_IDENTIFIERS_FIELD_NUMBER: _ClassVar[int]
    INSTANCE_CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    PENDING_MODIFIED_VALUES_FIELD_NUMBER: _ClassVar[int]
    BACKUP_RETENTION_PERIOD_FIELD_NUMBER: _ClassVar[int]
    EPOCH_FIELD_NUMBER: _ClassVar[int]
    LSN_FIELD_NUMBER: _ClassVar[int]
    REPLICA_LAG_FIELD_NUMBER: _ClassVar[int]
    MEMBERS_FIELD_NUMBER: _ClassVar[int]
    ENGINE_VERSION_FIELD_NUMBER: _ClassVar[int]
    MASTER_USERNAME_FIELD_NUMBER: _ClassVar[int]
    PREFERRED_BACKUP_WINDOW_FIELD_NUMBER: _ClassVar[int]
    LATEST_RESTORABLE_TIME_FIELD_NUMBER: _ClassVar[int]
    DB_PARAMETER_GROUPS_FIELD_NUMBER: _ClassVar[int]
    db_instance_identifier: str
    db_instance_class: str
    engine: str
    db_instance_status: str
    allocated_storage: int
    availability_zone: str
    secondary_availability_zone: str
    multi_az: bool
    endpoint: Endpoint
    read_replica_source_db_instance_identifier: str
    read_replica_db_instance_identifiers: _containers.RepeatedScalarFieldContainer[str]
    instance_create_time: _timestamp_pb2.Timestamp
    pending_modified_values: PendingModifiedValues
    backup_retention_period: int
    epoch: int
    lsn: int
    replica_lag: ReplicaLag
    members: _containers.RepeatedCompositeFieldContainer[Member]
    engine_version: str
    master_username: str
    preferred_backup_window: str
    latest_restorable_time: _timestamp_pb2.Timestamp
    db_parameter_groups: _containers.RepeatedCompositeFieldContainer[DBParameterGroupStatus]
    def __init__(self, db_instance_identifier: _Optional[str] = ..., db_instance_class: _Optional[str] = ..., engine: _Optional[str] = ..., db_instance_status: _Optional[str] = ..., allocated_storage: _Optional[int] = ..., availability_zone: _Optional[str] = ..., secondary_availability_zone: _Optional[str] = ..., multi_az: _Optional[bool] = ..., endpoint: _Optional[_Union[Endpoint, _Mapping]] = ..., read_replica_source_db_instance_identifier: _Optional[str] = ..., read_replica_db_instance_identifiers: _Optional[_Iterable[str]] = ..., instance_create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., pending_modified_values: _Optional[_Union[PendingModifiedValues, _Mapping]] = ..., backup_retention_period: _Optional[int] = ..., epoch: _Optional[int] = ..., lsn: _Optional[int] = ..., replica_lag: _Optional[_Union[ReplicaLag, _Mapping]] = ..., members: _Optional[_Iterable[_Union[Member, _Mapping]]] = ..., engine_version: _Optional[str] = ..., master_username: _Optional[str] = ..., preferred_backup_window: _Optional[str] = ..., latest_restorable_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., db_parameter_groups: _Optional[_Iterable[_Union[DBParameterGroupStatus, _Mapping]]] = ...) -> None: ...

class DBParameterGroupStatus(_message.Message):
    __slots__ = ("db_parameter_group_name", "parameter_apply_status")
    DB_PARAMETER_GROUP_NAME_FIELD_NUMBER: _ClassVar[int]
    PARAMETER_APPLY_STATUS_FIELD_NUMBER: _ClassVar[int]
    db_parameter_group_name: str
    parameter_apply_status: str
    def __init__(self, db_parameter_group_name: _Optional[str] = ..., parameter_apply_status: _Optional[str] = ...) -> None: ...

class CreateDBInstanceRequest(_message.Message):
    __slots__ = ("db_instance_identifier", "engine", "db_instance_class", "allocated_storage", "multi_az", "availability_zone", "backup_retention_period", "master_username", "master_user_password", "preferred_backup_window", "db_parameter_group_name")
    DB_INSTANCE_IDENTIFIER_FIELD_NUMBER: _ClassVar[int]
    ENGINE_FIELD_NUMBER: _ClassVar[int]
    DB_INSTANCE_CLASS_FIELD_NUMBER: _ClassVar[int]
    ALLOCATED_STORAGE_FIELD_NUMBER: _ClassVar[int]
    MULTI_AZ_FIELD_NUMBER: _ClassVar[int]
    AVAILABILITY_ZONE_FIELD_NUMBER: _ClassVar[int]
    BACKUP_RETENTION_PERIOD_FIELD_NUMBER: _ClassVar[int]
    MASTER_USERNAME_FIELD_NUMBER: _ClassVar[int]
    MASTER_USER_PASSWORD_FIELD_NUMBER: _ClassVar[int]
    PREFERRED_BACKUP_WINDOW_FIELD_NUMBER: _ClassVar[int]
    DB_PARAMETER_GROUP_NAME_FIELD_NUMBER: _ClassVar[int]
    db_instance_identifier: str
    engine: str
    db_instance_class: str
    allocated_storage: int
    multi_az: bool
    availability_zone: str
    backup_retention_period: int
    master_username: str
    master_user_password: str
    preferred_backup_window: str
    db_parameter_group_name: str
    def __init__(self, db_instance_identifier: _Optional[str] = ..., engine: _Optional[str] = ..., db_instance_class: _Optional[str] = ..., allocated_storage: _Optional[int] = ..., multi_az: _Optional[bool] = ..., availability_zone: _Optional[str] = ..., backup_retention_period: _Optional[int] = ..., master_username: _Optional[str] = ..., master_user_password: _Optional[str] = ..., preferred_backup_window: _Optional[str] = ..., db_parameter_group_name: _Optional[str] = ...) -> None: ...

class CreateDBInstanceResponse(_message.Message):
    __slots__ = ("db_instance",)
    DB_INSTANCE_FIELD_NUMBER: _ClassVar[int]
    db_instance: DBInstance
    def __init__(self, db_instance: _Optional[_Union[DBInstance, _Mapping]] = ...) -> None: ...

class DescribeDBInstancesRequest(_message.Message):
    __slots__ = ("db_instance_identifier",)
    DB_INSTANCE_IDENTIFIER_FIELD_NUMBER: _ClassVar[int]
    db_instance_identifier: str
    def __init__(self, db_instance_identifier: _Optional[str] = ...) -> None: ...

class DescribeDBInstancesResponse(_message.Message):
    __slots__ = ("db_instances",)
    DB_INSTANCES_FIELD_NUMBER: _ClassVar[int]
    db_instances: _containers.RepeatedCompositeFieldContainer[DBInstance]
    def __init__(self, db_instances: _Optional[_Iterable[_Union[DBInstance, _Mapping]]] = ...) -> None: ...

class ModifyDBInstanceRequest(_message.Message):
    __slots__ = ("db_instance_identifier", "db_instance_class", "allocated_storage", "apply_immediately", "backup_retention_period", "preferred_backup_window")
    DB_INSTANCE_IDENTIFIER_FIELD_NUMBER: _ClassVar[int]
    DB_INSTANCE_CLASS_FIELD_NUMBER: _ClassVar[int]
    ALLOCATED_STORAGE_FIELD_NUMBER: _ClassVar[int]
    APPLY_IMMEDIATELY_FIELD_NUMBER: _ClassVar[int]
    BACKUP_RETENTION_PERIOD_FIELD_NUMBER: _ClassVar[int]
    PREFERRED_BACKUP_WINDOW_FIELD_NUMBER: _ClassVar[int]
    db_instance_identifier: str
    db_instance_class: str
    allocated_storage: int
    apply_immediately: bool
    backup_retention_period: int
    preferred_backup_window: str
    def __init__(self, db_instance_identifier: _Optional[str] = ..., db_instance_class: _Optional[str] = ..., allocated_storage: _Optional[int] = ..., apply_immediately: _Optional[bool] = ..., backup_retention_period: _Optional[int] = ..., preferred_backup_window: _Optional[str] = ...) -> None: ...

class ModifyDBInstanceResponse(_message.Message):
    __slots__ = ("db_instance",)
    DB_INSTANCE_FIELD_NUMBER: _ClassVar[int]
    db_instance: DBInstance
    def __init__(self, db_instance: _Optional[_Union[DBInstance, _Mapping]] = ...) -> None: ...

class DeleteDBInstanceRequest(_message.Message):
    __slots__ = ("db_instance_identifier", "skip_final_snapshot")
    DB_INSTANCE_IDENTIFIER_FIELD_NUMBER: _ClassVar[int]
    SKIP_FINAL_SNAPSHOT_FIELD_NUMBER: _ClassVar[int]
    db_instance_identifier: str
    skip_final_snapshot: bool
    def __init__(self, db_instance_identifier: _Optional[str] = ..., skip_final_snapshot: _Optional[bool] = ...) -> None: ...

class DeleteDBInstanceResponse(_message.Message):
    __slots__ = ("db_instance",)
    DB_INSTANCE_FIELD_NUMBER: _ClassVar[int]
    db_instance: DBInstance
    def __init__(self, db_instance: _Optional[_Union[DBInstance, _Mapping]] = ...) -> None: ...

class RebootDBInstanceRequest(_message.Message):
    __slots__ = ("db_instance_identifier", "force_failover")
    DB_INSTANCE_IDENTIFIER_FIELD_NUMBER: _ClassVar[int]
    FORCE_FAILOVER_FIELD_NUMBER: _ClassVar[int]
    db_instance_identifier: str
    force_failover: bool
    def __init__(self, db_instance_identifier: _Optional[str] = ..., force_failover: _Optional[bool] = ...) -> None: ...

class RebootDBInstanceResponse(_message.Message):
    __slots__ = ("db_instance",)
    DB_INSTANCE_FIELD_NUMBER: _ClassVar[int]
    db_instance: DBInstance
    def __init__(self, db_instance: _Optional[_Union[DBInstance, _Mapping]] = ...) -> None: ...

class CreateDBInstanceReadReplicaRequest(_message.Message):
    __slots__ = ("db_instance_identifier", "source_db_instance_identifier", "availability_zone", "db_instance_class")
    DB_INSTANCE_IDENTIFIER_FIELD_NUMBER: _ClassVar[int]
    SOURCE_DB_INSTANCE_IDENTIFIER_FIELD_NUMBER: _ClassVar[int]
    AVAILABILITY_ZONE_FIELD_NUMBER: _ClassVar[int]
    DB_INSTANCE_CLASS_FIELD_NUMBER: _ClassVar[int]
    db_instance_identifier: str
    source_db_instance_identifier: str
    availability_zone: str
    db_instance_class: str
    def __init__(self, db_instance_identifier: _Optional[str] = ..., source_db_instance_identifier: _Optional[str] = ..., availability_zone: _Optional[str] = ..., db_instance_class: _Optional[str] = ...) -> None: ...

class CreateDBInstanceReadReplicaResponse(_message.Message):
    __slots__ = ("db_instance",)
    DB_INSTANCE_FIELD_NUMBER: _ClassVar[int]
    db_instance: DBInstance
    def __init__(self, db_instance: _Optional[_Union[DBInstance, _Mapping]] = ...) -> None: ...

class PromoteReadReplicaRequest(_message.Message):
    __slots__ = ("db_instance_identifier", "backup_retention_period")
    DB_INSTANCE_IDENTIFIER_FIELD_NUMBER: _ClassVar[int]
    BACKUP_RETENTION_PERIOD_FIELD_NUMBER: _ClassVar[int]
    db_instance_identifier: str
    backup_retention_period: int
    def __init__(self, db_instance_identifier: _Optional[str] = ..., backup_retention_period: _Optional[int] = ...) -> None: ...

class PromoteReadReplicaResponse(_message.Message):
    __slots__ = ("db_instance",)
    DB_INSTANCE_FIELD_NUMBER: _ClassVar[int]
    db_instance: DBInstance
    def __init__(self, db_instance: _Optional[_Union[DBInstance, _Mapping]] = ...) -> None: ...

class Event(_message.Message):
    __slots__ = ("source_identifier", "source_type", "message", "event_type", "date")
    SOURCE_IDENTIFIER_FIELD_NUMBER: _ClassVar[int]
    SOURCE_TYPE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    EVENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    DATE_FIELD_NUMBER: _ClassVar[int]
    source_identifier: str
    source_type: str
    message: str
    event_type: str
    date: _timestamp_pb2.Timestamp
    def __init__(self, source_identifier: _Optional[str] = ..., source_type: _Optional[str] = ..., message: _Optional[str] = ..., event_type: _Optional[str] = ..., date: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class DescribeEventsRequest(_message.Message):
    __slots__ = ("source_identifier", "start_time", "max_records")
    SOURCE_IDENTIFIER_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    MAX_RECORDS_FIELD_NUMBER: _ClassVar[int]
    source_identifier: str
    start_time: _timestamp_pb2.Timestamp
    max_records: int
    def __init__(self, source_identifier: _Optional[str] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., max_records: _Optional[int] = ...) -> None: ...

class DescribeEventsResponse(_message.Message):
    __slots__ = ("events",)
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    events: _containers.RepeatedCompositeFieldContainer[Event]
    def __init__(self, events: _Optional[_Iterable[_Union[Event, _Mapping]]] = ...) -> None: ...

class Field(_message.Message):
    __slots__ = ("is_null", "boolean_value", "long_value", "double_value", "string_value", "blob_value")
    IS_NULL_FIELD_NUMBER: _ClassVar[int]
    BOOLEAN_VALUE_FIELD_NUMBER: _ClassVar[int]
    LONG_VALUE_FIELD_NUMBER: _ClassVar[int]
    DOUBLE_VALUE_FIELD_NUMBER: _ClassVar[int]
    STRING_VALUE_FIELD_NUMBER: _ClassVar[int]
    BLOB_VALUE_FIELD_NUMBER: _ClassVar[int]
    is_null: bool
    boolean_value: bool
    long_value: int
    double_value: float
    string_value: str
    blob_value: bytes
    def __init__(self, is_null: _Optional[bool] = ..., boolean_value: _Optional[bool] = ..., long_value: _Optional[int] = ..., double_value: _Optional[float] = ..., string_value: _Optional[str] = ..., blob_value: _Optional[bytes] = ...) -> None: ...

class SqlParameter(_message.Message):
    __slots__ = ("name", "value")
    NAME_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    name: str
    value: Field
    def __init__(self, name: _Optional[str] = ..., value: _Optional[_Union[Field, _Mapping]] = ...) -> None: ...

class SqlParameterSet(_message.Message):
    __slots__ = ("parameters",)
    PARAMETERS_FIELD_NUMBER: _ClassVar[int]
    parameters: _containers.RepeatedCompositeFieldContainer[SqlParameter]
    def __init__(self, parameters: _Optional[_Iterable[_Union[SqlParameter, _Mapping]]] = ...) -> None: ...

class ColumnMetadata(_message.Message):
    __slots__ = ("name", "type_name")
    NAME_FIELD_NUMBER: _ClassVar[int]
    TYPE_NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    type_name: str
    def __init__(self, name: _Optional[str] = ..., type_name: _Optional[str] = ...) -> None: ...

class Record(_message.Message):
    __slots__ = ("values",)
    VALUES_FIELD_NUMBER: _ClassVar[int]
    values: _containers.RepeatedCompositeFieldContainer[Field]
    def __init__(self, values: _Optional[_Iterable[_Union[Field, _Mapping]]] = ...) -> None: ...

class ExecuteStatementRequest(_message.Message):
    __slots__ = ("db_instance_identifier", "sql", "parameters", "transaction_id", "include_result_metadata")
    DB_INSTANCE_IDENTIFIER_FIELD_NUMBER: _ClassVar[int]
    SQL_FIELD_NUMBER: _ClassVar[int]
    PARAMETERS_FIELD_NUMBER: _ClassVar[int]
    TRANSACTION_ID_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_RESULT_METADATA_FIELD_NUMBER: _ClassVar[int]
    db_instance_identifier: str
    sql: str
    parameters: _containers.RepeatedCompositeFieldContainer[SqlParameter]
    transaction_id: str
    include_result_metadata: bool
    def __init__(self, db_instance_identifier: _Optional[str] = ..., sql: _Optional[str] = ..., parameters: _Optional[_Iterable[_Union[SqlParameter, _Mapping]]] = ..., transaction_id: _Optional[str] = ..., include_result_metadata: _Optional[bool] = ...) -> None: ...

class ExecuteStatementResponse(_message.Message):
    __slots__ = ("records", "column_metadata", "number_of_records_updated", "generated_fields", "lsn")
    RECORDS_FIELD_NUMBER: _ClassVar[int]
    COLUMN_METADATA_FIELD_NUMBER: _ClassVar[int]
    NUMBER_OF_RECORDS_UPDATED_FIELD_NUMBER: _ClassVar[int]
    GENERATED_FIELDS_FIELD_NUMBER: _ClassVar[int]
    LSN_FIELD_NUMBER: _ClassVar[int]
    records: _containers.RepeatedCompositeFieldContainer[Record]
    column_metadata: _containers.RepeatedCompositeFieldContainer[ColumnMetadata]
    number_of_records_updated: int
    generated_fields: _containers.RepeatedCompositeFieldContainer[Field]
    lsn: int
    def __init__(self, records: _Optional[_Iterable[_Union[Record, _Mapping]]] = ..., column_metadata: _Optional[_Iterable[_Union[ColumnMetadata, _Mapping]]] = ..., number_of_records_updated: _Optional[int] = ..., generated_fields: _Optional[_Iterable[_Union[Field, _Mapping]]] = ..., lsn: _Optional[int] = ...) -> None: ...

class BatchExecuteStatementRequest(_message.Message):
    __slots__ = ("db_instance_identifier", "sql", "parameter_sets", "transaction_id")
    DB_INSTANCE_IDENTIFIER_FIELD_NUMBER: _ClassVar[int]
    SQL_FIELD_NUMBER: _ClassVar[int]
    PARAMETER_SETS_FIELD_NUMBER: _ClassVar[int]
    TRANSACTION_ID_FIELD_NUMBER: _ClassVar[int]
    db_instance_identifier: str
    sql: str
    parameter_sets: _containers.RepeatedCompositeFieldContainer[SqlParameterSet]
    transaction_id: str
    def __init__(self, db_instance_identifier: _Optional[str] = ..., sql: _Optional[str] = ..., parameter_sets: _Optional[_Iterable[_Union[SqlParameterSet, _Mapping]]] = ..., transaction_id: _Optional[str] = ...) -> None: ...

class UpdateResult(_message.Message):
    __slots__ = ("generated_fields",)
    GENERATED_FIELDS_FIELD_NUMBER: _ClassVar[int]
    generated_fields: _containers.RepeatedCompositeFieldContainer[Field]
    def __init__(self, generated_fields: _Optional[_Iterable[_Union[Field, _Mapping]]] = ...) -> None: ...

class BatchExecuteStatementResponse(_message.Message):
    __slots__ = ("update_results",)
    UPDATE_RESULTS_FIELD_NUMBER: _ClassVar[int]
    update_results: _containers.RepeatedCompositeFieldContainer[UpdateResult]
    def __init__(self, update_results: _Optional[_Iterable[_Union[UpdateResult, _Mapping]]] = ...) -> None: ...

class BeginTransactionRequest(_message.Message):
    __slots__ = ("db_instance_identifier",)
    DB_INSTANCE_IDENTIFIER_FIELD_NUMBER: _ClassVar[int]
    db_instance_identifier: str
    def __init__(self, db_instance_identifier: _Optional[str] = ...) -> None: ...

class BeginTransactionResponse(_message.Message):
    __slots__ = ("transaction_id",)
    TRANSACTION_ID_FIELD_NUMBER: _ClassVar[int]
    transaction_id: str
    def __init__(self, transaction_id: _Optional[str] = ...) -> None: ...

class CommitTransactionRequest(_message.Message):
    __slots__ = ("db_instance_identifier", "transaction_id")
    DB_INSTANCE_IDENTIFIER_FIELD_NUMBER: _ClassVar[int]
    TRANSACTION_ID_FIELD_NUMBER: _ClassVar[int]
    db_instance_identifier: str
    transaction_id: str
    def __init__(self, db_instance_identifier: _Optional[str] = ..., transaction_id: _Optional[str] = ...) -> None: ...

class CommitTransactionResponse(_message.Message):
    __slots__ = ("transaction_status",)
    TRANSACTION_STATUS_FIELD_NUMBER: _ClassVar[int]
    transaction_status: str
    def __init__(self, transaction_status: _Optional[str] = ...) -> None: ...

class RollbackTransactionRequest(_message.Message):
    __slots__ = ("db_instance_identifier", "transaction_id")
    DB_INSTANCE_IDENTIFIER_FIELD_NUMBER: _ClassVar[int]
    TRANSACTION_ID_FIELD_NUMBER: _ClassVar[int]
    db_instance_identifier: str
    transaction_id: str
    def __init__(self, db_instance_identifier: _Optional[str] = ..., transaction_id: _Optional[str] = ...) -> None: ...

class RollbackTransactionResponse(_message.Message):
    __slots__ = ("transaction_status",)
    TRANSACTION_STATUS_FIELD_NUMBER: _ClassVar[int]
    transaction_status: str
    def __init__(self, transaction_status: _Optional[str] = ...) -> None: ...

class DBSnapshot(_message.Message):
    __slots__ = ("db_snapshot_identifier", "db_instance_identifier", "engine", "engine_version", "status", "snapshot_type", "snapshot_create_time", "allocated_storage", "master_username", "db_instance_class")
    DB_SNAPSHOT_IDENTIFIER_FIELD_NUMBER: _ClassVar[int]
    DB_INSTANCE_IDENTIFIER_FIELD_NUMBER: _ClassVar[int]
    ENGINE_FIELD_NUMBER: _ClassVar[int]
    ENGINE_VERSION_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_TYPE_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    ALLOCATED_STORAGE_FIELD_NUMBER: _ClassVar[int]
    MASTER_USERNAME_FIELD_NUMBER: _ClassVar[int]
    DB_INSTANCE_CLASS_FIELD_NUMBER: _ClassVar[int]
    db_snapshot_identifier: str
    db_instance_identifier: str
    engine: str
    engine_version: str
    status: str
    snapshot_type: str
    snapshot_create_time: _timestamp_pb2.Timestamp
    allocated_storage: int
    master_username: str
    db_instance_class: str
    def __init__(self, db_snapshot_identifier: _Optional[str] = ..., db_instance_identifier: _Optional[str] = ..., engine: _Optional[str] = ..., engine_version: _Optional[str] = ..., status: _Optional[str] = ..., snapshot_type: _Optional[str] = ..., snapshot_create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., allocated_storage: _Optional[int] = ..., master_username: _Optional[str] = ..., db_instance_class: _Optional[str] = ...) -> None: ...

class CreateDBSnapshotRequest(_message.Message):
    __slots__ = ("db_instance_identifier", "db_snapshot_identifier")
    DB_INSTANCE_IDENTIFIER_FIELD_NUMBER: _ClassVar[int]
    DB_SNAPSHOT_IDENTIFIER_FIELD_NUMBER: _ClassVar[int]
    db_instance_identifier: str
    db_snapshot_identifier: str
    def __init__(self, db_instance_identifier: _Optional[str] = ..., db_snapshot_identifier: _Optional[str] = ...) -> None: ...

class CreateDBSnapshotResponse(_message.Message):
    __slots__ = ("db_snapshot",)
    DB_SNAPSHOT_FIELD_NUMBER: _ClassVar[int]
    db_snapshot: DBSnapshot
    def __init__(self, db_snapshot: _Optional[_Union[DBSnapshot, _Mapping]] = ...) -> None: ...

class DescribeDBSnapshotsRequest(_message.Message):
    __slots__ = ("db_instance_identifier", "db_snapshot_identifier", "snapshot_type")
    DB_INSTANCE_IDENTIFIER_FIELD_NUMBER: _ClassVar[int]
    DB_SNAPSHOT_IDENTIFIER_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_TYPE_FIELD_NUMBER: _ClassVar[int]
    db_instance_identifier: str
    db_snapshot_identifier: str
    snapshot_type: str
    def __init__(self, db_instance_identifier: _Optional[str] = ..., db_snapshot_identifier: _Optional[str] = ..., snapshot_type: _Optional[str] = ...) -> None: ...

class DescribeDBSnapshotsResponse(_message.Message):
    __slots__ = ("db_snapshots",)
    DB_SNAPSHOTS_FIELD_NUMBER: _ClassVar[int]
    db_snapshots: _containers.RepeatedCompositeFieldContainer[DBSnapshot]
    def __init__(self, db_snapshots: _Optional[_Iterable[_Union[DBSnapshot, _Mapping]]] = ...) -> None: ...

class DeleteDBSnapshotRequest(_message.Message):
    __slots__ = ("db_snapshot_identifier",)
    DB_SNAPSHOT_IDENTIFIER_FIELD_NUMBER: _ClassVar[int]
    db_snapshot_identifier: str
    def __init__(self, db_snapshot_identifier: _Optional[str] = ...) -> None: ...

class DeleteDBSnapshotResponse(_message.Message):
    __slots__ = ("db_snapshot",)
    DB_SNAPSHOT_FIELD_NUMBER: _ClassVar[int]
    db_snapshot: DBSnapshot
    def __init__(self, db_snapshot: _Optional[_Union[DBSnapshot, _Mapping]] = ...) -> None: ...

class RestoreDBInstanceFromDBSnapshotRequest(_message.Message):
    __slots__ = ("db_instance_identifier", "db_snapshot_identifier", "db_instance_class", "multi_az", "availability_zone")
    DB_INSTANCE_IDENTIFIER_FIELD_NUMBER: _ClassVar[int]
    DB_SNAPSHOT_IDENTIFIER_FIELD_NUMBER: _ClassVar[int]
    DB_INSTANCE_CLASS_FIELD_NUMBER: _ClassVar[int]
    MULTI_AZ_FIELD_NUMBER: _ClassVar[int]
    AVAILABILITY_ZONE_FIELD_NUMBER: _ClassVar[int]
    db_instance_identifier: str
    db_snapshot_identifier: str
    db_instance_class: str
    multi_az: bool
    availability_zone: str
    def __init__(self, db_instance_identifier: _Optional[str] = ..., db_snapshot_identifier: _Optional[str] = ..., db_instance_class: _Optional[str] = ..., multi_az: _Optional[bool] = ..., availability_zone: _Optional[str] = ...) -> None: ...

class RestoreDBInstanceFromDBSnapshotResponse(_message.Message):
    __slots__ = ("db_instance",)
    DB_INSTANCE_FIELD_NUMBER: _ClassVar[int]
    db_instance: DBInstance
    def __init__(self, db_instance: _Optional[_Union[DBInstance, _Mapping]] = ...) -> None: ...

class RestoreDBInstanceToPointInTimeRequest(_message.Message):
    __slots__ = ("source_db_instance_identifier", "target_db_instance_identifier", "restore_time", "use_latest_restorable_time", "db_instance_class", "multi_az", "availability_zone")
    SOURCE_DB_INSTANCE_IDENTIFIER_FIELD_NUMBER: _ClassVar[int]
    TARGET_DB_INSTANCE_IDENTIFIER_FIELD_NUMBER: _ClassVar[int]
    RESTORE_TIME_FIELD_NUMBER: _ClassVar[int]
    USE_LATEST_RESTORABLE_TIME_FIELD_NUMBER: _ClassVar[int]
    DB_INSTANCE_CLASS_FIELD_NUMBER: _ClassVar[int]
    MULTI_AZ_FIELD_NUMBER: _ClassVar[int]
    AVAILABILITY_ZONE_FIELD_NUMBER: _ClassVar[int]
    source_db_instance_identifier: str
    target_db_instance_identifier: str
    restore_time: _timestamp_pb2.Timestamp
    use_latest_restorable_time: bool
    db_instance_class: str
    multi_az: bool
    availability_zone: str
    def __init__(self, source_db_instance_identifier: _Optional[str] = ..., target_db_instance_identifier: _Optional[str] = ..., restore_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., use_latest_restorable_time: _Optional[bool] = ..., db_instance_class: _Optional[str] = ..., multi_az: _Optional[bool] = ..., availability_zone: _Optional[str] = ...) -> None: ...

class RestoreDBInstanceToPointInTimeResponse(_message.Message):
    __slots__ = ("db_instance",)
    DB_INSTANCE_FIELD_NUMBER: _ClassVar[int]
    db_instance: DBInstance
    def __init__(self, db_instance: _Optional[_Union[DBInstance, _Mapping]] = ...) -> None: ...

class DBParameterGroup(_message.Message):
    __slots__ = ("db_parameter_group_name", "db_parameter_group_family", "description")
    DB_PARAMETER_GROUP_NAME_FIELD_NUMBER: _ClassVar[int]
    DB_PARAMETER_GROUP_FAMILY_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    db_parameter_group_name: str
    db_parameter_group_family: str
    description: str
    def __init__(self, db_parameter_group_name: _Optional[str] = ..., db_parameter_group_family: _Optional[str] = ..., description: _Optional[str] = ...) -> None: ...

class Parameter(_message.Message):
    __slots__ = ("parameter_name", "parameter_value", "apply_method", "apply_type", "data_type", "allowed_values", "source", "is_modifiable", "description")
    PARAMETER_NAME_FIELD_NUMBER: _ClassVar[int]
    PARAMETER_VALUE_FIELD_NUMBER: _ClassVar[int]
    APPLY_METHOD_FIELD_NUMBER: _ClassVar[int]
    APPLY_TYPE_FIELD_NUMBER: _ClassVar[int]
    DATA_TYPE_FIELD_NUMBER: _ClassVar[int]
    ALLOWED_VALUES_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    IS_MODIFIABLE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    parameter_name: str
    parameter_value: str
    apply_method: str
    apply_type: str
    data_type: str
    allowed_values: str
    source: str
    is_modifiable: bool
    description: str
    def __init__(self, parameter_name: _Optional[str] = ..., parameter_value: _Optional[str] = ..., apply_method: _Optional[str] = ..., apply_type: _Optional[str] = ..., data_type: _Optional[str] = ..., allowed_values: _Optional[str] = ..., source: _Optional[str] = ..., is_modifiable: _Optional[bool] = ..., description: _Optional[str] = ...) -> None: ...

class CreateDBParameterGroupRequest(_message.Message):
    __slots__ = ("db_parameter_group_name", "db_parameter_group_family", "description")
    DB_PARAMETER_GROUP_NAME_FIELD_NUMBER: _ClassVar[int]
    DB_PARAMETER_GROUP_FAMILY_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    db_parameter_group_name: str
    db_parameter_group_family: str
    description: str
    def __init__(self, db_parameter_group_name: _Optional[str] = ..., db_parameter_group_family: _Optional[str] = ..., description: _Optional[str] = ...) -> None: ...

class CreateDBParameterGroupResponse(_message.Message):
    __slots__ = ("db_parameter_group",)
    DB_PARAMETER_GROUP_FIELD_NUMBER: _ClassVar[int]
    db_parameter_group: DBParameterGroup
    def __init__(self, db_parameter_group: _Optional[_Union[DBParameterGroup, _Mapping]] = ...) -> None: ...

class DescribeDBParameterGroupsRequest(_message.Message):
    __slots__ = ("db_parameter_group_name",)
    DB_PARAMETER_GROUP_NAME_FIELD_NUMBER: _ClassVar[int]
    db_parameter_group_name: str
    def __init__(self, db_parameter_group_name: _Optional[str] = ...) -> None: ...

class DescribeDBParameterGroupsResponse(_message.Message):
    __slots__ = ("db_parameter_groups",)
    DB_PARAMETER_GROUPS_FIELD_NUMBER: _ClassVar[int]
    db_parameter_groups: _containers.RepeatedCompositeFieldContainer[DBParameterGroup]
    def __init__(self, db_parameter_groups: _Optional[_Iterable[_Union[DBParameterGroup, _Mapping]]] = ...) -> None: ...

class ModifyDBParameterGroupRequest(_message.Message):
    __slots__ = ("db_parameter_group_name", "parameters")
    DB_PARAMETER_GROUP_NAME_FIELD_NUMBER: _ClassVar[int]
    PARAMETERS_FIELD_NUMBER: _ClassVar[int]
    db_parameter_group_name: str
    parameters: _containers.RepeatedCompositeFieldContainer[Parameter]
    def __init__(self, db_parameter_group_name: _Optional[str] = ..., parameters: _Optional[_Iterable[_Union[Parameter, _Mapping]]] = ...) -> None: ...

class ModifyDBParameterGroupResponse(_message.Message):
    __slots__ = ("db_parameter_group_name",)
    DB_PARAMETER_GROUP_NAME_FIELD_NUMBER: _ClassVar[int]
    db_parameter_group_name: str
    def __init__(self, db_parameter_group_name: _Optional[str] = ...) -> None: ...

class DescribeDBParametersRequest(_message.Message):
    __slots__ = ("db_parameter_group_name", "source")
    DB_PARAMETER_GROUP_NAME_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    db_parameter_group_name: str
    source: str
    def __init__(self, db_parameter_group_name: _Optional[str] = ..., source: _Optional[str] = ...) -> None: ...

class DescribeDBParametersResponse(_message.Message):
    __slots__ = ("parameters",)
    PARAMETERS_FIELD_NUMBER: _ClassVar[int]
    parameters: _containers.RepeatedCompositeFieldContainer[Parameter]
    def __init__(self, parameters: _Optional[_Iterable[_Union[Parameter, _Mapping]]] = ...) -> None: ...

class DeleteDBParameterGroupRequest(_message.Message):
    __slots__ = ("db_parameter_group_name",)
    DB_PARAMETER_GROUP_NAME_FIELD_NUMBER: _ClassVar[int]
    db_parameter_group_name: str
    def __init__(self, db_parameter_group_name: _Optional[str] = ...) -> None: ...

class DeleteDBParameterGroupResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

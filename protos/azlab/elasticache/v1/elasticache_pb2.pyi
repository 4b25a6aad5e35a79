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

class CacheNode(_message.Message):
    __slots__ = ("cache_node_id", "cache_node_status", "availability_zone", "endpoint", "current_role", "create_time")
    CACHE_NODE_ID_FIELD_NUMBER: _ClassVar[int]
    CACHE_NODE_STATUS_FIELD_NUMBER: _ClassVar[int]
    AVAILABILITY_ZONE_FIELD_NUMBER: _ClassVar[int]
    ENDPOINT_FIELD_NUMBER: _ClassVar[int]
    CURRENT_ROLE_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    cache_node_id: str
    cache_node_status: str
    availability_zone: str
    endpoint: Endpoint
    current_role: str
    create_time: _timestamp_pb2.Timestamp
    def __init__(self, cache_node_id: _Optional[str] = ..., cache_node_status: _Optional[str] = ..., availability_zone: _Optional[str] = ..., endpoint: _Optional[_Union[Endpoint, _Mapping]] = ..., current_role: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class NodeGroup(_message.Message):
    __slots__ = ("node_group_id", "status", "primary_endpoint", "reader_endpoint", "slots", "node_group_members", "failover_epoch")
    NODE_GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PRIMARY_ENDPOINT_FIELD_NUMBER: _ClassVar[int]
    READER_ENDPOINT_FIELD_NUMBER: _ClassVar[int]
    SLOTS_FIELD_NUMBER: _ClassVar[int]
    NODE_GROUP_MEMBERS_FIELD_NUMBER: _ClassVar[int]
    FAILOVER_EPOCH_FIELD_NUMBER: _ClassVar[int]
    node_group_id: str
    status: str
    primary_endpoint: Endpoint
    reader_endpoint: Endpoint
    slots: str
    node_group_members: _containers.RepeatedCompositeFieldContainer[CacheNode]
    failover_epoch: int
    def __init__(self, node_group_id: _Optional[str] = ..., status: _Optional[str] = ..., primary_endpoint: _Optional[_Union[Endpoint, _Mapping]] = ..., reader_endpoint: _Optional[_Union[Endpoint, _Mapping]] = ..., slots: _Optional[str] = ..., node_group_members: _Optional[_Iterable[_Union[CacheNode, _Mapping]]] = ..., failover_epoch: _Optional[int] = ...) -> None: ...

class ReplicationGroup(_message.Message):
    __slots__ = ("replication_group_id", "description", "status", "engine", "cache_node_type", "cluster_enabled", "automatic_failover", "multi_az", "node_groups", "configuration_endpoint", "snapshot_retention_limit", "create_time", "snapshot_window", "cache_parameter_group_name")
    REPLICATION_GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ENGINE_FIELD_NUMBER: _ClassVar[int]
    CACHE_NODE_TYPE_FIELD_NUMBER: _ClassVar[int]
    CLUSTER_ENABLED_FIELD_NUMBER: _ClassVar[int]
    AUTOMATIC_FAILOVER_FIELD_NUMBER: _ClassVar[int]
    MULTI_AZ_FIELD_NUMBER: _ClassVar[int]
    NODE_GROUPS_FIELD_NUMBER: _ClassVar[int]
    CONFIGURATION_ENDPOINT_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_RETENTION_LIMIT_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_WINDOW_FIELD_NUMBER: _ClassVar[int]
    CACHE_PARAMETER_GROUP_NAME_FIELD_NUMBER: _ClassVar[int]
    replication_group_id: str
    description: str
    status: str
    engine: str
    cache_node_type: str
    cluster_enabled: bool
    automatic_failover: str
    multi_az: str
    node_groups: _containers.RepeatedCompositeFieldContainer[NodeGroup]
    configuration_endpoint: Endpoint
    snapshot_retention_limit: int
    create_time: _timestamp_pb2.Timestamp
    snapshot_window: str
    cache_parameter_group_name: str
    def __init__(self, replication_group_id: _Optional[str] = ..., description: _Optional[str] = ..., status: _Optional[str] = ..., engine: _Optional[str] = ..., cache_node_type: _Optional[str] = ..., cluster_enabled: _Optional[bool] = ..., automatic_failover: _Optional[str] = ..., multi_az: _Optional[str] = ..., node_groups: _Optional[_Iterable[_Union[NodeGroup, _Mapping]]] = ..., configuration_endpoint: _Optional[_Union[Endpoint, _Mapping]] = ..., snapshot_retention_limit: _Optional[int] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., snapshot_window: _Optional[str] = ..., cache_parameter_group_name: _Optional[str] = ...) -> None: ...

class CreateReplicationGroupRequest(_message.Message):
    __slots__ = ("replication_group_id", "replication_group_description", "engine", "cache_node_type", "num_cache_clusters", "num_node_groups", "replicas_per_node_group", "automatic_failover_enabled", "multi_az_enabled", "preferred_cache_cluster_azs", "snapshot_name", "snapshot_retention_limit", "snapshot_window", "cache_parameter_group_name")
    REPLICATION_GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    REPLICATION_GROUP_DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    ENGINE_FIELD_NUMBER: _ClassVar[int]
    CACHE_NODE_TYPE_FIELD_NUMBER: _ClassVar[int]
    NUM_CACHE_CLUSTERS_FIELD_NUMBER: _ClassVar[int]
    NUM_NODE_GROUPS_FIELD_NUMBER: _ClassVar[int]
    REPLICAS_PER_NODE_GROUP_FIELD_NUMBER: _ClassVar[int]
    AUTOMATIC_FAILOVER_ENABLED_FIELD_NUMBER: _ClassVar[int]
    MULTI_AZ_ENABLED_FIELD_NUMBER: _ClassVar[int]
    PREFERRED_CACHE_CLUSTER_AZS_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_NAME_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_RETENTION_LIMIT_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_WINDOW_FIELD_NUMBER: _ClassVar[int]
    CACHE_PARAMETER_GROUP_NAME_FIELD_NUMBER: _ClassVar[int]
    replication_group_id: str
    replication_group_description: str
    engine: str
    cache_node_type: str
    num_cache_clusters: int
    num_node_groups: int
    replicas_per_node_group: int
    automatic_failover_enabled: bool
    multi_az_enabled: bool
    preferred_cache_cluster_azs: _containers.RepeatedScalarFieldContainer[str]
    snapshot_name: str
    snapshot_retention_limit: int
    snapshot_window: str
    cache_parameter_group_name: str
    def __init__(self, replication_group_id: _Optional[str] = ..., replication_group_description: _Optional[str] = ..., engine: _Optional[str] = ..., cache_node_type: _Optional[str] = ..., num_cache_clusters: _Optional[int] = ..., num_node_groups: _Optional[int] = ..., replicas_per_node_group: _Optional[int] = ..., automatic_failover_enabled: _Optional[bool] = ..., multi_az_enabled: _Optional[bool] = ..., preferred_cache_cluster_azs: _Optional[_Iterable[str]] = ..., snapshot_name: _Optional[str] = ..., snapshot_retention_limit: _Optional[int] = ..., snapshot_window: _Optional[str] = ..., cache_parameter_group_name: _Optional[str] = ...) -> None: ...

class CreateReplicationGroupResponse(_message.Message):
    __slots__ = ("replication_group",)
    REPLICATION_GROUP_FIELD_NUMBER: _ClassVar[int]
    replication_group: ReplicationGroup
    def __init__(self, replication_group: _Optional[_Union[ReplicationGroup, _Mapping]] = ...) -> None: ...

class DescribeReplicationGroupsRequest(_message.Message):
    __slots__ = ("replication_group_id", "max_records", "marker")
    REPLICATION_GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    MAX_RECORDS_FIELD_NUMBER: _ClassVar[int]
    MARKER_FIELD_NUMBER: _ClassVar[int]
    replication_group_id: str
    max_records: int
    marker: str
    def __init__(self, replication_group_id: _Optional[str] = ..., max_records: _Optional[int] = ..., marker: _Optional[str] = ...) -> None: ...

class DescribeReplicationGroupsResponse(_message.Message):
    __slots__ = ("replication_groups", "marker")
    REPLICATION_GROUPS_FIELD_NUMBER: _ClassVar[int]
    MARKER_FIELD_NUMBER: _ClassVar[int]
    replication_groups: _containers.RepeatedCompositeFieldContainer[ReplicationGroup]
    marker: str
    def __init__(self, replication_groups: _Optional[_Iterable[_Union[ReplicationGroup, _Mapping]]] = ..., marker: _Optional[str] = ...) -> None: ...

class DeleteReplicationGroupRequest(_message.Message):
    __slots__ = ("replication_group_id", "final_snapshot_identifier")
    REPLICATION_GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    FINAL_SNAPSHOT_IDENTIFIER_FIELD_NUMBER: _ClassVar[int]
    replication_group_id: str
    final_snapshot_identifier: str
    def __init__(self, replication_group_id: _Optional[str] = ..., final_snapshot_identifier: _Optional[str] = ...) -> None: ...

class DeleteReplicationGroupResponse(_message.Message):
    __slots__ = ("replication_group",)
    REPLICATION_GROUP_FIELD_NUMBER: _ClassVar[int]
    replication_group: ReplicationGroup
    def __init__(self, replication_group: _Optional[_Union[ReplicationGroup, _Mapping]] = ...) -> None: ...

class TestFailoverRequest(_message.Message):
    __slots__ = ("replication_group_id", "node_group_id")
    REPLICATION_GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    NODE_GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    replication_group_id: str
    node_group_id: str
    def __init__(self, replication_group_id: _Optional[str] = ..., node_group_id: _Optional[str] = ...) -> None: ...

class TestFailoverResponse(_message.Message):
    __slots__ = ("replication_group",)
    REPLICATION_GROUP_FIELD_NUMBER: _ClassVar[int]
    replication_group: ReplicationGroup
    def __init__(self, replication_group: _Optional[_Union[ReplicationGroup, _Mapping]] = ...) -> None: ...

class CacheCluster(_message.Message):
    __slots__ = ("cache_cluster_id", "cache_cluster_status", "engine", "cache_node_type", "num_cache_nodes", "configuration_endpoint", "cache_nodes", "create_time")
    CACHE_CLUSTER_ID_FIELD_NUMBER: _ClassVar[int]
    CACHE_CLUSTER_STATUS_FIELD_NUMBER: _ClassVar[int]
    ENGINE_FIELD_NUMBER: _ClassVar[int]
    CACHE_NODE_TYPE_FIELD_NUMBER: _ClassVar[int]
    NUM_CACHE_NODES_FIELD_NUMBER: _ClassVar[int]
    CONFIGURATION_ENDPOINT_FIELD_NUMBER: _ClassVar[int]
    CACHE_NODES_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    cache_cluster_id: str
    cache_cluster_status: str
    engine: str
    cache_node_type: str
    num_cache_nodes: int
    configuration_endpoint: Endpoint
    cache_nodes: _containers.RepeatedCompositeFieldContainer[CacheNode]
    create_time: _timestamp_pb2.Timestamp
    def __init__(self, cache_cluster_id: _Optional[str] = ..., cache_cluster_status: _Optional[str] = ..., engine: _Optional[str] = ..., cache_node_type: _Optional[str] = ..., num_cache_nodes: _Optional[int] = ..., configuration_endpoint: _Optional[_Union[Endpoint, _Mapping]] = ..., cache_nodes: _Optional[_Iterable[_Union[CacheNode, _Mapping]]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CreateCacheClusterRequest(_message.Message):
    __slots__ = ("cache_cluster_id", "engine", "cache_node_type", "num_cache_nodes", "preferred_availability_zones", "snapshot_name")
    CACHE_CLUSTER_ID_FIELD_NUMBER: _ClassVar[int]
    ENGINE_FIELD_NUMBER: _ClassVar[int]
    CACHE_NODE_TYPE_FIELD_NUMBER: _ClassVar[int]
    NUM_CACHE_NODES_FIELD_NUMBER: _ClassVar[int]
    PREFERRED_AVAILABILITY_ZONES_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_NAME_FIELD_NUMBER: _ClassVar[int]
    cache_cluster_id: str
    engine: str
    cache_node_type: str
    num_cache_nodes: int
    preferred_availability_zones: _containers.RepeatedScalarFieldContainer[str]
    snapshot_name: str
    def __init__(self, cache_cluster_id: _Optional[str] = ..., engine: _Optional[str] = ..., cache_node_type: _Optional[str] = ..., num_cache_nodes: _Optional[int] = ..., preferred_availability_zones: _Optional[_Iterable[str]] = ..., snapshot_name: _Optional[str] = ...) -> None: ...

class CreateCacheClusterResponse(_message.Message):
    __slots__ = ("cache_cluster",)
    CACHE_CLUSTER_FIELD_NUMBER: _ClassVar[int]
    cache_cluster: CacheCluster
    def __init__(self, cache_cluster: _Optional[_Union[CacheCluster, _Mapping]] = ...) -> None: ...

class DescribeCacheClustersRequest(_message.Message):
    __slots__ = ("cache_cluster_id", "max_records", "marker")
    CACHE_CLUSTER_ID_FIELD_NUMBER: _ClassVar[int]
    MAX_RECORDS_FIELD_NUMBER: _ClassVar[int]
    MARKER_FIELD_NUMBER: _ClassVar[int]
    cache_cluster_id: str
    max_records: int
    marker: str
    def __init__(self, cache_cluster_id: _Optional[str] = ..., max_records: _Optional[int] = ..., marker: _Optional[str] = ...) -> None: ...

class DescribeCacheClustersResponse(_message.Message):
    __slots__ = ("cache_clusters", "marker")
    CACHE_CLUSTERS_FIELD_NUMBER: _ClassVar[int]
    MARKER_FIELD_NUMBER: _ClassVar[int]
    cache_clusters: _containers.RepeatedCompositeFieldContainer[CacheCluster]
    marker: str
    def __init__(self, cache_clusters: _Optional[_Iterable[_Union[CacheCluster, _Mapping]]] = ..., marker: _Optional[str] = ...) -> None: ...

class ModifyCacheClusterRequest(_message.Message):
    __slots__ = ("cache_cluster_id", "num_cache_nodes", "cache_node_ids_to_remove", "new_availability_zones")
    CACHE_CLUSTER_ID_FIELD_NUMBER: _ClassVar[int]
    NUM_CACHE_NODES_FIELD_NUMBER: _ClassVar[int]
    CACHE_NODE_IDS_TO_REMOVE_FIELD_NUMBER: _ClassVar[int]
    NEW_AVAILABILITY_ZONES_FIELD_NUMBER: _ClassVar[int]
    cache_cluster_id: str
    num_cache_nodes: int
    cache_node_ids_to_remove: _containers.RepeatedScalarFieldContainer[str]
    new_availability_zones: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, cache_cluster_id: _Optional[str] = ..., num_cache_nodes: _Optional[int] = ..., cache_node_ids_to_remove: _Optional[_Iterable[str]] = ..., new_availability_zones: _Optional[_Iterable[str]] = ...) -> None: ...

class ModifyCacheClusterResponse(_message.Message):
    __slots__ = ("cache_cluster",)
    CACHE_CLUSTER_FIELD_NUMBER: _ClassVar[int]
    cache_cluster: CacheCluster
    def __init__(self, cache_cluster: _Optional[_Union[CacheCluster, _Mapping]] = ...) -> None: ...

class DeleteCacheClusterRequest(_message.Message):
    __slots__ = ("cache_cluster_id",)
    CACHE_CLUSTER_ID_FIELD_NUMBER: _ClassVar[int]
    cache_cluster_id: str
    def __init__(self, cache_cluster_id: _Optional[str] = ...) -> None: ...

class DeleteCacheClusterResponse(_message.Message):
    __slots__ = ("cache_cluster",)
    CACHE_CLUSTER_FIELD_NUMBER: _ClassVar[int]
    cache_cluster: CacheCluster
    def __init__(self, cache_cluster: _Optional[_Union[CacheCluster, _Mapping]] = ...) -> None: ...

class Snapshot(_message.Message):
    __slots__ = ("snapshot_name", "replication_group_id", "snapshot_status", "snapshot_source", "cache_node_type", "num_node_groups", "size_bytes", "create_time")
    SNAPSHOT_NAME_FIELD_NUMBER: _ClassVar[int]
    REPLICATION_GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_STATUS_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_SOURCE_FIELD_NUMBER: _ClassVar[int]
    CACHE_NODE_TYPE_FIELD_NUMBER: _ClassVar[int]
    NUM_NODE_GROUPS_FIELD_NUMBER: _ClassVar[int]
    SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    snapshot_name: str
    replication_group_id: str
    snapshot_status: str
    snapshot_source: str
    cache_node_type: str
    num_node_groups: int
    size_bytes: int
    create_time: _timestamp_pb2.Timestamp
    def __init__(self, snapshot_name: _Optional[str] = ..., replication_group_id: _Optional[str] = ..., snapshot_status: _Optional[str] = ..., snapshot_source: _Optional[str] = ..., cache_node_type: _Optional[str] = ..., num_node_groups: _Optional[int] = ..., size_bytes: _Optional[int] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CreateSnapshotRequest(_message.Message):
    __slots__ = ("replication_group_id", "cache_cluster_id", "snapshot_name")
    REPLICATION_GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    CACHE_CLUSTER_ID_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_NAME_FIELD_NUMBER: _ClassVar[int]
    replication_group_id: str
    cache_cluster_id: str
    snapshot_name: str
    def __init__(self, replication_group_id: _Optional[str] = ..., cache_cluster_id: _Optional[str] = ..., snapshot_name: _Optional[str] = ...) -> None: ...

class CreateSnapshotResponse(_message.Message):
    __slots__ = ("snapshot",)
    SNAPSHOT_FIELD_NUMBER: _ClassVar[int]
    snapshot: Snapshot
    def __init__(self, snapshot: _Optional[_Union[Snapshot, _Mapping]] = ...) -> None: ...

class DescribeSnapshotsRequest(_message.Message):
    __slots__ = ("replication_group_id", "snapshot_name", "snapshot_source")
    REPLICATION_GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_NAME_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_SOURCE_FIELD_NUMBER: _ClassVar[int]
    replication_group_id: str
    snapshot_name: str
    snapshot_source: str
    def __init__(self, replication_group_id: _Optional[str] = ..., snapshot_name: _Optional[str] = ..., snapshot_source: _Optional[str] = ...) -> None: ...

class DescribeSnapshotsResponse(_message.Message):
    __slots__ = ("snapshots",)
    SNAPSHOTS_FIELD_NUMBER: _ClassVar[int]
    snapshots: _containers.RepeatedCompositeFieldContainer[Snapshot]
    def __init__(self, snapshots: _Optional[_Iterable[_Union[Snapshot, _Mapping]]] = ...) -> None: ...

class DeleteSnapshotRequest(_message.Message):
    __slots__ = ("snapshot_name",)
    SNAPSHOT_NAME_FIELD_NUMBER: _ClassVar[int]
    snapshot_name: str
    def __init__(self, snapshot_name: _Optional[str] = ...) -> None: ...

class DeleteSnapshotResponse(_message.Message):
    __slots__ = ("snapshot",)
    SNAPSHOT_FIELD_NUMBER: _ClassVar[int]
    snapshot: Snapshot
    def __init__(self, snapshot: _Optional[_Union[Snapshot, _Mapping]] = ...) -> None: ...

class CacheNodeType(_message.Message):
    __slots__ = ("cache_node_type", "memory_gib", "vcpus", "maxmemory_bytes")
    CACHE_NODE_TYPE_FIELD_NUMBER: _ClassVar[int]
    MEMORY_GIB_FIELD_NUMBER: _ClassVar[int]
    VCPUS_FIELD_NUMBER: _ClassVar[int]
    MAXMEMORY_BYTES_FIELD_NUMBER: _ClassVar[int]
    cache_node_type: str
    memory_gib: float
    vcpus: int
    maxmemory_bytes: int
    def __init__(self, cache_node_type: _Optional[str] = ..., memory_gib: _Optional[float] = ..., vcpus: _Optional[int] = ..., maxmemory_bytes: _Optional[int] = ...) -> None: ...

class DescribeCacheNodeTypesRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class DescribeCacheNodeTypesResponse(_message.Message):
    __slots__ = ("cache_node_types",)
    CACHE_NODE_TYPES_FIELD_NUMBER: _ClassVar[int]
    cache_node_types: _containers.RepeatedCompositeFieldContainer[CacheNodeType]
    def __init__(self, cache_node_types: _Optional[_Iterable[_Union[CacheNodeType, _Mapping]]] = ...) -> None: ...

class Parameter(_message.Message):
    __slots__ = ("parameter_name", "parameter_value", "description", "data_type", "allowed_values", "is_modifiable")
    PARAMETER_NAME_FIELD_NUMBER: _ClassVar[int]
    PARAMETER_VALUE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    DATA_TYPE_FIELD_NUMBER: _ClassVar[int]
    ALLOWED_VALUES_FIELD_NUMBER: _ClassVar[int]
    IS_MODIFIABLE_FIELD_NUMBER: _ClassVar[int]
    parameter_name: str
    parameter_value: str
    description: str
    data_type: str
    allowed_values: str
    is_modifiable: bool
    def __init__(self, parameter_name: _Optional[str] = ..., parameter_value: _Optional[str] = ..., description: _Optional[str] = ..., data_type: _Optional[str] = ..., allowed_values: _Optional[str] = ..., is_modifiable: _Optional[bool] = ...) -> None: ...

class CacheParameterGroup(_message.Message):
    __slots__ = ("cache_parameter_group_name", "cache_parameter_group_family", "description", "is_global")
    CACHE_PARAMETER_GROUP_NAME_FIELD_NUMBER: _ClassVar[int]
    CACHE_PARAMETER_GROUP_FAMILY_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    IS_GLOBAL_FIELD_NUMBER: _ClassVar[int]
    cache_parameter_group_name: str
    cache_parameter_group_family: str
    description: str
    is_global: bool
    def __init__(self, cache_parameter_group_name: _Optional[str] = ..., cache_parameter_group_family: _Optional[str] = ..., description: _Optional[str] = ..., is_global: _Optional[bool] = ...) -> None: ...

class CreateCacheParameterGroupRequest(_message.Message):
    __slots__ = ("cache_parameter_group_name", "cache_parameter_group_family", "description")
    CACHE_PARAMETER_GROUP_NAME_FIELD_NUMBER: _ClassVar[int]
    CACHE_PARAMETER_GROUP_FAMILY_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    cache_parameter_group_name: str
    cache_parameter_group_family: str
    description: str
    def __init__(self, cache_parameter_group_name: _Optional[str] = ..., cache_parameter_group_family: _Optional[str] = ..., description: _Optional[str] = ...) -> None: ...

class CreateCacheParameterGroupResponse(_message.Message):
    __slots__ = ("cache_parameter_group",)
    CACHE_PARAMETER_GROUP_FIELD_NUMBER: _ClassVar[int]
    cache_parameter_group: CacheParameterGroup
    def __init__(self, cache_parameter_group: _Optional[_Union[CacheParameterGroup, _Mapping]] = ...) -> None: ...

class DescribeCacheParameterGroupsRequest(_message.Message):
    __slots__ = ("cache_parameter_group_name",)
    CACHE_PARAMETER_GROUP_NAME_FIELD_NUMBER: _ClassVar[int]
    cache_parameter_group_name: str
    def __init__(self, cache_parameter_group_name: _Optional[str] = ...) -> None: ...

class DescribeCacheParameterGroupsResponse(_message.Message):
    __slots__ = ("cache_parameter_groups",)
    CACHE_PARAMETER_GROUPS_FIELD_NUMBER: _ClassVar[int]
    cache_parameter_groups: _containers.RepeatedCompositeFieldContainer[CacheParameterGroup]
    def __init__(self, cache_parameter_groups: _Optional[_Iterable[_Union[CacheParameterGroup, _Mapping]]] = ...) -> None: ...

class DescribeCacheParametersRequest(_message.Message):
    __slots__ = ("cache_parameter_group_name",)
    CACHE_PARAMETER_GROUP_NAME_FIELD_NUMBER: _ClassVar[int]
    cache_parameter_group_name: str
    def __init__(self, cache_parameter_group_name: _Optional[str] = ...) -> None: ...

class DescribeCacheParametersResponse(_message.Message):
    __slots__ = ("parameters",)
    PARAMETERS_FIELD_NUMBER: _ClassVar[int]
    parameters: _containers.RepeatedCompositeFieldContainer[Parameter]
    def __init__(self, parameters: _Optional[_Iterable[_Union[Parameter, _Mapping]]] = ...) -> None: ...

class ParameterNameValue(_message.Message):
    __slots__ = ("parameter_name", "parameter_value")
    PARAMETER_NAME_FIELD_NUMBER: _ClassVar[int]
    PARAMETER_VALUE_FIELD_NUMBER: _ClassVar[int]
    parameter_name: str
    parameter_value: str
    def __init__(self, parameter_name: _Optional[str] = ..., parameter_value: _Optional[str] = ...) -> None: ...

class ModifyCacheParameterGroupRequest(_message.Message):
    __slots__ = ("cache_parameter_group_name", "parameter_name_values")
    CACHE_PARAMETER_GROUP_NAME_FIELD_NUMBER: _ClassVar[int]
    PARAMETER_NAME_VALUES_FIELD_NUMBER: _ClassVar[int]
    cache_parameter_group_name: str
    parameter_name_values: _containers.RepeatedCompositeFieldContainer[ParameterNameValue]
    def __init__(self, cache_parameter_group_name: _Optional[str] = ..., parameter_name_values: _Optional[_Iterable[_Union[ParameterNameValue, _Mapping]]] = ...) -> None: ...

class ModifyCacheParameterGroupResponse(_message.Message):
    __slots__ = ("cache_parameter_group_name",)
    CACHE_PARAMETER_GROUP_NAME_FIELD_NUMBER: _ClassVar[int]
    cache_parameter_group_name: str
    def __init__(self, cache_parameter_group_name: _Optional[str] = ...) -> None: ...

class DeleteCacheParameterGroupRequest(_message.Message):
    __slots__ = ("cache_parameter_group_name",)
    CACHE_PARAMETER_GROUP_NAME_FIELD_NUMBER: _ClassVar[int]
    cache_parameter_group_name: str
    def __init__(self, cache_parameter_group_name: _Optional[str] = ...) -> None: ...

class DeleteCacheParameterGroupResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Endpoints(_message.Message):
    __slots__ = ("grpc", "aws_http", "dns")
    class DnsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    GRPC_FIELD_NUMBER: _ClassVar[int]
    AWS_HTTP_FIELD_NUMBER: _ClassVar[int]
    DNS_FIELD_NUMBER: _ClassVar[int]
    grpc: str
    aws_http: str
    dns: _containers.ScalarMap[str, str]
    def __init__(self, grpc: _Optional[str] = ..., aws_http: _Optional[str] = ..., dns: _Optional[_Mapping[str, str]] = ...) -> None: ...

class RegionInfo(_message.Message):
    __slots__ = ("region_name", "isolation", "ray_address", "endpoints", "created_at", "controller_started_at", "services")
    REGION_NAME_FIELD_NUMBER: _ClassVar[int]
    ISOLATION_FIELD_NUMBER: _ClassVar[int]
    RAY_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    ENDPOINTS_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    CONTROLLER_STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    SERVICES_FIELD_NUMBER: _ClassVar[int]
    region_name: str
    isolation: str
    ray_address: str
    endpoints: Endpoints
    created_at: _timestamp_pb2.Timestamp
    controller_started_at: _timestamp_pb2.Timestamp
    services: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, region_name: _Optional[str] = ..., isolation: _Optional[str] = ..., ray_address: _Optional[str] = ..., endpoints: _Optional[_Union[Endpoints, _Mapping]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., controller_started_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., services: _Optional[_Iterable[str]] = ...) -> None: ...

class DescribeRegionRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class DescribeRegionResponse(_message.Message):
    __slots__ = ("region",)
    REGION_FIELD_NUMBER: _ClassVar[int]
    region: RegionInfo
    def __init__(self, region: _Optional[_Union[RegionInfo, _Mapping]] = ...) -> None: ...

class Node(_message.Message):
    __slots__ = ("node_name", "availability_zone", "address", "ray_node_id", "state", "last_heartbeat")
    NODE_NAME_FIELD_NUMBER: _ClassVar[int]
    AVAILABILITY_ZONE_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    RAY_NODE_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    LAST_HEARTBEAT_FIELD_NUMBER: _ClassVar[int]
    node_name: str
    availability_zone: str
    address: str
    ray_node_id: str
    state: str
    last_heartbeat: _timestamp_pb2.Timestamp
    def __init__(self, node_name: _Optional[str] = ..., availability_zone: _Optional[str] = ..., address: _Optional[str] = ..., ray_node_id: _Optional[str] = ..., state: _Optional[str] = ..., last_heartbeat: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class AvailabilityZone(_message.Message):
    __slots__ = ("zone_name", "zone_id", "state", "network_cidr", "nodes", "faults")
    ZONE_NAME_FIELD_NUMBER: _ClassVar[int]
    ZONE_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    NETWORK_CIDR_FIELD_NUMBER: _ClassVar[int]
    NODES_FIELD_NUMBER: _ClassVar[int]
    FAULTS_FIELD_NUMBER: _ClassVar[int]
    zone_name: str
    zone_id: str
    state: str
    network_cidr: str
    nodes: _containers.RepeatedCompositeFieldContainer[Node]
    faults: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, zone_name: _Optional[str] = ..., zone_id: _Optional[str] = ..., state: _Optional[str] = ..., network_cidr: _Optional[str] = ..., nodes: _Optional[_Iterable[_Union[Node, _Mapping]]] = ..., faults: _Optional[_Iterable[str]] = ...) -> None: ...

class DescribeAvailabilityZonesRequest(_message.Message):
    __slots__ = ("zone_names",)
    ZONE_NAMES_FIELD_NUMBER: _ClassVar[int]
    zone_names: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, zone_names: _Optional[_Iterable[str]] = ...) -> None: ...

class DescribeAvailabilityZonesResponse(_message.Message):
    __slots__ = ("availability_zones",)
    AVAILABILITY_ZONES_FIELD_NUMBER: _ClassVar[int]
    availability_zones: _containers.RepeatedCompositeFieldContainer[AvailabilityZone]
    def __init__(self, availability_zones: _Optional[_Iterable[_Union[AvailabilityZone, _Mapping]]] = ...) -> None: ...

class Event(_message.Message):
    __slots__ = ("event_id", "time", "event_type", "source", "message")
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    EVENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    event_id: int
    time: _timestamp_pb2.Timestamp
    event_type: str
    source: str
    message: str
    def __init__(self, event_id: _Optional[int] = ..., time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., event_type: _Optional[str] = ..., source: _Optional[str] = ..., message: _Optional[str] = ...) -> None: ...

class DescribeEventsRequest(_message.Message):
    __slots__ = ("start_time", "event_types", "source", "max_results", "next_token")
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    EVENT_TYPES_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    MAX_RESULTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    start_time: _timestamp_pb2.Timestamp
    event_types: _containers.RepeatedScalarFieldContainer[str]
    source: str
    max_results: int
    next_token: str
    def __init__(self, start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., event_types: _Optional[_Iterable[str]] = ..., source: _Optional[str] = ..., max_results: _Optional[int] = ..., next_token: _Optional[str] = ...) -> None: ...

class DescribeEventsResponse(_message.Message):
    __slots__ = ("events", "next_token")
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    events: _containers.RepeatedCompositeFieldContainer[Event]
    next_token: str
    def __init__(self, events: _Optional[_Iterable[_Union[Event, _Mapping]]] = ..., next_token: _Optional[str] = ...) -> None: ...

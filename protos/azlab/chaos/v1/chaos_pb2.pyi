import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Fault(_message.Message):
    __slots__ = ("fault_id", "kind", "availability_zone", "node_name", "latency_ms", "loss_pct", "started_at", "processes_killed")
    FAULT_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    AVAILABILITY_ZONE_FIELD_NUMBER: _ClassVar[int]
    NODE_NAME_FIELD_NUMBER: _ClassVar[int]
    LATENCY_MS_FIELD_NUMBER: _ClassVar[int]
    LOSS_PCT_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    PROCESSES_KILLED_FIELD_NUMBER: _ClassVar[int]
    fault_id: str
    kind: str
    availability_zone: str
    node_name: str
    latency_ms: int
    loss_pct: float
    started_at: _timestamp_pb2.Timestamp
    processes_killed: int
    def __init__(self, fault_id: _Optional[str] = ..., kind: _Optional[str] = ..., availability_zone: _Optional[str] = ..., node_name: _Optional[str] = ..., latency_ms: _Optional[int] = ..., loss_pct: _Optional[float] = ..., started_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., processes_killed: _Optional[int] = ...) -> None: ...

class KillAzRequest(_message.Message):
    __slots__ = ("availability_zone",)
    AVAILABILITY_ZONE_FIELD_NUMBER: _ClassVar[int]
    availability_zone: str
    def __init__(self, availability_zone: _Optional[str] = ...) -> None: ...

class KillAzResponse(_message.Message):
    __slots__ = ("fault",)
    FAULT_FIELD_NUMBER: _ClassVar[int]
    fault: Fault
    def __init__(self, fault: _Optional[_Union[Fault, _Mapping]] = ...) -> None: ...

class PartitionAzRequest(_message.Message):
    __slots__ = ("availability_zone",)
    AVAILABILITY_ZONE_FIELD_NUMBER: _ClassVar[int]
    availability_zone: str
    def __init__(self, availability_zone: _Optional[str] = ...) -> None: ...

class PartitionAzResponse(_message.Message):
    __slots__ = ("fault",)
    FAULT_FIELD_NUMBER: _ClassVar[int]
    fault: Fault
    def __init__(self, fault: _Optional[_Union[Fault, _Mapping]] = ...) -> None: ...

class SlowAzRequest(_message.Message):
    __slots__ = ("availability_zone", "latency_ms", "loss_pct")
    AVAILABILITY_ZONE_FIELD_NUMBER: _ClassVar[int]
    LATENCY_MS_FIELD_NUMBER: _ClassVar[int]
    LOSS_PCT_FIELD_NUMBER: _ClassVar[int]
    availability_zone: str
    latency_ms: int
    loss_pct: float
    def __init__(self, availability_zone: _Optional[str] = ..., latency_ms: _Optional[int] = ..., loss_pct: _Optional[float] = ...) -> None: ...

class SlowAzResponse(_message.Message):
    __slots__ = ("fault",)
    FAULT_FIELD_NUMBER: _ClassVar[int]
    fault: Fault
    def __init__(self, fault: _Optional[_Union[Fault, _Mapping]] = ...) -> None: ...

class RestoreAzRequest(_message.Message):
    __slots__ = ("availability_zone",)
    AVAILABILITY_ZONE_FIELD_NUMBER: _ClassVar[int]
    availability_zone: str
    def __init__(self, availability_zone: _Optional[str] = ...) -> None: ...

class RestoreAzResponse(_message.Message):
    __slots__ = ("restored",)
    RESTORED_FIELD_NUMBER: _ClassVar[int]
    restored: _containers.RepeatedCompositeFieldContainer[Fault]
    def __init__(self, restored: _Optional[_Iterable[_Union[Fault, _Mapping]]] = ...) -> None: ...

class KillNodeRequest(_message.Message):
    __slots__ = ("node_name",)
    NODE_NAME_FIELD_NUMBER: _ClassVar[int]
    node_name: str
    def __init__(self, node_name: _Optional[str] = ...) -> None: ...

class KillNodeResponse(_message.Message):
    __slots__ = ("fault",)
    FAULT_FIELD_NUMBER: _ClassVar[int]
    fault: Fault
    def __init__(self, fault: _Optional[_Union[Fault, _Mapping]] = ...) -> None: ...

class DescribeFaultsRequest(_message.Message):
    __slots__ = ("zone_names",)
    ZONE_NAMES_FIELD_NUMBER: _ClassVar[int]
    zone_names: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, zone_names: _Optional[_Iterable[str]] = ...) -> None: ...

class DescribeFaultsResponse(_message.Message):
    __slots__ = ("faults",)
    FAULTS_FIELD_NUMBER: _ClassVar[int]
    faults: _containers.RepeatedCompositeFieldContainer[Fault]
    def __init__(self, faults: _Optional[_Iterable[_Union[Fault, _Mapping]]] = ...) -> None: ...

from azlab.rds.v1 import rds_pb2 as _rds_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Follower(_message.Message):
    __slots__ = ("member_id", "address", "sync")
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    SYNC_FIELD_NUMBER: _ClassVar[int]
    member_id: str
    address: str
    sync: bool
    def __init__(self, member_id: _Optional[str] = ..., address: _Optional[str] = ..., sync: _Optional[bool] = ...) -> None: ...

class DbNodeSettings(_message.Message):
    __slots__ = ("role", "followers", "lineage", "primary", "parameters")
    class ParametersEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ROLE_FIELD_NUMBER: _ClassVar[int]
    FOLLOWERS_FIELD_NUMBER: _ClassVar[int]
    LINEAGE_FIELD_NUMBER: _ClassVar[int]
    PRIMARY_FIELD_NUMBER: _ClassVar[int]
    PARAMETERS_FIELD_NUMBER: _ClassVar[int]
    role: str
    followers: _containers.RepeatedCompositeFieldContainer[Follower]
    lineage: str
    primary: str
    parameters: _containers.ScalarMap[str, str]
    def __init__(self, role: _Optional[str] = ..., followers: _Optional[_Iterable[_Union[Follower, _Mapping]]] = ..., lineage: _Optional[str] = ..., primary: _Optional[str] = ..., parameters: _Optional[_Mapping[str, str]] = ...) -> None: ...

class FollowerStatus(_message.Message):
    __slots__ = ("member_id", "acked_lsn", "lag_lsns", "lag_seconds", "in_sync", "state", "sync")
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    ACKED_LSN_FIELD_NUMBER: _ClassVar[int]
    LAG_LSNS_FIELD_NUMBER: _ClassVar[int]
    LAG_SECONDS_FIELD_NUMBER: _ClassVar[int]
    IN_SYNC_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    SYNC_FIELD_NUMBER: _ClassVar[int]
    member_id: str
    acked_lsn: int
    lag_lsns: int
    lag_seconds: float
    in_sync: bool
    state: str
    sync: bool
    def __init__(self, member_id: _Optional[str] = ..., acked_lsn: _Optional[int] = ..., lag_lsns: _Optional[int] = ..., lag_seconds: _Optional[float] = ..., in_sync: _Optional[bool] = ..., state: _Optional[str] = ..., sync: _Optional[bool] = ...) -> None: ...

class DbNodeDetail(_message.Message):
    __slots__ = ("synced_epoch", "followers", "instance_class", "allocated_storage", "lineage", "engine_version", "parameters")
    class ParametersEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    SYNCED_EPOCH_FIELD_NUMBER: _ClassVar[int]
    FOLLOWERS_FIELD_NUMBER: _ClassVar[int]
    INSTANCE_CLASS_FIELD_NUMBER: _ClassVar[int]
    ALLOCATED_STORAGE_FIELD_NUMBER: _ClassVar[int]
    LINEAGE_FIELD_NUMBER: _ClassVar[int]
    ENGINE_VERSION_FIELD_NUMBER: _ClassVar[int]
    PARAMETERS_FIELD_NUMBER: _ClassVar[int]
    synced_epoch: int
    followers: _containers.RepeatedCompositeFieldContainer[FollowerStatus]
    instance_class: str
    allocated_storage: int
    lineage: str
    engine_version: str
    parameters: _containers.ScalarMap[str, str]
    def __init__(self, synced_epoch: _Optional[int] = ..., followers: _Optional[_Iterable[_Union[FollowerStatus, _Mapping]]] = ..., instance_class: _Optional[str] = ..., allocated_storage: _Optional[int] = ..., lineage: _Optional[str] = ..., engine_version: _Optional[str] = ..., parameters: _Optional[_Mapping[str, str]] = ...) -> None: ...

class LogEntry(_message.Message):
    __slots__ = ("lsn", "epoch", "commit_time", "record")
    LSN_FIELD_NUMBER: _ClassVar[int]
    EPOCH_FIELD_NUMBER: _ClassVar[int]
    COMMIT_TIME_FIELD_NUMBER: _ClassVar[int]
    RECORD_FIELD_NUMBER: _ClassVar[int]
    lsn: int
    epoch: int
    commit_time: float
    record: bytes
    def __init__(self, lsn: _Optional[int] = ..., epoch: _Optional[int] = ..., commit_time: _Optional[float] = ..., record: _Optional[bytes] = ...) -> None: ...

class Change(_message.Message):
    __slots__ = ("changeset", "statement")
    CHANGESET_FIELD_NUMBER: _ClassVar[int]
    STATEMENT_FIELD_NUMBER: _ClassVar[int]
    changeset: bytes
    statement: str
    def __init__(self, changeset: _Optional[bytes] = ..., statement: _Optional[str] = ...) -> None: ...

class ChangeRecord(_message.Message):
    __slots__ = ("changes",)
    CHANGES_FIELD_NUMBER: _ClassVar[int]
    changes: _containers.RepeatedCompositeFieldContainer[Change]
    def __init__(self, changes: _Optional[_Iterable[_Union[Change, _Mapping]]] = ...) -> None: ...

class AppendRequest(_message.Message):
    __slots__ = ("epoch", "primary_id", "prev_lsn", "prev_epoch", "entries", "sync", "lineage")
    EPOCH_FIELD_NUMBER: _ClassVar[int]
    PRIMARY_ID_FIELD_NUMBER: _ClassVar[int]
    PREV_LSN_FIELD_NUMBER: _ClassVar[int]
    PREV_EPOCH_FIELD_NUMBER: _ClassVar[int]
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    SYNC_FIELD_NUMBER: _ClassVar[int]
    LINEAGE_FIELD_NUMBER: _ClassVar[int]
    epoch: int
    primary_id: str
    prev_lsn: int
    prev_epoch: int
    entries: _containers.RepeatedCompositeFieldContainer[LogEntry]
    sync: bool
    lineage: str
    def __init__(self, epoch: _Optional[int] = ..., primary_id: _Optional[str] = ..., prev_lsn: _Optional[int] = ..., prev_epoch: _Optional[int] = ..., entries: _Optional[_Iterable[_Union[LogEntry, _Mapping]]] = ..., sync: _Optional[bool] = ..., lineage: _Optional[str] = ...) -> None: ...

class AppendResponse(_message.Message):
    __slots__ = ("ok", "epoch", "lsn", "last_epoch", "refused")
    OK_FIELD_NUMBER: _ClassVar[int]
    EPOCH_FIELD_NUMBER: _ClassVar[int]
    LSN_FIELD_NUMBER: _ClassVar[int]
    LAST_EPOCH_FIELD_NUMBER: _ClassVar[int]
    REFUSED_FIELD_NUMBER: _ClassVar[int]
    ok: bool
    epoch: int
    lsn: int
    last_epoch: int
    refused: bool
    def __init__(self, ok: _Optional[bool] = ..., epoch: _Optional[int] = ..., lsn: _Optional[int] = ..., last_epoch: _Optional[int] = ..., refused: _Optional[bool] = ...) -> None: ...

class SnapshotChunk(_message.Message):
    __slots__ = ("epoch", "data", "lineage")
    EPOCH_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    LINEAGE_FIELD_NUMBER: _ClassVar[int]
    epoch: int
    data: bytes
    lineage: str
    def __init__(self, epoch: _Optional[int] = ..., data: _Optional[bytes] = ..., lineage: _Optional[str] = ...) -> None: ...

class BackupRequest(_message.Message):
    __slots__ = ("path",)
    PATH_FIELD_NUMBER: _ClassVar[int]
    path: str
    def __init__(self, path: _Optional[str] = ...) -> None: ...

class BackupResponse(_message.Message):
    __slots__ = ("lsn", "time")
    LSN_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    lsn: int
    time: float
    def __init__(self, lsn: _Optional[int] = ..., time: _Optional[float] = ...) -> None: ...

class ArchiveLogRequest(_message.Message):
    __slots__ = ("path", "after_lsn")
    PATH_FIELD_NUMBER: _ClassVar[int]
    AFTER_LSN_FIELD_NUMBER: _ClassVar[int]
    path: str
    after_lsn: int
    def __init__(self, path: _Optional[str] = ..., after_lsn: _Optional[int] = ...) -> None: ...

class ArchiveLogResponse(_message.Message):
    __slots__ = ("lsn", "time")
    LSN_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    lsn: int
    time: float
    def __init__(self, lsn: _Optional[int] = ..., time: _Optional[float] = ...) -> None: ...

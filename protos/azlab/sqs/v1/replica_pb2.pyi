from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ConfigureRequest(_message.Message):
    __slots__ = ("epoch", "leader_id", "peers", "queue_url_base")
    class PeersEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    EPOCH_FIELD_NUMBER: _ClassVar[int]
    LEADER_ID_FIELD_NUMBER: _ClassVar[int]
    PEERS_FIELD_NUMBER: _ClassVar[int]
    QUEUE_URL_BASE_FIELD_NUMBER: _ClassVar[int]
    epoch: int
    leader_id: str
    peers: _containers.ScalarMap[str, str]
    queue_url_base: str
    def __init__(self, epoch: _Optional[int] = ..., leader_id: _Optional[str] = ..., peers: _Optional[_Mapping[str, str]] = ..., queue_url_base: _Optional[str] = ...) -> None: ...

class Entry(_message.Message):
    __slots__ = ("index", "epoch", "record")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    EPOCH_FIELD_NUMBER: _ClassVar[int]
    RECORD_FIELD_NUMBER: _ClassVar[int]
    index: int
    epoch: int
    record: bytes
    def __init__(self, index: _Optional[int] = ..., epoch: _Optional[int] = ..., record: _Optional[bytes] = ...) -> None: ...

class AppendRequest(_message.Message):
    __slots__ = ("epoch", "leader_id", "prev_index", "prev_epoch", "entries", "commit_index")
    EPOCH_FIELD_NUMBER: _ClassVar[int]
    LEADER_ID_FIELD_NUMBER: _ClassVar[int]
    PREV_INDEX_FIELD_NUMBER: _ClassVar[int]
    PREV_EPOCH_FIELD_NUMBER: _ClassVar[int]
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    COMMIT_INDEX_FIELD_NUMBER: _ClassVar[int]
    epoch: int
    leader_id: str
    prev_index: int
    prev_epoch: int
    entries: _containers.RepeatedCompositeFieldContainer[Entry]
    commit_index: int
    def __init__(self, epoch: _Optional[int] = ..., leader_id: _Optional[str] = ..., prev_index: _Optional[int] = ..., prev_epoch: _Optional[int] = ..., entries: _Optional[_Iterable[_Union[Entry, _Mapping]]] = ..., commit_index: _Optional[int] = ...) -> None: ...

class AppendResponse(_message.Message):
    __slots__ = ("ok", "epoch", "last_index")
    OK_FIELD_NUMBER: _ClassVar[int]
    EPOCH_FIELD_NUMBER: _ClassVar[int]
    LAST_INDEX_FIELD_NUMBER: _ClassVar[int]
    ok: bool
    epoch: int
    last_index: int
    def __init__(self, ok: _Optional[bool] = ..., epoch: _Optional[int] = ..., last_index: _Optional[int] = ...) -> None: ...

class StatusRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ReplicaStatus(_message.Message):
    __slots__ = ("replica_id", "epoch", "role", "last_index", "last_epoch", "commit_index", "leader_id")
    REPLICA_ID_FIELD_NUMBER: _ClassVar[int]
    EPOCH_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    LAST_INDEX_FIELD_NUMBER: _ClassVar[int]
    LAST_EPOCH_FIELD_NUMBER: _ClassVar[int]
    COMMIT_INDEX_FIELD_NUMBER: _ClassVar[int]
    LEADER_ID_FIELD_NUMBER: _ClassVar[int]
    replica_id: str
    epoch: int
    role: str
    last_index: int
    last_epoch: int
    commit_index: int
    leader_id: str
    def __init__(self, replica_id: _Optional[str] = ..., epoch: _Optional[int] = ..., role: _Optional[str] = ..., last_index: _Optional[int] = ..., last_epoch: _Optional[int] = ..., commit_index: _Optional[int] = ..., leader_id: _Optional[str] = ...) -> None: ...

from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional

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

from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor

class SqsReplicaSettings(_message.Message):
    __slots__ = ("peers", "queue_url_base")
    class PeersEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    PEERS_FIELD_NUMBER: _ClassVar[int]
    QUEUE_URL_BASE_FIELD_NUMBER: _ClassVar[int]
    peers: _containers.ScalarMap[str, str]
    queue_url_base: str
    def __init__(self, peers: _Optional[_Mapping[str, str]] = ..., queue_url_base: _Optional[str] = ...) -> None: ...

class SqsReplicaDetail(_message.Message):
    __slots__ = ("commit_index",)
    COMMIT_INDEX_FIELD_NUMBER: _ClassVar[int]
    commit_index: int
    def __init__(self, commit_index: _Optional[int] = ...) -> None: ...

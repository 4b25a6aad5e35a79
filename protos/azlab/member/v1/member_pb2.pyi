from google.protobuf import any_pb2 as _any_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ConfigureRequest(_message.Message):
    __slots__ = ("epoch", "leader", "settings")
    EPOCH_FIELD_NUMBER: _ClassVar[int]
    LEADER_FIELD_NUMBER: _ClassVar[int]
    SETTINGS_FIELD_NUMBER: _ClassVar[int]
    epoch: int
    leader: str
    settings: _any_pb2.Any
    def __init__(self, epoch: _Optional[int] = ..., leader: _Optional[str] = ..., settings: _Optional[_Union[_any_pb2.Any, _Mapping]] = ...) -> None: ...

class StatusRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class MemberStatus(_message.Message):
    __slots__ = ("member_id", "epoch", "leader", "role", "position", "detail")
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    EPOCH_FIELD_NUMBER: _ClassVar[int]
    LEADER_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    member_id: str
    epoch: int
    leader: str
    role: str
    position: _containers.RepeatedScalarFieldContainer[int]
    detail: _any_pb2.Any
    def __init__(self, member_id: _Optional[str] = ..., epoch: _Optional[int] = ..., leader: _Optional[str] = ..., role: _Optional[str] = ..., position: _Optional[_Iterable[int]] = ..., detail: _Optional[_Union[_any_pb2.Any, _Mapping]] = ...) -> None: ...

from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor

class RedisMemberSettings(_message.Message):
    __slots__ = ("role", "primary_address", "primary_port", "cluster_enabled")
    ROLE_FIELD_NUMBER: _ClassVar[int]
    PRIMARY_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    PRIMARY_PORT_FIELD_NUMBER: _ClassVar[int]
    CLUSTER_ENABLED_FIELD_NUMBER: _ClassVar[int]
    role: str
    primary_address: str
    primary_port: int
    cluster_enabled: bool
    def __init__(self, role: _Optional[str] = ..., primary_address: _Optional[str] = ..., primary_port: _Optional[int] = ..., cluster_enabled: _Optional[bool] = ...) -> None: ...

class RedisMemberDetail(_message.Message):
    __slots__ = ("master_address", "master_port", "link_up", "offset", "writes_paused")
    MASTER_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    MASTER_PORT_FIELD_NUMBER: _ClassVar[int]
    LINK_UP_FIELD_NUMBER: _ClassVar[int]
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    WRITES_PAUSED_FIELD_NUMBER: _ClassVar[int]
    master_address: str
    master_port: int
    link_up: bool
    offset: int
    writes_paused: bool
    def __init__(self, master_address: _Optional[str] = ..., master_port: _Optional[int] = ..., link_up: _Optional[bool] = ..., offset: _Optional[int] = ..., writes_paused: _Optional[bool] = ...) -> None: ...

from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class LbNodeSettings(_message.Message):
    __slots__ = ("version", "name", "az", "address", "listeners", "targets", "cross_zone", "health_check", "draining", "draining_timeout", "idle_timeout")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    AZ_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    LISTENERS_FIELD_NUMBER: _ClassVar[int]
    TARGETS_FIELD_NUMBER: _ClassVar[int]
    CROSS_ZONE_FIELD_NUMBER: _ClassVar[int]
    HEALTH_CHECK_FIELD_NUMBER: _ClassVar[int]
    DRAINING_FIELD_NUMBER: _ClassVar[int]
    DRAINING_TIMEOUT_FIELD_NUMBER: _ClassVar[int]
    IDLE_TIMEOUT_FIELD_NUMBER: _ClassVar[int]
    version: int
    name: str
    az: str
    address: str
    listeners: _containers.RepeatedCompositeFieldContainer[LbNodeListener]
    targets: _containers.RepeatedCompositeFieldContainer[LbNodeTarget]
    cross_zone: bool
    health_check: LbNodeHealthCheck
    draining: bool
    draining_timeout: int
    idle_timeout: int
    def __init__(self, version: _Optional[int] = ..., name: _Optional[str] = ..., az: _Optional[str] = ..., address: _Optional[str] = ..., listeners: _Optional[_Iterable[_Union[LbNodeListener, _Mapping]]] = ..., targets: _Optional[_Iterable[_Union[LbNodeTarget, _Mapping]]] = ..., cross_zone: _Optional[bool] = ..., health_check: _Optional[_Union[LbNodeHealthCheck, _Mapping]] = ..., draining: _Optional[bool] = ..., draining_timeout: _Optional[int] = ..., idle_timeout: _Optional[int] = ...) -> None: ...

class LbNodeListener(_message.Message):
    __slots__ = ("protocol", "port", "instance_port", "stickiness", "certificate")
    PROTOCOL_FIELD_NUMBER: _ClassVar[int]
    PORT_FIELD_NUMBER: _ClassVar[int]
    INSTANCE_PORT_FIELD_NUMBER: _ClassVar[int]
    STICKINESS_FIELD_NUMBER: _ClassVar[int]
    CERTIFICATE_FIELD_NUMBER: _ClassVar[int]
    protocol: str
    port: int
    instance_port: int
    stickiness: Stickiness
    certificate: Certificate
    def __init__(self, protocol: _Optional[str] = ..., port: _Optional[int] = ..., instance_port: _Optional[int] = ..., stickiness: _Optional[_Union[Stickiness, _Mapping]] = ..., certificate: _Optional[_Union[Certificate, _Mapping]] = ...) -> None: ...

class Stickiness(_message.Message):
    __slots__ = ("type", "cookie_name", "expiration")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    COOKIE_NAME_FIELD_NUMBER: _ClassVar[int]
    EXPIRATION_FIELD_NUMBER: _ClassVar[int]
    type: str
    cookie_name: str
    expiration: int
    def __init__(self, type: _Optional[str] = ..., cookie_name: _Optional[str] = ..., expiration: _Optional[int] = ...) -> None: ...

class Certificate(_message.Message):
    __slots__ = ("body", "chain", "private_key")
    BODY_FIELD_NUMBER: _ClassVar[int]
    CHAIN_FIELD_NUMBER: _ClassVar[int]
    PRIVATE_KEY_FIELD_NUMBER: _ClassVar[int]
    body: str
    chain: str
    private_key: str
    def __init__(self, body: _Optional[str] = ..., chain: _Optional[str] = ..., private_key: _Optional[str] = ...) -> None: ...

class LbNodeTarget(_message.Message):
    __slots__ = ("id", "address", "az")
    ID_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    AZ_FIELD_NUMBER: _ClassVar[int]
    id: str
    address: str
    az: str
    def __init__(self, id: _Optional[str] = ..., address: _Optional[str] = ..., az: _Optional[str] = ...) -> None: ...

class LbNodeHealthCheck(_message.Message):
    __slots__ = ("protocol", "port", "path", "interval", "timeout", "healthy_threshold", "unhealthy_threshold")
    PROTOCOL_FIELD_NUMBER: _ClassVar[int]
    PORT_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    INTERVAL_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_FIELD_NUMBER: _ClassVar[int]
    HEALTHY_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    UNHEALTHY_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    protocol: str
    port: int
    path: str
    interval: int
    timeout: int
    healthy_threshold: int
    unhealthy_threshold: int
    def __init__(self, protocol: _Optional[str] = ..., port: _Optional[int] = ..., path: _Optional[str] = ..., interval: _Optional[int] = ..., timeout: _Optional[int] = ..., healthy_threshold: _Optional[int] = ..., unhealthy_threshold: _Optional[int] = ...) -> None: ...

class LbNodeDetail(_message.Message):
    __slots__ = ("routable", "listening", "errors", "targets", "counters")
    class ErrorsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: int
        value: str
        def __init__(self, key: _Optional[int] = ..., value: _Optional[str] = ...) -> None: ...
    class TargetsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: TargetHealth
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[TargetHealth, _Mapping]] = ...) -> None: ...
    ROUTABLE_FIELD_NUMBER: _ClassVar[int]
    LISTENING_FIELD_NUMBER: _ClassVar[int]
    ERRORS_FIELD_NUMBER: _ClassVar[int]
    TARGETS_FIELD_NUMBER: _ClassVar[int]
    COUNTERS_FIELD_NUMBER: _ClassVar[int]
    routable: int
    listening: _containers.RepeatedScalarFieldContainer[int]
    errors: _containers.ScalarMap[int, str]
    targets: _containers.MessageMap[str, TargetHealth]
    counters: LbNodeCounters
    def __init__(self, routable: _Optional[int] = ..., listening: _Optional[_Iterable[int]] = ..., errors: _Optional[_Mapping[int, str]] = ..., targets: _Optional[_Mapping[str, TargetHealth]] = ..., counters: _Optional[_Union[LbNodeCounters, _Mapping]] = ...) -> None: ...

class TargetHealth(_message.Message):
    __slots__ = ("state", "description")
    STATE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    state: str
    description: str
    def __init__(self, state: _Optional[str] = ..., description: _Optional[str] = ...) -> None: ...

class LbNodeCounters(_message.Message):
    __slots__ = ("request_count", "http_code_backend_2xx", "http_code_backend_3xx", "http_code_backend_4xx", "http_code_backend_5xx", "http_code_elb_4xx", "http_code_elb_5xx", "backend_connection_errors", "tcp_connections")
    REQUEST_COUNT_FIELD_NUMBER: _ClassVar[int]
    HTTP_CODE_BACKEND_2XX_FIELD_NUMBER: _ClassVar[int]
    HTTP_CODE_BACKEND_3XX_FIELD_NUMBER: _ClassVar[int]
    HTTP_CODE_BACKEND_4XX_FIELD_NUMBER: _ClassVar[int]
    HTTP_CODE_BACKEND_5XX_FIELD_NUMBER: _ClassVar[int]
    HTTP_CODE_ELB_4XX_FIELD_NUMBER: _ClassVar[int]
    HTTP_CODE_ELB_5XX_FIELD_NUMBER: _ClassVar[int]
    BACKEND_CONNECTION_ERRORS_FIELD_NUMBER: _ClassVar[int]
    TCP_CONNECTIONS_FIELD_NUMBER: _ClassVar[int]
    request_count: int
    http_code_backend_2xx: int
    http_code_backend_3xx: int
    http_code_backend_4xx: int
    http_code_backend_5xx: int
    http_code_elb_4xx: int
    http_code_elb_5xx: int
    backend_connection_errors: int
    tcp_connections: int
    def __init__(self, request_count: _Optional[int] = ..., http_code_backend_2xx: _Optional[int] = ..., http_code_backend_3xx: _Optional[int] = ..., http_code_backend_4xx: _Optional[int] = ..., http_code_backend_5xx: _Optional[int] = ..., http_code_elb_4xx: _Optional[int] = ..., http_code_elb_5xx: _Optional[int] = ..., backend_connection_errors: _Optional[int] = ..., tcp_connections: _Optional[int] = ...) -> None: ...

class LbNodeState(_message.Message):
    __slots__ = ("epoch", "settings")
    EPOCH_FIELD_NUMBER: _ClassVar[int]
    SETTINGS_FIELD_NUMBER: _ClassVar[int]
    epoch: int
    settings: LbNodeSettings
    def __init__(self, epoch: _Optional[int] = ..., settings: _Optional[_Union[LbNodeSettings, _Mapping]] = ...) -> None: ...

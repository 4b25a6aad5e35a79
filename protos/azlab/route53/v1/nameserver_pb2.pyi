from azlab.route53.v1 import route53_pb2 as _route53_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class NameServerSettings(_message.Message):
    __slots__ = ("version", "locations", "zones", "health", "health_checks", "az_networks")
    class Location(_message.Message):
        __slots__ = ("cidr", "location")
        CIDR_FIELD_NUMBER: _ClassVar[int]
        LOCATION_FIELD_NUMBER: _ClassVar[int]
        cidr: str
        location: _route53_pb2.GeoLocation
        def __init__(self, cidr: _Optional[str] = ..., location: _Optional[_Union[_route53_pb2.GeoLocation, _Mapping]] = ...) -> None: ...
    class RecordSet(_message.Message):
        __slots__ = ("name", "type", "ttl", "values", "set_identifier", "weight", "region", "failover", "multi_value_answer", "health_check_id", "alias", "geo_location")
        NAME_FIELD_NUMBER: _ClassVar[int]
        TYPE_FIELD_NUMBER: _ClassVar[int]
        TTL_FIELD_NUMBER: _ClassVar[int]
        VALUES_FIELD_NUMBER: _ClassVar[int]
        SET_IDENTIFIER_FIELD_NUMBER: _ClassVar[int]
        WEIGHT_FIELD_NUMBER: _ClassVar[int]
        REGION_FIELD_NUMBER: _ClassVar[int]
        FAILOVER_FIELD_NUMBER: _ClassVar[int]
        MULTI_VALUE_ANSWER_FIELD_NUMBER: _ClassVar[int]
        HEALTH_CHECK_ID_FIELD_NUMBER: _ClassVar[int]
        ALIAS_FIELD_NUMBER: _ClassVar[int]
        GEO_LOCATION_FIELD_NUMBER: _ClassVar[int]
        name: str
        type: str
        ttl: int
        values: _containers.RepeatedScalarFieldContainer[str]
        set_identifier: str
        weight: int
        region: str
        failover: str
        multi_value_answer: bool
        health_check_id: str
        alias: _route53_pb2.AliasTarget
        geo_location: _route53_pb2.GeoLocation
        def __init__(self, name: _Optional[str] = ..., type: _Optional[str] = ..., ttl: _Optional[int] = ..., values: _Optional[_Iterable[str]] = ..., set_identifier: _Optional[str] = ..., weight: _Optional[int] = ..., region: _Optional[str] = ..., failover: _Optional[str] = ..., multi_value_answer: _Optional[bool] = ..., health_check_id: _Optional[str] = ..., alias: _Optional[_Union[_route53_pb2.AliasTarget, _Mapping]] = ..., geo_location: _Optional[_Union[_route53_pb2.GeoLocation, _Mapping]] = ...) -> None: ...
    class Zone(_message.Message):
        __slots__ = ("name", "private_zone", "records")
        NAME_FIELD_NUMBER: _ClassVar[int]
        PRIVATE_ZONE_FIELD_NUMBER: _ClassVar[int]
        RECORDS_FIELD_NUMBER: _ClassVar[int]
        name: str
        private_zone: bool
        records: _containers.RepeatedCompositeFieldContainer[NameServerSettings.RecordSet]
        def __init__(self, name: _Optional[str] = ..., private_zone: _Optional[bool] = ..., records: _Optional[_Iterable[_Union[NameServerSettings.RecordSet, _Mapping]]] = ...) -> None: ...
    class HealthCheck(_message.Message):
        __slots__ = ("id", "caller_reference", "type", "ip_address", "port", "resource_path", "fully_qualified_domain_name", "search_string", "request_interval", "failure_threshold", "version", "child_health_checks", "health_threshold", "inverted")
        ID_FIELD_NUMBER: _ClassVar[int]
        CALLER_REFERENCE_FIELD_NUMBER: _ClassVar[int]
        TYPE_FIELD_NUMBER: _ClassVar[int]
        IP_ADDRESS_FIELD_NUMBER: _ClassVar[int]
        PORT_FIELD_NUMBER: _ClassVar[int]
        RESOURCE_PATH_FIELD_NUMBER: _ClassVar[int]
        FULLY_QUALIFIED_DOMAIN_NAME_FIELD_NUMBER: _ClassVar[int]
        SEARCH_STRING_FIELD_NUMBER: _ClassVar[int]
        REQUEST_INTERVAL_FIELD_NUMBER: _ClassVar[int]
        FAILURE_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
        VERSION_FIELD_NUMBER: _ClassVar[int]
        CHILD_HEALTH_CHECKS_FIELD_NUMBER: _ClassVar[int]
        HEALTH_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
        INVERTED_FIELD_NUMBER: _ClassVar[int]
        id: str
        caller_reference: str
        type: str
        ip_address: str
        port: int
        resource_path: str
        fully_qualified_domain_name: str
        search_string: str
        request_interval: int
        failure_threshold: int
        version: int
        child_health_checks: _containers.RepeatedScalarFieldContainer[str]
        health_threshold: int
        inverted: bool
        def __init__(self, id: _Optional[str] = ..., caller_reference: _Optional[str] = ..., type: _Optional[str] = ..., ip_address: _Optional[str] = ..., port: _Optional[int] = ..., resource_path: _Optional[str] = ..., fully_qualified_domain_name: _Optional[str] = ..., search_string: _Optional[str] = ..., request_interval: _Optional[int] = ..., failure_threshold: _Optional[int] = ..., version: _Optional[int] = ..., child_health_checks: _Optional[_Iterable[str]] = ..., health_threshold: _Optional[int] = ..., inverted: _Optional[bool] = ...) -> None: ...
    class HealthEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: bool
        def __init__(self, key: _Optional[str] = ..., value: _Optional[bool] = ...) -> None: ...
    class AzNetworksEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    VERSION_FIELD_NUMBER: _ClassVar[int]
    LOCATIONS_FIELD_NUMBER: _ClassVar[int]
    ZONES_FIELD_NUMBER: _ClassVar[int]
    HEALTH_FIELD_NUMBER: _ClassVar[int]
    HEALTH_CHECKS_FIELD_NUMBER: _ClassVar[int]
    AZ_NETWORKS_FIELD_NUMBER: _ClassVar[int]
    version: int
    locations: _containers.RepeatedCompositeFieldContainer[NameServerSettings.Location]
    zones: _containers.RepeatedCompositeFieldContainer[NameServerSettings.Zone]
    health: _containers.ScalarMap[str, bool]
    health_checks: _containers.RepeatedCompositeFieldContainer[NameServerSettings.HealthCheck]
    az_networks: _containers.ScalarMap[str, str]
    def __init__(self, version: _Optional[int] = ..., locations: _Optional[_Iterable[_Union[NameServerSettings.Location, _Mapping]]] = ..., zones: _Optional[_Iterable[_Union[NameServerSettings.Zone, _Mapping]]] = ..., health: _Optional[_Mapping[str, bool]] = ..., health_checks: _Optional[_Iterable[_Union[NameServerSettings.HealthCheck, _Mapping]]] = ..., az_networks: _Optional[_Mapping[str, str]] = ...) -> None: ...

class NameServerDetail(_message.Message):
    __slots__ = ("version", "votes")
    class Vote(_message.Message):
        __slots__ = ("healthy", "detail", "checked_at")
        HEALTHY_FIELD_NUMBER: _ClassVar[int]
        DETAIL_FIELD_NUMBER: _ClassVar[int]
        CHECKED_AT_FIELD_NUMBER: _ClassVar[int]
        healthy: bool
        detail: str
        checked_at: float
        def __init__(self, healthy: _Optional[bool] = ..., detail: _Optional[str] = ..., checked_at: _Optional[float] = ...) -> None: ...
    class VotesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: NameServerDetail.Vote
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[NameServerDetail.Vote, _Mapping]] = ...) -> None: ...
    VERSION_FIELD_NUMBER: _ClassVar[int]
    VOTES_FIELD_NUMBER: _ClassVar[int]
    version: int
    votes: _containers.MessageMap[str, NameServerDetail.Vote]
    def __init__(self, version: _Optional[int] = ..., votes: _Optional[_Mapping[str, NameServerDetail.Vote]] = ...) -> None: ...

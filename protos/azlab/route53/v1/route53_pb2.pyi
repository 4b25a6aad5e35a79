import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class HostedZoneConfig(_message.Message):
    __slots__ = ("comment", "private_zone")
    COMMENT_FIELD_NUMBER: _ClassVar[int]
    PRIVATE_ZONE_FIELD_NUMBER: _ClassVar[int]
    comment: str
    private_zone: bool
    def __init__(self, comment: _Optional[str] = ..., private_zone: _Optional[bool] = ...) -> None: ...

class HostedZone(_message.Message):
    __slots__ = ("id", "name", "caller_reference", "config", "resource_record_set_count")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    CALLER_REFERENCE_FIELD_NUMBER: _ClassVar[int]
    CONFIG_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_RECORD_SET_COUNT_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    caller_reference: str
    config: HostedZoneConfig
    resource_record_set_count: int
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., caller_reference: _Optional[str] = ..., config: _Optional[_Union[HostedZoneConfig, _Mapping]] = ..., resource_record_set_count: _Optional[int] = ...) -> None: ...

class DelegationSet(_message.Message):
    __slots__ = ("name_servers",)
    NAME_SERVERS_FIELD_NUMBER: _ClassVar[int]
    name_servers: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, name_servers: _Optional[_Iterable[str]] = ...) -> None: ...

class ChangeInfo(_message.Message):
    __slots__ = ("id", "status", "submitted_at", "comment")
    ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    SUBMITTED_AT_FIELD_NUMBER: _ClassVar[int]
    COMMENT_FIELD_NUMBER: _ClassVar[int]
    id: str
    status: str
    submitted_at: _timestamp_pb2.Timestamp
    comment: str
    def __init__(self, id: _Optional[str] = ..., status: _Optional[str] = ..., submitted_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., comment: _Optional[str] = ...) -> None: ...

class ResourceRecord(_message.Message):
    __slots__ = ("value",)
    VALUE_FIELD_NUMBER: _ClassVar[int]
    value: str
    def __init__(self, value: _Optional[str] = ...) -> None: ...

class AliasTarget(_message.Message):
    __slots__ = ("hosted_zone_id", "dns_name", "evaluate_target_health")
    HOSTED_ZONE_ID_FIELD_NUMBER: _ClassVar[int]
    DNS_NAME_FIELD_NUMBER: _ClassVar[int]
    EVALUATE_TARGET_HEALTH_FIELD_NUMBER: _ClassVar[int]
    hosted_zone_id: str
    dns_name: str
    evaluate_target_health: bool
    def __init__(self, hosted_zone_id: _Optional[str] = ..., dns_name: _Optional[str] = ..., evaluate_target_health: _Optional[bool] = ...) -> None: ...

class GeoLocation(_message.Message):
    __slots__ = ("continent_code", "country_code", "subdivision_code")
    CONTINENT_CODE_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_CODE_FIELD_NUMBER: _ClassVar[int]
    SUBDIVISION_CODE_FIELD_NUMBER: _ClassVar[int]
    continent_code: str
    country_code: str
    subdivision_code: str
    def __init__(self, continent_code: _Optional[str] = ..., country_code: _Optional[str] = ..., subdivision_code: _Optional[str] = ...) -> None: ...

class ResourceRecordSet(_message.Message):
    __slots__ = ("name", "type", "set_identifier", "weight", "has_weight", "region", "geo_location", "failover", "multi_value_answer", "ttl", "resource_records", "alias_target", "health_check_id")
    NAME_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    SET_IDENTIFIER_FIELD_NUMBER: _ClassVar[int]
    WEIGHT_FIELD_NUMBER: _ClassVar[int]
    HAS_WEIGHT_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    GEO_LOCATION_FIELD_NUMBER: _ClassVar[int]
    FAILOVER_FIELD_NUMBER: _ClassVar[int]
    MULTI_VALUE_ANSWER_FIELD_NUMBER: _ClassVar[int]
    TTL_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_RECORDS_FIELD_NUMBER: _ClassVar[int]
    ALIAS_TARGET_FIELD_NUMBER: _ClassVar[int]
    HEALTH_CHECK_ID_FIELD_NUMBER: _ClassVar[int]
    name: str
    type: str
    set_identifier: str
    weight: int
    has_weight: bool
    region: str
    geo_location: GeoLocation
    failover: str
    multi_value_answer: bool
    ttl: int
    resource_records: _containers.RepeatedCompositeFieldContainer[ResourceRecord]
    alias_target: AliasTarget
    health_check_id: str
    def __init__(self, name: _Optional[str] = ..., type: _Optional[str] = ..., set_identifier: _Optional[str] = ..., weight: _Optional[int] = ..., has_weight: _Optional[bool] = ..., region: _Optional[str] = ..., geo_location: _Optional[_Union[GeoLocation, _Mapping]] = ..., failover: _Optional[str] = ..., multi_value_answer: _Optional[bool] = ..., ttl: _Optional[int] = ..., resource_records: _Optional[_Iterable[_Union[ResourceRecord, _Mapping]]] = ..., alias_target: _Optional[_Union[AliasTarget, _Mapping]] = ..., health_check_id: _Optional[str] = ...) -> None: ...

class Change(_message.Message):
    __slots__ = ("action", "resource_record_set")
    ACTION_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_RECORD_SET_FIELD_NUMBER: _ClassVar[int]
    action: str
    resource_record_set: ResourceRecordSet
    def __init__(self, action: _Optional[str] = ..., resource_record_set: _Optional[_Union[ResourceRecordSet, _Mapping]] = ...) -> None: ...

class ChangeBatch(_message.Message):
    __slots__ = ("comment", "changes")
    COMMENT_FIELD_NUMBER: _ClassVar[int]
    CHANGES_FIELD_NUMBER: _ClassVar[int]
    comment: str
    changes: _containers.RepeatedCompositeFieldContainer[Change]
    def __init__(self, comment: _Optional[str] = ..., changes: _Optional[_Iterable[_Union[Change, _Mapping]]] = ...) -> None: ...

class CreateHostedZoneRequest(_message.Message):
    __slots__ = ("name", "caller_reference", "hosted_zone_config")
    NAME_FIELD_NUMBER: _ClassVar[int]
    CALLER_REFERENCE_FIELD_NUMBER: _ClassVar[int]
    HOSTED_ZONE_CONFIG_FIELD_NUMBER: _ClassVar[int]
    name: str
    caller_reference: str
    hosted_zone_config: HostedZoneConfig
    def __init__(self, name: _Optional[str] = ..., caller_reference: _Optional[str] = ..., hosted_zone_config: _Optional[_Union[HostedZoneConfig, _Mapping]] = ...) -> None: ...

class CreateHostedZoneResponse(_message.Message):
    __slots__ = ("hosted_zone", "change_info", "delegation_set")
    HOSTED_ZONE_FIELD_NUMBER: _ClassVar[int]
    CHANGE_INFO_FIELD_NUMBER: _ClassVar[int]
    DELEGATION_SET_FIELD_NUMBER: _ClassVar[int]
    hosted_zone: HostedZone
    change_info: ChangeInfo
    delegation_set: DelegationSet
    def __init__(self, hosted_zone: _Optional[_Union[HostedZone, _Mapping]] = ..., change_info: _Optional[_Union[ChangeInfo, _Mapping]] = ..., delegation_set: _Optional[_Union[DelegationSet, _Mapping]] = ...) -> None: ...

class GetHostedZoneRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class GetHostedZoneResponse(_message.Message):
    __slots__ = ("hosted_zone", "delegation_set")
    HOSTED_ZONE_FIELD_NUMBER: _ClassVar[int]
    DELEGATION_SET_FIELD_NUMBER: _ClassVar[int]
    hosted_zone: HostedZone
    delegation_set: DelegationSet
    def __init__(self, hosted_zone: _Optional[_Union[HostedZone, _Mapping]] = ..., delegation_set: _Optional[_Union[DelegationSet, _Mapping]] = ...) -> None: ...

class ListHostedZonesRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListHostedZonesResponse(_message.Message):
    __slots__ = ("hosted_zones",)
    HOSTED_ZONES_FIELD_NUMBER: _ClassVar[int]
    hosted_zones: _containers.RepeatedCompositeFieldContainer[HostedZone]
    def __init__(self, hosted_zones: _Optional[_Iterable[_Union[HostedZone, _Mapping]]] = ...) -> None: ...

class DeleteHostedZoneRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class DeleteHostedZoneResponse(_message.Message):
    __slots__ = ("change_info",)
    CHANGE_INFO_FIELD_NUMBER: _ClassVar[int]
    change_info: ChangeInfo
    def __init__(self, change_info: _Optional[_Union[ChangeInfo, _Mapping]] = ...) -> None: ...

class ChangeResourceRecordSetsRequest(_message.Message):
    __slots__ = ("hosted_zone_id", "change_batch")
    HOSTED_ZONE_ID_FIELD_NUMBER: _ClassVar[int]
    CHANGE_BATCH_FIELD_NUMBER: _ClassVar[int]
    hosted_zone_id: str
    change_batch: ChangeBatch
    def __init__(self, hosted_zone_id: _Optional[str] = ..., change_batch: _Optional[_Union[ChangeBatch, _Mapping]] = ...) -> None: ...

class ChangeResourceRecordSetsResponse(_message.Message):
    __slots__ = ("change_info",)
    CHANGE_INFO_FIELD_NUMBER: _ClassVar[int]
    change_info: ChangeInfo
    def __init__(self, change_info: _Optional[_Union[ChangeInfo, _Mapping]] = ...) -> None: ...

class ListResourceRecordSetsRequest(_message.Message):
    __slots__ = ("hosted_zone_id",)
    HOSTED_ZONE_ID_FIELD_NUMBER: _ClassVar[int]
    hosted_zone_id: str
    def __init__(self, hosted_zone_id: _Optional[str] = ...) -> None: ...

class ListResourceRecordSetsResponse(_message.Message):
    __slots__ = ("resource_record_sets",)
    RESOURCE_RECORD_SETS_FIELD_NUMBER: _ClassVar[int]
    resource_record_sets: _containers.RepeatedCompositeFieldContainer[ResourceRecordSet]
    def __init__(self, resource_record_sets: _Optional[_Iterable[_Union[ResourceRecordSet, _Mapping]]] = ...) -> None: ...

class GetChangeRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class GetChangeResponse(_message.Message):
    __slots__ = ("change_info",)
    CHANGE_INFO_FIELD_NUMBER: _ClassVar[int]
    change_info: ChangeInfo
    def __init__(self, change_info: _Optional[_Union[ChangeInfo, _Mapping]] = ...) -> None: ...

class HealthCheckConfig(_message.Message):
    __slots__ = ("ip_address", "port", "type", "resource_path", "fully_qualified_domain_name", "search_string", "request_interval", "failure_threshold", "child_health_checks", "health_threshold", "inverted")
    IP_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    PORT_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_PATH_FIELD_NUMBER: _ClassVar[int]
    FULLY_QUALIFIED_DOMAIN_NAME_FIELD_NUMBER: _ClassVar[int]
    SEARCH_STRING_FIELD_NUMBER: _ClassVar[int]
    REQUEST_INTERVAL_FIELD_NUMBER: _ClassVar[int]
    FAILURE_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    CHILD_HEALTH_CHECKS_FIELD_NUMBER: _ClassVar[int]
    HEALTH_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    INVERTED_FIELD_NUMBER: _ClassVar[int]
    ip_address: str
    port: int
    type: str
    resource_path: str
    fully_qualified_domain_name: str
    search_string: str
    request_interval: int
    failure_threshold: int
    child_health_checks: _containers.RepeatedScalarFieldContainer[str]
    health_threshold: int
    inverted: bool
    def __init__(self, ip_address: _Optional[str] = ..., port: _Optional[int] = ..., type: _Optional[str] = ..., resource_path: _Optional[str] = ..., fully_qualified_domain_name: _Optional[str] = ..., search_string: _Optional[str] = ..., request_interval: _Optional[int] = ..., failure_threshold: _Optional[int] = ..., child_health_checks: _Optional[_Iterable[str]] = ..., health_threshold: _Optional[int] = ..., inverted: _Optional[bool] = ...) -> None: ...

class HealthCheck(_message.Message):
    __slots__ = ("id", "caller_reference", "health_check_config", "health_check_version")
    ID_FIELD_NUMBER: _ClassVar[int]
    CALLER_REFERENCE_FIELD_NUMBER: _ClassVar[int]
    HEALTH_CHECK_CONFIG_FIELD_NUMBER: _ClassVar[int]
    HEALTH_CHECK_VERSION_FIELD_NUMBER: _ClassVar[int]
    id: str
    caller_reference: str
    health_check_config: HealthCheckConfig
    health_check_version: int
    def __init__(self, id: _Optional[str] = ..., caller_reference: _Optional[str] = ..., health_check_config: _Optional[_Union[HealthCheckConfig, _Mapping]] = ..., health_check_version: _Optional[int] = ...) -> None: ...

class CreateHealthCheckRequest(_message.Message):
    __slots__ = ("caller_reference", "health_check_config")
    CALLER_REFERENCE_FIELD_NUMBER: _ClassVar[int]
    HEALTH_CHECK_CONFIG_FIELD_NUMBER: _ClassVar[int]
    caller_reference: str
    health_check_config: HealthCheckConfig
    def __init__(self, caller_reference: _Optional[str] = ..., health_check_config: _Optional[_Union[HealthCheckConfig, _Mapping]] = ...) -> None: ...

class CreateHealthCheckResponse(_message.Message):
    __slots__ = ("health_check",)
    HEALTH_CHECK_FIELD_NUMBER: _ClassVar[int]
    health_check: HealthCheck
    def __init__(self, health_check: _Optional[_Union[HealthCheck, _Mapping]] = ...) -> None: ...

class GetHealthCheckRequest(_message.Message):
    __slots__ = ("health_check_id",)
    HEALTH_CHECK_ID_FIELD_NUMBER: _ClassVar[int]
    health_check_id: str
    def __init__(self, health_check_id: _Optional[str] = ...) -> None: ...

class GetHealthCheckResponse(_message.Message):
    __slots__ = ("health_check",)
    HEALTH_CHECK_FIELD_NUMBER: _ClassVar[int]
    health_check: HealthCheck
    def __init__(self, health_check: _Optional[_Union[HealthCheck, _Mapping]] = ...) -> None: ...

class ListHealthChecksRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListHealthChecksResponse(_message.Message):
    __slots__ = ("health_checks",)
    HEALTH_CHECKS_FIELD_NUMBER: _ClassVar[int]
    health_checks: _containers.RepeatedCompositeFieldContainer[HealthCheck]
    def __init__(self, health_checks: _Optional[_Iterable[_Union[HealthCheck, _Mapping]]] = ...) -> None: ...

class DeleteHealthCheckRequest(_message.Message):
    __slots__ = ("health_check_id",)
    HEALTH_CHECK_ID_FIELD_NUMBER: _ClassVar[int]
    health_check_id: str
    def __init__(self, health_check_id: _Optional[str] = ...) -> None: ...

class DeleteHealthCheckResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class HealthCheckObservation(_message.Message):
    __slots__ = ("region", "ip_address", "status", "checked_time")
    REGION_FIELD_NUMBER: _ClassVar[int]
    IP_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    CHECKED_TIME_FIELD_NUMBER: _ClassVar[int]
    region: str
    ip_address: str
    status: str
    checked_time: _timestamp_pb2.Timestamp
    def __init__(self, region: _Optional[str] = ..., ip_address: _Optional[str] = ..., status: _Optional[str] = ..., checked_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GetHealthCheckStatusRequest(_message.Message):
    __slots__ = ("health_check_id",)
    HEALTH_CHECK_ID_FIELD_NUMBER: _ClassVar[int]
    health_check_id: str
    def __init__(self, health_check_id: _Optional[str] = ...) -> None: ...

class GetHealthCheckStatusResponse(_message.Message):
    __slots__ = ("health_check_observations", "healthy")
    HEALTH_CHECK_OBSERVATIONS_FIELD_NUMBER: _ClassVar[int]
    HEALTHY_FIELD_NUMBER: _ClassVar[int]
    health_check_observations: _containers.RepeatedCompositeFieldContainer[HealthCheckObservation]
    healthy: bool
    def __init__(self, health_check_observations: _Optional[_Iterable[_Union[HealthCheckObservation, _Mapping]]] = ..., healthy: _Optional[bool] = ...) -> None: ...

class NameServer(_message.Message):
    __slots__ = ("availability_zone", "address", "port", "state", "zone_version")
    AVAILABILITY_ZONE_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    PORT_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    ZONE_VERSION_FIELD_NUMBER: _ClassVar[int]
    availability_zone: str
    address: str
    port: int
    state: str
    zone_version: int
    def __init__(self, availability_zone: _Optional[str] = ..., address: _Optional[str] = ..., port: _Optional[int] = ..., state: _Optional[str] = ..., zone_version: _Optional[int] = ...) -> None: ...

class DescribeNameServersRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class DescribeNameServersResponse(_message.Message):
    __slots__ = ("name_servers", "zone_version")
    NAME_SERVERS_FIELD_NUMBER: _ClassVar[int]
    ZONE_VERSION_FIELD_NUMBER: _ClassVar[int]
    name_servers: _containers.RepeatedCompositeFieldContainer[NameServer]
    zone_version: int
    def __init__(self, name_servers: _Optional[_Iterable[_Union[NameServer, _Mapping]]] = ..., zone_version: _Optional[int] = ...) -> None: ...

class ClientLocation(_message.Message):
    __slots__ = ("cidr", "location", "source")
    CIDR_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    cidr: str
    location: GeoLocation
    source: str
    def __init__(self, cidr: _Optional[str] = ..., location: _Optional[_Union[GeoLocation, _Mapping]] = ..., source: _Optional[str] = ...) -> None: ...

class PutClientLocationRequest(_message.Message):
    __slots__ = ("cidr", "location")
    CIDR_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    cidr: str
    location: GeoLocation
    def __init__(self, cidr: _Optional[str] = ..., location: _Optional[_Union[GeoLocation, _Mapping]] = ...) -> None: ...

class PutClientLocationResponse(_message.Message):
    __slots__ = ("client_location",)
    CLIENT_LOCATION_FIELD_NUMBER: _ClassVar[int]
    client_location: ClientLocation
    def __init__(self, client_location: _Optional[_Union[ClientLocation, _Mapping]] = ...) -> None: ...

class DeleteClientLocationRequest(_message.Message):
    __slots__ = ("cidr",)
    CIDR_FIELD_NUMBER: _ClassVar[int]
    cidr: str
    def __init__(self, cidr: _Optional[str] = ...) -> None: ...

class DeleteClientLocationResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListClientLocationsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListClientLocationsResponse(_message.Message):
    __slots__ = ("client_locations",)
    CLIENT_LOCATIONS_FIELD_NUMBER: _ClassVar[int]
    client_locations: _containers.RepeatedCompositeFieldContainer[ClientLocation]
    def __init__(self, client_locations: _Optional[_Iterable[_Union[ClientLocation, _Mapping]]] = ...) -> None: ...

import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Listener(_message.Message):
    __slots__ = ("protocol", "load_balancer_port", "instance_protocol", "instance_port", "ssl_certificate_id")
    PROTOCOL_FIELD_NUMBER: _ClassVar[int]
    LOAD_BALANCER_PORT_FIELD_NUMBER: _ClassVar[int]
    INSTANCE_PROTOCOL_FIELD_NUMBER: _ClassVar[int]
    INSTANCE_PORT_FIELD_NUMBER: _ClassVar[int]
    SSL_CERTIFICATE_ID_FIELD_NUMBER: _ClassVar[int]
    protocol: str
    load_balancer_port: int
    instance_protocol: str
    instance_port: int
    ssl_certificate_id: str
    def __init__(self, protocol: _Optional[str] = ..., load_balancer_port: _Optional[int] = ..., instance_protocol: _Optional[str] = ..., instance_port: _Optional[int] = ..., ssl_certificate_id: _Optional[str] = ...) -> None: ...

class ListenerDescription(_message.Message):
    __slots__ = ("listener", "policy_names")
    LISTENER_FIELD_NUMBER: _ClassVar[int]
    POLICY_NAMES_FIELD_NUMBER: _ClassVar[int]
    listener: Listener
    policy_names: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, listener: _Optional[_Union[Listener, _Mapping]] = ..., policy_names: _Optional[_Iterable[str]] = ...) -> None: ...

class HealthCheck(_message.Message):
    __slots__ = ("target", "interval", "timeout", "unhealthy_threshold", "healthy_threshold")
    TARGET_FIELD_NUMBER: _ClassVar[int]
    INTERVAL_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_FIELD_NUMBER: _ClassVar[int]
    UNHEALTHY_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    HEALTHY_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    target: str
    interval: int
    timeout: int
    unhealthy_threshold: int
    healthy_threshold: int
    def __init__(self, target: _Optional[str] = ..., interval: _Optional[int] = ..., timeout: _Optional[int] = ..., unhealthy_threshold: _Optional[int] = ..., healthy_threshold: _Optional[int] = ...) -> None: ...

class Instance(_message.Message):
    __slots__ = ("instance_id",)
    INSTANCE_ID_FIELD_NUMBER: _ClassVar[int]
    instance_id: str
    def __init__(self, instance_id: _Optional[str] = ...) -> None: ...

class LBCookieStickinessPolicy(_message.Message):
    __slots__ = ("policy_name", "cookie_expiration_period")
    POLICY_NAME_FIELD_NUMBER: _ClassVar[int]
    COOKIE_EXPIRATION_PERIOD_FIELD_NUMBER: _ClassVar[int]
    policy_name: str
    cookie_expiration_period: int
    def __init__(self, policy_name: _Optional[str] = ..., cookie_expiration_period: _Optional[int] = ...) -> None: ...

class AppCookieStickinessPolicy(_message.Message):
    __slots__ = ("policy_name", "cookie_name")
    POLICY_NAME_FIELD_NUMBER: _ClassVar[int]
    COOKIE_NAME_FIELD_NUMBER: _ClassVar[int]
    policy_name: str
    cookie_name: str
    def __init__(self, policy_name: _Optional[str] = ..., cookie_name: _Optional[str] = ...) -> None: ...

class Policies(_message.Message):
    __slots__ = ("app_cookie_stickiness_policies", "lb_cookie_stickiness_policies")
    APP_COOKIE_STICKINESS_POLICIES_FIELD_NUMBER: _ClassVar[int]
    LB_COOKIE_STICKINESS_POLICIES_FIELD_NUMBER: _ClassVar[int]
    app_cookie_stickiness_policies: _containers.RepeatedCompositeFieldContainer[AppCookieStickinessPolicy]
    lb_cookie_stickiness_policies: _containers.RepeatedCompositeFieldContainer[LBCookieStickinessPolicy]
    def __init__(self, app_cookie_stickiness_policies: _Optional[_Iterable[_Union[AppCookieStickinessPolicy, _Mapping]]] = ..., lb_cookie_stickiness_policies: _Optional[_Iterable[_Union[LBCookieStickinessPolicy, _Mapping]]] = ...) -> None: ...

class LoadBalancerDescription(_message.Message):
    __slots__ = ("load_balancer_name", "dns_name", "canonical_hosted_zone_name", "canonical_hosted_zone_name_id", "listener_descriptions", "policies", "availability_zones", "instances", "health_check", "created_time", "scheme")
    LOAD_BALANCER_NAME_FIELD_NUMBER: _ClassVar[int]
    DNS_NAME_FIELD_NUMBER: _ClassVar[int]
    CANONICAL_HOSTED_ZONE_NAME_FIELD_NUMBER: _ClassVar[int]
    CANONICAL_HOSTED_ZONE_NAME_ID_FIELD_NUMBER: _ClassVar[int]
    LISTENER_DESCRIPTIONS_FIELD_NUMBER: _ClassVar[int]
    POLICIES_FIELD_NUMBER: _ClassVar[int]
    AVAILABILITY_ZONES_FIELD_NUMBER: _ClassVar[int]
    INSTANCES_FIELD_NUMBER: _ClassVar[int]
    HEALTH_CHECK_FIELD_NUMBER: _ClassVar[int]
    CREATED_TIME_FIELD_NUMBER: _ClassVar[int]
    SCHEME_FIELD_NUMBER: _ClassVar[int]
    load_balancer_name: str
    dns_name: str
    canonical_hosted_zone_name: str
    canonical_hosted_zone_name_id: str
    listener_descriptions: _containers.RepeatedCompositeFieldContainer[ListenerDescription]
    policies: Policies
    availability_zones: _containers.RepeatedScalarFieldContainer[str]
    instances: _containers.RepeatedCompositeFieldContainer[Instance]
    health_check: HealthCheck
    created_time: _timestamp_pb2.Timestamp
    scheme: str
    def __init__(self, load_balancer_name: _Optional[str] = ..., dns_name: _Optional[str] = ..., canonical_hosted_zone_name: _Optional[str] = ..., canonical_hosted_zone_name_id: _Optional[str] = ..., listener_descriptions: _Optional[_Iterable[_Union[ListenerDescription, _Mapping]]] = ..., policies: _Optional[_Union[Policies, _Mapping]] = ..., availability_zones: _Optional[_Iterable[str]] = ..., instances: _Optional[_Iterable[_Union[Instance, _Mapping]]] = ..., health_check: _Optional[_Union[HealthCheck, _Mapping]] = ..., created_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., scheme: _Optional[str] = ...) -> None: ...

class CreateLoadBalancerRequest(_message.Message):
    __slots__ = ("load_balancer_name", "listeners", "availability_zones", "scheme")
    LOAD_BALANCER_NAME_FIELD_NUMBER: _ClassVar[int]
    LISTENERS_FIELD_NUMBER: _ClassVar[int]
    AVAILABILITY_ZONES_FIELD_NUMBER: _ClassVar[int]
    SCHEME_FIELD_NUMBER: _ClassVar[int]
    load_balancer_name: str
    listeners: _containers.RepeatedCompositeFieldContainer[Listener]
    availability_zones: _containers.RepeatedScalarFieldContainer[str]
    scheme: str
    def __init__(self, load_balancer_name: _Optional[str] = ..., listeners: _Optional[_Iterable[_Union[Listener, _Mapping]]] = ..., availability_zones: _Optional[_Iterable[str]] = ..., scheme: _Optional[str] = ...) -> None: ...

class CreateLoadBalancerResponse(_message.Message):
    __slots__ = ("dns_name",)
    DNS_NAME_FIELD_NUMBER: _ClassVar[int]
    dns_name: str
    def __init__(self, dns_name: _Optional[str] = ...) -> None: ...

class DeleteLoadBalancerRequest(_message.Message):
    __slots__ = ("load_balancer_name",)
    LOAD_BALANCER_NAME_FIELD_NUMBER: _ClassVar[int]
    load_balancer_name: str
    def __init__(self, load_balancer_name: _Optional[str] = ...) -> None: ...

class DeleteLoadBalancerResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class DescribeLoadBalancersRequest(_message.Message):
    __slots__ = ("load_balancer_names",)
    LOAD_BALANCER_NAMES_FIELD_NUMBER: _ClassVar[int]
    load_balancer_names: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, load_balancer_names: _Optional[_Iterable[str]] = ...) -> None: ...

class DescribeLoadBalancersResponse(_message.Message):
    __slots__ = ("load_balancer_descriptions",)
    LOAD_BALANCER_DESCRIPTIONS_FIELD_NUMBER: _ClassVar[int]
    load_balancer_descriptions: _containers.RepeatedCompositeFieldContainer[LoadBalancerDescription]
    def __init__(self, load_balancer_descriptions: _Optional[_Iterable[_Union[LoadBalancerDescription, _Mapping]]] = ...) -> None: ...

class CreateLoadBalancerListenersRequest(_message.Message):
    __slots__ = ("load_balancer_name", "listeners")
    LOAD_BALANCER_NAME_FIELD_NUMBER: _ClassVar[int]
    LISTENERS_FIELD_NUMBER: _ClassVar[int]
    load_balancer_name: str
    listeners: _containers.RepeatedCompositeFieldContainer[Listener]
    def __init__(self, load_balancer_name: _Optional[str] = ..., listeners: _Optional[_Iterable[_Union[Listener, _Mapping]]] = ...) -> None: ...

class CreateLoadBalancerListenersResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class DeleteLoadBalancerListenersRequest(_message.Message):
    __slots__ = ("load_balancer_name", "load_balancer_ports")
    LOAD_BALANCER_NAME_FIELD_NUMBER: _ClassVar[int]
    LOAD_BALANCER_PORTS_FIELD_NUMBER: _ClassVar[int]
    load_balancer_name: str
    load_balancer_ports: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, load_balancer_name: _Optional[str] = ..., load_balancer_ports: _Optional[_Iterable[int]] = ...) -> None: ...

class DeleteLoadBalancerListenersResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class RegisterInstancesRequest(_message.Message):
    __slots__ = ("load_balancer_name", "instances")
    LOAD_BALANCER_NAME_FIELD_NUMBER: _ClassVar[int]
    INSTANCES_FIELD_NUMBER: _ClassVar[int]
    load_balancer_name: str
    instances: _containers.RepeatedCompositeFieldContainer[Instance]
    def __init__(self, load_balancer_name: _Optional[str] = ..., instances: _Optional[_Iterable[_Union[Instance, _Mapping]]] = ...) -> None: ...

class RegisterInstancesResponse(_message.Message):
    __slots__ = ("instances",)
    INSTANCES_FIELD_NUMBER: _ClassVar[int]
    instances: _containers.RepeatedCompositeFieldContainer[Instance]
    def __init__(self, instances: _Optional[_Iterable[_Union[Instance, _Mapping]]] = ...) -> None: ...

class DeregisterInstancesRequest(_message.Message):
    __slots__ = ("load_balancer_name", "instances")
    LOAD_BALANCER_NAME_FIELD_NUMBER: _ClassVar[int]
    INSTANCES_FIELD_NUMBER: _ClassVar[int]
    load_balancer_name: str
    instances: _containers.RepeatedCompositeFieldContainer[Instance]
    def __init__(self, load_balancer_name: _Optional[str] = ..., instances: _Optional[_Iterable[_Union[Instance, _Mapping]]] = ...) -> None: ...

class DeregisterInstancesResponse(_message.Message):
    __slots__ = ("instances",)
    INSTANCES_FIELD_NUMBER: _ClassVar[int]
    instances: _containers.RepeatedCompositeFieldContainer[Instance]
    def __init__(self, instances: _Optional[_Iterable[_Union[Instance, _Mapping]]] = ...) -> None: ...

class ConfigureHealthCheckRequest(_message.Message):
    __slots__ = ("load_balancer_name", "health_check")
    LOAD_BALANCER_NAME_FIELD_NUMBER: _ClassVar[int]
    HEALTH_CHECK_FIELD_NUMBER: _ClassVar[int]
    load_balancer_name: str
    health_check: HealthCheck
    def __init__(self, load_balancer_name: _Optional[str] = ..., health_check: _Optional[_Union[HealthCheck, _Mapping]] = ...) -> None: ...

class ConfigureHealthCheckResponse(_message.Message):
    __slots__ = ("health_check",)
    HEALTH_CHECK_FIELD_NUMBER: _ClassVar[int]
    health_check: HealthCheck
    def __init__(self, health_check: _Optional[_Union[HealthCheck, _Mapping]] = ...) -> None: ...

class InstanceState(_message.Message):
    __slots__ = ("instance_id", "state", "reason_code", "description")
    INSTANCE_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    REASON_CODE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    instance_id: str
    state: str
    reason_code: str
    description: str
    def __init__(self, instance_id: _Optional[str] = ..., state: _Optional[str] = ..., reason_code: _Optional[str] = ..., description: _Optional[str] = ...) -> None: ...

class DescribeInstanceHealthRequest(_message.Message):
    __slots__ = ("load_balancer_name", "instances")
    LOAD_BALANCER_NAME_FIELD_NUMBER: _ClassVar[int]
    INSTANCES_FIELD_NUMBER: _ClassVar[int]
    load_balancer_name: str
    instances: _containers.RepeatedCompositeFieldContainer[Instance]
    def __init__(self, load_balancer_name: _Optional[str] = ..., instances: _Optional[_Iterable[_Union[Instance, _Mapping]]] = ...) -> None: ...

class DescribeInstanceHealthResponse(_message.Message):
    __slots__ = ("instance_states",)
    INSTANCE_STATES_FIELD_NUMBER: _ClassVar[int]
    instance_states: _containers.RepeatedCompositeFieldContainer[InstanceState]
    def __init__(self, instance_states: _Optional[_Iterable[_Union[InstanceState, _Mapping]]] = ...) -> None: ...

class AvailabilityZonesRequest(_message.Message):
    __slots__ = ("load_balancer_name", "availability_zones")
    LOAD_BALANCER_NAME_FIELD_NUMBER: _ClassVar[int]
    AVAILABILITY_ZONES_FIELD_NUMBER: _ClassVar[int]
    load_balancer_name: str
    availability_zones: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, load_balancer_name: _Optional[str] = ..., availability_zones: _Optional[_Iterable[str]] = ...) -> None: ...

class AvailabilityZonesResponse(_message.Message):
    __slots__ = ("availability_zones",)
    AVAILABILITY_ZONES_FIELD_NUMBER: _ClassVar[int]
    availability_zones: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, availability_zones: _Optional[_Iterable[str]] = ...) -> None: ...

class CrossZoneLoadBalancing(_message.Message):
    __slots__ = ("enabled",)
    ENABLED_FIELD_NUMBER: _ClassVar[int]
    enabled: bool
    def __init__(self, enabled: _Optional[bool] = ...) -> None: ...

class ConnectionDraining(_message.Message):
    __slots__ = ("enabled", "timeout")
    ENABLED_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_FIELD_NUMBER: _ClassVar[int]
    enabled: bool
    timeout: int
    def __init__(self, enabled: _Optional[bool] = ..., timeout: _Optional[int] = ...) -> None: ...

class ConnectionSettings(_message.Message):
    __slots__ = ("idle_timeout",)
    IDLE_TIMEOUT_FIELD_NUMBER: _ClassVar[int]
    idle_timeout: int
    def __init__(self, idle_timeout: _Optional[int] = ...) -> None: ...

class LoadBalancerAttributes(_message.Message):
    __slots__ = ("cross_zone_load_balancing", "connection_draining", "connection_settings")
    CROSS_ZONE_LOAD_BALANCING_FIELD_NUMBER: _ClassVar[int]
    CONNECTION_DRAINING_FIELD_NUMBER: _ClassVar[int]
    CONNECTION_SETTINGS_FIELD_NUMBER: _ClassVar[int]
    cross_zone_load_balancing: CrossZoneLoadBalancing
    connection_draining: ConnectionDraining
    connection_settings: ConnectionSettings
    def __init__(self, cross_zone_load_balancing: _Optional[_Union[CrossZoneLoadBalancing, _Mapping]] = ..., connection_draining: _Optional[_Union[ConnectionDraining, _Mapping]] = ..., connection_settings: _Optional[_Union[ConnectionSettings, _Mapping]] = ...) -> None: ...

class ModifyLoadBalancerAttributesRequest(_message.Message):
    __slots__ = ("load_balancer_name", "load_balancer_attributes")
    LOAD_BALANCER_NAME_FIELD_NUMBER: _ClassVar[int]
    LOAD_BALANCER_ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    load_balancer_name: str
    load_balancer_attributes: LoadBalancerAttributes
    def __init__(self, load_balancer_name: _Optional[str] = ..., load_balancer_attributes: _Optional[_Union[LoadBalancerAttributes, _Mapping]] = ...) -> None: ...

class ModifyLoadBalancerAttributesResponse(_message.Message):
    __slots__ = ("load_balancer_name", "load_balancer_attributes")
    LOAD_BALANCER_NAME_FIELD_NUMBER: _ClassVar[int]
    LOAD_BALANCER_ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    load_balancer_name: str
    load_balancer_attributes: LoadBalancerAttributes
    def __init__(self, load_balancer_name: _Optional[str] = ..., load_balancer_attributes: _Optional[_Union[LoadBalancerAttributes, _Mapping]] = ...) -> None: ...

class DescribeLoadBalancerAttributesRequest(_message.Message):
    __slots__ = ("load_balancer_name",)
    LOAD_BALANCER_NAME_FIELD_NUMBER: _ClassVar[int]
    load_balancer_name: str
    def __init__(self, load_balancer_name: _Optional[str] = ...) -> None: ...

class DescribeLoadBalancerAttributesResponse(_message.Message):
    __slots__ = ("load_balancer_attributes",)
    LOAD_BALANCER_ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    load_balancer_attributes: LoadBalancerAttributes
    def __init__(self, load_balancer_attributes: _Optional[_Union[LoadBalancerAttributes, _Mapping]] = ...) -> None: ...

class CreateLBCookieStickinessPolicyRequest(_message.Message):
    __slots__ = ("load_balancer_name", "policy_name", "cookie_expiration_period")
    LOAD_BALANCER_NAME_FIELD_NUMBER: _ClassVar[int]
    POLICY_NAME_FIELD_NUMBER: _ClassVar[int]
    COOKIE_EXPIRATION_PERIOD_FIELD_NUMBER: _ClassVar[int]
    load_balancer_name: str
    policy_name: str
    cookie_expiration_period: int
    def __init__(self, load_balancer_name: _Optional[str] = ..., policy_name: _Optional[str] = ..., cookie_expiration_period: _Optional[int] = ...) -> None: ...

class CreateAppCookieStickinessPolicyRequest(_message.Message):
    __slots__ = ("load_balancer_name", "policy_name", "cookie_name")
    LOAD_BALANCER_NAME_FIELD_NUMBER: _ClassVar[int]
    POLICY_NAME_FIELD_NUMBER: _ClassVar[int]
    COOKIE_NAME_FIELD_NUMBER: _ClassVar[int]
    load_balancer_name: str
    policy_name: str
    cookie_name: str
    def __init__(self, load_balancer_name: _Optional[str] = ..., policy_name: _Optional[str] = ..., cookie_name: _Optional[str] = ...) -> None: ...

class CreateStickinessPolicyResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class SetLoadBalancerPoliciesOfListenerRequest(_message.Message):
    __slots__ = ("load_balancer_name", "load_balancer_port", "policy_names")
    LOAD_BALANCER_NAME_FIELD_NUMBER: _ClassVar[int]
    LOAD_BALANCER_PORT_FIELD_NUMBER: _ClassVar[int]
    POLICY_NAMES_FIELD_NUMBER: _ClassVar[int]
    load_balancer_name: str
    load_balancer_port: int
    policy_names: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, load_balancer_name: _Optional[str] = ..., load_balancer_port: _Optional[int] = ..., policy_names: _Optional[_Iterable[str]] = ...) -> None: ...

class SetLoadBalancerPoliciesOfListenerResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class AzHostCount(_message.Message):
    __slots__ = ("availability_zone", "healthy_host_count", "unhealthy_host_count")
    AVAILABILITY_ZONE_FIELD_NUMBER: _ClassVar[int]
    HEALTHY_HOST_COUNT_FIELD_NUMBER: _ClassVar[int]
    UNHEALTHY_HOST_COUNT_FIELD_NUMBER: _ClassVar[int]
    availability_zone: str
    healthy_host_count: int
    unhealthy_host_count: int
    def __init__(self, availability_zone: _Optional[str] = ..., healthy_host_count: _Optional[int] = ..., unhealthy_host_count: _Optional[int] = ...) -> None: ...

class DescribeLoadBalancerCountersRequest(_message.Message):
    __slots__ = ("load_balancer_name",)
    LOAD_BALANCER_NAME_FIELD_NUMBER: _ClassVar[int]
    load_balancer_name: str
    def __init__(self, load_balancer_name: _Optional[str] = ...) -> None: ...

class DescribeLoadBalancerCountersResponse(_message.Message):
    __slots__ = ("load_balancer_name", "request_count", "http_code_backend_2xx", "http_code_backend_3xx", "http_code_backend_4xx", "http_code_backend_5xx", "http_code_elb_4xx", "http_code_elb_5xx", "backend_connection_errors", "tcp_connections", "host_counts")
    LOAD_BALANCER_NAME_FIELD_NUMBER: _ClassVar[int]
    REQUEST_COUNT_FIELD_NUMBER: _ClassVar[int]
    HTTP_CODE_BACKEND_2XX_FIELD_NUMBER: _ClassVar[int]
    HTTP_CODE_BACKEND_3XX_FIELD_NUMBER: _ClassVar[int]
    HTTP_CODE_BACKEND_4XX_FIELD_NUMBER: _ClassVar[int]
    HTTP_CODE_BACKEND_5XX_FIELD_NUMBER: _ClassVar[int]
    HTTP_CODE_ELB_4XX_FIELD_NUMBER: _ClassVar[int]
    HTTP_CODE_ELB_5XX_FIELD_NUMBER: _ClassVar[int]
    BACKEND_CONNECTION_ERRORS_FIELD_NUMBER: _ClassVar[int]
    TCP_CONNECTIONS_FIELD_NUMBER: _ClassVar[int]
    HOST_COUNTS_FIELD_NUMBER: _ClassVar[int]
    load_balancer_name: str
    request_count: int
    http_code_backend_2xx: int
    http_code_backend_3xx: int
    http_code_backend_4xx: int
    http_code_backend_5xx: int
    http_code_elb_4xx: int
    http_code_elb_5xx: int
    backend_connection_errors: int
    tcp_connections: int
    host_counts: _containers.RepeatedCompositeFieldContainer[AzHostCount]
    def __init__(self, load_balancer_name: _Optional[str] = ..., request_count: _Optional[int] = ..., http_code_backend_2xx: _Optional[int] = ..., http_code_backend_3xx: _Optional[int] = ..., http_code_backend_4xx: _Optional[int] = ..., http_code_backend_5xx: _Optional[int] = ..., http_code_elb_4xx: _Optional[int] = ..., http_code_elb_5xx: _Optional[int] = ..., backend_connection_errors: _Optional[int] = ..., tcp_connections: _Optional[int] = ..., host_counts: _Optional[_Iterable[_Union[AzHostCount, _Mapping]]] = ...) -> None: ...

class LoadBalancerNode(_message.Message):
    __slots__ = ("availability_zone", "address", "state", "in_dns", "routable_targets", "errors")
    AVAILABILITY_ZONE_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    IN_DNS_FIELD_NUMBER: _ClassVar[int]
    ROUTABLE_TARGETS_FIELD_NUMBER: _ClassVar[int]
    ERRORS_FIELD_NUMBER: _ClassVar[int]
    availability_zone: str
    address: str
    state: str
    in_dns: bool
    routable_targets: int
    errors: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, availability_zone: _Optional[str] = ..., address: _Optional[str] = ..., state: _Optional[str] = ..., in_dns: _Optional[bool] = ..., routable_targets: _Optional[int] = ..., errors: _Optional[_Iterable[str]] = ...) -> None: ...

class DescribeLoadBalancerNodesRequest(_message.Message):
    __slots__ = ("load_balancer_name",)
    LOAD_BALANCER_NAME_FIELD_NUMBER: _ClassVar[int]
    load_balancer_name: str
    def __init__(self, load_balancer_name: _Optional[str] = ...) -> None: ...

class DescribeLoadBalancerNodesResponse(_message.Message):
    __slots__ = ("nodes",)
    NODES_FIELD_NUMBER: _ClassVar[int]
    nodes: _containers.RepeatedCompositeFieldContainer[LoadBalancerNode]
    def __init__(self, nodes: _Optional[_Iterable[_Union[LoadBalancerNode, _Mapping]]] = ...) -> None: ...

class ServerCertificateMetadata(_message.Message):
    __slots__ = ("server_certificate_name", "arn", "upload_date", "expiration")
    SERVER_CERTIFICATE_NAME_FIELD_NUMBER: _ClassVar[int]
    ARN_FIELD_NUMBER: _ClassVar[int]
    UPLOAD_DATE_FIELD_NUMBER: _ClassVar[int]
    EXPIRATION_FIELD_NUMBER: _ClassVar[int]
    server_certificate_name: str
    arn: str
    upload_date: _timestamp_pb2.Timestamp
    expiration: _timestamp_pb2.Timestamp
    def __init__(self, server_certificate_name: _Optional[str] = ..., arn: _Optional[str] = ..., upload_date: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., expiration: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class UploadServerCertificateRequest(_message.Message):
    __slots__ = ("server_certificate_name", "certificate_body", "private_key", "certificate_chain")
    SERVER_CERTIFICATE_NAME_FIELD_NUMBER: _ClassVar[int]
    CERTIFICATE_BODY_FIELD_NUMBER: _ClassVar[int]
    PRIVATE_KEY_FIELD_NUMBER: _ClassVar[int]
    CERTIFICATE_CHAIN_FIELD_NUMBER: _ClassVar[int]
    server_certificate_name: str
    certificate_body: str
    private_key: str
    certificate_chain: str
    def __init__(self, server_certificate_name: _Optional[str] = ..., certificate_body: _Optional[str] = ..., private_key: _Optional[str] = ..., certificate_chain: _Optional[str] = ...) -> None: ...

class IssueCertificateRequest(_message.Message):
    __slots__ = ("server_certificate_name", "domain_names")
    SERVER_CERTIFICATE_NAME_FIELD_NUMBER: _ClassVar[int]
    DOMAIN_NAMES_FIELD_NUMBER: _ClassVar[int]
    server_certificate_name: str
    domain_names: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, server_certificate_name: _Optional[str] = ..., domain_names: _Optional[_Iterable[str]] = ...) -> None: ...

class ServerCertificateResponse(_message.Message):
    __slots__ = ("server_certificate_metadata", "certificate_body", "certificate_chain")
    SERVER_CERTIFICATE_METADATA_FIELD_NUMBER: _ClassVar[int]
    CERTIFICATE_BODY_FIELD_NUMBER: _ClassVar[int]
    CERTIFICATE_CHAIN_FIELD_NUMBER: _ClassVar[int]
    server_certificate_metadata: ServerCertificateMetadata
    certificate_body: str
    certificate_chain: str
    def __init__(self, server_certificate_metadata: _Optional[_Union[ServerCertificateMetadata, _Mapping]] = ..., certificate_body: _Optional[str] = ..., certificate_chain: _Optional[str] = ...) -> None: ...

class ListServerCertificatesRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListServerCertificatesResponse(_message.Message):
    __slots__ = ("server_certificate_metadata_list",)
    SERVER_CERTIFICATE_METADATA_LIST_FIELD_NUMBER: _ClassVar[int]
    server_certificate_metadata_list: _containers.RepeatedCompositeFieldContainer[ServerCertificateMetadata]
    def __init__(self, server_certificate_metadata_list: _Optional[_Iterable[_Union[ServerCertificateMetadata, _Mapping]]] = ...) -> None: ...

class DeleteServerCertificateRequest(_message.Message):
    __slots__ = ("server_certificate_name",)
    SERVER_CERTIFICATE_NAME_FIELD_NUMBER: _ClassVar[int]
    server_certificate_name: str
    def __init__(self, server_certificate_name: _Optional[str] = ...) -> None: ...

class DeleteServerCertificateResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

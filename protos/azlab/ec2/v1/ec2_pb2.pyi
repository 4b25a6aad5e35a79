import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Filter(_message.Message):
    __slots__ = ("name", "values")
    NAME_FIELD_NUMBER: _ClassVar[int]
    VALUES_FIELD_NUMBER: _ClassVar[int]
    name: str
    values: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, name: _Optional[str] = ..., values: _Optional[_Iterable[str]] = ...) -> None: ...

class Tag(_message.Message):
    __slots__ = ("key", "value")
    KEY_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    key: str
    value: str
    def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...

class TagSpecification(_message.Message):
    __slots__ = ("resource_type", "tags")
    RESOURCE_TYPE_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    resource_type: str
    tags: _containers.RepeatedCompositeFieldContainer[Tag]
    def __init__(self, resource_type: _Optional[str] = ..., tags: _Optional[_Iterable[_Union[Tag, _Mapping]]] = ...) -> None: ...

class Placement(_message.Message):
    __slots__ = ("availability_zone", "tenancy", "host_id")
    AVAILABILITY_ZONE_FIELD_NUMBER: _ClassVar[int]
    TENANCY_FIELD_NUMBER: _ClassVar[int]
    HOST_ID_FIELD_NUMBER: _ClassVar[int]
    availability_zone: str
    tenancy: str
    host_id: str
    def __init__(self, availability_zone: _Optional[str] = ..., tenancy: _Optional[str] = ..., host_id: _Optional[str] = ...) -> None: ...

class SpotOptions(_message.Message):
    __slots__ = ("max_price",)
    MAX_PRICE_FIELD_NUMBER: _ClassVar[int]
    max_price: str
    def __init__(self, max_price: _Optional[str] = ...) -> None: ...

class InstanceMarketOptions(_message.Message):
    __slots__ = ("market_type", "spot_options")
    MARKET_TYPE_FIELD_NUMBER: _ClassVar[int]
    SPOT_OPTIONS_FIELD_NUMBER: _ClassVar[int]
    market_type: str
    spot_options: SpotOptions
    def __init__(self, market_type: _Optional[str] = ..., spot_options: _Optional[_Union[SpotOptions, _Mapping]] = ...) -> None: ...

class RunInstancesRequest(_message.Message):
    __slots__ = ("image_id", "instance_type", "min_count", "max_count", "placement", "subnet_id", "key_name", "security_group_ids", "user_data", "tag_specifications", "instance_market_options", "client_token")
    IMAGE_ID_FIELD_NUMBER: _ClassVar[int]
    INSTANCE_TYPE_FIELD_NUMBER: _ClassVar[int]
    MIN_COUNT_FIELD_NUMBER: _ClassVar[int]
    MAX_COUNT_FIELD_NUMBER: _ClassVar[int]
    PLACEMENT_FIELD_NUMBER: _ClassVar[int]
    SUBNET_ID_FIELD_NUMBER: _ClassVar[int]
    KEY_NAME_FIELD_NUMBER: _ClassVar[int]
    SECURITY_GROUP_IDS_FIELD_NUMBER: _ClassVar[int]
    USER_DATA_FIELD_NUMBER: _ClassVar[int]
    TAG_SPECIFICATIONS_FIELD_NUMBER: _ClassVar[int]
    INSTANCE_MARKET_OPTIONS_FIELD_NUMBER: _ClassVar[int]
    CLIENT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    image_id: str
    instance_type: str
    min_count: int
    max_count: int
    placement: Placement
    subnet_id: str
    key_name: str
    security_group_ids: _containers.RepeatedScalarFieldContainer[str]
    user_data: bytes
    tag_specifications: _containers.RepeatedCompositeFieldContainer[TagSpecification]
    instance_market_options: InstanceMarketOptions
    client_token: str
    def __init__(self, image_id: _Optional[str] = ..., instance_type: _Optional[str] = ..., min_count: _Optional[int] = ..., max_count: _Optional[int] = ..., placement: _Optional[_Union[Placement, _Mapping]] = ..., subnet_id: _Optional[str] = ..., key_name: _Optional[str] = ..., security_group_ids: _Optional[_Iterable[str]] = ..., user_data: _Optional[bytes] = ..., tag_specifications: _Optional[_Iterable[_Union[TagSpecification, _Mapping]]] = ..., instance_market_options: _Optional[_Union[InstanceMarketOptions, _Mapping]] = ..., client_token: _Optional[str] = ...) -> None: ...

class InstanceState(_message.Message):
    __slots__ = ("code", "name")
    CODE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    code: int
    name: str
    def __init__(self, code: _Optional[int] = ..., name: _Optional[str] = ...) -> None: ...

class GroupIdentifier(_message.Message):
    __slots__ = ("group_id", "group_name")
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    GROUP_NAME_FIELD_NUMBER: _ClassVar[int]
    group_id: str
    group_name: str
    def __init__(self, group_id: _Optional[str] = ..., group_name: _Optional[str] = ...) -> None: ...

class ResourceLimits(_message.Message):
    __slots__ = ("vcpus", "memory_mib", "enforced", "detail")
    VCPUS_FIELD_NUMBER: _ClassVar[int]
    MEMORY_MIB_FIELD_NUMBER: _ClassVar[int]
    ENFORCED_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    vcpus: int
    memory_mib: int
    enforced: bool
    detail: str
    def __init__(self, vcpus: _Optional[int] = ..., memory_mib: _Optional[int] = ..., enforced: _Optional[bool] = ..., detail: _Optional[str] = ...) -> None: ...

class Instance(_message.Message):
    __slots__ = ("instance_id", "image_id", "instance_type", "state", "state_transition_reason", "placement", "private_ip_address", "public_ip_address", "key_name", "security_groups", "tags", "launch_time", "instance_lifecycle", "spot_max_price", "architecture", "virtualization_type", "ami_launch_index", "subnet_id", "resource_limits", "security_groups_enforced", "metadata_endpoint", "backend", "root_device_type", "root_device_name", "block_device_mappings")
    INSTANCE_ID_FIELD_NUMBER: _ClassVar[int]
    IMAGE_ID_FIELD_NUMBER: _ClassVar[int]
    INSTANCE_TYPE_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    STATE_TRANSITION_REASON_FIELD_NUMBER: _ClassVar[int]
    PLACEMENT_FIELD_NUMBER: _ClassVar[int]
    PRIVATE_IP_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    PUBLIC_IP_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    KEY_NAME_FIELD_NUMBER: _ClassVar[int]
    SECURITY_GROUPS_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    LAUNCH_TIME_FIELD_NUMBER: _ClassVar[int]
    INSTANCE_LIFECYCLE_FIELD_NUMBER: _ClassVar[int]
    SPOT_MAX_PRICE_FIELD_NUMBER: _ClassVar[int]
    ARCHITECTURE_FIELD_NUMBER: _ClassVar[int]
    VIRTUALIZATION_TYPE_FIELD_NUMBER: _ClassVar[int]
    AMI_LAUNCH_INDEX_FIELD_NUMBER: _ClassVar[int]
    SUBNET_ID_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_LIMITS_FIELD_NUMBER: _ClassVar[int]
    SECURITY_GROUPS_ENFORCED_FIELD_NUMBER: _ClassVar[int]
    METADATA_ENDPOINT_FIELD_NUMBER: _ClassVar[int]
    BACKEND_FIELD_NUMBER: _ClassVar[int]
    ROOT_DEVICE_TYPE_FIELD_NUMBER: _ClassVar[int]
    ROOT_DEVICE_NAME_FIELD_NUMBER: _ClassVar[int]
    BLOCK_DEVICE_MAPPINGS_FIELD_NUMBER: _ClassVar[int]
    instance_id: str
    image_id: str
    instance_type: str
    state: InstanceState
    state_transition_reason: str
    placement: Placement
    private_ip_address: str
    public_ip_address: str
    key_name: str
    security_groups: _containers.RepeatedCompositeFieldContainer[GroupIdentifier]
    tags: _containers.RepeatedCompositeFieldContainer[Tag]
    launch_time: _timestamp_pb2.Timestamp
    instance_lifecycle: str
    spot_max_price: str
    architecture: str
    virtualization_type: str
    ami_launch_index: int
    subnet_id: str
    resource_limits: ResourceLimits
    security_groups_enforced: bool
    metadata_endpoint: str
    backend: str
    root_device_type: str
    root_device_name: str
    block_device_mappings: _containers.RepeatedCompositeFieldContainer[InstanceBlockDevice]
    def __init__(self, instance_id: _Optional[str] = ..., image_id: _Optional[str] = ..., instance_type: _Optional[str] = ..., state: _Optional[_Union[InstanceState, _Mapping]] = ..., state_transition_reason: _Optional[str] = ..., placement: _Optional[_Union[Placement, _Mapping]] = ..., private_ip_address: _Optional[str] = ..., public_ip_address: _Optional[str] = ..., key_name: _Optional[str] = ..., security_groups: _Optional[_Iterable[_Union[GroupIdentifier, _Mapping]]] = ..., tags: _Optional[_Iterable[_Union[Tag, _Mapping]]] = ..., launch_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., instance_lifecycle: _Optional[str] = ..., spot_max_price: _Optional[str] = ..., architecture: _Optional[str] = ..., virtualization_type: _Optional[str] = ..., ami_launch_index: _Optional[int] = ..., subnet_id: _Optional[str] = ..., resource_limits: _Optional[_Union[ResourceLimits, _Mapping]] = ..., security_groups_enforced: _Optional[bool] = ..., metadata_endpoint: _Optional[str] = ..., backend: _Optional[str] = ..., root_device_type: _Optional[str] = ..., root_device_name: _Optional[str] = ..., block_device_mappings: _Optional[_Iterable[_Union[InstanceBlockDevice, _Mapping]]] = ...) -> None: ...

class InstanceBlockDevice(_message.Message):
    __slots__ = ("device_name", "volume_id", "status", "attach_time", "delete_on_termination")
    DEVICE_NAME_FIELD_NUMBER: _ClassVar[int]
    VOLUME_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ATTACH_TIME_FIELD_NUMBER: _ClassVar[int]
    DELETE_ON_TERMINATION_FIELD_NUMBER: _ClassVar[int]
    device_name: str
    volume_id: str
    status: str
    attach_time: _timestamp_pb2.Timestamp
    delete_on_termination: bool
    def __init__(self, device_name: _Optional[str] = ..., volume_id: _Optional[str] = ..., status: _Optional[str] = ..., attach_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., delete_on_termination: _Optional[bool] = ...) -> None: ...

class Reservation(_message.Message):
    __slots__ = ("reservation_id", "owner_id", "instances")
    RESERVATION_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    INSTANCES_FIELD_NUMBER: _ClassVar[int]
    reservation_id: str
    owner_id: str
    instances: _containers.RepeatedCompositeFieldContainer[Instance]
    def __init__(self, reservation_id: _Optional[str] = ..., owner_id: _Optional[str] = ..., instances: _Optional[_Iterable[_Union[Instance, _Mapping]]] = ...) -> None: ...

class DescribeInstancesRequest(_message.Message):
    __slots__ = ("instance_ids", "filters", "max_results", "next_token")
    INSTANCE_IDS_FIELD_NUMBER: _ClassVar[int]
    FILTERS_FIELD_NUMBER: _ClassVar[int]
    MAX_RESULTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    instance_ids: _containers.RepeatedScalarFieldContainer[str]
    filters: _containers.RepeatedCompositeFieldContainer[Filter]
    max_results: int
    next_token: str
    def __init__(self, instance_ids: _Optional[_Iterable[str]] = ..., filters: _Optional[_Iterable[_Union[Filter, _Mapping]]] = ..., max_results: _Optional[int] = ..., next_token: _Optional[str] = ...) -> None: ...

class DescribeInstancesResponse(_message.Message):
    __slots__ = ("reservations", "next_token")
    RESERVATIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    reservations: _containers.RepeatedCompositeFieldContainer[Reservation]
    next_token: str
    def __init__(self, reservations: _Optional[_Iterable[_Union[Reservation, _Mapping]]] = ..., next_token: _Optional[str] = ...) -> None: ...

class InstanceStatusDetail(_message.Message):
    __slots__ = ("name", "status")
    NAME_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    name: str
    status: str
    def __init__(self, name: _Optional[str] = ..., status: _Optional[str] = ...) -> None: ...

class InstanceStatusSummary(_message.Message):
    __slots__ = ("status", "details")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    DETAILS_FIELD_NUMBER: _ClassVar[int]
    status: str
    details: _containers.RepeatedCompositeFieldContainer[InstanceStatusDetail]
    def __init__(self, status: _Optional[str] = ..., details: _Optional[_Iterable[_Union[InstanceStatusDetail, _Mapping]]] = ...) -> None: ...

class InstanceStatus(_message.Message):
    __slots__ = ("instance_id", "availability_zone", "instance_state", "system_status", "instance_status")
    INSTANCE_ID_FIELD_NUMBER: _ClassVar[int]
    AVAILABILITY_ZONE_FIELD_NUMBER: _ClassVar[int]
    INSTANCE_STATE_FIELD_NUMBER: _ClassVar[int]
    SYSTEM_STATUS_FIELD_NUMBER: _ClassVar[int]
    INSTANCE_STATUS_FIELD_NUMBER: _ClassVar[int]
    instance_id: str
    availability_zone: str
    instance_state: InstanceState
    system_status: InstanceStatusSummary
    instance_status: InstanceStatusSummary
    def __init__(self, instance_id: _Optional[str] = ..., availability_zone: _Optional[str] = ..., instance_state: _Optional[_Union[InstanceState, _Mapping]] = ..., system_status: _Optional[_Union[InstanceStatusSummary, _Mapping]] = ..., instance_status: _Optional[_Union[InstanceStatusSummary, _Mapping]] = ...) -> None: ...

class DescribeInstanceStatusRequest(_message.Message):
    __slots__ = ("instance_ids", "include_all_instances")
    INSTANCE_IDS_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_ALL_INSTANCES_FIELD_NUMBER: _ClassVar[int]
    instance_ids: _containers.RepeatedScalarFieldContainer[str]
    include_all_instances: bool
    def __init__(self, instance_ids: _Optional[_Iterable[str]] = ..., include_all_instances: _Optional[bool] = ...) -> None: ...

class DescribeInstanceStatusResponse(_message.Message):
    __slots__ = ("instance_statuses",)
    INSTANCE_STATUSES_FIELD_NUMBER: _ClassVar[int]
    instance_statuses: _containers.RepeatedCompositeFieldContainer[InstanceStatus]
    def __init__(self, instance_statuses: _Optional[_Iterable[_Union[InstanceStatus, _Mapping]]] = ...) -> None: ...

class InstanceIdsRequest(_message.Message):
    __slots__ = ("instance_ids",)
    INSTANCE_IDS_FIELD_NUMBER: _ClassVar[int]
    instance_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, instance_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class InstanceStateChange(_message.Message):
    __slots__ = ("instance_id", "previous_state", "current_state")
    INSTANCE_ID_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_STATE_FIELD_NUMBER: _ClassVar[int]
    CURRENT_STATE_FIELD_NUMBER: _ClassVar[int]
    instance_id: str
    previous_state: InstanceState
    current_state: InstanceState
    def __init__(self, instance_id: _Optional[str] = ..., previous_state: _Optional[_Union[InstanceState, _Mapping]] = ..., current_state: _Optional[_Union[InstanceState, _Mapping]] = ...) -> None: ...

class InstanceStateChangesResponse(_message.Message):
    __slots__ = ("instances",)
    INSTANCES_FIELD_NUMBER: _ClassVar[int]
    instances: _containers.RepeatedCompositeFieldContainer[InstanceStateChange]
    def __init__(self, instances: _Optional[_Iterable[_Union[InstanceStateChange, _Mapping]]] = ...) -> None: ...

class RebootInstancesResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetConsoleOutputRequest(_message.Message):
    __slots__ = ("instance_id",)
    INSTANCE_ID_FIELD_NUMBER: _ClassVar[int]
    instance_id: str
    def __init__(self, instance_id: _Optional[str] = ...) -> None: ...

class GetConsoleOutputResponse(_message.Message):
    __slots__ = ("instance_id", "output", "timestamp")
    INSTANCE_ID_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    instance_id: str
    output: str
    timestamp: _timestamp_pb2.Timestamp
    def __init__(self, instance_id: _Optional[str] = ..., output: _Optional[str] = ..., timestamp: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class InstanceTypeInfo(_message.Message):
    __slots__ = ("instance_type", "family", "vcpus", "memory_mib", "gpus", "on_demand_price")
    INSTANCE_TYPE_FIELD_NUMBER: _ClassVar[int]
    FAMILY_FIELD_NUMBER: _ClassVar[int]
    VCPUS_FIELD_NUMBER: _ClassVar[int]
    MEMORY_MIB_FIELD_NUMBER: _ClassVar[int]
    GPUS_FIELD_NUMBER: _ClassVar[int]
    ON_DEMAND_PRICE_FIELD_NUMBER: _ClassVar[int]
    instance_type: str
    family: str
    vcpus: int
    memory_mib: int
    gpus: int
    on_demand_price: str
    def __init__(self, instance_type: _Optional[str] = ..., family: _Optional[str] = ..., vcpus: _Optional[int] = ..., memory_mib: _Optional[int] = ..., gpus: _Optional[int] = ..., on_demand_price: _Optional[str] = ...) -> None: ...

class DescribeInstanceTypesRequest(_message.Message):
    __slots__ = ("instance_types",)
    INSTANCE_TYPES_FIELD_NUMBER: _ClassVar[int]
    instance_types: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, instance_types: _Optional[_Iterable[str]] = ...) -> None: ...

class DescribeInstanceTypesResponse(_message.Message):
    __slots__ = ("instance_types",)
    INSTANCE_TYPES_FIELD_NUMBER: _ClassVar[int]
    instance_types: _containers.RepeatedCompositeFieldContainer[InstanceTypeInfo]
    def __init__(self, instance_types: _Optional[_Iterable[_Union[InstanceTypeInfo, _Mapping]]] = ...) -> None: ...

class Image(_message.Message):
    __slots__ = ("image_id", "name", "description", "state", "architecture", "virtualization_type", "kernel_id", "ramdisk_id", "root_device_name", "image_location", "backends", "source_instance_id", "owner_id", "creation_date", "root_device_type")
    IMAGE_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    ARCHITECTURE_FIELD_NUMBER: _ClassVar[int]
    VIRTUALIZATION_TYPE_FIELD_NUMBER: _ClassVar[int]
    KERNEL_ID_FIELD_NUMBER: _ClassVar[int]
    RAMDISK_ID_FIELD_NUMBER: _ClassVar[int]
    ROOT_DEVICE_NAME_FIELD_NUMBER: _ClassVar[int]
    IMAGE_LOCATION_FIELD_NUMBER: _ClassVar[int]
    BACKENDS_FIELD_NUMBER: _ClassVar[int]
    SOURCE_INSTANCE_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    CREATION_DATE_FIELD_NUMBER: _ClassVar[int]
    ROOT_DEVICE_TYPE_FIELD_NUMBER: _ClassVar[int]
    image_id: str
    name: str
    description: str
    state: str
    architecture: str
    virtualization_type: str
    kernel_id: str
    ramdisk_id: str
    root_device_name: str
    image_location: str
    backends: _containers.RepeatedScalarFieldContainer[str]
    source_instance_id: str
    owner_id: str
    creation_date: _timestamp_pb2.Timestamp
    root_device_type: str
    def __init__(self, image_id: _Optional[str] = ..., name: _Optional[str] = ..., description: _Optional[str] = ..., state: _Optional[str] = ..., architecture: _Optional[str] = ..., virtualization_type: _Optional[str] = ..., kernel_id: _Optional[str] = ..., ramdisk_id: _Optional[str] = ..., root_device_name: _Optional[str] = ..., image_location: _Optional[str] = ..., backends: _Optional[_Iterable[str]] = ..., source_instance_id: _Optional[str] = ..., owner_id: _Optional[str] = ..., creation_date: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., root_device_type: _Optional[str] = ...) -> None: ...

class RegisterImageRequest(_message.Message):
    __slots__ = ("name", "description", "architecture", "virtualization_type", "kernel_id", "ramdisk_id", "root_device_name", "image_location")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    ARCHITECTURE_FIELD_NUMBER: _ClassVar[int]
    VIRTUALIZATION_TYPE_FIELD_NUMBER: _ClassVar[int]
    KERNEL_ID_FIELD_NUMBER: _ClassVar[int]
    RAMDISK_ID_FIELD_NUMBER: _ClassVar[int]
    ROOT_DEVICE_NAME_FIELD_NUMBER: _ClassVar[int]
    IMAGE_LOCATION_FIELD_NUMBER: _ClassVar[int]
    name: str
    description: str
    architecture: str
    virtualization_type: str
    kernel_id: str
    ramdisk_id: str
    root_device_name: str
    image_location: str
    def __init__(self, name: _Optional[str] = ..., description: _Optional[str] = ..., architecture: _Optional[str] = ..., virtualization_type: _Optional[str] = ..., kernel_id: _Optional[str] = ..., ramdisk_id: _Optional[str] = ..., root_device_name: _Optional[str] = ..., image_location: _Optional[str] = ...) -> None: ...

class CreateImageRequest(_message.Message):
    __slots__ = ("instance_id", "name", "description")
    INSTANCE_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    instance_id: str
    name: str
    description: str
    def __init__(self, instance_id: _Optional[str] = ..., name: _Optional[str] = ..., description: _Optional[str] = ...) -> None: ...

class ImageIdResponse(_message.Message):
    __slots__ = ("image_id",)
    IMAGE_ID_FIELD_NUMBER: _ClassVar[int]
    image_id: str
    def __init__(self, image_id: _Optional[str] = ...) -> None: ...

class DescribeImagesRequest(_message.Message):
    __slots__ = ("image_ids", "filters")
    IMAGE_IDS_FIELD_NUMBER: _ClassVar[int]
    FILTERS_FIELD_NUMBER: _ClassVar[int]
    image_ids: _containers.RepeatedScalarFieldContainer[str]
    filters: _containers.RepeatedCompositeFieldContainer[Filter]
    def __init__(self, image_ids: _Optional[_Iterable[str]] = ..., filters: _Optional[_Iterable[_Union[Filter, _Mapping]]] = ...) -> None: ...

class DescribeImagesResponse(_message.Message):
    __slots__ = ("images",)
    IMAGES_FIELD_NUMBER: _ClassVar[int]
    images: _containers.RepeatedCompositeFieldContainer[Image]
    def __init__(self, images: _Optional[_Iterable[_Union[Image, _Mapping]]] = ...) -> None: ...

class DeregisterImageRequest(_message.Message):
    __slots__ = ("image_id",)
    IMAGE_ID_FIELD_NUMBER: _ClassVar[int]
    image_id: str
    def __init__(self, image_id: _Optional[str] = ...) -> None: ...

class DeregisterImageResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class VolumeAttachment(_message.Message):
    __slots__ = ("volume_id", "instance_id", "device", "state", "attach_time", "delete_on_termination")
    VOLUME_ID_FIELD_NUMBER: _ClassVar[int]
    INSTANCE_ID_FIELD_NUMBER: _ClassVar[int]
    DEVICE_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    ATTACH_TIME_FIELD_NUMBER: _ClassVar[int]
    DELETE_ON_TERMINATION_FIELD_NUMBER: _ClassVar[int]
    volume_id: str
    instance_id: str
    device: str
    state: str
    attach_time: _timestamp_pb2.Timestamp
    delete_on_termination: bool
    def __init__(self, volume_id: _Optional[str] = ..., instance_id: _Optional[str] = ..., device: _Optional[str] = ..., state: _Optional[str] = ..., attach_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., delete_on_termination: _Optional[bool] = ...) -> None: ...

class Volume(_message.Message):
    __slots__ = ("volume_id", "size", "snapshot_id", "availability_zone", "state", "create_time", "attachments", "volume_type", "iops", "tags", "burst_iops", "status")
    VOLUME_ID_FIELD_NUMBER: _ClassVar[int]
    SIZE_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_ID_FIELD_NUMBER: _ClassVar[int]
    AVAILABILITY_ZONE_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    ATTACHMENTS_FIELD_NUMBER: _ClassVar[int]
    VOLUME_TYPE_FIELD_NUMBER: _ClassVar[int]
    IOPS_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    BURST_IOPS_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    volume_id: str
    size: int
    snapshot_id: str
    availability_zone: str
    state: str
    create_time: _timestamp_pb2.Timestamp
    attachments: _containers.RepeatedCompositeFieldContainer[VolumeAttachment]
    volume_type: str
    iops: int
    tags: _containers.RepeatedCompositeFieldContainer[Tag]
    burst_iops: int
    status: str
    def __init__(self, volume_id: _Optional[str] = ..., size: _Optional[int] = ..., snapshot_id: _Optional[str] = ..., availability_zone: _Optional[str] = ..., state: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., attachments: _Optional[_Iterable[_Union[VolumeAttachment, _Mapping]]] = ..., volume_type: _Optional[str] = ..., iops: _Optional[int] = ..., tags: _Optional[_Iterable[_Union[Tag, _Mapping]]] = ..., burst_iops: _Optional[int] = ..., status: _Optional[str] = ...) -> None: ...

class CreateVolumeRequest(_message.Message):
    __slots__ = ("availability_zone", "size", "snapshot_id", "volume_type", "iops", "tag_specifications")
    AVAILABILITY_ZONE_FIELD_NUMBER: _ClassVar[int]
    SIZE_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_ID_FIELD_NUMBER: _ClassVar[int]
    VOLUME_TYPE_FIELD_NUMBER: _ClassVar[int]
    IOPS_FIELD_NUMBER: _ClassVar[int]
    TAG_SPECIFICATIONS_FIELD_NUMBER: _ClassVar[int]
    availability_zone: str
    size: int
    snapshot_id: str
    volume_type: str
    iops: int
    tag_specifications: _containers.RepeatedCompositeFieldContainer[TagSpecification]
    def __init__(self, availability_zone: _Optional[str] = ..., size: _Optional[int] = ..., snapshot_id: _Optional[str] = ..., volume_type: _Optional[str] = ..., iops: _Optional[int] = ..., tag_specifications: _Optional[_Iterable[_Union[TagSpecification, _Mapping]]] = ...) -> None: ...

class DeleteVolumeRequest(_message.Message):
    __slots__ = ("volume_id",)
    VOLUME_ID_FIELD_NUMBER: _ClassVar[int]
    volume_id: str
    def __init__(self, volume_id: _Optional[str] = ...) -> None: ...

class DeleteVolumeResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class AttachVolumeRequest(_message.Message):
    __slots__ = ("volume_id", "instance_id", "device")
    VOLUME_ID_FIELD_NUMBER: _ClassVar[int]
    INSTANCE_ID_FIELD_NUMBER: _ClassVar[int]
    DEVICE_FIELD_NUMBER: _ClassVar[int]
    volume_id: str
    instance_id: str
    device: str
    def __init__(self, volume_id: _Optional[str] = ..., instance_id: _Optional[str] = ..., device: _Optional[str] = ...) -> None: ...

class DetachVolumeRequest(_message.Message):
    __slots__ = ("volume_id", "instance_id", "device", "force")
    VOLUME_ID_FIELD_NUMBER: _ClassVar[int]
    INSTANCE_ID_FIELD_NUMBER: _ClassVar[int]
    DEVICE_FIELD_NUMBER: _ClassVar[int]
    FORCE_FIELD_NUMBER: _ClassVar[int]
    volume_id: str
    instance_id: str
    device: str
    force: bool
    def __init__(self, volume_id: _Optional[str] = ..., instance_id: _Optional[str] = ..., device: _Optional[str] = ..., force: _Optional[bool] = ...) -> None: ...

class DescribeVolumesRequest(_message.Message):
    __slots__ = ("volume_ids", "filters")
    VOLUME_IDS_FIELD_NUMBER: _ClassVar[int]
    FILTERS_FIELD_NUMBER: _ClassVar[int]
    volume_ids: _containers.RepeatedScalarFieldContainer[str]
    filters: _containers.RepeatedCompositeFieldContainer[Filter]
    def __init__(self, volume_ids: _Optional[_Iterable[str]] = ..., filters: _Optional[_Iterable[_Union[Filter, _Mapping]]] = ...) -> None: ...

class DescribeVolumesResponse(_message.Message):
    __slots__ = ("volumes",)
    VOLUMES_FIELD_NUMBER: _ClassVar[int]
    volumes: _containers.RepeatedCompositeFieldContainer[Volume]
    def __init__(self, volumes: _Optional[_Iterable[_Union[Volume, _Mapping]]] = ...) -> None: ...

class Snapshot(_message.Message):
    __slots__ = ("snapshot_id", "volume_id", "volume_size", "state", "progress", "start_time", "description", "owner_id", "tags")
    SNAPSHOT_ID_FIELD_NUMBER: _ClassVar[int]
    VOLUME_ID_FIELD_NUMBER: _ClassVar[int]
    VOLUME_SIZE_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    snapshot_id: str
    volume_id: str
    volume_size: int
    state: str
    progress: str
    start_time: _timestamp_pb2.Timestamp
    description: str
    owner_id: str
    tags: _containers.RepeatedCompositeFieldContainer[Tag]
    def __init__(self, snapshot_id: _Optional[str] = ..., volume_id: _Optional[str] = ..., volume_size: _Optional[int] = ..., state: _Optional[str] = ..., progress: _Optional[str] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., description: _Optional[str] = ..., owner_id: _Optional[str] = ..., tags: _Optional[_Iterable[_Union[Tag, _Mapping]]] = ...) -> None: ...

class CreateSnapshotRequest(_message.Message):
    __slots__ = ("volume_id", "description", "tag_specifications")
    VOLUME_ID_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    TAG_SPECIFICATIONS_FIELD_NUMBER: _ClassVar[int]
    volume_id: str
    description: str
    tag_specifications: _containers.RepeatedCompositeFieldContainer[TagSpecification]
    def __init__(self, volume_id: _Optional[str] = ..., description: _Optional[str] = ..., tag_specifications: _Optional[_Iterable[_Union[TagSpecification, _Mapping]]] = ...) -> None: ...

class DeleteSnapshotRequest(_message.Message):
    __slots__ = ("snapshot_id",)
    SNAPSHOT_ID_FIELD_NUMBER: _ClassVar[int]
    snapshot_id: str
    def __init__(self, snapshot_id: _Optional[str] = ...) -> None: ...

class DeleteSnapshotResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class DescribeSnapshotsRequest(_message.Message):
    __slots__ = ("snapshot_ids", "filters")
    SNAPSHOT_IDS_FIELD_NUMBER: _ClassVar[int]
    FILTERS_FIELD_NUMBER: _ClassVar[int]
    snapshot_ids: _containers.RepeatedScalarFieldContainer[str]
    filters: _containers.RepeatedCompositeFieldContainer[Filter]
    def __init__(self, snapshot_ids: _Optional[_Iterable[str]] = ..., filters: _Optional[_Iterable[_Union[Filter, _Mapping]]] = ...) -> None: ...

class DescribeSnapshotsResponse(_message.Message):
    __slots__ = ("snapshots",)
    SNAPSHOTS_FIELD_NUMBER: _ClassVar[int]
    snapshots: _containers.RepeatedCompositeFieldContainer[Snapshot]
    def __init__(self, snapshots: _Optional[_Iterable[_Union[Snapshot, _Mapping]]] = ...) -> None: ...

class KeyPairInfo(_message.Message):
    __slots__ = ("key_pair_id", "key_name", "key_fingerprint", "key_type", "public_key", "create_time")
    KEY_PAIR_ID_FIELD_NUMBER: _ClassVar[int]
    KEY_NAME_FIELD_NUMBER: _ClassVar[int]
    KEY_FINGERPRINT_FIELD_NUMBER: _ClassVar[int]
    KEY_TYPE_FIELD_NUMBER: _ClassVar[int]
    PUBLIC_KEY_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    key_pair_id: str
    key_name: str
    key_fingerprint: str
    key_type: str
    public_key: str
    create_time: _timestamp_pb2.Timestamp
    def __init__(self, key_pair_id: _Optional[str] = ..., key_name: _Optional[str] = ..., key_fingerprint: _Optional[str] = ..., key_type: _Optional[str] = ..., public_key: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CreateKeyPairRequest(_message.Message):
    __slots__ = ("key_name", "key_type")
    KEY_NAME_FIELD_NUMBER: _ClassVar[int]
    KEY_TYPE_FIELD_NUMBER: _ClassVar[int]
    key_name: str
    key_type: str
    def __init__(self, key_name: _Optional[str] = ..., key_type: _Optional[str] = ...) -> None: ...

class CreateKeyPairResponse(_message.Message):
    __slots__ = ("key_pair_id", "key_name", "key_fingerprint", "key_material")
    KEY_PAIR_ID_FIELD_NUMBER: _ClassVar[int]
    KEY_NAME_FIELD_NUMBER: _ClassVar[int]
    KEY_FINGERPRINT_FIELD_NUMBER: _ClassVar[int]
    KEY_MATERIAL_FIELD_NUMBER: _ClassVar[int]
    key_pair_id: str
    key_name: str
    key_fingerprint: str
    key_material: str
    def __init__(self, key_pair_id: _Optional[str] = ..., key_name: _Optional[str] = ..., key_fingerprint: _Optional[str] = ..., key_material: _Optional[str] = ...) -> None: ...

class ImportKeyPairRequest(_message.Message):
    __slots__ = ("key_name", "public_key_material")
    KEY_NAME_FIELD_NUMBER: _ClassVar[int]
    PUBLIC_KEY_MATERIAL_FIELD_NUMBER: _ClassVar[int]
    key_name: str
    public_key_material: bytes
    def __init__(self, key_name: _Optional[str] = ..., public_key_material: _Optional[bytes] = ...) -> None: ...

class DescribeKeyPairsRequest(_message.Message):
    __slots__ = ("key_names",)
    KEY_NAMES_FIELD_NUMBER: _ClassVar[int]
    key_names: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, key_names: _Optional[_Iterable[str]] = ...) -> None: ...

class DescribeKeyPairsResponse(_message.Message):
    __slots__ = ("key_pairs",)
    KEY_PAIRS_FIELD_NUMBER: _ClassVar[int]
    key_pairs: _containers.RepeatedCompositeFieldContainer[KeyPairInfo]
    def __init__(self, key_pairs: _Optional[_Iterable[_Union[KeyPairInfo, _Mapping]]] = ...) -> None: ...

class DeleteKeyPairRequest(_message.Message):
    __slots__ = ("key_name",)
    KEY_NAME_FIELD_NUMBER: _ClassVar[int]
    key_name: str
    def __init__(self, key_name: _Optional[str] = ...) -> None: ...

class DeleteKeyPairResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class IpRange(_message.Message):
    __slots__ = ("cidr_ip", "description")
    CIDR_IP_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    cidr_ip: str
    description: str
    def __init__(self, cidr_ip: _Optional[str] = ..., description: _Optional[str] = ...) -> None: ...

class UserIdGroupPair(_message.Message):
    __slots__ = ("group_id",)
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    group_id: str
    def __init__(self, group_id: _Optional[str] = ...) -> None: ...

class IpPermission(_message.Message):
    __slots__ = ("ip_protocol", "from_port", "to_port", "ip_ranges", "user_id_group_pairs")
    IP_PROTOCOL_FIELD_NUMBER: _ClassVar[int]
    FROM_PORT_FIELD_NUMBER: _ClassVar[int]
    TO_PORT_FIELD_NUMBER: _ClassVar[int]
    IP_RANGES_FIELD_NUMBER: _ClassVar[int]
    USER_ID_GROUP_PAIRS_FIELD_NUMBER: _ClassVar[int]
    ip_protocol: str
    from_port: int
    to_port: int
    ip_ranges: _containers.RepeatedCompositeFieldContainer[IpRange]
    user_id_group_pairs: _containers.RepeatedCompositeFieldContainer[UserIdGroupPair]
    def __init__(self, ip_protocol: _Optional[str] = ..., from_port: _Optional[int] = ..., to_port: _Optional[int] = ..., ip_ranges: _Optional[_Iterable[_Union[IpRange, _Mapping]]] = ..., user_id_group_pairs: _Optional[_Iterable[_Union[UserIdGroupPair, _Mapping]]] = ...) -> None: ...

class SecurityGroup(_message.Message):
    __slots__ = ("group_id", "group_name", "description", "ip_permissions", "ip_permissions_egress", "vpc_id", "enforced")
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    GROUP_NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    IP_PERMISSIONS_FIELD_NUMBER: _ClassVar[int]
    IP_PERMISSIONS_EGRESS_FIELD_NUMBER: _ClassVar[int]
    VPC_ID_FIELD_NUMBER: _ClassVar[int]
    ENFORCED_FIELD_NUMBER: _ClassVar[int]
    group_id: str
    group_name: str
    description: str
    ip_permissions: _containers.RepeatedCompositeFieldContainer[IpPermission]
    ip_permissions_egress: _containers.RepeatedCompositeFieldContainer[IpPermission]
    vpc_id: str
    enforced: bool
    def __init__(self, group_id: _Optional[str] = ..., group_name: _Optional[str] = ..., description: _Optional[str] = ..., ip_permissions: _Optional[_Iterable[_Union[IpPermission, _Mapping]]] = ..., ip_permissions_egress: _Optional[_Iterable[_Union[IpPermission, _Mapping]]] = ..., vpc_id: _Optional[str] = ..., enforced: _Optional[bool] = ...) -> None: ...

class CreateSecurityGroupRequest(_message.Message):
    __slots__ = ("group_name", "description")
    GROUP_NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    group_name: str
    description: str
    def __init__(self, group_name: _Optional[str] = ..., description: _Optional[str] = ...) -> None: ...

class CreateSecurityGroupResponse(_message.Message):
    __slots__ = ("group_id",)
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    group_id: str
    def __init__(self, group_id: _Optional[str] = ...) -> None: ...

class DescribeSecurityGroupsRequest(_message.Message):
    __slots__ = ("group_ids", "group_names")
    GROUP_IDS_FIELD_NUMBER: _ClassVar[int]
    GROUP_NAMES_FIELD_NUMBER: _ClassVar[int]
    group_ids: _containers.RepeatedScalarFieldContainer[str]
    group_names: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, group_ids: _Optional[_Iterable[str]] = ..., group_names: _Optional[_Iterable[str]] = ...) -> None: ...

class DescribeSecurityGroupsResponse(_message.Message):
    __slots__ = ("security_groups",)
    SECURITY_GROUPS_FIELD_NUMBER: _ClassVar[int]
    security_groups: _containers.RepeatedCompositeFieldContainer[SecurityGroup]
    def __init__(self, security_groups: _Optional[_Iterable[_Union[SecurityGroup, _Mapping]]] = ...) -> None: ...

class DeleteSecurityGroupRequest(_message.Message):
    __slots__ = ("group_id",)
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    group_id: str
    def __init__(self, group_id: _Optional[str] = ...) -> None: ...

class DeleteSecurityGroupResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class SecurityGroupRulesRequest(_message.Message):
    __slots__ = ("group_id", "ip_permissions")
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    IP_PERMISSIONS_FIELD_NUMBER: _ClassVar[int]
    group_id: str
    ip_permissions: _containers.RepeatedCompositeFieldContainer[IpPermission]
    def __init__(self, group_id: _Optional[str] = ..., ip_permissions: _Optional[_Iterable[_Union[IpPermission, _Mapping]]] = ...) -> None: ...

class SecurityGroupRulesResponse(_message.Message):
    __slots__ = ()
    RETURN_FIELD_NUMBER: _ClassVar[int]
    def __init__(self, **kwargs) -> None: ...

class Address(_message.Message):
    __slots__ = ("public_ip", "allocation_id", "association_id", "instance_id", "private_ip_address", "domain", "enforced")
    PUBLIC_IP_FIELD_NUMBER: _ClassVar[int]
    ALLOCATION_ID_FIELD_NUMBER: _ClassVar[int]
    ASSOCIATION_ID_FIELD_NUMBER: _ClassVar[int]
    INSTANCE_ID_FIELD_NUMBER: _ClassVar[int]
    PRIVATE_IP_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    DOMAIN_FIELD_NUMBER: _ClassVar[int]
    ENFORCED_FIELD_NUMBER: _ClassVar[int]
    public_ip: str
    allocation_id: str
    association_id: str
    instance_id: str
    private_ip_address: str
    domain: str
    enforced: bool
    def __init__(self, public_ip: _Optional[str] = ..., allocation_id: _Optional[str] = ..., association_id: _Optional[str] = ..., instance_id: _Optional[str] = ..., private_ip_address: _Optional[str] = ..., domain: _Optional[str] = ..., enforced: _Optional[bool] = ...) -> None: ...

class AllocateAddressRequest(_message.Message):
    __slots__ = ("domain",)
    DOMAIN_FIELD_NUMBER: _ClassVar[int]
    domain: str
    def __init__(self, domain: _Optional[str] = ...) -> None: ...

class AllocateAddressResponse(_message.Message):
    __slots__ = ("public_ip", "allocation_id", "domain")
    PUBLIC_IP_FIELD_NUMBER: _ClassVar[int]
    ALLOCATION_ID_FIELD_NUMBER: _ClassVar[int]
    DOMAIN_FIELD_NUMBER: _ClassVar[int]
    public_ip: str
    allocation_id: str
    domain: str
    def __init__(self, public_ip: _Optional[str] = ..., allocation_id: _Optional[str] = ..., domain: _Optional[str] = ...) -> None: ...

class AssociateAddressRequest(_message.Message):
    __slots__ = ("allocation_id", "instance_id", "allow_reassociation")
    ALLOCATION_ID_FIELD_NUMBER: _ClassVar[int]
    INSTANCE_ID_FIELD_NUMBER: _ClassVar[int]
    ALLOW_REASSOCIATION_FIELD_NUMBER: _ClassVar[int]
    allocation_id: str
    instance_id: str
    allow_reassociation: bool
    def __init__(self, allocation_id: _Optional[str] = ..., instance_id: _Optional[str] = ..., allow_reassociation: _Optional[bool] = ...) -> None: ...

class AssociateAddressResponse(_message.Message):
    __slots__ = ("association_id",)
    ASSOCIATION_ID_FIELD_NUMBER: _ClassVar[int]
    association_id: str
    def __init__(self, association_id: _Optional[str] = ...) -> None: ...

class DisassociateAddressRequest(_message.Message):
    __slots__ = ("association_id",)
    ASSOCIATION_ID_FIELD_NUMBER: _ClassVar[int]
    association_id: str
    def __init__(self, association_id: _Optional[str] = ...) -> None: ...

class DisassociateAddressResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ReleaseAddressRequest(_message.Message):
    __slots__ = ("allocation_id",)
    ALLOCATION_ID_FIELD_NUMBER: _ClassVar[int]
    allocation_id: str
    def __init__(self, allocation_id: _Optional[str] = ...) -> None: ...

class ReleaseAddressResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class DescribeAddressesRequest(_message.Message):
    __slots__ = ("allocation_ids",)
    ALLOCATION_IDS_FIELD_NUMBER: _ClassVar[int]
    allocation_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, allocation_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class DescribeAddressesResponse(_message.Message):
    __slots__ = ("addresses",)
    ADDRESSES_FIELD_NUMBER: _ClassVar[int]
    addresses: _containers.RepeatedCompositeFieldContainer[Address]
    def __init__(self, addresses: _Optional[_Iterable[_Union[Address, _Mapping]]] = ...) -> None: ...

class SpotPrice(_message.Message):
    __slots__ = ("availability_zone", "instance_type", "spot_price", "timestamp")
    AVAILABILITY_ZONE_FIELD_NUMBER: _ClassVar[int]
    INSTANCE_TYPE_FIELD_NUMBER: _ClassVar[int]
    SPOT_PRICE_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    availability_zone: str
    instance_type: str
    spot_price: str
    timestamp: _timestamp_pb2.Timestamp
    def __init__(self, availability_zone: _Optional[str] = ..., instance_type: _Optional[str] = ..., spot_price: _Optional[str] = ..., timestamp: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class DescribeSpotPriceHistoryRequest(_message.Message):
    __slots__ = ("instance_types", "availability_zone")
    INSTANCE_TYPES_FIELD_NUMBER: _ClassVar[int]
    AVAILABILITY_ZONE_FIELD_NUMBER: _ClassVar[int]
    instance_types: _containers.RepeatedScalarFieldContainer[str]
    availability_zone: str
    def __init__(self, instance_types: _Optional[_Iterable[str]] = ..., availability_zone: _Optional[str] = ...) -> None: ...

class DescribeSpotPriceHistoryResponse(_message.Message):
    __slots__ = ("spot_price_history",)
    SPOT_PRICE_HISTORY_FIELD_NUMBER: _ClassVar[int]
    spot_price_history: _containers.RepeatedCompositeFieldContainer[SpotPrice]
    def __init__(self, spot_price_history: _Optional[_Iterable[_Union[SpotPrice, _Mapping]]] = ...) -> None: ...

class SetSpotPriceRequest(_message.Message):
    __slots__ = ("availability_zone", "instance_type", "spot_price", "interruption_notice_seconds")
    AVAILABILITY_ZONE_FIELD_NUMBER: _ClassVar[int]
    INSTANCE_TYPE_FIELD_NUMBER: _ClassVar[int]
    SPOT_PRICE_FIELD_NUMBER: _ClassVar[int]
    INTERRUPTION_NOTICE_SECONDS_FIELD_NUMBER: _ClassVar[int]
    availability_zone: str
    instance_type: str
    spot_price: str
    interruption_notice_seconds: int
    def __init__(self, availability_zone: _Optional[str] = ..., instance_type: _Optional[str] = ..., spot_price: _Optional[str] = ..., interruption_notice_seconds: _Optional[int] = ...) -> None: ...

class SetSpotPriceResponse(_message.Message):
    __slots__ = ("spot_price",)
    SPOT_PRICE_FIELD_NUMBER: _ClassVar[int]
    spot_price: SpotPrice
    def __init__(self, spot_price: _Optional[_Union[SpotPrice, _Mapping]] = ...) -> None: ...

class ReservedInstancesOffering(_message.Message):
    __slots__ = ("reserved_instances_offering_id", "instance_type", "availability_zone", "offering_type", "duration", "fixed_price", "usage_price")
    RESERVED_INSTANCES_OFFERING_ID_FIELD_NUMBER: _ClassVar[int]
    INSTANCE_TYPE_FIELD_NUMBER: _ClassVar[int]
    AVAILABILITY_ZONE_FIELD_NUMBER: _ClassVar[int]
    OFFERING_TYPE_FIELD_NUMBER: _ClassVar[int]
    DURATION_FIELD_NUMBER: _ClassVar[int]
    FIXED_PRICE_FIELD_NUMBER: _ClassVar[int]
    USAGE_PRICE_FIELD_NUMBER: _ClassVar[int]
    reserved_instances_offering_id: str
    instance_type: str
    availability_zone: str
    offering_type: str
    duration: int
    fixed_price: str
    usage_price: str
    def __init__(self, reserved_instances_offering_id: _Optional[str] = ..., instance_type: _Optional[str] = ..., availability_zone: _Optional[str] = ..., offering_type: _Optional[str] = ..., duration: _Optional[int] = ..., fixed_price: _Optional[str] = ..., usage_price: _Optional[str] = ...) -> None: ...

class DescribeReservedInstancesOfferingsRequest(_message.Message):
    __slots__ = ("instance_type", "availability_zone", "offering_type")
    INSTANCE_TYPE_FIELD_NUMBER: _ClassVar[int]
    AVAILABILITY_ZONE_FIELD_NUMBER: _ClassVar[int]
    OFFERING_TYPE_FIELD_NUMBER: _ClassVar[int]
    instance_type: str
    availability_zone: str
    offering_type: str
    def __init__(self, instance_type: _Optional[str] = ..., availability_zone: _Optional[str] = ..., offering_type: _Optional[str] = ...) -> None: ...

class DescribeReservedInstancesOfferingsResponse(_message.Message):
    __slots__ = ("reserved_instances_offerings",)
    RESERVED_INSTANCES_OFFERINGS_FIELD_NUMBER: _ClassVar[int]
    reserved_instances_offerings: _containers.RepeatedCompositeFieldContainer[ReservedInstancesOffering]
    def __init__(self, reserved_instances_offerings: _Optional[_Iterable[_Union[ReservedInstancesOffering, _Mapping]]] = ...) -> None: ...

class PurchaseReservedInstancesOfferingRequest(_message.Message):
    __slots__ = ("reserved_instances_offering_id", "instance_count")
    RESERVED_INSTANCES_OFFERING_ID_FIELD_NUMBER: _ClassVar[int]
    INSTANCE_COUNT_FIELD_NUMBER: _ClassVar[int]
    reserved_instances_offering_id: str
    instance_count: int
    def __init__(self, reserved_instances_offering_id: _Optional[str] = ..., instance_count: _Optional[int] = ...) -> None: ...

class PurchaseReservedInstancesOfferingResponse(_message.Message):
    __slots__ = ("reserved_instances_id",)
    RESERVED_INSTANCES_ID_FIELD_NUMBER: _ClassVar[int]
    reserved_instances_id: str
    def __init__(self, reserved_instances_id: _Optional[str] = ...) -> None: ...

class ReservedInstances(_message.Message):
    __slots__ = ("reserved_instances_id", "instance_type", "availability_zone", "offering_type", "instance_count", "fixed_price", "usage_price", "start", "state")
    RESERVED_INSTANCES_ID_FIELD_NUMBER: _ClassVar[int]
    INSTANCE_TYPE_FIELD_NUMBER: _ClassVar[int]
    AVAILABILITY_ZONE_FIELD_NUMBER: _ClassVar[int]
    OFFERING_TYPE_FIELD_NUMBER: _ClassVar[int]
    INSTANCE_COUNT_FIELD_NUMBER: _ClassVar[int]
    FIXED_PRICE_FIELD_NUMBER: _ClassVar[int]
    USAGE_PRICE_FIELD_NUMBER: _ClassVar[int]
    START_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    reserved_instances_id: str
    instance_type: str
    availability_zone: str
    offering_type: str
    instance_count: int
    fixed_price: str
    usage_price: str
    start: _timestamp_pb2.Timestamp
    state: str
    def __init__(self, reserved_instances_id: _Optional[str] = ..., instance_type: _Optional[str] = ..., availability_zone: _Optional[str] = ..., offering_type: _Optional[str] = ..., instance_count: _Optional[int] = ..., fixed_price: _Optional[str] = ..., usage_price: _Optional[str] = ..., start: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., state: _Optional[str] = ...) -> None: ...

class DescribeReservedInstancesRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class DescribeReservedInstancesResponse(_message.Message):
    __slots__ = ("reserved_instances",)
    RESERVED_INSTANCES_FIELD_NUMBER: _ClassVar[int]
    reserved_instances: _containers.RepeatedCompositeFieldContainer[ReservedInstances]
    def __init__(self, reserved_instances: _Optional[_Iterable[_Union[ReservedInstances, _Mapping]]] = ...) -> None: ...

class BillingLine(_message.Message):
    __slots__ = ("instance_id", "instance_type", "availability_zone", "purchase_option", "billed_hours", "hourly_price", "cost")
    INSTANCE_ID_FIELD_NUMBER: _ClassVar[int]
    INSTANCE_TYPE_FIELD_NUMBER: _ClassVar[int]
    AVAILABILITY_ZONE_FIELD_NUMBER: _ClassVar[int]
    PURCHASE_OPTION_FIELD_NUMBER: _ClassVar[int]
    BILLED_HOURS_FIELD_NUMBER: _ClassVar[int]
    HOURLY_PRICE_FIELD_NUMBER: _ClassVar[int]
    COST_FIELD_NUMBER: _ClassVar[int]
    instance_id: str
    instance_type: str
    availability_zone: str
    purchase_option: str
    billed_hours: int
    hourly_price: str
    cost: str
    def __init__(self, instance_id: _Optional[str] = ..., instance_type: _Optional[str] = ..., availability_zone: _Optional[str] = ..., purchase_option: _Optional[str] = ..., billed_hours: _Optional[int] = ..., hourly_price: _Optional[str] = ..., cost: _Optional[str] = ...) -> None: ...

class GetBillingRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetBillingResponse(_message.Message):
    __slots__ = ("lines", "upfront", "total")
    LINES_FIELD_NUMBER: _ClassVar[int]
    UPFRONT_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    lines: _containers.RepeatedCompositeFieldContainer[BillingLine]
    upfront: str
    total: str
    def __init__(self, lines: _Optional[_Iterable[_Union[BillingLine, _Mapping]]] = ..., upfront: _Optional[str] = ..., total: _Optional[str] = ...) -> None: ...

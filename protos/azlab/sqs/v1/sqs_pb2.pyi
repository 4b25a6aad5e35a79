from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CreateQueueRequest(_message.Message):
    __slots__ = ("queue_name", "attributes", "tags")
    class AttributesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    class TagsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    QUEUE_NAME_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    queue_name: str
    attributes: _containers.ScalarMap[str, str]
    tags: _containers.ScalarMap[str, str]
    def __init__(self, queue_name: _Optional[str] = ..., attributes: _Optional[_Mapping[str, str]] = ..., tags: _Optional[_Mapping[str, str]] = ...) -> None: ...

class CreateQueueResponse(_message.Message):
    __slots__ = ("queue_url",)
    QUEUE_URL_FIELD_NUMBER: _ClassVar[int]
    queue_url: str
    def __init__(self, queue_url: _Optional[str] = ...) -> None: ...

class GetQueueUrlRequest(_message.Message):
    __slots__ = ("queue_name", "queue_owner_aws_account_id")
    QUEUE_NAME_FIELD_NUMBER: _ClassVar[int]
    QUEUE_OWNER_AWS_ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    queue_name: str
    queue_owner_aws_account_id: str
    def __init__(self, queue_name: _Optional[str] = ..., queue_owner_aws_account_id: _Optional[str] = ...) -> None: ...

class GetQueueUrlResponse(_message.Message):
    __slots__ = ("queue_url",)
    QUEUE_URL_FIELD_NUMBER: _ClassVar[int]
    queue_url: str
    def __init__(self, queue_url: _Optional[str] = ...) -> None: ...

class ListQueuesRequest(_message.Message):
    __slots__ = ("queue_name_prefix", "next_token", "max_results")
    QUEUE_NAME_PREFIX_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    MAX_RESULTS_FIELD_NUMBER: _ClassVar[int]
    queue_name_prefix: str
    next_token: str
    max_results: int
    def __init__(self, queue_name_prefix: _Optional[str] = ..., next_token: _Optional[str] = ..., max_results: _Optional[int] = ...) -> None: ...

class ListQueuesResponse(_message.Message):
    __slots__ = ("queue_urls", "next_token")
    QUEUE_URLS_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    queue_urls: _containers.RepeatedScalarFieldContainer[str]
    next_token: str
    def __init__(self, queue_urls: _Optional[_Iterable[str]] = ..., next_token: _Optional[str] = ...) -> None: ...

class DeleteQueueRequest(_message.Message):
    __slots__ = ("queue_url",)
    QUEUE_URL_FIELD_NUMBER: _ClassVar[int]
    queue_url: str
    def __init__(self, queue_url: _Optional[str] = ...) -> None: ...

class DeleteQueueResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetQueueAttributesRequest(_message.Message):
    __slots__ = ("queue_url", "attribute_names")
    QUEUE_URL_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTE_NAMES_FIELD_NUMBER: _ClassVar[int]
    queue_url: str
    attribute_names: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, queue_url: _Optional[str] = ..., attribute_names: _Optional[_Iterable[str]] = ...) -> None: ...

class GetQueueAttributesResponse(_message.Message):
    __slots__ = ("attributes",)
    class AttributesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    attributes: _containers.ScalarMap[str, str]
    def __init__(self, attributes: _Optional[_Mapping[str, str]] = ...) -> None: ...

class SetQueueAttributesRequest(_message.Message):
    __slots__ = ("queue_url", "attributes")
    class AttributesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    QUEUE_URL_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    queue_url: str
    attributes: _containers.ScalarMap[str, str]
    def __init__(self, queue_url: _Optional[str] = ..., attributes: _Optional[_Mapping[str, str]] = ...) -> None: ...

class SetQueueAttributesResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class MessageAttributeValue(_message.Message):
    __slots__ = ("string_value", "binary_value", "string_list_values", "binary_list_values", "data_type")
    STRING_VALUE_FIELD_NUMBER: _ClassVar[int]
    BINARY_VALUE_FIELD_NUMBER: _ClassVar[int]
    STRING_LIST_VALUES_FIELD_NUMBER: _ClassVar[int]
    BINARY_LIST_VALUES_FIELD_NUMBER: _ClassVar[int]
    DATA_TYPE_FIELD_NUMBER: _ClassVar[int]
    string_value: str
    binary_value: bytes
    string_list_values: _containers.RepeatedScalarFieldContainer[str]
    binary_list_values: _containers.RepeatedScalarFieldContainer[bytes]
    data_type: str
    def __init__(self, string_value: _Optional[str] = ..., binary_value: _Optional[bytes] = ..., string_list_values: _Optional[_Iterable[str]] = ..., binary_list_values: _Optional[_Iterable[bytes]] = ..., data_type: _Optional[str] = ...) -> None: ...

class SendMessageRequest(_message.Message):
    __slots__ = ("queue_url", "message_body", "delay_seconds", "message_attributes", "message_deduplication_id", "message_group_id")
    class MessageAttributesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: MessageAttributeValue
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[MessageAttributeValue, _Mapping]] = ...) -> None: ...
    QUEUE_URL_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_BODY_FIELD_NUMBER: _ClassVar[int]
    DELAY_SECONDS_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_DEDUPLICATION_ID_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    queue_url: str
    message_body: str
    delay_seconds: int
    message_attributes: _containers.MessageMap[str, MessageAttributeValue]
    message_deduplication_id: str
    message_group_id: str
    def __init__(self, queue_url: _Optional[str] = ..., message_body: _Optional[str] = ..., delay_seconds: _Optional[int] = ..., message_attributes: _Optional[_Mapping[str, MessageAttributeValue]] = ..., message_deduplication_id: _Optional[str] = ..., message_group_id: _Optional[str] = ...) -> None: ...

class SendMessageResponse(_message.Message):
    __slots__ = ("md5_of_message_body", "md5_of_message_attributes", "message_id", "sequence_number")
    MD5_OF_MESSAGE_BODY_FIELD_NUMBER: _ClassVar[int]
    MD5_OF_MESSAGE_ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    md5_of_message_body: str
    md5_of_message_attributes: str
    message_id: str
    sequence_number: str
    def __init__(self, md5_of_message_body: _Optional[str] = ..., md5_of_message_attributes: _Optional[str] = ..., message_id: _Optional[str] = ..., sequence_number: _Optional[str] = ...) -> None: ...

class SendMessageBatchRequestEntry(_message.Message):
    __slots__ = ("id", "message_body", "delay_seconds", "message_attributes", "message_deduplication_id", "message_group_id")
    class MessageAttributesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: MessageAttributeValue
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[MessageAttributeValue, _Mapping]] = ...) -> None: ...
    ID_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_BODY_FIELD_NUMBER: _ClassVar[int]
    DELAY_SECONDS_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_DEDUPLICATION_ID_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    message_body: str
    delay_seconds: int
    message_attributes: _containers.MessageMap[str, MessageAttributeValue]
    message_deduplication_id: str
    message_group_id: str
    def __init__(self, id: _Optional[str] = ..., message_body: _Optional[str] = ..., delay_seconds: _Optional[int] = ..., message_attributes: _Optional[_Mapping[str, MessageAttributeValue]] = ..., message_deduplication_id: _Optional[str] = ..., message_group_id: _Optional[str] = ...) -> None: ...

class SendMessageBatchRequest(_message.Message):
    __slots__ = ("queue_url", "entries")
    QUEUE_URL_FIELD_NUMBER: _ClassVar[int]
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    queue_url: str
    entries: _containers.RepeatedCompositeFieldContainer[SendMessageBatchRequestEntry]
    def __init__(self, queue_url: _Optional[str] = ..., entries: _Optional[_Iterable[_Union[SendMessageBatchRequestEntry, _Mapping]]] = ...) -> None: ...

class SendMessageBatchResultEntry(_message.Message):
    __slots__ = ("id", "message_id", "md5_of_message_body", "md5_of_message_attributes", "sequence_number")
    ID_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    MD5_OF_MESSAGE_BODY_FIELD_NUMBER: _ClassVar[int]
    MD5_OF_MESSAGE_ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    id: str
    message_id: str
    md5_of_message_body: str
    md5_of_message_attributes: str
    sequence_number: str
    def __init__(self, id: _Optional[str] = ..., message_id: _Optional[str] = ..., md5_of_message_body: _Optional[str] = ..., md5_of_message_attributes: _Optional[str] = ..., sequence_number: _Optional[str] = ...) -> None: ...

class BatchResultErrorEntry(_message.Message):
    __slots__ = ("id", "sender_fault", "code", "message")
    ID_FIELD_NUMBER: _ClassVar[int]
    SENDER_FAULT_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    id: str
    sender_fault: bool
    code: str
    message: str
    def __init__(self, id: _Optional[str] = ..., sender_fault: _Optional[bool] = ..., code: _Optional[str] = ..., message: _Optional[str] = ...) -> None: ...

class SendMessageBatchResponse(_message.Message):
    __slots__ = ("successful", "failed")
    SUCCESSFUL_FIELD_NUMBER: _ClassVar[int]
    FAILED_FIELD_NUMBER: _ClassVar[int]
    successful: _containers.RepeatedCompositeFieldContainer[SendMessageBatchResultEntry]
    failed: _containers.RepeatedCompositeFieldContainer[BatchResultErrorEntry]
    def __init__(self, successful: _Optional[_Iterable[_Union[SendMessageBatchResultEntry, _Mapping]]] = ..., failed: _Optional[_Iterable[_Union[BatchResultErrorEntry, _Mapping]]] = ...) -> None: ...

class ReceiveMessageRequest(_message.Message):
    __slots__ = ("queue_url", "attribute_names", "message_system_attribute_names", "message_attribute_names", "max_number_of_messages", "visibility_timeout", "wait_time_seconds", "receive_request_attempt_id")
    QUEUE_URL_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTE_NAMES_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_SYSTEM_ATTRIBUTE_NAMES_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_ATTRIBUTE_NAMES_FIELD_NUMBER: _ClassVar[int]
    MAX_NUMBER_OF_MESSAGES_FIELD_NUMBER: _ClassVar[int]
    VISIBILITY_TIMEOUT_FIELD_NUMBER: _ClassVar[int]
    WAIT_TIME_SECONDS_FIELD_NUMBER: _ClassVar[int]
    RECEIVE_REQUEST_ATTEMPT_ID_FIELD_NUMBER: _ClassVar[int]
    queue_url: str
    attribute_names: _containers.RepeatedScalarFieldContainer[str]
    message_system_attribute_names: _containers.RepeatedScalarFieldContainer[str]
    message_attribute_names: _containers.RepeatedScalarFieldContainer[str]
    max_number_of_messages: int
    visibility_timeout: int
    wait_time_seconds: int
    receive_request_attempt_id: str
    def __init__(self, queue_url: _Optional[str] = ..., attribute_names: _Optional[_Iterable[str]] = ..., message_system_attribute_names: _Optional[_Iterable[str]] = ..., message_attribute_names: _Optional[_Iterable[str]] = ..., max_number_of_messages: _Optional[int] = ..., visibility_timeout: _Optional[int] = ..., wait_time_seconds: _Optional[int] = ..., receive_request_attempt_id: _Optional[str] = ...) -> None: ...

class Message(_message.Message):
    __slots__ = ("message_id", "receipt_handle", "md5_of_body", "body", "attributes", "md5_of_message_attributes", "message_attributes")
    class AttributesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    class MessageAttributesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: MessageAttributeValue
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[MessageAttributeValue, _Mapping]] = ...) -> None: ...
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    RECEIPT_HANDLE_FIELD_NUMBER: _ClassVar[int]
    MD5_OF_BODY_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    MD5_OF_MESSAGE_ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    message_id: str
    receipt_handle: str
    md5_of_body: str
    body: str
    attributes: _containers.ScalarMap[str, str]
    md5_of_message_attributes: str
    message_attributes: _containers.MessageMap[str, MessageAttributeValue]
    def __init__(self, message_id: _Optional[str] = ..., receipt_handle: _Optional[str] = ..., md5_of_body: _Optional[str] = ..., body: _Optional[str] = ..., attributes: _Optional[_Mapping[str, str]] = ..., md5_of_message_attributes: _Optional[str] = ..., message_attributes: _Optional[_Mapping[str, MessageAttributeValue]] = ...) -> None: ...

class ReceiveMessageResponse(_message.Message):
    __slots__ = ("messages",)
    MESSAGES_FIELD_NUMBER: _ClassVar[int]
    messages: _containers.RepeatedCompositeFieldContainer[Message]
    def __init__(self, messages: _Optional[_Iterable[_Union[Message, _Mapping]]] = ...) -> None: ...

class DeleteMessageRequest(_message.Message):
    __slots__ = ("queue_url", "receipt_handle")
    QUEUE_URL_FIELD_NUMBER: _ClassVar[int]
    RECEIPT_HANDLE_FIELD_NUMBER: _ClassVar[int]
    queue_url: str
    receipt_handle: str
    def __init__(self, queue_url: _Optional[str] = ..., receipt_handle: _Optional[str] = ...) -> None: ...

class DeleteMessageResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class DeleteMessageBatchRequestEntry(_message.Message):
    __slots__ = ("id", "receipt_handle")
    ID_FIELD_NUMBER: _ClassVar[int]
    RECEIPT_HANDLE_FIELD_NUMBER: _ClassVar[int]
    id: str
    receipt_handle: str
    def __init__(self, id: _Optional[str] = ..., receipt_handle: _Optional[str] = ...) -> None: ...

class DeleteMessageBatchRequest(_message.Message):
    __slots__ = ("queue_url", "entries")
    QUEUE_URL_FIELD_NUMBER: _ClassVar[int]
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    queue_url: str
    entries: _containers.RepeatedCompositeFieldContainer[DeleteMessageBatchRequestEntry]
    def __init__(self, queue_url: _Optional[str] = ..., entries: _Optional[_Iterable[_Union[DeleteMessageBatchRequestEntry, _Mapping]]] = ...) -> None: ...

class DeleteMessageBatchResultEntry(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class DeleteMessageBatchResponse(_message.Message):
    __slots__ = ("successful", "failed")
    SUCCESSFUL_FIELD_NUMBER: _ClassVar[int]
    FAILED_FIELD_NUMBER: _ClassVar[int]
    successful: _containers.RepeatedCompositeFieldContainer[DeleteMessageBatchResultEntry]
    failed: _containers.RepeatedCompositeFieldContainer[BatchResultErrorEntry]
    def __init__(self, successful: _Optional[_Iterable[_Union[DeleteMessageBatchResultEntry, _Mapping]]] = ..., failed: _Optional[_Iterable[_Union[BatchResultErrorEntry, _Mapping]]] = ...) -> None: ...

class ChangeMessageVisibilityRequest(_message.Message):
    __slots__ = ("queue_url", "receipt_handle", "visibility_timeout")
    QUEUE_URL_FIELD_NUMBER: _ClassVar[int]
    RECEIPT_HANDLE_FIELD_NUMBER: _ClassVar[int]
    VISIBILITY_TIMEOUT_FIELD_NUMBER: _ClassVar[int]
    queue_url: str
    receipt_handle: str
    visibility_timeout: int
    def __init__(self, queue_url: _Optional[str] = ..., receipt_handle: _Optional[str] = ..., visibility_timeout: _Optional[int] = ...) -> None: ...

class ChangeMessageVisibilityResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ChangeMessageVisibilityBatchRequestEntry(_message.Message):
    __slots__ = ("id", "receipt_handle", "visibility_timeout")
    ID_FIELD_NUMBER: _ClassVar[int]
    RECEIPT_HANDLE_FIELD_NUMBER: _ClassVar[int]
    VISIBILITY_TIMEOUT_FIELD_NUMBER: _ClassVar[int]
    id: str
    receipt_handle: str
    visibility_timeout: int
    def __init__(self, id: _Optional[str] = ..., receipt_handle: _Optional[str] = ..., visibility_timeout: _Optional[int] = ...) -> None: ...

class ChangeMessageVisibilityBatchRequest(_message.Message):
    __slots__ = ("queue_url", "entries")
    QUEUE_URL_FIELD_NUMBER: _ClassVar[int]
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    queue_url: str
    entries: _containers.RepeatedCompositeFieldContainer[ChangeMessageVisibilityBatchRequestEntry]
    def __init__(self, queue_url: _Optional[str] = ..., entries: _Optional[_Iterable[_Union[ChangeMessageVisibilityBatchRequestEntry, _Mapping]]] = ...) -> None: ...

class ChangeMessageVisibilityBatchResultEntry(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class ChangeMessageVisibilityBatchResponse(_message.Message):
    __slots__ = ("successful", "failed")
    SUCCESSFUL_FIELD_NUMBER: _ClassVar[int]
    FAILED_FIELD_NUMBER: _ClassVar[int]
    successful: _containers.RepeatedCompositeFieldContainer[ChangeMessageVisibilityBatchResultEntry]
    failed: _containers.RepeatedCompositeFieldContainer[BatchResultErrorEntry]
    def __init__(self, successful: _Optional[_Iterable[_Union[ChangeMessageVisibilityBatchResultEntry, _Mapping]]] = ..., failed: _Optional[_Iterable[_Union[BatchResultErrorEntry, _Mapping]]] = ...) -> None: ...

class PurgeQueueRequest(_message.Message):
    __slots__ = ("queue_url",)
    QUEUE_URL_FIELD_NUMBER: _ClassVar[int]
    queue_url: str
    def __init__(self, queue_url: _Optional[str] = ...) -> None: ...

class PurgeQueueResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class TagQueueRequest(_message.Message):
    __slots__ = ("queue_url", "tags")
    class TagsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    QUEUE_URL_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    queue_url: str
    tags: _containers.ScalarMap[str, str]
    def __init__(self, queue_url: _Optional[str] = ..., tags: _Optional[_Mapping[str, str]] = ...) -> None: ...

class TagQueueResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class UntagQueueRequest(_message.Message):
    __slots__ = ("queue_url", "tag_keys")
    QUEUE_URL_FIELD_NUMBER: _ClassVar[int]
    TAG_KEYS_FIELD_NUMBER: _ClassVar[int]
    queue_url: str
    tag_keys: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, queue_url: _Optional[str] = ..., tag_keys: _Optional[_Iterable[str]] = ...) -> None: ...

class UntagQueueResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListQueueTagsRequest(_message.Message):
    __slots__ = ("queue_url",)
    QUEUE_URL_FIELD_NUMBER: _ClassVar[int]
    queue_url: str
    def __init__(self, queue_url: _Optional[str] = ...) -> None: ...

class ListQueueTagsResponse(_message.Message):
    __slots__ = ("tags",)
    class TagsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    TAGS_FIELD_NUMBER: _ClassVar[int]
    tags: _containers.ScalarMap[str, str]
    def __init__(self, tags: _Optional[_Mapping[str, str]] = ...) -> None: ...

class DescribeQueueReplicasRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class QueueReplica(_message.Message):
    __slots__ = ("replica_id", "availability_zone", "node_name", "address", "role", "epoch", "last_index", "commit_index")
    REPLICA_ID_FIELD_NUMBER: _ClassVar[int]
    AVAILABILITY_ZONE_FIELD_NUMBER: _ClassVar[int]
    NODE_NAME_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    EPOCH_FIELD_NUMBER: _ClassVar[int]
    LAST_INDEX_FIELD_NUMBER: _ClassVar[int]
    COMMIT_INDEX_FIELD_NUMBER: _ClassVar[int]
    replica_id: str
    availability_zone: str
    node_name: str
    address: str
    role: str
    epoch: int
    last_index: int
    commit_index: int
    def __init__(self, replica_id: _Optional[str] = ..., availability_zone: _Optional[str] = ..., node_name: _Optional[str] = ..., address: _Optional[str] = ..., role: _Optional[str] = ..., epoch: _Optional[int] = ..., last_index: _Optional[int] = ..., commit_index: _Optional[int] = ...) -> None: ...

class DescribeQueueReplicasResponse(_message.Message):
    __slots__ = ("epoch", "leader", "replicas")
    EPOCH_FIELD_NUMBER: _ClassVar[int]
    LEADER_FIELD_NUMBER: _ClassVar[int]
    REPLICAS_FIELD_NUMBER: _ClassVar[int]
    epoch: int
    leader: str
    replicas: _containers.RepeatedCompositeFieldContainer[QueueReplica]
    def __init__(self, epoch: _Optional[int] = ..., leader: _Optional[str] = ..., replicas: _Optional[_Iterable[_Union[QueueReplica, _Mapping]]] = ...) -> None: ...

"""SQS's errors, each carrying the code AWS's JSON protocol sends (the error shape's name)."""

from __future__ import annotations

from azlab.common.errors import AzlabError, InvalidParameterValue, MissingParameter, UnsupportedOperation

__all__ = [
    "BatchEntryIdsNotDistinct", "BatchRequestTooLong", "EmptyBatchRequest", "InvalidAttributeName",
    "InvalidAttributeValue", "InvalidBatchEntryId", "InvalidMessageContents", "InvalidParameterValue",
    "LeaderUnavailable", "MessageNotInflight", "MissingParameter", "PurgeQueueInProgress", "QueueDoesNotExist",
    "QueueNameExists", "ReceiptHandleIsInvalid", "TooManyEntriesInBatchRequest", "UnsupportedOperation",
]


class QueueDoesNotExist(AzlabError):
    code = "QueueDoesNotExist"
    status = "NOT_FOUND"


class QueueNameExists(AzlabError):
    """A queue of that name exists with other attributes."""

    code = "QueueNameExists"
    status = "ALREADY_EXISTS"


class InvalidAttributeName(AzlabError):
    code = "InvalidAttributeName"
    status = "INVALID_ARGUMENT"


class InvalidAttributeValue(AzlabError):
    code = "InvalidAttributeValue"
    status = "INVALID_ARGUMENT"


class InvalidMessageContents(AzlabError):
    code = "InvalidMessageContents"
    status = "INVALID_ARGUMENT"


class ReceiptHandleIsInvalid(AzlabError):
    code = "ReceiptHandleIsInvalid"
    status = "INVALID_ARGUMENT"


class MessageNotInflight(AzlabError):
    code = "MessageNotInflight"
    status = "FAILED_PRECONDITION"


class PurgeQueueInProgress(AzlabError):
    code = "PurgeQueueInProgress"
    status = "FAILED_PRECONDITION"


class EmptyBatchRequest(AzlabError):
    code = "EmptyBatchRequest"
    status = "INVALID_ARGUMENT"


class TooManyEntriesInBatchRequest(AzlabError):
    code = "TooManyEntriesInBatchRequest"
    status = "INVALID_ARGUMENT"


class BatchEntryIdsNotDistinct(AzlabError):
    code = "BatchEntryIdsNotDistinct"
    status = "INVALID_ARGUMENT"


class InvalidBatchEntryId(AzlabError):
    code = "InvalidBatchEntryId"
    status = "INVALID_ARGUMENT"


class BatchRequestTooLong(AzlabError):
    code = "BatchRequestTooLong"
    status = "INVALID_ARGUMENT"


class LeaderUnavailable(AzlabError):
    """No replica can acknowledge right now (no majority, or a failover under way); retry."""

    code = "ServiceUnavailable"
    status = "UNAVAILABLE"

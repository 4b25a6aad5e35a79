"""SQS over AWS's JSON protocol (`X-Amz-Target: AmazonSQS.<Operation>`), for the region's AWS endpoint.

The proto's fields carry AWS's names as their JSON names, so the params in the
AWS JSON body's form (blobs in base64) are parsed straight into the request
message, and the response message's JSON is the AWS output, read back by the
model into the result boto3 returns; the endpoint renders it
(azlab.cluster.aws, azlab.cluster.awswire).
"""

from __future__ import annotations

from typing import Any

import botocore.session
from google.protobuf import json_format

from azlab.common.errors import InvalidParameterValue, UnsupportedOperation
from azlab.cluster.awswire import jsonshapes
from azlab.cluster.sqs.router import LeaderRouter
from azlab.cluster.sqs.servicer import FORWARDED, long_poll_s
from azlab.sqs.v1 import sqs_pb2


class SqsJsonProtocol:
    # SQS moved from the query protocol: its clients read these codes in x-amzn-query-error (botocore reports them
    # as the error's Code), which botocore's model of SQS does not give.
    query_error_codes = {
        "QueueDoesNotExist": "AWS.SimpleQueueService.NonExistentQueue",
        "QueueNameExists": "QueueAlreadyExists",
        "MessageNotInflight": "AWS.SimpleQueueService.MessageNotInflight",
        "PurgeQueueInProgress": "AWS.SimpleQueueService.PurgeQueueInProgress",
        "TooManyEntriesInBatchRequest": "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
        "EmptyBatchRequest": "AWS.SimpleQueueService.EmptyBatchRequest",
        "BatchEntryIdsNotDistinct": "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
        "InvalidBatchEntryId": "AWS.SimpleQueueService.InvalidBatchEntryId",
        "BatchRequestTooLong": "AWS.SimpleQueueService.BatchRequestTooLong",
        "UnsupportedOperation": "AWS.SimpleQueueService.UnsupportedOperation",
    }

    def __init__(self, router: LeaderRouter):
        self.router = router
        self.service_model = botocore.session.get_session().get_service_model("sqs")

    async def call(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        if operation not in FORWARDED:
            raise UnsupportedOperation(f"azlab's SQS does not implement {operation}")
        shapes = self.service_model.operation_model(operation)
        try:
            request = json_format.ParseDict(jsonshapes.encode(shapes.input_shape, params),
                                            getattr(sqs_pb2, f"{operation}Request")(), ignore_unknown_fields=True)
        except json_format.ParseError as e:
            raise InvalidParameterValue(str(e).splitlines()[0]) from None
        response = await self.router.call(operation, request, long_poll_s(operation, request))
        return jsonshapes.decode(shapes.output_shape, json_format.MessageToDict(response)) if shapes.output_shape \
            else {}

"""SQS over AWS's JSON protocol (`X-Amz-Target: AmazonSQS.<Operation>`), for the region's AWS endpoint.

The proto's fields carry AWS's names as their JSON names, so the checked JSON
input is parsed straight into the request message and the response message's
JSON is the AWS output; botocore's model renders it (azlab.cluster.aws).
"""

from __future__ import annotations

from typing import Any

import botocore.session
from google.protobuf import json_format

from azlab.common.errors import InvalidParameterValue, UnsupportedOperation
from azlab.cluster.sqs.router import LeaderRouter
from azlab.cluster.sqs.servicer import FORWARDED, long_poll_s
from azlab.sqs.v1 import sqs_pb2


class SqsJsonProtocol:
    def __init__(self, router: LeaderRouter):
        self.router = router
        self.service_model = botocore.session.get_session().get_service_model("sqs")

    async def call(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        if operation not in FORWARDED:
            raise UnsupportedOperation(f"azlab's SQS does not implement {operation}")
        try:
            request = json_format.ParseDict(params, getattr(sqs_pb2, f"{operation}Request")(),
                                            ignore_unknown_fields=True)
        except json_format.ParseError as e:
            raise InvalidParameterValue(str(e).splitlines()[0]) from None
        response = await self.router.call(operation, request, long_poll_s(operation, request))
        return json_format.MessageToDict(response)

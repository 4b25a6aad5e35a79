"""The region's AWS-compatible HTTP endpoint: unchanged AWS clients (boto3, aws-cli) with `endpoint_url`.

One endpoint for every service, like a region's own: a request is dispatched
on what AWS's protocols put in it. The AWS JSON protocol names its service and
operation in `X-Amz-Target: <TargetPrefix>.<Operation>`; each service that
speaks it registers an `AwsJsonService` under its botocore target prefix.
Requests are checked, and responses rendered, with botocore's own service
model, so the wire is exactly what botocore expects. Signatures are not
checked: the lab has one account and no IAM.

It runs in the region's front end (`azlab.cluster.frontend`), a process of its
own on the region node, not in the controller. `GET /health` answers who
serves (the region id and pid) for the controller's probe; AWS has no such
path, and every AWS call is a POST.

Not served: the query protocol (form-encoded `Action=`), which botocore
stopped using for SQS in 1.31; such a request gets an UnsupportedOperation error.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, Protocol

from aiohttp import web
from botocore.model import OperationNotFoundError, ServiceModel, Shape
from botocore.validate import ParamValidator

from azlab.common.errors import AzlabError, InvalidParameterValue, MissingParameter, UnsupportedOperation

log = logging.getLogger(__name__)
JSON_CONTENT_TYPE = "application/x-amz-json-1.0"
# AWS's JSON errors of services that moved from the query protocol also carry the old code,
# which botocore reports as QueryErrorCode.
QUERY_ERROR_CODES = {
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
MAX_REQUEST_BYTES = 8 * 1024 * 1024
HEALTH_PATH = "/health"
STATUS_BY_GRPC = {"INTERNAL": 500, "UNAVAILABLE": 503, "UNIMPLEMENTED": 501}


class AwsJsonService(Protocol):
    service_model: ServiceModel

    async def call(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        """Run one operation whose input botocore's model has checked; the output as the model shapes it."""


class AwsEndpoint:
    def __init__(self, services: list[AwsJsonService], identity: dict[str, Any] | None = None):
        self.services = {s.service_model.metadata["targetPrefix"]: s for s in services}
        self.identity = identity or {}
        self._validator = ParamValidator()
        self._runner: web.AppRunner | None = None

    async def start(self, host: str, port: int) -> int:
        """Serve on host:port (0: any); returns the port bound."""
        # aiohttp's low-level server: every request is a POST to one handler, so an Application's router and
        # middleware chain would only add CPU to each call.
        loop = asyncio.get_running_loop()
        server = web.Server(self.handle, access_log=None, request_factory=lambda message, payload, protocol, writer,
                            task: web.BaseRequest(message, payload, protocol, writer, task, loop,
                                                  client_max_size=MAX_REQUEST_BYTES))
        self._runner = web.ServerRunner(server)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port, reuse_address=True)
        await site.start()
        return self._runner.addresses[0][1]

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    async def handle(self, request: web.BaseRequest) -> web.Response:
        if request.method == "GET" and request.path == HEALTH_PATH:
            return web.json_response(self.identity)
        if request.method != "POST":
            return web.Response(status=405, headers={"Allow": "POST"})
        target = request.headers.get("X-Amz-Target", "")
        prefix, _, operation = target.partition(".")
        service = self.services.get(prefix)
        try:
            if service is None:
                raise UnsupportedOperation(f"this endpoint serves the AWS JSON protocol of "
                                           f"{', '.join(sorted(self.services))}; got X-Amz-Target {target!r}")
            try:
                operation_model = service.service_model.operation_model(operation)
            except OperationNotFoundError:
                raise UnsupportedOperation(f"unknown operation {operation!r}") from None
            try:
                params = json.loads(await request.read() or b"{}")
            except ValueError:
                raise InvalidParameterValue("the request body is not JSON") from None
            report = self._validator.validate(params, operation_model.input_shape)
            if report.has_errors():
                first = report.generate_report().splitlines()[1].strip()
                raise (MissingParameter if "Missing required" in first else InvalidParameterValue)(first)
            result = await service.call(operation, params)
            body = render(operation_model.output_shape, result) if operation_model.output_shape else {}
            return web.Response(body=json.dumps(body).encode(), content_type=JSON_CONTENT_TYPE)
        except AzlabError as e:
            return self._error(e.code, e.message, e.status, service)
        except NotImplementedError as e:
            return self._error("UnsupportedOperation", str(e) or "not implemented", "UNIMPLEMENTED", service)
        except Exception as e:
            log.exception("%s failed", target)
            return self._error("InternalFailure", f"{type(e).__name__}: {e}", "INTERNAL", service)

    @staticmethod
    def _error(code: str, message: str, grpc_status: str, service: AwsJsonService | None) -> web.Response:
        status = STATUS_BY_GRPC.get(grpc_status, 400)
        namespace = service.service_model.metadata.get("uid", "aws").split("-")[0] if service else "aws"
        headers = {}
        if code in QUERY_ERROR_CODES:
            headers["x-amzn-query-error"] = f"{QUERY_ERROR_CODES[code]};{'Sender' if status < 500 else 'Receiver'}"
        return web.json_response({"__type": f"com.amazonaws.{namespace}#{code}", "message": message},
                                 status=status, headers=headers, content_type=JSON_CONTENT_TYPE)


def render(shape: Shape, value: Any) -> Any:
    """`value` as botocore's `shape` has it on the wire: only the shape's members, in its types."""
    kind = shape.type_name
    if kind == "structure":
        return {name: render(member, value[name]) for name, member in shape.members.items() if name in value}
    if kind == "list":
        return [render(shape.member, v) for v in value]
    if kind == "map":
        return {str(k): render(shape.value, v) for k, v in value.items()}
    if kind in ("integer", "long"):
        return int(value)
    if kind == "boolean":
        return bool(value)
    if kind in ("float", "double"):
        return float(value)
    return value  # strings; blobs stay base64 text, as the JSON protocol sends them

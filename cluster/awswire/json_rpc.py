"""AWS's JSON protocol (awsJson1_0 and awsJson1_1): `X-Amz-Target: <TargetPrefix>.<Operation>`, a JSON body.

Errors carry `__type` and `message` in the body. A service that moved here from the query protocol
(`awsQueryCompatible` in its model) also gives the query protocol's code in `x-amzn-query-error: <code>;<Sender|
Receiver>`, which botocore reports as the error's code; the code is the error shape's own (`error.code`) unless
the service gives it in `query_error_codes` (botocore's models leave some out).
"""

from __future__ import annotations

import json
import zlib
from typing import Any

from botocore.model import OperationModel, ServiceModel, Shape

from azlab.cluster.awswire import jsonshapes
from azlab.cluster.awswire.core import HttpRequest, HttpResponse, Protocol, WireError, malformed


class JsonProtocol(Protocol):
    def __init__(self, service_model: ServiceModel, query_error_codes: dict[str, str] | None = None):
        super().__init__(service_model)
        self.target_prefix = service_model.metadata["targetPrefix"]
        self.content_type = f"application/x-amz-json-{service_model.metadata.get('jsonVersion', '1.0')}"
        self.namespace = service_model.metadata.get("uid", service_model.service_name).split("-")[0]
        self.query_error_codes = query_error_codes or {}

    def route(self, request: HttpRequest) -> OperationModel:
        prefix, _, name = request.headers.get("X-Amz-Target", "").partition(".")
        if prefix != self.target_prefix:
            raise WireError(self.UNKNOWN_OPERATION, f"X-Amz-Target {prefix!r} is not {self.target_prefix!r}")
        return self.operation(name)

    def parse(self, request: HttpRequest, operation: OperationModel) -> dict[str, Any]:
        try:
            document = self.load(request.body)
        except ValueError:
            raise malformed(self, f"the request body is not {self.body_format}") from None
        if operation.input_shape is None:
            return {}
        try:
            return self.decode(operation.input_shape, document)
        except ValueError as e:
            raise malformed(self, str(e)) from None

    def render(self, operation: OperationModel, result: dict[str, Any], request_id: str) -> HttpResponse:
        body = self.encode(operation.output_shape, result) if operation.output_shape else {}
        return self._response(200, body, request_id, {})

    def render_error(self, error: WireError, request_id: str) -> HttpResponse:
        shape = self.error_shape(error.code)
        name = shape.name if shape is not None else error.code
        body = {"__type": f"com.amazonaws.{self.namespace}#{name}"}
        if shape is not None:
            body |= self.encode(shape, self.error_members(error, shape))
        body.setdefault("message", error.message)
        headers = {}
        if self.service_model.is_query_compatible:
            code = self.query_error_codes.get(name) or (shape.error_code if shape is not None else error.code)
            headers["x-amzn-query-error"] = f"{code};{'Sender' if error.sender_fault else 'Receiver'}"
        return self._response(self.error_status(error, shape), body, request_id, headers)

    # The body's format: JSON here, CBOR in rpcv2_cbor.

    body_format = "JSON"

    def load(self, body: bytes) -> Any:
        return json.loads(body or b"{}")

    def dump(self, document: Any) -> bytes:
        return json.dumps(document).encode()

    def decode(self, shape: Shape, document: Any) -> Any:
        return jsonshapes.decode(shape, document)

    def encode(self, shape: Shape, value: Any) -> Any:
        return jsonshapes.encode(shape, value)

    def response_headers(self, body: bytes) -> dict[str, str]:
        # DynamoDB's clients check the body against x-amz-crc32; every other client ignores it.
        return {"Content-Type": self.content_type, "x-amz-crc32": str(zlib.crc32(body))}

    def _response(self, status: int, document: Any, request_id: str, headers: dict[str, str]) -> HttpResponse:
        body = self.dump(document)
        return HttpResponse(status, self.response_headers(body) | {"x-amzn-RequestId": request_id} | headers, body)

"""AWS's rest-json protocol: REST bindings (`rest`), a JSON body; errors name their code in `x-amzn-ErrorType`."""

from __future__ import annotations

import json
from typing import Any

from botocore.model import Shape, StructureShape

from azlab.cluster.awswire import jsonshapes
from azlab.cluster.awswire.core import HttpResponse, WireError
from azlab.cluster.awswire.rest import RestProtocol

CONTENT_TYPE = "application/json"


class RestJsonProtocol(RestProtocol):
    def decode_body(self, shape: StructureShape, body: bytes, payload: bool) -> Any:
        if payload and body.strip() == b"{}":
            return None  # botocore sends {} for an absent structure payload
        try:
            document = json.loads(body)
        except ValueError:
            raise ValueError("the request body is not JSON") from None
        return jsonshapes.decode(shape, document)

    def encode_body(self, shape: Shape, value: Any, name: str | None) -> tuple[bytes, str]:
        return json.dumps(jsonshapes.encode(shape, value)).encode(), CONTENT_TYPE

    def render_error(self, error: WireError, request_id: str) -> HttpResponse:
        shape = self.error_shape(error.code)
        headers = self.request_headers(request_id) | {"x-amzn-ErrorType": shape.name if shape is not None
                                                      else error.code}
        status = self.error_status(error, shape)
        document = {}
        if shape is not None:
            members = self.error_members(error, shape)
            status = self.bind_headers(shape, members, headers) or status
            document = jsonshapes.encode(shape, members)
        if error.message:
            document.setdefault("message", error.message)
        return HttpResponse(status, headers | {"Content-Type": CONTENT_TYPE}, json.dumps(document).encode())

"""Smithy's RPC v2 CBOR protocol (CloudWatch's newest): `POST /service/<TargetPrefix>/operation/<Operation>` with
`smithy-protocol: rpc-v2-cbor`, a CBOR body (RFC 8949, by cbor2): members by name, blobs as byte strings,
timestamps as tag 1 (epoch seconds). Errors as the JSON protocol's (`__type`, `message`, the query-compatible
header), in CBOR.
"""

from __future__ import annotations

import datetime
import re
from typing import Any
from urllib.parse import unquote

import cbor2
from botocore.model import OperationModel, Shape

from azlab.cluster.awswire import jsonshapes
from azlab.cluster.awswire.core import HttpRequest, WireError, decode_scalar, encode_scalar, format_timestamp
from azlab.cluster.awswire.json_rpc import JsonProtocol

CONTENT_TYPE = "application/cbor"
_PATH = re.compile(r"/service/([^/]+)/operation/([^/]+)")


def _encode_scalar(shape: Shape, value: Any) -> Any:
    kind = shape.type_name
    if kind == "timestamp":
        return cbor2.CBORTag(1, format_timestamp(value, "unixtimestamp"))  # whatever the shape's timestampFormat
    if kind == "blob":
        return value.encode() if isinstance(value, str) else bytes(value)
    if kind in ("float", "double"):
        return float(value)  # CBOR has NaN and the infinities
    return encode_scalar(shape, value, "unixtimestamp")


def _decode_scalar(shape: Shape, raw: Any) -> Any:
    kind = shape.type_name
    if kind == "timestamp" and isinstance(raw, datetime.datetime):
        return raw.astimezone(datetime.timezone.utc)
    if kind == "blob" and isinstance(raw, (bytes, bytearray)):
        return bytes(raw)
    if kind in ("float", "double") and isinstance(raw, float):
        return raw
    return decode_scalar(shape, raw)


class RpcV2CborProtocol(JsonProtocol):
    body_format = "CBOR"

    def __init__(self, service_model, query_error_codes: dict[str, str] | None = None):
        super().__init__(service_model, query_error_codes)
        self.content_type = CONTENT_TYPE

    def route(self, request: HttpRequest) -> OperationModel:
        found = _PATH.fullmatch(request.path)
        if found is None or unquote(found.group(1)) != self.target_prefix:
            raise WireError(self.UNKNOWN_OPERATION, f"{request.path} names no operation of {self.target_prefix}",
                            status=404)
        return self.operation(unquote(found.group(2)))

    def load(self, body: bytes) -> Any:
        try:
            return cbor2.loads(body) if body else {}
        except (cbor2.CBORDecodeError, EOFError) as e:
            raise ValueError(str(e)) from None

    def dump(self, document: Any) -> bytes:
        return cbor2.dumps(document)

    def decode(self, shape: Shape, document: Any) -> Any:
        return jsonshapes.decode(shape, document, _decode_scalar)

    def encode(self, shape: Shape, value: Any) -> Any:
        return jsonshapes.encode(shape, value, _encode_scalar)

    def response_headers(self, body: bytes) -> dict[str, str]:
        return {"Content-Type": CONTENT_TYPE, "smithy-protocol": "rpc-v2-cbor"}

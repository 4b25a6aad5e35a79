"""What every protocol shares: the HTTP exchange, the error, the protocol contract, scalars and timestamps."""

from __future__ import annotations

import base64
import calendar
import datetime
import json
import math
from dataclasses import dataclass, field
from email.utils import formatdate
from typing import Any

from botocore.model import OperationModel, ServiceModel, Shape, StructureShape
from botocore.utils import parse_timestamp, parse_to_aware_datetime
from multidict import CIMultiDict, CIMultiDictProxy


@dataclass(frozen=True)
class HttpRequest:
    """One request as it came: the path still percent-encoded, the query string raw, headers case-insensitive."""

    method: str
    path: str
    query: str = ""
    headers: CIMultiDict | CIMultiDictProxy = field(default_factory=CIMultiDict)
    body: bytes = b""


@dataclass
class HttpResponse:
    status: int
    headers: dict[str, str]
    body: bytes


class WireError(Exception):
    """An error as a protocol renders it.

    `code` is the error's shape name in the service's model, or the code AWS puts on the wire (a modeled error is
    found by either); `fields` are the error shape's members beyond its message; `status` is used when the model
    gives the error none.
    """

    def __init__(self, code: str, message: str = "", status: int = 400, fields: dict[str, Any] | None = None,
                 sender_fault: bool | None = None):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        self.fields = fields or {}
        self.sender_fault = status < 500 if sender_fault is None else sender_fault


class Protocol:
    """The server side of one AWS protocol for one service model.

    `route` finds the operation a request calls (WireError in the protocol's own words when none);
    `parse` gives the operation's input params as botocore would have built them from a caller's arguments
    (timestamps as aware datetimes, blobs as bytes, idempotency tokens as sent); `render` turns a result, as boto3
    returns it, into the response botocore parses back into that result; `render_error` renders an error as the
    protocol does.
    """

    # The codes of the errors every protocol answers on its own, in its own words.
    UNKNOWN_OPERATION = "UnknownOperationException"
    MALFORMED = "SerializationException"

    def __init__(self, service_model: ServiceModel):
        self.service_model = service_model

    def route(self, request: HttpRequest) -> OperationModel:
        raise NotImplementedError

    def parse(self, request: HttpRequest, operation: OperationModel) -> dict[str, Any]:
        raise NotImplementedError

    def render(self, operation: OperationModel, result: dict[str, Any], request_id: str) -> HttpResponse:
        raise NotImplementedError

    def render_error(self, error: WireError, request_id: str) -> HttpResponse:
        raise NotImplementedError

    def operation(self, name: str) -> OperationModel:
        if name not in self.service_model.operation_names:
            raise WireError(self.UNKNOWN_OPERATION, f"unknown operation {name!r}")
        return self.service_model.operation_model(name)

    def error_shape(self, code: str) -> StructureShape | None:
        """The modeled error `code` names: by shape name, else by the code the model gives it on the wire."""
        if code in self.service_model.shape_names:
            shape = self.service_model.shape_for(code)
            if shape.metadata.get("exception"):
                return shape
        return self.service_model.shape_for_error_code(code)

    def error_status(self, error: WireError, shape: Shape | None) -> int:
        return (shape.metadata.get("error", {}).get("httpStatusCode") if shape is not None else None) or error.status

    def error_members(self, error: WireError, shape: Shape | None) -> dict[str, Any]:
        """The error shape's member values: the message in its message member (when it has one), then the fields."""
        values = {}
        if shape is not None and error.message:
            for name in ("Message", "message"):
                if name in shape.members:
                    values[name] = error.message
        return values | error.fields


# The locations a response binds outside its body; any other member (even one bound to the query string on input)
# is in the body.
RESPONSE_LOCATIONS = frozenset({"header", "headers", "statusCode"})


def malformed(protocol: Protocol, what: str) -> WireError:
    return WireError(protocol.MALFORMED, what)


# Scalars: what botocore's serializers write and parsers read, both ways.

def b64encode(value: bytes | str) -> str:
    return base64.b64encode(value.encode() if isinstance(value, str) else value).decode()


def b64decode(text: str | bytes) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (ValueError, TypeError):  # TypeError: a JSON number or list where base64 text belongs
        raise ValueError("not base64") from None


def format_float(value: float) -> float | str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def parse_float(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError("a boolean is not a number")
    return float(value)  # float() reads "NaN", "Infinity" and "-Infinity" as the protocols write them


def parse_integer(value: Any) -> int:
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
        raise ValueError(f"{value!r} is not an integer")
    return int(value)  # int() refuses text that is not a whole number


def parse_boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    raise ValueError(f"{value!r} is not a boolean")


def format_timestamp(value: Any, fmt: str) -> str | int | float:
    """`value` (datetime, epoch seconds or ISO 8601 text) in `fmt`: iso8601, unixtimestamp or rfc822."""
    when = parse_to_aware_datetime(value).astimezone(datetime.timezone.utc)
    seconds = calendar.timegm(when.timetuple())
    fmt = fmt.lower()
    if fmt == "unixtimestamp":
        return (seconds * 10**6 + when.microsecond) / 10**6 if when.microsecond else seconds
    if fmt == "rfc822":
        return formatdate(seconds, usegmt=True)
    return when.strftime("%Y-%m-%dT%H:%M:%S.%fZ" if when.microsecond else "%Y-%m-%dT%H:%M:%SZ")


def parse_timestamp_value(value: Any) -> datetime.datetime:
    """Any of the protocols' timestamp forms (epoch seconds as number or text, ISO 8601, RFC 822) as aware UTC."""
    if isinstance(value, bool):
        raise ValueError("a boolean is not a timestamp")
    return parse_timestamp(value).astimezone(datetime.timezone.utc)


def timestamp_format(shape: Shape, default: str) -> str:
    return shape.serialization.get("timestampFormat", default)


def encode_scalar(shape: Shape, value: Any, default_timestamp_format: str) -> Any:
    """A scalar result value as the wire has it: timestamps in the shape's (or the place's) format, blobs in
    base64, floats' NaN and infinities by name, the rest in their JSON types."""
    kind = shape.type_name
    if kind == "timestamp":
        return format_timestamp(value, timestamp_format(shape, default_timestamp_format))
    if kind == "blob":
        return b64encode(value)
    if kind in ("float", "double"):
        return format_float(float(value))
    if kind in ("integer", "long"):
        return int(value)
    if kind == "boolean":
        return bool(value)
    return value


def scalar_text(wire: Any) -> str:
    """An encoded scalar as XML, headers and query strings write it."""
    return ("true" if wire else "false") if isinstance(wire, bool) else str(wire)


def decode_scalar(shape: Shape, raw: Any) -> Any:
    """A scalar param from the wire, as text (XML, headers, query strings) or as a JSON value; ValueError if it
    does not fit the shape."""
    kind = shape.type_name
    if kind == "timestamp":
        return parse_timestamp_value(raw)
    if kind == "blob":
        return b64decode(raw)
    if kind in ("float", "double"):
        return parse_float(raw)
    if kind in ("integer", "long"):
        return parse_integer(raw)
    if kind == "boolean":
        return parse_boolean(raw)
    if not isinstance(raw, str):
        raise ValueError("expected a string")
    return raw


def is_json_value(shape: Shape) -> bool:
    return shape.type_name == "string" and bool(shape.serialization.get("jsonvalue"))


def encode_json_value(value: Any) -> str:
    return b64encode(json.dumps(value, separators=(",", ":")))


def decode_json_value(text: str) -> Any:
    return json.loads(b64decode(text))

"""What rest-json and rest-xml share: routing by the model's HTTP bindings, and the members bound to the URI,
the query string, headers and the status code; the body is each protocol's own (`RestProtocol` subclasses).

Routing: each operation's `http.requestUri` is a path template (`{Label}` one segment, `{Key+}` greedy, the rest
of the path) and perhaps query literals (`/{Bucket}?acl`, `?list-type=2`); a request matches when its method, its
path and all the literals match. Of the matches, the most specific wins: more query literals, then more literal
path, then fewer greedy labels (S3's `PUT /{Bucket}?acl` before `PUT /{Bucket}`, `/{Bucket}/{Key+}` apart).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote

from botocore.model import OperationModel, ServiceModel, Shape, StructureShape

from azlab.cluster.awswire.core import (RESPONSE_LOCATIONS, HttpRequest, HttpResponse, Protocol, WireError,
                                        decode_json_value, decode_scalar, encode_json_value, encode_scalar,
                                        is_json_value, malformed, scalar_text, timestamp_format)

HEADER_TIMESTAMP_FORMAT = "rfc822"
_LABEL = re.compile(r"{([^}]+)}")


@dataclass(frozen=True)
class Route:
    operation: str
    method: str
    path: re.Pattern
    labels: tuple[str, ...]  # the path's labels, by group (g0, g1, ...)
    literals: tuple[tuple[str, str | None], ...]  # the URI's query literals: (name, value, or None for "present")
    required_query: frozenset[str]  # query parameters and headers the input requires: they tell PutObject
    required_headers: frozenset[str]  # (PUT /{Bucket}/{Key+}) from UploadPart (partNumber, uploadId) and CopyObject
    rank: tuple[int, int, int, int, bool]

    @classmethod
    def of(cls, operation: OperationModel) -> Route:
        template, _, query = operation.http["requestUri"].partition("?")
        pattern, labels, literal_chars, greedy = "", [], 0, 0
        for i, part in enumerate(_LABEL.split(template)):
            if i % 2 == 0:
                pattern += re.escape(part)
                literal_chars += len(part)
            else:
                pattern += f"(?P<g{len(labels)}>{'.+' if part.endswith('+') else '[^/]+'})"
                greedy += part.endswith("+")
                labels.append(part.rstrip("+"))
        # A template ending in "/" also takes the path without it, and one ending in a label the path with one.
        pattern = pattern.rstrip("/") + "/?" if pattern != "/" else pattern
        literals = tuple((name, value if "=" in item else None) for item in query.split("&") if item
                         for name, _, value in [item.partition("=")])
        shape = operation.input_shape
        required = [shape.members[name] for name in shape.required_members] if shape is not None else []
        required_query = frozenset(m.serialization.get("name", m.name) for m in required
                                   if m.serialization.get("location") == "querystring")
        required_headers = frozenset(m.serialization.get("name", m.name).lower() for m in required
                                     if m.serialization.get("location") == "header")
        return cls(operation.name, operation.http.get("method", "POST"), re.compile(pattern + r"\Z"), tuple(labels),
                   literals, required_query, required_headers,
                   # Where two operations share one binding (S3's GetBucketLifecycle and its successor
                   # GetBucketLifecycleConfiguration), the one not deprecated.
                   (len(literals), len(required_query) + len(required_headers), literal_chars, -greedy,
                    not operation.deprecated))

    def match(self, request: HttpRequest, query: dict[str, list[str]], strict: bool = True) -> dict[str, str] | None:
        """The path's labels, unquoted, when `request` is this route's (`strict`: with what its input requires in
        the query string and headers); else None."""
        if request.method != self.method:
            return None
        if any(name not in query or (value is not None and value not in query[name])
               for name, value in self.literals):
            return None
        if strict and (not self.required_query <= query.keys() or
                       any(h not in request.headers for h in self.required_headers)):
            return None
        found = self.path.match(request.path)
        return {self.labels[int(g[1:])]: unquote(v) for g, v in found.groupdict().items()} if found else None


def query_params(query: str) -> dict[str, list[str]]:
    params: dict[str, list[str]] = {}
    for name, value in parse_qsl(query, keep_blank_values=True):
        params.setdefault(name, []).append(value)
    return params


def quote_header_item(text: str) -> str:
    return '"' + text.replace('"', '\\"') + '"' if '"' in text or "," in text else text


def split_header_list(value: str) -> list[str]:
    """A header's comma-separated list, with RFC 7230's quoted strings (botocore quotes items holding , or ")."""
    items, i = [], 0
    while i <= len(value):
        rest = value[i:].lstrip()
        if rest.startswith('"'):
            m = re.match(r'"((?:[^"\\]|\\.)*)"\s*(?:,|$)', rest)
            if not m:
                raise ValueError(f"an unterminated quoted string in {value!r}")
            items.append(re.sub(r"\\(.)", r"\1", m.group(1)))
            i = len(value) - len(rest) + m.end()
        else:
            item, _, _ = rest.partition(",")
            items.append(item.strip())
            i = len(value) - len(rest) + len(item) + 1
    return items


class RestProtocol(Protocol):
    def __init__(self, service_model: ServiceModel):
        super().__init__(service_model)
        self.by_operation = {name: Route.of(service_model.operation_model(name))
                             for name in service_model.operation_names}
        self.routes = sorted(self.by_operation.values(), key=lambda r: r.rank, reverse=True)

    def route(self, request: HttpRequest) -> OperationModel:
        query = query_params(request.query)
        # A request lacking a parameter its operation requires still reaches it, to be told what it lacks.
        for strict in (True, False):
            for route in self.routes:
                if route.match(request, query, strict) is not None:
                    return self.service_model.operation_model(route.operation)
        raise WireError(self.UNKNOWN_OPERATION, f"no operation serves {request.method} {request.path}", status=404)

    # Body codec: each protocol's own.

    def decode_body(self, shape: StructureShape, body: bytes, payload: bool) -> dict[str, Any] | Any:
        raise NotImplementedError

    def encode_body(self, shape: Shape, value: Any, name: str | None) -> tuple[bytes, str]:
        """The body (and its content type) for `value`: the output's body members, or one payload member."""
        raise NotImplementedError

    # Requests.

    def parse(self, request: HttpRequest, operation: OperationModel) -> dict[str, Any]:
        shape = operation.input_shape
        if shape is None:
            return {}
        query = query_params(request.query)
        route = self.by_operation[operation.name]
        labels = route.match(request, query, strict=False) or {}
        literal_names = {name for name, _ in route.literals}
        params: dict[str, Any] = {}
        try:
            for name, member in shape.members.items():
                location = member.serialization.get("location")
                wire = member.serialization.get("name", name)
                if location == "uri" and wire in labels:
                    params[name] = decode_scalar(member, labels[wire])
                elif location == "querystring":
                    if member.type_name == "map":
                        # The parameters no other member is bound to (nor the URI's own literals).
                        bound = literal_names | {m.serialization.get("name", n) for n, m in shape.members.items()
                                                 if m.serialization.get("location") == "querystring"}
                        values = {k: (v if member.value.type_name == "list" else v[0]) for k, v in query.items()
                                  if k not in bound}
                        if values:
                            params[name] = values
                    elif wire in query:
                        if member.type_name == "list":
                            params[name] = [decode_scalar(member.member, v)
                                            for v in query[wire]]
                        else:
                            params[name] = decode_scalar(member, query[wire][0])
                elif location == "header" and wire in request.headers:
                    params[name] = self.decode_header(member, ", ".join(request.headers.getall(wire)))
                elif location == "headers":
                    prefix = wire.lower()
                    values = {k[len(prefix):]: v for k, v in request.headers.items() if k.lower().startswith(prefix)}
                    if values:
                        params[name] = values
        except ValueError as e:
            raise malformed(self, str(e)) from None
        payload = shape.serialization.get("payload")
        try:
            if payload is not None:
                member = shape.members[payload]
                if member.type_name == "blob":
                    if request.body:
                        params[payload] = request.body
                elif member.type_name == "string":
                    if request.body:
                        params[payload] = request.body.decode()
                elif request.body and (value := self.decode_body(member, request.body, payload=True)) is not None:
                    params[payload] = value
            elif request.body and any("location" not in m.serialization for m in shape.members.values()):
                params |= self.decode_body(shape, request.body, payload=False)
        except (ValueError, UnicodeDecodeError) as e:
            raise malformed(self, str(e)) from None
        return params

    def decode_header(self, shape: Shape, value: str) -> Any:
        if shape.type_name == "list":
            # An HTTP date holds a comma of its own: a list of them splits after each "GMT".
            items = re.split(r"(?<=GMT)\s*,\s*", value) if shape.member.type_name == "timestamp" and \
                timestamp_format(shape.member, HEADER_TIMESTAMP_FORMAT) == HEADER_TIMESTAMP_FORMAT \
                else split_header_list(value)
            return [decode_scalar(shape.member, v) for v in items]
        if is_json_value(shape):
            return decode_json_value(value)
        return decode_scalar(shape, value)

    # Responses.

    def render(self, operation: OperationModel, result: dict[str, Any], request_id: str) -> HttpResponse:
        shape = operation.output_shape
        status = operation.http.get("responseCode", 200)
        return self.render_shape(shape, result, status, self.request_headers(request_id))

    def render_shape(self, shape: StructureShape | None, value: dict[str, Any], status: int,
                     headers: dict[str, str]) -> HttpResponse:
        body, content_type = b"", None
        if shape is not None:
            status = self.bind_headers(shape, value, headers) or status
            payload = shape.serialization.get("payload")
            if payload is not None:
                member = shape.members[payload]
                if value.get(payload) is not None:
                    if member.type_name in ("blob", "string"):
                        data = value[payload]
                        body = data.encode() if isinstance(data, str) else bytes(data)
                        content_type = "application/octet-stream" if member.type_name == "blob" else "text/plain"
                    else:
                        body, content_type = self.encode_body(member, value[payload],
                                                              member.serialization.get("name", member.name))
            elif any(value.get(n) is not None and m.serialization.get("location") not in RESPONSE_LOCATIONS
                     for n, m in shape.members.items()):
                body, content_type = self.encode_body(shape, value, None)
        if content_type and not any(k.lower() == "content-type" for k in headers):
            headers["Content-Type"] = content_type
        return HttpResponse(status, headers, body)

    def bind_headers(self, shape: StructureShape, value: dict[str, Any], headers: dict[str, str]) -> int | None:
        """Put `value`'s header members into `headers`; the status code member's value, if it has one."""
        status = None
        for name, member in shape.members.items():
            if value.get(name) is None:
                continue
            location = member.serialization.get("location")
            wire = member.serialization.get("name", name)
            if location == "statusCode":
                status = int(value[name])
            elif location == "header":
                if member.type_name != "list" or value[name]:
                    headers[wire] = self.header_text(member, value[name])
            elif location == "headers":
                headers |= {wire + k: str(v) for k, v in value[name].items()}
        return status

    def header_text(self, shape: Shape, value: Any) -> str:
        kind = shape.type_name
        if kind == "list":
            return ",".join(quote_header_item(self.header_item(shape.member, v)) if shape.member.type_name == "string"
                            else self.header_item(shape.member, v) for v in value if v is not None)
        if is_json_value(shape):
            return encode_json_value(value)
        return self.header_item(shape, value)

    @staticmethod
    def header_item(shape: Shape, value: Any) -> str:
        return scalar_text(encode_scalar(shape, value, HEADER_TIMESTAMP_FORMAT))

    @staticmethod
    def request_headers(request_id: str) -> dict[str, str]:
        return {"x-amzn-RequestId": request_id}

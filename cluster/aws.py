"""The region's AWS-compatible HTTP endpoint: unchanged AWS clients (boto3, aws-cli) with `endpoint_url`.

One endpoint for every service, like a region's own. Each service registers an `AwsService`: its botocore service
model and a `call` that runs one operation. The wire is `azlab.cluster.awswire`'s, driven by that model: the
request routed to its operation and parsed, the params checked with botocore's own validator, the result and
every error rendered as that service's protocol has them, so the wire is exactly what botocore expects.

Which service a request is for, in the order AWS's own clients make it plain: the X-Amz-Target prefix (the json
protocol), else the service its signature's credential scope names, else (query and ec2) the API Version it
gives, else the first REST service whose routes take it. A request for a service or an operation not served here
gets that protocol's own refusal (UnknownOperationException, InvalidAction) in that protocol's shape.

Signatures are not checked yet: `authenticate` is the place, called with the request and the service's model
before anything is dispatched (it raises an `awswire.WireError`, such as SignatureDoesNotMatch, to refuse).

It runs in the region's front end (`azlab.cluster.frontend`), a process of its own on the region node, not in the
controller. `GET /health` answers who serves (the region id and pid) for the controller's probe; AWS has no such
path.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, Protocol
from urllib.parse import parse_qsl, unquote

import botocore.session
from aiohttp import web
from botocore.exceptions import DataNotFoundError, UnknownServiceError
from botocore.model import OperationModel, ServiceModel
from botocore.validate import ParamValidator

from azlab.cluster import awswire
from azlab.cluster.awswire import HttpRequest, HttpResponse, WireError
from azlab.cluster.awswire.query import form_params
from azlab.common.errors import AzlabError, InvalidParameterValue, MissingParameter

log = logging.getLogger(__name__)
MAX_REQUEST_BYTES = 8 * 1024 * 1024
HEALTH_PATH = "/health"
STATUS_BY_GRPC = {"INTERNAL": 500, "UNAVAILABLE": 503, "UNIMPLEMENTED": 501}
# The service a SigV4 signature is for: `Credential=<key>/<date>/<region>/<service>/aws4_request`, in the
# Authorization header or a presigned URL's X-Amz-Credential.
_CREDENTIAL_SCOPE = re.compile(r"[^/\s]+/\d{8}/[^/\s]+/([^/\s]+)/aws4_request")
_RPC_V2_PATH = re.compile(r"/service/([^/]+)/operation/[^/]+$")

Authenticate = Callable[[HttpRequest, ServiceModel], Awaitable[None]]


class AwsService(Protocol):
    service_model: ServiceModel

    async def call(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        """Run one operation whose input botocore's model has checked; the output as boto3 returns it."""


def _protocols(model: ServiceModel, query_error_codes: dict[str, str] | None = None) -> dict[str, awswire.Protocol]:
    """`model` in each protocol it lists (CloudWatch's lists three: each client speaks one of them)."""
    protocols = {}
    for name in model.metadata.get("protocols", [model.protocol]):
        if (kind := awswire.PROTOCOLS.get(name)) is not None:
            json_family = issubclass(kind, awswire.JsonProtocol)
            protocols[name] = kind(model, **({"query_error_codes": query_error_codes}
                                             if query_error_codes and json_family else {}))
    return protocols


class _Served:
    """One registered service and the protocols it is spoken in."""

    def __init__(self, service: AwsService):
        self.service = service
        self.model = service.service_model
        # A json service that was a query one may name the query codes its clients read that its model lacks.
        self.protocols = _protocols(self.model, getattr(service, "query_error_codes", None))
        self.protocol = self.protocols[self.model.resolved_protocol]

    def protocol_of(self, request: HttpRequest) -> awswire.Protocol:
        """The protocol `request` is in, of those this service speaks."""
        return self.protocols.get(_protocol_named_by(request) or "", self.protocol)


class AwsEndpoint:
    def __init__(self, services: list[AwsService], identity: dict[str, Any] | None = None,
                 authenticate: Authenticate | None = None):
        self.served = [_Served(s) for s in services]
        self.by_target = {s.model.metadata["targetPrefix"]: s for s in self._speaking("json", "smithy-rpc-v2-cbor")}
        self.by_scope = {s.model.metadata.get("signingName", s.model.endpoint_prefix): s for s in self.served}
        self.by_version = {s.model.api_version: s for s in self._speaking("query", "ec2")}
        self.rest = self._speaking("rest-json", "rest-xml")
        self.identity = identity or {}
        self.authenticate = authenticate
        self._validator = ParamValidator()
        self._runner: web.AppRunner | None = None

    async def start(self, host: str, port: int) -> int:
        """Serve on host:port (0: any); returns the port bound."""
        # aiohttp's low-level server: one handler takes every request, so an Application's router and middleware
        # chain would only add CPU to each call.
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
        try:
            body, too_large = await request.read(), False
        except web.HTTPRequestEntityTooLarge:
            body, too_large = b"", True
        wire = HttpRequest(request.method, request.rel_url.raw_path, request.rel_url.raw_query_string,
                           request.headers, body)
        response = await self.answer(wire, too_large)
        return web.Response(status=response.status, headers=response.headers, body=response.body)

    async def answer(self, request: HttpRequest, too_large: bool = False) -> HttpResponse:
        """The response to one request (its body left out when `too_large`)."""
        request_id = str(uuid.uuid4())
        served = self._service_for(request)
        protocol = served.protocol_of(request) if served is not None else _refusing_protocol(request)
        operation: OperationModel | None = None
        try:
            if too_large:
                raise WireError("RequestEntityTooLarge", f"the request body exceeds {MAX_REQUEST_BYTES} bytes",
                                status=413)
            if served is None:
                raise WireError(protocol.UNKNOWN_OPERATION, "this endpoint does not serve the service this request "
                                f"is for; it serves {', '.join(sorted(s.model.service_name for s in self.served))}")
            if self.authenticate is not None:
                await self.authenticate(request, served.model)
            operation = protocol.route(request)
            params = protocol.parse(request, operation)
            self._validate(params, operation)
            result = await served.service.call(operation.name, params)
            return protocol.render(operation, result, request_id)
        except WireError as e:
            return protocol.render_error(e, request_id)
        except AzlabError as e:
            return protocol.render_error(WireError(e.code, e.message, STATUS_BY_GRPC.get(e.status, 400)), request_id)
        except NotImplementedError as e:
            return protocol.render_error(WireError("UnsupportedOperation", str(e) or "not implemented"), request_id)
        except Exception as e:
            log.exception("%s %s failed", served.model.service_name if served else "?",
                          operation.name if operation else request.path)
            return protocol.render_error(WireError("InternalFailure", f"{type(e).__name__}: {e}", 500), request_id)

    def _speaking(self, *protocols: str) -> list[_Served]:
        return [s for s in self.served if set(protocols) & s.protocols.keys()]

    def _service_for(self, request: HttpRequest) -> _Served | None:
        if target := _target_prefix(request):
            return self.by_target.get(target)
        if (scope := _signing_service(request)) in self.by_scope:
            return self.by_scope[scope]
        try:
            version = form_params(request).get("Version")
        except UnicodeDecodeError:
            version = None
        if version in self.by_version:
            return self.by_version[version]
        return next((s for s in self.rest if _routes(s.protocol, request)), None)

    def _validate(self, params: dict[str, Any], operation: OperationModel) -> None:
        if operation.input_shape is None:
            return
        report = self._validator.validate(params, operation.input_shape)
        if report.has_errors():
            first = report.generate_report().splitlines()[1].strip()
            raise (MissingParameter if "Missing required" in first else InvalidParameterValue)(first)


def _protocol_named_by(request: HttpRequest) -> str | None:
    """The RPC protocol a request says it is in (the REST ones say nothing)."""
    if request.headers.get("smithy-protocol") == "rpc-v2-cbor":
        return "smithy-rpc-v2-cbor"
    if "X-Amz-Target" in request.headers:
        return "json"
    try:
        return "query" if "Action" in form_params(request) else None
    except UnicodeDecodeError:
        return None


def _target_prefix(request: HttpRequest) -> str | None:
    """The service an RPC request names: in X-Amz-Target (json), or its path (`/service/<S>/operation/<O>`)."""
    if target := request.headers.get("X-Amz-Target"):
        return target.partition(".")[0]
    if request.headers.get("smithy-protocol") == "rpc-v2-cbor" and (found := _RPC_V2_PATH.match(request.path)):
        return unquote(found.group(1))
    return None


def _signing_service(request: HttpRequest) -> str | None:
    credential = request.headers.get("Authorization", "")
    if "X-Amz-Credential=" in request.query:
        credential = dict(parse_qsl(request.query)).get("X-Amz-Credential", "")
    found = _CREDENTIAL_SCOPE.search(credential)
    return found.group(1) if found else None


def _routes(protocol: awswire.Protocol, request: HttpRequest) -> bool:
    try:
        protocol.route(request)
        return True
    except WireError:
        return False


def _refusing_protocol(request: HttpRequest) -> awswire.Protocol:
    """The protocol to refuse a request for a service not served here in: that service's own (botocore's model of
    the service its signature names), else the one the request's form tells (X-Amz-Target: json; Action: query)."""
    named = _protocol_named_by(request)
    if (scope := _signing_service(request)) and (protocols := _botocore_protocols(scope)):
        return protocols.get(named or "") or next(iter(protocols.values()))
    if named in ("json", "smithy-rpc-v2-cbor"):
        version = request.headers.get("Content-Type", "").removeprefix("application/x-amz-json-")
        return awswire.PROTOCOLS[named](_bare_model(named, targetPrefix=_target_prefix(request) or "unknown",
                                                    jsonVersion=version if named == "json" else "1.0"))
    return awswire.PROTOCOLS[named or "rest-json"](_bare_model(named or "rest-json"))


@functools.lru_cache(maxsize=64)
def _botocore_protocols(signing_name: str) -> dict[str, awswire.Protocol]:
    """The protocols of the service botocore knows by `signing_name`, to refuse its clients in their words."""
    try:
        return _protocols(botocore.session.get_session().get_service_model(signing_name))
    except (UnknownServiceError, DataNotFoundError):
        return {}


def _bare_model(protocol: str, **metadata: str) -> ServiceModel:
    return ServiceModel({"metadata": {"protocol": protocol, "apiVersion": "unknown", **metadata}, "operations": {},
                         "shapes": {}}, service_name="unknown")

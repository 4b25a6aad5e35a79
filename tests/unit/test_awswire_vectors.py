"""botocore's own protocol test vectors, run from the server's side against azlab.cluster.awswire.

Each `input` case gives params and the HTTP request botocore sends for them: the layer routes that request to its
operation and must parse it back into the same params. Each `output` case gives a result (or an error) and a
response botocore parses into it: the layer renders the result, botocore's own parser
(`botocore.parsers.create_parser`) parses what it rendered, and that must be the case's result. The vectors'
ignore list (`protocol-tests-ignore-list.json`, the cases botocore itself skips) is honoured; the cases this layer
cannot pass are in ABSENT below, each with its reason, and run as strict xfails: one that starts passing fails.
"""

from __future__ import annotations

import base64
import calendar
import copy
import datetime
import json
import math
from pathlib import Path

import pytest
from botocore.awsrequest import HeadersDict
from botocore.model import ServiceModel
from botocore.parsers import create_parser
from multidict import CIMultiDict

from azlab.cluster.awswire import HttpRequest, WireError, protocol_for

VECTORS = Path(__file__).parent / "aws_protocol_tests"
IGNORED = json.loads((VECTORS / "protocol-tests-ignore-list.json").read_text())

NOT_ON_THE_WIRE = ("botocore sends nothing for this value (None, or an empty list or map where the protocol has no "
                   "way to write one), so no server can tell it from an absent one")
QUERY_MAP_OVERLAP = ("the vector's params put the query parameters bound to other members into the httpQueryParams "
                     "map too; RestJsonQueryParamsStringListMap, on the same kind of wire, expects them out of it, so "
                     "no server passes both: this layer keeps a bound parameter out of the map, as the rest-xml "
                     "vectors do")
NO_TARGET = "the vector gives only the host it is sent to, not the X-Amz-Target header a server routes by"
# (direction, file, case id): why the layer cannot pass it.
ABSENT: dict[tuple[str, str, str], str] = {
    ("input", "input/ec2.json", "Ec2EmptyQueryLists"): NOT_ON_THE_WIRE,
    ("input", "input/query.json", "QueryEmptyQueryMaps"): NOT_ON_THE_WIRE,
    ("input", "input/rest-json.json", "RestJsonHttpPrefixHeadersAreNotPresent"): NOT_ON_THE_WIRE,
    ("input", "input/rest-json.json", "RestJsonOmitsNullQuery"): NOT_ON_THE_WIRE,
    ("input", "input/rest-json.json", "RestJsonOmitsEmptyListQueryValues"): NOT_ON_THE_WIRE,
    ("input", "input/rest-json.json", "RestJsonDoesntSerializeNullStructureValues"): NOT_ON_THE_WIRE,
    ("input", "input/rest-xml.json", "HttpPrefixHeadersAreNotPresent"): NOT_ON_THE_WIRE,
    ("input", "input/rest-xml.json", "RestXmlOmitsNullQuery"): NOT_ON_THE_WIRE,
    ("input", "input/smithy-rpc-v2-cbor.json", "RpcV2CborClientDoesntSerializeNullStructureValues"): NOT_ON_THE_WIRE,
    ("input", "input/json_1_0.json", "AwsJson10EndpointTrait"): NO_TARGET,
    ("input", "input/json_1_0.json", "AwsJson10EndpointTraitWithHostLabel"): NO_TARGET,
    **{("input", "input/rest-json.json", case): QUERY_MAP_OVERLAP for case in (
        "RestJsonAllQueryStringTypes", "RestJsonQueryStringEscaping", "RestJsonSupportsNaNFloatQueryValues",
        "RestJsonSupportsInfinityFloatQueryValues", "RestJsonSupportsNegativeInfinityFloatQueryValues",
        "RestJsonZeroAndFalseQueryValues")},
    ("output", "output/rest-json.json", "HttpPrefixHeadersResponse"):
        "a map of every header (prefix '') also takes the x-amzn-RequestId header every response carries",
}


def _vector_files(direction: str) -> list[Path]:
    return sorted((VECTORS / direction).glob("*.json"))


def _cases(direction: str):
    ignored_suites = set(IGNORED["general"].get(direction, {}).get("suites", []))
    for path in _vector_files(direction):
        file = str(path.relative_to(VECTORS))
        for i, suite in enumerate(json.loads(path.read_text())):
            protocol = suite["metadata"]["protocol"]
            ignored = IGNORED["protocols"].get(path.stem, {}).get(direction, {}).get("cases", [])
            if suite["description"] in ignored_suites:
                continue
            for j, case in enumerate(suite["cases"]):
                case_id = case.get("id", f"{i}.{j}")
                if case_id in ignored:
                    continue
                reason = ABSENT.get((direction, file, case_id))
                marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
                yield pytest.param(protocol, suite, case, id=f"{file}:{case_id}", marks=marks)


def _model(suite: dict, case: dict) -> tuple[ServiceModel, str]:
    description = {k: copy.deepcopy(v) for k, v in suite.items() if k != "cases"}
    name = case["given"].get("name", "OperationName")
    description["operations"] = {name: copy.deepcopy(case["given"]) | {"name": name}}
    return ServiceModel(description, service_name="protocoltest"), name


def plain(value):
    """Params and results in the vectors' terms: timestamps as epoch seconds, blobs as text."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode()
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else "Infinity" if value > 0 else "-Infinity"
    if isinstance(value, datetime.datetime):
        seconds = calendar.timegm(value.utctimetuple()) + value.microsecond / 10**6
        return int(seconds) if seconds.is_integer() else seconds
    return value


def _body(protocol: str, body: str) -> bytes:
    return base64.b64decode(body) if protocol == "smithy-rpc-v2-cbor" else body.encode()  # CBOR's is in base64


@pytest.mark.parametrize("protocol, suite, case", list(_cases("input")))
def test_input_case_parses_back_into_its_params(protocol, suite, case):
    service, name = _model(suite, case)
    serialized = case["serialized"]
    path, _, query = serialized["uri"].partition("?")
    request = HttpRequest(method=serialized.get("method", case["given"].get("http", {}).get("method", "POST")),
                          path=path, query=query, headers=CIMultiDict(serialized.get("headers", {})),
                          body=_body(protocol, serialized.get("body", "")))
    layer = protocol_for(service)
    operation = layer.route(request)
    assert operation.name == name
    assert plain(layer.parse(request, operation)) == plain(case["params"])


def _compliance_timestamps(value):
    """botocore's own runner reads output timestamps as whole epoch seconds."""
    if isinstance(value, dict):
        return {k: _compliance_timestamps(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_compliance_timestamps(v) for v in value]
    if isinstance(value, datetime.datetime):
        return calendar.timegm(value.utctimetuple())
    return value


@pytest.mark.parametrize("protocol, suite, case", list(_cases("output")))
def test_output_case_renders_what_botocore_parses_into_its_result(protocol, suite, case):
    service, name = _model(suite, case)
    layer = protocol_for(service)
    operation = service.operation_model(name)
    if "error" in case:
        response = layer.render_error(WireError(case["errorCode"], case.get("errorMessage", ""),
                                                status=case["response"]["status_code"],
                                                fields=copy.deepcopy(case["error"])), "request-1")
    else:
        response = layer.render(operation, copy.deepcopy(case["result"]), "request-1")
    wire = {"status_code": response.status, "headers": HeadersDict(response.headers), "body": response.body,
            "context": {"operation_name": name}}
    parser = create_parser(service.resolved_protocol)
    parsed = parser.parse(wire, operation.output_shape)
    if "error" in case:
        error_shape = service.shape_for_error_code(parsed["Error"]["Code"])
        if error_shape is not None:
            parsed.update(parser.parse(wire, error_shape))
        parsed["Error"] = {k: v for k, v in parsed["Error"].items() if k in ("Code", "Message")}
        expected = {"Error": {"Code": case["errorCode"], "Message": case.get("errorMessage", "")}} | case["error"]
    else:
        expected = case["result"]
    parsed.pop("ResponseMetadata", None)
    assert _compliance_timestamps(plain(parsed)) == _compliance_timestamps(expected)

"""The server side of AWS's wire protocols, driven by botocore's service models.

Given a service's `botocore.model.ServiceModel`, `protocol_for` gives the `Protocol` that routes a request to its
operation, parses it into the operation's params as botocore built them on the caller's side, renders a result
(as boto3 returns it) into the response botocore expects, and renders errors as that protocol does. No operation
has hand-written XML or JSON: every name, type and location comes from the model, so a service that serves its
operations through this layer speaks what unchanged AWS clients speak. It knows nothing of signatures, services'
behaviour or HTTP servers (`azlab.cluster.aws` is the endpoint).

One module per protocol family: `json_rpc` (json: awsJson1_0/1_1), `rpcv2_cbor` (smithy-rpc-v2-cbor, the json
protocol's errors in CBOR), `query` (query and ec2), `rest` (what rest-json and rest-xml share: routing by the
model's HTTP bindings, URI/query string/header/status bindings), `rest_json`, `rest_xml`; bodies by shape in
`jsonshapes` and `xmlshapes`; the rest in `core`. Checked against botocore's own protocol test vectors
(tests/unit/test_awswire_vectors.py).

Why not a library: LocalStack's ASF (`localstack.aws.protocol`) and moto's `moto.core.parse`/`moto.core.serialize`
do this job, but as internals of those emulators (localstack-core, moto), not a published API: each would bring
its emulator's runtime and dependency pins into the region for some 1,200 lines that botocore's models and vectors
pin down.

Limitations: event streams are absent; request checksums (`httpChecksum`), compressed request bodies
(`requestcompression`) and host-prefix labels are not checked.
"""

from __future__ import annotations

from botocore.model import ServiceModel

from azlab.cluster.awswire.core import HttpRequest, HttpResponse, Protocol, WireError
from azlab.cluster.awswire.json_rpc import JsonProtocol
from azlab.cluster.awswire.query import Ec2Protocol, QueryProtocol
from azlab.cluster.awswire.rest_json import RestJsonProtocol
from azlab.cluster.awswire.rest_xml import RestXmlProtocol
from azlab.cluster.awswire.rpcv2_cbor import RpcV2CborProtocol

PROTOCOLS: dict[str, type[Protocol]] = {
    "json": JsonProtocol,
    "query": QueryProtocol,
    "ec2": Ec2Protocol,
    "rest-json": RestJsonProtocol,
    "rest-xml": RestXmlProtocol,
    "smithy-rpc-v2-cbor": RpcV2CborProtocol,
}

__all__ = ["HttpRequest", "HttpResponse", "Protocol", "WireError", "protocol_for", "PROTOCOLS", "JsonProtocol",
           "QueryProtocol", "Ec2Protocol", "RestJsonProtocol", "RestXmlProtocol", "RpcV2CborProtocol"]


def protocol_for(service_model: ServiceModel, protocol: str | None = None, **options) -> Protocol:
    """`service_model` spoken in `protocol`: by default the one botocore speaks for it (its `resolved_protocol`;
    a service such as CloudWatch lists several, each client speaking one of them); KeyError for one absent here."""
    return PROTOCOLS[protocol or service_model.resolved_protocol](service_model, **options)

"""AWS's rest-xml protocol (Route53, CloudFront, S3): REST bindings (`rest`), an XML body.

Errors are `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`, but S3's are one
`<Error>` element holding its `<RequestId>` (`unwrapped_errors`), with the request id in `x-amz-request-id` too.
"""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree

from botocore.model import ServiceModel, Shape, StructureShape

from azlab.cluster.awswire import xmlshapes
from azlab.cluster.awswire.core import HttpResponse, WireError
from azlab.cluster.awswire.rest import RestProtocol

CONTENT_TYPE = "application/xml"


class RestXmlProtocol(RestProtocol):
    MALFORMED = "MalformedXML"

    def __init__(self, service_model: ServiceModel, unwrapped_errors: bool | None = None):
        super().__init__(service_model)
        self.unwrapped_errors = service_model.metadata.get("serviceId") == "S3" if unwrapped_errors is None \
            else unwrapped_errors

    def decode_body(self, shape: StructureShape, body: bytes, payload: bool) -> Any:
        return xmlshapes.decode(shape, xmlshapes.parse_document(body))

    def encode_body(self, shape: Shape, value: Any, name: str | None) -> tuple[bytes, str]:
        holder = ElementTree.Element("holder")
        xmlshapes.encode(shape, value, holder, name or shape.serialization.get("name", shape.name))
        return xmlshapes.to_bytes(holder[0]), CONTENT_TYPE

    def request_headers(self, request_id: str) -> dict[str, str]:
        return {"x-amzn-RequestId": request_id, "x-amz-request-id": request_id}

    def render_error(self, error: WireError, request_id: str) -> HttpResponse:
        shape = self.error_shape(error.code)
        headers = self.request_headers(request_id) | {"Content-Type": CONTENT_TYPE}
        status = self.error_status(error, shape)
        if shape is not None:
            status = self.bind_headers(shape, error.fields, headers) or status
        root = ElementTree.Element("Error" if self.unwrapped_errors else "ErrorResponse")
        node = root if self.unwrapped_errors else ElementTree.SubElement(root, "Error")
        xmlshapes.encode_error(node, error, shape, with_type=not self.unwrapped_errors)
        ElementTree.SubElement(root, "RequestId").text = request_id
        return HttpResponse(status, headers, xmlshapes.to_bytes(root))

"""AWS's query protocol (`Action=<Operation>&Version=...`, form-encoded) and EC2's variant of it.

The request is flat: `Name.member.1.Key=v` spells params out by path, in the form body (a POST) or the query
string. The response is XML: `<OpResponse><OpResult>...</OpResult><ResponseMetadata><RequestId>` (the result
element is the output shape's `resultWrapper`); errors are `<ErrorResponse><Error><Type>Sender</Type><Code>`.
EC2 differs in names (`queryName`, else a capitalised `locationName`), lists (`Name.1`, no `member`, empty lists
not sent), its response (`<OpResponse><requestId>` then the members) and its errors
(`<Response><Errors><Error>...</Errors><RequestID>`).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl
from xml.etree import ElementTree

from botocore.model import OperationModel, ServiceModel, Shape

from azlab.cluster.awswire import xmlshapes
from azlab.cluster.awswire.core import HttpRequest, HttpResponse, Protocol, WireError, decode_scalar, malformed

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
XML_CONTENT_TYPE = "text/xml"


def form_params(request: HttpRequest) -> dict[str, str]:
    """The query string's and a form body's parameters (UnicodeDecodeError when the body is not UTF-8)."""
    text = request.query
    if request.body and request.headers.get("Content-Type", "").startswith(FORM_CONTENT_TYPE):
        text = "&".join(filter(None, (request.query, request.body.decode())))
    return dict(parse_qsl(text, keep_blank_values=True))


class QueryProtocol(Protocol):
    UNKNOWN_OPERATION = "InvalidAction"
    MALFORMED = "MalformedQueryString"

    def __init__(self, service_model: ServiceModel):
        super().__init__(service_model)
        metadata = service_model.metadata
        self.xml_namespace = metadata.get("xmlNamespace") or \
            f"https://{metadata.get('endpointPrefix', service_model.service_name)}.amazonaws.com/doc/{metadata['apiVersion']}/"

    def form(self, request: HttpRequest) -> dict[str, str]:
        try:
            return form_params(request)
        except UnicodeDecodeError:
            raise malformed(self, "the form body is not UTF-8") from None

    def route(self, request: HttpRequest) -> OperationModel:
        action = self.form(request).get("Action")
        if not action:
            raise WireError("MissingAction", "the request names no Action")
        return self.operation(action)

    def parse(self, request: HttpRequest, operation: OperationModel) -> dict[str, Any]:
        if operation.input_shape is None:
            return {}
        form = self.form(request)
        try:
            return self.decode_members(operation.input_shape, form, "")
        except ValueError as e:
            raise WireError("InvalidParameterValue", str(e)) from None

    # Form -> params: the inverse of botocore's QuerySerializer.

    def serialized_name(self, shape: Shape, default: str) -> str:
        return shape.serialization.get("name", default)

    def decode_members(self, shape: Shape, form: dict[str, str], prefix: str) -> dict[str, Any]:
        params = {}
        for name, member in shape.members.items():
            key = self.serialized_name(member, name)
            key = f"{prefix}.{key}" if prefix else key
            if self.present(form, key):
                params[name] = self.decode(member, form, key)
        return params

    @staticmethod
    def present(form: dict[str, str], key: str) -> bool:
        return key in form or any(k.startswith(key + ".") for k in form)

    @staticmethod
    def indices(form: dict[str, str], prefix: str) -> list[int]:
        pattern = re.compile(re.escape(prefix) + r"\.(\d+)(?:\.|$)")
        return sorted({int(m.group(1)) for k in form if (m := pattern.match(k))})

    def list_prefix(self, shape: Shape, key: str) -> str:
        if shape.serialization.get("flattened"):
            if "name" in shape.member.serialization:
                return ".".join(key.split(".")[:-1] + [shape.member.serialization["name"]])
            return key
        return f"{key}.{shape.member.serialization.get('name', 'member')}"

    def decode(self, shape: Shape, form: dict[str, str], key: str) -> Any:
        kind = shape.type_name
        try:
            if kind == "structure":
                return self.decode_members(shape, form, key)
            if kind == "list":
                if form.get(key) == "" and not self.indices(form, self.list_prefix(shape, key)):
                    return []
                prefix = self.list_prefix(shape, key)
                return [self.decode(shape.member, form, f"{prefix}.{i}") for i in self.indices(form, prefix)]
            if kind == "map":
                prefix = key if shape.serialization.get("flattened") else f"{key}.entry"
                key_name = self.serialized_name(shape.key, "key")
                value_name = self.serialized_name(shape.value, "value")
                return {self.decode(shape.key, form, f"{prefix}.{i}.{key_name}"):
                        self.decode(shape.value, form, f"{prefix}.{i}.{value_name}")
                        for i in self.indices(form, prefix)}
            if key not in form:
                raise ValueError("missing")
            return decode_scalar(shape, form[key])
        except ValueError as e:
            if str(e).startswith("at "):
                raise
            raise ValueError(f"at {key}: {e}") from None

    # Results and errors -> XML.

    def render(self, operation: OperationModel, result: dict[str, Any], request_id: str) -> HttpResponse:
        root = ElementTree.Element(f"{operation.name}Response", xmlns=self.xml_namespace)
        shape = operation.output_shape
        if shape is not None:
            wrapper = shape.serialization.get("resultWrapper")
            node = ElementTree.SubElement(root, wrapper) if wrapper else root
            xmlshapes.encode_members(shape, result, node)
        metadata = ElementTree.SubElement(root, "ResponseMetadata")
        ElementTree.SubElement(metadata, "RequestId").text = request_id
        return self.xml_response(200, root)

    def render_error(self, error: WireError, request_id: str) -> HttpResponse:
        shape = self.error_shape(error.code)
        root = ElementTree.Element("ErrorResponse", xmlns=self.xml_namespace)
        xmlshapes.encode_error(ElementTree.SubElement(root, "Error"), error, shape, with_type=True)
        ElementTree.SubElement(root, "RequestId").text = request_id
        return self.xml_response(self.error_status(error, shape), root)

    @staticmethod
    def xml_response(status: int, root: ElementTree.Element) -> HttpResponse:
        return HttpResponse(status, {"Content-Type": XML_CONTENT_TYPE}, xmlshapes.to_bytes(root))


class Ec2Protocol(QueryProtocol):
    def __init__(self, service_model: ServiceModel):
        super().__init__(service_model)
        self.xml_namespace = f"http://ec2.amazonaws.com/doc/{service_model.metadata['apiVersion']}/"

    def serialized_name(self, shape: Shape, default: str) -> str:
        if "queryName" in shape.serialization:
            return shape.serialization["queryName"]
        if "name" in shape.serialization:
            name = shape.serialization["name"]
            return name[0].upper() + name[1:]
        return default

    def list_prefix(self, shape: Shape, key: str) -> str:
        return key

    def render(self, operation: OperationModel, result: dict[str, Any], request_id: str) -> HttpResponse:
        root = ElementTree.Element(f"{operation.name}Response", xmlns=self.xml_namespace)
        ElementTree.SubElement(root, "requestId").text = request_id
        if operation.output_shape is not None:
            xmlshapes.encode_members(operation.output_shape, result, root)
        return self.xml_response(200, root)

    def render_error(self, error: WireError, request_id: str) -> HttpResponse:
        shape = self.error_shape(error.code)
        root = ElementTree.Element("Response")
        errors = ElementTree.SubElement(root, "Errors")
        xmlshapes.encode_error(ElementTree.SubElement(errors, "Error"), error, shape, with_type=False)
        ElementTree.SubElement(root, "RequestID").text = request_id
        return self.xml_response(self.error_status(error, shape), root)

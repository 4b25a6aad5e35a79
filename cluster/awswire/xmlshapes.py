"""Values <-> XML elements by a botocore shape, as the query, ec2 and rest-xml protocols write them.

Names follow botocore's parser: a member's `locationName`, a flattened list's element named by its member's
`locationName`, list items `<member>` unless named, map entries `<entry><key/><value/></entry>` unless flattened,
`xmlAttribute` members as attributes and `xmlNamespace` as an `xmlns` attribute.
"""

from __future__ import annotations

import re
from typing import Any
from xml.etree import ElementTree

from botocore.model import Shape

from azlab.cluster.awswire.core import RESPONSE_LOCATIONS, WireError, decode_scalar, encode_scalar, scalar_text

TIMESTAMP_FORMAT = "iso8601"
_NAMESPACE = re.compile(r"^{.*?}")


def member_name(shape: Shape, name: str) -> str:
    if shape.type_name == "list" and shape.serialization.get("flattened") and "name" in shape.member.serialization:
        return shape.member.serialization["name"]
    return shape.serialization.get("name", name)


def add_namespace(shape: Shape, node: ElementTree.Element) -> None:
    namespace = shape.serialization.get("xmlNamespace")
    if isinstance(namespace, dict):
        node.set(f"xmlns:{namespace['prefix']}" if namespace.get("prefix") else "xmlns", namespace["uri"])
    elif isinstance(namespace, str):
        node.set("xmlns", namespace)


def text(shape: Shape, value: Any) -> str:
    return scalar_text(encode_scalar(shape, value, TIMESTAMP_FORMAT))


def encode_members(shape: Shape, value: dict[str, Any], node: ElementTree.Element) -> None:
    """`value`'s members as children (and attributes) of `node`."""
    for name, member in shape.members.items():
        if value.get(name) is None or member.serialization.get("location") in RESPONSE_LOCATIONS:
            continue
        if member.serialization.get("xmlAttribute"):
            node.set(member.serialization["name"], text(member, value[name]))
        else:
            encode(member, value[name], node, member_name(member, name))


def encode(shape: Shape, value: Any, parent: ElementTree.Element, name: str) -> None:
    """`value` as the element(s) `name` under `parent`."""
    kind = shape.type_name
    if kind == "list":
        if shape.serialization.get("flattened"):
            for item in value:
                encode(shape.member, item, parent, name)
            return
        node = ElementTree.SubElement(parent, name)
        add_namespace(shape, node)
        for item in value:
            encode(shape.member, item, node, shape.member.serialization.get("name", "member"))
        return
    if kind == "map":
        key_name = shape.key.serialization.get("name", "key")
        value_name = shape.value.serialization.get("name", "value")
        flat = shape.serialization.get("flattened")
        if not flat:
            container = ElementTree.SubElement(parent, name)
            add_namespace(shape, container)
        for k, v in value.items():
            entry = ElementTree.SubElement(parent if flat else container, name if flat else "entry")
            encode(shape.key, k, entry, key_name)
            encode(shape.value, v, entry, value_name)
        return
    node = ElementTree.SubElement(parent, name)
    add_namespace(shape, node)
    if kind == "structure":
        encode_members(shape, value, node)
    else:
        node.text = text(shape, value)


def encode_error(node: ElementTree.Element, error: WireError, shape: Shape | None, with_type: bool) -> None:
    """An error's `Type` (Sender or Receiver, when `with_type`), `Code` and `Message`, then its shape's other
    members, into `node`. The message is always `<Message>`, whatever its member's case in the model (Route53's and
    IAM's are `message`): botocore reads an XML error's message there, as AWS sends it."""
    if with_type:
        ElementTree.SubElement(node, "Type").text = "Sender" if error.sender_fault else "Receiver"
    ElementTree.SubElement(node, "Code").text = shape.error_code if shape is not None else error.code
    if message := error.message or error.fields.get("Message") or error.fields.get("message"):
        ElementTree.SubElement(node, "Message").text = message
    if shape is not None:
        encode_members(shape, {k: v for k, v in error.fields.items() if k not in ("Message", "message")}, node)


def tag(node: ElementTree.Element) -> str:
    return _NAMESPACE.sub("", node.tag)


def children(node: ElementTree.Element) -> dict[str, list[ElementTree.Element]]:
    found: dict[str, list[ElementTree.Element]] = {}
    for child in node:
        found.setdefault(tag(child), []).append(child)
    return found


def decode_members(shape: Shape, node: ElementTree.Element) -> dict[str, Any]:
    """The members of `shape` found in `node`'s children and attributes (a request's: botocore's serializer names
    a flattened list's elements after the list member, where its parser reads them by the list's member)."""
    found = children(node)
    attributes = {_NAMESPACE.sub("", k): v for k, v in node.attrib.items()}
    params = {}
    for name, member in shape.members.items():
        if "location" in member.serialization:
            continue
        wire = member.serialization.get("name", name)
        if member.serialization.get("xmlAttribute"):
            local = wire.split(":")[-1]
            if local in attributes:
                params[name] = decode_scalar(member, attributes[local])
        elif wire in found:
            nodes = found[wire]
            flat = member.type_name in ("list", "map") and member.serialization.get("flattened")
            params[name] = decode(member, nodes if flat else nodes[0])
    return params


def decode(shape: Shape, node: ElementTree.Element | list[ElementTree.Element]) -> Any:
    """Params of `shape` from `node` (the elements of a flattened list or map: a list of them)."""
    kind = shape.type_name
    if kind == "list":
        items = node if isinstance(node, list) else list(node)
        return [decode(shape.member, item) for item in items]
    if kind == "map":
        entries = node if isinstance(node, list) else list(node)
        key_name = shape.key.serialization.get("name", "key")
        value_name = shape.value.serialization.get("name", "value")
        params = {}
        for entry in entries:
            pair = {tag(child): child for child in entry}
            if key_name in pair:
                params[decode(shape.key, pair[key_name])] = decode(shape.value, pair[value_name]) \
                    if value_name in pair else None
        return params
    if kind == "structure":
        return decode_members(shape, node)
    return decode_scalar(shape, node.text or "")


def parse_document(body: bytes) -> ElementTree.Element:
    """The root element of an XML body; ValueError when it is not XML."""
    # No AWS request has a DTD; refusing them refuses every entity expansion (billion laughs) before parsing.
    if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
        raise ValueError("the body declares a DTD")
    try:
        return ElementTree.fromstring(body)
    except ElementTree.ParseError as e:
        raise ValueError(f"the body is not XML: {e}") from None


def to_bytes(root: ElementTree.Element) -> bytes:
    # ElementTree leaves a carriage return as it is, which every XML parser reads back as a newline.
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=False).replace(b"\r", b"&#13;")

"""Values <-> JSON documents by a botocore shape, as the json and rest-json protocols put them in a body."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botocore.model import Shape

from azlab.cluster.awswire.core import RESPONSE_LOCATIONS, decode_scalar, encode_scalar

# Body timestamps of both JSON protocols default to epoch seconds.
TIMESTAMP_FORMAT = "unixtimestamp"


def encode_json_scalar(shape: Shape, value: Any) -> Any:
    return encode_scalar(shape, value, TIMESTAMP_FORMAT)


def encode(shape: Shape, value: Any, scalar: Callable[[Shape, Any], Any] = encode_json_scalar) -> Any:
    """A result's `value` as `shape` has it in a JSON body (or a CBOR one: `scalar` encodes the scalars): members
    under their wire names, None left out."""
    kind = shape.type_name
    if kind == "structure":
        if shape.is_document_type:
            return value
        return {member.serialization.get("name", name): encode(member, value[name], scalar)
                for name, member in shape.members.items()
                if value.get(name) is not None and member.serialization.get("location") not in RESPONSE_LOCATIONS}
    if kind == "list":
        return [encode(shape.member, v, scalar) for v in value]
    if kind == "map":
        return {str(k): encode(shape.value, v, scalar) for k, v in value.items()}
    return scalar(shape, value)


def decode(shape: Shape, value: Any, scalar: Callable[[Shape, Any], Any] = decode_scalar, path: str = "") -> Any:
    """A JSON (or CBOR: `scalar` decodes the scalars) body's `value` as params of `shape`; ValueError naming where
    the value does not fit."""
    kind = shape.type_name
    try:
        if kind == "structure":
            if shape.is_document_type:
                return value
            if not isinstance(value, dict):
                raise ValueError("expected an object")
            params = {}
            for name, member in shape.members.items():
                if "location" in member.serialization:
                    continue
                raw = value.get(member.serialization.get("name", name))
                if raw is not None:
                    params[name] = decode(member, raw, scalar, f"{path}.{name}" if path else name)
            return params
        if kind == "list":
            if not isinstance(value, list):
                raise ValueError("expected a list")
            return [decode(shape.member, v, scalar, f"{path}[{i}]") for i, v in enumerate(value) if v is not None]
        if kind == "map":
            if not isinstance(value, dict):
                raise ValueError("expected an object")
            return {k: decode(shape.value, v, scalar, f"{path}.{k}") for k, v in value.items() if v is not None}
        return scalar(shape, value)
    except ValueError as e:
        if str(e).startswith("at "):
            raise
        raise ValueError(f"at {path or 'the top'}: {e}") from None

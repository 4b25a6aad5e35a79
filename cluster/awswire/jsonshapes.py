"""Values <-> JSON documents by a botocore shape, as the json and rest-json protocols put them in a body."""

from __future__ import annotations

from typing import Any

from botocore.model import Shape

from azlab.cluster.awswire.core import RESPONSE_LOCATIONS, decode_scalar, encode_scalar

# Body timestamps of both JSON protocols default to epoch seconds.
TIMESTAMP_FORMAT = "unixtimestamp"


def encode(shape: Shape, value: Any) -> Any:
    """A result's `value` as `shape` has it in a JSON body: members under their wire names, None left out."""
    kind = shape.type_name
    if kind == "structure":
        if shape.is_document_type:
            return value
        return {member.serialization.get("name", name): encode(member, value[name])
                for name, member in shape.members.items()
                if value.get(name) is not None and member.serialization.get("location") not in RESPONSE_LOCATIONS}
    if kind == "list":
        return [encode(shape.member, v) for v in value]
    if kind == "map":
        return {str(k): encode(shape.value, v) for k, v in value.items()}
    return encode_scalar(shape, value, TIMESTAMP_FORMAT)


def decode(shape: Shape, value: Any, path: str = "") -> Any:
    """A JSON body's `value` as params of `shape`; ValueError naming where the value does not fit."""
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
                    params[name] = decode(member, raw, f"{path}.{name}" if path else name)
            return params
        if kind == "list":
            if not isinstance(value, list):
                raise ValueError("expected a list")
            return [decode(shape.member, v, f"{path}[{i}]") for i, v in enumerate(value) if v is not None]
        if kind == "map":
            if not isinstance(value, dict):
                raise ValueError("expected an object")
            return {k: decode(shape.value, v, f"{path}.{k}") for k, v in value.items() if v is not None}
        return decode_scalar(shape, value)
    except ValueError as e:
        if str(e).startswith("at "):
            raise
        raise ValueError(f"at {path or 'the top'}: {e}") from None

"""What every part of the EC2 model shares: the region it sees, ids, tags and prices."""

from __future__ import annotations

import math
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from azlab.cluster.ec2 import catalog
from azlab.cluster.ec2.errors import InvalidParameterValue, MissingParameter

if TYPE_CHECKING:
    from azlab.cluster.state import Store

SERVICE = "ec2"
MAX_TAGS = 50
PAGE_SIZES = range(5, 1001)


@dataclass(frozen=True)
class Host:
    name: str
    az: str
    alive: bool
    backend: str = "process"  # the compute backend its instances run on


@dataclass(frozen=True)
class Region:
    """The region as the model's parts see it: where they persist, its AZs, their hosts now, and the time."""

    store: Store
    azs: tuple[str, ...]
    hosts: Callable[[], list[Host]]
    clock: Callable[[], float]

    def az(self, name: str) -> str:
        if name not in self.azs:
            raise InvalidParameterValue(f"invalid availability zone {name!r} (AZs: {', '.join(self.azs)})")
        return name


def instance_type(name: str) -> catalog.InstanceType:
    if not name:
        raise MissingParameter("an InstanceType is required")
    try:
        return catalog.INSTANCE_TYPES[name]
    except KeyError:
        raise InvalidParameterValue(f"invalid value {name!r} for InstanceType") from None


def new_id(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(9)[:17]}"


def subnet_of(az: str) -> str:
    return f"subnet-{az}"


def parse_price(text: str, what: str, allow_zero: bool = False) -> float:
    try:
        value = float(text)
    except ValueError:
        raise InvalidParameterValue(f"invalid {what} {text!r}: a price in USD per hour") from None
    if value < 0 or (value == 0 and not allow_zero) or not math.isfinite(value):
        raise InvalidParameterValue(f"invalid {what} {text!r}: a price in USD per hour above 0")
    return value


def check_tags(tags: dict[str, str]) -> dict[str, str]:
    if len(tags) > MAX_TAGS:
        raise InvalidParameterValue(f"at most {MAX_TAGS} tags per resource")
    for key, value in tags.items():
        if not key or len(key) > 128 or len(value) > 256:
            raise InvalidParameterValue(f"invalid tag {key!r}: keys are 1..128 characters, values up to 256")
        if key.lower().startswith("aws:"):
            raise InvalidParameterValue(f"tag keys starting with 'aws:' are reserved: {key!r}")
    return tags

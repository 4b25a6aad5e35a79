"""Region configuration: what a region is made of, read from flags or a TOML file.

    region = "lab-1"
    azs = ["lab-1a", "lab-1b", "lab-1c"]     # or a count: azs = 3
    isolation = "netns"                      # "loopback" | "netns"; default: netns when root
    nodes_per_az = 1

A region that joins an existing Ray cluster (`azlab up --ray-address`) has
isolation "host": its AZs and their hosts are discovered from the raylets'
`az:<name>` resources and recorded in `ray_address` and `hosts`.
    heartbeat_interval_s = 0.5
    heartbeat_threshold_s = 1.5              # a node silent this long is down
    backend = "process"                      # EC2's compute backend on every host: process | docker | libvirt
                                             # (| fake: in memory, runs nothing; for tests)
    [backends]                               # per AZ or per host, overriding `backend`
    "lab-1a" = "docker"
    "lab-1b/node-0" = "libvirt"
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
import string
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from azlab.common.errors import InvalidParameterValue

MIN_AZS, MAX_AZS = 2, 6
MAX_NODES_PER_AZ = 4
ISOLATIONS = ("loopback", "netns")  # what `azlab up` can build; "host" is joined, not built
BACKENDS = ("process", "docker", "libvirt", "fake")  # EC2's compute backends (nodes/ec2/); fake: for tests
_NAME = re.compile(r"^[a-z][a-z0-9-]{0,30}[a-z0-9]$")


def default_isolation() -> str:
    """netns when this host can make namespaces (root, iproute2, nftables), else loopback."""
    from azlab.common.network import NetnsNetwork

    return "netns" if NetnsNetwork.available() is None else "loopback"


def zone_names(region: str, count: int) -> tuple[str, ...]:
    return tuple(f"{region}{letter}" for letter in string.ascii_lowercase[:count])


@dataclass(frozen=True)
class RegionConfig:
    region: str = "lab-1"
    azs: tuple[str, ...] = zone_names("lab-1", 3)
    isolation: str = "loopback"
    nodes_per_az: int = 1
    heartbeat_interval_s: float = 0.5
    heartbeat_threshold_s: float = 1.5
    ray_address: str = ""                      # joined clusters only: their GCS address
    hosts: tuple[tuple[str, ...], ...] = ()    # joined clusters only: each AZ's raylet addresses
    machine_port: int = 0                      # joined clusters only: the machine agents' port, 0 if none run
    backend: str = "process"                   # EC2's compute backend on every host
    backends: tuple[tuple[str, str], ...] = ()  # (AZ or host name, backend): overrides `backend` there

    def __post_init__(self) -> None:
        if not _NAME.match(self.region):
            raise InvalidParameterValue(f"invalid region name {self.region!r}: lowercase letters, digits and '-'")
        if not MIN_AZS <= len(self.azs) <= MAX_AZS:
            raise InvalidParameterValue(f"a region has {MIN_AZS} to {MAX_AZS} AZs, not {len(self.azs)}")
        for az in self.azs:
            if not _NAME.match(az):
                raise InvalidParameterValue(f"invalid AZ name {az!r}: lowercase letters, digits and '-'")
        if len(set(self.azs)) != len(self.azs):
            raise InvalidParameterValue("AZ names must be unique")
        if self.joined:
            if not self.ray_address or len(self.hosts) != len(self.azs) or not all(self.hosts):
                raise InvalidParameterValue("a joined region needs its ray_address and at least one host per AZ")
        elif self.isolation not in ISOLATIONS:
            raise InvalidParameterValue(f"isolation must be one of {', '.join(ISOLATIONS)}, not {self.isolation!r}")
        if not 1 <= self.nodes_per_az <= MAX_NODES_PER_AZ:
            raise InvalidParameterValue(f"nodes_per_az must be 1..{MAX_NODES_PER_AZ}")
        if not 0 < self.heartbeat_interval_s < self.heartbeat_threshold_s:
            raise InvalidParameterValue("need 0 < heartbeat_interval_s < heartbeat_threshold_s")
        for where, backend in ((None, self.backend), *self.backends):
            if backend not in BACKENDS:
                raise InvalidParameterValue(f"backend must be one of {', '.join(BACKENDS)}, not {backend!r}")
            if where is not None and where.split("/")[0] not in self.azs:
                raise InvalidParameterValue(f"backends: {where!r} is no AZ or host of this region")

    def backend_of(self, host: str) -> str:
        """The compute backend of host `<az>/node-<n>`: its own setting, else its AZ's, else the region's."""
        chosen = dict(self.backends)
        return chosen.get(host) or chosen.get(host.split("/")[0]) or self.backend

    @property
    def joined(self) -> bool:
        """Whether azlab joined a Ray cluster it did not start (and cannot restart)."""
        return self.isolation == "host"

    def az_index(self, az: str) -> int:
        """1-based, stable: the AZ's zone id and its network both derive from it."""
        return self.azs.index(az) + 1

    def zone_id(self, az: str) -> str:
        return f"{self.region.replace('-', '')}-az{self.az_index(az)}"

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RegionConfig:
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise InvalidParameterValue(f"unknown config keys: {', '.join(sorted(unknown))}")
        data = dict(data)
        region = data.get("region", cls.region)
        azs = data.get("azs", 3)
        data["azs"] = zone_names(region, azs) if isinstance(azs, int) else tuple(azs)
        data["hosts"] = tuple(tuple(h) for h in data.get("hosts", ()))
        backends = data.get("backends", ())
        data["backends"] = tuple(sorted(backends.items() if isinstance(backends, dict) else (tuple(b) for b in backends)))
        return cls(**data)

    @classmethod
    def load(cls, path: Path | None = None, **overrides: Any) -> RegionConfig:
        """File values, then non-None overrides; isolation defaults by what the host allows."""
        data: dict[str, Any] = {}
        if path is not None:
            try:
                data = tomllib.loads(Path(path).read_text())
            except (OSError, tomllib.TOMLDecodeError) as e:
                raise InvalidParameterValue(f"cannot read config {path}: {e}") from None
        data.update({k: v for k, v in overrides.items() if v is not None})
        data.setdefault("isolation", default_isolation())
        return cls.from_dict(data)


@dataclass(frozen=True)
class Paths:
    """Where a region keeps its files. One home, one region."""

    home: Path

    @classmethod
    def from_env(cls) -> Paths:
        return cls(Path(os.environ.get("AZLAB_HOME") or Path.home() / ".azlab").expanduser().resolve())

    @property
    def state_db(self) -> Path:
        return self.home / "state.db"

    @property
    def ray_token(self) -> Path:
        return self.home / "ray-auth-token"

    @property
    def logs(self) -> Path:
        return self.home / "logs"

    @property
    def region_id(self) -> str:
        """Short and unique per home: tags processes and names links of this region."""
        return hashlib.sha256(str(self.home).encode()).hexdigest()[:8]

    @property
    def ray_temp(self) -> Path:
        # Ray puts unix sockets here; a short path keeps them under the 107-byte limit.
        return Path("/tmp") / f"azlab-{self.region_id}"

"""What one service needs of another, declared: services meet here, never in each other's models.

A service that needs another names the interface, not the service: ELB publishes
its load balancers' names through `Dns` (Route53 implements it) and follows its
targets through `Instances` (EC2 implements it). The controller hands each
service the implementations it needs in its `ServiceContext` (cluster/services.py),
so a service can be built and tested against any implementation, and a model
stays the business of its own service.

Each interface is as narrow as its users' needs, in AWS's terms, and takes and
returns frozen values of its own, never a model's objects.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable


@dataclass(frozen=True)
class ResourceRecordSet:
    """A simple record set (no routing policy, no alias): every value is answered."""

    name: str  # absolute, with its trailing dot; Dns answers it lower-case (DNS names ignore case)
    type: str  # "A", "AAAA", "CNAME", ...
    ttl: int
    values: tuple[str, ...]


@dataclass(frozen=True)
class RecordSetChange:
    """One change of a batch; a DELETE names the record set exactly as it is (its TTL and values too), as AWS's."""

    action: Literal["UPSERT", "DELETE"]
    record_set: ResourceRecordSet


@runtime_checkable
class Dns(Protocol):
    """Names in hosted zones, served by the region's DNS servers. Failures raise AzlabError with their AWS code."""

    def hosted_zone_id(self, name: str, caller_reference: str, comment: str) -> str:
        """The id of the public hosted zone `name`, which is created (with `caller_reference` and `comment`)
        when there is none; ConflictingDomainExists when another zone holds or overlaps the name."""

    def record_sets(self, zone_id: str, type: str) -> list[ResourceRecordSet]:
        """The zone's simple record sets of `type`; NoSuchHostedZone when there is no such zone."""

    def change_record_sets(self, zone_id: str, changes: Sequence[RecordSetChange], comment: str) -> None:
        """Every change, in one new version of the zone data, or none (InvalidChangeBatch, which says why);
        an UPSERT replaces the record set of its name and type, or adds it."""


@dataclass(frozen=True)
class Placement:
    """Where an instance is now, as EC2 says."""

    address: str  # its private address while it runs, else empty
    az: str
    state: str  # EC2's instance state name: "pending", "running", "stopped", "terminated", ...


@runtime_checkable
class Instances(Protocol):
    """EC2 instances as another service sees them: where they are, nothing it could change."""

    def placements(self, instance_ids: Iterable[str]) -> dict[str, Placement]:
        """Each of `instance_ids` that EC2 knows (a terminated one too, while EC2 still describes it);
        an id it does not know is absent, not an error."""

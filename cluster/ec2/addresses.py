"""Elastic IPs: addresses of the region's public range, each associated with at most one instance."""

from __future__ import annotations

from azlab.cluster.ec2.common import SERVICE, Region, new_id
from azlab.cluster.ec2.errors import (
    AddressLimitExceeded,
    IncorrectInstanceState,
    InvalidAllocationIDNotFound,
    InvalidAssociationIDNotFound,
    InvalidIPAddressInUse,
    InvalidParameterValue,
    MissingParameter,
    ResourceAlreadyAssociated,
)
from azlab.cluster.ec2.instances import SHUTTING_DOWN, TERMINATED, Instance, Instances

MAX_ADDRESSES = 250


class Addresses:
    def __init__(self, region: Region, instances: Instances, eip_prefix: str):
        self.region = region
        self.instances = instances
        self.eip_prefix = eip_prefix
        self.addresses: dict[str, dict] = {d["allocation_id"]: d for d in region.store.resources(SERVICE, "address")}

    def address(self, allocation_id: str) -> dict:
        if not allocation_id:
            raise MissingParameter("an AllocationId is required")
        try:
            return self.addresses[allocation_id]
        except KeyError:
            raise InvalidAllocationIDNotFound(f"the allocation ID {allocation_id!r} does not exist") from None

    def allocate_address(self, domain: str = "") -> dict:
        if domain not in ("", "vpc"):
            raise InvalidParameterValue(f"Domain must be vpc, not {domain!r}")
        taken = {a["public_ip"] for a in self.addresses.values()}
        ip = next((f"{self.eip_prefix}.{n}" for n in range(1, MAX_ADDRESSES + 1)
                   if f"{self.eip_prefix}.{n}" not in taken), None)
        if ip is None:
            raise AddressLimitExceeded(f"at most {MAX_ADDRESSES} Elastic IPs per region")
        address = {"allocation_id": new_id("eipalloc"), "public_ip": ip, "association_id": "", "instance_id": ""}
        self.addresses[address["allocation_id"]] = address
        self.region.store.put_resource(SERVICE, "address", address["allocation_id"], address)
        return address

    def associate_address(self, allocation_id: str, instance_id: str, allow_reassociation: bool = False) -> dict:
        address = self.address(allocation_id)
        instance = self.instances.instance(instance_id)
        if instance.state in (SHUTTING_DOWN, TERMINATED):
            raise IncorrectInstanceState(f"instance {instance_id} is {instance.state}")
        if address["instance_id"] == instance_id:
            return address
        if address["instance_id"] and not allow_reassociation:
            raise ResourceAlreadyAssociated(f"{address['public_ip']} is associated with {address['instance_id']}")
        for other in self.addresses.values():  # an instance has one Elastic IP; a new one replaces the old
            if other["instance_id"] == instance_id:
                self._disassociate(other)
        address.update(association_id=new_id("eipassoc"), instance_id=instance_id)
        self.region.store.put_resource(SERVICE, "address", allocation_id, address)
        return address

    def disassociate_address(self, association_id: str) -> None:
        if not association_id:
            raise MissingParameter("an AssociationId is required")
        address = next((a for a in self.addresses.values() if a["association_id"] == association_id), None)
        if address is None:
            raise InvalidAssociationIDNotFound(f"the association ID {association_id!r} does not exist")
        self._disassociate(address)

    def _disassociate(self, address: dict) -> None:
        address.update(association_id="", instance_id="")
        self.region.store.put_resource(SERVICE, "address", address["allocation_id"], address)

    def release_address(self, allocation_id: str) -> None:
        address = self.address(allocation_id)
        if address["instance_id"]:
            raise InvalidIPAddressInUse(f"{address['public_ip']} is associated with {address['instance_id']}")
        del self.addresses[allocation_id]
        self.region.store.delete_resource(SERVICE, "address", allocation_id)

    def public_ip(self, instance: Instance) -> str:
        return next((a["public_ip"] for a in self.addresses.values() if a["instance_id"] == instance.instance_id), "")

    def eip_targets(self) -> dict[str, Instance]:
        """Elastic IP -> the instance it reaches now."""
        return {a["public_ip"]: self.instances.instances[a["instance_id"]]
                for a in self.addresses.values() if a["instance_id"] in self.instances.instances}

    def instance_terminated(self, instance_id: str) -> None:
        """A terminated instance lets go of its Elastic IP."""
        for address in self.addresses.values():
            if address["instance_id"] == instance_id:
                self._disassociate(address)

"""AMIs: the built-in ones of the catalog, registered ones, and those made of a stopped instance."""

from __future__ import annotations

from collections.abc import Iterable

from azlab.cluster.ec2 import catalog
from azlab.cluster.ec2.common import SERVICE, Region, new_id
from azlab.cluster.ec2.errors import (
    IncorrectInstanceState,
    InvalidAMIIDMalformed,
    InvalidAMIIDNotFound,
    InvalidAMINameDuplicate,
    InvalidParameterValue,
    MissingParameter,
)
from azlab.cluster.ec2.instances import STOPPED, Instances


class Images:
    def __init__(self, region: Region, instances: Instances):
        self.region = region
        self.instances = instances
        self.images: dict[str, dict] = {i["image_id"]: i for i in catalog.builtin_images()}
        self.images.update({d["image_id"]: d for d in region.store.resources(SERVICE, "image")})

    def image(self, image_id: str) -> dict:
        if not image_id:
            raise MissingParameter("an ImageId is required")
        if not image_id.startswith("ami-"):
            raise InvalidAMIIDMalformed(f"invalid id {image_id!r}: image ids look like ami-0123456789abcdef0")
        try:
            return self.images[image_id]
        except KeyError:
            raise InvalidAMIIDNotFound(f"the image id {image_id!r} does not exist") from None

    def register_image(self, name: str, description: str = "", architecture: str = "", virtualization_type: str = "",
                       kernel_id: str = "", ramdisk_id: str = "", root_device_name: str = "", image_location: str = "",
                       backends: Iterable[str] = (), source_instance_id: str = "", state: str = "available") -> dict:
        if not name:
            raise MissingParameter("a Name is required")
        if not 3 <= len(name) <= 128:
            raise InvalidParameterValue("an image name is 3..128 characters")
        if any(i["name"] == name for i in self.images.values()):
            raise InvalidAMINameDuplicate(f"an image named {name!r} already exists")
        architecture = architecture or "x86_64"
        if architecture not in ("x86_64", "arm64", "i386"):
            raise InvalidParameterValue(f"Architecture must be x86_64, arm64 or i386, not {architecture!r}")
        virtualization_type = virtualization_type or "hvm"
        if virtualization_type not in ("hvm", "paravirtual"):
            raise InvalidParameterValue(f"VirtualizationType must be hvm or paravirtual, not {virtualization_type!r}")
        if kernel_id and not kernel_id.startswith("aki-") or ramdisk_id and not ramdisk_id.startswith("ari-"):
            raise InvalidParameterValue("kernel ids look like aki-..., ramdisk ids like ari-...")
        if virtualization_type == "hvm" and (kernel_id or ramdisk_id):
            raise InvalidParameterValue("an hvm image boots through its own bootloader: no KernelId or RamdiskId")
        image = {
            "image_id": new_id("ami"), "name": name, "description": description, "architecture": architecture,
            "virtualization_type": virtualization_type, "kernel_id": kernel_id, "ramdisk_id": ramdisk_id,
            "root_device_name": root_device_name or "/dev/xvda", "image_location": image_location,
            "backends": list(backends), "source_instance_id": source_instance_id, "creation_date": self.region.clock(),
            "state": state, "root_device_type": "instance-store",
        }
        self.images[image["image_id"]] = image
        self.region.store.put_resource(SERVICE, "image", image["image_id"], image)
        return image

    def create_image(self, instance_id: str, name: str, description: str = "") -> dict:
        """A pending image of a stopped instance; available once the backend has snapshotted its root."""
        instance = self.instances.instance(instance_id)
        if instance.state != STOPPED:
            raise IncorrectInstanceState(f"instance {instance_id} is {instance.state}; stop it before CreateImage")
        source = self.images.get(instance.image_id, {})
        image = self.register_image(
            name, description, source.get("architecture", ""), source.get("virtualization_type", ""),
            backends=source.get("backends", ["process"]), source_instance_id=instance_id, state="pending",
        )
        return image

    def image_snapshotted(self, image_id: str, location: str | None) -> None:
        """The backend's snapshot is at `location` (available), or could not be taken (None: failed)."""
        image = self.images[image_id]
        image.update(state="available" if location else "failed", image_location=location or "")
        self.region.store.put_resource(SERVICE, "image", image_id, image)

    def describe_images(self, image_ids: Iterable[str] = (), filters: dict[str, list[str]] | None = None) -> list[dict]:
        found = [self.image(i) for i in dict.fromkeys(image_ids)] or list(self.images.values())
        fields = {"name": "name", "architecture": "architecture", "virtualization-type": "virtualization_type",
                  "image-id": "image_id"}
        for name, values in (filters or {}).items():
            if name not in fields:
                raise InvalidParameterValue(f"the filter {name!r} is invalid")
            found = [i for i in found if i[fields[name]] in values]
        return sorted(found, key=lambda i: i["image_id"])

    def deregister_image(self, image_id: str) -> None:
        image = self.image(image_id)
        if any(image_id == builtin["image_id"] for builtin in catalog.builtin_images()):
            raise InvalidParameterValue(f"{image_id} is built in and cannot be deregistered")
        del self.images[image["image_id"]]
        self.region.store.delete_resource(SERVICE, "image", image_id)

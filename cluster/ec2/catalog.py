"""What EC2 sells: instance types (the families of the first EC2 generations), built-in images, reserved offerings.

Prices are the old us-east-1 Linux on-demand list prices (USD per hour),
close enough for a lab's bill.
"""

from __future__ import annotations

import platform
from dataclasses import dataclass


@dataclass(frozen=True)
class InstanceType:
    name: str
    family: str
    vcpus: int
    memory_mib: int
    price: float  # on-demand, USD per hour
    gpus: int = 0


GENERAL, COMPUTE, GPU, MEMORY, STORAGE, MICRO = (
    "General purpose", "Compute optimized", "GPU instances", "Memory optimized", "Storage optimized", "Micro instances",
)

INSTANCE_TYPES: dict[str, InstanceType] = {
    t.name: t
    for t in (
        InstanceType("m1.small", GENERAL, 1, 1740, 0.044),
        InstanceType("m1.medium", GENERAL, 1, 3840, 0.087),
        InstanceType("m1.large", GENERAL, 2, 7680, 0.175),
        InstanceType("m1.xlarge", GENERAL, 4, 15360, 0.350),
        InstanceType("m3.medium", GENERAL, 1, 3840, 0.067),
        InstanceType("m3.large", GENERAL, 2, 7680, 0.133),
        InstanceType("m3.xlarge", GENERAL, 4, 15360, 0.266),
        InstanceType("m3.2xlarge", GENERAL, 8, 30720, 0.532),
        InstanceType("c1.medium", COMPUTE, 2, 1740, 0.130),
        InstanceType("c1.xlarge", COMPUTE, 8, 7168, 0.520),
        InstanceType("c3.large", COMPUTE, 2, 3840, 0.105),
        InstanceType("c3.xlarge", COMPUTE, 4, 7680, 0.210),
        InstanceType("c3.2xlarge", COMPUTE, 8, 15360, 0.420),
        InstanceType("cc2.8xlarge", COMPUTE, 32, 61952, 2.000),
        InstanceType("g2.2xlarge", GPU, 8, 15360, 0.650, gpus=1),
        InstanceType("cg1.4xlarge", GPU, 16, 23040, 2.100, gpus=2),
        InstanceType("m2.xlarge", MEMORY, 2, 17510, 0.245),
        InstanceType("m2.2xlarge", MEMORY, 4, 35020, 0.490),
        InstanceType("m2.4xlarge", MEMORY, 8, 70041, 0.980),
        InstanceType("cr1.8xlarge", MEMORY, 32, 249856, 3.500),
        InstanceType("hi1.4xlarge", STORAGE, 16, 61952, 3.100),
        InstanceType("hs1.8xlarge", STORAGE, 16, 119808, 4.600),
        InstanceType("i2.xlarge", STORAGE, 4, 31232, 0.853),
        InstanceType("t1.micro", MICRO, 1, 628, 0.020),
    )
}

# What a host offers to instances. The process backend's instances are
# processes, so the lab overcommits like a cloud would never do; the numbers
# still make placement and InsufficientInstanceCapacity real.
HOST_VCPUS = 64
HOST_MEMORY_MIB = 256 * 1024

LAB_MINIMAL = "ami-lab-minimal"
OWNER_ID = "000000000000"


def builtin_images() -> list[dict]:
    """Images every region has. `ami-lab-minimal` is the host's own userland, what the process backend runs."""
    return [
        {
            "image_id": LAB_MINIMAL, "name": "lab-minimal",
            "description": "the host's userland: a process tree with its own network and cgroups",
            "architecture": {"aarch64": "arm64"}.get(platform.machine(), platform.machine() or "x86_64"),
            "virtualization_type": "hvm", "kernel_id": "", "ramdisk_id": "", "root_device_name": "/dev/xvda",
            "image_location": "", "backends": ["process"], "source_instance_id": "", "creation_date": 0.0,
            "state": "available",
        },
        # The libvirt backend's (deploy/images/vm.sh builds their files under <home>/images).
        {
            "image_id": "ami-lab-pv", "name": "lab-pv",
            "description": "a paravirtual VM: Debian's cloud kernel and a busybox initramfs, booted directly, virtio devices",
            "architecture": "x86_64", "virtualization_type": "paravirtual", "kernel_id": "aki-lab-pv",
            "ramdisk_id": "ari-lab-pv", "root_device_name": "/dev/xvda", "root_device_type": "instance-store",
            "image_location": "lab-pv", "backends": ["libvirt"], "source_instance_id": "", "creation_date": 0.0,
            "state": "available",
        },
        {
            "image_id": "ami-lab-hvm", "name": "lab-hvm",
            "description": "an hvm VM: a disk with an MBR, syslinux, Debian's kernel and a busybox root, emulated devices",
            "architecture": "x86_64", "virtualization_type": "hvm", "kernel_id": "", "ramdisk_id": "",
            "root_device_name": "/dev/xvda", "root_device_type": "ebs", "image_location": "lab-hvm/disk.img",
            "backends": ["libvirt"], "source_instance_id": "", "creation_date": 0.0, "state": "available",
        },
    ]


# Reserved instances of the 2011-2014 kind: one-year terms, three utilisation
# levels, each an upfront payment and a lower hourly price (fractions of on-demand).
RESERVED_TERM_S = 365 * 24 * 3600
UTILIZATIONS: dict[str, tuple[float, float]] = {  # offering type -> (upfront in on-demand hours, hourly factor)
    "Light Utilization": (1000.0, 0.60),
    "Medium Utilization": (2300.0, 0.40),
    "Heavy Utilization": (2800.0, 0.25),
}

# Spot: the market floats around this share of the on-demand price.
SPOT_BASE_SHARE = 0.3

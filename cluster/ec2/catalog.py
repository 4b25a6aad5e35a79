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
LAB_DOCKER = "ami-lab-docker"
LAB_PV, LAB_HVM = "ami-lab-pv", "ami-lab-hvm"  # the libvirt backend's; deploy/images/vm.sh builds their files
OWNER_ID = "000000000000"


def _architecture() -> str:
    return {"aarch64": "arm64"}.get(platform.machine(), platform.machine() or "x86_64")


def builtin_images() -> list[dict]:
    """Images every region has, each naming the backends that boot it. `ami-lab-minimal` is the host's own
    userland (the process backend); `ami-lab-docker` a busybox root built by `deploy/images/build.sh docker`;
    `ami-lab-pv` and `ami-lab-hvm` the libvirt backend's VMs. The fake backend (for tests) "boots" every one."""
    common = {"architecture": _architecture(), "kernel_id": "", "ramdisk_id": "", "root_device_name": "/dev/xvda",
              "source_instance_id": "", "creation_date": 0.0, "state": "available"}
    return [
        {
            **common, "image_id": LAB_MINIMAL, "name": "lab-minimal",
            "description": "the host's userland: a process tree with its own network and cgroups",
            "virtualization_type": "hvm", "image_location": "", "backends": ["process", "fake"],
            "root_device_type": "instance-store",
        },
        {
            **common, "image_id": LAB_DOCKER, "name": "lab-docker",
            "description": "a container of busybox-static's userland on the AZ's network; user data is its boot script",
            "virtualization_type": "hvm", "image_location": "azlab/lab-docker:1", "backends": ["docker", "fake"],
            "root_device_type": "instance-store",
        },
        {
            **common, "image_id": LAB_PV, "name": "lab-pv",
            "description": "a paravirtual VM: Debian's cloud kernel and a busybox initramfs, booted directly, virtio devices",
            "architecture": "x86_64", "virtualization_type": "paravirtual", "kernel_id": "aki-lab-pv",
            "ramdisk_id": "ari-lab-pv", "image_location": "lab-pv", "backends": ["libvirt", "fake"],
            "root_device_type": "instance-store",
        },
        {
            **common, "image_id": LAB_HVM, "name": "lab-hvm",
            "description": "an hvm VM: a disk with an MBR, syslinux, Debian's kernel and a busybox root, emulated devices",
            "architecture": "x86_64", "virtualization_type": "hvm", "image_location": "lab-hvm/disk.img",
            "backends": ["libvirt", "fake"], "root_device_type": "ebs",
        },
    ]


# Kernels and ramdisks of paravirtual images (aki-/ari- ids): their files under <home>/images.
KERNELS = {"aki-lab-pv": "lab-pv/vmlinuz"}
RAMDISKS = {"ari-lab-pv": "lab-pv/initrd.img"}


# EBS volume types of the first EBS generations: standard (magnetic), gp2 (SSD, with burst credits), io1.
VOLUME_TYPES = ("standard", "gp2", "io1")
VOLUME_SIZES_GIB = {"standard": (1, 1024), "gp2": (1, 16384), "io1": (4, 16384)}
STANDARD_IOPS = 100            # magnetic: about 100 IOPS on average
GP2_IOPS_PER_GIB, GP2_MIN_IOPS, GP2_MAX_IOPS = 3, 100, 10000
GP2_BURST_IOPS = 3000          # what a full bucket allows a volume below 3,000 baseline IOPS
GP2_CREDITS = 5_400_000        # I/O credits a gp2 bucket holds (and starts with)
IO1_IOPS_PER_GIB, IO1_MIN_IOPS, IO1_MAX_IOPS = 50, 100, 20000
ROOT_VOLUME_GIB = 8            # the size of an EBS root volume made from an image


def volume_iops(volume_type: str, size_gib: int, provisioned: int = 0) -> tuple[int, int]:
    """(sustained IOPS, burst IOPS) of a volume; burst == sustained where there is no burst."""
    if volume_type == "gp2":
        baseline = max(GP2_MIN_IOPS, min(GP2_MAX_IOPS, GP2_IOPS_PER_GIB * size_gib))
        return baseline, max(baseline, GP2_BURST_IOPS)
    if volume_type == "io1":
        return provisioned, provisioned
    return STANDARD_IOPS, STANDARD_IOPS


def burst_seconds(iops: int, burst_iops: int) -> float:
    """How long a full gp2 bucket sustains `burst_iops` on a volume earning `iops` credits a second."""
    return GP2_CREDITS / (burst_iops - iops) if burst_iops > iops else 0.0


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

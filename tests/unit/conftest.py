"""Fixtures the compute-backend tests share: the daemons and images the docker and libvirt backends need.

Each skips, saying why, where this machine cannot have them (`make daemons` and `make images` start and
build them where it can). Module-scoped: found or built once per test module.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def docker_home(tmp_path_factory) -> Path:
    """A home for the docker backend, with this machine's dockerd answering and the lab image built."""
    docker_backend = pytest.importorskip("azlab.nodes.ec2.docker")
    if why := docker_backend.dockerd_missing():
        pytest.skip(f"docker backend: {why}")
    home = tmp_path_factory.mktemp("azlab-docker")
    if why := docker_backend.build_image(home):
        pytest.skip(f"docker backend: {why}")
    return home


@pytest.fixture(scope="module")
def vm_images() -> Path:
    """The libvirt backend's images (deploy/images/vm.sh pv and hvm), with libvirtd answering on qemu:///system."""
    from azlab.nodes.ec2 import libvirt as vm

    if os.geteuid() != 0:
        pytest.skip("the libvirt backend's tests need root (qemu:///system)")
    if reason := vm.unavailable():
        pytest.skip(reason)
    # Built once per machine and reused, where `make` keeps its home.
    images = Path(os.environ.get("AZLAB_HOME", REPO / ".azlab-home")) / "images"
    for kind, built in (("pv", images / "lab-pv" / "initrd.img"), ("hvm", images / "lab-hvm" / "disk.img")):
        done = subprocess.run(["bash", str(REPO / "deploy/images/vm.sh"), kind, str(images)], capture_output=True, text=True)
        if not built.exists():
            pytest.skip(f"no {kind} image: {done.stderr.strip()}")
    return images

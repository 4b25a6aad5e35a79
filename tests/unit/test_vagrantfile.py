"""The multi-VM lab's Vagrantfile, checked by Vagrant itself without a VM.

`vagrant validate` and `vagrant status` run on a copy of the Vagrantfile in an
empty directory with an empty VAGRANT_HOME: no box is downloaded or needed, no
machine is created, and the network is never needed (update checks are off).
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
VAGRANT = shutil.which("vagrant")
NO_PROVIDER = "No usable default provider"

if VAGRANT is None:
    print("test_vagrantfile: skipped, `vagrant` is not installed (make setup installs it as root)")
pytestmark = pytest.mark.skipif(VAGRANT is None, reason="`vagrant` is not installed (make setup installs it as root)")


@pytest.fixture
def lab(tmp_path):
    """A directory holding a copy of the Vagrantfile, and a way to run vagrant in it."""
    shutil.copy(REPO / "Vagrantfile", tmp_path / "Vagrantfile")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AZLAB_", "VAGRANT_"))}
    env.update(
        VAGRANT_HOME=str(tmp_path / "vagrant-home"),  # no box there: validate must not need one
        VAGRANT_CHECKPOINT_DISABLE="1",
        VAGRANT_BOX_UPDATE_CHECK_DISABLE="1",
    )

    def vagrant(*args, check=True, **extra_env):
        proc = subprocess.run(
            [VAGRANT, *args], cwd=tmp_path, env={**env, **extra_env},
            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120,
        )
        if NO_PROVIDER in proc.stderr + proc.stdout:
            print(f"test_vagrantfile: skipped, {NO_PROVIDER.lower()} (needs vagrant-libvirt or VirtualBox)")
            pytest.skip("no usable Vagrant provider here (needs vagrant-libvirt or VirtualBox)")
        if check:
            assert proc.returncode == 0, f"vagrant {' '.join(args)}:\n{proc.stdout}\n{proc.stderr}"
        return proc

    vagrant.dir = tmp_path
    return vagrant


def machines(vagrant, **env):
    """Machine names in the order Vagrant brings them up, from `vagrant status --machine-readable`."""
    names = []
    for line in vagrant("status", "--machine-readable", **env).stdout.splitlines():
        fields = line.split(",")
        if len(fields) >= 4 and fields[2] == "state":
            assert fields[3] == "not_created"
            names.append(fields[1])
    return names


def test_default_lab_validates_region_first_then_three_azs(lab):
    assert "validated successfully" in lab("validate").stdout
    assert machines(lab) == ["region", "lab-1a", "lab-1b", "lab-1c"]


def test_validates_without_any_provider_plugin(lab):
    # What Vagrant alone checks: everything but the provider blocks.
    assert "validated successfully" in lab("validate", "--ignore-provider", VAGRANT_NO_PLUGINS="1").stdout


def test_environment_sets_azs_and_region(lab):
    env = {"AZLAB_AZS": "4", "AZLAB_REGION": "eu-2"}
    assert "validated successfully" in lab("validate", **env).stdout
    assert machines(lab, **env) == ["region", "eu-2a", "eu-2b", "eu-2c", "eu-2d"]


def test_settings_file_and_environment_over_it(lab):
    (lab.dir / "vagrant-settings.yml").write_text(
        "azs: 4\nregion: lab-9\naz_cpus: 1\naz_memory: 1536\nnetwork: 192.168.57\nsynced_folder: rsync\n")
    assert "validated successfully" in lab("validate").stdout
    assert machines(lab) == ["region", "lab-9a", "lab-9b", "lab-9c", "lab-9d"]
    assert machines(lab, AZLAB_AZS="2") == ["region", "lab-9a", "lab-9b"]


def test_example_settings_file_is_accepted(lab):
    shutil.copy(REPO / "vagrant-settings.example.yml", lab.dir / "vagrant-settings.yml")
    assert machines(lab) == ["region", "lab-1a", "lab-1b", "lab-1c"]


@pytest.mark.parametrize("env, message", [
    ({"AZLAB_AZS": "7"}, "2 to 6 AZs"),
    ({"AZLAB_AZS": "three"}, "whole number"),
    ({"AZLAB_REGION": "Lab_1"}, "bad region name"),
])
def test_bad_settings_are_refused(lab, env, message):
    proc = lab("validate", check=False, **env)
    assert proc.returncode != 0 and message in proc.stderr + proc.stdout

"""`make demo` as a new user runs it: to the end, and nothing of azlab left behind."""

import subprocess
import sys
from pathlib import Path

import pytest
from azlab.common import processes
from azlab.cluster.config import Paths

from .conftest import AZLAB

pytestmark = pytest.mark.region
ROOT = Path(__file__).resolve().parents[2]


def test_make_demo_runs_to_the_end_and_leaves_no_process(tmp_path):
    home = tmp_path / "home"
    done = subprocess.run(
        ["make", "-C", str(ROOT), "demo", f"AZLAB_HOME={home}", f"PYTHON={sys.executable}"],
        capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "AzUnavailable" in done.stdout and "AzRestored" in done.stdout
    region_id = Paths(home.resolve()).region_id
    assert processes.tagged(processes.region_prefix(region_id)) == []
    namespaces = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    assert f"azlab-{region_id}-" not in namespaces
    assert not Paths(home.resolve()).ray_temp.exists()


def test_commands_without_a_region_say_so_in_one_line(tmp_path):
    done = subprocess.run([AZLAB, "status"], env={"AZLAB_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 255
    assert done.stderr.count("\n") == 1 and "no region is up" in done.stderr

"""Tag-based kill against real process trees, daemonized orphans included."""

import os
import subprocess
import sys
import time

from azlab.common import processes

# A child that forks a grandchild which detaches (new session, parent exits),
# the way `ray start` leaves its raylet behind.
DAEMONIZING = """
import os, sys, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        time.sleep(300)
    os._exit(0)
time.sleep(300)
"""


def spawn(tag_value):
    env = {**os.environ, processes.TAG_ENV: tag_value}
    return subprocess.Popen([sys.executable, "-c", DAEMONIZING], env=env)


def wait_for(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_kill_tagged_kills_a_whole_az_and_spares_the_others():
    region = f"t{os.getpid()}"
    doomed = spawn(processes.tag(region, "lab-1b/node-0"))
    spared = spawn(processes.tag(region, "lab-1c/node-0"))
    try:
        wait_for(lambda: len(processes.tagged(processes.az_prefix(region, "lab-1b"))) == 2)
        killed = processes.kill_tagged(processes.az_prefix(region, "lab-1b"))
        assert killed == 2
        doomed.wait(timeout=5)
        assert processes.tagged(processes.az_prefix(region, "lab-1b")) == []
        assert len(processes.tagged(processes.az_prefix(region, "lab-1c"))) == 2
    finally:
        processes.kill_tagged(processes.region_prefix(region))
        spared.wait(timeout=5)
    assert processes.tagged(processes.region_prefix(region)) == []


def test_an_exact_tag_does_not_match_its_longer_neighbours():
    region = f"t{os.getpid()}"
    node_1 = spawn(processes.tag(region, "lab-1a/node-1"))
    node_10 = spawn(processes.tag(region, "lab-1a/node-10"))
    try:
        wait_for(lambda: len(processes.tagged(processes.region_prefix(region))) == 4)
        assert processes.kill_tagged(processes.tag(region, "lab-1a/node-1"), exact=True) == 2
        assert len(processes.tagged(processes.tag(region, "lab-1a/node-10"), exact=True)) == 2
    finally:
        processes.kill_tagged(processes.region_prefix(region))
        node_1.wait(timeout=5)
        node_10.wait(timeout=5)


def test_a_child_that_lost_its_tag_dies_with_its_tagged_parent():
    """Ray workers overwrite their environment with their process title; their parent is tagged."""
    region = f"t{os.getpid()}"
    untagged_child = "import os, subprocess, sys, time; env = {k: v for k, v in os.environ.items() if k != 'AZLAB_TAG'}; " \
        "p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(300)'], env=env); print(p.pid, flush=True); time.sleep(300)"
    env = {**os.environ, processes.TAG_ENV: processes.tag(region, "lab-1a/node-0")}
    parent = subprocess.Popen([sys.executable, "-c", untagged_child], env=env, stdout=subprocess.PIPE, text=True)
    child = int(parent.stdout.readline())
    assert processes.tagged(processes.region_prefix(region)) == [parent.pid]
    assert processes.kill_tagged(processes.region_prefix(region)) == 2
    parent.wait(timeout=5)
    wait_for(lambda: not os.path.exists(f"/proc/{child}") or open(f"/proc/{child}/stat").read().rsplit(")", 1)[1].split()[0] == "Z")

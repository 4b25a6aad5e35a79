"""The netns AZ network for real: namespaces, bridges, a router, cut and heal."""

import os
import subprocess
import sys

import pytest

from azlab.common.errors import UnsupportedOperation
from azlab.common.network import NetnsNetwork, netem_missing

pytestmark = pytest.mark.skipif(NetnsNetwork.available() is not None, reason=str(NetnsNetwork.available()))

CONNECT = "import socket, sys; socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=0.5).close()"


@pytest.fixture
def network():
    net = NetnsNetwork(f"u{os.getpid() % 10000}", az_count=3, hosts_per_az=1)
    net.setup()
    yield net
    net.teardown()
    leftover = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    assert f"azlab-{net.region_id}-" not in leftover


@pytest.fixture
def server_in_az2(network):
    """A TCP listener on the host of AZ 2."""
    address = network.host_address(2, 0)
    code = f"import socket, time; s = socket.create_server(('{address}', 7000)); time.sleep(120)"
    proc = subprocess.Popen(network.host_command(2, 0) + [sys.executable, "-c", code])
    for _ in range(100):
        if reachable(network.host_command(2, 0), address):
            break
    yield address
    proc.kill()
    proc.wait()


def reachable(prefix, address, port=7000):
    return subprocess.run(prefix + [sys.executable, "-c", CONNECT, address, str(port)], capture_output=True).returncode == 0


def test_setup_is_idempotent_and_routes_between_azs(network, server_in_az2):
    network.setup()
    assert reachable(network.host_command(1, 0), server_in_az2)
    assert reachable([], server_in_az2)  # from the region node


def test_cut_isolates_the_az_but_not_its_inside(network, server_in_az2):
    network.cut(2)
    assert not reachable(network.host_command(1, 0), server_in_az2)
    assert not reachable([], server_in_az2)
    assert reachable(network.host_command(2, 0), server_in_az2)
    network.heal(2)
    assert reachable(network.host_command(1, 0), server_in_az2)


def test_total_loss_drops_everything_until_healed(network, server_in_az2):
    network.slow(2, latency_ms=0, loss_pct=100)
    assert not reachable(network.host_command(1, 0), server_in_az2)
    network.heal(2)
    assert reachable(network.host_command(1, 0), server_in_az2)


def test_latency_is_refused_with_a_reason_where_the_kernel_has_no_netem(network):
    if netem_missing(ns=network.router) is None:
        network.slow(1, latency_ms=50, loss_pct=0)
        network.heal(1)
    else:
        with pytest.raises(UnsupportedOperation, match="netem"):
            network.slow(1, latency_ms=50, loss_pct=0)

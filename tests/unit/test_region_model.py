"""The region model with a real SQLite store and a hand-driven clock."""

import pytest

from azlab.cluster.config import RegionConfig
from azlab.common.errors import (
    AvailabilityZoneNotFound,
    IncorrectState,
    InvalidParameterValue,
    MissingParameter,
    NodeNotFound,
    UnsupportedOperation,
)
from azlab.common.network import LoopbackNetwork, NetnsNetwork
from azlab.cluster.region import KILL_AZ, KILL_NODE, PARTITION_AZ, SLOW_AZ, Region
from azlab.cluster.state import Store


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    return Clock()


def make_region(tmp_path, clock, network=None, nodes_per_az=1):
    config = RegionConfig(isolation="netns" if isinstance(network, NetnsNetwork) else "loopback", nodes_per_az=nodes_per_az)
    return Region(config, Store(tmp_path / "state.db"), network or LoopbackNetwork(nodes_per_az), clock)


def all_beat(region):
    for name in region.nodes:
        region.heartbeat(name, f"ray-{name}")


def event_types(region):
    events, _ = region.events(max_results=1000)
    return [(e.event_type, e.source) for e in events]


def test_nodes_come_up_with_their_first_heartbeat(tmp_path, clock):
    region = make_region(tmp_path, clock)
    assert [n.address for n in region.nodes.values()] == ["127.11.0.10", "127.12.0.10", "127.13.0.10"]
    assert region.az_state("lab-1a") == "unavailable"
    all_beat(region)
    assert region.healthy()
    assert ("NodeUp", "lab-1a/node-0") in event_types(region)
    assert ("AzAvailable", "lab-1b") in event_types(region)


def test_a_silent_az_is_declared_unavailable_and_comes_back(tmp_path, clock):
    region = make_region(tmp_path, clock, nodes_per_az=2)
    all_beat(region)
    clock.now += 1.0
    region.heartbeat("lab-1a/node-0", "r")
    region.heartbeat("lab-1a/node-1", "r")
    region.heartbeat("lab-1c/node-0", "r")
    region.heartbeat("lab-1c/node-1", "r")
    region.heartbeat("lab-1b/node-0", "r")
    clock.now += 1.0  # lab-1b/node-1 silent 2.0s, node-0 1.0s
    region.sweep()
    assert region.az_state("lab-1b") == "impaired"
    clock.now += 1.0
    region.sweep()
    assert region.az_state("lab-1b") == "unavailable"
    events, _ = region.events(source="lab-1b")
    assert [(e.event_type, e.source) for e in events][-4:] == [
        ("NodeDown", "lab-1b/node-1"), ("AzImpaired", "lab-1b"), ("NodeDown", "lab-1b/node-0"), ("AzUnavailable", "lab-1b"),
    ]
    region.heartbeat("lab-1b/node-0", "new-raylet")
    assert region.az_state("lab-1b") == "impaired"
    assert region.nodes["lab-1b/node-0"].ray_node_id == "new-raylet"


def test_a_restarted_model_rereads_nodes_faults_and_events(tmp_path, clock):
    region = make_region(tmp_path, clock)
    all_beat(region)
    region.open_fault(KILL_NODE, "lab-1c", clock.now, node_name="lab-1c/node-0", processes_killed=3)
    again = make_region(tmp_path, clock)
    assert again.healthy()  # alive nodes get one threshold of grace to keep heartbeating
    assert [f.kind for f in again.faults()] == [KILL_NODE]
    assert event_types(again) == event_types(region)
    clock.now += 2.0
    again.sweep()
    assert not again.healthy()


def test_unknown_az_and_node_are_not_found(tmp_path, clock):
    region = make_region(tmp_path, clock)
    with pytest.raises(AvailabilityZoneNotFound, match="no AZ named 'lab-9z'"):
        region.check_kill_az("lab-9z")
    with pytest.raises(MissingParameter):
        region.check_kill_az("")
    with pytest.raises(NodeNotFound):
        region.check_kill_node("lab-1a/node-7")


def test_kill_twice_and_restore_without_fault_are_refused(tmp_path, clock):
    region = make_region(tmp_path, clock)
    with pytest.raises(IncorrectState, match="no fault to restore"):
        region.check_restore_az("lab-1a")
    region.check_kill_az("lab-1a")
    region.open_fault(KILL_AZ, "lab-1a", clock.now, processes_killed=4)
    with pytest.raises(IncorrectState, match="already killed"):
        region.check_kill_az("lab-1a")
    with pytest.raises(IncorrectState, match="already killed"):
        region.check_kill_node("lab-1a/node-0")
    region.check_restore_az("lab-1a")
    [closed] = region.close_faults("lab-1a")
    assert closed.kind == KILL_AZ and region.faults() == []
    assert event_types(region)[-2:] == [("AzKilled", "lab-1a"), ("AzRestored", "lab-1a")]


def test_partition_and_slow_need_netns(tmp_path, clock):
    region = make_region(tmp_path, clock)
    with pytest.raises(UnsupportedOperation, match="loopback"):
        region.check_partition_az("lab-1a")
    with pytest.raises(UnsupportedOperation, match="loopback"):
        region.check_slow_az("lab-1a", 100, 0)


def test_slow_and_partition_rules_under_netns(tmp_path, clock):
    region = make_region(tmp_path, clock, network=NetnsNetwork("t", 3, 1))
    for latency, loss in ((-1, 0), (0, 0), (10, 101), (70_000, 0)):
        with pytest.raises(InvalidParameterValue):
            region.check_slow_az("lab-1a", latency, loss)
    region.open_fault(SLOW_AZ, "lab-1a", clock.now, latency_ms=200, loss_pct=5)
    with pytest.raises(IncorrectState, match="already slowed"):
        region.check_slow_az("lab-1a", 100, 0)
    region.check_partition_az("lab-1a")  # a slow AZ can still be cut off
    region.open_fault(PARTITION_AZ, "lab-1a", clock.now)
    with pytest.raises(IncorrectState, match="already partitioned"):
        region.check_partition_az("lab-1a")
    region.check_kill_az("lab-1a")  # and killed


def test_events_page_and_filter(tmp_path, clock):
    region = make_region(tmp_path, clock)
    all_beat(region)  # 3 NodeUp + 3 AzAvailable
    page, token = region.events(max_results=4)
    assert len(page) == 4 and token
    rest, token2 = region.events(max_results=4, next_token=token)
    assert len(rest) == 2 and token2 == ""
    nodes_of_b, _ = region.events(source="lab-1b")
    assert {e.source for e in nodes_of_b} == {"lab-1b", "lab-1b/node-0"}
    ups, _ = region.events(types=["NodeUp"])
    assert len(ups) == 3
    with pytest.raises(InvalidParameterValue):
        region.events(next_token="bogus")
    with pytest.raises(InvalidParameterValue):
        region.events(max_results=5000)

from azlab.cluster.health import HealthMonitor


def test_a_node_silent_past_the_threshold_goes_down_once():
    monitor = HealthMonitor(threshold_s=1.5)
    monitor.track("lab-1a/node-0", "pending", last_seen=0.0)
    assert monitor.beat("lab-1a/node-0", now=1.0).new == "alive"
    assert monitor.sweep(now=2.4) == []
    [down] = monitor.sweep(now=2.6)
    assert (down.node, down.old, down.new) == ("lab-1a/node-0", "alive", "down")
    assert down.silent_for == 1.6
    assert monitor.sweep(now=10.0) == []


def test_a_heartbeat_brings_a_down_node_back():
    monitor = HealthMonitor(threshold_s=1.0)
    monitor.track("n", "down", last_seen=0.0)
    up = monitor.beat("n", now=5.0)
    assert (up.old, up.new) == ("down", "alive")
    assert monitor.beat("n", now=5.5) is None


def test_pending_nodes_never_time_out_and_unknown_nodes_are_ignored():
    monitor = HealthMonitor(threshold_s=1.0)
    monitor.track("n", "pending", last_seen=0.0)
    assert monitor.sweep(now=100.0) == []
    assert monitor.beat("stranger", now=1.0) is None

"""The store's service resources and data-plane ports."""

from __future__ import annotations

from azlab.cluster.state import SERVICE_PORTS, Store


def test_resources_are_kept_per_service_and_kind(tmp_path):
    store = Store(tmp_path / "state.db")
    store.put_resource("sqs", "queue", "jobs", {"name": "jobs", "visibility": 30})
    store.put_resource("sqs", "queue", "jobs", {"name": "jobs", "visibility": 60})
    store.put_resource("rds", "queue", "jobs", {"other": True})
    reopened = Store(tmp_path / "state.db")
    assert reopened.resources("sqs", "queue") == [{"name": "jobs", "visibility": 60}]
    reopened.delete_resource("sqs", "queue", "jobs")
    assert reopened.resources("sqs", "queue") == []
    assert reopened.resources("rds", "queue") == [{"other": True}]


def test_ports_are_unique_per_address_until_released(tmp_path):
    store = Store(tmp_path / "state.db")
    a = store.allocate_port("10.11.0.10", "cache-1")
    b = store.allocate_port("10.11.0.10", "cache-2")
    assert a != b and {a, b} <= set(SERVICE_PORTS)
    assert store.allocate_port("10.12.0.10", "cache-3") == a  # another host: the same port is free there
    store.release_ports("cache-1")
    assert store.allocate_port("10.11.0.10", "cache-4") == a

"""A user's story with a real region, under each isolation: up, look, kill an AZ
under load, restore it, kill the controller, take it all down."""

from __future__ import annotations

import time

import grpc
import pytest
from azlab.chaos.v1 import chaos_pb2
from azlab.common.network import NetnsNetwork, netem_missing
from azlab.cluster.sdk import ApiError
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from .conftest import (
    Prober,
    bring_up,
    can_echo,
    gone,
    isolations,
    tear_down,
    wait_until,
    with_descendants,
)

pytestmark = pytest.mark.region
AZS = ["lab-1a", "lab-1b", "lab-1c"]
DETECT_TIMEOUT_S = 30  # generous bound for polling; the detection time itself is a benchmark figure


@pytest.fixture(scope="module", params=isolations())
def lab(request, tmp_path_factory):
    lab = bring_up(tmp_path_factory, request.param)
    yield lab
    tear_down(lab)


def test_up_gives_a_healthy_region_with_three_azs(lab):
    status = lab.json("status")
    assert status["Region"]["RegionName"] == "lab-1"
    assert status["Region"]["Isolation"] == lab.isolation
    assert status["Region"]["Endpoints"]["Grpc"] == lab.client.endpoint
    zones = {z["ZoneName"]: z for z in status["AvailabilityZones"]}
    assert sorted(zones) == AZS
    for zone in zones.values():
        assert zone["State"] == "available"
        assert [n["State"] for n in zone["Nodes"]] == ["alive"]
        assert zone["Nodes"][0]["LastHeartbeat"]
    assert lab.json("up", "--isolation", lab.isolation)["Endpoint"] == lab.client.endpoint  # idempotent


def test_grpc_health_and_reflection_answer(lab):
    channel = grpc.insecure_channel(lab.client.endpoint)
    health = health_pb2_grpc.HealthStub(channel)
    for service in ("", "azlab.region.v1.Region", "azlab.chaos.v1.Chaos"):
        assert health.Check(health_pb2.HealthCheckRequest(service=service)).status == health_pb2.HealthCheckResponse.SERVING
    reflection = reflection_pb2_grpc.ServerReflectionStub(channel)
    [answer] = reflection.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")]))
    names = {s.name for s in answer.list_services_response.service}
    assert {"azlab.region.v1.Region", "azlab.chaos.v1.Chaos", "grpc.health.v1.Health"} <= names


@pytest.mark.parametrize(
    "args, code",
    [
        (("chaos", "kill-az", "lab-9z"), "InvalidAvailabilityZone.NotFound"),
        (("chaos", "restore-az", "lab-1a"), "IncorrectState"),
        (("chaos", "kill-node", "lab-1a/node-9"), "InvalidNode.NotFound"),
        (("chaos", "slow-az", "lab-1a"), "InvalidParameterValue"),
        (("chaos", "slow-az", "lab-1a", "--loss-pct", "150"), "InvalidParameterValue"),
        (("events", "--max-results", "5000"), "InvalidParameterValue"),
        (("region", "describe-availability-zones", "--zone-names", "nowhere"), "InvalidAvailabilityZone.NotFound"),
    ],
)
def test_bad_input_is_one_line_with_a_code_and_changes_nothing(lab, args, code):
    before = _changes(lab)
    done = lab.azlab(*args)
    assert done.returncode == 254
    assert done.stderr.count("\n") == 1 and f"({code})" in done.stderr
    assert lab.json("chaos", "describe-faults")["Faults"] == []
    assert _changes(lab) == before


def _changes(lab) -> list[dict]:
    """The events a call can cause; health events come from heartbeats, which go on meanwhile."""
    health = {"NodeUp", "NodeDown", "AzAvailable", "AzImpaired", "AzUnavailable"}
    return [e for e in lab.json("events")["Events"] if e["EventType"] not in health]


def test_sdk_errors_carry_grpc_status_and_code(lab):
    with pytest.raises(ApiError) as missing:
        lab.client.chaos.KillAz(chaos_pb2.KillAzRequest())
    assert missing.value.status == grpc.StatusCode.INVALID_ARGUMENT and missing.value.code == "MissingParameter"
    with pytest.raises(ApiError) as unknown:
        lab.client.chaos.RestoreAz(chaos_pb2.RestoreAzRequest(availability_zone="lab-7x"))
    assert unknown.value.status == grpc.StatusCode.NOT_FOUND


def test_partition_and_slow_are_refused_under_loopback(lab):
    if lab.isolation != "loopback":
        pytest.skip("netns supports partition and slow; tested below")
    for args in (("chaos", "partition-az", "lab-1b"), ("chaos", "slow-az", "lab-1b", "--latency-ms", "200")):
        done = lab.azlab(*args)
        assert done.returncode == 254 and "(UnsupportedOperation)" in done.stderr and "loopback" in done.stderr
    assert lab.json("chaos", "describe-faults")["Faults"] == []


def test_kill_az_under_load_kills_every_process_of_it_and_spares_the_rest(lab, tmp_path):
    orphan_pidfile = tmp_path / "orphan.pid"
    echoes = {az: lab.start_echo(f"{az}/node-0", orphan=orphan_pidfile if az == "lab-1b" else None) for az in AZS}
    wait_until(orphan_pidfile.exists, 10, "the detached grandchild in lab-1b")
    doomed = with_descendants(lab.tagged("lab-1b"))
    assert echoes["lab-1b"]["pid"] in doomed and int(orphan_pidfile.read_text()) in doomed
    assert len(doomed) >= 5  # raylet, its Ray agents, the node agent, the echo server, the orphan

    with Prober({az: e["address"] for az, e in echoes.items()}) as load:
        time.sleep(1.0)
        killed_at = time.time()
        fault = lab.json("chaos", "kill-az", "lab-1b")["Fault"]
        wait_until(lambda: lab.zones()["lab-1b"]["State"] == "unavailable", DETECT_TIMEOUT_S, "lab-1b reported down")
        time.sleep(1.0)

    assert fault["Kind"] == "kill-az" and fault["ProcessesKilled"] >= len(doomed)
    assert lab.tagged("lab-1b") == []
    assert all(gone(pid) for pid in doomed)
    for az in ("lab-1a", "lab-1c"):
        assert load.failures(az) == 0 and load.successes(az, after=killed_at) > 0
        assert lab.zones()[az]["State"] == "available"
    assert load.successes("lab-1b", after=killed_at + 0.5) == 0
    events = [(e["EventType"], e["Source"]) for e in lab.json("events", "--source", "lab-1b")["Events"]]
    killed = events.index(("AzKilled", "lab-1b"))
    assert ("NodeDown", "lab-1b/node-0") in events[killed:] and ("AzUnavailable", "lab-1b") in events[killed:]
    if lab.isolation == "netns":
        assert not can_echo(echoes["lab-1b"]["address"])  # the AZ's links are down too


def test_restore_az_brings_new_nodes_that_work(lab):
    old = lab.zones()["lab-1b"]["Nodes"][0]["RayNodeId"]
    restored = lab.json("chaos", "restore-az", "lab-1b")["Restored"]
    assert [f["Kind"] for f in restored] == ["kill-az"]
    zone = lab.zones()["lab-1b"]
    assert zone["State"] == "available" and zone["Faults"] == []
    assert zone["Nodes"][0]["RayNodeId"] != old
    assert can_echo(lab.start_echo("lab-1b/node-0")["address"])
    assert lab.json("chaos", "describe-faults")["Faults"] == []


def test_kill_node_then_restore(lab):
    doomed = with_descendants(lab.tagged("lab-1c"))
    fault = lab.json("chaos", "kill-node", "lab-1c/node-0")["Fault"]
    assert fault["NodeName"] == "lab-1c/node-0" and fault["ProcessesKilled"] > 0
    wait_until(lambda: lab.zones()["lab-1c"]["State"] == "unavailable", DETECT_TIMEOUT_S, "lab-1c/node-0 down")
    assert lab.tagged("lab-1c") == [] and all(gone(pid) for pid in doomed)
    assert lab.azlab("chaos", "kill-node", "lab-1c/node-0").returncode == 254  # already killed
    lab.json("chaos", "restore-az", "lab-1c")
    assert lab.zones()["lab-1c"]["State"] == "available"


def test_killed_controller_comes_back_with_its_state_and_adopts_the_agents(lab):
    agents_before = {az: lab.agent(f"{az}/node-0", "ping")["pid"] for az in AZS}
    fault = lab.json("chaos", "kill-node", "lab-1a/node-0")["Fault"]
    controller = lab.kill_controller()
    lab.controller_restarted(controller)

    assert [f["FaultId"] for f in lab.json("chaos", "describe-faults")["Faults"]] == [fault["FaultId"]]
    zones = lab.zones()
    for az in ("lab-1b", "lab-1c"):
        assert zones[az]["State"] == "available"
        assert lab.agent(f"{az}/node-0", "ping")["pid"] == agents_before[az]  # the same agents, re-adopted
    started = [e for e in lab.json("events", "--event-types", "ControllerStarted")["Events"]]
    assert len(started) == 2 and "re-adopted" in started[-1]["Message"]
    lab.json("chaos", "restore-az", "lab-1a")
    assert all(z["State"] == "available" for z in lab.zones().values())


def test_partition_cuts_the_az_off_but_keeps_its_processes(lab):
    if lab.isolation != "netns":
        pytest.skip("partition needs netns isolation")
    network = NetnsNetwork(lab.paths.region_id, len(AZS), 1)
    address = lab.start_echo("lab-1b/node-0")["address"]
    before = set(lab.tagged("lab-1b"))

    fault = lab.json("chaos", "partition-az", "lab-1b")["Fault"]
    wait_until(lambda: lab.zones()["lab-1b"]["State"] == "unavailable", DETECT_TIMEOUT_S, "lab-1b reported down")
    assert fault["Kind"] == "partition-az" and fault["ProcessesKilled"] == 0
    assert set(lab.tagged("lab-1b")) == before  # nothing was killed
    assert not can_echo(address, prefix=network.host_command(1, 0))  # from lab-1a
    assert not can_echo(address)  # from the region node
    assert can_echo(address, prefix=network.host_command(2, 0))  # inside lab-1b, traffic still flows
    assert lab.zones()["lab-1a"]["State"] == lab.zones()["lab-1c"]["State"] == "available"

    lab.json("chaos", "restore-az", "lab-1b")
    assert lab.zones()["lab-1b"]["State"] == "available"
    assert can_echo(lab.start_echo("lab-1b/node-0")["address"], prefix=network.host_command(1, 0))


def test_slow_az_drops_packets_until_restored(lab):
    if lab.isolation != "netns":
        pytest.skip("slow-az needs netns isolation")
    network = NetnsNetwork(lab.paths.region_id, len(AZS), 1)
    address = lab.start_echo("lab-1c/node-0")["address"]
    if netem_missing(ns=network.router):
        done = lab.azlab("chaos", "slow-az", "lab-1c", "--latency-ms", "200")
        assert done.returncode == 254 and "(UnsupportedOperation)" in done.stderr and "netem" in done.stderr
        assert lab.json("chaos", "describe-faults")["Faults"] == []
    fault = lab.json("chaos", "slow-az", "lab-1c", "--loss-pct", "100")["Fault"]
    assert fault["LossPct"] == 100
    assert not can_echo(address, prefix=network.host_command(1, 0))
    wait_until(lambda: lab.zones()["lab-1c"]["State"] == "unavailable", DETECT_TIMEOUT_S, "lab-1c's heartbeats lost")
    lab.json("chaos", "restore-az", "lab-1c")
    assert lab.zones()["lab-1c"]["State"] == "available"
    assert can_echo(lab.start_echo("lab-1c/node-0")["address"], prefix=network.host_command(1, 0))

"""ELB's service on the replicated runtime with real LB nodes: each load balancer a group of LB node processes
on loopback, started by node agents that run them on this machine, told their settings over the node contract,
probed, and answered in the LB's DNS name. The region tests run the same over a real region."""

from __future__ import annotations

import asyncio
import http.client
import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

from azlab.cluster.config import Paths, RegionConfig
from azlab.cluster.elb.model import Listener
from azlab.cluster.elb.service import Elb
from azlab.cluster.interfaces import Placement
from azlab.cluster.region import Region
from azlab.cluster.services import ServiceContext
from azlab.cluster.state import Store
from azlab.common.network import LoopbackNetwork

from .regions import LoopbackAgents, reconcile_until
from .test_interfaces import MemoryDns, MemoryInstances

BACKEND = Path(__file__).resolve().parents[1] / "http_backend.py"
LISTENER_PORT, INSTANCE_PORT = 18100, 18180
# This region's AZ i (from 1) is 127.(BASE + i).0.0/16: apart from a region's 127.10-12 that a region test may run,
# and from this test run by another session at the same time (the LB nodes' member ports come from a fresh store).
BASE = random.randrange(100, 240, 4)
# the first LB's node in each AZ (LB nodes take .2.k of their AZ), and where EC2 has i-1 first and after it moved
NODE_A, NODE_B = f"127.{BASE + 1}.2.1", f"127.{BASE + 2}.2.1"
FIRST, MOVED = f"127.{BASE + 1}.1.1", f"127.{BASE + 1}.1.2"


class ApartNetwork(LoopbackNetwork):
    def cidr(self, az_index: int) -> str:
        return f"127.{BASE + az_index}.0.0/16"


def backend(address: str, name: str) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, str(BACKEND), address, str(INSTANCE_PORT), name], stdout=subprocess.PIPE)
    assert process.stdout.readline().startswith(b"serving")
    return process


def served_by(address: str) -> str | None:
    """Which instance answers a GET through the LB node at `address`; None while the node cannot route."""
    try:
        conn = http.client.HTTPConnection(address, LISTENER_PORT, timeout=5)
        conn.request("GET", "/")
        response = conn.getresponse()
        body = response.read()
        conn.close()
    except OSError:
        return None
    return json.loads(body)["server"] if response.status == 200 else None


@pytest.fixture
def lab(tmp_path: Path):
    store = Store(tmp_path / "state.db")
    region = Region(RegionConfig(), store, ApartNetwork())
    for node in region.nodes.values():
        node.state = "alive"
    agents = LoopbackAgents()
    instances = MemoryInstances({"i-1": Placement(FIRST, "lab-1a", "running")})
    dns = MemoryDns()
    context = ServiceContext(region, store, agents, Paths(tmp_path), dns=dns, instances=instances)  # type: ignore[arg-type]
    backends = [backend(FIRST, "first"), backend(MOVED, "moved")]
    elb = Elb(context)
    elb.model.create_load_balancer("web", [Listener("HTTP", LISTENER_PORT, "HTTP", INSTANCE_PORT)], ["lab-1a", "lab-1b"])
    elb.model.configure_health_check("web", f"HTTP:{INSTANCE_PORT}/health", 1, 1, 2, 2)
    elb.model.modify_attributes("web", {"cross_zone": True})
    elb.model.register_instances("web", ["i-1"], elb.placements(["i-1"]))
    yield elb, agents, instances, context
    agents.close()
    for process in backends:
        process.kill()
        process.wait()


def answers(elb: Elb) -> list[str]:
    zone = elb.route53_zone_id()
    return [a for r in elb.dns.record_sets(zone, "A") for a in r.values]


def test_a_load_balancer_is_a_group_of_lb_nodes_that_serve_follow_ec2_and_go_with_their_azs(lab):
    elb, agents, instances, context = lab
    web = elb.model.load_balancer("web")

    async def story() -> None:
        await reconcile_until(elb, lambda: served_by(NODE_A) == served_by(NODE_B) == "first", "both LB nodes to serve")
        assert answers(elb) == [NODE_A, NODE_B]
        group = elb.groups["web"]
        told = group.configuration.epoch
        assert told >= 1 and all(s.epoch == told for s in group.statuses.values())

        # EC2 moves the instance: what the nodes serve changed, so they are told again under a newer epoch
        instances.known["i-1"] = Placement(MOVED, "lab-1a", "running")
        await reconcile_until(elb, lambda: served_by(NODE_A) == served_by(NODE_B) == "moved", "traffic to follow EC2")
        assert group.configuration.epoch > told

        # a restarted controller adopts the running nodes: nothing started, nothing told again
        starts, epoch = list(agents.starts), group.configuration.epoch
        again = Elb(context)
        await again.reconcile()
        assert agents.starts == starts and again.groups["web"].configuration.epoch == epoch
        assert answers(again) == [NODE_A, NODE_B]

        # an AZ disabled: its node is stopped and forgotten, with its state file
        state_b = Path(again.groups["web"].placements["elb-web-lab-1b"].state_file)
        again.model.disable_availability_zones("web", ["lab-1b"])
        await reconcile_until(again, lambda: answers(again) == [NODE_A], "the disabled AZ's node out of the name")
        assert "elb-web-lab-1b" not in agents.running and not state_b.exists()
        assert context.store.resource("elb", "member", "elb-web-lab-1b") is None

        # the LB deleted: every node goes, its data and its name
        again.model.delete_load_balancer("web")
        await reconcile_until(again, lambda: not again.groups, "the LB's group to be removed")
        assert agents.running == {} and not (again.data / web.name).exists()
        assert context.store.resource("elb", "configuration", "web") is None and answers(again) == []

    asyncio.run(story())


def test_a_dead_azs_node_leaves_the_name_at_the_next_tick_and_is_not_restarted_while_its_node_is_down(lab):
    elb, agents, _, context = lab

    async def story() -> None:
        await reconcile_until(elb, lambda: served_by(NODE_A) == served_by(NODE_B) == "first", "both LB nodes to serve")
        await reconcile_until(elb, lambda: answers(elb) == [NODE_A, NODE_B], "both LB nodes in the LB's name")
        agents.kill("elb-web-lab-1b")
        for node in context.region.nodes_in("lab-1b"):
            node.state = "dead"
        starts = list(agents.starts)
        await elb.reconcile()
        assert answers(elb) == [NODE_A]
        assert [n["state"] for n in elb.describe_nodes(elb.model.load_balancer("web"))] == ["serving", "unreachable"]
        assert agents.starts == starts
        assert served_by(NODE_A) == "first"

    asyncio.run(story())

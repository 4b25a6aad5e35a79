"""Route53's name servers as the region runs them: the real server processes (nodes/route53/server.py) on the
test region's loopback addresses, told by the real service (its NameServerDriver on the replicated runtime) over
azlab.member.v1.Member, and asked with dnspython as a user would."""

from __future__ import annotations

import asyncio
import functools
import socket
import time
from pathlib import Path

import dns.exception
import dns.message
import dns.query
import dns.rdatatype
import grpc
import pytest

from azlab.cluster.config import Paths
from azlab.cluster.route53.model import INSYNC, RecordSet
from azlab.cluster.route53.service import Placement, Route53
from azlab.cluster.services import ServiceContext
from azlab.common.rpc import ERROR_CODE_KEY
from azlab.member.v1 import member_pb2, member_pb2_grpc
from azlab.route53.v1.nameserver_pb2 import NameServerSettings

from .regions import LoopbackAgents, live_region, reconcile_until

ZONE = "example.lab."


@pytest.fixture
def agents(tmp_path):
    agents = LoopbackAgents(tmp_path)
    yield agents
    agents.close()


@pytest.fixture
def route53(tmp_path, agents) -> Route53:
    store, region = live_region(tmp_path)
    return Route53(ServiceContext(region, store, agents, Paths(tmp_path)))  # type: ignore[arg-type]


def story(test):
    """The test as one asyncio story: the service's gRPC channels live in one event loop."""
    @functools.wraps(test)
    def run(*args, **kwargs):
        asyncio.run(test(*args, **kwargs))
    return run


def a(name: str, *values: str, **policy) -> dict:
    return {"action": "CREATE", "record": RecordSet(name, "A", 1 if not policy.get("alias") else None, list(values), **policy)}


def answers(server: Placement, name: str) -> list[str]:
    reply = dns.query.udp(dns.message.make_query(name, "A"), server.address, port=server.port, timeout=2.0)
    return sorted(r.to_text() for rrset in reply.answer if rrset.rdtype == dns.rdatatype.A for r in rrset)


def servers(route53: Route53) -> list[Placement]:
    return sorted(route53.members.placements.values(), key=lambda p: p.az)


def insync(route53: Route53, change_id: str) -> bool:
    return route53.model.change(change_id).status == INSYNC


@story
async def test_every_azs_server_answers_what_it_is_told_and_a_change_goes_insync_once_all_serve_it(route53):
    zone, _ = route53.model.create_hosted_zone(ZONE, "z")
    change = route53.model.change_resource_record_sets(zone.id, [a("www.example.lab", "10.0.0.1")])
    await reconcile_until(route53, lambda: insync(route53, change.id), "the first change in sync")
    assert [s.az for s in servers(route53)] == list(route53.region.config.azs)
    assert [answers(s, "www.example.lab") for s in servers(route53)] == [["10.0.0.1"]] * 3
    assert {s["state"] for s in route53.name_servers()} == {"serving"}
    assert {s["zone_version"] for s in route53.name_servers()} == {route53.model.version}
    epoch = route53.members.configuration.epoch
    later = route53.model.change_resource_record_sets(zone.id, [a("late.example.lab", "10.0.0.2")])
    await reconcile_until(route53, lambda: insync(route53, later.id), "the second change in sync")
    assert route53.members.configuration.epoch > epoch  # new zone data is told under a new epoch
    assert [answers(s, "late.example.lab") for s in servers(route53)] == [["10.0.0.2"]] * 3


async def configure(server: Placement, epoch: int, settings) -> member_pb2.MemberStatus:
    request = member_pb2.ConfigureRequest(epoch=epoch)
    request.settings.Pack(settings)
    async with grpc.aio.insecure_channel(f"{server.address}:{server.member_port}") as channel:
        return await member_pb2_grpc.MemberStub(channel).Configure(request, timeout=5.0)


def error_code(e: grpc.aio.AioRpcError) -> str:
    return dict(e.trailing_metadata() or ())[ERROR_CODE_KEY]


@story
async def test_a_server_refuses_an_older_epoch_and_keeps_serving_what_it_holds(route53):
    zone, _ = route53.model.create_hosted_zone(ZONE, "z")
    change = route53.model.change_resource_record_sets(zone.id, [a("www.example.lab", "10.0.0.1")])
    await reconcile_until(route53, lambda: insync(route53, change.id), "the change in sync")
    server, epoch = servers(route53)[0], route53.members.configuration.epoch
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await configure(server, epoch - 1, NameServerSettings(version=10**6))
    assert error_code(refused.value) == "StaleEpoch"
    assert answers(server, "www.example.lab") == ["10.0.0.1"]
    with pytest.raises(grpc.aio.AioRpcError) as untyped:
        await configure(server, epoch + 1, member_pb2.StatusRequest())  # settings of another type
    assert error_code(untyped.value) == "InvalidParameterValue"
    assert (await configure(server, epoch, NameServerSettings())).epoch == epoch  # told again: nothing changes
    assert answers(server, "www.example.lab") == ["10.0.0.1"]


@story
async def test_a_restarted_server_answers_from_its_state_file_before_it_is_told_anything(route53, agents):
    zone, _ = route53.model.create_hosted_zone(ZONE, "z")
    change = route53.model.change_resource_record_sets(zone.id, [a("www.example.lab", "10.0.0.1")])
    await reconcile_until(route53, lambda: insync(route53, change.id), "the change in sync")
    server = servers(route53)[0]
    member_id = route53.driver.member_id(server.az)
    agents.kill(member_id)
    await agents.start_process(server.node, member_id, route53.driver.argv(server))  # no controller
    deadline = time.monotonic() + 30
    while True:
        try:
            assert answers(server, "www.example.lab") == ["10.0.0.1"]
            break
        except dns.exception.Timeout:  # the process is still coming up: it answers nothing before it binds
            assert time.monotonic() < deadline, "the restarted server never answered"
    status = await route53.driver.status(server)
    assert (status.epoch, status.role) == (route53.members.configuration.epoch, "serving")


@story
async def test_the_living_checkers_votes_decide_health_and_every_server_answers_it_in_the_same_tick(route53):
    target = socket.create_server(("127.0.0.1", 0))
    check = route53.model.create_health_check("c", {"type": "TCP", "ip_address": "127.0.0.1",
                                                    "port": target.getsockname()[1], "failure_threshold": 1})
    zone, _ = route53.model.create_hosted_zone(ZONE, "z")
    route53.model.change_resource_record_sets(zone.id, [
        a("www.example.lab", "10.0.0.1", set_identifier="p", failover="PRIMARY", health_check_id=check.id),
        a("www.example.lab", "10.0.0.2", set_identifier="s", failover="SECONDARY")])
    await reconcile_until(route53, lambda: len(route53.model.votes.get(check.id, {})) == 3, "every AZ's checker to vote")
    assert route53.model.healthy(check.id)
    assert [answers(s, "www.example.lab") for s in servers(route53)] == [["10.0.0.1"]] * 3
    target.close()
    await reconcile_until(route53, lambda: not route53.model.healthy(check.id), "the check to fail")
    # the tick that counted the failing votes also told every server
    assert [answers(s, "www.example.lab") for s in servers(route53)] == [["10.0.0.2"]] * 3

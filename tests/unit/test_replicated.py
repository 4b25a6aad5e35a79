"""The replicated runtime's region side (azlab.cluster.replicated) against members held in memory: the region's
health is fed by hand and the clock is the test's. SQS's real replicas run it in tests/region/test_sqs.py."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

import pytest

from azlab.cluster.config import Paths
from azlab.cluster.membership import Configuration, Leaderless, MajorityQuorum
from azlab.cluster.replicated import Backoff, Members, Processes
from azlab.cluster.services import NodeUnreachable, ServiceContext
from azlab.cluster.state import Store

from .regions import live_region


@dataclass(frozen=True)
class Spot:
    az: str
    node: str


@dataclass
class Said:
    epoch: int
    leader: str
    position: tuple[int, ...]


class Agents:
    """The node agents' start_process: records it; the member answers from the next probe on, unless broken."""

    def __init__(self, driver: "Driver"):
        self.driver = driver
        self.started: list[str] = []
        self.stopped: list[str] = []

    async def start_process(self, node: str, name: str, argv: list[str]) -> dict:
        if node in self.driver.dead_nodes:
            raise NodeUnreachable(node)
        self.started.append(name)
        if name not in self.driver.broken:
            self.driver.running.setdefault(name, Said(self.driver.disk.get(name, 0), "", (0, 0)))
        return {}

    async def stop_process(self, node: str, name: str) -> dict | None:
        if node in self.driver.dead_nodes:
            raise NodeUnreachable(node)
        self.stopped.append(name)
        self.driver.running.pop(name, None)
        return {}


class Driver:
    service = "test"
    placement_type = Spot

    def __init__(self):
        self.running: dict[str, Said] = {}
        self.disk: dict[str, int] = {}  # the epoch each member persisted
        self.dead_nodes: set[str] = set()
        self.broken: set[str] = set()
        self.told: list[tuple[str, int, str]] = []
        self.store: Store | None = None
        self.persisted_when_told: list[bool] = []

    def member_id(self, az: str) -> str:
        return f"m-{az}"

    def place(self, member_id: str, az: str, node) -> Spot:
        return Spot(az, node.name)

    def argv(self, placement: Spot) -> list[str]:
        return ["member"]

    async def status(self, placement: Spot) -> Said | None:
        return self.running.get(self.member_id(placement.az))

    async def configure(self, placements, member_id: str, configuration: Configuration) -> Said | None:
        said = self.running.get(member_id)
        if said is None:
            return None
        saved = self.store.resources(self.service, "configuration")[0]
        self.persisted_when_told.append((saved["epoch"], saved["leader"]) == (configuration.epoch, configuration.leader))
        self.told.append((member_id, configuration.epoch, configuration.leader))
        said.epoch, said.leader = configuration.epoch, configuration.leader
        self.disk[member_id] = configuration.epoch
        return said

    def epoch(self, said: Said) -> int:
        return said.epoch

    def position(self, said: Said) -> tuple[int, ...]:
        return said.position

    def holds(self, member_id: str, said: Said, configuration: Configuration) -> bool:
        return (said.epoch, said.leader) == (configuration.epoch, configuration.leader)

    def elected(self, configuration, previous, statuses) -> None:
        pass

    def settings(self, placements) -> str:
        return ""

    def retired(self, placement: Spot) -> None:
        pass


class Serving(Driver):
    """Leaderless members of one group (a load balancer's nodes), told `wanted`."""

    def __init__(self, group: str, running: dict[str, Said], disk: dict[str, int]):
        super().__init__()
        self.group, self.running, self.disk = group, running, disk
        self.wanted = "v1"
        self.retired_azs: list[str] = []

    def member_id(self, az: str) -> str:
        return f"{self.group}-{az}"

    def settings(self, placements) -> str:
        return self.wanted

    def retired(self, placement: Spot) -> None:
        self.retired_azs.append(placement.az)


class Clock:
    now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def world(tmp_path: Path):
    store, region = live_region(tmp_path)
    driver, clock = Driver(), Clock()
    driver.store = store
    agents = Agents(driver)
    context = ServiceContext(region, store, agents=agents, paths=Paths(tmp_path))  # type: ignore[arg-type]

    def members() -> Members:
        return Members(context, driver, MajorityQuorum(silence_s=0.6), clock=clock, restart=Backoff(2.0, 30.0))

    return members, region, driver, agents, clock


def tick(members: Members, clock: Clock, seconds: float = 0.1) -> None:
    async def run():
        await members.reconcile()
        await asyncio.sleep(0)  # the starts run in the background
        await members.processes.settled()
    asyncio.run(run())
    clock.now += seconds


def test_members_are_placed_started_and_led_with_the_configuration_persisted_before_anyone_is_told(world):
    new, region, driver, agents, clock = world
    members = new()
    tick(members, clock)
    assert sorted(agents.started) == ["m-lab-1a", "m-lab-1b", "m-lab-1c"]
    assert {m: p.node for m, p in members.placements.items()} == {
        f"m-{az}": f"{az}/node-0" for az in ("lab-1a", "lab-1b", "lab-1c")}
    tick(members, clock)
    assert members.configuration == Configuration(1, "m-lab-1a", members.member_ids)
    assert {m: (s.epoch, s.leader) for m, s in driver.running.items()} == dict.fromkeys(driver.running, (1, "m-lab-1a"))
    assert driver.persisted_when_told and all(driver.persisted_when_told)
    told = len(driver.told)
    tick(members, clock)
    assert len(driver.told) == told  # nothing differs: nobody is told again


def test_a_dead_leader_is_replaced_in_one_tick_and_a_restarted_runtime_keeps_the_epoch(world):
    new, region, driver, agents, clock = world
    members = new()
    for _ in range(2):
        tick(members, clock)
    driver.running["m-lab-1b"].position = (1, 5)
    region.nodes["lab-1a/node-0"].state = "down"
    del driver.running["m-lab-1a"]
    tick(members, clock)
    assert members.configuration == Configuration(2, "m-lab-1b", members.member_ids)
    again = new()
    assert again.configuration == members.configuration and again.placements == members.placements


def test_a_member_that_never_comes_up_is_started_ever_less_often(world):
    new, region, driver, agents, clock = world
    driver.broken.add("m-lab-1c")
    members = new()
    for _ in range(320):  # 32 s of ticks
        tick(members, clock)
    starts = [clock_started for clock_started in agents.started if clock_started == "m-lab-1c"]
    assert len(starts) == 5  # at 0, 2, 6, 14 and 30 s: doubling from 2 s
    assert members.configuration.leader == "m-lab-1a"  # two of three elect
    driver.broken.clear()
    clock.now += 30
    tick(members, clock)
    tick(members, clock)
    assert driver.running["m-lab-1c"].leader == "m-lab-1a"


def test_nothing_is_elected_before_every_az_has_a_member(world):
    new, region, driver, agents, clock = world
    for node in region.nodes_in("lab-1c"):
        node.state = "down"
    members = new()
    for _ in range(3):
        tick(members, clock)
    assert "m-lab-1c" not in members.placements and members.configuration.epoch == 0


def test_leaderless_groups_are_told_a_new_epoch_when_what_they_serve_changes_and_keep_to_their_azs(tmp_path: Path):
    store, region = live_region(tmp_path)
    running: dict[str, Said] = {}
    web, api = Serving("web", running, {}), Serving("api", running, {})
    for driver in (web, api):
        driver.store = store
    agents = Agents(web)
    context = ServiceContext(region, store, agents=agents, paths=Paths(tmp_path))  # type: ignore[arg-type]
    clock = Clock()

    def group(driver: Serving, azs: list[str]) -> Members:
        return Members(context, driver, Leaderless(), group=driver.group, azs=azs, clock=clock)

    web_members, api_members = group(web, ["lab-1a", "lab-1b"]), group(api, ["lab-1c"])
    for _ in range(2):
        tick(web_members, clock)
        tick(api_members, clock)
    assert sorted(running) == ["api-lab-1c", "web-lab-1a", "web-lab-1b"]
    assert web_members.configuration.epoch == 1 and web_members.configuration.leader == ""
    assert {m: running[m].epoch for m in running} == {"api-lab-1c": 1, "web-lab-1a": 1, "web-lab-1b": 1}
    web.wanted = "v2"
    tick(web_members, clock)
    assert (running["web-lab-1a"].epoch, running["web-lab-1b"].epoch, running["api-lab-1c"].epoch) == (2, 2, 1)

    web_members.set_azs(["lab-1b", "lab-1c"])
    for _ in range(2):
        tick(web_members, clock)
    assert agents.stopped == ["web-lab-1a"] and web.retired_azs == ["lab-1a"]
    assert sorted(running) == ["api-lab-1c", "web-lab-1b", "web-lab-1c"] and running["web-lab-1c"].epoch == 2
    assert sorted(group(web, ["lab-1b", "lab-1c"]).placements) == ["web-lab-1b", "web-lab-1c"]  # a restart reads the group's own

    assert asyncio.run(web_members.remove())
    assert sorted(running) == ["api-lab-1c"] and store.resource("test", "configuration", "web") is None
    assert group(api, ["lab-1c"]).configuration.epoch == 1


def test_a_process_is_started_again_only_after_the_back_off_and_at_once_once_it_answered_or_was_stopped():
    class Clock:
        now = 0.0

        def __call__(self) -> float:
            return self.now

    clock = Clock()
    processes = Processes(clock, Backoff(first_s=2.0, max_s=8.0))
    due = []
    for t in range(0, 40):  # 20 s in half-second steps, never answering
        clock.now = t / 2
        if processes.due("db-1"):
            due.append(clock.now)
    assert due == [0.0, 2.0, 6.0, 14.0]  # doubling from 2 s, bounded at 8 s
    processes.reset("db-1")  # it answered (or was stopped on purpose to restart with new arguments)
    assert processes.due("db-1")
    assert processes.due("db-2") and not processes.due("db-2")  # each key has its own back-off


def test_a_start_under_way_is_not_made_twice_and_an_unreachable_node_is_tried_after_the_back_off():
    async def scenario():
        clock_now = [0.0]
        processes = Processes(lambda: clock_now[0], Backoff(first_s=1.0, max_s=1.0))
        calls, release = [], asyncio.Event()

        async def slow_start():
            calls.append("slow")
            await release.wait()

        processes.keep("a", slow_start)
        clock_now[0] = 5.0
        await asyncio.sleep(0)
        processes.keep("a", slow_start)  # the back-off has passed, but the first start is still under way
        release.set()
        await processes.settled()
        assert calls == ["slow"]

        async def unreachable():
            calls.append("unreachable")
            raise NodeUnreachable("lab-1a/node-1 does not answer")

        processes.keep("b", unreachable)
        await processes.settled()  # logged, not raised
        processes.keep("b", unreachable)  # within the back-off
        clock_now[0] = 6.0
        processes.keep("b", unreachable)
        await processes.settled()
        assert calls == ["slow", "unreachable", "unreachable"]

    asyncio.run(scenario())

"""Services meet through cluster/interfaces.py: the contracts of `Dns` and `Instances`, held by the real
Route53 and EC2 services and by the small in-memory ones here; ELB publishing its names and following
its targets through them. No Ray, no sockets (the region tests run ELB on the real ones end to end)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import pytest

from azlab.cluster.config import Paths
from azlab.cluster.ec2.model import RunInstancesSpec
from azlab.cluster.ec2.service import Ec2Service
from azlab.cluster.elb.model import InvalidInstance, Listener
from azlab.cluster.elb.service import DNS_TTL, Elb, publish_names
from azlab.cluster.interfaces import Dns, Instances, Placement, RecordSetChange, ResourceRecordSet
from azlab.cluster.region import Region
from azlab.cluster.route53.model import InvalidChangeBatch
from azlab.cluster.route53.service import Route53
from azlab.cluster.services import ServiceContext, create_all
from azlab.cluster.state import Store

from .regions import live_region

ZONE = "lab-1.elb.lab."
WEB = f"web.{ZONE}"


class MemoryDns:
    """`Dns` in a dict: zones by id, each its record sets by (name, type); every batch applied is a version."""

    def __init__(self):
        self.zones: dict[str, tuple[str, dict[tuple[str, str], ResourceRecordSet]]] = {}
        self.versions = 0

    def hosted_zone_id(self, name: str, caller_reference: str, comment: str) -> str:
        found = next((i for i, (n, _) in self.zones.items() if n == name), None)
        if found is None:
            found = f"Z{len(self.zones) + 1}"
            self.zones[found] = (name, {})
        return found

    def record_sets(self, zone_id: str, type: str) -> list[ResourceRecordSet]:
        return [r for (_, t), r in self.zones[zone_id][1].items() if t == type]

    def change_record_sets(self, zone_id: str, changes: Sequence[RecordSetChange], comment: str) -> None:
        records = dict(self.zones[zone_id][1])
        for change in changes:
            record = dataclasses.replace(change.record_set, name=change.record_set.name.lower())
            key = (record.name, record.type)
            if change.action == "DELETE":
                if records.get(key) != record:
                    raise InvalidChangeBatch(f"Tried to delete resource record set [name='{record.name}'] but it was not found")
                del records[key]
            else:
                records[key] = record
        self.zones[zone_id][1].clear()
        self.zones[zone_id][1].update(records)
        self.versions += 1


class MemoryInstances:
    """`Instances` from a dict of placements."""

    def __init__(self, known: dict[str, Placement]):
        self.known = known

    def placements(self, instance_ids: Iterable[str]) -> dict[str, Placement]:
        return {i: self.known[i] for i in instance_ids if i in self.known}


@pytest.fixture
def region(tmp_path: Path) -> tuple[Region, Store]:
    store, region = live_region(tmp_path)
    return region, store


def context(tmp_path: Path, region: tuple[Region, Store], **interfaces) -> ServiceContext:
    return ServiceContext(region[0], region[1], agents=None, paths=Paths(tmp_path), **interfaces)  # type: ignore[arg-type]


@pytest.fixture(params=["memory", "route53"])
def dns(request, tmp_path, region) -> tuple[Dns, Callable[[], int]]:
    """A `Dns` and how many versions of zone data it has made: the in-memory one and the real Route53 service."""
    if request.param == "memory":
        memory = MemoryDns()
        return memory, lambda: memory.versions
    route53 = Route53(context(tmp_path, region))
    return route53, lambda: route53.model.version


def a(name: str, *values: str) -> ResourceRecordSet:
    return ResourceRecordSet(name, "A", DNS_TTL, values)


def test_dns_finds_its_zone_again_and_applies_a_batch_whole_or_not_at_all(dns):
    dns, _ = dns
    zone = dns.hosted_zone_id(ZONE, "azlab-elb-lab-1", "load balancers' names")
    assert dns.hosted_zone_id(ZONE, "azlab-elb-lab-1", "load balancers' names") == zone
    dns.change_record_sets(zone, [RecordSetChange("UPSERT", a(WEB, "127.10.2.1"))], "")
    dns.change_record_sets(zone, [RecordSetChange("UPSERT", a(WEB, "127.10.2.1", "127.11.2.1"))], "")
    assert dns.record_sets(zone, "A") == [a(WEB, "127.10.2.1", "127.11.2.1")]

    with pytest.raises(InvalidChangeBatch):  # the delete names a record set that is not there as given
        dns.change_record_sets(zone, [RecordSetChange("UPSERT", a(f"api.{ZONE}", "127.12.2.1")),
                                      RecordSetChange("DELETE", a(WEB, "127.10.2.1"))], "")
    assert dns.record_sets(zone, "A") == [a(WEB, "127.10.2.1", "127.11.2.1")]

    dns.change_record_sets(zone, [RecordSetChange("DELETE", a(WEB, "127.10.2.1", "127.11.2.1"))], "")
    assert dns.record_sets(zone, "A") == []


def test_elb_publishes_each_name_once_keeps_a_name_without_nodes_and_withdraws_a_deleted_lbs(dns):
    dns, versions = dns
    zone = dns.hosted_zone_id(ZONE, "azlab-elb-lab-1", "load balancers' names")
    api = f"api.{ZONE}"
    publish_names(dns, zone, {WEB: ["127.10.2.1", "127.11.2.1"], api: ["127.10.2.2"]})
    assert sorted(dns.record_sets(zone, "A"), key=lambda r: r.name) == [
        a(api, "127.10.2.2"), a(WEB, "127.10.2.1", "127.11.2.1")]

    published = versions()
    publish_names(dns, zone, {WEB: ["127.10.2.1", "127.11.2.1"], api: ["127.10.2.2"]})
    assert versions() == published  # the same answers are no new change for every DNS server to load

    publish_names(dns, zone, {WEB: ["127.11.2.1"], api: []})  # lb-1a's node left; api has no serving node
    assert sorted(dns.record_sets(zone, "A"), key=lambda r: r.name) == [a(api, "127.10.2.2"), a(WEB, "127.11.2.1")]

    publish_names(dns, zone, {WEB: ["127.11.2.1"]})  # api deleted
    assert dns.record_sets(zone, "A") == [a(WEB, "127.11.2.1")]

    shop = f"Shop.{ZONE}"  # an LB may be named in capitals; its DNS name is the same name to DNS
    publish_names(dns, zone, {WEB: ["127.11.2.1"], shop: ["127.12.2.1"]})
    published = versions()
    publish_names(dns, zone, {WEB: ["127.11.2.1"], shop: ["127.12.2.1"]})
    assert versions() == published
    assert sorted(dns.record_sets(zone, "A"), key=lambda r: r.name) == [a(shop.lower(), "127.12.2.1"), a(WEB, "127.11.2.1")]


def test_elb_registers_and_describes_instances_as_instances_places_them(tmp_path, region):
    dns = MemoryDns()
    instances = MemoryInstances({"i-1": Placement("127.10.1.1", "lab-1a", "running"),
                                 "i-2": Placement("", "lab-1b", "stopped"),
                                 "i-gone": Placement("", "lab-1a", "terminated")})
    elb = Elb(context(tmp_path, region, dns=dns, instances=instances))
    elb.model.create_load_balancer("web", [Listener("HTTP", 80, "HTTP", 8080)], ["lab-1a", "lab-1b"])

    assert elb.model.register_instances("web", ["i-1", "i-2"], elb.placements(["i-1", "i-2"])) == ["i-1", "i-2"]
    for unknown in ("i-gone", "i-nowhere"):
        with pytest.raises(InvalidInstance):
            elb.model.register_instances("web", [unknown], elb.placements([unknown]))
    assert elb.placements() == {"i-1": instances.known["i-1"], "i-2": instances.known["i-2"]}
    assert {h.instance_id: h.description for h in elb.model.instance_health("web", [], elb.placements())} == {
        "i-1": "Instance registration is still in progress.", "i-2": "Instance is in stopped state."}
    assert elb.route53_zone_id() == dns.hosted_zone_id(ZONE, "", "")


def test_the_real_route53_and_ec2_services_are_what_create_all_hands_elb(tmp_path, region):
    services = {s.name: s for s in create_all(context(tmp_path, region))}
    route53, ec2, elb = services["route53"], services["ec2"], services["elb"]
    assert isinstance(route53, Dns) and isinstance(ec2, Instances)
    assert elb.dns is route53 and elb.instances is ec2


def test_ec2_places_an_instance_at_its_address_only_while_it_runs(tmp_path, region):
    ec2 = Ec2Service(context(tmp_path, region))
    [running, pending] = ec2.model.run_instances(RunInstancesSpec("ami-lab-minimal", "t1.micro", 2, 2, az="lab-1b"))
    ec2.model.mark_running(running.instance_id)
    assert ec2.placements([running.instance_id, pending.instance_id, "i-nowhere"]) == {
        running.instance_id: Placement(running.private_ip, "lab-1b", "running"),
        pending.instance_id: Placement("", "lab-1b", "pending")}

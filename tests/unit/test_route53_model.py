"""Route53's model and the DNS servers' answer logic: pure, no region, no sockets."""

from __future__ import annotations

import random
from collections import Counter

import dns.edns
import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype
import pytest

from azlab.common.errors import UnsupportedOperation
from azlab.cluster.route53.model import (
    INSYNC,
    PENDING,
    ConflictingDomainExists,
    HealthCheckInUse,
    HostedZoneNotEmpty,
    InvalidChangeBatch,
    InvalidInput,
    NoSuchClientLocation,
    NoSuchHealthCheck,
    NoSuchHostedZone,
    RecordSet,
    Route53Model,
    Vote,
)
from azlab.cluster.state import Store
from azlab.member.v1 import member_pb2
from azlab.nodes.route53.answer import Answerer

AZS = ["lab-1a", "lab-1b", "lab-1c"]
NETWORKS = {"lab-1a": "127.10.0.0/16", "lab-1b": "127.11.0.0/16", "lab-1c": "127.12.0.0/16"}


@pytest.fixture
def model(tmp_path):
    return Route53Model(Store(tmp_path / "state.db"), AZS)


@pytest.fixture
def zone(model):
    zone, _ = model.create_hosted_zone("example.lab", "ref-1")
    return zone


def a(name: str, *values: str, ttl: int = 60, **policy) -> RecordSet:
    return RecordSet(name, "A", ttl, list(values), **policy)


def change(model, zone, *pairs):
    return model.change_resource_record_sets(zone.id, [{"action": action, "record": r} for action, r in pairs])


def ask(model, name: str, rdtype: str = "A", client: str = "127.0.0.1", rng=None, subnet: str | None = None,
        srclen: int = 32):
    query = dns.message.make_query(name, rdtype, use_edns=0 if subnet else None,
                                   options=[dns.edns.ECSOption(subnet, srclen)] if subnet else None)
    wire, _ = Answerer(model.snapshot(NETWORKS), rng).respond(query.to_wire(), client)
    return dns.message.from_wire(wire)


def addresses(response) -> list[str]:
    return sorted(r.to_text() for rrset in response.answer if rrset.rdtype == dns.rdatatype.A for r in rrset)


# zones and batches
def test_a_new_zone_has_soa_and_ns_and_a_pending_change(model, zone):
    assert zone.name == "example.lab."
    assert {r.type for r in zone.records} == {"SOA", "NS"}
    [pending] = model.changes.values()
    assert pending.status == PENDING


def test_changes_go_insync_only_when_every_az_serves_them(model, zone):
    c = change(model, zone, ("CREATE", a("www.example.lab", "10.0.0.1")))
    assert model.served({"lab-1a": c.version, "lab-1b": c.version}) == []
    assert model.served({"lab-1a": c.version, "lab-1b": c.version, "lab-1c": c.version - 1}) != [c] and c.status == PENDING
    model.served({az: c.version for az in AZS})
    assert model.change(f"/change/{c.id}").status == INSYNC


def test_the_model_survives_a_restart(tmp_path):
    store = Store(tmp_path / "state.db")
    model = Route53Model(store, AZS)
    zone, _ = model.create_hosted_zone("example.lab", "r")
    change(model, zone, ("CREATE", a("www.example.lab", "10.0.0.1")))
    again = Route53Model(store, AZS)
    assert again.zone(zone.id).find(("www.example.lab.", "A", "")).values == ["10.0.0.1"]
    assert again.version == model.version


def test_a_bad_change_rejects_the_whole_batch(model, zone):
    before = list(model.zone(zone.id).records)
    with pytest.raises(InvalidChangeBatch):
        change(model, zone, ("CREATE", a("ok.example.lab", "10.0.0.1")), ("CREATE", a("bad.other.lab", "10.0.0.2")))
    assert model.zone(zone.id).records == before


@pytest.mark.parametrize("bad, error", [
    (a("www.example.lab", "not-an-address"), InvalidChangeBatch),
    (RecordSet("example.lab", "CNAME", 60, ["www.example.lab"]), InvalidChangeBatch),
    (a("w.example.lab", "10.0.0.1", weight=256, set_identifier="x"), InvalidInput),
    (a("w.example.lab", "10.0.0.1", weight=10), InvalidInput),  # no SetIdentifier
    (a("w.example.lab", "10.0.0.1", health_check_id="nope"), InvalidChangeBatch),
    (RecordSet("w.example.lab", "PTR", 60, ["x.example.lab."]), InvalidInput),
    (a("w.example.lab", "10.0.0.1", ttl=-1), InvalidInput),
    (a("bad..name.example.lab", "10.0.0.1"), InvalidChangeBatch),
    (a("w.example.lab", "10.0.0.1", region="us-east-1", set_identifier="x"), InvalidInput),
])
def test_bad_record_sets_are_refused_with_route53s_codes(model, zone, bad, error):
    with pytest.raises(error):
        change(model, zone, ("CREATE", bad))


def test_create_twice_delete_missing_and_cname_beside_data_are_refused(model, zone):
    change(model, zone, ("CREATE", a("www.example.lab", "10.0.0.1")))
    with pytest.raises(InvalidChangeBatch, match="already exists"):
        change(model, zone, ("CREATE", a("www.example.lab", "10.0.0.2")))
    with pytest.raises(InvalidChangeBatch, match="not found"):
        change(model, zone, ("DELETE", a("www.example.lab", "10.0.0.9")))
    with pytest.raises(InvalidChangeBatch, match="CNAME"):
        change(model, zone, ("CREATE", RecordSet("www.example.lab", "CNAME", 60, ["other.example.lab"])))
    change(model, zone, ("UPSERT", a("www.example.lab", "10.0.0.3")))
    assert model.zone(zone.id).find(("www.example.lab.", "A", "")).values == ["10.0.0.3"]


def test_zones_their_lookup_and_deletion(model, zone):
    with pytest.raises(ConflictingDomainExists):
        model.create_hosted_zone("sub.example.lab", "ref-2")
    with pytest.raises(NoSuchHostedZone):
        model.zone("/hostedzone/ZNOPE")
    change(model, zone, ("CREATE", a("www.example.lab", "10.0.0.1")))
    with pytest.raises(HostedZoneNotEmpty):
        model.delete_hosted_zone(zone.id)
    change(model, zone, ("DELETE", a("www.example.lab", "10.0.0.1")))
    model.delete_hosted_zone(f"/hostedzone/{zone.id}")
    assert model.zones == {}


def test_outside_aliases_say_they_are_not_supported(model, zone):
    with pytest.raises(UnsupportedOperation):
        change(model, zone, ("CREATE", RecordSet("e.example.lab", "A", alias={"hosted_zone_id": "ZELB", "dns_name": "lb.elb.lab"})))


def test_health_checks_validate_and_are_held_while_in_use(model, zone):
    with pytest.raises(UnsupportedOperation):
        model.create_health_check("h0", {"type": "CLOUDWATCH_METRIC", "ip_address": "10.0.0.1", "port": 443})
    with pytest.raises(InvalidInput):
        model.create_health_check("h0", {"type": "PING", "ip_address": "10.0.0.1", "port": 443})
    with pytest.raises(InvalidInput):
        model.create_health_check("h0", {"type": "HTTP_STR_MATCH", "ip_address": "10.0.0.1", "port": 80})
    with pytest.raises(InvalidInput):
        model.create_health_check("h0", {"type": "TCP", "ip_address": "10.0.0.300", "port": 80})
    check = model.create_health_check("h1", {"type": "TCP", "ip_address": "10.0.0.1", "port": 80})
    change(model, zone, ("CREATE", a("p.example.lab", "10.0.0.1", failover="PRIMARY", set_identifier="p", health_check_id=check.id)))
    with pytest.raises(Exception, match="still referenced"):
        model.delete_health_check(check.id)
    with pytest.raises(NoSuchHealthCheck):
        model.delete_health_check("missing")


def test_health_is_the_majority_of_the_living_checkers(model):
    check = model.create_health_check("h", {"type": "TCP", "ip_address": "10.0.0.1", "port": 80})
    vote = lambda az, ok: Vote(az, az, ok, "", 0.0)  # noqa: E731
    assert model.healthy(check.id)  # nobody has checked yet
    assert model.record_votes({check.id: [vote("lab-1a", False), vote("lab-1b", False), vote("lab-1c", True)]})
    assert not model.healthy(check.id)
    model.record_votes({check.id: [vote("lab-1b", True), vote("lab-1c", True)]})  # lab-1a died
    assert model.healthy(check.id)
    model.record_votes({check.id: [vote("lab-1b", False), vote("lab-1c", True)]})  # a tie is not a majority
    assert not model.healthy(check.id)


# answers
def test_authoritative_answers_nxdomain_nodata_and_refused(model, zone):
    change(model, zone, ("CREATE", a("www.example.lab", "10.0.0.1")),
           ("CREATE", RecordSet("example.lab", "MX", 300, ["10 mail.example.lab"])),
           ("CREATE", RecordSet("deep.sub.example.lab", "TXT", 300, ['"hello"'])))
    answer = ask(model, "www.example.lab")
    assert answer.flags & dns.flags.AA and addresses(answer) == ["10.0.0.1"]
    missing = ask(model, "nope.example.lab")
    assert missing.rcode() == dns.rcode.NXDOMAIN and missing.authority[0].rdtype == dns.rdatatype.SOA
    nodata = ask(model, "www.example.lab", "AAAA")
    assert nodata.rcode() == dns.rcode.NOERROR and not nodata.answer and nodata.authority[0].rdtype == dns.rdatatype.SOA
    empty_non_terminal = ask(model, "sub.example.lab", "TXT")
    assert empty_non_terminal.rcode() == dns.rcode.NOERROR and not empty_non_terminal.answer
    assert ask(model, "www.elsewhere.lab").rcode() == dns.rcode.REFUSED
    assert ask(model, "example.lab", "NS").answer[0].rdtype == dns.rdatatype.NS
    assert ask(model, "example.lab", "MX").answer[0][0].to_text() == "10 mail.example.lab."


def test_cname_is_followed_inside_the_zone(model, zone):
    change(model, zone, ("CREATE", a("www.example.lab", "10.0.0.1")),
           ("CREATE", RecordSet("web.example.lab", "CNAME", 60, ["www.example.lab"])),
           ("CREATE", RecordSet("out.example.lab", "CNAME", 60, ["www.elsewhere.lab"])))
    answer = ask(model, "web.example.lab")
    assert [r.rdtype for r in answer.answer] == [dns.rdatatype.CNAME, dns.rdatatype.A] and addresses(answer) == ["10.0.0.1"]
    assert [r.rdtype for r in ask(model, "out.example.lab").answer] == [dns.rdatatype.CNAME]


def test_malformed_packets_get_formerr_or_nothing(model, zone):
    answerer = Answerer(model.snapshot(NETWORKS))
    assert answerer.respond(b"\x01\x02", "127.0.0.1") == (None, False)
    wire, _ = answerer.respond(b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\xff\xff", "127.0.0.1")
    assert wire[:2] == b"\x12\x34" and wire[3] & 0xF == dns.rcode.FORMERR


def test_mangled_queries_never_break_the_answerer(model, zone):
    answerer = Answerer(model.snapshot(NETWORKS))
    query = dns.message.make_query("www.example.lab", "A", use_edns=0).to_wire()
    rng = random.Random(1)
    for _ in range(5000):
        wire = bytearray(query)
        for _ in range(rng.randint(1, 4)):
            wire[rng.randrange(len(wire))] = rng.randrange(256)
        response, _ = answerer.respond(bytes(wire[:rng.randrange(len(wire) + 1)] if rng.random() < 0.2 else wire), "127.0.0.1")
        assert response is None or (len(response) >= 12 and response[2] & 0x80)


def test_weighted_answers_follow_the_weights(model, zone):
    change(model, zone, ("CREATE", a("w.example.lab", "10.0.0.1", set_identifier="one", weight=1)),
           ("CREATE", a("w.example.lab", "10.0.0.3", set_identifier="three", weight=3)),
           ("CREATE", a("w.example.lab", "10.0.0.9", set_identifier="zero", weight=0)))
    rng = random.Random(7)
    seen = Counter(addresses(ask(model, "w.example.lab", rng=rng))[0] for _ in range(2000))
    assert seen["10.0.0.9"] == 0
    assert 0.2 < seen["10.0.0.1"] / 2000 < 0.3


def test_failover_flips_to_the_secondary_when_the_primary_is_unhealthy(model, zone):
    check = model.create_health_check("h", {"type": "TCP", "ip_address": "10.0.0.1", "port": 80})
    change(model, zone, ("CREATE", a("f.example.lab", "10.0.0.1", set_identifier="p", failover="PRIMARY", health_check_id=check.id)),
           ("CREATE", a("f.example.lab", "10.0.0.2", set_identifier="s", failover="SECONDARY")))
    assert addresses(ask(model, "f.example.lab")) == ["10.0.0.1"]
    model.record_votes({check.id: [Vote(az, az, False, "", 0.0) for az in AZS]})
    assert addresses(ask(model, "f.example.lab")) == ["10.0.0.2"]


def test_multivalue_answers_only_healthy_records(model, zone):
    check = model.create_health_check("h", {"type": "TCP", "ip_address": "10.0.0.1", "port": 80})
    change(model, zone, *[("CREATE", a("m.example.lab", f"10.0.0.{i}", set_identifier=f"m{i}", multi_value_answer=True,
                                      health_check_id=check.id if i == 1 else "")) for i in range(1, 11)])
    assert len(addresses(ask(model, "m.example.lab"))) == 8
    model.record_votes({check.id: [Vote(az, az, False, "", 0.0) for az in AZS]})
    for _ in range(20):
        assert "10.0.0.1" not in addresses(ask(model, "m.example.lab"))


def test_latency_answers_by_the_clients_az_and_its_subnet(model, zone):
    change(model, zone, *[("CREATE", a("l.example.lab", f"10.0.{i}.1", set_identifier=az, region=az)) for i, az in enumerate(AZS)])
    assert addresses(ask(model, "l.example.lab", client="127.11.0.5")) == ["10.0.1.1"]
    assert addresses(ask(model, "l.example.lab", client="127.12.0.5")) == ["10.0.2.1"]
    via_subnet = ask(model, "l.example.lab", client="127.10.0.5", subnet="127.12.0.0")
    assert addresses(via_subnet) == ["10.0.2.1"]
    assert any(isinstance(o, dns.edns.ECSOption) for o in via_subnet.options)


def test_alias_at_the_apex_answers_the_targets_records(model, zone):
    change(model, zone, ("CREATE", a("www.example.lab", "10.0.0.1", "10.0.0.2")),
           ("CREATE", RecordSet("example.lab", "A", alias={"hosted_zone_id": zone.id, "dns_name": "www.example.lab",
                                                            "evaluate_target_health": True})))
    answer = ask(model, "example.lab")
    assert answer.answer[0].name.to_text() == "example.lab." and addresses(answer) == ["10.0.0.1", "10.0.0.2"]


def test_private_zones_answer_only_inside_the_region(model):
    zone, _ = model.create_hosted_zone("internal.lab", "p", private_zone=True)
    change(model, zone, ("CREATE", a("db.internal.lab", "10.1.0.1")))
    assert ask(model, "db.internal.lab", client="192.0.2.1").rcode() == dns.rcode.REFUSED
    assert addresses(ask(model, "db.internal.lab", client="127.10.0.3")) == ["10.1.0.1"]
    claimed = ask(model, "db.internal.lab", client="192.0.2.1", subnet="127.10.0.0")  # a subnet claim opens nothing
    assert claimed.rcode() == dns.rcode.REFUSED


def test_the_servers_answer_cache_keeps_weighted_answers_weighted(model, zone, tmp_path):
    from azlab.nodes.route53.server import NameServer

    change(model, zone, ("CREATE", a("w.example.lab", "10.0.0.1", set_identifier="one", weight=1)),
           ("CREATE", a("w.example.lab", "10.0.0.3", set_identifier="three", weight=3)))
    server = NameServer("127.0.0.1", tmp_path / "zone.binpb")
    told = member_pb2.ConfigureRequest(epoch=1)
    told.settings.Pack(model.snapshot(NETWORKS))
    server.configure(told)
    assert server.version == model.version
    query = dns.message.make_query("w.example.lab", "A")
    seen = Counter()
    for i in range(4000):
        query.id = i
        reply = dns.message.from_wire(server.respond(query.to_wire(), "127.0.0.1"))
        assert reply.id == i
        seen[addresses(reply)[0]] += 1
    assert 0.2 < seen["10.0.0.1"] / 4000 < 0.3, seen


def ecs_scope(response) -> int:
    [option] = [o for o in response.options if isinstance(o, dns.edns.ECSOption)]
    return option.scopelen


# geolocation
def geo(name: str, value: str, ident: str, **where) -> RecordSet:
    return a(name, value, set_identifier=ident, geo_location=where)


def test_geolocation_answers_the_most_specific_place_then_the_default(model, zone):
    change(model, zone, ("CREATE", geo("g.example.lab", "10.9.0.1", "washington", country_code="US", subdivision_code="WA")),
           ("CREATE", geo("g.example.lab", "10.9.0.2", "us", country_code="US")),
           ("CREATE", geo("g.example.lab", "10.9.0.3", "europe", continent_code="EU")),
           ("CREATE", geo("g.example.lab", "10.9.0.4", "germany", country_code="de")),
           ("CREATE", geo("g.example.lab", "10.9.0.9", "elsewhere", country_code="*")))
    # each AZ's network is a place: lab-1a Washington (US), lab-1b Germany, lab-1c Japan
    assert addresses(ask(model, "g.example.lab", client="127.10.0.5")) == ["10.9.0.1"]
    assert addresses(ask(model, "g.example.lab", client="127.11.0.5")) == ["10.9.0.4"]
    assert addresses(ask(model, "g.example.lab", client="127.12.0.5")) == ["10.9.0.9"]
    model.put_client_location("192.0.2.0/24", {"continent_code": "EU", "country_code": "FR"})
    model.put_client_location("198.51.100.0/24", {"continent_code": "NA", "country_code": "US", "subdivision_code": "OR"})
    model.put_client_location("127.11.7.0/24", {"continent_code": "NA", "country_code": "US", "subdivision_code": "WA"})
    assert addresses(ask(model, "g.example.lab", client="192.0.2.8")) == ["10.9.0.3"]  # France: the continent's
    assert addresses(ask(model, "g.example.lab", client="198.51.100.8")) == ["10.9.0.2"]  # Oregon: the country's
    assert addresses(ask(model, "g.example.lab", client="127.11.7.1")) == ["10.9.0.1"]  # the most specific CIDR wins
    assert addresses(ask(model, "g.example.lab", client="203.0.113.1")) == ["10.9.0.9"]  # nowhere known: the default
    # the EDNS Client Subnet places the client, and comes back with the scope its answer holds for
    via_subnet = ask(model, "g.example.lab", client="127.10.0.5", subnet="192.0.2.0", srclen=24)
    assert addresses(via_subnet) == ["10.9.0.3"] and ecs_scope(via_subnet) == 24
    assert ecs_scope(ask(model, "www.example.lab", subnet="192.0.2.0", srclen=24)) == 0  # the same answer for everyone
    unsaid = ask(model, "g.example.lab", client="127.11.0.5", subnet="192.0.2.0", srclen=0)  # 0: use the source
    assert addresses(unsaid) == ["10.9.0.4"] and ecs_scope(unsaid) == 0


def test_geolocation_without_a_default_answers_nothing_where_nothing_matches(model, zone):
    change(model, zone, ("CREATE", geo("g.example.lab", "10.9.0.4", "germany", country_code="DE")))
    nothing = ask(model, "g.example.lab", client="127.12.0.5")
    assert nothing.rcode() == dns.rcode.NOERROR and not nothing.answer and nothing.authority[0].rdtype == dns.rdatatype.SOA


def test_geolocation_falls_back_to_a_wider_place_while_the_nearer_is_unhealthy(model, zone):
    check = model.create_health_check("h", {"type": "TCP", "ip_address": "10.0.0.1", "port": 80})
    change(model, zone, ("CREATE", a("g.example.lab", "10.9.0.4", set_identifier="germany", geo_location={"country_code": "DE"},
                                     health_check_id=check.id)),
           ("CREATE", geo("g.example.lab", "10.9.0.3", "europe", continent_code="EU")))
    assert addresses(ask(model, "g.example.lab", client="127.11.0.5")) == ["10.9.0.4"]
    model.record_votes({check.id: [Vote(az, az, False, "", 0.0) for az in AZS]})
    assert addresses(ask(model, "g.example.lab", client="127.11.0.5")) == ["10.9.0.3"]


@pytest.mark.parametrize("where, error", [
    ({"continent_code": "XX"}, InvalidInput),
    ({"country_code": "QQ"}, InvalidInput),
    ({"subdivision_code": "WA"}, InvalidInput),
    ({"continent_code": "EU", "country_code": "DE"}, InvalidInput),
    ({"country_code": "*", "subdivision_code": "WA"}, InvalidInput),
])
def test_bad_geolocations_are_refused(model, zone, where, error):
    with pytest.raises(error):
        change(model, zone, ("CREATE", geo("g.example.lab", "10.9.0.1", "x", **where)))


def test_two_sets_for_one_place_or_geolocation_beside_a_weight_are_refused(model, zone):
    with pytest.raises(InvalidChangeBatch, match="same location"):
        change(model, zone, ("CREATE", geo("g.example.lab", "10.9.0.1", "one", country_code="DE")),
               ("CREATE", geo("g.example.lab", "10.9.0.2", "two", country_code="DE")))
    with pytest.raises(InvalidInput):
        change(model, zone, ("CREATE", a("g.example.lab", "10.9.0.1", set_identifier="x", weight=1,
                                         geo_location={"country_code": "DE"})))


def test_the_location_table_is_each_azs_network_and_what_users_put(tmp_path):
    store = Store(tmp_path / "state.db")
    model = Route53Model(store, AZS)
    entry = model.put_client_location("192.0.2.77/24", {"continent_code": "eu", "country_code": "fr"})
    assert entry == {"cidr": "192.0.2.0/24", "location": {"continent_code": "EU", "country_code": "FR"}}
    table = {e["cidr"]: e for e in Route53Model(store, AZS).locations(NETWORKS)}  # kept across a restart
    assert table["127.11.0.0/16"] == {"cidr": "127.11.0.0/16", "source": "az:lab-1b",
                                      "location": {"continent_code": "EU", "country_code": "DE"}}
    assert table["192.0.2.0/24"]["source"] == "user"
    for cidr, location in (("nonsense", {"continent_code": "EU"}), ("10.0.0.0/8", {"country_code": "FR"}),
                           ("10.0.0.0/8", {"country_code": "*"})):
        with pytest.raises(InvalidInput):
            model.put_client_location(cidr, location)
    model.delete_client_location("192.0.2.0/24")
    with pytest.raises(NoSuchClientLocation):
        model.delete_client_location("192.0.2.0/24")


# wildcards and delegations
def test_wildcards_answer_names_the_zone_does_not_hold_as_rfc_4592_says(model, zone):
    change(model, zone, ("CREATE", a("*.example.lab", "10.7.0.1")),
           ("CREATE", a("www.example.lab", "10.0.0.1")),
           ("CREATE", RecordSet("deep.sub.example.lab", "TXT", 60, ['"x"'])))
    synthesized = ask(model, "anything.example.lab")
    assert addresses(synthesized) == ["10.7.0.1"] and synthesized.answer[0].name.to_text() == "anything.example.lab."
    assert addresses(ask(model, "a.b.example.lab")) == ["10.7.0.1"]  # any depth below the closest encloser
    assert addresses(ask(model, "www.example.lab")) == ["10.0.0.1"]  # a name that exists is never a wildcard's
    nodata = ask(model, "anything.example.lab", "MX")
    assert nodata.rcode() == dns.rcode.NOERROR and not nodata.answer
    assert ask(model, "sub.example.lab").answer == []  # an empty non-terminal exists: no wildcard for it
    assert ask(model, "x.sub.example.lab").rcode() == dns.rcode.NXDOMAIN  # its closest encloser has no wildcard
    with pytest.raises(InvalidChangeBatch):
        change(model, zone, ("CREATE", RecordSet("*.example.lab", "NS", 60, ["ns1.elsewhere.lab"])))


def test_a_delegation_answers_a_referral_with_glue_and_without_aa(model, zone):
    change(model, zone, ("CREATE", RecordSet("sub.example.lab", "NS", 300, ["ns1.sub.example.lab", "ns.elsewhere.lab"])),
           ("CREATE", a("ns1.sub.example.lab", "10.8.0.1")),
           ("CREATE", a("www.example.lab", "10.0.0.1")))
    for name, rdtype in (("www.sub.example.lab", "A"), ("sub.example.lab", "NS"), ("ns1.sub.example.lab", "A")):
        referral = ask(model, name, rdtype)
        assert referral.rcode() == dns.rcode.NOERROR and not referral.flags & dns.flags.AA and referral.answer == []
        [ns] = referral.authority
        assert ns.name.to_text() == "sub.example.lab." and sorted(r.to_text() for r in ns) == ["ns.elsewhere.lab.", "ns1.sub.example.lab."]
        [glue] = referral.additional
        assert glue.name.to_text() == "ns1.sub.example.lab." and [r.to_text() for r in glue] == ["10.8.0.1"]
    assert ask(model, "www.example.lab").flags & dns.flags.AA  # above the cut, still authoritative
    with pytest.raises(InvalidInput):
        change(model, zone, ("CREATE", RecordSet("w.sub2.example.lab", "NS", 60, ["ns.elsewhere.lab"], set_identifier="x", weight=1)))


# calculated health checks
def test_a_calculated_check_counts_its_healthy_children_and_inverted_turns_it_round(model):
    children = [model.create_health_check(f"c{i}", {"type": "TCP", "ip_address": "10.0.0.1", "port": 80}).id for i in range(3)]
    both = model.create_health_check("calc", {"type": "CALCULATED", "child_health_checks": children, "health_threshold": 2})
    inverted = model.create_health_check("inv", {"type": "CALCULATED", "child_health_checks": children, "health_threshold": 2,
                                                 "inverted": True})
    assert model.healthy(both.id) and not model.healthy(inverted.id)
    down = lambda *ids: model.record_votes({c: [Vote(az, az, False, "", 0.0) for az in AZS] for c in ids})  # noqa: E731
    down(children[0])
    assert model.healthy(both.id)  # one child down: two of three still healthy
    assert down(children[0], children[1]) and not model.healthy(both.id) and model.healthy(inverted.id)
    with pytest.raises(HealthCheckInUse):
        model.delete_health_check(children[0])
    for config, error in (({"child_health_checks": [both.id]}, InvalidInput), ({"child_health_checks": ["nope"]}, NoSuchHealthCheck),
                          ({"child_health_checks": children, "ip_address": "10.0.0.1"}, InvalidInput),
                          ({"child_health_checks": children, "health_threshold": 257}, InvalidInput)):
        with pytest.raises(error):
            model.create_health_check("bad", {"type": "CALCULATED", **config})
    tcp_inverted = model.create_health_check("ti", {"type": "TCP", "ip_address": "10.0.0.1", "port": 80, "inverted": True})
    assert not model.healthy(tcp_inverted.id)
    servers_run = [h.id for h in model.snapshot(NETWORKS).health_checks if h.type != "CALCULATED"]
    assert both.id not in servers_run


def test_https_checks_default_to_443_and_string_matches_need_their_string(model):
    assert model.create_health_check("s", {"type": "HTTPS", "ip_address": "10.0.0.1"}).port == 443
    with pytest.raises(InvalidInput):
        model.create_health_check("m", {"type": "HTTPS_STR_MATCH", "ip_address": "10.0.0.1"})

"""Route53 with real DNS clients: dig and dnspython against every AZ's server,
each routing policy's answers (latency and geolocation asked from inside each
AZ's network), wildcards and delegations, HTTP, HTTPS and calculated health
checks failing a record over, and a whole AZ killed while clients keep resolving."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections import Counter

import dns.edns
import dns.exception
import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import pytest
from azlab.chaos.v1 import chaos_pb2
from azlab.common.network import NetnsNetwork
from azlab.route53.v1 import route53_pb2 as pb

from tests.checker import ClientLoad, NotAcknowledged, assert_no_failures
from tests.sites import Page, serve

from .conftest import best_isolation, bring_up, tear_down, wait_until

pytestmark = [pytest.mark.region]
INSYNC_TIMEOUT_S = 30
DIG = shutil.which("dig")
AZS = ("lab-1a", "lab-1b", "lab-1c")


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    lab = bring_up(tmp_path_factory, best_isolation())
    if lab.isolation != "netns":
        print(f"route53: {lab.isolation} isolation ({NetnsNetwork.available()}): clients 'in' an AZ are this process "
              "sending from the AZ's loopback address, not processes inside the AZ's network")
    yield lab
    tear_down(lab)


def target_address(lab) -> str:
    """Where a health check's target listens so every AZ's checker reaches it: the region node's own address."""
    return NetnsNetwork(lab.paths.region_id, len(AZS), 1).region_address() if lab.isolation == "netns" else "127.0.0.1"


@pytest.fixture(scope="module")
def zone(lab, tmp_path_factory):
    created = lab.json("route53", "create-hosted-zone", "--name", "example.lab")
    zone_id = created["HostedZone"]["Id"]
    batch = tmp_path_factory.mktemp("batch") / "changes.json"
    batch.write_text(json.dumps({"Comment": "the web tier", "Changes": [
        {"Action": "CREATE", "ResourceRecordSet": {"Name": "www.example.lab", "Type": "A", "TTL": 60,
                                                   "ResourceRecords": [{"Value": "10.0.0.1"}, {"Value": "10.0.0.2"}]}},
        {"Action": "CREATE", "ResourceRecordSet": {"Name": "example.lab", "Type": "MX", "TTL": 300,
                                                   "ResourceRecords": [{"Value": "10 mail.example.lab"}]}},
        {"Action": "CREATE", "ResourceRecordSet": {"Name": "example.lab", "Type": "A",
                                                   "AliasTarget": {"HostedZoneId": zone_id, "DNSName": "www.example.lab",
                                                                   "EvaluateTargetHealth": False}}},
        {"Action": "CREATE", "ResourceRecordSet": {"Name": "_http._tcp.example.lab", "Type": "SRV", "TTL": 60,
                                                   "ResourceRecords": [{"Value": "1 10 80 www.example.lab"}]}},
    ]}))
    change = lab.json("route53", "change-resource-record-sets", "--hosted-zone-id", zone_id, "--change-batch", f"file://{batch}")
    assert change["ChangeInfo"]["Status"] == "PENDING"
    insync(lab, change["ChangeInfo"]["Id"])
    return zone_id


def insync(lab, change_id: str) -> None:
    wait_until(lambda: lab.client.route53.GetChange(pb.GetChangeRequest(id=change_id)).change_info.status == "INSYNC",
               INSYNC_TIMEOUT_S, f"change {change_id} in sync in every AZ")


def change(lab, zone_id: str, *changes: tuple[str, pb.ResourceRecordSet]) -> None:
    reply = lab.client.route53.ChangeResourceRecordSets(pb.ChangeResourceRecordSetsRequest(
        hosted_zone_id=zone_id, change_batch=pb.ChangeBatch(changes=[pb.Change(action=a, resource_record_set=r) for a, r in changes])))
    insync(lab, reply.change_info.id)


def a_record(name: str, value: str, **policy) -> pb.ResourceRecordSet:
    return pb.ResourceRecordSet(name=name, type="A", ttl=5, resource_records=[pb.ResourceRecord(value=value)], **policy)


def everyone_serves_the_latest(lab) -> bool:
    described = lab.client.route53.DescribeNameServers(pb.DescribeNameServersRequest())
    return all(s.zone_version == described.zone_version for s in described.name_servers)


def servers(lab) -> dict[str, pb.NameServer]:
    return {s.availability_zone: s for s in lab.client.route53.DescribeNameServers(pb.DescribeNameServersRequest()).name_servers}


def query(server: pb.NameServer, name: str, rdtype: str = "A", source: str | None = None, tcp: bool = False,
          timeout: float = 1.0) -> dns.message.Message:
    request = dns.message.make_query(name, rdtype)
    send = dns.query.tcp if tcp else dns.query.udp
    return send(request, server.address, port=server.port, timeout=timeout, source=source)


def addresses(response: dns.message.Message) -> list[str]:
    return sorted(r.to_text() for rrset in response.answer if rrset.rdtype == dns.rdatatype.A for r in rrset)


def query_from(lab, az: str, server: pb.NameServer, name: str, subnet: str = "") -> dns.message.Message:
    """An A query sent by a client in `az`: from a process inside its network (netns), else from its loopback address."""
    request = dns.message.make_query(name, "A", use_edns=0 if subnet else None,
                                     options=[dns.edns.ECSOption(subnet.split("/")[0], int(subnet.split("/")[1]))] if subnet else None)
    if lab.isolation != "netns":
        client = lab.zones()[az]["Nodes"][0]["Address"]
        return dns.query.udp(request, server.address, port=server.port, timeout=1.0, source=client)
    code = ("import sys, dns.message, dns.query; q = dns.message.from_wire(bytes.fromhex(sys.argv[1])); "
            "print(dns.query.udp(q, sys.argv[2], port=int(sys.argv[3]), timeout=2).to_wire().hex())")
    inside = NetnsNetwork(lab.paths.region_id, len(AZS), 1).host_command(AZS.index(az) + 1, 0)
    done = subprocess.run([*inside, sys.executable, "-c", code, request.to_wire().hex(), server.address, str(server.port)],
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr[-2000:]
    return dns.message.from_wire(bytes.fromhex(done.stdout.strip()))


def test_every_azs_server_answers_authoritatively_over_udp_and_tcp(lab, zone):
    found = servers(lab)
    assert sorted(found) == ["lab-1a", "lab-1b", "lab-1c"]
    for server in found.values():
        for tcp in (False, True):
            answer = query(server, "www.example.lab", tcp=tcp)
            assert answer.flags & dns.flags.AA and addresses(answer) == ["10.0.0.1", "10.0.0.2"]
        assert addresses(query(server, "example.lab")) == ["10.0.0.1", "10.0.0.2"]  # the alias at the apex
        assert query(server, "_http._tcp.example.lab", "SRV").answer[0][0].to_text() == "1 10 80 www.example.lab."
        missing = query(server, "nope.example.lab")
        assert missing.rcode() == dns.rcode.NXDOMAIN and missing.authority[0].rdtype == dns.rdatatype.SOA
        assert query(server, "www.elsewhere.lab").rcode() == dns.rcode.REFUSED


@pytest.mark.skipif(DIG is None, reason="dig is not installed (Debian: bind9-dnsutils)")
def test_dig_gets_the_same_answers(lab, zone):
    for server in servers(lab).values():
        for transport in ("+notcp", "+tcp"):
            done = subprocess.run([DIG, f"@{server.address}", "-p", str(server.port), transport, "+short", "example.lab", "MX"],
                                  capture_output=True, text=True, timeout=10)
            assert done.stdout.split() == ["10", "mail.example.lab."], done.stdout + done.stderr
        done = subprocess.run([DIG, f"@{server.address}", "-p", str(server.port), "nope.example.lab"],
                              capture_output=True, text=True, timeout=10)
        assert "status: NXDOMAIN" in done.stdout and "flags: qr aa" in done.stdout


def test_malformed_packets_do_no_harm(lab, zone):
    server = servers(lab)["lab-1a"]
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(1)
        s.sendto(b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\xff\xff", (server.address, server.port))
        reply = s.recv(512)
        assert reply[:2] == b"\x12\x34" and reply[3] & 0xF == dns.rcode.FORMERR
        s.sendto(b"\x00", (server.address, server.port))  # too short to answer: dropped
    assert addresses(query(server, "www.example.lab")) == ["10.0.0.1", "10.0.0.2"]


def test_a_bad_batch_is_rejected_whole_by_the_cli(lab, zone):
    before = lab.json("route53", "list-resource-record-sets", "--hosted-zone-id", zone)
    batch = json.dumps({"Changes": [
        {"Action": "CREATE", "ResourceRecordSet": {"Name": "fine.example.lab", "Type": "A", "TTL": 60, "ResourceRecords": [{"Value": "10.0.0.5"}]}},
        {"Action": "CREATE", "ResourceRecordSet": {"Name": "example.lab", "Type": "CNAME", "TTL": 60, "ResourceRecords": [{"Value": "www.example.lab"}]}},
    ]})
    done = lab.azlab("route53", "change-resource-record-sets", "--hosted-zone-id", zone, "--change-batch", batch)
    assert done.returncode == 254 and "(InvalidChangeBatch)" in done.stderr
    assert lab.json("route53", "list-resource-record-sets", "--hosted-zone-id", zone) == before
    done = lab.azlab("route53", "get-hosted-zone", "--id", "/hostedzone/ZNOSUCH")
    assert done.returncode == 254 and "(NoSuchHostedZone)" in done.stderr
    assert query(servers(lab)["lab-1b"], "fine.example.lab").rcode() == dns.rcode.NXDOMAIN


def test_weighted_answers_split_by_weight(lab, zone):
    change(lab, zone, ("CREATE", a_record("w.example.lab", "10.1.0.1", set_identifier="light", weight=1, has_weight=True)),
           ("CREATE", a_record("w.example.lab", "10.1.0.3", set_identifier="heavy", weight=3, has_weight=True)))
    server = servers(lab)["lab-1c"]
    seen = Counter(addresses(query(server, "w.example.lab"))[0] for _ in range(800))
    assert set(seen) == {"10.1.0.1", "10.1.0.3"}
    # A statistical test, bounded so that it cannot flake: the light record's count is Binomial(800, 1/4),
    # outside [100, 300] with probability 2e-15 (exact binomial tails). Weights ignored (Binomial(800, 1/2)) land
    # inside with probability 8e-13, and always one record (0 or 800) never does: a wrong server fails surely.
    assert 100 <= seen["10.1.0.1"] <= 300, seen


def test_latency_and_geolocation_answer_each_az_by_where_its_clients_are(lab, zone):
    change(lab, zone, *[("CREATE", a_record("near.example.lab", f"10.2.{i}.1", set_identifier=az, region=az))
                        for i, az in enumerate(AZS)])
    places = {"washington": pb.GeoLocation(country_code="US", subdivision_code="WA"), "germany": pb.GeoLocation(country_code="DE"),
              "europe": pb.GeoLocation(continent_code="EU"), "elsewhere": pb.GeoLocation(country_code="*")}
    change(lab, zone, *[("CREATE", a_record("geo.example.lab", f"10.6.0.{i}", set_identifier=where, geo_location=place))
                        for i, (where, place) in enumerate(places.items())])
    # the lab's location table: lab-1a's network is in Washington (US), lab-1b's in Germany, lab-1c's in Japan
    table = {e["Cidr"]: e for e in lab.json("route53", "list-client-locations")["ClientLocations"]}
    assert [e["Location"] for e in table.values() if e["Source"] == "az:lab-1b"] == [{"ContinentCode": "EU", "CountryCode": "DE", "SubdivisionCode": ""}]
    found = servers(lab)
    for i, az in enumerate(AZS):
        assert addresses(query_from(lab, az, found["lab-1a"], "near.example.lab")) == [f"10.2.{i}.1"]
    expected = {"lab-1a": "10.6.0.0", "lab-1b": "10.6.0.1", "lab-1c": "10.6.0.3"}  # Japan: neither US nor Europe, the default
    for az, address in expected.items():
        assert addresses(query_from(lab, az, found["lab-1b"], "geo.example.lab")) == [address]
    # a resolver's EDNS Client Subnet places its client, wherever the resolver is; the answer says for how wide a block
    lab.json("route53", "put-client-location", "--cidr", "192.0.2.0/24", "--location", '{"ContinentCode": "EU", "CountryCode": "FR"}')
    wait_until(lambda: everyone_serves_the_latest(lab), 10, "the table pushed to every AZ")
    via_subnet = query_from(lab, "lab-1c", found["lab-1c"], "geo.example.lab", subnet="192.0.2.0/24")
    [option] = [o for o in via_subnet.options if isinstance(o, dns.edns.ECSOption)]
    assert addresses(via_subnet) == ["10.6.0.2"] and option.scopelen == 24  # France: Europe's record
    done = lab.azlab("route53", "put-client-location", "--cidr", "192.0.2.0/40", "--location", '{"ContinentCode": "EU"}')
    assert done.returncode == 254 and "(InvalidInput)" in done.stderr
    done = lab.azlab("route53", "delete-client-location", "--cidr", "198.51.100.0/24")
    assert done.returncode == 254 and "(NoSuchClientLocation)" in done.stderr


@pytest.mark.skipif(DIG is None, reason="dig is not installed (Debian: bind9-dnsutils)")
def test_wildcards_answer_for_any_name_and_delegations_refer_with_glue(lab, zone):
    change(lab, zone, ("CREATE", a_record("*.apps.example.lab", "10.7.0.1")),
           ("CREATE", pb.ResourceRecordSet(name="team.example.lab", type="NS", ttl=300, resource_records=[
               pb.ResourceRecord(value="ns1.team.example.lab"), pb.ResourceRecord(value="ns.elsewhere.lab")])),
           ("CREATE", a_record("ns1.team.example.lab", "10.7.1.1")))
    server = servers(lab)["lab-1b"]
    dig = lambda *args: subprocess.run([DIG, f"@{server.address}", "-p", str(server.port), *args],  # noqa: E731
                                       capture_output=True, text=True, timeout=10).stdout
    assert dig("+short", "anything.apps.example.lab").split() == ["10.7.0.1"]
    assert dig("+short", "a.b.apps.example.lab").split() == ["10.7.0.1"]
    referral = dig("+norecurse", "www.team.example.lab")
    assert "status: NOERROR" in referral and "flags: qr;" in referral and "ANSWER: 0" in referral  # no aa
    assert sorted((r[0], r[3], r[4]) for r in dig_section(referral, "AUTHORITY")) == [
        ("team.example.lab.", "NS", "ns.elsewhere.lab."), ("team.example.lab.", "NS", "ns1.team.example.lab.")]
    assert [(r[0], r[3], r[4]) for r in dig_section(referral, "ADDITIONAL")] == [("ns1.team.example.lab.", "A", "10.7.1.1")]


def dig_section(output: str, title: str) -> list[list[str]]:
    """The records of one section of dig's output, each split into its fields."""
    text = output.split(f";; {title} SECTION:")[1].split("\n\n")[0]
    return [line.split() for line in text.strip().splitlines() if line and not line.startswith(";")]


class Target:
    """A TCP listener a health check points at; closing it fails the check."""

    def __init__(self, address: str):
        self.sock = socket.create_server((address, 0))
        self.port = self.sock.getsockname()[1]
        self._stop = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        self.sock.settimeout(0.2)
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
                conn.close()
            except OSError:
                continue

    def close(self) -> None:
        self._stop.set()
        self.sock.close()


@pytest.fixture(scope="module")
def failover(lab, zone):
    target = Target(target_address(lab))
    check = lab.client.route53.CreateHealthCheck(pb.CreateHealthCheckRequest(caller_reference="primary", health_check_config=pb.HealthCheckConfig(
        ip_address=target_address(lab), port=target.port, type="TCP", request_interval=1, failure_threshold=1))).health_check
    change(lab, zone, ("CREATE", a_record("app.example.lab", "10.3.0.1", set_identifier="p", failover="PRIMARY", health_check_id=check.id)),
           ("CREATE", a_record("app.example.lab", "10.3.0.2", set_identifier="s", failover="SECONDARY")))
    wait_until(lambda: len(status(lab, check.id).health_check_observations) == 3, 20, "all three AZs' checkers voting")
    yield check, target
    target.close()


def status(lab, check_id: str) -> pb.GetHealthCheckStatusResponse:
    return lab.client.route53.GetHealthCheckStatus(pb.GetHealthCheckStatusRequest(health_check_id=check_id))


def everywhere(lab, name: str, expected: list[str]) -> bool:
    return all(addresses(query(s, name)) == expected for s in servers(lab).values())


def test_failover_flips_when_the_primarys_health_check_fails_and_back(lab, failover):
    check, target = failover
    assert status(lab, check.id).healthy and everywhere(lab, "app.example.lab", ["10.3.0.1"])
    target.close()
    wait_until(lambda: everywhere(lab, "app.example.lab", ["10.3.0.2"]), 20, "every AZ to answer the secondary")
    observations = status(lab, check.id)
    assert not observations.healthy and all(o.status.startswith("Failure") for o in observations.health_check_observations)
    revived = socket.create_server((target_address(lab), target.port))  # the primary's service comes back
    revived.listen()
    try:
        wait_until(lambda: everywhere(lab, "app.example.lab", ["10.3.0.1"]), 20, "every AZ to answer the primary again")
    finally:
        revived.close()


def create_check(lab, reference: str, **config) -> pb.HealthCheck:
    return lab.client.route53.CreateHealthCheck(pb.CreateHealthCheckRequest(
        caller_reference=reference, health_check_config=pb.HealthCheckConfig(**config))).health_check


def test_an_http_string_match_check_takes_a_multivalue_record_out_and_back(lab, zone):
    with serve(address=target_address(lab)) as site:
        check = create_check(lab, "page", ip_address=target_address(lab), port=site.port, type="HTTP_STR_MATCH", resource_path="/health",
                             search_string="status: ok", request_interval=1, failure_threshold=2)
        change(lab, zone, *[("CREATE", a_record("mv.example.lab", f"10.5.0.{i}", set_identifier=f"m{i}", multi_value_answer=True,
                                                health_check_id=check.id if i == 1 else "")) for i in (1, 2, 3)])
        assert everywhere(lab, "mv.example.lab", ["10.5.0.1", "10.5.0.2", "10.5.0.3"])
        Page.body = b"status: degraded"  # still 200, but not the string the check wants
        try:
            wait_until(lambda: everywhere(lab, "mv.example.lab", ["10.5.0.2", "10.5.0.3"]), 20, "the failing record out of every AZ's answers")
            assert all("search string" in o.status for o in status(lab, check.id).health_check_observations)
        finally:
            Page.body = b"status: ok"
        wait_until(lambda: everywhere(lab, "mv.example.lab", ["10.5.0.1", "10.5.0.2", "10.5.0.3"]), 20, "the record back")
    done = lab.azlab("route53", "create-health-check", "--health-check-config", '{"Type": "CLOUDWATCH_METRIC"}')
    assert done.returncode == 254 and "(UnsupportedOperation)" in done.stderr


class SecurePage(Page):
    body = b"tls: ok"


def test_a_calculated_check_over_https_and_tcp_children_fails_a_record_over(lab, zone, tmp_path):
    here = target_address(lab)
    target = Target(here)
    with serve(tmp_path, SecurePage, here) as site:
        https = create_check(lab, "tls", ip_address=here, port=site.port, type="HTTPS_STR_MATCH", resource_path="/",
                             fully_qualified_domain_name="www.example.lab", search_string="tls: ok",
                             request_interval=1, failure_threshold=1)
        tcp = create_check(lab, "tcp", ip_address=here, port=target.port, type="TCP", request_interval=1, failure_threshold=1)
        both = create_check(lab, "both", type="CALCULATED", child_health_checks=[https.id, tcp.id], health_threshold=2)
        change(lab, zone, ("CREATE", a_record("calc.example.lab", "10.8.0.1", set_identifier="p", failover="PRIMARY", health_check_id=both.id)),
               ("CREATE", a_record("calc.example.lab", "10.8.0.2", set_identifier="s", failover="SECONDARY")))
        wait_until(lambda: len(status(lab, https.id).health_check_observations) == 3, 20, "every AZ's checker on the HTTPS check")
        assert all(o.status.startswith("Success") for o in status(lab, https.id).health_check_observations)
        assert set(site.server_names) == {"www.example.lab"}  # SNI from every checker, the self-signed certificate accepted
        assert status(lab, both.id).healthy and everywhere(lab, "calc.example.lab", ["10.8.0.1"])
        SecurePage.body = b"tls: degraded"  # one child fails: 1 of 2 healthy is under the threshold
        try:
            wait_until(lambda: everywhere(lab, "calc.example.lab", ["10.8.0.2"]), 20, "every AZ to answer the secondary")
            assert not status(lab, both.id).healthy and status(lab, tcp.id).healthy
        finally:
            SecurePage.body = b"tls: ok"
        wait_until(lambda: everywhere(lab, "calc.example.lab", ["10.8.0.1"]), 20, "the primary back")
    target.close()
    wait_until(lambda: everywhere(lab, "calc.example.lab", ["10.8.0.2"]), 20, "both children down: the secondary")
    done = lab.azlab("route53", "delete-health-check", "--health-check-id", tcp.id)
    assert done.returncode == 254 and "(HealthCheckInUse)" in done.stderr


def test_servers_keep_answering_while_the_controller_is_down(lab, zone):
    found = servers(lab)
    controller = lab.kill_controller()
    answered = [addresses(query(s, "www.example.lab")) for s in found.values() for _ in range(5)]
    assert answered == [["10.0.0.1", "10.0.0.2"]] * 15
    lab.controller_restarted(controller)
    wait_until(lambda: lab.serving() and servers(lab)["lab-1a"].state == "serving", 60, "the restarted controller")
    assert {s.port for s in servers(lab).values()} == {s.port for s in found.values()}  # the same servers, adopted


def test_killing_an_az_leaves_the_others_answering_and_its_checkers_out_of_the_vote(lab, zone, failover):
    check, _ = failover
    found = servers(lab)
    survivors = [found["lab-1b"], found["lab-1c"]]

    def resolve(n: int) -> str:
        server = survivors[n % len(survivors)]
        try:
            answer = addresses(query(server, "www.example.lab", timeout=0.5))
        except (dns.exception.Timeout, OSError) as e:
            raise NotAcknowledged(f"{server.availability_zone}: {e!r}") from None
        if answer != ["10.0.0.1", "10.0.0.2"]:
            raise NotAcknowledged(f"{server.availability_zone}: {answer}")
        return server.availability_zone

    with ClientLoad(max_seconds=120) as load:
        answers = load.client("resolver", resolve, pause_after_failure_s=0)
        wait_until(lambda: len(answers.calls) >= 20, 30, "queries before the kill")
        lab.client.chaos.KillAz(chaos_pb2.KillAzRequest(availability_zone="lab-1a"))
        wait_until(lambda: {o.region for o in status(lab, check.id).health_check_observations} == {"lab-1b", "lab-1c"},
                   30, "lab-1a's checker to leave the vote")
        voted_at = time.time()
        wait_until(lambda: len(answers.sent_after(voted_at)) >= 20, 30, "queries after the vote")
    assert_no_failures(answers.calls, "queries to the surviving AZs' servers")
    wait_until(lambda: servers(lab)["lab-1a"].state == "unreachable", 30, "the region to hold lab-1a's node down")
    with pytest.raises(dns.exception.Timeout):
        query(found["lab-1a"], "www.example.lab", timeout=0.5)
    # A change made while an AZ is down reaches the living servers, and stays PENDING until every AZ has it.
    reply = lab.client.route53.ChangeResourceRecordSets(pb.ChangeResourceRecordSetsRequest(
        hosted_zone_id=zone, change_batch=pb.ChangeBatch(changes=[pb.Change(action="CREATE", resource_record_set=a_record("late.example.lab", "10.4.0.1"))])))
    wait_until(lambda: all(addresses(query(s, "late.example.lab")) == ["10.4.0.1"] for s in survivors), 10, "the living AZs to serve the change")
    assert lab.client.route53.GetChange(pb.GetChangeRequest(id=reply.change_info.id)).change_info.status == "PENDING"
    lab.client.chaos.RestoreAz(chaos_pb2.RestoreAzRequest(availability_zone="lab-1a"))
    insync(lab, reply.change_info.id)
    assert addresses(query(servers(lab)["lab-1a"], "late.example.lab")) == ["10.4.0.1"]

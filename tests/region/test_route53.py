"""Route53 with real DNS clients: dig and dnspython against every AZ's server,
each routing policy's answers, a health check failing a record over, and a
whole AZ killed while clients keep resolving."""

from __future__ import annotations

import http.server
import json
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections import Counter

import dns.exception
import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import pytest
from azlab.chaos.v1 import chaos_pb2
from azlab.route53.v1 import route53_pb2 as pb

from .conftest import bring_up, tear_down, wait_until

pytestmark = [pytest.mark.region]
INSYNC_TIMEOUT_S = 30
DIG = shutil.which("dig")


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    lab = bring_up(tmp_path_factory, "loopback")
    yield lab
    tear_down(lab)


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


def servers(lab) -> dict[str, pb.NameServer]:
    return {s.availability_zone: s for s in lab.client.route53.DescribeNameServers(pb.DescribeNameServersRequest()).name_servers}


def query(server: pb.NameServer, name: str, rdtype: str = "A", source: str | None = None, tcp: bool = False,
          timeout: float = 1.0) -> dns.message.Message:
    request = dns.message.make_query(name, rdtype)
    send = dns.query.tcp if tcp else dns.query.udp
    return send(request, server.address, port=server.port, timeout=timeout, source=source)


def addresses(response: dns.message.Message) -> list[str]:
    return sorted(r.to_text() for rrset in response.answer if rrset.rdtype == dns.rdatatype.A for r in rrset)


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
    assert 0.18 < seen["10.1.0.1"] / 800 < 0.32, seen


def test_latency_records_answer_each_az_with_its_own(lab, zone):
    change(lab, zone, *[("CREATE", a_record("near.example.lab", f"10.2.{i}.1", set_identifier=az, region=az))
                        for i, az in enumerate(("lab-1a", "lab-1b", "lab-1c"))])
    found = servers(lab)
    zones = lab.zones()
    for i, az in enumerate(("lab-1a", "lab-1b", "lab-1c")):
        client = zones[az]["Nodes"][0]["Address"]  # a client on that AZ's network
        assert addresses(query(found["lab-1a"], "near.example.lab", source=client)) == [f"10.2.{i}.1"]


class Target:
    """A TCP listener a health check points at; closing it fails the check."""

    def __init__(self):
        self.sock = socket.create_server(("127.0.0.1", 0))
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
    target = Target()
    check = lab.client.route53.CreateHealthCheck(pb.CreateHealthCheckRequest(caller_reference="primary", health_check_config=pb.HealthCheckConfig(
        ip_address="127.0.0.1", port=target.port, type="TCP", request_interval=1, failure_threshold=1))).health_check
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
    revived = socket.create_server(("127.0.0.1", target.port))  # the primary's service comes back
    revived.listen()
    try:
        wait_until(lambda: everywhere(lab, "app.example.lab", ["10.3.0.1"]), 20, "every AZ to answer the primary again")
    finally:
        revived.close()


class Page(http.server.BaseHTTPRequestHandler):
    body = b"status: ok"

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


def test_an_http_string_match_check_takes_a_multivalue_record_out_and_back(lab, zone):
    site = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=site.serve_forever, daemon=True).start()
    try:
        check = lab.client.route53.CreateHealthCheck(pb.CreateHealthCheckRequest(caller_reference="page", health_check_config=pb.HealthCheckConfig(
            ip_address="127.0.0.1", port=site.server_address[1], type="HTTP_STR_MATCH", resource_path="/health",
            search_string="status: ok", request_interval=1, failure_threshold=2))).health_check
        change(lab, zone, *[("CREATE", a_record("mv.example.lab", f"10.5.0.{i}", set_identifier=f"m{i}", multi_value_answer=True,
                                                health_check_id=check.id if i == 1 else "")) for i in (1, 2, 3)])
        assert everywhere(lab, "mv.example.lab", ["10.5.0.1", "10.5.0.2", "10.5.0.3"])
        Page.body = b"status: degraded"  # still 200, but not the string the check wants
        wait_until(lambda: everywhere(lab, "mv.example.lab", ["10.5.0.2", "10.5.0.3"]), 20, "the failing record out of every AZ's answers")
        assert all("search string" in o.status for o in status(lab, check.id).health_check_observations)
        Page.body = b"status: ok"
        wait_until(lambda: everywhere(lab, "mv.example.lab", ["10.5.0.1", "10.5.0.2", "10.5.0.3"]), 20, "the record back")
        done = lab.azlab("route53", "create-health-check", "--health-check-config", '{"Type": "HTTPS", "IPAddress": "127.0.0.1", "Port": 443}')
        assert done.returncode == 254 and "(UnsupportedOperation)" in done.stderr
    finally:
        site.shutdown()


def test_servers_keep_answering_while_the_controller_is_down(lab, zone):
    found = servers(lab)
    controller = lab.controller_pid()
    os.kill(controller, signal.SIGKILL)
    answered = [addresses(query(s, "www.example.lab")) for s in found.values() for _ in range(5)]
    assert answered == [["10.0.0.1", "10.0.0.2"]] * 15
    wait_until(lambda: lab.controller_pid(missing_ok=True) not in (None, controller), 60, "Ray to restart the controller")
    wait_until(lambda: lab.serving() and servers(lab)["lab-1a"].state == "serving", 60, "the restarted controller")
    assert {s.port for s in servers(lab).values()} == {s.port for s in found.values()}  # the same servers, adopted


def test_killing_an_az_leaves_the_others_answering_and_its_checkers_out_of_the_vote(lab, zone, failover):
    check, _ = failover
    found = servers(lab)
    survivors = [found["lab-1b"], found["lab-1c"]]
    failures: list[str] = []
    stop = threading.Event()

    def resolve_in_a_loop():
        while not stop.is_set():
            for server in survivors:
                try:
                    if addresses(query(server, "www.example.lab", timeout=0.5)) != ["10.0.0.1", "10.0.0.2"]:
                        failures.append(server.availability_zone)
                except (dns.exception.Timeout, OSError) as e:
                    failures.append(f"{server.availability_zone}: {e!r}")

    resolver = threading.Thread(target=resolve_in_a_loop, daemon=True)
    resolver.start()
    try:
        time.sleep(0.5)
        lab.client.chaos.KillAz(chaos_pb2.KillAzRequest(availability_zone="lab-1a"))
        wait_until(lambda: {o.region for o in status(lab, check.id).health_check_observations} == {"lab-1b", "lab-1c"},
                   30, "lab-1a's checker to leave the vote")
        time.sleep(1)
    finally:
        stop.set()
        resolver.join(timeout=10)
    assert failures == []
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

"""ELB in a real region: EC2 instances behind a load balancer whose LB node in every AZ is a real proxy,
reached as a user would (its DNS name resolved with dnspython against the region's Route53 servers,
then plain HTTP and TCP clients); sticky cookies, health checks, draining, a Route53 alias to it,
and a whole AZ killed while a client keeps sending requests."""

from __future__ import annotations

import http.client
import json
import socket
import ssl
import threading
import time
from pathlib import Path

import dns.exception
import dns.message
import dns.query
import dns.rdatatype
import pytest
from azlab.chaos.v1 import chaos_pb2
from azlab.elb.v1 import elb_pb2 as pb
from azlab.route53.v1 import route53_pb2 as r53

from tests.checker import ClientLoad, NotAcknowledged, assert_no_failures

from .conftest import isolations, region, wait_until

pytestmark = pytest.mark.region
AZS = ("lab-1a", "lab-1b", "lab-1c")
WEB_PORT, ECHO_PORT = 8080, 8081
LB_HTTP, LB_TCP, LB_HTTPS = 8000, 8001, 8443
TIMEOUT_S = 45  # generous bounds for polling; times are the bench's figures
BACKEND = (Path(__file__).resolve().parents[1] / "http_backend.py").read_text()
USER_DATA = f"""#!/bin/sh
cd "$HOME"
cat > backend.py <<'PY'
{BACKEND}
PY
exec python3 backend.py "$AZLAB_PRIVATE_IP" {WEB_PORT} "$AZLAB_INSTANCE_ID" --tcp-echo {ECHO_PORT}
"""


@pytest.fixture(scope="module", params=isolations())
def lab(request, tmp_path_factory):
    with region(tmp_path_factory, request.param) as lab:
        yield lab


@pytest.fixture(scope="module")
def web(lab, tmp_path_factory):
    """Three instances, one per AZ, behind `web` (HTTP and TCP listeners), every instance in service."""
    boot = tmp_path_factory.mktemp("user-data") / "boot.sh"
    boot.write_text(USER_DATA)
    # under netns the instances' security group is enforced: it must let the LB nodes in
    group = lab.json("ec2", "create-security-group", "--group-name", "web", "--description", "from the LB")["GroupId"]
    for port in (WEB_PORT, ECHO_PORT):
        lab.json("ec2", "authorize-security-group-ingress", "--group-id", group, "--protocol", "tcp",
                 "--port", str(port), "--cidr", "0.0.0.0/0")
    instances = {}
    for az in AZS:
        done = lab.json("ec2", "run-instances", "--image-id", "ami-lab-minimal", "--instance-type", "t1.micro",
                        "--placement", f"AvailabilityZone={az}", "--user-data", f"file://{boot}",
                        "--security-group-ids", group)
        [instance] = done["Instances"]
        instances[instance["InstanceId"]] = {"az": az, "address": instance["PrivateIpAddress"]}
    created = lab.json("elb", "create-load-balancer", "--name", "web", "--listeners",
                       f"Protocol=HTTP,LoadBalancerPort={LB_HTTP},InstancePort={WEB_PORT}",
                       f"Protocol=TCP,LoadBalancerPort={LB_TCP},InstancePort={ECHO_PORT}",
                       "--availability-zones", *AZS)
    assert created["DNSName"].startswith("web-") and created["DNSName"].endswith(".lab-1.elb.lab")
    lab.json("elb", "register-instances-with-load-balancer", "--name", "web", "--instances", *instances)
    check = lab.json("elb", "configure-health-check", "--name", "web", "--target", f"HTTP:{WEB_PORT}/health",
                     "--interval", "1", "--healthy-threshold", "2", "--unhealthy-threshold", "2")
    assert check["HealthCheck"]["Timeout"] == 1
    lab.json("elb", "modify-load-balancer-attributes", "--name", "web", "--cross-zone-load-balancing", "true",
             "--connection-draining", "true", "--connection-draining-timeout", "10")
    wait_until(lambda: in_service(lab) == set(instances), TIMEOUT_S, "every instance InService")
    # the name may still answer an earlier, failed-open answer (every node, none yet routing) while the health
    # the model shows is already new: wait as a user would, until every node the name answers routes
    wait_until(lambda: len(routing := routing_nodes(lab)) == 3 and resolve(lab, created["DNSName"]) == routing,
               TIMEOUT_S, "the LB's name to answer three LB nodes, each routing")
    return {"name": created["DNSName"], "instances": instances}


def routing_nodes(lab) -> list[str]:
    """The LB nodes DescribeLoadBalancerNodes shows in the name and with a target to route to."""
    return sorted(n["Address"] for n in lab.json("elb", "describe-load-balancer-nodes", "--name", "web")["Nodes"]
                  if n["InDns"] and n.get("RoutableTargets", 0) > 0)


def in_service(lab) -> set[str]:
    states = lab.client.elb.DescribeInstanceHealth(pb.DescribeInstanceHealthRequest(load_balancer_name="web")).instance_states
    return {s.instance_id for s in states if s.state == "InService"}


def name_servers(lab) -> list:
    return list(lab.client.route53.DescribeNameServers(r53.DescribeNameServersRequest()).name_servers)


def resolve(lab, name: str, servers: list | None = None, timeout: float = 0.3) -> list[str]:
    """The name's A records from the first of the region's DNS servers that answers (a client's resolver)."""
    for server in servers or name_servers(lab):
        try:
            answer = dns.query.udp(dns.message.make_query(name, "A"), server.address, port=server.port, timeout=timeout)
        except (dns.exception.Timeout, OSError):
            continue
        return sorted(r.to_text() for rrset in answer.answer if rrset.rdtype == dns.rdatatype.A for r in rrset)
    return []


def get(address: str, path: str = "/", headers: dict | None = None, timeout: float = 5):
    conn = http.client.HTTPConnection(address, LB_HTTP, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response, response.read()
    finally:
        conn.close()


def served_by(body: bytes) -> str:
    return json.loads(body)["server"]


def test_http_and_tcp_clients_reach_every_healthy_target_through_the_lbs_name(lab, web):
    nodes = resolve(lab, web["name"])
    seen = set()
    for address in nodes:
        for _ in range(3):
            response, body = get(address)
            assert response.status == 200
            seen.add(served_by(body))
            assert json.loads(body)["headers"]["x-forwarded-port"] == str(LB_HTTP)
    assert seen == set(web["instances"])
    with socket.create_connection((nodes[0], LB_TCP), timeout=5) as s:
        s.sendall(b"ping")
        assert s.recv(4) == b"ping"
        s.shutdown(socket.SHUT_WR)
        assert s.recv(16) == b"bye"
    described = lab.json("elb", "describe-load-balancers", "--names", "web")["LoadBalancerDescriptions"][0]
    assert described["DNSName"] == web["name"] and len(described["Instances"]) == 3
    nodes_view = lab.json("elb", "describe-load-balancer-nodes", "--name", "web")["Nodes"]
    assert sorted(n["Address"] for n in nodes_view if n["InDns"]) == nodes


def test_lb_cookie_pins_a_client(lab, web):
    lab.json("elb", "create-lb-cookie-stickiness-policy", "--name", "web", "--policy-name", "pin",
             "--cookie-expiration-period", "300")
    lab.json("elb", "set-load-balancer-policies-of-listener", "--name", "web", "--load-balancer-port", str(LB_HTTP),
             "--policy-names", "pin")
    address = resolve(lab, web["name"])[0]
    cookie = wait_until(lambda: get(address)[0].getheader("Set-Cookie"), TIMEOUT_S, "the AWSELB cookie")
    assert cookie.startswith("AWSELB=")
    jar = {"Cookie": cookie.split(";")[0]}
    pinned = {served_by(get(a, headers=jar)[1]) for a in resolve(lab, web["name"]) for _ in range(4)}
    assert len(pinned) == 1  # every LB node sends it to the same instance
    lab.json("elb", "set-load-balancer-policies-of-listener", "--name", "web", "--load-balancer-port", str(LB_HTTP))


def test_failing_health_check_removes_a_target_and_recovery_brings_it_back(lab, web):
    sick = next(i for i, v in web["instances"].items() if v["az"] == "lab-1b")
    address = web["instances"][sick]["address"]
    get_direct(address, "/fail")
    wait_until(lambda: sick not in in_service(lab), TIMEOUT_S, f"{sick} OutOfService")
    health = {s["InstanceId"]: s for s in lab.json("elb", "describe-instance-health", "--name", "web")["InstanceStates"]}
    assert health[sick]["State"] == "OutOfService" and "503" in health[sick]["Description"]
    lb_node = resolve(lab, web["name"])[0]
    wait_until(lambda: routable_targets(lab) == [2, 2, 2], TIMEOUT_S, "every LB node to stop routing to it")
    assert {served_by(get(lb_node)[1]) for _ in range(9)} == set(web["instances"]) - {sick}
    get_direct(address, "/recover")
    wait_until(lambda: sick in in_service(lab), TIMEOUT_S, f"{sick} InService again")
    wait_until(lambda: {served_by(get(lb_node)[1]) for _ in range(9)} == set(web["instances"]), TIMEOUT_S,
               "traffic to reach it again")


def routable_targets(lab, azs=AZS) -> list[int]:
    """How many instances each LB node (of `azs`) routes to, as it last reported."""
    nodes = lab.client.elb.DescribeLoadBalancerNodes(pb.DescribeLoadBalancerNodesRequest(load_balancer_name="web")).nodes
    return [n.routable_targets for n in sorted(nodes, key=lambda n: n.availability_zone) if n.availability_zone in azs]


def get_direct(address: str, path: str) -> None:
    conn = http.client.HTTPConnection(address, WEB_PORT, timeout=5)
    conn.request("GET", path)
    conn.getresponse().read()
    conn.close()


def test_draining_lets_a_slow_in_flight_request_finish(lab, web):
    lb_node = resolve(lab, web["name"])[0]
    outcome = {}

    def slow():
        outcome["response"] = get(lb_node, "/slow?s=3", timeout=15)

    requests = lab.json("elb", "describe-load-balancer-counters", "--name", "web")["RequestCount"]
    thread = threading.Thread(target=slow)
    thread.start()
    # the LB node counts a request as it sends it on to an instance
    wait_until(lambda: lab.json("elb", "describe-load-balancer-counters", "--name", "web")["RequestCount"] > requests,
               TIMEOUT_S, "the slow request to reach an instance")
    ids = sorted(web["instances"])
    # every instance out, so the one serving the slow request is too: it drains, new requests find none
    lab.json("elb", "deregister-instances-from-load-balancer", "--name", "web", "--instances", *ids)
    wait_until(lambda: get(lb_node)[0].status == 503, TIMEOUT_S, "no instance left to route to")
    thread.join(20)
    response, body = outcome["response"]
    assert response.status == 200 and body == b"slow done\n"
    lab.json("elb", "register-instances-with-load-balancer", "--name", "web", "--instances", *ids)
    wait_until(lambda: in_service(lab) == set(ids), TIMEOUT_S, "every instance InService again")
    wait_until(lambda: len(resolve(lab, web["name"])) == 3, TIMEOUT_S, "every LB node back in DNS")


def test_https_listener_with_a_certificate_from_the_labs_ca(lab, web):
    issued = lab.json("elb", "issue-certificate", "--server-certificate-name", "web", "--domain-names", web["name"])
    arn = issued["ServerCertificateMetadata"]["Arn"]
    lab.json("elb", "create-load-balancer-listeners", "--name", "web", "--listeners",
             f"Protocol=HTTPS,LoadBalancerPort={LB_HTTPS},InstancePort={WEB_PORT},SSLCertificateId={arn}")
    trust = ssl.create_default_context(cadata=issued["CertificateChain"])
    address = resolve(lab, web["name"])[0]

    def fetch():
        try:
            with trust.wrap_socket(socket.create_connection((address, LB_HTTPS), timeout=5),
                                   server_hostname=web["name"]) as s:  # checked against the LB's name
                s.sendall(f"GET /tls HTTP/1.1\r\nHost: {web['name']}\r\nConnection: close\r\n\r\n".encode())
                return b"".join(iter(lambda: s.recv(65536), b""))
        except OSError:
            return b""

    answer = wait_until(fetch, TIMEOUT_S, "the HTTPS listener")
    assert answer.startswith(b"HTTP/1.1 200") and b'"x-forwarded-proto": "https"' in answer


def test_route53_alias_at_a_zone_apex_answers_the_lbs_nodes(lab, web):
    described = lab.client.elb.DescribeLoadBalancers(pb.DescribeLoadBalancersRequest(load_balancer_names=["web"]))
    lb = described.load_balancer_descriptions[0]
    zone = lab.json("route53", "create-hosted-zone", "--name", "shop.lab")["HostedZone"]["Id"]
    alias = r53.ResourceRecordSet(name="shop.lab", type="A", alias_target=r53.AliasTarget(
        hosted_zone_id=lb.canonical_hosted_zone_name_id, dns_name=lb.dns_name, evaluate_target_health=True))
    change = lab.client.route53.ChangeResourceRecordSets(r53.ChangeResourceRecordSetsRequest(
        hosted_zone_id=zone, change_batch=r53.ChangeBatch(changes=[r53.Change(action="CREATE", resource_record_set=alias)])))
    wait_until(lambda: lab.client.route53.GetChange(r53.GetChangeRequest(id=change.change_info.id)).change_info.status
               == "INSYNC", TIMEOUT_S, "the alias in sync")
    assert resolve(lab, "shop.lab") == resolve(lab, web["name"])
    response, _ = get(resolve(lab, "shop.lab")[0])
    assert response.status == 200


def test_counters_and_errors(lab, web):
    counters = lab.json("elb", "describe-load-balancer-counters", "--name", "web")
    assert counters["RequestCount"] > 0 and counters["HttpCodeBackend2xx"] > 0
    assert {c["AvailabilityZone"]: c["HealthyHostCount"] for c in counters["HostCounts"]} == dict.fromkeys(AZS, 1)
    for args, code in ((("describe-load-balancers", "--names", "nope"), "LoadBalancerNotFound"),
                       (("register-instances-with-load-balancer", "--name", "web", "--instances", "i-nope"), "InvalidInstance"),
                       (("create-load-balancer", "--name", "web", "--listeners", "Protocol=HTTP,LoadBalancerPort=1,InstancePort=2",
                         "--availability-zones", "lab-1a"), "DuplicateLoadBalancerName"),
                       (("configure-health-check", "--name", "web", "--target", "HTTP:8080"), "ValidationError")):
        done = lab.azlab("elb", *args)
        assert done.returncode != 0 and f"({code})" in done.stderr, done.stderr
    assert len(lab.json("elb", "describe-load-balancers")["LoadBalancerDescriptions"]) == 1


def test_a_deleted_load_balancer_leaves_no_name_and_no_node(lab, web):
    name = lab.json("elb", "create-load-balancer", "--name", "tmp", "--listeners",
                    "Protocol=TCP,LoadBalancerPort=9000,InstancePort=8081", "--availability-zones", "lab-1a")["DNSName"]
    wait_until(lambda: resolve(lab, name), TIMEOUT_S, "the new LB's name")
    [node] = lab.json("elb", "describe-load-balancer-nodes", "--name", "tmp")["Nodes"]
    lab.json("elb", "delete-load-balancer", "--name", "tmp")
    lab.json("elb", "delete-load-balancer", "--name", "tmp")  # again: idempotent, as AWS
    wait_until(lambda: not resolve(lab, name), TIMEOUT_S, "the name gone")
    wait_until(lambda: not connects(node["Address"], 9000), TIMEOUT_S, "the LB node stopped")


def connects(address: str, port: int) -> bool:
    try:
        socket.create_connection((address, port), timeout=0.5).close()
        return True
    except OSError:
        return False


def test_kill_az_under_load_restores_service_through_dns(lab, web):
    """A client resolving the LB's name and sending requests in a loop: once the dead AZ's LB node is out of
    every surviving DNS server's answer and every surviving LB node routes to the surviving instances only,
    no request fails; the AZ restored, its LB node answers under the name again."""
    servers = name_servers(lab)
    victim = "lab-1b"
    survivors = [az for az in AZS if az != victim]
    dead_node = next(n["Address"] for n in lab.json("elb", "describe-load-balancer-nodes", "--name", "web")["Nodes"]
                     if n["AvailabilityZone"] == victim)

    def request(n: int) -> str:
        addresses = resolve(lab, web["name"], servers, timeout=1.0)  # a client's resolver waits a second a server
        if not addresses:
            raise NotAcknowledged("no answer for the LB's name")
        address = addresses[n % len(addresses)]
        try:
            status = get(address, timeout=3)[0].status
        except (OSError, http.client.HTTPException) as e:  # a node killed mid-answer cuts its answer short
            raise NotAcknowledged(f"{address}: {e!r}") from None
        if status != 200:
            raise NotAcknowledged(f"{address}: HTTP {status}")
        return address

    def out_of_the_dead_az() -> bool:
        answers = [resolve(lab, web["name"], [s]) for s in servers if s.availability_zone != victim]
        return all(a and dead_node not in a for a in answers) and routable_targets(lab, survivors) == [2, 2]

    with ClientLoad(max_seconds=120, max_calls=4000) as load:
        client = load.client("client", request, pause_s=0.01)
        wait_until(lambda: len(client.acknowledged) >= 20, TIMEOUT_S, "requests answered before the kill")
        killed_at = time.time()
        lab.client.chaos.KillAz(chaos_pb2.KillAzRequest(availability_zone=victim))
        wait_until(out_of_the_dead_az, TIMEOUT_S, "the dead AZ's LB node out of DNS and its instance out of routing")
        settled_at = time.time()
        wait_until(lambda: len(client.sent_after(settled_at)) >= 50, TIMEOUT_S, "requests after that")
    failed = [c for c in client.sent_after(killed_at) if not c.ok]
    print(f"\nkill-az {victim}: {len(failed)} failed requests of {len(client.sent_after(killed_at))} after the kill; "
          f"the last sent {max((c.sent for c in failed), default=killed_at) - killed_at:.2f} s after it; "
          f"DNS and routing settled {settled_at - killed_at:.2f} s after it")
    after = client.sent_after(settled_at)
    assert_no_failures(after, "requests sent once DNS and every surviving LB node had left the dead AZ")
    assert dead_node not in {address for c in after for address in c.keys}
    # the AZ back: its LB node starts again from its state file and rejoins the name once it routes
    lab.client.chaos.RestoreAz(chaos_pb2.RestoreAzRequest(availability_zone=victim))
    wait_until(lambda: dead_node in resolve(lab, web["name"], servers), 90, "the restored AZ's LB node back in DNS")
    assert get(dead_node)[0].status == 200

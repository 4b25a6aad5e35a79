"""The LB node with real sockets, no region: the node's own process, real backends, real clients, and the
region's side of the node contract (azlab.member.v1.Member: Configure under an epoch, Status, health)."""

from __future__ import annotations

import http.client
import itertools
import json
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from azlab.cluster.elb import certificates
from azlab.elb.v1.lbnode_pb2 import (Certificate, LbNodeDetail, LbNodeHealthCheck, LbNodeListener, LbNodeSettings,
                                     LbNodeTarget, Stickiness)
from azlab.member.v1 import member_pb2, member_pb2_grpc

BACKEND = Path(__file__).resolve().parents[1] / "http_backend.py"
LB = "127.71.2.1"
HTTP_PORT, TCP_PORT, HTTPS_PORT, SSL_PORT, MEMBER_PORT = 18000, 18001, 18443, 18444, 18999
CA, CA_KEY = certificates.new_ca("lab-1")
CERT, CERT_KEY = certificates.issue(CA, CA_KEY, ["web.lab"])
PEMS = Certificate(body=CERT, chain=CA, private_key=CERT_KEY)
BACKENDS = {"i-a": ("127.71.1.1", "lab-1a"), "i-b": ("127.71.1.2", "lab-1b"), "i-c": ("127.71.1.3", "lab-1c")}
INSTANCE_PORT, ECHO_PORT = 18080, 18081
EPOCHS = itertools.count(1)  # every push is told under a newer epoch, as the region tells it


def wait_until(predicate, timeout_s: float, what: str):
    deadline = time.monotonic() + timeout_s
    while not (value := predicate()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s}s waiting for {what}")
        time.sleep(0.05)
    return value


def config(targets=tuple(BACKENDS), version=1, cross_zone=True, stickiness=None, draining=(True, 10), idle=60):
    return LbNodeSettings(
        version=version, name="web", az="lab-1a", address=LB,
        listeners=[LbNodeListener(protocol="HTTP", port=HTTP_PORT, instance_port=INSTANCE_PORT, stickiness=stickiness),
                   LbNodeListener(protocol="TCP", port=TCP_PORT, instance_port=ECHO_PORT),
                   LbNodeListener(protocol="HTTPS", port=HTTPS_PORT, instance_port=INSTANCE_PORT, certificate=PEMS),
                   LbNodeListener(protocol="SSL", port=SSL_PORT, instance_port=ECHO_PORT, certificate=PEMS)],
        targets=[LbNodeTarget(id=t, address=BACKENDS[t][0], az=BACKENDS[t][1]) for t in targets],
        cross_zone=cross_zone,
        health_check=LbNodeHealthCheck(protocol="HTTP", port=INSTANCE_PORT, path="/health", interval=1, timeout=1,
                                       healthy_threshold=2, unhealthy_threshold=2),
        draining=draining[0], draining_timeout=draining[1], idle_timeout=idle)


def member() -> member_pb2_grpc.MemberStub:
    return member_pb2_grpc.MemberStub(grpc.insecure_channel(f"{LB}:{MEMBER_PORT}"))


def configure(settings: LbNodeSettings, epoch: int | None = None) -> member_pb2.MemberStatus:
    request = member_pb2.ConfigureRequest(epoch=next(EPOCHS) if epoch is None else epoch)
    request.settings.Pack(settings)
    return member().Configure(request, timeout=5)


def push(settings: LbNodeSettings) -> LbNodeDetail:
    return detail(configure(settings))


def detail(status: member_pb2.MemberStatus | None = None) -> LbNodeDetail:
    found = LbNodeDetail()
    assert (status or member().Status(member_pb2.StatusRequest(), timeout=5)).detail.Unpack(found)
    return found


def in_service(count: int):
    return wait_until(lambda: detail().routable == count, 10, f"{count} targets in service")


_backends: list[subprocess.Popen] = []


def _start_backend(name: str) -> subprocess.Popen:
    address, _ = BACKENDS[name]
    process = subprocess.Popen([sys.executable, str(BACKEND), address, str(INSTANCE_PORT), name,
                                "--tcp-echo", str(ECHO_PORT)], stdout=subprocess.PIPE)
    assert process.stdout.readline().startswith(b"serving")
    return process


class Node:
    """The LB node's process, which a test may kill and start again over the same state file."""

    def __init__(self, state: Path):
        self.state = state
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "azlab.nodes.elb.server", "--member-id", "elb-web-lab-1a",
                                         "--address", LB, "--member-port", str(MEMBER_PORT), "--state-file",
                                         str(self.state), "--az", "lab-1a"])
        wait_until(lambda: _connects(LB, MEMBER_PORT), 10, "the LB node's member port")

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()


@pytest.fixture(scope="module")
def node(tmp_path_factory):
    _backends[:] = [_start_backend(name) for name in BACKENDS]
    lb = Node(tmp_path_factory.mktemp("elb") / "node.pb")
    lb.start()
    yield lb
    for p in [lb.process, *_backends]:
        p.kill()
        p.wait()


@pytest.fixture
def lb(node):
    """A fresh config, every target healthy and in service."""
    for name, (address, _) in BACKENDS.items():
        get(address, INSTANCE_PORT, "/recover")
    push(config(version=time.monotonic_ns()))
    in_service(3)
    return node


def _connects(address: str, port: int) -> bool:
    try:
        socket.create_connection((address, port), timeout=0.5).close()
        return True
    except OSError:
        return False


def get(address: str, port: int, path: str, headers: dict | None = None, conn=None):
    c = conn or http.client.HTTPConnection(address, port, timeout=10)
    c.request("GET", path, headers=headers or {})
    response = c.getresponse()
    body = response.read()
    if conn is None:
        c.close()
    return response, body


def served_by(body: bytes) -> str:
    return json.loads(body)["server"]


def test_round_robin_over_one_keep_alive_connection_reaches_every_healthy_target(lb):
    conn = http.client.HTTPConnection(LB, HTTP_PORT, timeout=10)
    seen = Counter()
    for _ in range(30):
        response, body = get(LB, HTTP_PORT, "/hello", conn=conn)
        assert response.status == 200
        seen[served_by(body)] += 1
    conn.close()
    assert seen == {"i-a": 10, "i-b": 10, "i-c": 10}


def test_forwarded_headers_are_set_and_appended(lb):
    _, body = get(LB, HTTP_PORT, "/x")
    headers = json.loads(body)["headers"]
    assert headers["x-forwarded-for"] == "127.0.0.1"
    assert headers["x-forwarded-proto"] == "http" and headers["x-forwarded-port"] == str(HTTP_PORT)
    _, body = get(LB, HTTP_PORT, "/x", {"X-Forwarded-For": "10.9.9.9"})
    assert json.loads(body)["headers"]["x-forwarded-for"] == "10.9.9.9, 127.0.0.1"


def test_chunked_request_body_is_streamed_through(lb):
    conn = http.client.HTTPConnection(LB, HTTP_PORT, timeout=10)
    conn.request("POST", "/upload", body=iter([b"a" * 1000, b"b" * 70000, b"c"]), encode_chunked=True,
                 headers={"Transfer-Encoding": "chunked"})
    response = conn.getresponse()
    answer = json.loads(response.read())
    assert response.status == 200 and answer["body_length"] == 71001 and answer["method"] == "POST"
    conn.request("POST", "/again", body=b"x" * 5)  # the same connection keeps working
    assert json.loads(conn.getresponse().read())["body_length"] == 5
    conn.close()


def test_chunked_responses_pass_through_and_the_connection_stays_usable(lb):
    conn = http.client.HTTPConnection(LB, HTTP_PORT, timeout=10)
    for _ in range(4):
        response, body = get(LB, HTTP_PORT, "/chunked", conn=conn)
        assert response.status == 200 and body == b"hello world"
    response, body = get(LB, HTTP_PORT, "/after", conn=conn)
    assert served_by(body) in BACKENDS
    conn.close()


def test_tcp_listener_passes_bytes_both_ways_and_half_close(lb):
    with socket.create_connection((LB, TCP_PORT), timeout=5) as s:
        s.sendall(b"hello")
        assert s.recv(5) == b"hello"
        s.shutdown(socket.SHUT_WR)  # our FIN reaches the backend, which still answers
        got = b""
        while chunk := s.recv(100):
            got += chunk
        assert got == b"bye"


def test_failing_health_check_removes_a_target_and_recovery_brings_it_back(lb):
    address, _ = BACKENDS["i-b"]
    get(address, INSTANCE_PORT, "/fail")
    in_service(2)
    assert detail().targets["i-b"].state == "OutOfService"
    assert {served_by(get(LB, HTTP_PORT, "/")[1]) for _ in range(12)} == {"i-a", "i-c"}
    get(address, INSTANCE_PORT, "/recover")
    in_service(3)
    assert {served_by(get(LB, HTTP_PORT, "/")[1]) for _ in range(12)} == {"i-a", "i-b", "i-c"}


def test_lb_cookie_pins_a_client(lb):
    push(config(version=2, stickiness=Stickiness(type="lb", cookie_name="AWSELB", expiration=60)))
    response, body = get(LB, HTTP_PORT, "/")
    cookie = response.getheader("Set-Cookie")
    assert cookie.startswith("AWSELB=") and "Max-Age=60" in cookie
    pinned = served_by(body)
    jar = {"Cookie": cookie.split(";")[0]}
    assert {served_by(get(LB, HTTP_PORT, "/", jar)[1]) for _ in range(9)} == {pinned}
    assert len({served_by(get(LB, HTTP_PORT, "/")[1]) for _ in range(9)}) == 3  # without the cookie: round robin


def test_policy_changes_reset_no_client_connection(lb):
    # A listener whose policy changes keeps its socket: rebinding it would reset the connections in its backlog.
    sticky = Stickiness(type="lb", cookie_name="AWSELB", expiration=60)
    failures, done = [], threading.Event()

    def clients() -> None:
        for _ in range(400):  # bounded; stops early once the pushes are over
            if done.is_set():
                return
            try:
                get(LB, HTTP_PORT, "/")
            except OSError as e:
                failures.append(e)

    load = threading.Thread(target=clients)
    load.start()
    for n in range(40):
        push(config(version=time.monotonic_ns(), stickiness=sticky if n % 2 else None))
        time.sleep(0.02)
    done.set()
    load.join(30)
    assert failures == []


def test_app_cookie_stickiness_follows_the_application_cookie(lb):
    push(config(version=3, stickiness=Stickiness(type="app", cookie_name="SESSION")))
    response, _ = get(LB, HTTP_PORT, "/login")
    cookies = response.msg.get_all("Set-Cookie")
    session = next(c for c in cookies if c.startswith("SESSION="))
    elb = next(c for c in cookies if c.startswith("AWSELB="))
    pinned = session.split(";")[0].removeprefix("SESSION=s-")
    jar = {"Cookie": f"{session.split(';')[0]}; {elb.split(';')[0]}"}
    assert {served_by(get(LB, HTTP_PORT, "/", jar)[1]) for _ in range(9)} == {pinned}


def test_draining_lets_an_in_flight_request_finish_and_sends_no_new_one(lb):
    results = {}
    conn = http.client.HTTPConnection(LB, HTTP_PORT, timeout=10)
    # find which target the next request goes to, then start a slow one there
    seen = [served_by(get(LB, HTTP_PORT, "/")[1]) for _ in range(3)]
    slow_target = {"i-a", "i-b", "i-c"} - set(seen[1:]) if len(set(seen)) == 3 else None
    assert slow_target, seen
    [slow_target] = slow_target

    def slow():
        response, body = get(LB, HTTP_PORT, "/slow?s=2", conn=conn)
        results["slow"] = (response.status, body)

    thread = threading.Thread(target=slow)
    thread.start()
    time.sleep(0.5)
    push(config(targets=[t for t in BACKENDS if t != slow_target], version=4))
    assert {served_by(get(LB, HTTP_PORT, "/")[1]) for _ in range(6)} == set(BACKENDS) - {slow_target}
    thread.join(10)
    assert results["slow"] == (200, b"slow done\n")


def test_without_draining_a_deregistered_targets_requests_are_cut(lb):
    push(config(version=5, draining=(False, 300)))
    results = {}

    def slow():
        try:
            results["slow"] = get(LB, HTTP_PORT, "/slow?s=3")[0].status
        except (http.client.HTTPException, OSError) as e:
            results["slow"] = type(e).__name__

    threads = [threading.Thread(target=slow) for _ in range(1)]
    seen_before = served_by(get(LB, HTTP_PORT, "/")[1])
    threads[0].start()
    time.sleep(0.5)
    push(config(targets=[], version=6, draining=(False, 300)))
    threads[0].join(10)
    assert results["slow"] != 200, seen_before


def test_no_healthy_target_answers_503_and_counts_it(lb):
    push(config(targets=[], version=7))
    before = detail().counters
    response, _ = get(LB, HTTP_PORT, "/")
    assert response.status == 503
    after = detail().counters
    assert after.http_code_elb_5xx == before.http_code_elb_5xx + 1
    assert after.request_count == before.request_count + 1


def test_cross_zone_off_keeps_traffic_in_the_nodes_zone(lb):
    push(config(version=8, cross_zone=False))
    in_service(1)
    assert {served_by(get(LB, HTTP_PORT, "/")[1]) for _ in range(6)} == {"i-a"}


def test_counters_count_backend_answers(lb):
    before = detail().counters
    for _ in range(5):
        get(LB, HTTP_PORT, "/")
    after = detail().counters
    assert after.http_code_backend_2xx - before.http_code_backend_2xx == 5


def test_a_stale_epoch_is_refused_and_changes_nothing(lb):
    held = configure(config(version=10, cross_zone=False))
    in_service(1)
    with pytest.raises(grpc.RpcError) as refused:
        configure(config(version=11), epoch=held.epoch - 1)
    assert refused.value.code() == grpc.StatusCode.FAILED_PRECONDITION and "older" in refused.value.details()
    status = member().Status(member_pb2.StatusRequest(), timeout=5)
    assert (status.epoch, status.role, status.member_id) == (held.epoch, "serving", "elb-web-lab-1a")
    assert {served_by(get(LB, HTTP_PORT, "/")[1]) for _ in range(6)} == {"i-a"}  # still cross-zone off


def test_settings_of_another_kind_are_refused(lb):
    request = member_pb2.ConfigureRequest(epoch=next(EPOCHS))
    request.settings.Pack(LbNodeTarget(id="i-a"))
    with pytest.raises(grpc.RpcError) as refused:
        member().Configure(request, timeout=5)
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_the_node_serves_grpc_health(lb):
    with grpc.insecure_channel(f"{LB}:{MEMBER_PORT}") as channel:
        answer = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=5)
    assert answer.status == health_pb2.HealthCheckResponse.SERVING


def test_a_restarted_node_serves_its_last_config_under_its_epoch_untold(lb):
    held = configure(config(version=12, cross_zone=False))
    lb.kill()
    lb.start()  # nothing told since: what it serves comes from its state file
    assert member().Status(member_pb2.StatusRequest(), timeout=5).epoch == held.epoch
    in_service(1)
    assert {served_by(get(LB, HTTP_PORT, "/")[1]) for _ in range(6)} == {"i-a"}
    with pytest.raises(grpc.RpcError) as refused:
        configure(config(version=13), epoch=held.epoch - 1)
    assert refused.value.code() == grpc.StatusCode.FAILED_PRECONDITION


def test_a_target_that_died_unnoticed_costs_no_request(lb):
    """Until its health checks fail, a dead target is still in service: its refused connections go to another."""
    address, _ = BACKENDS["i-c"]
    victim = next(p for p in _backends if p.args[2] == address)
    victim.kill()
    victim.wait()
    try:
        answers = [get(LB, HTTP_PORT, "/")[0].status for _ in range(12)]
        assert answers == [200] * 12
        assert detail().counters.backend_connection_errors >= 1
    finally:
        _backends[_backends.index(victim)] = _start_backend("i-c")


def test_tls_is_ended_at_the_node_for_https_and_ssl_listeners(lb):
    trust = ssl.create_default_context(cadata=CA)
    trust.check_hostname = False  # the client reaches the node by address; the name is the LB's
    conn = http.client.HTTPSConnection(LB, HTTPS_PORT, timeout=10, context=trust)
    conn.request("GET", "/secure")
    response = conn.getresponse()
    headers = json.loads(response.read())["headers"]
    assert response.status == 200 and headers["x-forwarded-proto"] == "https" and headers["x-forwarded-port"] == str(HTTPS_PORT)
    assert conn.sock.getpeercert()["subjectAltName"] == (("DNS", "web.lab"),)
    conn.close()
    with trust.wrap_socket(socket.create_connection((LB, SSL_PORT), timeout=5)) as s:
        s.sendall(b"over tls")
        assert s.recv(8) == b"over tls"


def test_idle_connections_close_after_the_idle_timeout(lb):
    push(config(version=9, idle=1))
    with socket.create_connection((LB, HTTP_PORT), timeout=10) as idle, \
            socket.create_connection((LB, TCP_PORT), timeout=10) as idle_tcp:
        # closed by the node (our own 10 s timeout would raise instead)
        assert idle.recv(10) == b"" and idle_tcp.recv(10) == b""

"""`python -m bench sqs [--seconds S] [--clients N,M] [--rounds R]`: SQS messages/s, azlab beside moto, same client.

Each workload moves messages through send, receive and delete, with N client
threads at once (each with its own boto3 client and queue) for `--seconds`,
then again with M threads, and so on:
batch 1 (SendMessage, ReceiveMessage, DeleteMessage per message) and batch 10
(SendMessageBatch, ReceiveMessage of up to 10, DeleteMessageBatch). A message
counts once it is deleted. azlab runs a 3-AZ loopback region with replication
on (every send, receive and delete acknowledged once fsync'd on 2 of 3 AZs);
moto runs `moto_server` (in memory, no replication) on this machine; both are
driven by the same boto3 code in the same run, each workload on moto and on
azlab back to back, `--rounds` times (figures are medians), so that the load
of the moment on a shared machine weighs on both alike. azlab is also driven
through its gRPC SDK. Last, the leader's AZ is killed under a sender: the longest
time it waited for an acknowledgement around the kill is the failover figure.
First of all, the same boto3 threads call a server that stores nothing: on a
small machine the client's own CPU bounds every boto3 figure, and this says
where. With few threads, every figure is bounded by latency (each thread waits
for its answer) rather than CPU; more threads show what each server does once
its CPU is the limit: both sides always get the same threads.

Writes bench/results/sqs-<UTC>.json and .md. Needs the `bench` extra (moto).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator

import boto3
import botocore.config

from azlab.chaos.v1 import chaos_pb2
from azlab.cluster.sdk import ApiError, Client
from azlab.region.v1 import region_pb2
from azlab.sqs.v1 import sqs_pb2
from bench import results_stem
from bench.region import git_revision

AZLAB = str(Path(sys.executable).with_name("azlab"))
MOTO = str(Path(sys.executable).with_name("moto_server"))
BODY = "x" * 256
TARGET_RATIO = 3.0


def boto3_sqs(endpoint: str, region: str):
    return boto3.client("sqs", endpoint_url=endpoint, region_name=region, aws_access_key_id="bench",
                        aws_secret_access_key="bench",
                        config=botocore.config.Config(retries={"mode": "standard", "max_attempts": 5},
                                                      max_pool_connections=4))


class Boto3Driver:
    """One client thread's loop through boto3."""

    def __init__(self, endpoint: str, region: str, queue: str):
        self.client = boto3_sqs(endpoint, region)
        self.url = self.client.create_queue(QueueName=queue)["QueueUrl"]

    def cycle(self, batch: int) -> int:
        if batch == 1:
            self.client.send_message(QueueUrl=self.url, MessageBody=BODY)
        else:
            self.client.send_message_batch(QueueUrl=self.url, Entries=[
                {"Id": str(i), "MessageBody": BODY} for i in range(batch)])
        moved = 0
        while moved < batch:
            messages = self.client.receive_message(QueueUrl=self.url, MaxNumberOfMessages=min(10, batch),
                                                   WaitTimeSeconds=1).get("Messages", [])
            if batch == 1:
                for m in messages:
                    self.client.delete_message(QueueUrl=self.url, ReceiptHandle=m["ReceiptHandle"])
            elif messages:
                self.client.delete_message_batch(QueueUrl=self.url, Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)])
            moved += len(messages)
        return moved


class GrpcDriver:
    """The same loop through azlab's gRPC SDK."""

    def __init__(self, endpoint: str, queue: str):
        self.client = Client(endpoint)
        self.sqs = self.client.sqs
        self.url = self.sqs.CreateQueue(sqs_pb2.CreateQueueRequest(queue_name=queue)).queue_url

    def cycle(self, batch: int) -> int:
        if batch == 1:
            self.sqs.SendMessage(sqs_pb2.SendMessageRequest(queue_url=self.url, message_body=BODY))
        else:
            self.sqs.SendMessageBatch(sqs_pb2.SendMessageBatchRequest(queue_url=self.url, entries=[
                sqs_pb2.SendMessageBatchRequestEntry(id=str(i), message_body=BODY) for i in range(batch)]))
        moved = 0
        while moved < batch:
            messages = self.sqs.ReceiveMessage(sqs_pb2.ReceiveMessageRequest(
                queue_url=self.url, max_number_of_messages=min(10, batch), wait_time_seconds=1)).messages
            if batch == 1:
                for m in messages:
                    self.sqs.DeleteMessage(sqs_pb2.DeleteMessageRequest(queue_url=self.url, receipt_handle=m.receipt_handle))
            elif messages:
                self.sqs.DeleteMessageBatch(sqs_pb2.DeleteMessageBatchRequest(queue_url=self.url, entries=[
                    sqs_pb2.DeleteMessageBatchRequestEntry(id=str(i), receipt_handle=m.receipt_handle)
                    for i, m in enumerate(messages)]))
            moved += len(messages)
        return moved


def throughput(make_driver: Callable[[int], Any], batch: int, clients: int, seconds: float) -> float:
    """Messages through send+receive+delete per second, over `clients` threads for `seconds`."""
    drivers = [make_driver(i) for i in range(clients)]
    for d in drivers:  # warm connections and queues
        d.cycle(batch)
    counts = [0] * clients
    stop = threading.Event()

    def loop(i: int) -> None:
        while not stop.is_set():
            counts[i] += drivers[i].cycle(batch)

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join()
    return sum(counts) / (time.perf_counter() - started)


# A server that answers SendMessage at once and stores nothing, in its own process: how many calls/s
# the boto3 client threads themselves can make on this machine, the ceiling of every boto3 figure.
NULL_SERVER = """
import hashlib, json, sys
from aiohttp import web
async def handle(request):
    body = json.loads(await request.read())
    digest = hashlib.md5(body.get("MessageBody", "").encode()).hexdigest()
    return web.json_response({"MessageId": "0", "MD5OfMessageBody": digest, "QueueUrl": "http://null/0/q"},
                             content_type="application/x-amz-json-1.0")
app = web.Application()
app.router.add_post("/{tail:.*}", handle)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)
"""


def measure_client_ceiling(clients: int, seconds: float) -> float:
    """boto3 SendMessage calls/s against NULL_SERVER."""
    port = free_port()
    server = subprocess.Popen([sys.executable, "-c", NULL_SERVER, str(port)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        endpoint = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                boto3_sqs(endpoint, "lab-1").send_message(QueueUrl=f"{endpoint}/0/q", MessageBody=BODY)
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        clients_ = [boto3_sqs(endpoint, "lab-1") for _ in range(clients)]
        counts = [0] * clients
        stop = threading.Event()

        def loop(i: int) -> None:
            while not stop.is_set():
                clients_[i].send_message(QueueUrl=f"{endpoint}/0/q", MessageBody=BODY)
                counts[i] += 1

        threads = [threading.Thread(target=loop, args=(i,)) for i in range(clients)]
        started = time.perf_counter()
        for t in threads:
            t.start()
        time.sleep(seconds)
        stop.set()
        for t in threads:
            t.join()
        return sum(counts) / (time.perf_counter() - started)
    finally:
        server.terminate()
        server.wait(10)


def key(client: str, batch: int, clients: int) -> str:
    """A figure's name in the results: `boto3_batch10_clients16`."""
    return f"{client}_batch{batch}_clients{clients}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def moto_server() -> Iterator[str]:
    """moto's server on a free port: its endpoint URL."""
    port = free_port()
    server = subprocess.Popen([MOTO, "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        endpoint = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                boto3_sqs(endpoint, "us-east-1").list_queues()
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield endpoint
    finally:
        server.terminate()
        server.wait(10)


@contextlib.contextmanager
def azlab_region(home: Path) -> Iterator[tuple[Client, str, str]]:
    """A 3-AZ loopback region with its SQS replicas elected: (client, gRPC endpoint, AWS endpoint URL)."""
    env = {**os.environ, "AZLAB_HOME": str(home)}
    env.pop("AZLAB_ENDPOINT", None)
    up = subprocess.run([AZLAB, "up", "--isolation", "loopback"], env=env, capture_output=True, text=True, timeout=300)
    if up.returncode != 0:
        raise RuntimeError(f"azlab up failed: {up.stderr[-2000:]}")
    try:
        grpc_endpoint = json.loads(up.stdout)["Endpoint"]
        client = Client(grpc_endpoint)
        aws = "http://" + client.region.DescribeRegion(region_pb2.DescribeRegionRequest()).region.endpoints.aws_http
        _wait_for_leader(client)
        yield client, grpc_endpoint, aws
    finally:
        subprocess.run([AZLAB, "down"], env=env, capture_output=True, timeout=300)


def measure_side_by_side(batches: list[int], clients: list[int], seconds: float, rounds: int,
                         home: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """Each workload on moto, then on azlab through boto3, then through the gRPC SDK, back to back (both
    servers up throughout), `rounds` times: on a shared machine the load of the moment then weighs on both
    sides alike. Each figure is the median of its rounds; its rounds are kept beside it."""
    azlab: dict[str, Any] = {}
    moto: dict[str, Any] = {}
    with moto_server() as moto_endpoint, azlab_region(home) as (client, grpc_endpoint, aws):
        runs: dict[str, list[float]] = {}
        for r in range(rounds):
            for n in clients:
                for b in batches:
                    for side, make in (
                            ("moto", lambda i, b=b, n=n: Boto3Driver(moto_endpoint, "us-east-1", f"m-{b}-{n}-{r}-{i}")),
                            ("boto3", lambda i, b=b, n=n: Boto3Driver(aws, "lab-1", f"a-{b}-{n}-{r}-{i}")),
                            ("grpc", lambda i, b=b, n=n: GrpcDriver(grpc_endpoint, f"g-{b}-{n}-{r}-{i}"))):
                        runs.setdefault(key(side, b, n), []).append(throughput(make, b, n, seconds))
        for name, values in runs.items():
            figures, figure = (moto, name.replace("moto", "boto3")) if name.startswith("moto") else (azlab, name)
            figures[figure] = statistics.median(values)
            figures[f"{figure}_rounds"] = values
        azlab["resume_after_kill_s"] = _failover(client, aws)
    return azlab, moto


def _wait_for_leader(client: Client) -> None:
    """The first SQS call starts the replicas; it answers once they have elected a leader."""
    deadline = time.monotonic() + 90
    while True:
        try:
            client.sqs.ListQueues(sqs_pb2.ListQueuesRequest())
            return
        except ApiError:
            if time.monotonic() > deadline:
                raise


def _failover(client: Client, aws: str) -> float | None:
    """The longest time a sender saw no acknowledgement around KillAz(the leader's AZ): the failover as a client
    lives it (the kill call's own duration included)."""
    sender = boto3_sqs(aws, "lab-1")
    url = sender.create_queue(QueueName="failover")["QueueUrl"]
    acks: list[float] = []
    stop = threading.Event()

    def send() -> None:
        while not stop.is_set():
            try:
                sender.send_message(QueueUrl=url, MessageBody=BODY)
                acks.append(time.time())
            except Exception:
                pass

    thread = threading.Thread(target=send)
    thread.start()
    time.sleep(1.0)
    replicas = client.sqs.DescribeQueueReplicas(sqs_pb2.DescribeQueueReplicasRequest())
    az = next(r.availability_zone for r in replicas.replicas if r.replica_id == replicas.leader)
    killed_at = time.time()
    client.chaos.KillAz(chaos_pb2.KillAzRequest(availability_zone=az))
    time.sleep(8.0)
    stop.set()
    thread.join()
    window = sorted([killed_at - 1.0, killed_at + 8.0, *(at for at in acks if killed_at - 1.0 < at < killed_at + 8.0)])
    if not any(at > killed_at for at in acks):
        return None
    return round(max(b - a for a, b in zip(window, window[1:])), 3)


def table(azlab: dict[str, float], moto: dict[str, float], batches: list[int], clients: list[int],
          ceiling: dict[int, float]) -> str:
    lines = ["| messages/s (send+receive+delete) | azlab, boto3 | moto server, boto3 | azlab / moto | azlab, gRPC SDK |",
             "|---|---|---|---|---|"]
    for n in clients:
        for b in batches:
            a, m, g = azlab[key("boto3", b, n)], moto[key("boto3", b, n)], azlab[key("grpc", b, n)]
            lines.append(f"| batch {b}, {n} client threads | {a:.0f} | {m:.0f} | {a / m:.2f}x "
                         f"(target {TARGET_RATIO:g}x) | {g:.0f} |")
    lines += ["", "The boto3 client threads alone, against a server that answers SendMessage and stores nothing "
                  "(one batch-1 message takes 3 calls, so a third of it is the most any server can show here "
                  "through boto3 at batch 1):", "",
              "| client threads | calls/s | batch-1 messages/s at most |", "|---|---|---|"]
    lines += [f"| {n} | {ceiling[n]:.0f} | {ceiling[n] / 3:.0f} |" for n in clients]
    resume = azlab.get("resume_after_kill_s")
    lines += ["", "| failover | azlab | target |", "|---|---|---|",
              f"| longest wait for an acknowledged send around KillAz(the leader's AZ) | "
              f"{'-' if resume is None else f'{resume:.2f} s'} | < 3 s |"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench sqs", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="per workload (default 10)")
    parser.add_argument("--rounds", type=int, default=1,
                        help="measure every workload this many times, moto and azlab back to back; figures are the "
                             "medians (default 1)")
    parser.add_argument("--clients", default="4,16",
                        help="client threads, a comma-separated list: each workload runs at each (default 4,16)")
    args = parser.parse_args(argv)
    clients = [int(n) for n in args.clients.split(",")]
    if shutil.which(MOTO) is None and not Path(MOTO).exists():
        print("moto_server is missing: pip install -e '.[bench]'", file=sys.stderr)
        return 2
    batches = [1, 10]
    started = datetime.now(timezone.utc)
    print("client ceiling ...", file=sys.stderr, flush=True)
    ceiling = {n: measure_client_ceiling(n, args.seconds) for n in clients}
    print("moto and azlab, side by side ...", file=sys.stderr, flush=True)
    with tempfile.TemporaryDirectory(prefix="azlab-bench-sqs-") as home:
        azlab, moto = measure_side_by_side(batches, clients, args.seconds, args.rounds, Path(home))
    text = table(azlab, moto, batches, clients, ceiling)
    meta = (f"{' and '.join(map(str, clients))} client threads in one process, {args.seconds:g} s per workload, "
            f"median of {args.rounds} round{'s' if args.rounds > 1 else ''} (moto and azlab back to back in each), "
            f"{len(BODY)}-byte bodies, "
            f"3-AZ loopback region, {started:%Y-%m-%d %H:%M} UTC, azlab {git_revision()}, "
            f"Python {platform.python_version()}, {os.cpu_count()} CPUs, {platform.node()}")
    stem = results_stem("sqs", started)
    stem.with_suffix(".json").write_text(json.dumps({
        "started_at": started.isoformat(), "clients": clients, "seconds": args.seconds, "rounds": args.rounds,
        "revision": git_revision(), "azlab": azlab, "moto": moto, "boto3_client_ceiling_calls_per_s": ceiling},
        indent=2) + "\n")
    stem.with_suffix(".md").write_text(f"# azlab bench: sqs\n\n{meta}\n\n{text}\n")
    print(f"{meta}\n\n{text}\n\nwritten to {stem}.json and .md")
    return 0

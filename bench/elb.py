"""`python -m bench elb [--seconds N] [--connections N] [--runs N]`: one LB node beside HAProxy and the backends.

Three backends (`tests/http_backend.py`, the server the region test's
instances run: keep-alive HTTP/1.1 and a TCP echo) on their own loopback
addresses; in front of the same three, on the same machine, in one run:

- `elb`: one LB node, the very process every AZ runs (`azlab.nodes.elb.server`),
  configured over its member port as the region does (round robin over the
  three, cross-zone on, a TCP health check);
- `haproxy`: Debian's HAProxy, one thread (`nbthread 1`, as the LB node is one
  thread), round robin, keep-alive to the backends (`http-reuse always`);
- `direct`: wrk straight at one backend (what one backend can serve alone).

L7: wrk (Debian's) with the same threads, connections and duration against
each, requests/s and p99 latency, the median of `--runs` runs taken in turn.
L4: one client pushing `--megabytes` through each TCP listener to the echo
and reading it back, MB/s (the median of the runs). No region is brought up.

Target: the LB node's L7 requests/s at least half of HAProxy's. Writes
bench/results/elb-<UTC>.json and .md.
"""

from __future__ import annotations

import argparse
import json
import re
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

import grpc

from azlab.elb.v1.lbnode_pb2 import LbNodeDetail, LbNodeHealthCheck, LbNodeListener, LbNodeSettings, LbNodeTarget
from azlab.member.v1 import member_pb2, member_pb2_grpc
from bench import results_stem

REPO = Path(__file__).resolve().parent.parent
BACKEND = REPO / "tests" / "http_backend.py"
BACKENDS = ["127.72.1.1", "127.72.1.2", "127.72.1.3"]
WEB_PORT, ECHO_PORT = 8080, 8081
ELB, HAPROXY = "127.72.2.1", "127.72.2.2"
LB_HTTP, LB_TCP, MEMBER_PORT = 8000, 8001, 8999
BOUND_S = 30.0


def wait_for(predicate, what: str) -> None:
    deadline = time.monotonic() + BOUND_S
    while not predicate():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        time.sleep(0.05)


def connects(address: str, port: int) -> bool:
    try:
        socket.create_connection((address, port), timeout=0.5).close()
        return True
    except OSError:
        return False


def detail(status: member_pb2.MemberStatus) -> LbNodeDetail:
    found = LbNodeDetail()
    status.detail.Unpack(found)
    return found


def start_elb(home: Path) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-m", "azlab.nodes.elb.server", "--member-id", "elb-bench",
                                "--address", ELB, "--member-port", str(MEMBER_PORT), "--state-file",
                                str(home / "elb.pb"), "--az", "bench"], stderr=subprocess.DEVNULL)
    wait_for(lambda: connects(ELB, MEMBER_PORT), "the LB node")
    member = member_pb2_grpc.MemberStub(grpc.insecure_channel(f"{ELB}:{MEMBER_PORT}"))
    request = member_pb2.ConfigureRequest(epoch=1)
    request.settings.Pack(LbNodeSettings(
        version=1, name="bench", az="bench", address=ELB,
        listeners=[LbNodeListener(protocol="HTTP", port=LB_HTTP, instance_port=WEB_PORT),
                   LbNodeListener(protocol="TCP", port=LB_TCP, instance_port=ECHO_PORT)],
        targets=[LbNodeTarget(id=f"i-{n}", address=a, az="bench") for n, a in enumerate(BACKENDS)],
        cross_zone=True, idle_timeout=60, draining=False, draining_timeout=300,
        health_check=LbNodeHealthCheck(protocol="TCP", port=WEB_PORT, interval=1, timeout=1, healthy_threshold=2,
                                       unhealthy_threshold=2)))
    member.Configure(request, timeout=5)
    wait_for(lambda: detail(member.Status(member_pb2.StatusRequest(), timeout=5)).routable == len(BACKENDS),
             "every backend in service")
    return process


def start_haproxy(home: Path) -> subprocess.Popen:
    servers = "\n".join(f"  server s{n} {a}:{{port}}" for n, a in enumerate(BACKENDS))
    config = home / "haproxy.cfg"
    config.write_text(f"""global
  nbthread 1
  maxconn 4000
defaults
  timeout connect 5s
  timeout client 60s
  timeout server 60s
frontend web
  mode http
  bind {HAPROXY}:{LB_HTTP}
  option http-keep-alive
  option forwardfor
  default_backend web
backend web
  mode http
  balance roundrobin
  http-reuse always
{servers.format(port=WEB_PORT)}
listen echo
  mode tcp
  bind {HAPROXY}:{LB_TCP}
  balance roundrobin
{servers.format(port=ECHO_PORT)}
""")
    process = subprocess.Popen(["haproxy", "-db", "-f", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(lambda: connects(HAPROXY, LB_HTTP), "HAProxy")
    return process


def wrk(address: str, port: int, seconds: int, connections: int) -> dict[str, float]:
    done = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", f"http://{address}:{port}/"],
                          capture_output=True, text=True, timeout=seconds + 30)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", done.stdout).group(1))
    value, unit = re.search(r"\s99%\s+([\d.]+)(us|ms|s)", done.stdout).groups()
    p99_ms = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", done.stdout)
    return {"requests_per_second": rps, "p99_ms": p99_ms, "non_2xx": int(errors.group(1)) if errors else 0}


def tcp_throughput(address: str, port: int, megabytes: int) -> float:
    """MB/s of bytes sent through and echoed back, one connection."""
    chunk = b"x" * 65536
    total = megabytes * 1024 * 1024
    received = 0
    with socket.create_connection((address, port), timeout=30) as s:
        def read() -> None:
            nonlocal received
            while received < total and (data := s.recv(1 << 20)):
                received += len(data)

        reader = threading.Thread(target=read)
        started = time.perf_counter()
        reader.start()
        for _ in range(total // len(chunk)):
            s.sendall(chunk)
        reader.join(BOUND_S)
        elapsed = time.perf_counter() - started
    if received < total:
        raise RuntimeError(f"only {received} of {total} bytes came back through {address}:{port}")
    return megabytes / elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench elb", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--megabytes", type=int, default=256)
    args = parser.parse_args(argv)
    missing = [b for b in ("wrk", "haproxy") if shutil.which(b) is None]
    if missing:
        print(f"elb bench needs {', '.join(missing)} (Debian: wrk haproxy)", file=sys.stderr)
        return 1
    started = datetime.now(timezone.utc)
    sides = {"elb": (ELB, LB_HTTP, LB_TCP), "haproxy": (HAPROXY, LB_HTTP, LB_TCP),
             "direct": (BACKENDS[0], WEB_PORT, ECHO_PORT)}
    l7: dict[str, list[dict]] = {side: [] for side in sides}
    l4: dict[str, list[float]] = {side: [] for side in sides}
    with tempfile.TemporaryDirectory(prefix="azlab-bench-elb-") as scratch:
        home = Path(scratch)
        procs = [subprocess.Popen([sys.executable, str(BACKEND), a, str(WEB_PORT), f"i-{n}", "--tcp-echo", str(ECHO_PORT)],
                                  stdout=subprocess.DEVNULL) for n, a in enumerate(BACKENDS)]
        try:
            for a in BACKENDS:
                wait_for(lambda a=a: connects(a, WEB_PORT), f"backend {a}")
            procs += [start_elb(home), start_haproxy(home)]
            for _ in range(args.runs):
                for side, (address, http_port, tcp_port) in sides.items():
                    l7[side].append(wrk(address, http_port, args.seconds, args.connections))
                    l4[side].append(tcp_throughput(address, tcp_port, args.megabytes))
        finally:
            for p in procs:
                p.terminate()
            for p in procs:
                p.wait(timeout=10)
    figures = {side: {"requests_per_second": statistics.median(r["requests_per_second"] for r in runs),
                      "p99_ms": statistics.median(r["p99_ms"] for r in runs),
                      "non_2xx": sum(r["non_2xx"] for r in runs),
                      "tcp_mb_per_second": statistics.median(l4[side])} for side, runs in l7.items()}
    ratio = figures["elb"]["requests_per_second"] / figures["haproxy"]["requests_per_second"]
    stem = results_stem("elb", started)
    result = {"suite": "elb", "started": started.isoformat(), "seconds": args.seconds, "connections": args.connections,
              "runs": args.runs, "megabytes": args.megabytes, "figures": figures, "runs_l7": l7, "runs_l4": l4,
              "elb_over_haproxy": ratio, "target": "elb L7 requests/s at least half of HAProxy's"}
    stem.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n")
    rows = [f"| {side} | {f['requests_per_second']:.0f} | {f['p99_ms']:.2f} | {f['non_2xx']} | {f['tcp_mb_per_second']:.0f} |"
            for side, f in figures.items()]
    text = (f"# elb bench, {started:%Y-%m-%d %H:%M} UTC\n\n"
            f"wrk -t1 -c{args.connections}, {args.seconds} s per side, median of {args.runs} runs taken in turn; "
            f"three backends (tests/http_backend.py) behind one LB node or HAProxy (nbthread 1); `direct` is one "
            f"backend alone. L4: {args.megabytes} MB through the TCP listener to an echo and back, one connection.\n\n"
            "| side | L7 requests/s | L7 p99 ms | non-2xx | L4 MB/s |\n|---|---|---|---|---|\n" + "\n".join(rows) +
            f"\n\nLB node / HAProxy, L7 requests/s: {ratio:.2f} (target >= 0.5).\n")
    stem.with_suffix(".md").write_text(text)
    print(text)
    return 0

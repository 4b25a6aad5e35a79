"""`python -m bench route53 [--seconds N] [--clients N]`: DNS queries/s, one lab server beside NSD.

Both sides serve the same zone, built once through Route53's model: the lab
side is the very server every AZ runs (`azlab.nodes.route53.server`, the zone
told its settings over azlab.member.v1.Member as the region tells it), NSD (Debian's) gets
the same records as a zone file. Both run as one process on 127.0.0.1 (NSD
with `server-count: 1`) and take the same load from dnsperf, query mix by
query mix:

- `simple`: A, MX and NXDOMAIN lookups whose answer is fixed (the lab server
  answers repeats from its per-snapshot answer cache);
- `weighted`: a weighted name, chosen afresh on every query by the lab server
  (NSD, which has no routing policies, serves the records as one RRset);
- `geolocation`: a name with subdivision, country, continent and default
  records, placed by the client's address in the lab's location table (NSD:
  one RRset);
- `wildcard`: names only `*.apps.bench.lab` covers, at one and two labels
  below it, and one without data of the type asked.

dnsperf repeats a few questions from one address, so the lab server answers
most of them from its per-snapshot cache; beside each mix, `computed/s` is the
answer path's own cost: answers made from scratch per second (no cache), in
this process, by the same `Answerer` the server uses.

Then, unless --no-region, a loopback region is brought up and the same
`simple` mix is sent to its lab-1a server, as deployed; and two control-plane
times are taken there, as medians:

- change to INSYNC: from ChangeResourceRecordSets returning to GetChange
  saying INSYNC (every AZ's server serves it);
- failover: from a primary's TCP target closing (interval 1 s, threshold 1)
  to every AZ's server answering the secondary.

Writes bench/results/route53-<UTC>.json and .md. With the region, run it under
`flock /tmp/azlab-machine.lock`.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import dns.exception
import dns.message
import dns.query
import grpc

from azlab.cluster.route53.model import RecordSet, Route53Model
from azlab.cluster.runtime import free_port
from azlab.cluster.sdk import Client
from azlab.cluster.state import Store
from azlab.member.v1 import member_pb2, member_pb2_grpc
from azlab.nodes.route53.answer import Answerer
from azlab.route53.v1 import route53_pb2 as pb
from azlab.route53.v1.nameserver_pb2 import NameServerSettings
from bench import results_stem

ADDRESS = "127.0.0.1"
AZLAB = str(Path(sys.executable).with_name("azlab"))
BOUND_S = 30.0
LAB_NETWORKS = {"lab-1a": "127.0.0.0/8"}  # the bench's clients are lab-1a's: Washington, US, in the location table
MIXES = {
    "simple": ["www.bench.lab A", "bench.lab MX", "api.bench.lab A", "nope.bench.lab A", "www.bench.lab AAAA"],
    "weighted": ["w.bench.lab A"],
    "geolocation": ["geo.bench.lab A"],
    "wildcard": ["a.apps.bench.lab A", "x.y.apps.bench.lab A", "z.apps.bench.lab AAAA"],
}


def build_zone(home: Path) -> tuple[Route53Model, str]:
    model = Route53Model(Store(home / "state.db"), ["lab-1a"])
    zone, _ = model.create_hosted_zone("bench.lab", "bench")
    records = [
        RecordSet("www.bench.lab", "A", 300, ["10.0.0.1", "10.0.0.2"]),
        RecordSet("api.bench.lab", "A", 300, ["10.0.1.1"]),
        RecordSet("bench.lab", "MX", 300, ["10 mail.bench.lab"]),
        RecordSet("mail.bench.lab", "A", 300, ["10.0.2.1"]),
        RecordSet("w.bench.lab", "A", 60, ["10.1.0.1"], set_identifier="light", weight=1),
        RecordSet("w.bench.lab", "A", 60, ["10.1.0.3"], set_identifier="heavy", weight=3),
        RecordSet("geo.bench.lab", "A", 60, ["10.2.0.1"], set_identifier="wa", geo_location={"country_code": "US", "subdivision_code": "WA"}),
        RecordSet("geo.bench.lab", "A", 60, ["10.2.0.2"], set_identifier="de", geo_location={"country_code": "DE"}),
        RecordSet("geo.bench.lab", "A", 60, ["10.2.0.3"], set_identifier="eu", geo_location={"continent_code": "EU"}),
        RecordSet("geo.bench.lab", "A", 60, ["10.2.0.9"], set_identifier="any", geo_location={"country_code": "*"}),
        RecordSet("*.apps.bench.lab", "A", 300, ["10.3.0.1"]),
    ]
    model.change_resource_record_sets(zone.id, [{"action": "CREATE", "record": r} for r in records])
    return model, zone.id


def zone_file(model: Route53Model, zone_id: str) -> str:
    zone = model.zone(zone_id)
    lines = [f"$ORIGIN {zone.name}"]
    for r in zone.records:
        lines += [f"{r.name} {r.ttl} IN {r.type} {v}" for v in r.values]
    return "\n".join(lines) + "\n"


def computed_per_second(model: Route53Model, lines: list[str], seconds: float = 2.0) -> float:
    """Answers made from scratch (no server cache) per second, in this process."""
    # as the server holds it, off the wire
    answerer = Answerer(NameServerSettings.FromString(model.snapshot(LAB_NETWORKS).SerializeToString()))
    queries = [dns.message.make_query(*line.split()).to_wire() for line in lines]
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        for wire in queries:
            answerer.respond(wire, ADDRESS)
        done += len(queries)
    return done / (time.perf_counter() - started)


def wait_answering(port: int, timeout_s: float = 20.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            dns.query.udp(dns.message.make_query("www.bench.lab", "A"), ADDRESS, port=port, timeout=0.5)
            return
        except (OSError, dns.exception.DNSException):
            time.sleep(0.2)
    raise TimeoutError(f"no DNS answer on {ADDRESS}:{port}")


def start_lab_server(home: Path, model: Route53Model) -> tuple[subprocess.Popen, int]:
    port = free_port(ADDRESS)
    member_port = next(p for p in iter(lambda: free_port(ADDRESS), None) if p != port)
    server = subprocess.Popen([sys.executable, "-m", "azlab.nodes.route53.server", "--member-id", "bench",
                               "--address", ADDRESS, "--port", str(port), "--member-port", str(member_port),
                               "--state-file", str(home / "lab-zone.binpb"), "--az", "bench"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    request = member_pb2.ConfigureRequest(epoch=1)
    request.settings.Pack(model.snapshot(LAB_NETWORKS))
    with grpc.insecure_channel(f"{ADDRESS}:{member_port}") as channel:
        member_pb2_grpc.MemberStub(channel).Configure(request, timeout=20, wait_for_ready=True)
    wait_answering(port)
    return server, port


def start_nsd(home: Path, text: str) -> tuple[subprocess.Popen, int]:
    port = free_port(ADDRESS)
    (home / "bench.lab.zone").write_text(text)
    config = home / "nsd.conf"
    config.write_text(f"""server:
    ip-address: {ADDRESS}@{port}
    port: {port}
    server-count: 1
    # response rate limiting is on by default and would measure itself, not NSD
    rrl-ratelimit: 0
    rrl-whitelist-ratelimit: 0
    username: ""
    chroot: ""
    zonesdir: "{home}"
    database: ""
    zonelistfile: "{home}/zone.list"
    xfrdfile: "{home}/xfrd.state"
    pidfile: "{home}/nsd.pid"
    logfile: "{home}/nsd.log"
remote-control:
    control-enable: no
zone:
    name: "bench.lab"
    zonefile: "bench.lab.zone"
""")
    server = subprocess.Popen([shutil.which("nsd") or "nsd", "-d", "-c", str(config)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_answering(port)
    return server, port


def dnsperf(port: int, queries: Path, seconds: int, clients: int) -> float:
    return dnsperf_at(ADDRESS, port, queries, seconds, clients)


def dnsperf_at(address: str, port: int, queries: Path, seconds: int, clients: int) -> float:
    done = subprocess.run(["dnsperf", "-s", address, "-p", str(port), "-d", str(queries), "-l", str(seconds),
                           "-c", str(clients), "-q", "200"], capture_output=True, text=True, timeout=seconds + 60)
    match = re.search(r"Queries per second:\s+([\d.]+)", done.stdout)
    if not match:
        raise RuntimeError(f"dnsperf said: {done.stdout[-500:]} {done.stderr[-500:]}")
    return float(match.group(1))


def wait_for(predicate, what: str) -> float:
    """Seconds until `predicate()` holds, polled every 10 ms."""
    started = time.monotonic()
    while not predicate():
        if time.monotonic() - started > BOUND_S:
            raise TimeoutError(f"{what} not seen within {BOUND_S:.0f}s")
        time.sleep(0.01)
    return time.monotonic() - started


def answers(server: pb.NameServer, name: str) -> list[str]:
    try:
        reply = dns.query.udp(dns.message.make_query(name, "A"), server.address, port=server.port, timeout=0.5)
    except (OSError, dns.exception.DNSException):
        return []
    return sorted(r.to_text() for rrset in reply.answer for r in rrset)


def region_figures(runs: int, seconds: int, clients: int, queries: Path) -> dict[str, object]:
    home = Path(tempfile.mkdtemp(prefix="azlab-bench-route53-region-"))
    env = {**os.environ, "AZLAB_HOME": str(home)}
    env.pop("AZLAB_ENDPOINT", None)
    up = subprocess.run([AZLAB, "up", "--isolation", "loopback"], env=env, capture_output=True, text=True)
    if up.returncode != 0:
        raise RuntimeError(f"azlab up failed: {up.stderr[-500:]}")
    target = socket.create_server((ADDRESS, 0))
    try:
        with Client(json.loads(up.stdout)["Endpoint"]) as client:
            api = client.route53
            zone_id = api.CreateHostedZone(pb.CreateHostedZoneRequest(name="bench.lab", caller_reference="bench")).hosted_zone.id
            check = api.CreateHealthCheck(pb.CreateHealthCheckRequest(caller_reference="bench", health_check_config=pb.HealthCheckConfig(
                ip_address=ADDRESS, port=target.getsockname()[1], type="TCP", request_interval=1, failure_threshold=1))).health_check

            def change(*records: pb.ResourceRecordSet) -> float:
                reply = api.ChangeResourceRecordSets(pb.ChangeResourceRecordSetsRequest(hosted_zone_id=zone_id, change_batch=pb.ChangeBatch(
                    changes=[pb.Change(action="UPSERT", resource_record_set=r) for r in records])))
                return wait_for(lambda: api.GetChange(pb.GetChangeRequest(id=reply.change_info.id)).change_info.status == "INSYNC",
                                "INSYNC")

            def a(name: str, value: str, **policy) -> pb.ResourceRecordSet:
                return pb.ResourceRecordSet(name=name, type="A", ttl=60, resource_records=[pb.ResourceRecord(value=value)], **policy)

            change(a("www.bench.lab", "10.0.0.1"), a("api.bench.lab", "10.0.1.1"), a("mail.bench.lab", "10.0.2.1"),
                   pb.ResourceRecordSet(name="bench.lab", type="MX", ttl=300, resource_records=[pb.ResourceRecord(value="10 mail.bench.lab")]),
                   a("app.bench.lab", "10.9.0.1", set_identifier="p", failover="PRIMARY", health_check_id=check.id),
                   a("app.bench.lab", "10.9.0.2", set_identifier="s", failover="SECONDARY"))
            insync = [change(a(f"c{i}.bench.lab", f"10.8.0.{i + 1}")) for i in range(runs * 3)]
            servers = list(api.DescribeNameServers(pb.DescribeNameServersRequest()).name_servers)
            deployed = dnsperf_at(servers[0].address, servers[0].port, queries, seconds, clients)
            failovers = []
            for _ in range(runs):
                wait_for(lambda: all(answers(s, "app.bench.lab") == ["10.9.0.1"] for s in servers), "the primary answered")
                port = target.getsockname()[1]
                target.close()
                failovers.append(wait_for(lambda: all(answers(s, "app.bench.lab") == ["10.9.0.2"] for s in servers),
                                          "every AZ answering the secondary"))
                target = socket.create_server((ADDRESS, port))
    finally:
        target.close()
        subprocess.run([AZLAB, "down"], env=env, capture_output=True)
        shutil.rmtree(home, ignore_errors=True)
    return {"deployed_server_qps": deployed, "insync_s": insync, "failover_s": failovers}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench route53", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--runs", type=int, default=3, help="failovers timed in the region (and 3x as many changes)")
    parser.add_argument("--no-region", action="store_true", help="the data-plane comparison only")
    args = parser.parse_args(argv)
    missing = [b for b in ("nsd", "dnsperf") if shutil.which(b) is None]
    if missing:
        print(f"route53 bench needs {', '.join(missing)} (Debian: nsd dnsperf)", file=sys.stderr)
        return 1
    started = datetime.now(timezone.utc)
    figures: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="azlab-bench-route53-") as scratch:
        home = Path(scratch)
        model, zone_id = build_zone(home)
        lab, lab_port = start_lab_server(home, model)
        nsd, nsd_port = start_nsd(home, zone_file(model, zone_id))
        try:
            for mix, lines in MIXES.items():
                queries = home / f"{mix}.txt"
                queries.write_text("\n".join(lines) + "\n")
                figures[mix] = {"lab": dnsperf(lab_port, queries, args.seconds, args.clients),
                                "nsd": dnsperf(nsd_port, queries, args.seconds, args.clients)}
                figures[mix]["ratio"] = figures[mix]["lab"] / figures[mix]["nsd"]
                figures[mix]["lab_computed"] = computed_per_second(model, lines)
        finally:
            for server in (lab, nsd):
                server.terminate()
                server.wait(timeout=10)
        region = None if args.no_region else region_figures(args.runs, args.seconds, args.clients, home / "simple.txt")
    stem = results_stem("route53", started)
    result = {"suite": "route53", "started": started.isoformat(), "seconds": args.seconds, "clients": args.clients,
              "queries_per_second": figures, "target": "lab at least a third of NSD's", "region": region}
    stem.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n")
    rows = [f"| {mix} | {f['lab']:.0f} | {f['nsd']:.0f} | {f['ratio']:.2f} | >= 0.33 | {f['lab_computed']:.0f} |"
            for mix, f in figures.items()]
    text = (f"# route53 bench, {started:%Y-%m-%d %H:%M} UTC\n\n"
            f"dnsperf, {args.clients} clients, {args.seconds} s per side, one server process each on {ADDRESS}.\n\n"
            "| query mix | lab queries/s | NSD queries/s | lab / NSD | target | lab computed/s (no cache) |\n|---|---|---|---|---|---|\n" + "\n".join(rows) + "\n")
    if region:
        text += (f"\nIn a loopback region: the `simple` mix against lab-1a's deployed server, {region['deployed_server_qps']:.0f} queries/s; "
                 f"change to INSYNC (median of {len(region['insync_s'])}) {statistics.median(region['insync_s']):.2f} s; "
                 f"failover, target closed to every AZ answering the secondary (median of {len(region['failover_s'])}) "
                 f"{statistics.median(region['failover_s']):.2f} s.\n")
    stem.with_suffix(".md").write_text(text)
    print(stem.with_suffix(".md").read_text())
    return 0

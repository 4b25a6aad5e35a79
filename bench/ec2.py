"""`python -m bench ec2 [--runs N] [--isolation loopback|netns] [--vm-runs N] [--only-vms]`: EC2 launch and describe latency.

| figure | azlab | peer (same run) | target |
|---|---|---|---|
| RunInstances to `running`, count 1 | call until DescribeInstances says running | - | < 100 ms |
| RunInstances to user data started, count 1 | call until the user data's first command ran (the time it wrote) | a bare `unshare --net --mount sh` (netns) or `sh` doing the same | |
| the same two, count 50 | per instance of one call of 50 | | |
| DescribeInstances, 1,000 instances | one call for all, and paged by 100 | the model's own describe, without gRPC | |
| RunInstances to user data started, per backend | for each backend of `BACKEND_LAUNCHES`, the time its user data printed on its console | the same command bare: `sh` (process), `docker run` of the same image (docker) | docker < 1 s |
| libvirt VM start to user data started, pv and hvm | the libvirt backend alone, `start()` until the user data's line is on the serial console | bare QEMU booting the same image and config drive | pv < 6 s (TCG) |

Launches run in a real region (brought up and down with the `azlab` CLI in a
temporary home) whose AZs run different backends (`REGION_CONFIG`: lab-1a
process, lab-1b docker, lab-1c libvirt); each instance's user data writes the
time it ran (`date +%s.%N`, or busybox's `adjtimex` where `date` has no %N)
to a file (process) or its console (every backend).
DescribeInstances runs against the EC2 servicer and model alone, in-process
over real gRPC, with 1,000 instances recorded and no data plane: a real region
could not host 1,000 process instances on this machine.
Writes bench/results/ec2-<UTC>.json and .md; figures are p50/p95 over all runs.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace

from azlab.cluster.config import ISOLATIONS
from azlab.cluster.sdk import Client
from azlab.ec2.v1 import ec2_pb2
from bench import results_stem

AZLAB = str(Path(sys.executable).with_name("azlab"))
USER_DATA = b'#!/bin/sh\ndate +%s.%N > "$HOME/started"\n'
# The time, to the microsecond, from GNU date or busybox (whose date has no %N).
NOW = ('if date +%N | grep -q N; then adjtimex | awk \'/tv_sec/ {s = $2} /tv_usec/ {u = $2} '
       'END {printf "%d.%06d", s, u}\'; else date +%s.%N; fi')
CONSOLE_USER_DATA = f'#!/bin/sh\necho "azlab-bench-started $({NOW})"\n'.encode()
STARTED = re.compile(r"azlab-bench-started (\d+\.\d+)")
REGION_CONFIG = """
[backends]
"lab-1a" = "process"
"lab-1b" = "docker"
"lab-1c" = "libvirt"
"""
# (backend, image, AZ whose hosts run it): each a row of "launch to user data started"; add a backend here.
BACKEND_LAUNCHES = (
    ("process", "ami-lab-minimal", "lab-1a"),
    ("docker", "ami-lab-docker", "lab-1b"),
)
BACKEND_LAUNCHES_PER_RUN = 5
POLL_S = 0.002
BOUND_S = 120.0
DESCRIBE_CALLS = 30


def percentiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0], ordered[0]
    cuts = statistics.quantiles(ordered, n=100, method="inclusive")
    return cuts[49], cuts[94]


def launch(client: Client, home: Path, count: int) -> tuple[list[float], list[float]]:
    """Seconds from the RunInstances call to `running`, and to user data started, for each instance."""
    started = time.time()
    reservation = client.ec2.RunInstances(ec2_pb2.RunInstancesRequest(
        image_id="ami-lab-minimal", instance_type="t1.micro", min_count=count, max_count=count,
        placement=ec2_pb2.Placement(availability_zone="lab-1a"), user_data=USER_DATA))
    ids = [i.instance_id for i in reservation.instances]
    running: dict[str, float] = {}
    deadline = started + BOUND_S
    while len(running) < count and time.time() < deadline:
        page = client.ec2.DescribeInstances(ec2_pb2.DescribeInstancesRequest(instance_ids=ids))
        now = time.time()
        for r in page.reservations:
            for i in r.instances:
                if i.state.name == "running" and i.instance_id not in running:
                    running[i.instance_id] = now - started
        time.sleep(POLL_S)
    markers = [home / "ec2" / "instances" / i / "root" / "started" for i in ids]

    def written(marker: Path) -> str:
        return marker.read_text().strip() if marker.exists() else ""

    while not all(written(m) for m in markers) and time.time() < deadline:
        time.sleep(0.01)
    user_data = [float(written(m)) - started for m in markers if written(m)]
    client.ec2.TerminateInstances(ec2_pb2.InstanceIdsRequest(instance_ids=ids))
    while time.time() < deadline:
        page = client.ec2.DescribeInstances(ec2_pb2.DescribeInstancesRequest(instance_ids=ids))
        if all(i.state.name == "terminated" for r in page.reservations for i in r.instances):
            break
        time.sleep(0.05)
    return list(running.values()), user_data


def bare_process(isolation: str) -> float:
    """The peer: the same user data as a bare process (in a new network namespace under netns)."""
    with tempfile.TemporaryDirectory() as scratch:
        marker = Path(scratch) / "started"
        prefix = ["unshare", "--net", "--mount", "--"] if isolation == "netns" else []
        began = time.time()
        subprocess.run([*prefix, "sh", "-c", f'date +%s.%N > "{marker}"'], check=True)
        return float(marker.read_text()) - began


def launch_to_console(client: Client, image: str, az: str) -> float | None:
    """Seconds from the RunInstances call to the time the user data printed on the console; None: never (bounded)."""
    started = time.time()
    reservation = client.ec2.RunInstances(ec2_pb2.RunInstancesRequest(
        image_id=image, instance_type="t1.micro", min_count=1, max_count=1,
        placement=ec2_pb2.Placement(availability_zone=az), user_data=CONSOLE_USER_DATA))
    [instance_id] = [i.instance_id for i in reservation.instances]
    seen = None
    while seen is None and time.time() < started + BOUND_S:
        output = client.ec2.GetConsoleOutput(ec2_pb2.GetConsoleOutputRequest(instance_id=instance_id)).output
        if match := STARTED.search(output):
            seen = float(match[1]) - started
        time.sleep(0.01)
    client.ec2.TerminateInstances(ec2_pb2.InstanceIdsRequest(instance_ids=[instance_id]))
    while time.time() < started + BOUND_S:
        page = client.ec2.DescribeInstances(ec2_pb2.DescribeInstancesRequest(instance_ids=[instance_id]))
        if all(i.state.name == "terminated" for r in page.reservations for i in r.instances):
            break
        time.sleep(0.05)
    return seen


def bare_peer(backend: str, isolation: str) -> float | None:
    """The same user data without azlab: a bare process, or `docker run` of the same image."""
    if backend == "process":
        return bare_process(isolation)
    if backend == "docker":
        began = time.time()
        done = subprocess.run(["docker", "run", "--rm", "--network", "none", "azlab/lab-docker:1", "sh", "-c",
                               f'echo "azlab-bench-started $({NOW})"'], capture_output=True, text=True)
        match = STARTED.search(done.stdout)
        return float(match[1]) - began if match else None
    return None


def region_figures(isolation: str, runs: int) -> dict[str, list[float]]:
    home = Path(tempfile.mkdtemp(prefix="azlab-bench-ec2-"))
    env = {**{k: v for k, v in os.environ.items() if k != "AZLAB_ENDPOINT"}, "AZLAB_HOME": str(home)}
    figures: dict[str, list[float]] = {k: [] for k in ("running_1", "user_data_1", "running_50", "user_data_50", "peer_1")}
    for backend, _, _ in BACKEND_LAUNCHES:
        figures[f"backend_{backend}"], figures[f"backend_{backend}_peer"] = [], []
    config = home / "region.toml"
    config.write_text(REGION_CONFIG)
    up = subprocess.run([AZLAB, "up", "--isolation", isolation, "--config", str(config)], env=env,
                        capture_output=True, text=True)
    if up.returncode != 0:
        raise RuntimeError(f"azlab up failed: {up.stderr[-2000:]}")
    try:
        with Client(json.loads(up.stdout)["Endpoint"]) as client:
            launch(client, home, 1)  # warm the agent and the page cache; not counted
            for run in range(runs):
                print(f"run {run + 1}/{runs}: count 1 x 10, count 50", file=sys.stderr, flush=True)
                for _ in range(10):
                    running, user_data = launch(client, home, 1)
                    figures["running_1"] += running
                    figures["user_data_1"] += user_data
                    figures["peer_1"].append(bare_process(isolation))
                running, user_data = launch(client, home, 50)
                figures["running_50"] += running
                figures["user_data_50"] += user_data
            for backend, image, az in BACKEND_LAUNCHES:
                if launch_to_console(client, image, az) is None:  # warm-up, not counted; None: it cannot boot here
                    print(f"{backend}: no instance of {image} booted; left out", file=sys.stderr)
                    continue
                for run in range(runs * BACKEND_LAUNCHES_PER_RUN):
                    print(f"{backend}: launch {run + 1}/{runs * BACKEND_LAUNCHES_PER_RUN}", file=sys.stderr, flush=True)
                    if (seen := launch_to_console(client, image, az)) is not None:
                        figures[f"backend_{backend}"].append(seen)
                    if (peer := bare_peer(backend, isolation)) is not None:
                        figures[f"backend_{backend}_peer"].append(peer)
    finally:
        subprocess.run([AZLAB, "down"], env=env, capture_output=True, text=True)
        shutil.rmtree(home, ignore_errors=True)
    return figures


def describe_figures() -> dict[str, list[float]]:
    """DescribeInstances over real gRPC against the servicer and model, with 1,000 instances recorded."""
    from azlab.cluster.ec2.model import Ec2Model, Host, RunInstancesSpec
    from azlab.cluster.ec2.servicer import Ec2Servicer
    from azlab.cluster.state import Store
    from azlab.ec2.v1 import ec2_pb2_grpc

    figures: dict[str, list[float]] = {"describe_1000": [], "describe_1000_paged": [], "model_1000": []}
    with tempfile.TemporaryDirectory() as scratch:
        azs = ("lab-1a", "lab-1b", "lab-1c")
        hosts = [Host(f"{az}/node-{n}", az, True) for az in azs for n in range(4)]
        model = Ec2Model(Store(Path(scratch) / "state.db"), azs, lambda: hosts, lambda az: f"10.{11 + azs.index(az)}",
                         "10.200.0", host_vcpus=1000, host_memory_mib=10**7)
        for az, count in zip(azs, (334, 333, 333), strict=True):
            model.run_instances(RunInstancesSpec("ami-lab-minimal", "t1.micro", count, count, az, tags={"Name": "bench"}))
        backend = SimpleNamespace(name="process", supports_security_groups=True, supports_addresses=True,
                                  metadata_endpoint=lambda spec: "http://169.254.169.254/")
        service = SimpleNamespace(model=model, backend=backend, backend_of=lambda i: backend, spec=lambda i: i,
                                  kick=lambda: None)

        async def serve_and_measure() -> None:
            import grpc

            server = grpc.aio.server()
            ec2_pb2_grpc.add_Ec2Servicer_to_server(Ec2Servicer(service), server)  # type: ignore[arg-type]
            port = server.add_insecure_port("127.0.0.1:0")
            await server.start()
            try:
                await asyncio.to_thread(measure, f"127.0.0.1:{port}")
            finally:
                await server.stop(None)

        def measure(endpoint: str) -> None:
            with Client(endpoint) as client:
                for _ in range(DESCRIBE_CALLS):
                    began = time.perf_counter()
                    page = client.ec2.DescribeInstances(ec2_pb2.DescribeInstancesRequest())
                    figures["describe_1000"].append(time.perf_counter() - began)
                    assert sum(len(r.instances) for r in page.reservations) == 1000
                    began = time.perf_counter()
                    request, seen = ec2_pb2.DescribeInstancesRequest(max_results=100), 0
                    while True:
                        page = client.ec2.DescribeInstances(request)
                        seen += sum(len(r.instances) for r in page.reservations)
                        if not page.next_token:
                            break
                        request.next_token = page.next_token
                    figures["describe_1000_paged"].append(time.perf_counter() - began)
                    assert seen == 1000
                    began = time.perf_counter()
                    model.describe_instances()
                    figures["model_1000"].append(time.perf_counter() - began)

        asyncio.run(serve_and_measure())
    return figures


VM_MARKER = "bench: user data ran"


def libvirt_figures(runs: int) -> tuple[dict[str, list[float]], str]:
    """The libvirt backend by itself (no region; loopback networking): seconds from `start()` to the user
    data's first line on the serial console, for a paravirtual and an hvm VM, `runs` each. The peer boots
    the same image with the same config drive under bare QEMU (no libvirt), timed from its launch to the
    same line. An hvm run's root disk is copied before the clock starts. Also says whether KVM or TCG ran them;
    ({}, why) when libvirt cannot run here."""
    from azlab.common.network import LoopbackNetwork
    from azlab.nodes.ec2 import libvirt as vm
    from azlab.common.ec2.compute import InstanceConfig, InstanceSpec, VolumeSpec

    if reason := vm.unavailable():
        return {}, f"libvirt rows skipped: {reason}"

    async def live(host: str, method: str) -> dict:  # the node agents' ping: the bench's one host is alive
        return {}
    images = Path(os.environ.get("AZLAB_HOME", Path.home() / ".azlab")) / "images"
    for kind in ("pv", "hvm"):
        subprocess.run(["bash", str(Path(__file__).resolve().parents[1] / "deploy/images/vm.sh"), kind, str(images)],
                       check=True)
    figures: dict[str, list[float]] = {k: [] for k in ("vm_pv", "vm_pv_peer", "vm_hvm", "vm_hvm_peer")}
    with tempfile.TemporaryDirectory(prefix="azlab-bench-vm-") as scratch:
        home = Path(scratch)
        (home / "images").symlink_to(images)
        backend = vm.LibvirtBackend(SimpleNamespace(call=live), home, LoopbackNetwork(), ("lab-1a",), "bench")
        accel = backend._accelerator()
        user_data = base64.b64encode(f"#!/bin/sh\necho {VM_MARKER}\n".encode()).decode()

        def console_has(path: Path) -> bool:
            return path.exists() and VM_MARKER in path.read_text(errors="replace")

        def wait_for(path: Path, began: float) -> float:
            while not console_has(path):
                if time.time() > began + BOUND_S:
                    raise RuntimeError(f"no user data on {path} within {BOUND_S:.0f} s")
                time.sleep(0.01)
            return time.time() - began

        for run in range(runs):
            for kind in ("pv", "hvm"):
                print(f"run {run + 1}/{runs}: {kind} VM and its bare QEMU peer", file=sys.stderr, flush=True)
                instance_id = f"i-0bench{kind}{run:08d}"
                root = None
                if kind == "hvm":
                    root_path = home / f"{instance_id}-root.img"
                    subprocess.run(["cp", "--sparse=always", str(images / "lab-hvm/disk.img"), str(root_path)], check=True)
                    root = VolumeSpec("vol-0benchroot", str(root_path), 1, "/dev/xvda", "gp2", 100, 3000)
                spec = InstanceSpec(
                    instance_id=instance_id, image_id=f"ami-lab-{kind}", instance_type="m3.medium", host="lab-1a/node-0",
                    az="lab-1a", private_ip="127.11.1.200", vcpus=1, memory_mib=3840, user_data=user_data,
                    virtualization_type="paravirtual" if kind == "pv" else "hvm",
                    kernel_location="lab-pv/vmlinuz", ramdisk_location="lab-pv/initrd.img", root_volume=root)
                began = time.time()
                asyncio.run(backend.start(spec, InstanceConfig()))
                try:
                    figures[f"vm_{kind}"].append(wait_for(backend.instance_dir(instance_id) / "console.log", began))
                finally:
                    asyncio.run(backend.destroy(spec))
                # The peer: the same image and config drive, bare QEMU.
                drive = backend._config_drive(spec, InstanceConfig())
                console = drive.parent / "peer-console.log"
                argv = ["qemu-system-x86_64", "-accel", "kvm" if accel.domain_type == "kvm" else "tcg",
                        "-m", str(vm.MEMORY_CAP_MIB), "-display", "none", "-monitor", "none", "-no-reboot",
                        "-serial", f"file:{console}", "-netdev", "user,id=n0"]
                if kind == "pv":
                    argv += ["-kernel", str(images / "lab-pv/vmlinuz"), "-initrd", str(images / "lab-pv/initrd.img"),
                             "-append", "console=ttyS0 panic=-1", "-device", "virtio-net-pci,netdev=n0",
                             "-drive", f"file={drive},if=virtio,format=raw,readonly=on"]
                else:
                    argv += ["-device", "e1000,netdev=n0", "-drive", f"file={root.path},if=ide,format=raw,index=0",
                             "-drive", f"file={drive},if=ide,media=cdrom,index=2"]
                began = time.time()
                with subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) as qemu:
                    try:
                        figures[f"vm_{kind}_peer"].append(wait_for(console, began))
                    finally:
                        qemu.kill()
                shutil.rmtree(drive.parent, ignore_errors=True)
                if root:
                    Path(root.path).unlink()
    return figures, f"libvirt VMs under {accel.detail}"


ROWS = (  # key, label, peer key, target in ms
    ("running_1", "RunInstances to running, count 1", "", 100),
    ("user_data_1", "RunInstances to user data started, count 1", "peer_1", None),
    ("running_50", "RunInstances to running, count 50 (each)", "", None),
    ("user_data_50", "RunInstances to user data started, count 50 (each)", "", None),
    ("vm_pv", "libvirt paravirtual VM: start to user data started", "vm_pv_peer", 6000),
    ("vm_hvm", "libvirt hvm VM: start to user data started", "vm_hvm_peer", None),
    ("describe_1000", "DescribeInstances, 1,000 instances, one call", "model_1000", None),
    ("describe_1000_paged", "DescribeInstances, 1,000 instances, pages of 100", "model_1000", None),
)


BACKEND_TARGETS_MS = {"docker": 1000}


def table(figures: dict[str, list[float]]) -> str:
    def cell(key: str) -> str:
        if not figures.get(key):
            return "-"
        p50, p95 = percentiles(figures[key])
        return f"{p50 * 1000:.1f} / {p95 * 1000:.1f} ms (n={len(figures[key])})"

    lines = ["| figure (p50 / p95) | azlab | peer | target |", "|---|---|---|---|"]
    rows = [*ROWS, *((f"backend_{b}", f"RunInstances to user data started, {b} backend ({image})", f"backend_{b}_peer",
                      BACKEND_TARGETS_MS.get(b)) for b, image, _ in BACKEND_LAUNCHES)]
    for key, label, peer, target in rows:
        lines.append(f"| {label} | {cell(key)} | {cell(peer) if peer else ''} | {f'< {target} ms' if target else ''} |")
    lines.append("\nPeers: a bare `sh` (in a new network namespace under netns) for user data; `docker run --rm` of the "
                 "same image for the docker backend; the model's own describe without gRPC for DescribeInstances; "
                 "bare QEMU booting the same image and config drive for the libvirt VMs.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench ec2", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of 10 single launches and one of 50 (default 3)")
    parser.add_argument("--isolation", choices=ISOLATIONS, default="loopback", help="netns needs root")
    parser.add_argument("--vm-runs", type=int, default=5, help="boots of each libvirt VM kind (pv, hvm); 0 skips them")
    parser.add_argument("--only-vms", action="store_true", help="only the libvirt VM rows (no region)")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    started = datetime.now(timezone.utc)
    figures, vms = libvirt_figures(args.vm_runs) if args.vm_runs else ({}, "no libvirt VMs")
    if not args.only_vms:
        figures |= {**describe_figures(), **region_figures(args.isolation, args.runs)}
    text = table(figures)
    meta = (f"{args.runs} run(s), isolation {args.isolation}, {vms}, {started:%Y-%m-%d %H:%M} UTC, "
            f"Python {platform.python_version()}, {platform.node()}")
    stem = results_stem("ec2", started)
    stem.with_suffix(".json").write_text(json.dumps({
        "started_at": started.isoformat(), "runs": args.runs, "isolation": args.isolation, "vms": vms,
        "p50_p95_s": {k: percentiles(v) for k, v in figures.items() if v}, "figures_s": figures}, indent=2) + "\n")
    stem.with_suffix(".md").write_text(f"# azlab bench: ec2\n\n{meta}\n\n{text}\n")
    print(f"{meta}\n\n{text}\n\nwritten to {stem}.json and .md")
    return 0

"""The machine agent: out-of-band management of one machine of a multi-machine lab.

It runs outside Ray (a systemd unit on a VM, a background process in a test
host) and does to its machine what chaos does to an AZ: kill every azlab and
Ray process (found by their AZLAB_TAG, and their descendants), cut or slow
the network with nftables and netem, and start the raylet again. It spares
itself, and a cut spares its own port, so the region can always undo what it
asked for: a real server's BMC keeps its management port the same way.

    azlab machine-agent --address 10.99.0.11 --process-tag lab-1b:ray \\
        --raylet-command 'systemctl start azlab-raylet'
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import subprocess

import grpc

from azlab.common import processes
from azlab.common.errors import UnsupportedOperation
from azlab.common.machines import MACHINE_PORT
from azlab.common.network import netem_missing, random_drop, run
from azlab.common.rpc import ErrorInterceptor
from azlab.machine.v1 import machine_pb2, machine_pb2_grpc

log = logging.getLogger(__name__)
CUT_TABLE, SLOW_TABLE = "azlab_machine_cut", "azlab_machine_slow"


class MachineManager:
    """What the agent does, synchronous; the servicer runs it in a thread."""

    def __init__(self, address: str, process_tag: str, raylet_command: str, port: int = MACHINE_PORT):
        self.address = address
        self.process_tag = process_tag
        self.raylet_command = raylet_command
        self.port = port

    def processes(self) -> list[int]:
        return processes.tagged(self.process_tag)

    def raylet_running(self) -> bool:
        return any(_is_raylet(pid) for pid in self.processes())

    def kill(self) -> int:
        return processes.kill_tagged(self.process_tag)

    def _tables(self) -> set[str]:
        out = run("nft", "list", "tables", check=False).stdout
        return {line.split()[-1] for line in out.splitlines() if line.startswith("table")}

    def cut(self) -> None:
        ruleset = (
            f"table inet {CUT_TABLE} {{\n"
            f"  chain input {{ type filter hook input priority -10; policy drop;\n"
            f'    iif "lo" accept\n    tcp dport {self.port} accept\n  }}\n'
            f"  chain output {{ type filter hook output priority -10; policy drop;\n"
            f'    oif "lo" accept\n    tcp sport {self.port} accept\n  }}\n'
            f"}}\n"
        )
        self._replace_table(CUT_TABLE, ruleset)

    def slow(self, latency_ms: int, loss_pct: float) -> None:
        interface = self._uplink()
        if latency_ms:
            if reason := netem_missing():
                raise UnsupportedOperation(f"cannot add latency on {self.address}: {reason}; loss alone works")
            # one direction only (egress) carries netem here, so it carries the whole round trip's delay
            run("tc", "qdisc", "replace", "dev", interface, "root", "netem", "delay", f"{latency_ms}ms")
        if loss_pct:
            drop = random_drop(loss_pct)
            ruleset = (
                f"table inet {SLOW_TABLE} {{\n"
                f"  chain input {{ type filter hook input priority -5; policy accept;\n"
                f'    iif "lo" accept\n    tcp dport {self.port} accept\n    {drop}\n  }}\n'
                f"  chain output {{ type filter hook output priority -5; policy accept;\n"
                f'    oif "lo" accept\n    tcp sport {self.port} accept\n    {drop}\n  }}\n'
                f"}}\n"
            )
            self._replace_table(SLOW_TABLE, ruleset)

    def heal(self) -> None:
        for table in (CUT_TABLE, SLOW_TABLE):
            run("nft", "delete", "table", "inet", table, check=False)
        run("tc", "qdisc", "del", "dev", self._uplink(), "root", check=False)

    def start_raylet(self) -> bool:
        """Run the raylet command unless a raylet runs; True when it started one."""
        if self.raylet_running():
            return False
        done = subprocess.run(["sh", "-c", self.raylet_command], capture_output=True, text=True,
                              start_new_session=True, timeout=300)
        if done.returncode != 0:
            raise RuntimeError(f"raylet command failed (exit {done.returncode}): {done.stderr.strip()[-500:]}")
        return True

    def describe(self) -> machine_pb2.DescribeMachineResponse:
        tables = self._tables()
        return machine_pb2.DescribeMachineResponse(
            address=self.address, processes=len(self.processes()), raylet_running=self.raylet_running(),
            network_cut=CUT_TABLE in tables, network_slowed=SLOW_TABLE in tables,
        )

    def _replace_table(self, table: str, ruleset: str) -> None:
        run("nft", "delete", "table", "inet", table, check=False)
        run("nft", "-f", "-", stdin=ruleset)

    def _uplink(self) -> str:
        """The interface that carries the machine's address."""
        out = run("ip", "-o", "-4", "addr", "show").stdout
        for line in out.splitlines():
            fields = line.split()
            if fields[3].split("/")[0] == self.address:
                return fields[1]
        raise RuntimeError(f"no interface carries {self.address}")


def _is_raylet(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip() == "raylet"
    except OSError:
        return False


class MachineServicer(machine_pb2_grpc.MachineServicer):
    def __init__(self, manager: MachineManager):
        self.manager = manager

    async def DescribeMachine(self, request, context):
        return await asyncio.to_thread(self.manager.describe)

    async def KillProcesses(self, request, context):
        return machine_pb2.KillProcessesResponse(processes_killed=await asyncio.to_thread(self.manager.kill))

    async def CutNetwork(self, request, context):
        await asyncio.to_thread(self.manager.cut)
        return machine_pb2.CutNetworkResponse()

    async def SlowNetwork(self, request, context):
        await asyncio.to_thread(self.manager.slow, request.latency_ms, request.loss_pct)
        return machine_pb2.SlowNetworkResponse()

    async def HealNetwork(self, request, context):
        await asyncio.to_thread(self.manager.heal)
        return machine_pb2.HealNetworkResponse()

    async def StartRaylet(self, request, context):
        return machine_pb2.StartRayletResponse(started=await asyncio.to_thread(self.manager.start_raylet))


async def serve(manager: MachineManager) -> None:
    server = grpc.aio.server(interceptors=[ErrorInterceptor()])
    machine_pb2_grpc.add_MachineServicer_to_server(MachineServicer(manager), server)
    if server.add_insecure_port(f"{manager.address}:{manager.port}") == 0:
        raise SystemExit(f"machine agent: cannot bind {manager.address}:{manager.port}")
    await server.start()
    log.info("machine agent serving on %s:%s", manager.address, manager.port)
    await server.wait_for_termination()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="azlab machine-agent", description=__doc__.splitlines()[0])
    parser.add_argument("--address", required=True, help="this machine's address on the lab network")
    parser.add_argument("--port", type=int, default=MACHINE_PORT)
    parser.add_argument("--process-tag", required=True, help="AZLAB_TAG prefix of this machine's azlab and Ray processes")
    parser.add_argument("--raylet-command", required=True, help="shell command that starts this machine's raylet")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    asyncio.run(serve(MachineManager(args.address, args.process_tag, args.raylet_command, args.port)))

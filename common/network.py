"""The AZ networks of DESIGN.md: where each host of the region lives and how an AZ is cut off.

`loopback`: AZ i is 127.(10+i).0.0/16 and the region node 127.10.0.1. Every
server binds its own address; nothing can be cut, so partition and slow are
unsupported.

`host`: a Ray cluster azlab joined (`azlab up --ray-address`); each node is
a machine on its own network, which azlab reaches through the machine agent
each machine runs (deploy/lab.sh starts it), where there is one.

`netns` (root): a namespace per host, a switch namespace per AZ holding the
AZ's bridge, and a router namespace joining the AZs and the region node (the
host's own namespace, on 10.10.0.1):

    root ns (region node, 10.10.0.1) ── router ns ──┬── az1 switch (br0) ── h0 ns 10.11.0.10, h1 ...
                                                     ├── az2 switch (br0) ── h0 ns 10.12.0.10
                                                     └── ...

The router's leg into an AZ (`az<i>` in the router namespace) is that AZ's
uplink: taking it down partitions the AZ while traffic inside the AZ still
flows; nftables drops (loss) and netem (latency, where the kernel has it) on
it slow the AZ.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from dataclasses import dataclass
from typing import Protocol

from azlab.common.errors import UnsupportedOperation
from azlab.common.machines import Machine

HOST_OFFSET = 10  # first host address in an AZ's subnet: .0.10
EIP_CIDR = "10.200.0.0/16"  # netns: Elastic IPs, translated by the router to the instance they are associated with
EIP_TABLE = "azlab_eips"


class AzNetwork(Protocol):
    isolation: str
    supports_partition: bool

    def setup(self) -> None:
        """Create the region's network. Idempotent: an existing part is kept."""

    def teardown(self) -> None:
        """Remove everything setup made. Succeeds when it is already gone."""

    def region_address(self) -> str: ...

    def hosts(self, az_index: int) -> int:
        """How many hosts (Ray nodes) the AZ has."""

    def host_address(self, az_index: int, host: int) -> str: ...

    def cidr(self, az_index: int) -> str: ...

    def host_command(self, az_index: int, host: int) -> list[str]:
        """The prefix that runs a command on the host's network."""

    def cut(self, az_index: int) -> None:
        """Take the AZ's uplink down: the AZ is unreachable from the rest of the region."""

    def heal(self, az_index: int) -> None:
        """Undo `cut` and `slow`. Succeeds when nothing was done."""

    def slow(self, az_index: int, latency_ms: int, loss_pct: float) -> None:
        """Add round-trip latency and per-direction loss on the AZ's uplink."""


@dataclass(frozen=True)
class LoopbackNetwork:
    hosts_per_az: int = 1
    isolation = "loopback"
    supports_partition = False

    def setup(self) -> None:
        pass  # all of 127.0.0.0/8 already routes to lo

    def teardown(self) -> None:
        pass

    def region_address(self) -> str:
        return "127.10.0.1"

    def hosts(self, az_index: int) -> int:
        return self.hosts_per_az

    def host_address(self, az_index: int, host: int) -> str:
        return f"127.{10 + az_index}.0.{HOST_OFFSET + host}"

    def cidr(self, az_index: int) -> str:
        return f"127.{10 + az_index}.0.0/16"

    def host_command(self, az_index: int, host: int) -> list[str]:
        return []

    def cut(self, az_index: int) -> None:
        raise UnsupportedOperation("this region uses loopback isolation, which cannot cut an AZ's network; use netns")

    def heal(self, az_index: int) -> None:
        pass

    def slow(self, az_index: int, latency_ms: int, loss_pct: float) -> None:
        raise UnsupportedOperation("this region uses loopback isolation, which cannot slow an AZ's network; use netns")


@dataclass(frozen=True)
class HostNetwork:
    """The machines' own network, as found in a joined cluster.

    Where every machine runs a machine agent (`machine_port`), cutting and
    slowing an AZ asks the agents of its machines; otherwise azlab cannot.
    """

    region_host: str
    az_hosts: tuple[tuple[str, ...], ...]
    machine_port: int = 0
    isolation = "host"

    @property
    def supports_partition(self) -> bool:
        return bool(self.machine_port)

    def machines(self, az_index: int) -> list[Machine]:
        if not self.machine_port:
            raise UnsupportedOperation("the machines of this joined cluster run no machine agent (deploy/lab.sh starts one)")
        return [Machine(host, self.machine_port) for host in self.az_hosts[az_index - 1]]

    def setup(self) -> None:
        pass

    def teardown(self) -> None:
        pass

    def region_address(self) -> str:
        return self.region_host

    def hosts(self, az_index: int) -> int:
        return len(self.az_hosts[az_index - 1])

    def host_address(self, az_index: int, host: int) -> str:
        return self.az_hosts[az_index - 1][host]

    def cidr(self, az_index: int) -> str:
        return ""  # the machines' own, not azlab's

    def host_command(self, az_index: int, host: int) -> list[str]:
        raise UnsupportedOperation("azlab runs nothing directly on the machines of a joined cluster")

    def cut(self, az_index: int) -> None:
        for machine in self.machines(az_index):
            machine.cut()

    def heal(self, az_index: int) -> None:
        if self.machine_port:
            for machine in self.machines(az_index):
                machine.heal()

    def slow(self, az_index: int, latency_ms: int, loss_pct: float) -> None:
        for machine in self.machines(az_index):
            machine.slow(latency_ms, loss_pct)


def run(*args: str, ns: str | None = None, check: bool = True, stdin: str | None = None) -> subprocess.CompletedProcess:
    """Run a network command, in namespace `ns` if given; a failure raises with its stderr."""
    cmd = (["ip", "netns", "exec", ns] if ns else []) + list(args)
    result = subprocess.run(cmd, capture_output=True, text=True, input=stdin)
    if check and result.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: {result.stderr.strip()}")
    return result




def netem_missing(ns: str | None = None) -> str | None:
    """None when the kernel has the netem qdisc, else why not (many VM kernels lack it)."""
    probe = run("tc", "qdisc", "replace", "dev", "lo", "root", "netem", "delay", "0ms", ns=ns, check=False)
    if probe.returncode != 0:
        return f"this kernel has no netem qdisc (CONFIG_NET_SCH_NETEM): {probe.stderr.strip()}"
    run("tc", "qdisc", "del", "dev", "lo", "root", ns=ns, check=False)
    return None


def random_drop(loss_pct: float) -> str:
    """An nftables statement dropping `loss_pct` percent of the packets it sees."""
    return "drop" if loss_pct >= 100 else f"numgen random mod 10000 < {round(loss_pct * 100)} drop"


@dataclass(frozen=True)
class NetnsNetwork:
    """Namespaces named azlab-<region_id>-*, so two homes never share one."""

    region_id: str
    az_count: int
    hosts_per_az: int
    isolation = "netns"
    supports_partition = True

    @staticmethod
    @functools.cache
    def available() -> str | None:
        """None when usable, else why not: root, the tools, and a real probe (a
        container's root may lack CAP_NET_ADMIN, a kernel nf_tables)."""
        if os.geteuid() != 0:
            return "netns isolation needs root"
        missing = [tool for tool in ("ip", "tc", "nft") if shutil.which(tool) is None]
        if missing:
            return f"netns isolation needs {', '.join(missing)} (iproute2, nftables)"
        probe = f"azlab-probe-{os.getpid()}"
        try:
            for cmd in (("ip", "netns", "add", probe), ("ip", "netns", "exec", probe, "nft", "list", "tables")):
                done = run(*cmd, check=False)
                if done.returncode != 0:
                    return f"netns isolation unavailable here: {' '.join(cmd)}: {done.stderr.strip()}"
        finally:
            run("ip", "netns", "del", probe, check=False)
        return None

    # names
    @property
    def router(self) -> str:
        return f"azlab-{self.region_id}-rt"

    def switch(self, az_index: int) -> str:
        return f"azlab-{self.region_id}-az{az_index}"

    def host_ns(self, az_index: int, host: int) -> str:
        return f"azlab-{self.region_id}-az{az_index}-h{host}"

    @property
    def uplink(self) -> str:
        return f"azl{self.region_id}"  # the region node's link into the router; 11 chars

    # addresses
    def region_address(self) -> str:
        return "10.10.0.1"

    def hosts(self, az_index: int) -> int:
        return self.hosts_per_az

    def host_address(self, az_index: int, host: int) -> str:
        return f"10.{10 + az_index}.0.{HOST_OFFSET + host}"

    def cidr(self, az_index: int) -> str:
        return f"10.{10 + az_index}.0.0/16"

    def _gateway(self, az_index: int) -> str:
        return f"10.{10 + az_index}.0.1"

    def gateway(self, az_index: int) -> str:
        """The AZ's router address, the default route of its hosts and instances."""
        return self._gateway(az_index)

    def route_eips(self, targets: dict[str, str]) -> None:
        """Make the router translate each Elastic IP to its instance's private address (and nothing else)."""
        rules = "".join(f"    ip daddr {eip} dnat to {private}\n" for eip, private in sorted(targets.items()))
        ruleset = (
            f"table ip {EIP_TABLE} {{}}\ndelete table ip {EIP_TABLE}\n"
            f"table ip {EIP_TABLE} {{\n  chain prerouting {{ type nat hook prerouting priority dstnat; policy accept;\n"
            f"{rules}  }}\n}}\n"
        )
        run("nft", "-f", "-", ns=self.router, stdin=ruleset)

    def host_command(self, az_index: int, host: int) -> list[str]:
        return ["ip", "netns", "exec", self.host_ns(az_index, host)]

    def _namespaces(self) -> set[str]:
        out = run("ip", "netns", "list").stdout
        return {line.split()[0] for line in out.splitlines() if line.strip()}

    def _add_ns(self, name: str, existing: set[str]) -> bool:
        if name in existing:
            return False
        run("ip", "netns", "add", name)
        run("ip", "link", "set", "lo", "up", ns=name)
        return True

    def setup(self) -> None:
        existing = self._namespaces()
        if self._add_ns(self.router, existing):
            run("sysctl", "-qw", "net.ipv4.ip_forward=1", ns=self.router)
            run("ip", "link", "add", self.uplink, "type", "veth", "peer", "name", "region", "netns", self.router)
            run("ip", "addr", "add", "10.10.0.1/16", "dev", self.uplink)
            run("ip", "link", "set", self.uplink, "up")
            run("ip", "addr", "add", "10.10.0.254/16", "dev", "region", ns=self.router)
            run("ip", "link", "set", "region", "up", ns=self.router)
        run("ip", "route", "replace", EIP_CIDR, "via", "10.10.0.254", "dev", self.uplink)
        for az in range(1, self.az_count + 1):
            run("ip", "route", "replace", self.cidr(az), "via", "10.10.0.254", "dev", self.uplink)
            switch = self.switch(az)
            if self._add_ns(switch, existing):
                run("ip", "link", "add", "br0", "type", "bridge", ns=switch)
                run("ip", "link", "set", "br0", "up", ns=switch)
                run("ip", "link", "add", f"az{az}", "netns", self.router, "type", "veth", "peer", "name", "rt", ns=switch)
                run("ip", "link", "set", "dev", "rt", "master", "br0", "up", ns=switch)
                run("ip", "addr", "add", f"{self._gateway(az)}/16", "dev", f"az{az}", ns=self.router)
                run("ip", "link", "set", f"az{az}", "up", ns=self.router)
            for host in range(self.hosts_per_az):
                host_ns = self.host_ns(az, host)
                if self._add_ns(host_ns, existing):
                    run("ip", "link", "add", f"h{host}", "type", "veth", "peer", "name", "eth0", "netns", host_ns, ns=switch)
                    run("ip", "link", "set", f"h{host}", "master", "br0", "up", ns=switch)
                    run("ip", "addr", "add", f"{self.host_address(az, host)}/16", "dev", "eth0", ns=host_ns)
                    run("ip", "link", "set", "eth0", "up", ns=host_ns)
                    run("ip", "route", "add", "default", "via", self._gateway(az), ns=host_ns)

    def teardown(self) -> None:
        for name in self._namespaces():
            if name.startswith(f"azlab-{self.region_id}-"):
                run("ip", "netns", "del", name, check=False)
        # deleting the router namespace destroyed the uplink's peer, and with it the uplink
        run("ip", "link", "del", self.uplink, check=False)

    def cut(self, az_index: int) -> None:
        run("ip", "link", "set", f"az{az_index}", "down", ns=self.router)

    def heal(self, az_index: int) -> None:
        run("nft", "delete", "table", "inet", f"azlab_slow_az{az_index}", ns=self.router, check=False)
        run("tc", "qdisc", "del", "dev", f"az{az_index}", "root", ns=self.router, check=False)
        run("tc", "qdisc", "del", "dev", "rt", "root", ns=self.switch(az_index), check=False)
        run("ip", "link", "set", f"az{az_index}", "up", ns=self.router)

    def slow(self, az_index: int, latency_ms: int, loss_pct: float) -> None:
        """Loss is dropped by nftables in the router, latency added by netem on the uplink."""
        if latency_ms:
            if reason := netem_missing(ns=self.router):
                raise UnsupportedOperation(f"cannot add latency: {reason}; loss alone works")
            # netem shapes egress only: half the latency on each end of the uplink
            # makes a round trip across it `latency_ms` longer.
            netem = ["netem", "delay", f"{latency_ms / 2:g}ms"]
            run("tc", "qdisc", "replace", "dev", f"az{az_index}", "root", *netem, ns=self.router)
            run("tc", "qdisc", "replace", "dev", "rt", "root", *netem, ns=self.switch(az_index))
        if loss_pct:
            table = f"azlab_slow_az{az_index}"
            drop = random_drop(loss_pct)
            ruleset = (
                f"table inet {table} {{\n"
                f"  chain forward {{ type filter hook forward priority 0; policy accept;\n"
                f'    iifname "az{az_index}" {drop}\n'
                f'    oifname "az{az_index}" {drop}\n'
                f"  }}\n}}\n"
            )
            run("nft", "delete", "table", "inet", table, ns=self.router, check=False)
            run("nft", "-f", "-", ns=self.router, stdin=ruleset)

"""The init of a process-backend instance: `python -m azlab.nodes.ec2.instance <instance dir>`.

Run by the node agent of the instance's host (so it carries the AZ's process
tag, and a kill-az kills it). Under netns isolation it starts inside a fresh
network namespace (`unshare --net`) that lives exactly as long as the
instance's processes. It then, in order:

1. puts itself into cgroups holding the type's vCPUs and memory (v2, else v1,
   else it says why not);
2. plugs its namespace into the AZ's bridge with the instance's address
   (netns), or uses its own address in the AZ's loopback range (loopback);
3. applies its security groups with nftables (netns) and serves the instance
   metadata service on 169.254.169.254:80 (netns) or on its own address;
4. writes the key pair into `root/.ssh/authorized_keys` and runs the user data
   as its boot script, its output going to the console (this process's stdout);
5. follows `config.json` (security groups, spot notice, public address), which
   the controller replaces while the instance runs.

On SIGTERM it stops every process of the instance and exits. Stdlib only, to
boot fast.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import ctypes
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from azlab.nodes.ec2 import firewall

METADATA_ADDRESS = "169.254.169.254"
CONFIG_POLL_S = 0.1
PR_SET_CHILD_SUBREAPER = 36
KEEP_ENV = ("PATH", "LANG", "LC_ALL", "TZ", "AZLAB_TAG")  # AZLAB_TAG: a kill-az finds the instance's processes by it


CONSOLE: Path | None = None  # the instance's console log; stdout too, for the node's own log


def log(message: str) -> None:
    line = f"[{time.strftime('%H:%M:%S')}] azlab-init: {message}\n"
    try:
        print(line, end="", flush=True)
    except OSError:
        pass  # nobody reads stdout any more; the console file still has it
    if CONSOLE is not None:
        with CONSOLE.open("a") as console:
            console.write(line)


def run(*cmd: str, ns: str | None = None, stdin: str | None = None, check: bool = True) -> subprocess.CompletedProcess:
    argv = (["ip", "netns", "exec", ns] if ns else []) + list(cmd)
    done = subprocess.run(argv, capture_output=True, text=True, input=stdin)
    if check and done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)}: {done.stderr.strip()}")
    return done


class Cgroups:
    """The instance's cgroups: v2 where the unified hierarchy has cpu and memory, else v1's cpu and memory."""

    ROOT = Path("/sys/fs/cgroup")
    PERIOD_US = 100_000

    def __init__(self, name: str):
        self.name = name
        self.dirs: list[Path] = []
        self.origins: list[Path] = []
        self.detail = ""

    @staticmethod
    def _memberships() -> list[tuple[str, str, str]]:
        """(hierarchy id, controllers, path) of this process, from /proc/self/cgroup."""
        return [tuple(line.split(":", 2)) for line in Path("/proc/self/cgroup").read_text().splitlines()]  # type: ignore[misc]

    def mount(self) -> None:
        """Mount the host's cpu and memory hierarchies at /sys/fs/cgroup, for an init in a mount namespace of
        its own whose /sys has none (`ip netns exec` remounts /sys). The instance then sees them too."""
        if self._hierarchies():
            return
        wanted = [c for _, c, _ in self._memberships() if set(c.split(",")) & {"cpu", "memory"}]
        if wanted:
            run("mount", "-t", "tmpfs", "cgroup-root", str(self.ROOT))
            for controllers in wanted:
                (self.ROOT / controllers).mkdir(exist_ok=True)
                run("mount", "-t", "cgroup", "-o", controllers, "cgroup", str(self.ROOT / controllers))
        elif any(hid == "0" for hid, _, _ in self._memberships()):
            run("mount", "-t", "cgroup2", "cgroup2", str(self.ROOT))

    @classmethod
    def _hierarchies(cls) -> dict[str, Path]:
        """{"": root} for v2, {"cpu": dir, "memory": dir} for v1, {} when the host has neither."""
        unified = cls.ROOT / "cgroup.controllers"
        if unified.exists() and {"cpu", "memory"} <= set(unified.read_text().split()):
            return {"": cls.ROOT}
        v1 = {}
        for directory in cls.ROOT.iterdir() if cls.ROOT.is_dir() else ():
            for controller in set(directory.name.split(",")) & {"cpu", "memory"}:
                if (directory / "cgroup.procs").exists():
                    v1[controller] = directory
        return v1 if len(v1) == 2 else {}

    def enter(self, vcpus: int, memory_mib: int) -> bool:
        quota = vcpus * self.PERIOD_US
        memory = memory_mib * 1024 * 1024
        try:
            hierarchies = self._hierarchies()
            if "" in hierarchies:
                group = self.ROOT / self.name
                group.mkdir(parents=True, exist_ok=True)
                (group / "cpu.max").write_text(f"{quota} {self.PERIOD_US}")
                (group / "memory.max").write_text(str(memory))
                self.dirs, self.detail = [group], "cgroup v2"
            elif hierarchies:
                cpu, mem = hierarchies["cpu"] / self.name, hierarchies["memory"] / self.name
                cpu.mkdir(parents=True, exist_ok=True)
                mem.mkdir(parents=True, exist_ok=True)
                (cpu / "cpu.cfs_period_us").write_text(str(self.PERIOD_US))
                (cpu / "cpu.cfs_quota_us").write_text(str(quota))
                (mem / "memory.limit_in_bytes").write_text(str(memory))
                self.dirs, self.detail = [cpu, mem], "cgroup v1"
            else:
                self.detail = "no cgroup cpu and memory controllers on this host"
                return False
            self.origins = [self._current(group) for group in self.dirs]
            for group in self.dirs:
                (group / "cgroup.procs").write_text(str(os.getpid()))
            return True
        except (OSError, RuntimeError) as e:
            self.dirs, self.detail = [], f"cannot use cgroups here: {getattr(e, 'strerror', None) or e}"
            return False

    def _current(self, group: Path) -> Path:
        """The cgroup this process is in now, in the hierarchy of `group` (<hierarchy>/azlab-<region>/<instance>)."""
        hierarchy = group.parent.parent
        for hid, controllers, path in self._memberships():
            if (hierarchy == self.ROOT and hid == "0") or controllers == hierarchy.name:
                return hierarchy / path.lstrip("/")
        return hierarchy

    def pids(self) -> set[int]:
        found: set[int] = set()
        for group in self.dirs:
            try:
                found |= {int(p) for p in (group / "cgroup.procs").read_text().split()}
            except OSError:
                pass
        return found

    @classmethod
    def remove_tree(cls, name: str) -> None:
        """Remove group `name` and its children in every hierarchy where they are empty (a group that still
        holds a process stays: the kernel refuses)."""
        for hierarchy in {h.resolve() for h in cls._hierarchies().values()}:
            group = hierarchy / name
            for child in [c for c in group.iterdir() if c.is_dir()] if group.is_dir() else []:
                with contextlib.suppress(OSError):
                    child.rmdir()
            with contextlib.suppress(OSError):
                group.rmdir()

    def remove(self) -> None:
        """Move this process back where it came from, then remove the (now empty) instance groups."""
        for origin in self.origins:
            try:
                (origin / "cgroup.procs").write_text(str(os.getpid()))
            except OSError:
                pass
        for group in self.dirs:
            for empty in (group, group.parent):  # the region's parent too, once its last instance is gone
                try:
                    empty.rmdir()
                except OSError:
                    break


class Instance:
    def __init__(self, directory: Path):
        self.dir = directory
        self.spec = json.loads((directory / "spec.json").read_text())
        self.root = directory / "root"
        self.cgroups = Cgroups(self.spec["cgroup"])
        self.config: dict = {}
        self.config_mtime = 0.0
        self.boot_script: asyncio.subprocess.Process | None = None
        self.netns = self.spec["isolation"] == "netns"

    # 1-2: resources and network
    def plug_network(self) -> None:
        spec = self.spec
        if not self.netns:
            return
        switch, veth = spec["switch_ns"], spec["veth"]
        run("ip", "link", "del", veth, ns=switch, check=False)  # left by a killed earlier boot
        run("ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", str(os.getpid()), ns=switch)
        run("ip", "link", "set", veth, "master", "br0", "up", ns=switch)
        run("ip", "link", "set", "lo", "up")
        run("ip", "addr", "add", f"{spec['private_ip']}/{spec['prefix_len']}", "dev", "eth0")
        run("ip", "link", "set", "eth0", "up")
        run("ip", "route", "add", "default", "via", spec["gateway"])
        run("ip", "addr", "add", f"{METADATA_ADDRESS}/32", "dev", "lo")

    def apply_config(self) -> None:
        """Pick up a new config.json; firewall changes land in the namespace at once."""
        path = self.dir / "config.json"
        try:
            mtime = path.stat().st_mtime
            if mtime == self.config_mtime:
                return
            config = json.loads(path.read_text())
        except (OSError, ValueError):
            return
        if self.netns and config.get("firewall") != self.config.get("firewall"):
            try:
                run("nft", "-f", "-", stdin=firewall.ruleset(config.get("firewall") or {}))
                log("security groups applied")
            except RuntimeError as e:
                if not self.config_mtime:
                    raise  # no rules at boot: better no instance than an unfiltered one
                log(f"security groups not applied, the earlier ones stay: {e}")
                return
        if config.get("spot_action") and not self.config.get("spot_action"):
            log(f"spot interruption notice: {config['spot_action']}")
        self.config, self.config_mtime = config, mtime

    # 3: metadata
    def metadata(self, path: str) -> str | None:
        spec, meta = self.spec, self.spec["metadata"]
        tree = {
            "ami-id": meta["ami-id"], "ami-launch-index": str(meta["ami-launch-index"]),
            "instance-id": meta["instance-id"], "instance-type": meta["instance-type"],
            "local-ipv4": spec["private_ip"], "local-hostname": meta["local-hostname"], "hostname": meta["local-hostname"],
            "placement/availability-zone": meta["availability-zone"], "placement/region": meta["region"],
            "reservation-id": meta["reservation-id"], "security-groups": "\n".join(meta["security-groups"]),
        }
        if public := self.config.get("public_ip"):
            tree["public-ipv4"] = public
        for index, (name, key) in enumerate(sorted(meta["public-keys"].items())):
            tree[f"public-keys/{index}"] = f"{index}={name}"
            tree[f"public-keys/{index}/openssh-key"] = key
        if action := self.config.get("spot_action"):
            tree["spot/instance-action"] = json.dumps(action)
            tree["spot/termination-time"] = action["time"]
        path = path.strip("/")
        if path == "latest/user-data":
            return self.user_data().decode(errors="replace") if self.user_data() else None
        if path in ("latest/meta-data", "latest/meta-data/"):
            return "\n".join(sorted({k.split("/")[0] + ("/" if "/" in k else "") for k in tree}))
        key = path.removeprefix("latest/meta-data/")
        if not path.startswith("latest/meta-data/"):
            return None
        if key in tree:
            return tree[key]
        children = sorted({k[len(key) + 1:].split("/")[0] for k in tree if k.startswith(key + "/")})
        return "\n".join(children) if children else None

    def user_data(self) -> bytes:
        return base64.b64decode(self.spec["user_data"])

    async def serve_metadata(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """IMDS over HTTP/1.0: GET answers; PUT /latest/api/token hands out a token (IMDSv2's first step)."""
        try:
            request = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
            method, target = request.split(b" ", 2)[:2]
            path = target.decode().split("?")[0]
            if method == b"PUT" and path == "/latest/api/token":
                status, body = "200 OK", "azlab-imds-token"
            elif method == b"GET" and (answer := self.metadata(path)) is not None:
                status, body = "200 OK", answer
            else:
                status, body = "404 Not Found", "Not Found"
            data = body.encode()
            writer.write(f"HTTP/1.0 {status}\r\nContent-Type: text/plain\r\nContent-Length: {len(data)}\r\n\r\n".encode() + data)
            await writer.drain()
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, asyncio.TimeoutError, ValueError, ConnectionError):
            pass
        finally:
            writer.close()

    # 4: boot
    def prepare_root(self) -> None:
        first_boot = not self.root.exists()
        self.root.mkdir(parents=True, exist_ok=True)
        if first_boot and (source := self.spec.get("root_source")) and Path(source).is_dir():
            shutil.copytree(source, self.root, dirs_exist_ok=True, symlinks=True)
            log(f"root files copied from {self.spec['image_id']}")
        ssh = self.root / ".ssh"
        ssh.mkdir(mode=0o700, exist_ok=True)
        keys = self.spec["metadata"]["public-keys"]
        (ssh / "authorized_keys").write_text("".join(f"{key} {name}\n" for name, key in sorted(keys.items())))
        (ssh / "authorized_keys").chmod(0o600)

    async def boot(self) -> None:
        data = self.user_data()
        if not data:
            log("no user data")
            return
        script = self.dir / "user-data"
        script.write_bytes(data)
        script.chmod(0o700)
        argv = [str(script)] if data.startswith(b"#!") else ["/bin/sh", str(script)]
        env = {k: v for k, v in os.environ.items() if k in KEEP_ENV}
        env.update(HOME=str(self.root), AZLAB_INSTANCE_ID=self.spec["instance_id"],
                   AZLAB_PRIVATE_IP=self.spec["private_ip"],
                   AWS_EC2_METADATA_SERVICE_ENDPOINT=self.spec["metadata_endpoint"])
        with (self.dir / "console.log").open("ab") as console:
            self.boot_script = await asyncio.create_subprocess_exec(
                *argv, cwd=self.root, env=env, stdin=subprocess.DEVNULL, stdout=console, stderr=subprocess.STDOUT)
        log(f"user data started (pid {self.boot_script.pid})")

    def write_status(self, limits: dict) -> None:
        status = {"pid": os.getpid(), "booted_at": time.time(), "limits": limits}
        scratch = self.dir / ".status.json"
        scratch.write_text(json.dumps(status))
        os.replace(scratch, self.dir / "status.json")

    def stop_everything(self) -> None:
        """Every process of the instance but this one: its cgroup's members, and its descendants."""
        me = os.getpid()
        for _ in range(50):
            victims = (self.cgroups.pids() | descendants(me)) - {me}
            victims = {p for p in victims if alive(p)}
            if not victims:
                break
            for pid in victims:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.02)

    def reap_orphans(self) -> None:
        """As subreaper this process inherits the instance's orphans; it reaps them (asyncio reaps the boot script)."""
        keep = self.boot_script.pid if self.boot_script else None
        for child in children_of(os.getpid()):
            if child != keep:
                try:
                    os.waitpid(child, os.WNOHANG)
                except ChildProcessError:
                    pass

    async def main(self) -> None:
        # Orphans of the instance stay in its tree, so stopping it finds every one.
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1)
        stopping = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stopping.set)
        log(f"booting {self.spec['instance_id']} ({self.spec['metadata']['instance-type']}) on {self.spec['host']}")
        try:
            if self.spec["own_mounts"]:
                self.cgroups.mount()
            enforced = self.cgroups.enter(self.spec["vcpus"], self.spec["memory_mib"])
            log(f"limits: {self.spec['vcpus']} vCPU, {self.spec['memory_mib']} MiB: "
                + (f"enforced by {self.cgroups.detail}" if enforced else f"not enforced ({self.cgroups.detail})"))
            self.plug_network()
            self.apply_config()
            host, port = self.spec["metadata_bind"]
            server = await asyncio.start_server(self.serve_metadata, host, port)
            log(f"network up: {self.spec['private_ip']}; metadata at {self.spec['metadata_endpoint']}")
            self.prepare_root()
            await self.boot()
            self.write_status({"enforced": enforced, "detail": self.cgroups.detail})
            while not stopping.is_set():
                self.apply_config()
                self.reap_orphans()
                try:
                    await asyncio.wait_for(stopping.wait(), CONFIG_POLL_S)
                except asyncio.TimeoutError:
                    pass
            log("shutting down")
            server.close()
        finally:  # a failed boot leaves nothing running either
            self.stop_everything()
            self.cgroups.remove()


def process_tree() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    return children


def children_of(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return process_tree().get(pid, [])


def descendants(root: int) -> set[int]:
    children = process_tree()
    found, todo = set(), [root]
    while todo:
        for child in children.get(todo.pop(), ()):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


if __name__ == "__main__":
    CONSOLE = Path(sys.argv[1]) / "console.log"
    asyncio.run(Instance(Path(sys.argv[1])).main())

"""The `docker` backend: an instance is a container of its image, on its AZ's network.

The image is a local one (`ami-lab-docker` is `azlab/lab-docker:1`, built by
`deploy/images/build.sh docker` from busybox-static; no registry is used).
Its init runs the user data as the boot script at every boot; its output is
the console (`docker logs`). A container is named `azlab-<region id>-<instance>`
and labelled `azlab.region`, `azlab.instance`, `azlab.az`, `azlab.host`, so
`describe` reads the daemon, and a restarted controller re-adopts what runs.
Its vCPUs and memory are the container's `nano_cpus` and `mem_limit`.

Network: under netns isolation each AZ has a Docker macvlan network on a veth
leg of the AZ's bridge (subnet, gateway and router the AZ's own), and the
container takes the instance's private address on it, so it answers from
every AZ as a process instance does; under loopback isolation the container
shares the host's network and binds its own 127.(10+i).1.x address
(`AZLAB_PRIVATE_IP` in its environment).

Volumes (`supports_block_devices` False): an attached volume is its ext4
filesystem, loop-mounted on the host by the host's node agent (see
`volumes.py`) under the instance's directory, which the container bind-mounts
at /mnt with slave propagation: a volume attached while it runs appears at
/mnt/<device name> (e.g. /mnt/xvdf) without a restart. IOPS are not enforced.

This backend runs on its host, in the host's node agent (nodes/ec2/backends.py),
and talks to that machine's dockerd; the host's files and mounts are the
agent's own. A multi-machine lab also needs the region's storage shared (images,
snapshots), and evicting a killed machine's containers needs that machine
(its machine agent); until then those are for one machine.

Limitations: no instance metadata service (AWS_EC2_METADATA_SERVICE_ENDPOINT
is unset; instance id and address are in the environment), security groups
and Elastic IPs are recorded but not enforced, no key pairs inside (busybox
has no sshd), no spot notice inside; a container stopped keeps its root
filesystem (as an EBS-backed root does); kill-az destroys the AZ's containers
and kill-node a host's (`evict`), and restore-az boots them again from their
image; IMDS-less user
data has no `date +%N` (busybox): `adjtimex` gives microseconds.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from azlab.common.network import AzNetwork, NetnsNetwork, run
from azlab.common.ec2 import volumes
from azlab.common.ec2.compute import BackendInstance, InstanceConfig, InstanceSpec, LaunchFailed, Traits, VolumeSpec
from azlab.nodes.ec2.backends import on_machine

log = logging.getLogger(__name__)
IMAGE = "azlab/lab-docker:1"
CONSOLE_BYTES = 64 * 1024
STOP_GRACE_S = 5  # as the process backend's agents give
DOCKERD_START_S = 30.0
HOST_CHORE_S = 120.0  # mkfs of a large volume, a copy


def dockerd_missing() -> str | None:
    """None when a Docker daemon answers here, else why not."""
    try:
        import docker
    except ImportError:
        return "the docker backend needs the Python package `docker`"
    try:
        docker.from_env(timeout=5).ping()
    except Exception as e:
        return f"no Docker daemon answers ({type(e).__name__}); `make daemons` starts one as root"
    return None


def start_dockerd(log_dir: Path) -> str | None:
    """Start dockerd unless one runs; None once it answers, else why not. Idempotent.

    Without its iptables rules and docker0: azlab's instances use networks azlab makes (macvlan on the AZ
    bridges, or the host's), so Docker need not touch this machine's nftables."""
    if dockerd_missing() is None:
        return None
    if shutil.which("dockerd") is None:
        return "dockerd is not installed (deploy/install-system-packages.sh installs docker.io)"
    if os.geteuid() != 0:
        return "starting dockerd needs root"
    log_dir.mkdir(parents=True, exist_ok=True)
    with (log_dir / "dockerd.log").open("ab") as out:
        subprocess.Popen(["dockerd", "--iptables=false", "--ip6tables=false", "--bridge=none"],
                         stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                         env={k: v for k, v in os.environ.items() if not k.startswith("AZLAB_")})  # not the region's
    deadline = time.monotonic() + DOCKERD_START_S
    while (why := dockerd_missing()) and time.monotonic() < deadline:
        time.sleep(0.2)
    return why and f"dockerd did not start: {why} (see {log_dir / 'dockerd.log'})"


def build_image(home: Path) -> str | None:
    """Build `azlab/lab-docker:1` with deploy/images/build.sh when it is missing; None once it exists."""
    import docker

    client = docker.from_env()
    try:
        client.images.get(IMAGE)
        return None
    except docker.errors.ImageNotFound:
        pass
    script = Path(__file__).resolve().parents[2] / "deploy" / "images" / "build.sh"
    if not script.exists():
        return f"no image {IMAGE} and no {script} to build it (run deploy/images/build.sh docker from the source tree)"
    done = subprocess.run(["bash", str(script), "docker", str(home / "images")], capture_output=True, text=True)
    try:
        client.images.get(IMAGE)
        return None
    except docker.errors.ImageNotFound:
        return f"building {IMAGE} failed: {done.stderr.strip()[-500:]}"


def remove_region(region_id: str, home: Path) -> int:
    """Remove every container and network of the region, and its volumes' mounts (for `azlab down`);
    how many containers. Succeeds when there is no daemon."""
    if dockerd_missing():
        return 0
    import docker

    client = docker.from_env()
    removed = 0
    # ignore_removed: a container removed between docker's list and its inspect is not an error here
    for container in client.containers.list(all=True, ignore_removed=True,
                                            filters={"label": f"azlab.region={region_id}"}):
        try:
            container.remove(force=True)
            removed += 1
        except docker.errors.NotFound:
            pass
    for network in client.networks.list(filters={"label": f"azlab.region={region_id}"}):
        try:
            network.remove()
        except docker.errors.APIError:
            pass
    subprocess.run(volumes.command(volumes.UNMOUNT, volumes.mounts(home), "lazy"), capture_output=True)
    return removed


class DockerBackend(Traits):
    name = "docker"

    def __init__(self, agents, home: Path, network: AzNetwork, azs: tuple[str, ...], region_id: str):
        import docker  # here: a missing package disables only this backend (the service says so)

        self._docker = docker
        self.agents = agents
        self.home = home
        self.network = network
        self.azs = azs
        self.region_id = region_id
        self.netns = isinstance(network, NetnsNetwork)
        self._client: Any = None
        self._networks: set[str] = set()  # AZ networks known to exist, this controller's lifetime

    @property
    def client(self):
        if self._client is None:
            self._client = self._docker.from_env(timeout=30)
        return self._client

    def container_name(self, instance_id: str) -> str:
        return f"azlab-{self.region_id}-{instance_id}"

    # the AZ's network
    def _network_name(self, az: str) -> str:
        return f"azlab-{self.region_id}-az{self.azs.index(az) + 1}"

    def _ensure_network(self, az: str) -> str:
        """The AZ's macvlan network, on a veth leg of the AZ's bridge (made once; kept until `azlab down`)."""
        assert isinstance(self.network, NetnsNetwork)
        name = self._network_name(az)
        if name in self._networks:
            return name
        index = self.azs.index(az) + 1
        leg = f"azd{self.region_id}a{index}"  # 13 characters: within the kernel's 15
        # the leg is dockerd's, in its namespace; its peer joins the AZ's bridge
        if run(*on_machine(["ip", "link", "show", leg], "dockerd"), check=False).returncode != 0:
            run(*on_machine(["ip", "link", "add", leg, "type", "veth", "peer", "name", "docker",
                             "netns", self.network.switch(index)], "dockerd"))
            run("ip", "link", "set", "docker", "master", "br0", "up", ns=self.network.switch(index))
        run(*on_machine(["ip", "link", "set", leg, "up"], "dockerd"))
        try:
            self.client.networks.get(name)
        except self._docker.errors.NotFound:
            pool = self._docker.types.IPAMPool(subnet=self.network.cidr(index), gateway=self.network.gateway(index))
            self.client.networks.create(
                name, driver="macvlan", options={"parent": leg, "macvlan_mode": "bridge"},
                ipam=self._docker.types.IPAMConfig(pool_configs=[pool]), labels={"azlab.region": self.region_id})
        self._networks.add(name)
        return name

    def _container(self, instance_id: str):
        try:
            return self.client.containers.get(self.container_name(instance_id))
        except self._docker.errors.NotFound:
            return None

    # host chores, through the host's node agent
    async def _on_host(self, host: str, script: str, *args) -> None:
        done = await self.agents.call(host, "run_command", volumes.command(script, *args), HOST_CHORE_S,
                                      timeout_s=HOST_CHORE_S + 5)
        if done["returncode"] != 0:
            raise RuntimeError(f"on {host}: {done['output'].strip()[-500:]}")

    def _mount_point(self, spec: InstanceSpec, volume: VolumeSpec | None = None) -> Path:
        return volumes.mount_point(self.home, spec.instance_id, volume.device if volume else "")

    # the contract
    async def start(self, spec: InstanceSpec, config: InstanceConfig) -> None:
        await self._on_host(spec.host, volumes.SHARE, volumes.mounts(self.home), self._mount_point(spec))
        for volume in spec.volumes:
            await self._on_host(spec.host, volumes.MOUNT, volume.path, self._mount_point(spec, volume))
        await asyncio.to_thread(self._start, spec)

    def _start(self, spec: InstanceSpec) -> None:
        container = self._container(spec.instance_id)
        if container is not None and container.labels.get("azlab.host") != spec.host:
            container.remove(force=True)  # left on another host by an earlier boot
            container = None
        if container is None:
            container = self._create(spec)
        if container.status != "running":
            try:
                container.start()
            except Exception:
                container.remove(force=True)  # a start that fails leaves nothing
                raise

    def _create(self, spec: InstanceSpec):
        api = self.client.api
        image = spec.image_location or IMAGE
        try:
            self.client.images.get(image)
        except self._docker.errors.ImageNotFound:
            # as libvirt's missing kernel: no start will boot it until the image is built
            raise LaunchFailed("Server.InternalError", f"{spec.image_id} cannot boot on this lab: no docker image "
                               f"{image} on this host; build it with `make images` "
                               f"(deploy/images/build.sh docker $AZLAB_HOME/images)") from None
        mounts = [self._docker.types.Mount("/mnt", str(self._mount_point(spec)), type="bind", propagation="rslave")]
        host_config = api.create_host_config(
            nano_cpus=spec.vcpus * 10**9, mem_limit=f"{spec.memory_mib}m", mounts=mounts,
            network_mode=self._network_name(spec.az) if self.netns else "host")
        networking = None
        if self.netns:
            name = self._ensure_network(spec.az)
            networking = api.create_networking_config({name: api.create_endpoint_config(ipv4_address=spec.private_ip)})
        environment = {
            "AZLAB_INSTANCE_ID": spec.instance_id, "AZLAB_INSTANCE_TYPE": spec.instance_type, "AZLAB_HOST": spec.host,
            "AZLAB_PRIVATE_IP": spec.private_ip, "AZLAB_AVAILABILITY_ZONE": spec.az,
            "AZLAB_USER_DATA": spec.user_data,  # base64; the init writes it to /var/lib/cloud/user-data
        }
        labels = {"azlab.region": self.region_id, "azlab.instance": spec.instance_id, "azlab.az": spec.az,
                  "azlab.host": spec.host}
        created = api.create_container(
            image, name=self.container_name(spec.instance_id), hostname=f"ip-{spec.private_ip.replace('.', '-')}",
            environment=environment, labels=labels, host_config=host_config, networking_config=networking,
            stop_signal="SIGTERM")
        return self.client.containers.get(created["Id"])

    async def stop(self, spec: InstanceSpec) -> None:
        await asyncio.to_thread(self._stop, spec.instance_id)
        await self._on_host(spec.host, volumes.UNMOUNT, self._mount_point(spec))

    def _stop(self, instance_id: str) -> None:
        if (container := self._container(instance_id)) is not None:
            container.stop(timeout=STOP_GRACE_S)

    async def reboot(self, spec: InstanceSpec, config: InstanceConfig) -> None:
        await self.stop(spec)
        await self.start(spec, config)

    async def destroy(self, spec: InstanceSpec) -> None:
        await asyncio.to_thread(self._remove, spec.instance_id)
        await self._on_host(spec.host, volumes.UNMOUNT, self._mount_point(spec))

    def _remove(self, instance_id: str) -> None:
        if (container := self._container(instance_id)) is not None:
            try:
                container.remove(force=True)
            except self._docker.errors.NotFound:
                pass

    async def describe(self, host: str) -> dict[str, BackendInstance]:
        await self.agents.call(host, "ping")  # a dead host runs nothing we could act on: NodeUnreachable
        found = await asyncio.to_thread(self.client.containers.list, all=True, ignore_removed=True, filters={
            "label": [f"azlab.region={self.region_id}", f"azlab.host={host}"]})
        limits = {"enforced": True, "detail": "docker (nano_cpus, mem_limit)"}
        return {c.labels["azlab.instance"]: BackendInstance(c.labels["azlab.instance"], c.status == "running",
                                                            c.status == "running", limits) for c in found}

    async def evict(self, az: str, host: str | None = None) -> None:
        """Destroy every instance of `az` (of `host` alone when given) at once, no grace; succeeds when there are
        none. Called on kill-az and kill-node: a container is dockerd's child, not the node's, so the node's
        process tag does not find it. Runs through a live host other than the killed ones (their agents are
        dead), on the dockerd they shared, so the mounts are dropped from here."""
        labels = [f"azlab.region={self.region_id}", f"azlab.az={az}", *([f"azlab.host={host}"] if host else [])]
        found = await asyncio.to_thread(self.client.containers.list, all=True, ignore_removed=True,
                                        filters={"label": labels})
        await asyncio.gather(*(asyncio.to_thread(self._remove, c.labels["azlab.instance"]) for c in found))
        for c in found:
            await asyncio.to_thread(subprocess.run, volumes.command(
                volumes.UNMOUNT, volumes.mount_point(self.home, c.labels["azlab.instance"]), "lazy"), capture_output=True)

    async def snapshot(self, spec: InstanceSpec, image_id: str) -> str:
        """`docker commit` of the stopped container: the new image's location is its tag."""
        container = await asyncio.to_thread(self._container, spec.instance_id)
        if container is None:
            raise RuntimeError(f"{spec.instance_id} has no container to commit")
        await asyncio.to_thread(container.commit, repository="azlab/image", tag=image_id)
        return f"azlab/image:{image_id}"

    async def console_output(self, spec: InstanceSpec) -> str:
        container = await asyncio.to_thread(self._container, spec.instance_id)
        if container is None:
            return ""
        data = await asyncio.to_thread(container.logs, stdout=True, stderr=True)
        return data[-CONSOLE_BYTES:].decode(errors="replace")

    async def configure(self, spec: InstanceSpec, config: InstanceConfig) -> None:
        pass  # security groups and spot notices do not reach a container (see the limitations)

    async def attach_address(self, public_ip: str, spec: InstanceSpec) -> None:
        pass  # recorded, not enforced (supports_addresses)

    async def detach_address(self, public_ip: str) -> None:
        pass

    async def attach_volume(self, spec: InstanceSpec, volume: VolumeSpec) -> None:
        await self._on_host(spec.host, volumes.MOUNT, volume.path, self._mount_point(spec, volume))

    async def detach_volume(self, spec: InstanceSpec, volume: VolumeSpec) -> None:
        await self._on_host(spec.host, volumes.UNMOUNT, self._mount_point(spec, volume))


def main(argv: list[str]) -> int:
    """`python -m azlab.nodes.ec2.docker [--build]`: start dockerd if needed (and build the lab image)."""
    home = Path(os.environ.get("AZLAB_HOME") or Path.home() / ".azlab")
    why = start_dockerd(home / "logs")
    if why is None and "--build" in argv:
        why = build_image(home)
    print(f"azlab: docker backend {'ready' if why is None else 'unavailable: ' + why}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

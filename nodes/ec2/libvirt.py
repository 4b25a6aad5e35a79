"""The `libvirt` backend: an instance is a real VM run by libvirt/QEMU (qemu:///system).

Virtualization type follows EC2's two:
- `paravirtual` boots the AMI's kernel and ramdisk directly (libvirt's
  <kernel>/<initrd>/<cmdline>), with virtio disks and network;
- `hvm` boots its own disk through firmware (SeaBIOS) and its bootloader
  (syslinux), with emulated devices: the root disk on IDE, an e1000 NIC.

Each instance is a transient domain `azlab-<region>-<instance id>` whose
<metadata> names its AZ and host, so `describe` and `evict` find it; stopped
means no domain. Its files live in `<home>/ec2/instances/<id>/`: `config.iso`
(the config drive, an ISO labelled cidata: user-data, network.sh and the static
metadata tree the guest serves on 169.254.169.254) and `console.log` (the
serial console, appended across boots; each boot starts with our own
"azlab: booting" line). The guest images come from deploy/images/vm.sh.

Networking: under netns isolation the VM's tap is moved into its AZ's switch
namespace and joined to the AZ's bridge, so the guest holds its private IP on
the AZ's subnet (set statically from the config drive) and dies with its tap;
under loopback isolation QEMU's user-mode network forwards, from the
instance's own loopback address, each TCP port its security groups open.
EBS volumes are hot-plugged virtio disks (on hvm too, as EC2's HVM instances
used PV drivers for EBS: the emulated IDE bus cannot hot-plug) whose serial
is the volume id without its dash, as on EC2's NVMe volumes (virtio's serial
holds 20 characters; /sys/block/vdX/serial reads vol0123...), throttled by QEMU's iotune: the
volume's IOPS sustained, its burst IOPS for as long as a gp2 credit bucket
(5.4M I/Os) lasts.

Limitations: libvirt is its host's (the backend runs in the host's node agent),
but evicting a killed machine's VMs and sharing images across machines are for
one machine yet; a VM's memory is capped at MEMORY_CAP_MIB and its
vCPUs at the host's cores (describe's limits say so); stop is a hard power-off
(no ACPI shutdown); metadata is static per boot (a spot notice or a new public
address reaches the guest at its next boot); security groups are not enforced
on packets (`supports_security_groups` False): under loopback only their TCP
ports (at most MAX_FORWARDED_PORTS) are forwarded; Elastic IPs do not move
traffic; CreateImage of a VM is refused; QEMU runs as root (its DAC label), so
the lab's home needs no permissions for libvirt-qemu. KVM is used when a probe
boot under it succeeds on this host, TCG otherwise.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from azlab.common.errors import UnsupportedOperation
from azlab.common.network import AzNetwork, NetnsNetwork
from azlab.common.ec2.compute import BackendInstance, InstanceConfig, InstanceSpec, LaunchFailed, Traits, VolumeSpec
from azlab.nodes.ec2.backends import on_machine

URI = "qemu:///system"
NS = "https://azlab.dev/ec2/libvirt"
CONSOLE_BYTES = 64 * 1024
MEMORY_CAP_MIB = 512  # this 24 GiB lab machine runs several VMs next to a whole region
MAX_FORWARDED_PORTS = 64
GP2_CREDITS = 5_400_000  # a full gp2 I/O credit bucket
KVM_PROBE_S = 10.0
START_LIBVIRT = Path(__file__).resolve().parents[2] / "deploy" / "start-libvirt.sh"
VM_SH = Path(__file__).resolve().parents[2] / "deploy" / "images" / "vm.sh"
BOOTED_MARKERS = ("azlab: user data started", "azlab: no user data")
BOOT_MARKER = "azlab: booting"


@functools.cache
def _libvirt():
    """The libvirt module, imported on first use so that a missing libvirt-python only disables this backend."""
    try:
        import libvirt  # type: ignore[import-not-found]
    except ImportError as e:
        raise UnsupportedOperation(f"the libvirt backend needs libvirt-python ({e}); `make setup` installs it "
                                   "where libvirt-dev is present") from e
    libvirt.registerErrorHandler(lambda _ctx, _err: None, None)  # errors arrive as exceptions, not stderr noise
    return libvirt


def unavailable() -> str | None:
    """None when libvirtd answers on qemu:///system (started by deploy/start-libvirt.sh if need be), else why not."""
    try:
        libvirt = _libvirt()
    except UnsupportedOperation as e:
        return str(e)
    if shutil.which("qemu-system-x86_64") is None:
        return "qemu-system-x86_64 is not installed (deploy/install-system-packages.sh installs it)"
    done = subprocess.run(on_machine(["bash", str(START_LIBVIRT)], "libvirtd"), capture_output=True, text=True)
    if done.returncode != 0:
        return done.stderr.strip() or "deploy/start-libvirt.sh failed"
    try:
        libvirt.open(URI).close()
    except libvirt.libvirtError as e:
        return f"cannot connect to {URI}: {e}"
    return None


def remove_region(region_id: str, home: Path) -> int:
    """Destroy every VM of the region (`azlab down`: QEMU is libvirtd's child, so no process tag finds it).
    Returns how many; 0 when libvirt is not running here (nothing is started for this)."""
    try:
        libvirt = _libvirt()
    except UnsupportedOperation:
        return 0
    if not Path("/run/libvirt/libvirt-sock").exists():
        return 0
    try:
        conn = libvirt.open(URI)
    except libvirt.libvirtError:
        return 0
    removed = 0
    try:
        for dom in conn.listAllDomains():
            if dom.name().startswith(f"azlab-{region_id}-i-"):
                try:
                    dom.destroy()
                    removed += 1
                except libvirt.libvirtError:
                    pass  # gone meanwhile
    finally:
        conn.close()
    return removed


@dataclass(frozen=True)
class Accel:
    domain_type: str  # "kvm" or "qemu" (TCG)
    detail: str


def probe_accel(images: Path) -> Accel:
    """KVM when a real short boot of the pv kernel under it reaches its init; TCG otherwise. Some hosts
    have a /dev/kvm under which guests hang without a word, so its presence proves nothing. Cached per
    host kernel in `<images>/.accel.json`."""
    cache = images / ".accel.json"
    host = os.uname().release
    try:
        cached = json.loads(cache.read_text())
        if cached["host"] == host:
            return Accel(cached["domain_type"], cached["detail"])
    except (OSError, ValueError, KeyError):
        pass
    kernel = images / "lab-pv" / "vmlinuz"
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        accel = Accel("qemu", "TCG (no usable /dev/kvm)")
    elif not kernel.exists():
        return Accel("qemu", "TCG (no pv kernel to probe KVM with yet)")  # not cached: probe once it is built
    else:
        # No initrd: a kernel that runs panics at once, and -no-reboot ends QEMU there; a hung one prints nothing.
        argv = ["qemu-system-x86_64", "-accel", "kvm", "-m", "128", "-display", "none", "-no-reboot",
                "-serial", "stdio", "-monitor", "none", "-kernel", str(kernel), "-append", "console=ttyS0 panic=-1"]
        try:
            done = subprocess.run(argv, capture_output=True, timeout=KVM_PROBE_S, stdin=subprocess.DEVNULL)
            ran = b"Kernel panic" in done.stdout or b"Run /init" in done.stdout
        except subprocess.TimeoutExpired:
            ran = False
        accel = (Accel("kvm", "KVM") if ran else
                 Accel("qemu", f"TCG (a probe boot under /dev/kvm did not run in {KVM_PROBE_S:.0f} s)"))
    images.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps({"host": host, "domain_type": accel.domain_type, "detail": accel.detail}))
    return accel


def disk_target(device: str) -> str:
    """libvirt's virtio target for an EC2 device name: /dev/xvdf, /dev/sdf -> vdf (the guest names its own)."""
    return "vd" + device.rstrip("0123456789")[-1]


def iotune(volume: VolumeSpec) -> str:
    """QEMU's throttle for the volume: `iops` sustained; a burst to `burst_iops` lasting as long as a full
    gp2 credit bucket would (QEMU's bucket holds max * max_length I/Os and starts full)."""
    parts = [f"<total_iops_sec>{volume.iops}</total_iops_sec>"]
    if volume.burst_iops > volume.iops:
        length = max(1, -(-GP2_CREDITS // volume.burst_iops))
        parts += [f"<total_iops_sec_max>{volume.burst_iops}</total_iops_sec_max>",
                  f"<total_iops_sec_max_length>{length}</total_iops_sec_max_length>"]
    return "<iotune>" + "".join(parts) + "</iotune>"


def volume_xml(volume: VolumeSpec) -> str:
    return (f"<disk type='file' device='disk'><driver name='qemu' type='raw' cache='none' io='native'/>"
            f"<source file='{volume.path}'/><target dev='{disk_target(volume.device)}' bus='virtio'/>"
            f"<serial>{volume.volume_id.replace('-', '')}</serial>{iotune(volume)}</disk>")


def forwarded_ports(config: InstanceConfig) -> list[int]:
    """The TCP ports the instance's security groups open, as few as MAX_FORWARDED_PORTS (loopback only)."""
    ports: set[int] = set()
    for rule in config.firewall.get("ingress", []):
        if rule["protocol"] != "tcp":
            continue  # all traffic (-1) would be every port; UDP is not forwarded
        low, high = rule["from_port"], rule["to_port"]
        if high - low < MAX_FORWARDED_PORTS:
            ports.update(range(low, high + 1))
    return sorted(ports)[:MAX_FORWARDED_PORTS]


class LibvirtBackend(Traits):
    name = "libvirt"

    def __init__(self, agents, home: Path, network: AzNetwork, azs: tuple[str, ...], region_id: str):
        self.agents = agents
        self.home = home
        self.images = home / "images"
        self.network = network
        self.azs = azs
        self.region_id = region_id
        self.netns = isinstance(network, NetnsNetwork)
        self._conn = None
        self._accel: Accel | None = None
        self._forwarded: dict[str, list[int]] = {}  # loopback: instance -> ports forwarded now
        self._image_errors: dict[str, str] = {}
        self._images_built = threading.Thread(target=self._build_images, name="libvirt-images", daemon=True)
        self._images_built.start()

    # plumbing
    def _connect(self):
        libvirt = _libvirt()
        if self._conn is None or not self._conn.isAlive():
            if reason := unavailable():
                raise UnsupportedOperation(f"the libvirt backend cannot run here: {reason}")
            self._conn = libvirt.open(URI)
        return self._conn

    def instance_dir(self, instance_id: str) -> Path:
        return self.home / "ec2" / "instances" / instance_id

    def domain_name(self, instance_id: str) -> str:
        return f"azlab-{self.region_id}-{instance_id}"

    def _lookup(self, instance_id: str):
        libvirt = _libvirt()
        try:
            return self._connect().lookupByName(self.domain_name(instance_id))
        except libvirt.libvirtError as e:
            if e.get_error_code() == libvirt.VIR_ERR_NO_DOMAIN:
                return None
            raise

    def _ours(self) -> list[tuple[Any, dict[str, str]]]:
        """(domain, its azlab metadata) for every domain of this region."""
        libvirt = _libvirt()
        found = []
        for dom in self._connect().listAllDomains():
            if not dom.name().startswith(f"azlab-{self.region_id}-i-"):
                continue
            try:
                meta = ET.fromstring(dom.metadata(libvirt.VIR_DOMAIN_METADATA_ELEMENT, NS)).attrib
            except libvirt.libvirtError:
                continue  # gone meanwhile, or not one of ours
            found.append((dom, dict(meta)))
        return found

    def _accelerator(self) -> Accel:
        if self._accel is None or self._accel.detail.startswith("TCG (no pv kernel"):
            self._accel = probe_accel(self.images)
        return self._accel

    def _build_images(self) -> None:
        """Build ami-lab-pv's and ami-lab-hvm's files into this home (deploy/images/vm.sh; a fresh build is
        kept), at once when the backend is made: the service copies the hvm disk for a root volume early. One
        build at a time per home: every libvirt host of a one-machine lab builds into the same one."""
        self.images.mkdir(parents=True, exist_ok=True)
        for kind in ("pv", "hvm"):
            done = subprocess.run(on_machine(["flock", str(self.images / ".build.lock"), "bash", str(VM_SH), kind,
                                              str(self.images)], "libvirtd"), capture_output=True, text=True)  # online
            if done.returncode != 0 or done.stderr.strip().endswith("not built"):
                self._image_errors[kind] = done.stderr.strip()[-500:]
        self._accel = probe_accel(self.images)  # here, not in the first describe: a hung probe takes KVM_PROBE_S

    def _ensure_images(self, spec: InstanceSpec) -> None:
        self._images_built.join()
        kind, needed = (("pv", spec.kernel_location) if spec.virtualization_type == "paravirtual"
                        else ("hvm", spec.image_location))
        if needed and not self._image_path(needed).exists():
            raise LaunchFailed("Server.InternalError", f"{spec.image_id} cannot boot on this lab: its {needed} "
                               f"is missing ({self._image_errors.get(kind, 'not built')})")

    def _image_path(self, location: str) -> Path:
        path = Path(location)
        return path if path.is_absolute() else self.images / path

    # the guest's configuration
    def _config_drive(self, spec: InstanceSpec, config: InstanceConfig) -> Path:
        directory = self.instance_dir(spec.instance_id)
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=directory) as scratch:
            root = Path(scratch)
            if self.netns:
                assert isinstance(self.network, NetnsNetwork)
                az_index = self.azs.index(spec.az) + 1
                address, gateway = f"{spec.private_ip}/16", self.network.gateway(az_index)
            else:
                address, gateway = "10.0.2.15/24", "10.0.2.2"  # QEMU user-mode network's
            (root / "network.sh").write_text(f"ADDRESS={address}\nGATEWAY={gateway}\n")
            (root / "user-data").write_bytes(base64.b64decode(spec.user_data) if spec.user_data else b"")
            meta = spec.metadata
            tree = {
                "instance-id": spec.instance_id, "instance-type": spec.instance_type, "ami-id": spec.image_id,
                "local-ipv4": spec.private_ip, "placement/availability-zone": spec.az,
                "local-hostname": meta.get("local-hostname", spec.instance_id), "hostname": meta.get("local-hostname", ""),
                "placement/region": meta.get("region", ""), "reservation-id": meta.get("reservation-id", ""),
                "security-groups": "\n".join(meta.get("security-groups", [])),
            }
            if config.public_ip:
                tree["public-ipv4"] = config.public_ip
            for index, (name, key) in enumerate(sorted(spec.public_keys.items())):
                tree[f"public-keys/{index}/openssh-key"] = key
            www = root / "www" / "latest"
            for key, value in tree.items():
                (www / "meta-data" / key).parent.mkdir(parents=True, exist_ok=True)
                (www / "meta-data" / key).write_text(str(value))
            (www / "user-data").write_bytes((root / "user-data").read_bytes())
            iso = directory / "config.iso"
            subprocess.run(["genisoimage", "-quiet", "-V", "cidata", "-r", "-J", "-o", str(iso) + ".tmp", str(root)],
                           check=True, capture_output=True)
            os.replace(str(iso) + ".tmp", iso)
        return iso

    def _domain_xml(self, spec: InstanceSpec, config: InstanceConfig, iso: Path, accel: Accel) -> str:
        paravirtual = spec.virtualization_type == "paravirtual"
        memory = min(spec.memory_mib, MEMORY_CAP_MIB)
        vcpus = max(1, min(spec.vcpus, os.cpu_count() or 1))
        console = self.instance_dir(spec.instance_id) / "console.log"
        if paravirtual:
            boot = (f"<kernel>{self._image_path(spec.kernel_location)}</kernel>"
                    f"<initrd>{self._image_path(spec.ramdisk_location)}</initrd>"
                    "<cmdline>console=ttyS0 panic=-1</cmdline>")
            disks = (f"<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='{iso}'/>"
                     "<target dev='vda' bus='virtio'/><readonly/></disk>")
        else:
            if spec.root_volume is None:
                raise UnsupportedOperation(f"{spec.image_id} (hvm) needs an EBS root volume to boot from")
            boot = "<boot dev='hd'/>"
            disks = (f"<disk type='file' device='disk'><driver name='qemu' type='raw' cache='none'/>"
                     f"<source file='{spec.root_volume.path}'/><target dev='hda' bus='ide'/></disk>"
                     f"<disk type='file' device='cdrom'><driver name='qemu' type='raw'/><source file='{iso}'/>"
                     "<target dev='hdc' bus='ide'/><readonly/></disk>")
        disks += "".join(volume_xml(v) for v in spec.volumes)
        model = "virtio" if paravirtual else "e1000"
        mac = "52:54:00:" + ":".join(hashlib.sha256(spec.instance_id.encode()).hexdigest()[i:i + 2] for i in (0, 2, 4))
        qemu_args = ""
        if self.netns:
            nic = (f"<interface type='ethernet'><mac address='{mac}'/><target dev='{self._tap(spec)}'/>"
                   f"<model type='{model}'/></interface>")
        else:
            # libvirt's own user-mode network forwards no ports; QEMU's does, and hostfwd_add changes them live.
            nic = ""
            ports = forwarded_ports(config)
            forwards = "".join(f",hostfwd=tcp:{spec.private_ip}:{p}-:{p}" for p in ports)
            device = "virtio-net-pci" if paravirtual else "e1000"
            qemu_args = ("<qemu:commandline>"
                         f"<qemu:arg value='-netdev'/><qemu:arg value='user,id=aznet0{forwards}'/>"
                         f"<qemu:arg value='-device'/>"
                         # a high slot: libvirt, which does not know this device, hot-plugs volumes from the low ones
                         f"<qemu:arg value='{device},netdev=aznet0,mac={mac},bus=pci.0,addr=0x1e'/>"
                         "</qemu:commandline>")
            self._forwarded[spec.instance_id] = ports
        meta = (f"<azlab:instance xmlns:azlab='{NS}' az='{spec.az}' host='{spec.host}' "
                f"virtualization='{spec.virtualization_type}'/>")
        return f"""<domain type='{accel.domain_type}' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>
  <name>{self.domain_name(spec.instance_id)}</name>
  <metadata>{meta}</metadata>
  <memory unit='MiB'>{memory}</memory>
  <vcpu>{vcpus}</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type>{boot}</os>
  <features><acpi/><apic/></features>
  <cpu mode='{"host-passthrough" if accel.domain_type == "kvm" else "custom"}'/>
  <on_poweroff>destroy</on_poweroff><on_reboot>restart</on_reboot><on_crash>destroy</on_crash>
  <devices>
    <emulator>{shutil.which("qemu-system-x86_64")}</emulator>
    {disks}
    {nic}
    <serial type='file'><source path='{console}' append='on'/><target port='0'/></serial>
    <memballoon model='none'/>
  </devices>
  <seclabel type='static' model='dac' relabel='no'><label>+0:+0</label></seclabel>
  {qemu_args}
</domain>"""

    def _tap(self, spec: InstanceSpec) -> str:
        return f"azt{spec.instance_id.removeprefix('i-')[-12:]}"  # 15 characters at most

    def _plug(self, spec: InstanceSpec) -> None:
        """Move the VM's tap (which libvirtd made in the machine's namespace) onto the AZ's bridge in its switch
        namespace. A tap lives as long as QEMU holds it, wherever it is: nothing of the VM outlives it."""
        assert isinstance(self.network, NetnsNetwork)
        switch = self.network.switch(self.azs.index(spec.az) + 1)
        tap = self._tap(spec)
        for argv in (on_machine(["ip", "link", "set", tap, "netns", switch], "libvirtd"),
                     ["ip", "netns", "exec", switch, "ip", "link", "set", tap, "master", "br0", "up"]):
            done = subprocess.run(argv, capture_output=True, text=True)
            if done.returncode != 0:
                raise RuntimeError(f"{' '.join(argv)}: {done.stderr.strip()}")

    # the contract
    async def start(self, spec: InstanceSpec, config: InstanceConfig) -> None:
        # The VM runs under this machine's libvirtd, not the host's agent, so ask the agent whether its host lives:
        # an instance of a killed AZ must not boot again before the region notices the AZ is down.
        await self.agents.call(spec.host, "ping")
        await asyncio.to_thread(self._start, spec, config)

    def _start(self, spec: InstanceSpec, config: InstanceConfig) -> None:
        libvirt = _libvirt()
        if (dom := self._lookup(spec.instance_id)) is not None and dom.isActive():
            return
        self._ensure_images(spec)
        accel = self._accelerator()
        iso = self._config_drive(spec, config)
        xml = self._domain_xml(spec, config, iso, accel)
        console = self.instance_dir(spec.instance_id) / "console.log"
        memory, vcpus = min(spec.memory_mib, MEMORY_CAP_MIB), max(1, min(spec.vcpus, os.cpu_count() or 1))
        with console.open("a") as out:
            out.write(f"{BOOT_MARKER} {spec.instance_id} ({spec.instance_type}, {spec.virtualization_type}) on "
                      f"{spec.host}: {vcpus} vCPU, {memory} MiB, {accel.detail}\n")
        try:
            dom = self._connect().createXML(xml, 0)
        except libvirt.libvirtError as e:
            raise RuntimeError(f"libvirt refused {spec.instance_id}: {e}") from e
        try:
            if self.netns:
                self._plug(spec)
        except Exception:
            self._destroy_domain(dom)  # a failed start leaves nothing running
            raise

    async def stop(self, spec: InstanceSpec) -> None:
        await asyncio.to_thread(self._stop, spec.instance_id)

    def _stop(self, instance_id: str) -> None:
        if (dom := self._lookup(instance_id)) is not None:
            self._destroy_domain(dom)
        self._forwarded.pop(instance_id, None)

    def _destroy_domain(self, dom) -> None:
        libvirt = _libvirt()
        try:
            dom.destroy()
        except libvirt.libvirtError as e:
            if e.get_error_code() not in (libvirt.VIR_ERR_NO_DOMAIN, libvirt.VIR_ERR_OPERATION_INVALID):
                raise

    async def reboot(self, spec: InstanceSpec, config: InstanceConfig) -> None:
        await self.stop(spec)
        await self.start(spec, config)

    async def destroy(self, spec: InstanceSpec) -> None:
        await self.stop(spec)
        await asyncio.to_thread(shutil.rmtree, self.instance_dir(spec.instance_id), True)

    async def evict(self, az: str, host: str | None = None) -> None:
        """Destroy every instance of `az` (of `host` alone when given) at once, no grace (they were killed);
        succeeds when there are none."""
        def evict() -> None:
            for dom, meta in self._ours():
                if meta.get("az") == az and host in (None, meta.get("host")):
                    self._destroy_domain(dom)
                    self._forwarded.pop(dom.name().removeprefix(f"azlab-{self.region_id}-"), None)
        await asyncio.to_thread(evict)

    async def describe(self, host: str) -> dict[str, BackendInstance]:
        await self.agents.call(host, "ping")  # a dead host runs nothing we could act on: NodeUnreachable
        return await asyncio.to_thread(self._describe, host)

    def _describe(self, host: str) -> dict[str, BackendInstance]:
        found = {}
        accel = self._accelerator()
        for dom, meta in self._ours():
            if meta.get("host") != host:
                continue
            instance_id = dom.name().removeprefix(f"azlab-{self.region_id}-")
            try:
                running = bool(dom.isActive())
                vcpus, memory = dom.info()[3], dom.info()[1] // 1024
            except _libvirt().libvirtError:
                continue
            console = self._console(instance_id)
            this_boot = console[console.rfind(BOOT_MARKER):] if BOOT_MARKER in console else ""
            booted = running and any(marker in this_boot for marker in BOOTED_MARKERS)
            detail = (f"libvirt {meta.get('virtualization', '')} VM under {accel.detail}: {vcpus} vCPU, {memory} MiB "
                      f"(memory capped at {MEMORY_CAP_MIB} MiB and vCPUs at the host's cores on this lab)")
            found[instance_id] = BackendInstance(instance_id, running, booted, {"enforced": True, "detail": detail})
        return found

    def _console(self, instance_id: str) -> str:
        path = self.instance_dir(instance_id) / "console.log"
        try:
            with path.open("rb") as f:
                size = f.seek(0, os.SEEK_END)
                f.seek(max(0, size - CONSOLE_BYTES))
                return f.read().decode(errors="replace")
        except OSError:
            return ""

    async def snapshot(self, spec: InstanceSpec, image_id: str) -> str:
        raise UnsupportedOperation("CreateImage of a libvirt instance is not supported yet")

    async def console_output(self, spec: InstanceSpec) -> str:
        return await asyncio.to_thread(self._console, spec.instance_id)

    async def configure(self, spec: InstanceSpec, config: InstanceConfig) -> None:
        """Loopback: forward the ports the security groups now open (QEMU's monitor, live). The rest of the
        config (metadata) reaches the guest at its next boot."""
        if not self.netns:
            await asyncio.to_thread(self._forward, spec, config)

    def _forward(self, spec: InstanceSpec, config: InstanceConfig) -> None:
        import libvirt_qemu  # type: ignore[import-not-found]  # beside libvirt in libvirt-python

        if (dom := self._lookup(spec.instance_id)) is None:
            return
        wanted, current = forwarded_ports(config), self._forwarded.get(spec.instance_id, [])
        for port in sorted(set(current) - set(wanted)):
            libvirt_qemu.qemuMonitorCommand(dom, f"hostfwd_remove aznet0 tcp:{spec.private_ip}:{port}",
                                            libvirt_qemu.VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP)
        for port in sorted(set(wanted) - set(current)):
            libvirt_qemu.qemuMonitorCommand(dom, f"hostfwd_add aznet0 tcp:{spec.private_ip}:{port}-:{port}",
                                            libvirt_qemu.VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP)
        self._forwarded[spec.instance_id] = wanted

    async def attach_address(self, public_ip: str, spec: InstanceSpec) -> None:
        pass  # recorded by the service; not routed (supports_addresses is False)

    async def detach_address(self, public_ip: str) -> None:
        pass

    async def attach_volume(self, spec: InstanceSpec, volume: VolumeSpec) -> None:
        await asyncio.to_thread(self._attach, spec, volume)

    def _attach(self, spec: InstanceSpec, volume: VolumeSpec) -> None:
        libvirt = _libvirt()
        dom = self._lookup(spec.instance_id)
        if dom is None or not dom.isActive():
            raise RuntimeError(f"{spec.instance_id} is not running")
        if self._attached(dom, volume):
            return
        try:
            dom.attachDeviceFlags(volume_xml(volume), libvirt.VIR_DOMAIN_AFFECT_LIVE)
        except libvirt.libvirtError as e:
            raise RuntimeError(f"attaching {volume.volume_id} to {spec.instance_id} failed: {e}") from e

    def _attached(self, dom, volume: VolumeSpec) -> bool:
        tree = ET.fromstring(dom.XMLDesc(0))
        return any(source.get("file") == volume.path for source in tree.iterfind("devices/disk/source"))

    async def detach_volume(self, spec: InstanceSpec, volume: VolumeSpec) -> None:
        await asyncio.to_thread(self._detach, spec, volume)

    def _detach(self, spec: InstanceSpec, volume: VolumeSpec, timeout_s: float = 20.0) -> None:
        """Unplug it live and wait until QEMU let go of it (the guest acknowledges an unplug asynchronously)."""
        libvirt = _libvirt()
        dom = self._lookup(spec.instance_id)
        if dom is None or not dom.isActive() or not self._attached(dom, volume):
            return
        try:
            dom.detachDeviceFlags(volume_xml(volume), libvirt.VIR_DOMAIN_AFFECT_LIVE)
        except libvirt.libvirtError as e:
            raise RuntimeError(f"detaching {volume.volume_id} from {spec.instance_id} failed: {e}") from e
        deadline = time.monotonic() + timeout_s
        while self._attached(dom, volume):
            if time.monotonic() > deadline:
                raise RuntimeError(f"{spec.instance_id} did not release {volume.volume_id} within {timeout_s:.0f} s")
            time.sleep(0.1)

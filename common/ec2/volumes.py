"""EBS volumes on a host: sparse raw files, made, copied, mounted and frozen by short shell commands
that the host's node agent runs (`NodeAgent.run_command`): the EC2 service asks for the making, copying
and removing, a backend for the mounting, so both sides share them.

A volume is `<home>/ec2/volumes/<az>/<vol-id>.img`, a snapshot `<home>/ec2/snapshots/<snap-id>.img`
(the region's storage: one filesystem on one machine; a multi-machine lab needs it shared).
Backends without block devices (docker) see a volume as its ext4 filesystem, made in the file on
first attach and loop-mounted on the host under `<home>/ec2/mnt/<instance>/<device name>`.

Every command runs in dockerd's mount namespace where dockerd runs: a node agent under netns
isolation lives in `ip netns exec`'s own mount namespace, whose mounts no container would see;
elsewhere in the agent's own.
"""

from __future__ import annotations

from pathlib import Path

# `sh -c WRAP SCRIPT ARGS...`: SCRIPT runs with ARGS as $1..., inside dockerd's mount namespace if it runs.
WRAP = ('p=$(cat /var/run/docker.pid 2>/dev/null) && [ -n "$p" ] && kill -0 "$p" 2>/dev/null '
        '&& exec nsenter -t "$p" -m -- sh -c "$0" azlab "$@"; exec sh -c "$0" azlab "$@"')

# $1 file, $2 size in bytes, $3 what it starts as ("" empty). Idempotent: an existing file is kept.
CREATE = '''set -e
[ -e "$1" ] && exit 0
mkdir -p "$(dirname "$1")"
if [ -n "$3" ]; then cp --sparse=always "$3" "$1.tmp"; else : > "$1.tmp"; fi
truncate -s ">$2" "$1.tmp"
mv "$1.tmp" "$1"'''
REMOVE = 'rm -f "$1" "$1.tmp"'
# $1 file, $2 copy. Crash-consistent: a mounted volume's filesystem is frozen while it is copied.
COPY = '''dev=$(losetup -j "$1" -n -O NAME 2>/dev/null | head -n 1)
mp=""; [ -n "$dev" ] && mp=$(findmnt -n -o TARGET -S "$dev" | head -n 1)
[ -n "$mp" ] && fsfreeze -f "$mp"
mkdir -p "$(dirname "$2")" && cp --sparse=always "$1" "$2.tmp"; rc=$?
[ -n "$mp" ] && fsfreeze -u "$mp"
[ $rc -eq 0 ] && mv "$2.tmp" "$2" || { rm -f "$2.tmp"; exit 1; }'''
# $1 a directory made a shared mount, so that mounts under it reach containers bind-mounting it (rslave).
SHARE = '''set -e
mkdir -p "$1"
mountpoint -q "$1" || { mount --bind "$1" "$1" && mount --make-rshared "$1"; }
shift; for d in "$@"; do mkdir -p "$d"; done'''
# $1 file, $2 mount point. ext4 on first attach; idempotent.
MOUNT = '''set -e
blkid -p "$1" >/dev/null 2>&1 || mkfs.ext4 -q -F "$1"
mkdir -p "$2"
mountpoint -q "$2" || mount -o loop "$1" "$2"'''
# $1 mount point (or a directory of them), $2 "lazy" to detach busy ones too.
UNMOUNT = '''[ -d "$1" ] || exit 0
for mp in $(findmnt -n -l -o TARGET | awk -v p="$1" '$0 == p || index($0, p "/") == 1' | sort -r); do
    umount ${2:+-l} "$mp" || exit 1
done
rmdir "$1" 2>/dev/null || true'''


def command(script: str, *args: str | Path | int) -> list[str]:
    """The argv that runs `script` with `args` on a host, in the mount namespace its instances see."""
    return ["sh", "-c", WRAP, script, *(str(a) for a in args)]


def volume_path(home: Path, az: str, volume_id: str) -> Path:
    return home / "ec2" / "volumes" / az / f"{volume_id}.img"


def snapshot_path(home: Path, snapshot_id: str) -> Path:
    return home / "ec2" / "snapshots" / f"{snapshot_id}.img"


def mounts(home: Path) -> Path:
    return home / "ec2" / "mnt"


def mount_point(home: Path, instance_id: str, device: str = "") -> Path:
    """/dev/xvdf of i-1 -> <home>/ec2/mnt/i-1/xvdf (seen at /mnt/xvdf inside the instance)."""
    directory = mounts(home) / instance_id
    return directory / Path(device).name if device else directory

#!/usr/bin/env bash
# Debian packages azlab uses. Idempotent; as root it installs what is missing,
# otherwise it says what is missing and carries on (loopback isolation needs none).
#   install-system-packages.sh         what a lab machine needs
#   install-system-packages.sh --dev   and what the test suite needs (Vagrant, to validate the Vagrantfile)
set -euo pipefail
packages=(iproute2 nftables)
packages+=(redis-server redis-tools memcached)  # ElastiCache's engines
packages+=(bind9-dnsutils nsd dnsperf)  # Route53's tests (dig) and bench (NSD, dnsperf)
packages+=(docker.io busybox-static e2fsprogs)  # EC2's docker backend (dockerd, the lab image's root) and EBS volumes (mkfs.ext4)
packages+=(haproxy wrk)  # ELB's bench: HAProxy as the peer, wrk as the load generator
packages+=(postgresql postgresql-contrib)  # RDS's postgres engine (and pgbench for its bench)
packages+=(libvirt-daemon-system qemu-system-x86 qemu-utils)  # EC2's libvirt backend (deploy/start-libvirt.sh starts the daemons)
packages+=(libvirt-dev pkg-config)  # builds PyPI's libvirt-python in the venv
packages+=(syslinux syslinux-common mtools dosfstools genisoimage fdisk cpio kmod)  # deploy/images/vm.sh: the pv and hvm images (kmod: modinfo walks the drivers' dependencies), config drives
[ "${1:-}" = --dev ] && packages+=(vagrant vagrant-libvirt)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
    echo "azlab: not installing ${missing[*]} (needs root and apt-get); the parts that need them will be skipped" >&2
    exit 0
fi
echo "azlab: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# Engines are started by azlab on AZ addresses, never by their packages on this machine's own.
policy=/usr/sbin/policy-rc.d
[ -e "$policy" ] || { printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod +x "$policy"; trap 'rm -f "$policy"' EXIT; }
# A package that cannot be had is a part that is skipped (its tests say why), not a failed setup.
if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }; then
    echo "azlab: could not install ${missing[*]}; the parts that need them will be skipped" >&2
fi

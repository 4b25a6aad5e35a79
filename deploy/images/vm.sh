#!/usr/bin/env bash
# Build the libvirt backend's guest images from Debian packages (apt-get download, no registry else):
#   vm.sh pv  <outdir>   <outdir>/lab-pv/vmlinuz + initrd.img (ami-lab-pv): Debian's cloud kernel and a
#                        busybox-static initramfs that is the whole root (instance store)
#   vm.sh hvm <outdir>   <outdir>/lab-hvm/disk.img (ami-lab-hvm): a raw disk with an MBR, syslinux on a FAT
#                        boot partition (kernel + initramfs) and an ext4 root; Debian's generic kernel,
#                        which has the emulated devices' drivers (e1000, ata_piix) the cloud kernel lacks
# <outdir> is $AZLAB_HOME/images. Built once and reused: skipped when the output exists and is newer
# than this script. Exits 0 with a reason on stderr when it cannot build here (the tests then skip).
#
# The guest's init (one script for both) loads the drivers, finds the config drive (an ISO labelled
# cidata, made per instance by nodes/ec2/libvirt.py), sets the address it names, serves its static
# metadata on 169.254.169.254, runs the user data, and logs to the serial console.
set -euo pipefail
kind=${1:?usage: vm.sh pv|hvm OUTDIR}
outdir=${2:?usage: vm.sh pv|hvm OUTDIR}
log() { echo "azlab images: $*" >&2; }
case "$kind" in
    pv) out="$outdir/lab-pv/initrd.img"; kernel_pkg=linux-image-cloud-amd64
        modules="virtio_pci virtio_blk virtio_net isofs" ;;
    hvm) out="$outdir/lab-hvm/disk.img"; kernel_pkg=linux-image-amd64
         modules="ata_piix sd_mod sr_mod e1000 isofs crc32c_generic ext4 virtio_pci virtio_blk" ;;
    *) echo "usage: vm.sh pv|hvm OUTDIR" >&2; exit 2 ;;
esac
if [ -e "$out" ] && [ "$out" -nt "$0" ]; then exit 0; fi
for tool in apt-get dpkg-deb cpio modinfo; do
    command -v "$tool" >/dev/null || { log "$kind: needs $tool; not built"; exit 0; }
done
if [ "$kind" = hvm ]; then
    for tool in sfdisk mkfs.vfat mkfs.ext4 syslinux; do
        command -v "$tool" >/dev/null || { log "hvm: needs $tool (deploy/install-system-packages.sh); not built"; exit 0; }
    done
    [ -e /usr/lib/syslinux/mbr/mbr.bin ] || { log "hvm: needs syslinux-common's mbr.bin; not built"; exit 0; }
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The versioned kernel package behind the metapackage, and busybox-static (the host's busybox may be dynamic).
kernel_deb=$(apt-cache depends "$kernel_pkg" 2>/dev/null | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
[ -n "$kernel_deb" ] || { log "$kind: apt knows no $kernel_pkg (apt-get update?); not built"; exit 0; }
# Downloaded once per machine: every region's home builds its own images from them.
debs=${XDG_CACHE_HOME:-$HOME/.cache}/azlab/debs
mkdir -p "$debs"
for pkg in "$kernel_deb" busybox-static; do
    ls "$debs/${pkg}"_*.deb >/dev/null 2>&1 && continue
    if ! (cd "$debs" && apt-get download -qq "$pkg" 2>/dev/null); then
        log "$kind: apt-get download $pkg failed; not built"; exit 0
    fi
done
dpkg-deb -x "$(ls "$debs/${kernel_deb}"_*.deb | tail -1)" "$work/kernel"
dpkg-deb -x "$(ls "$debs"/busybox-static_*.deb | tail -1)" "$work/busybox"
release=$(ls "$work/kernel/lib/modules")
moddir="$work/kernel/lib/modules/$release"

root="$work/root"
mkdir -p "$root"/{bin,sbin,etc,proc,sys,dev,tmp,run,mnt,root,lib/modules}
chmod 1777 "$root/tmp"
cp "$work/busybox/bin/busybox" "$root/bin/busybox"
for applet in $("$root/bin/busybox" --list); do
    [ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\n' > "$root/etc/passwd"
printf 'root:x:0:\n' > "$root/etc/group"

# The wanted modules and what they depend on, in load order (busybox insmod, no modules.dep needed).
declare -A seen=()
order=()
add_module() {
    local name=$1 file dep
    [ -n "${seen[$name]:-}" ] && return 0
    seen[$name]=1
    file=$(find "$moddir" -name "$name.ko" -o -name "${name//_/-}.ko" | head -1)
    [ -n "$file" ] || return 0  # built into this kernel
    for dep in $(modinfo -F depends "$file" | tr ',' ' '); do add_module "$dep"; done
    cp "$file" "$root/lib/modules/"
    order+=("$(basename "$file")")
}
for m in $modules; do add_module "$m"; done
printf '%s\n' "${order[@]}" > "$root/etc/modules"

cat > "$root/init" <<'INIT'
#!/bin/sh
# azlab guest init: PID 1 of an ami-lab-pv / ami-lab-hvm instance. Logs go to the serial console.
export PATH=/bin:/sbin
mount -t proc proc /proc 2>/dev/null; mount -t sysfs sys /sys 2>/dev/null; mount -t devtmpfs dev /dev 2>/dev/null
exec >/dev/console 2>&1 </dev/null
log() { echo "azlab: $*"; }
root=$(sed -n 's/.* root=\([^ ]*\).*/\1/p' /proc/cmdline)
if [ -e /etc/initramfs ] && [ -n "$root" ]; then
    # hvm, first stage: the drivers, then the disk's own root (kept across stop/start: EBS-backed).
    for m in $(cat /etc/modules); do insmod /lib/modules/$m 2>/dev/null; done
    for _ in $(seq 1 100); do [ -b "$root" ] && break; sleep 0.1; done
    mkdir -p /newroot && mount -t ext4 -o rw "$root" /newroot || { log "cannot mount $root"; exec sh; }
    umount /proc /sys; mount --move /dev /newroot/dev
    exec switch_root /newroot /init
fi
[ -e /etc/initramfs ] && for m in $(cat /etc/modules); do insmod /lib/modules/$m 2>/dev/null; done
mkdir -p /dev/pts /mnt/config && mount -t devpts devpts /dev/pts
hostname azlab
log "guest kernel $(uname -r) up; $(nproc) vCPU, $(awk '/MemTotal/{print int($2/1024)}' /proc/meminfo) MiB"
config=""
for _ in $(seq 1 100); do
    config=$(findfs LABEL=cidata 2>/dev/null) && break
    [ -b /dev/sr0 ] && config=/dev/sr0 && break  # hvm's config drive is a CD, which findfs may not scan
    sleep 0.1
done
if [ -n "$config" ] && mount -t iso9660 -o ro "$config" /mnt/config; then
    . /mnt/config/network.sh
    ip link set lo up
    ip link set eth0 up
    ip addr add "$ADDRESS" dev eth0
    ip route add default via "$GATEWAY"
    log "network up: $ADDRESS via $GATEWAY"
    ip addr add 169.254.169.254/32 dev lo
    httpd -h /mnt/config/www -p 169.254.169.254:80
    hostname "$(cat /mnt/config/www/latest/meta-data/local-hostname 2>/dev/null || echo azlab)"
    if [ -s /mnt/config/user-data ]; then
        cp /mnt/config/user-data /tmp/user-data && chmod 700 /tmp/user-data
        log "user data started"
        (cd /root && HOME=/root AWS_EC2_METADATA_SERVICE_ENDPOINT=http://169.254.169.254/ sh /tmp/user-data) &
    else
        log "no user data"
    fi
else
    log "no config drive (label cidata): no network, no user data"
fi
while :; do sleep 3600; done
INIT
chmod 755 "$root/init"

mkdir -p "$(dirname "$out")"
initrd() {  # initrd DIR OUT: a gzip'd newc cpio of DIR
    (cd "$1" && find . | cpio -o -H newc --quiet | gzip -9) > "$2"
}
if [ "$kind" = pv ]; then
    touch "$root/etc/initramfs"
    cp "$work/kernel/boot/vmlinuz-$release" "$outdir/lab-pv/vmlinuz"
    initrd "$root" "$out.tmp"
    mv "$out.tmp" "$out"
    log "pv: built $outdir/lab-pv (kernel $release)"
    exit 0
fi

# hvm: MBR + partition 1 (FAT, bootable: syslinux, kernel, initramfs) + partition 2 (ext4 root).
boot_mib=40 root_mib=48
ramfs="$work/ramfs"
cp -a "$root" "$ramfs"
touch "$ramfs/etc/initramfs"
mkfs.vfat -C -n LABBOOT "$work/boot.img" $((boot_mib * 1024)) >/dev/null
cp "$work/kernel/boot/vmlinuz-$release" "$work/vmlinuz"
initrd "$ramfs" "$work/initrd.img"
cat > "$work/syslinux.cfg" <<'CFG'
SERIAL 0 115200
DEFAULT linux
PROMPT 0
TIMEOUT 0
LABEL linux
  KERNEL /vmlinuz
  INITRD /initrd.img
  APPEND console=ttyS0,115200 root=/dev/sda2 rw panic=-1
CFG
MTOOLS_SKIP_CHECK=1 mcopy -i "$work/boot.img" "$work/vmlinuz" "$work/initrd.img" "$work/syslinux.cfg" ::/
syslinux --install "$work/boot.img"
mkfs.ext4 -q -F -L labroot -d "$root" "$work/root.img" "${root_mib}M" >/dev/null
disk="$work/disk.img"
truncate -s $(( (1 + boot_mib + root_mib) * 1024 * 1024 )) "$disk"
sfdisk -q "$disk" <<EOF
label: dos
start=1MiB, size=${boot_mib}MiB, type=6, bootable
start=$((1 + boot_mib))MiB, size=${root_mib}MiB, type=83
EOF
dd if=/usr/lib/syslinux/mbr/mbr.bin of="$disk" conv=notrunc bs=440 count=1 status=none
dd if="$work/boot.img" of="$disk" bs=1M seek=1 conv=notrunc,sparse status=none
dd if="$work/root.img" of="$disk" bs=1M seek=$((1 + boot_mib)) conv=notrunc,sparse status=none
mv "$disk" "$out"
log "hvm: built $out (kernel $release)"

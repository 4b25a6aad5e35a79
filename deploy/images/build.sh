#!/usr/bin/env bash
# Build a lab image for EC2's backends from Debian packages on this machine (no registry):
#   build.sh docker <outdir>   the docker image azlab/lab-docker:1 (ami-lab-docker): busybox-static's root
#                              filesystem and init, imported with `docker import`; its tarball in <outdir>/lab-docker/
#   build.sh pv <outdir>       <outdir>/lab-pv/vmlinuz + initrd.img (ami-lab-pv)      } deploy/images/vm.sh
#   build.sh hvm <outdir>      <outdir>/lab-hvm/disk.img (ami-lab-hvm)                }
#   build.sh all <outdir>      each of them that this machine can build
# <outdir> is $AZLAB_HOME/images (the backends look there). Built once and reused: a kind is
# skipped when its output exists and is newer than this script. Exits 0 with a reason on
# stderr when a kind cannot be built here (its backend's tests then skip).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
kind=${1:?usage: build.sh docker|pv|hvm|all OUTDIR}
outdir=${2:?usage: build.sh docker|pv|hvm|all OUTDIR}
log() { echo "azlab images: $*" >&2; }
TAG=azlab/lab-docker:1

fresh() {  # fresh FILE: exists and newer than this script
    [ -e "$1" ] && [ "$1" -nt "$0" ]
}

build_docker() {
    local dir="$outdir/lab-docker" tarball="$outdir/lab-docker/rootfs.tar"
    if ! command -v docker >/dev/null || ! docker info >/dev/null 2>&1; then
        log "docker: no running dockerd (deploy/start-daemons.sh starts it); not built"
        return 0
    fi
    if ! [ -x /bin/busybox ] || ! /bin/busybox --list | grep -qx sh; then
        log "docker: no busybox (Debian package busybox-static); not built"
        return 0
    fi
    if fresh "$tarball" && docker image inspect "$TAG" >/dev/null 2>&1; then
        return 0
    fi
    mkdir -p "$dir"
    local root
    root=$(mktemp -d)
    trap 'rm -rf "$root"' RETURN
    mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,run,mnt,root,var/lib/cloud}
    chmod 1777 "$root/tmp"
    cp /bin/busybox "$root/bin/busybox"
    # Relative links: an absolute one would point out of $root while it is built here.
    local applet up
    for applet in $(/bin/busybox --list-full); do
        up=$(echo "$applet" | sed 's#[^/]*/#../#g; s#[^/]*$##')
        [ -e "$root/$applet" ] || [ -L "$root/$applet" ] || ln -s "${up}bin/busybox" "$root/$applet"
    done
    printf 'root:x:0:0:root:/root:/bin/sh\n' > "$root/etc/passwd"
    printf 'root:x:0:\n' > "$root/etc/group"
    # The init: user data is the boot script (run at every boot, as on the process backend),
    # its output the console (`docker logs`); SIGTERM (stop) ends every process of the instance.
    cat > "$root/sbin/azlab-init" <<'INIT'
#!/bin/sh
echo "azlab: booting $AZLAB_INSTANCE_ID ($AZLAB_INSTANCE_TYPE) on $AZLAB_HOST at $AZLAB_PRIVATE_IP"
trap 'echo "azlab: shutting down"; kill -TERM -1 2>/dev/null; exit 0' TERM INT
mkdir -p /var/lib/cloud /root
if [ -n "$AZLAB_USER_DATA" ]; then
    echo "$AZLAB_USER_DATA" | base64 -d > /var/lib/cloud/user-data
    chmod 700 /var/lib/cloud/user-data
    echo "azlab: user data started"
    if [ "$(head -c 2 /var/lib/cloud/user-data)" = '#!' ]; then
        (cd /root && exec /var/lib/cloud/user-data) 2>&1 &
    else
        (cd /root && exec sh /var/lib/cloud/user-data) 2>&1 &
    fi
else
    echo "azlab: no user data"
fi
while :; do
    sleep 3600 &
    wait $!
done
INIT
    chmod 755 "$root/sbin/azlab-init"
    tar -C "$root" -cf "$tarball.tmp" .
    docker import --change 'CMD ["/sbin/azlab-init"]' --change 'ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin' \
        "$tarball.tmp" "$TAG" >/dev/null
    mv "$tarball.tmp" "$tarball"
    log "docker: built $TAG"
}

case "$kind" in
    docker) build_docker ;;
    pv|hvm)
        if [ -f "$here/vm.sh" ]; then bash "$here/vm.sh" "$kind" "$outdir"; else log "$kind: deploy/images/vm.sh is not here yet; not built"; fi ;;
    all)
        build_docker
        for vm in pv hvm; do bash "$0" "$vm" "$outdir"; done ;;
    *) echo "usage: build.sh docker|pv|hvm|all OUTDIR" >&2; exit 2 ;;
esac

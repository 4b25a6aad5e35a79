#!/usr/bin/env bash
# Start virtlogd and libvirtd by hand where no init system starts them (CI, containers, this lab).
# Idempotent: does nothing when qemu:///system already answers. Exit 0 when libvirt answers, else 1
# with one line saying why (the libvirt backend and its tests then say so and skip).
set -uo pipefail
uri=qemu:///system
answers() { timeout 10 virsh -c "$uri" version >/dev/null 2>&1; }
command -v libvirtd >/dev/null && command -v virsh >/dev/null || {
    echo "azlab: libvirt is not installed (deploy/install-system-packages.sh installs it)" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { answers && exit 0; echo "azlab: starting libvirtd needs root" >&2; exit 1; }
answers && exit 0
# Concurrent callers (tests, the backend, make demo) start it once.
exec 9>/run/azlab-start-libvirt.lock
flock 9
answers && exit 0
# The daemons outlive this script: they must not keep its open files (fd 9 above, and whatever its caller held:
# a `flock /tmp/azlab-machine.lock make test` lock held by libvirtd would lock every later region run out).
detached() {
    local fd
    for fd in /proc/$BASHPID/fd/*; do
        fd=${fd##*/}
        [ "$fd" -gt 2 ] && eval "exec $fd>&-"
    done
    exec setsid "$@"
}
pgrep -x virtlogd >/dev/null || (detached virtlogd -d)
pgrep -x libvirtd >/dev/null || (detached libvirtd -d)
# A first start probes every QEMU binary's capabilities before it answers: 8 s on an idle 2-core machine,
# longer under load (CI met more than 10 s), so allow a minute.
deadline=$((SECONDS + 60))
while ((SECONDS < deadline)); do
    answers && exit 0
    sleep 0.2
done
echo "azlab: libvirtd did not answer on $uri within 60 s" >&2
exit 1

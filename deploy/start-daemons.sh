#!/usr/bin/env bash
# Start the daemons EC2's backends talk to, when they are installed and not running yet:
# dockerd for the docker backend. Idempotent; as root only (others: says why, exits 0).
# Its log goes to $AZLAB_HOME/logs/dockerd.log. On machines with systemd, the docker.io
# package's own unit is used instead.
#
# dockerd runs without its iptables rules and without docker0 (--iptables=false --bridge=none):
# azlab's instances use per-AZ networks azlab makes itself (macvlan on the AZ's bridge under
# netns, the host's network under loopback), so Docker need not touch this machine's nftables.
set -euo pipefail
home=${AZLAB_HOME:-$HOME/.azlab}
log() { echo "azlab: $*" >&2; }

if ! command -v dockerd >/dev/null; then
    log "dockerd is not installed (deploy/install-system-packages.sh installs docker.io); the docker backend is unavailable"
    exit 0
fi
if docker info >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    log "dockerd is not running and starting it needs root; the docker backend is unavailable"
    exit 0
fi
if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
    systemctl start docker && exit 0
fi
mkdir -p "$home/logs"
# Holds the daemon's lock so that two starts at once do not race; the daemon outlives this script.
exec 9>/tmp/azlab-dockerd.lock
flock 9
if ! docker info >/dev/null 2>&1; then
    nohup setsid dockerd --iptables=false --ip6tables=false --bridge=none \
        >>"$home/logs/dockerd.log" 2>&1 </dev/null 9>&- &
    for _ in $(seq 1 150); do
        docker info >/dev/null 2>&1 && break
        sleep 0.2
    done
fi
if ! docker info >/dev/null 2>&1; then
    log "dockerd did not start (see $home/logs/dockerd.log); the docker backend is unavailable"
    exit 0
fi
log "dockerd started (log: $home/logs/dockerd.log)"

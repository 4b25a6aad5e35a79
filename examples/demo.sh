#!/usr/bin/env bash
# The main scenario: bring a 3-AZ region up, look at it, kill an AZ, watch it
# be reported down while the others stay up, restore it, take everything down.
set -euo pipefail
trap 'azlab down >/dev/null 2>&1 || true' EXIT

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
zone_state() { azlab -o text region describe-availability-zones --zone-names "$1" | cut -f3; }
wait_state() {  # bounded: 30 s at most
    for _ in $(seq 150); do [ "$(zone_state "$1")" = "$2" ] && return 0; sleep 0.2; done
    echo "demo: $1 did not become $2" >&2; return 1
}

step "azlab up"
azlab -o table up
step "azlab status"
azlab -o table status
step "azlab chaos kill-az lab-1b"
azlab -o table chaos kill-az lab-1b
wait_state lab-1b unavailable
azlab -o table status
step "azlab chaos restore-az lab-1b"
azlab -o table chaos restore-az lab-1b
wait_state lab-1b available
azlab -o table status
step "azlab events"
azlab -o table events
step "azlab down"
azlab -o table down
trap - EXIT

#!/usr/bin/env bash
# The main scenario: bring a 3-AZ region up, look at it, put a Redis replication
# group across the AZs with its primary in lab-1b, kill lab-1b, watch the AZ be
# reported down while the others stay up and the group fail over without losing
# the write, restore the AZ, take everything down.
set -euo pipefail
trap 'azlab down >/dev/null 2>&1 || true' EXIT

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
zone_state() { azlab -o text region describe-availability-zones --zone-names "$1" | cut -f3; }
wait_state() {  # bounded: 30 s at most
    for _ in $(seq 150); do [ "$(zone_state "$1")" = "$2" ] && return 0; sleep 0.2; done
    echo "demo: $1 did not become $2" >&2; return 1
}

primary_of() {  # "address port az" of the group's primary, once the group and all its nodes are available
    azlab -o json elasticache describe-replication-groups --replication-group-id "$1" | python3 -c '
import json, sys
group = json.load(sys.stdin)["ReplicationGroups"][0]
members = group["NodeGroups"][0]["NodeGroupMembers"]
primary = next(m for m in members if m["CurrentRole"] == "primary")
if group["Status"] != "available" or any(m["CacheNodeStatus"] != "available" for m in members):
    sys.exit(1)
print(primary["Endpoint"]["Address"], primary["Endpoint"]["Port"], primary["AvailabilityZone"])'
}
wait_primary_outside() {  # bounded: 60 s at most
    for _ in $(seq 300); do
        if found=$(primary_of "$1") && [ "${found##* }" != "$2" ]; then echo "$found"; return 0; fi
        sleep 0.2
    done
    echo "demo: $1 has no available primary outside $2" >&2; return 1
}

step "azlab up"
azlab -o table up
step "azlab status"
azlab -o table status
redis=""
if command -v redis-server >/dev/null && command -v redis-cli >/dev/null; then
    redis=yes
    step "azlab elasticache create-replication-group: a primary in lab-1b, replicas in lab-1a and lab-1c"
    azlab -o table elasticache create-replication-group --replication-group-id sessions --num-cache-clusters 3 \
        --automatic-failover-enabled --multi-az-enabled --preferred-cache-cluster-a-zs lab-1b lab-1a lab-1c
    read -r address port az < <(wait_primary_outside sessions none)
    echo "primary $address:$port in $az"
    redis-cli -h "$address" -p "$port" SET greeting "written in $az"
    echo "WAIT: $(redis-cli -h "$address" -p "$port" WAIT 2 2000) replicas have it"
else
    echo "demo: no redis-server here (Debian: redis-server redis-tools); the ElastiCache part is skipped"
fi
step "azlab chaos kill-az lab-1b"
azlab -o table chaos kill-az lab-1b
wait_state lab-1b unavailable
azlab -o table status
if [ -n "$redis" ]; then
    step "sessions failed over: its new primary still has the write"
    read -r address port az < <(wait_primary_outside sessions lab-1b)
    echo "primary $address:$port in $az"
    echo "GET greeting: $(redis-cli -h "$address" -p "$port" GET greeting)"
    azlab -o table elasticache describe-replication-groups --replication-group-id sessions
fi
step "azlab chaos restore-az lab-1b"
azlab -o table chaos restore-az lab-1b
wait_state lab-1b available
azlab -o table status
step "azlab events"
azlab -o table events
step "azlab down"
azlab -o table down
trap - EXIT

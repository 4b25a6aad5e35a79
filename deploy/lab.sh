#!/usr/bin/env bash
# Bring this machine into a multi-machine lab, after install.sh:
#   lab.sh region    on the region machine (Ray head, machine agent, then the region controller)
#   lab.sh az        on each AZ machine (a raylet carrying az:$AZLAB_AZ, machine agent)
# Environment:
#   AZLAB_ADDRESS         this machine's address on the lab network        (required)
#   AZLAB_REGION_ADDRESS  the region machine's address                     (required)
#   AZLAB_SHARED          a directory every machine sees; holds the Ray token (required)
#   AZLAB_AZ              az role: this machine's AZ, e.g. lab-1b
#   AZLAB_AZ_COUNT        region role: how many AZs to wait for (default 3)
#   AZLAB_REGION          region name (default lab-1)
#   AZLAB_RAY_PORT        the Ray head's port (default 6379)
#   AZLAB_PREFIX          where install.sh put azlab (default /opt/azlab)
#   AZLAB_STATE           this machine's azlab state (default /var/lib/azlab)
#   AZLAB_SYSTEMD         1: run under systemd units, 0: as background processes (default: systemd if running)
# Idempotent: what already runs is left running.
set -euo pipefail
role=${1:?usage: lab.sh region|az}
: "${AZLAB_ADDRESS:?this machine's address on the lab network}"
: "${AZLAB_REGION_ADDRESS:?the region machine's address}"
: "${AZLAB_SHARED:?a directory every machine of the lab sees}"
region=${AZLAB_REGION:-lab-1}
ray_port=${AZLAB_RAY_PORT:-6379}
prefix=${AZLAB_PREFIX:-/opt/azlab}
state=${AZLAB_STATE:-/var/lib/azlab}
if [ -z "${AZLAB_SYSTEMD:-}" ]; then
    AZLAB_SYSTEMD=0; [ -d /run/systemd/system ] && AZLAB_SYSTEMD=1
fi
bin=$prefix/bin
token=$AZLAB_SHARED/ray-auth-token
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$state" "$AZLAB_SHARED"

case $role in
region)
    machine=region
    [ -s "$token" ] || (umask 077 && "$bin/python" -c 'import secrets; print(secrets.token_hex(32))' > "$token")
    ray_args="--head --node-ip-address=$AZLAB_ADDRESS --port=$ray_port --num-cpus=1 --include-dashboard=false"
    ;;
az)
    machine=${AZLAB_AZ:?the az role needs AZLAB_AZ}
    for _ in $(seq 600); do [ -s "$token" ] && break; sleep 1; done   # the region writes it; bounded: 10 min
    [ -s "$token" ] || { echo "lab.sh: no Ray token in $AZLAB_SHARED; provision the region first" >&2; exit 1; }
    ray_args="--address=$AZLAB_REGION_ADDRESS:$ray_port --node-ip-address=$AZLAB_ADDRESS --num-cpus=4"
    ray_args="$ray_args --resources='{\"az:$machine\":1000}'"  # quoted again inside start-raylet
    ;;
*) echo "usage: lab.sh region|az" >&2; exit 2 ;;
esac

# Everything Ray starts here carries this tag (the machine agent kills by it),
# the agent a tag of its own, so that it survives what it does.
tag=azlab-machine-$machine
ray_env="RAY_AUTH_MODE=token RAY_AUTH_TOKEN_PATH=$token RAY_USAGE_STATS_ENABLED=0"

cat > "$state/start-raylet" <<SCRIPT
#!/bin/sh
# Written by lab.sh: starts this machine's Ray node (pass --block to stay in the foreground).
exec env $ray_env AZLAB_TAG=$tag:ray "$bin/ray" start $ray_args --object-store-memory=80000000 --disable-usage-stats "\$@"
SCRIPT
chmod +x "$state/start-raylet"

if [ "$AZLAB_SYSTEMD" = 1 ]; then
    raylet_command="systemctl reset-failed azlab-raylet; systemctl start azlab-raylet"
else
    raylet_command="$state/start-raylet"
fi
cat > "$state/machine-agent" <<SCRIPT
#!/bin/sh
# Written by lab.sh: this machine's agent, outside Ray.
exec env AZLAB_TAG=$tag-mgmt:agent "$bin/azlab" machine-agent --address "$AZLAB_ADDRESS" \
    --process-tag "$tag:" --raylet-command "$raylet_command"
SCRIPT
chmod +x "$state/machine-agent"

cat > "$state/start-region" <<SCRIPT
#!/bin/sh
# Written by lab.sh: adopts the lab's Ray cluster as region $region once ${AZLAB_AZ_COUNT:-3} AZs have joined.
exec env $ray_env AZLAB_HOME="$state/home" AZLAB_TAG=$tag:controller-start "$bin/azlab" up \
    --ray-address "$AZLAB_REGION_ADDRESS:$ray_port" --region "$region" --azs "${AZLAB_AZ_COUNT:-3}"
SCRIPT
chmod +x "$state/start-region"

raylet_running() {
    "$bin/python" - "$tag:" <<'PY'
import sys
from azlab.common import processes
sys.exit(0 if any(open(f"/proc/{p}/comm").read().strip() == "raylet" for p in processes.tagged(sys.argv[1])) else 1)
PY
}

if [ "$AZLAB_SYSTEMD" = 1 ]; then
    for unit in azlab-raylet azlab-machine-agent azlab-region; do
        sed "s|@STATE@|$state|g" "$here/systemd/$unit.service" > "/etc/systemd/system/$unit.service"
    done
    systemctl daemon-reload
    systemctl enable --now azlab-machine-agent.service
    systemctl start azlab-raylet.service
    if [ "$role" = region ]; then
        printf 'export AZLAB_HOME=%s/home\n' "$state" > /etc/profile.d/azlab.sh
        chmod 0755 "$state"
        # Waits for the AZs, which are provisioned after this machine: do not block provisioning.
        systemctl start --no-block azlab-region.service
    fi
else
    # The agent first: the region counts a machine as managed once its raylet has joined.
    if ! { [ -s "$state/machine-agent.pid" ] && kill -0 "$(cat "$state/machine-agent.pid")" 2>/dev/null; }; then
        setsid "$state/machine-agent" > "$state/machine-agent.log" 2>&1 < /dev/null &
        echo $! > "$state/machine-agent.pid"
    fi
    raylet_running || "$state/start-raylet" > "$state/raylet-start.log" 2>&1
    if [ "$role" = region ]; then
        # `azlab up` is idempotent (and serialized per home): a second one returns the first's endpoint.
        setsid "$state/start-region" >> "$state/region.log" 2>&1 < /dev/null &
    fi
fi
echo "lab.sh: $machine ($AZLAB_ADDRESS) is in the lab"

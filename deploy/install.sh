#!/usr/bin/env bash
# Install azlab on this machine from the source tree this script lives in:
# the Debian packages it uses, then a virtual environment in $AZLAB_PREFIX
# (default /opt/azlab) with `azlab` and `ray` linked into /usr/local/bin.
# Idempotent; run as root. The first step of every machine of a lab.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
prefix=${AZLAB_PREFIX:-/opt/azlab}

bash "$src/deploy/install-system-packages.sh"
if ! python3 -c 'import sys, venv, ensurepip; assert sys.version_info >= (3, 11)' 2>/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq --no-install-recommends python3 python3-venv >/dev/null
fi
[ -x "$prefix/bin/python" ] || python3 -m venv "$prefix"
# A wheel of this tree, not an editable link: the machine keeps working if the tree moves.
"$prefix/bin/pip" install --quiet --upgrade "$src"
if [ "${AZLAB_LINK_BIN:-1}" = 1 ]; then
    ln -sf "$prefix/bin/azlab" /usr/local/bin/azlab
    ln -sf "$prefix/bin/ray" /usr/local/bin/ray
fi
echo "azlab installed in $prefix"

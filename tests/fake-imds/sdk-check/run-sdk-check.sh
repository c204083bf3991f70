#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Checks fake_imds.py against a client nobody in this project wrote: the AWS SDK for
# JavaScript's IMDS client must get a token (PUT /latest/api/token) and then read
# meta-data/mac with it.
#
# Usage: run-sdk-check.sh [WORK_DIR]
# WORK_DIR keeps node_modules between runs (ctest passes one in the build directory); by
# default a temporary directory is used. The source directory is never written to.
# Exit status: 0 pass, 1 fail, 77 skipped (node, npm or root missing).
#
# Safety: the SDK falls back to 169.254.169.254 when it does not take the endpoint it is
# given. The fake IMDS and the SDK therefore run in a network namespace of their own with
# only loopback in it (unshare --net); the inner stage checks that it is not in the
# namespace it was started from, nor in PID 1's, before it starts anything.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
fake=$here/../fake_imds.py
mac=02:0a:0b:0c:0d:0e

fail() {
    echo "sdk-check: FAIL: $*" >&2
    exit 1
}

if [ "${1:-}" != --inner ]; then
    for tool in node npm python3 unshare ip; do
        if ! command -v "$tool" >/dev/null; then
            echo "sdk-check: $tool not found, skipping" >&2
            exit 77
        fi
    done
    [ "$(id -u)" = 0 ] || { echo "sdk-check: needs root for its own network namespace, skipping" >&2; exit 77; }
    scratch=$(mktemp -d)
    trap 'rm -rf "$scratch"' EXIT
    work=${1:-$scratch/work}
    mkdir -p "$work"
    # npm needs the registry: outside the private namespace, before anything talks to IMDS.
    if [ ! -d "$work/node_modules" ] ||
        ! cmp -s "$here/package.json" "$work/package.json" ||
        ! cmp -s "$here/package-lock.json" "$work/package-lock.json"; then
        cp "$here/package.json" "$here/package-lock.json" "$work/"
        (cd "$work" && npm ci --no-audit --no-fund --loglevel=error) >&2
    fi
    cp "$here/sdk-check.mjs" "$work/"
    unshare --net -- "$0" --inner "$work" "$(stat -L -c %i /proc/self/ns/net)"
    exit $?
fi

# --- inner stage: a fresh network namespace with loopback only ----------------------------
work=$2 host_netns=$3
cur=$(stat -L -c %i /proc/self/ns/net)
init=$(stat -L -c %i /proc/1/ns/net 2>/dev/null) || init=unknown   # not readable in some containers
[ "$cur" != "$host_netns" ] && [ "$cur" != "$init" ] ||
    fail "not in a private network namespace (in $cur, host $host_netns, PID 1 $init)"
ip link set lo up
[ -z "$(ip -o link show | grep -v ': lo:')" ] || fail "the private namespace has other links than lo"

tmp=$(mktemp -d)
pid=
cleanup() {
    if [ -n "$pid" ]; then
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT

cat >"$tmp/scenario.json" <<JSON
{"meta-data": {"mac": "$mac", "network": {"interfaces": {"macs": {"$mac": {"device-number": "0"}}}}}}
JSON
python3 "$fake" --listen 127.0.0.1:0 --scenario "$tmp/scenario.json" \
    --log "$tmp/requests.log" --port-file "$tmp/port" &
pid=$!
for _ in $(seq 100); do
    [ -s "$tmp/port" ] && break
    kill -0 "$pid" 2>/dev/null || fail "fake_imds.py exited"
    sleep 0.1
done
[ -s "$tmp/port" ] || fail "fake_imds.py did not write its port"
port=$(cat "$tmp/port")

got=$(cd "$work" && timeout 60 node sdk-check.mjs "$port") || fail "the SDK client failed"
[ "$got" = "$mac" ] || fail "the SDK read mac '$got', expected '$mac'"

# The request log must show the IMDSv2 flow: a token PUT, then a GET that presented it
# (the SDK sends "//latest/..." for an endpoint without a path).
python3 - "$tmp/requests.log" <<'PY' || fail "unexpected request log: $(cat "$tmp/requests.log")"
import json, sys
log = [json.loads(line) for line in open(sys.argv[1])]
put, get = log[0], log[-1]
assert (put["method"], put["path"], put["status"]) == ("PUT", "/latest/api/token", 200)
assert (get["method"], get["status"], get["token"]) == ("GET", 200, True)
assert get["path"].lstrip("/") == "latest/meta-data/mac"
assert all(e["token"] for e in log[1:]), "a GET went without a token (IMDSv1)"
PY
echo "sdk-check: OK, the AWS SDK read mac $got through the IMDSv2 token flow"

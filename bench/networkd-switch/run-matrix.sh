#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# The measurements of bench/networkd-switch.md: every case RUNS times, each in its own lab
# (experiment.sh), one after another under the e2e lock, then the table (summarize.py).
#
#   sudo bash bench/networkd-switch/run-matrix.sh --build-dir DIR --work DIR [--runs 3]
#        [--enis 16] CASE...
#
# CASE is NETWORKD:TRIGGER:VARIANT, e.g. 252:files:base, 257:files:hold,
# 252:refresh:own (see experiment.sh). Results stay in --work (one directory per case;
# rendered files are shared between the cases). The e2e lock is taken per lab, so other
# labs on the machine interleave instead of competing for the CPU.
set -u
EXP_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BUILD="" WORK="" RUNS=3 ENIS=16 SCEN=""
cases=()
while [ $# -gt 0 ]; do
    case $1 in
        --build-dir) BUILD=$2; shift 2 ;;
        --work) WORK=$2; shift 2 ;;
        --runs) RUNS=$2; shift 2 ;;
        --enis) ENIS=$2; shift 2 ;;
        --scenario) SCEN=$2; shift 2 ;;
        *) cases+=("$1"); shift ;;
    esac
done
[ -n "$BUILD" ] && [ -n "$WORK" ] && [ ${#cases[@]} -gt 0 ] || {
    echo "usage: $0 --build-dir DIR --work DIR [--runs N] [--enis N] NETWORKD:TRIGGER:VARIANT..." >&2; exit 2; }
mkdir -p "$WORK"
extra=()
[ -z "$SCEN" ] || extra=(--scenario "$SCEN")
for c in "${cases[@]}"; do
    IFS=: read -r nd trig var <<<"$c"
    d="$WORK/$nd-$trig-$(echo "$var" | tr '=+' '-_')"
    mkdir -p "$d"
    for ((k = 1; k <= RUNS; k++)); do
        [ -s "$d/run$k.txt" ] && grep -q '^oracle_failed' "$d/run$k.txt" && continue
        flock /tmp/ec2net-e2e.lock bash "$EXP_DIR/experiment.sh" --build-dir "$BUILD" --enis "$ENIS" \
            --networkd "$nd" --trigger "$trig" --variant "$var" --rendered "$WORK/rendered-$ENIS" \
            "${extra[@]}" --out "$d/run$k.txt" >"$d/run$k.log" 2>&1
        echo "$c run $k: exit $? $(grep -E '^(ready_ms|probe_lost|lease_lost|oracle_failed) ' "$d/run$k.txt" | tr '\n' ' ')" >&2
    done
done
/usr/bin/python3 "$EXP_DIR/summarize.py" "$WORK" "${cases[@]}"

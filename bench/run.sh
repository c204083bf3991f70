#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# The benchmark of the README: for 1, 16 and 64 ENIs, in the end-to-end lab (network
# namespaces, dnsmasq, the fake IMDS, the real systemd-networkd), what `start` and
# `refresh` cost and how fast networkd ends up configured. See bench/README.md.
#
#   sudo bash bench/run.sh [--build-dir DIR] [--sizes "1 16 64"] [--keep]
#
# Prints a Markdown table and the machine it ran on, and writes both to bench/results.md.
# Without --build-dir it builds the product in a temporary directory (removed afterwards).
# --keep keeps the work directory (per-size raw results and logs) and each lab's files.
set -u
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC_DIR=$(cd "$BENCH_DIR/.." && pwd)
BUILD_DIR="" BASELINE_DIR="" SIZES="1 16 64" KEEP=0

usage() { echo "usage: $0 [--build-dir DIR] [--baseline-build-dir DIR] [--sizes \"1 16 64\"] [--keep]" >&2; exit 2; }
while [ $# -gt 0 ]; do
    case $1 in
        --build-dir) BUILD_DIR=$2; shift 2 ;;
        --build-dir=*) BUILD_DIR=${1#*=}; shift ;;
        --baseline-build-dir) BASELINE_DIR=$2; shift 2 ;;
        --sizes) SIZES=$2; shift 2 ;;
        --sizes=*) SIZES=${1#*=}; shift ;;
        --keep) KEEP=1; shift ;;
        -h|--help) usage ;;
        *) usage ;;
    esac
done
for n in $SIZES; do
    if ! [[ $n =~ ^[0-9]+$ ]] || [ "$n" -lt 1 ] || [ "$n" -gt 200 ]; then usage; fi
done
[ "$(id -u)" = 0 ] || { echo "bench/run.sh needs root (network namespaces)" >&2; exit 1; }

log() { printf '[bench %s] %s\n' "$(date +%T)" "$*" >&2; }
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

# --- tools -------------------------------------------------------------------------------
# strace (child processes), dbus-monitor (networkd reloads), cc (tests/lab/runpar.c); hyperfine is
# optional (its row reads n/a without it). The lab's own needs are checked by lab.sh.
need=()
command -v strace >/dev/null || need+=(strace)
command -v dbus-monitor >/dev/null || need+=(dbus-bin)
command -v cc >/dev/null || need+=(gcc libc6-dev)
command -v hyperfine >/dev/null || need+=(hyperfine)
if [ ${#need[@]} -gt 0 ] && command -v apt-get >/dev/null; then
    log "installing ${need[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null 2>&1 ||
        { apt-get update -q >/dev/null 2>&1 &&
          DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null 2>&1; } ||
        log "could not install ${need[*]}"
fi
for t in strace dbus-monitor cc; do
    command -v "$t" >/dev/null || { echo "bench/run.sh: $t is missing" >&2; exit 1; }
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/ec2net-bench.XXXXXX")
OWN_BUILD=""
# shellcheck disable=SC2317  # called by the trap
cleanup() {
    [ -n "$OWN_BUILD" ] && rm -rf "$OWN_BUILD"
    if [ "$KEEP" = 1 ]; then log "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# --- build -------------------------------------------------------------------------------
if [ -z "$BUILD_DIR" ]; then
    OWN_BUILD=$(mktemp -d "${TMPDIR:-/tmp}/ec2net-bench-build.XXXXXX")
    BUILD_DIR=$OWN_BUILD
    log "building the product (RelWithDebInfo) in $BUILD_DIR"
    if ! cmake -S "$SRC_DIR" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$WORK/build.log" 2>&1 ||
        ! cmake --build "$BUILD_DIR" -j "$(nproc)" --target ec2-net-refresh ec2-net-generator ec2-net-hotplug ec2-netctl \
            default-network >>"$WORK/build.log" 2>&1; then
        tail -n 30 "$WORK/build.log" >&2
        echo "bench/run.sh: build failed" >&2
        exit 1
    fi
fi
BUILD_DIR=$(cd "$BUILD_DIR" && pwd) || exit 1
for p in setup-policy-routes ec2-net-generator ec2-netctl; do
    [ -x "$BUILD_DIR/generators/$p" ] || { echo "bench/run.sh: no $BUILD_DIR/generators/$p" >&2; exit 1; }
done

# --- the machine -------------------------------------------------------------------------
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)
os=$(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME")
sd=$(/lib/systemd/systemd-networkd --version 2>/dev/null | head -n1 | awk '{print $2}')
btype=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$BUILD_DIR/CMakeCache.txt" 2>/dev/null)
commit=$(git -C "$SRC_DIR" rev-parse --short HEAD 2>/dev/null || echo "?")
[ -n "$(git -C "$SRC_DIR" status --porcelain -- common generators 2>/dev/null)" ] && commit="$commit (with local changes)"
MACHINE="$(nproc) CPUs ($cpu), $(free -m | awk '/^Mem:/ { printf "%.1f GiB", $2 / 1024 }') RAM, \
kernel $(uname -r), $os, systemd-networkd $sd; product $commit, build ${btype:-?}, $(date -u +'%Y-%m-%d %H:%M UTC')"
log "machine: $MACHINE"

# --- one lab per size ----------------------------------------------------------------------
results=() failed=0 t0=$(date +%s)
for n in $SIZES; do
    log "$n ENI(s): lab up, start, refresh, refresh after a change, boot path"
    LAB_KEEP=$KEEP bash "$BENCH_DIR/bench-size.sh" --build-dir "$BUILD_DIR" --enis "$n" \
        --out "$WORK/$n.txt" 2>"$WORK/$n.log"
    rc=$?
    grep -E '\[bench [0-9]+\]|^FAIL|FATAL|lab up in|teardown in' "$WORK/$n.log" | sed 's/^/    /' >&2
    if [ $rc != 0 ] || ! grep -qx 'ok 1' "$WORK/$n.txt" 2>/dev/null; then
        failed=1
        log "$n ENI(s): FAILED (exit $rc), log tail:"
        tail -n 40 "$WORK/$n.log" | sed 's/^/    /' >&2
    fi
    [ -s "$WORK/$n.txt" ] && results+=("$WORK/$n.txt")
done
[ ${#results[@]} -gt 0 ] || { echo "bench/run.sh: no results" >&2; exit 1; }

# --- program start on the boot and hot-plug paths (no lab needed) ---------------------------
startup=$(bash "$BENCH_DIR/bench-startup.sh" --build-dir "$BUILD_DIR" ${BASELINE_DIR:+--baseline-build-dir "$BASELINE_DIR"}) ||
    { failed=1; startup="**bench-startup.sh failed.**"; }

# --- the table ---------------------------------------------------------------------------
table=$("$PY" "$BENCH_DIR/benchtool.py" table "${results[@]}") || exit 1
scenario=$(sed -n 's/^scenario //p' "${results[0]}" | sed 's/--enis [0-9]*/--enis N/')
{
    echo "<!-- Generated by bench/run.sh; do not edit: run \`sudo bash bench/run.sh\` again. -->"
    echo "# Benchmark results"
    echo
    echo "Machine: $MACHINE."
    echo
    echo "Scenario: \`tests/lab/$scenario\` (per ENI: its own dual-stack"
    echo "subnet, one secondary IPv4, one delegated IPv4 prefix). Times are wall-clock on the lab; CPU and"
    echo "memory are the kernel's accounting of each process; request counts come from the fake"
    echo "IMDS's log, reloads from \`dbus-monitor\` on the instance's bus. Floors and method:"
    echo "\`bench/README.md\`."
    echo
    echo "$table"
    echo
    echo "$startup"
    [ $failed = 0 ] || { echo; echo "**Some runs failed; see the run's output.**"; }
} >"$WORK/results.md"
cp "$WORK/results.md" "$BENCH_DIR/results.md"
cat "$WORK/results.md"
log "done in $(($(date +%s) - t0)) s; written to bench/results.md"
exit $failed

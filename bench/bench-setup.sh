#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# One measurement of issue 14's table: how long ENIs take to be configured and what
# networkd's switch from 80-ec2.network costs them, with and without holding
# (HoldUntilConfigured=). A measurement, not a test (bench-setup-matrix.sh repeats it and
# makes the table; bench/README.md says how to read it).
#
#   bench-setup.sh --build-dir DIR --case hotadd|boot --enis N [--ipv4-only]
#                  --hold yes|no --out FILE
#
# hotadd  the instance runs with its primary ENI configured; N more ENIs are attached at
#         once. The real udevd runs the product's rule in the instance (as e2e-hot-add-udev),
#         so networkd waits for udev as on an instance; udev's RUN+= runs ec2-net-hotplug
#         (holding each ENI with --hold yes), whose StartUnit fake-systemd turns into
#         `setup-policy-routes IFACE start`. Time zero: the attachment. An ICMP echo leaves
#         the primary for its gateway every 20 ms meanwhile.
# boot    N ENIs present at boot: `ec2-net-generator --hold` (with --hold yes) before
#         networkd starts, then networkd, then `ec2-net-generator --seed` and every
#         `setup-policy-routes IFACE start` at once, as systemd orders them. Time zero:
#         networkd's start. (No probe: the primary has no address before its DHCP.)
#
# Output lines "KEY VALUE": configured_ms (every ENI ready as bench/poll-ready.py defines
# it), from_link_ms (the same from the moment every link existed), ipv4_ms (the same without the IPv6 facts), lease_lost and lease6_lost (networkd's
# "DHCP lease lost" / "DHCPv6 lease lost" lines for the ENIs being set up), first_own (how
# many of them networkd configured first with their own file), probes_sent, probes_lost,
# oracle_failed.
set -u
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../tests/lab/lab.sh
source "$BENCH_DIR/../tests/lab/lab.sh"

CASE="" ENIS="" IPV6=--ipv6 HOLD="" OUT=""
usage() { echo "usage: $0 --build-dir DIR --case hotadd|boot --enis N [--ipv4-only] --hold yes|no --out FILE" >&2; exit 2; }
while [ $# -gt 0 ]; do
    case $1 in
        --build-dir) LAB_BUILD_DIR=$(cd "$2" && pwd); shift 2 ;;
        --case) CASE=$2; shift 2 ;;
        --enis) ENIS=$2; shift 2 ;;
        --ipv4-only) IPV6=""; shift ;;
        --hold) HOLD=$2; shift 2 ;;
        --out) OUT=$2; shift 2 ;;
        *) usage ;;
    esac
done
[[ $CASE =~ ^(hotadd|boot)$ ]] && [[ $ENIS =~ ^[0-9]+$ ]] && [[ $HOLD =~ ^(yes|no)$ ]] && [ -n "$OUT" ] || usage
: >"$OUT"
out() { echo "$*" >>"$OUT"; }
prefix=${EC2NET_FILE_PREFIX:-70}

lab_init
printf 'HoldUntilConfigured=%s\n' "$HOLD" >>"$LAB_CONFIG"
setup=$(lab_product_path setup-policy-routes) || exit 1
gen=$(lab_product_path ec2-net-generator) || exit 1
ifaces=()
if [ "$CASE" = hotadd ]; then
    lab_load_generated --enis $((ENIS + 1)) $IPV6 --secondary 1 --v4-prefix --later "$ENIS"
    for ((i = 1; i <= ENIS; i++)); do ifaces+=("ens$((5 + i))"); done
else
    lab_load_generated --enis "$ENIS" $IPV6 --secondary 1 --v4-prefix
    for ((i = 0; i < ENIS; i++)); do ifaces+=("ens$((5 + i))"); done
fi
out "case $CASE"
out "enis $ENIS"
out "ipv6 ${IPV6:+yes}"
out "hold $HOLD"

poll_start() {
    lab_inst_bg "$LAB_PYTHON" "$BENCH_DIR/poll-ready.py" --trace --interval 0.02 --timeout 60 \
        "$LAB_IMDS_FILE" "${ifaces[@]}" >"$LAB_DIR/poll.out" 2>&1
    POLL_PID=$!
    LAB_PIDS+=("$POLL_PID")
    lab_wait_for 10 grep -q '^first-poll' "$LAB_DIR/poll.out" || lab_die "poll-ready did not start"
}
# poll_result T0: configured_ms and ipv4_ms after T0 (seconds, CLOCK_REALTIME).
poll_result() {
    wait "$POLL_PID" 2>/dev/null
    local t0_ns
    t0_ns=$(awk -v t="$1" 'BEGIN { printf "%.0f", t * 1e9 }')
    grep -q '^ready' "$LAB_DIR/poll.out" || { out "configured_ms timeout"; out "ipv4_ms timeout"; return; }
    "$LAB_PYTHON" "$BENCH_DIR/benchtool.py" trace "$LAB_DIR/poll.out" "$t0_ns" |
        awk '$1 == "ms" { printf "configured_ms %.0f\n", $2 } $1 == "ipv4_ms" { printf "ipv4_ms %.0f\n", $2 }' >>"$OUT"
    # From the last link's appearance (the poller's first poll that finds every link).
    [ "$CASE" = hotadd ] || { out "from_link_ms -"; return; }
    awk -v t0="$t0_ns" '$1 == "pending" && !seen && $0 !~ /:no-link/ { seen = 1; t = $2 }
        $1 == "ready" && seen { printf "from_link_ms %.0f\n", ($2 - t) / 1e6 }' "$LAB_DIR/poll.out" >>"$OUT"
}

if [ "$CASE" = hotadd ]; then
    before_networkd() { lab_udev_product; }
    LAB_UDEV=1
    LAB_BEFORE_NETWORKD=before_networkd
    lab_up
    lab_wait_configured --timeout 30 ens5 || lab_die "networkd did not configure ens5"
    lab_wait_for 30 lab_inst "$LAB_PYTHON" "$LAB_LIB_DIR/labtool.py" check "$LAB_IMDS_FILE" ens5 ||
        lab_die "ens5 not set up"
    macs=()
    for i in "${ifaces[@]}"; do macs+=("$(lab_mac "$i")"); done
    log_mark=$(wc -l <"$LAB_DIR/networkd.log")
    poll_start
    lab_probe_start ens5
    sleep 0.3
    t0=$(lab_now)
    lab_eni_attach "${macs[@]}"
    poll_result "$t0"
    sleep 1
    probe=$(lab_probe_stop)
    read -r sent lost <<<"$(lab_probe_counts "$probe")"
    out "probes_sent $sent"
    out "probes_lost $lost"
else
    hold_before_networkd() {
        [ "$HOLD" = no ] || lab_inst env EC2NET_CONFIG="$LAB_CONFIG" "$gen" --hold >"$LAB_DIR/hold.log" 2>&1
    }
    LAB_BEFORE_NETWORKD=hold_before_networkd
    # lab_up waits for DHCP on the ENIs that are not held: time zero is networkd's start,
    # so the poller starts in the hook, and the seed right after networkd.
    lab_networkd_start_orig=$(declare -f lab_networkd_start)
    eval "${lab_networkd_start_orig/lab_networkd_start/lab_networkd_start_real}"
    lab_networkd_start() {
        poll_start
        T0=$(lab_now)
        lab_networkd_start_real
        lab_inst_bg env EC2NET_CONFIG="$LAB_CONFIG" sh -c '
            gen=$1 setup=$2 out=$3; shift 3
            "$gen" --seed >"$out/seed.log" 2>&1
            for i in "$@"; do "$setup" "$i" start >"$out/start-$i.log" 2>&1 & done
            wait' sh "$gen" "$setup" "$LAB_DIR" "${ifaces[@]}"
        SEED_PID=$!
        LAB_PIDS+=("$SEED_PID")
    }
    log_mark=0
    lab_up
    poll_result "$T0"
    wait "$SEED_PID" 2>/dev/null
    out "probes_sent -"
    out "probes_lost -"
fi

tail -n +"$((log_mark + 1))" "$LAB_DIR/networkd.log" >"$LAB_DIR/networkd.after"
l4=0 l6=0 own=0
for i in "${ifaces[@]}"; do
    l4=$((l4 + $(grep -cE " $i: DHCP lease lost" "$LAB_DIR/networkd.after")))
    l6=$((l6 + $(grep -cE " $i: DHCPv6 lease lost" "$LAB_DIR/networkd.after")))
    first=$(lab_first_network_file "$i" "$LAB_DIR/networkd.after")
    [ "$first" = "/run/systemd/network/$prefix-$i.network" ] && own=$((own + 1))
done
out "lease_lost $l4"
out "lease6_lost $l6"
out "first_own $own"
lab_wait_for 30 lab_inst "$LAB_PYTHON" "$LAB_LIB_DIR/labtool.py" check "$LAB_IMDS_FILE" "${ifaces[@]}" >/dev/null
failed=$(lab_check "${ifaces[@]}" | sed -n 's/^oracle: [0-9]* passed, \([0-9]*\) failed$/\1/p')
out "oracle_failed ${failed:-?}"
lab_summary >/dev/null
cat "$OUT"

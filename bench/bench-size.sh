#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# One benchmark run for one number of ENIs, in its own lab (tests/lab/lab.sh, used as is):
#
#   bench-size.sh --build-dir DIR --enis N --out FILE
#
# Writes "key value" lines to FILE (bench/run.sh turns them into the table). Phases, each
# in the lab's instance namespace, against the real systemd-networkd and the fake IMDS:
#   baseline  setup-policy-routes --version, once per ENI: what merely starting the binary
#             costs (exec + dynamic loading), the fixed part of every run (5 passes, median)
#   start     setup-policy-routes IFACE start for every ENI at once, as udev/boot would
#             start policy-routes@IFACE; timed until networkd reports every link configured
#             with the product's configuration and the rules and tables are in the kernel
#   refresh0  setup-policy-routes IFACE refresh for every ENI one after another (as the
#             timers spread them), nothing changed in IMDS; 5 passes: counts from the
#             first, CPU the median
#   strace    the same once more under strace -f: processes, execs and threads created
#   hyperfine wall time of one ENI's refresh (when hyperfine is installed)
#   netctl    ec2-netctl status --offline, status and plan over every ENI (all in sync):
#             wall time, CPU, IMDS requests against one refresh of every ENI
#   refresh1  one secondary IPv4 assigned to one ENI in IMDS, then refresh every ENI (one
#             after another); timed
#             until the new address and rule are in the kernel, noting what went missing
#   boot      the designed boot path from a clean /run: ec2-net-generator --seed (one pass
#             over every ENI) then every policy-routes@ start at once (they are ordered
#             After=ec2-net-seed.service)
#   refresh2x after an upgrade from 2.x on this networkd (252): every ENI on 2.x's files
#             (tests/lab/legacy-2x.sh, the other prefix), refreshed one after another,
#             5 passes: they stay on them (deferred-takeover.h); counts from the first pass
#             (the one that records the deferral), CPU the median
# CPU time and peak memory come from the kernel's accounting of each process (wait4, see
# tests/lab/runpar.c); IMDS requests from the fake IMDS's request log; networkd reloads from
# dbus-monitor on the instance's bus (Manager.Reload calls), independent of the product.
set -u
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../tests/lab/lab.sh
source "$BENCH_DIR/../tests/lab/lab.sh"
# shellcheck source=../tests/lab/legacy-2x.sh
source "$BENCH_DIR/../tests/lab/legacy-2x.sh"

usage() { echo "usage: $0 --build-dir DIR --enis N --out FILE" >&2; exit 2; }
ENIS=16 OUT=""
while [ $# -gt 0 ]; do
    case $1 in
        --build-dir) LAB_BUILD_DIR=$(cd "$2" && pwd) || exit 2; shift 2 ;;
        --enis) ENIS=$2; shift 2 ;;
        --out) OUT=$2; shift 2 ;;
        *) usage ;;
    esac
done
if [ -z "$OUT" ] || [ -z "${LAB_BUILD_DIR:-}" ]; then usage; fi
: >"$OUT"

bt() { "$LAB_PYTHON" "$BENCH_DIR/benchtool.py" "$@"; }
out() { echo "$*" >>"$OUT"; }
out_kv() { sed "s/^/$1/" >>"$OUT"; }   # out_kv PREFIX < "key value" lines
note() { lab_log "[bench $ENIS] $*"; }
show() { note "$(grep -E "^($1) " "$OUT" | tr '\n' ' ')"; }

lab_init
SCEN="$LAB_DIR/scenario.json"
# Dual-stack ENIs, one subnet each, one secondary IPv4 and one delegated IPv4 prefix each:
# a refresh reads the listing, local-ipv4s, ipv6s and ipv4-prefix of every ENI.
SCEN_ARGS=(--enis "$ENIS" --ipv6 --secondary 1 --v4-prefix)
"$LAB_PYTHON" "$LAB_LIB_DIR/gen-scenario.py" "${SCEN_ARGS[@]}" >"$SCEN" || lab_die "gen-scenario"
out "scenario gen-scenario.py ${SCEN_ARGS[*]}"
lab_load "$SCEN"
PRODUCT=$(lab_product_path setup-policy-routes) || exit 1
GENERATOR=$(lab_product_path ec2-net-generator) || exit 1
out "shared_libraries $(ldd "$PRODUCT" | grep -c '=>')"
lab_runpar_build
bt floor "$LAB_IMDS_FILE" >>"$OUT"

IFACES=()
for e in "${LAB_ENIS[@]}"; do read -r -a f <<<"$e"; IFACES+=("${f[0]}"); done

t0=$(lab_now)
lab_up
out "lab_up_ms $(awk -v a="$t0" -v b="$(lab_now)" 'BEGIN { printf "%d", (b - a) * 1000 }')"
lab_wait_configured --timeout 60 "${IFACES[@]}" || lab_die "networkd did not configure the links"

# networkd reloads, counted on the bus: every Reload method call to networkd.
lab_reload_monitor_start
reloads() { bt reloads "$LAB_DIR/reloads.log"; }

# The generated files (name, mtime, inode): what a run rewrote.
files_snapshot() {
    find "$(lab_inst_path /run/systemd/network)" -type f -printf '%P %T@ %i\n' | sort
}
files_changed() { # BEFORE AFTER: lines new or different in AFTER
    diff <(echo "$1") <(echo "$2") | grep -c '^>' || true
}

# phase_begin PREFIX ... runs ... phase_end PREFIX: IMDS requests, networkd reloads and
# rewritten files between the two, under PREFIX.
phase_begin() {
    PH_FILES=$(files_snapshot)
    PH_RELOADS=$(reloads)
    lab_imds_mark
}
phase_end() {
    local prefix=$1
    sleep 0.2   # dbus-monitor writes asynchronously
    bt imds "$LAB_IMDS_LOG" "$LAB_IMDS_MARK" | out_kv "${prefix}_"
    out "${prefix}_reloads $(($(reloads) - PH_RELOADS))"
    out "${prefix}_files_rewritten $(files_changed "$PH_FILES" "$(files_snapshot)")"
}
# run_pass PREFIX K CMD ARG... ::: ITEM...: one process per item, all at once (runpar; one
# after another with RUNPAR_MODE=-s), in the instance with the lab's configuration; the
# report goes to PREFIX.rp (pass 1) or PREFIX.K.rp, each process's output to
# log-PREFIX/ITEM.err.
run_pass() {
    local prefix=$1 k=$2 rp failed f
    shift 2
    rp="$LAB_DIR/$prefix.rp"
    [ "$k" = 1 ] || rp="$LAB_DIR/$prefix.$k.rp"
    mkdir -p "$LAB_DIR/log-$prefix"
    # shellcheck disable=SC2086  # RUNPAR_MODE: empty (all at once) or -s (one after another)
    lab_inst env EC2NET_CONFIG="$LAB_CONFIG" "$LAB_RUNPAR" ${RUNPAR_MODE:-} -o "$rp" -e "$LAB_DIR/log-$prefix" "$@" ||
        lab_die "runpar $prefix"
    failed=$(awk '$1 != "total" && $2 != 0 { print $1 }' "$rp")
    if [ -n "$failed" ]; then
        lab_not_ok "$prefix: failed for: $failed"
        for f in $failed; do tail -n 5 "$LAB_DIR/log-$prefix/$f.err" >&2; done
    fi
}
# run_stats PREFIX PASSES: CPU (median over the passes), memory and wall time, under PREFIX.
run_stats() {
    local files=("$LAB_DIR/$1.rp") k
    for ((k = 2; k <= $2; k++)); do files+=("$LAB_DIR/$1.$k.rp"); done
    bt runpar "${files[@]}" | out_kv "$1_"
}
# run_all PREFIX PASSES CMD ARG... ::: ITEM...: PASSES passes of run_pass, then run_stats.
run_all() {
    local prefix=$1 passes=$2 k
    shift 2
    for ((k = 1; k <= passes; k++)); do run_pass "$prefix" "$k" "$@"; done
    run_stats "$prefix" "$passes"
}
# phase PREFIX ACTION [PASSES]: setup-policy-routes IFACE ACTION for every interface at once;
# requests, reloads and rewritten files counted over the first pass, CPU over all passes.
phase() {
    local prefix=$1 action=$2 passes=${3:-1} k
    phase_begin
    run_pass "$prefix" 1 "$PRODUCT" '{}' "$action" ::: "${IFACES[@]}"
    phase_end "$prefix"
    for ((k = 2; k <= passes; k++)); do
        run_pass "$prefix" "$k" "$PRODUCT" '{}' "$action" ::: "${IFACES[@]}"
    done
    run_stats "$prefix" "$passes"
}

# poll_start FILE [OPTION...] IMDS IFACE...: the readiness poller (poll-ready.py) in the
# background, until it has polled once; it must find something pending then (the product
# has not run yet).
poll_start() {
    local file=$1
    shift
    lab_inst_bg "$LAB_PYTHON" "$BENCH_DIR/poll-ready.py" --trace --interval 0.02 --timeout 60 \
        "$@" >"$file" 2>&1
    POLL_PID=$!
    LAB_PIDS+=("$POLL_PID")
    for ((i = 0; i < 500; i++)); do
        grep -q '^first-poll' "$file" 2>/dev/null && break
        lab_alive "$POLL_PID" || break
        sleep 0.01
    done
    grep -q '^first-poll' "$file" || { cat "$file" >&2; lab_die "poll-ready did not start"; }
    grep -q '^first-poll [0-9]* 0$' "$file" && lab_die "poll-ready finds everything ready before the product ran"
    return 0
}
# poll_wait FILE PREFIX RUNPAR-REPORT: when the poller saw everything ready (relative to the
# first process of the runpar report) and what went missing on the way.
poll_wait() {
    local file=$1 prefix=$2 rp=$3 t_start
    wait "$POLL_PID" 2>/dev/null
    t_start=$(awk '$1 == "total" { print $2 }' "$rp")
    bt trace "$file" "$t_start" | out_kv "${prefix}_"
    grep -q '^ready' "$file" ||
        lab_not_ok "$prefix: not ready within the poller's timeout: $(grep '^timeout' "$file")"
}

out_oracle() { # PREFIX: the lab's full oracle (labtool check) on every ENI, untimed
    local o p f
    o=$(lab_check "${IFACES[@]}")
    grep FAIL <<<"$o" >&2
    read -r p f <<<"$(sed -n 's/^oracle: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' <<<"$o" | tail -n1)"
    out "oracle_$1_passed ${p:-0}"
    out "oracle_$1_failed ${f:-1}"
}

# --- baseline: the cost of starting the binary at all -----------------------------------
RUNPAR_MODE=-s run_all baseline 5 "$PRODUCT" --version ::: "${IFACES[@]}"
show "baseline_cpu_mean_ms|baseline_rss_max_kb"

# --- start: every ENI at once ---------------------------------------------------------
note "start of $ENIS ENIs in parallel"
# Cheap polling (state files only) while networkd works, so the poller takes little CPU.
poll_start "$LAB_DIR/start.poll" --cheap "$LAB_IMDS_FILE" "${IFACES[@]}"
phase start start
poll_wait "$LAB_DIR/start.poll" start_ready "$LAB_DIR/start.rp"
show "start_ready_ms|start_wall_max_ms|start_cpu_total_ms|start_requests|start_reloads"
out_oracle start

# --- refresh, nothing changed --------------------------------------------------------
note "refresh of $ENIS ENIs, nothing changed"
RUNPAR_MODE=-s phase refresh0 refresh 5
show "refresh0_cpu_total_ms|refresh0_requests|refresh0_reloads|refresh0_files_rewritten"

# --- the same under strace: child processes -------------------------------------------
note "refresh under strace -f"
mkdir -p "$LAB_DIR/strace"
lab_inst env EC2NET_CONFIG="$LAB_CONFIG" "$LAB_RUNPAR" -o "$LAB_DIR/strace.rp" \
    strace -f -qq -e trace=execve,execveat,clone,clone3,fork,vfork \
    -o "$LAB_DIR/strace/{}.strace" "$PRODUCT" '{}' refresh ::: "${IFACES[@]}" ||
    lab_die "strace run"
bt strace "$LAB_DIR/strace" | out_kv "refresh0_"
show "refresh0_traced|refresh0_child_execs|refresh0_child_procs|refresh0_threads"

# --- hyperfine: wall time of one refresh ----------------------------------------------
if command -v hyperfine >/dev/null; then
    one=${IFACES[${#IFACES[@]} - 1]}
    note "hyperfine: refresh of $one"
    if lab_inst env EC2NET_CONFIG="$LAB_CONFIG" hyperfine -N --style none --warmup 3 --runs 30 \
        --export-json "$LAB_DIR/hyperfine.json" "$PRODUCT $one refresh" >"$LAB_DIR/hyperfine.out" 2>&1; then
        "$LAB_PYTHON" -c '
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
print("hyperfine_mean_ms %.1f" % (r["mean"] * 1000))
print("hyperfine_stddev_ms %.1f" % (r["stddev"] * 1000))
print("hyperfine_user_ms %.2f" % (r["user"] * 1000))
print("hyperfine_system_ms %.2f" % (r["system"] * 1000))' "$LAB_DIR/hyperfine.json" >>"$OUT"
        show "hyperfine_mean_ms|hyperfine_stddev_ms"
    else
        cat "$LAB_DIR/hyperfine.out" >&2
    fi
fi

# --- ec2-netctl: the operator's view of the same ENIs, all in sync ----------------------
# status --offline (no IMDS), status and plan (IMDS read as one refresh of every ENI reads
# it, through one client): time, CPU, memory, IMDS requests, and that they change nothing.
NETCTL=$(lab_product_path ec2-netctl) || exit 1
note "ec2-netctl status --offline, status, plan over $ENIS ENIs"
for what in offline status plan; do
    case $what in
        offline) args=(status --offline --json=short) passes=5 ;;
        status) args=(status --json=short) passes=3 ;;
        plan) args=(plan --json=short) passes=3 ;;
    esac
    # Requests, reloads and files over the first pass; CPU and wall time the median.
    phase_begin
    RUNPAR_MODE=-s run_pass "netctl_$what" 1 "$NETCTL" "${args[@]}" ::: "$what"
    phase_end "netctl_$what"
    for ((k = 2; k <= passes; k++)); do RUNPAR_MODE=-s run_pass "netctl_$what" "$k" "$NETCTL" "${args[@]}" ::: "$what"; done
    run_stats "netctl_$what" "$passes"
done
if command -v hyperfine >/dev/null &&
    lab_inst env EC2NET_CONFIG="$LAB_CONFIG" hyperfine -N --style none --warmup 3 --runs 30 \
        --export-json "$LAB_DIR/hyperfine-netctl.json" "$NETCTL status --offline --json=short" \
        >"$LAB_DIR/hyperfine-netctl.out" 2>&1; then
    "$LAB_PYTHON" -c '
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
print("netctl_hyperfine_mean_ms %.1f" % (r["mean"] * 1000))
print("netctl_hyperfine_stddev_ms %.1f" % (r["stddev"] * 1000))' "$LAB_DIR/hyperfine-netctl.json" >>"$OUT"
fi
show "netctl_offline_wall_max_ms|netctl_offline_requests|netctl_status_requests|netctl_plan_requests|refresh0_requests|netctl_hyperfine_mean_ms"

# --- refresh after one IP was assigned to one ENI -------------------------------------
target=${IFACES[${#IFACES[@]} - 1]}   # a secondary ENI when there are several
mac=$(lab_mac "$target")
key=$(lab_mac_key "$mac" local-ipv4s)
first=$(lab_imds_get "$key" | head -n1)
newip=${first%.*}.$((${first##*.} + 50))
note "assign $newip to $target ($mac) in IMDS, refresh every ENI"
lab_imds_list_add "$key" "$newip"
out "refresh1_target $target $newip"
# ec2net_alias.conf, and ec2net_policy_4.conf on a non-primary ENI.
if [ "$target" = "${IFACES[0]}" ]; then out "refresh1_files_floor 1"; else out "refresh1_files_floor 2"; fi
# Full polling of the changed ENI: shows what goes missing while networkd reconfigures it.
poll_start "$LAB_DIR/refresh1.poll" "$LAB_IMDS_FILE" "$target"
RUNPAR_MODE=-s phase refresh1 refresh
poll_wait "$LAB_DIR/refresh1.poll" refresh1_converge "$LAB_DIR/refresh1.rp"
show "refresh1_cpu_total_ms|refresh1_requests|refresh1_reloads|refresh1_files_rewritten|refresh1_converge_ms|refresh1_converge_outage_facts"
out_oracle refresh1

# --- the boot path: seed stage, then every start --------------------------------------
note "boot path: remove every ENI's configuration, clean /run, then seed + starts"
run_all remove 1 "$PRODUCT" '{}' remove ::: "${IFACES[@]}"
# A fresh boot: no token, no per-interface state, no reload bookkeeping.
find "$(lab_inst_path /run/amazon-ec2-net-utils)" -mindepth 1 -delete
[ -z "$(ls -A "$(lab_inst_path /run/systemd/network)")" ] || lab_not_ok "remove left files behind"
# Back to the stock 80-ec2.network everywhere, configured, with the DHCP leases.
stock() {
    local i idx st
    for i in "${IFACES[@]}"; do
        idx=$(ip -n "$LAB_INST" -o link show dev "$i" | cut -d: -f1)
        st=$(lab_inst_path "/run/systemd/netif/links/$idx")
        grep -qx 'ADMIN_STATE=configured' "$st" && grep -q '^NETWORK_FILE=.*/80-ec2.network$' "$st" ||
            return 1
    done
}
if ! lab_wait_for 120 stock; then
    # Which links, in what state (networkd 252 sometimes leaves a link "configuring" after
    # many reconfigurations in a row: see tests/stress/stress-kill9.sh).
    for i in "${IFACES[@]}"; do
        idx=$(ip -n "$LAB_INST" -o link show dev "$i" | cut -d: -f1)
        st=$(lab_inst_path "/run/systemd/netif/links/$idx")
        grep -qx 'ADMIN_STATE=configured' "$st" && grep -q '^NETWORK_FILE=.*/80-ec2.network$' "$st" ||
            lab_log "  $i: $(grep -E '^(ADMIN_STATE|OPER_STATE|NETWORK_FILE)=' "$st" | tr '\n' ' ')"
    done
    lab_log "  networkd reloads so far: $(reloads)"
    lab_die "links not back on 80-ec2.network within 120 s"
fi
for i in "${IFACES[@]}"; do LAB_DHCP_TIMEOUT=60 lab_wait_dhcp "$i"; done
poll_start "$LAB_DIR/boot.poll" --cheap "$LAB_IMDS_FILE" "${IFACES[@]}"
phase_begin
run_all boot_seed 1 "$GENERATOR" --seed ::: seed
run_all boot_start 1 "$PRODUCT" '{}' start ::: "${IFACES[@]}"
phase_end boot
poll_wait "$LAB_DIR/boot.poll" boot_ready "$LAB_DIR/boot_seed.rp"
seeded=$(sed -n 's/.*Seeded \([0-9]*\) of [0-9]* ENIs.*/\1/p' "$LAB_DIR/log-boot_seed/seed.err" | tail -n1)
[ -z "$seeded" ] && grep -q 'No ENI present' "$LAB_DIR/log-boot_seed/seed.err" && seeded=0
out "boot_seeded ${seeded:-?}"
[ "${seeded:-0}" = "$ENIS" ] || note "the seed stage configured ${seeded:-?} of $ENIS ENIs: $(tail -n1 "$LAB_DIR/log-boot_seed/seed.err")"
show "boot_ready_ms|boot_seeded|boot_seed_cpu_total_ms|boot_start_cpu_total_ms|boot_requests|boot_reloads"
out_oracle boot

# --- after an upgrade from 2.x: refreshes of ENIs left on 2.x's files ------------------
note "every ENI on 2.x's files, then refresh of $ENIS ENIs left on them"
run_all remove2 1 "$PRODUCT" '{}' remove ::: "${IFACES[@]}"
find "$(lab_inst_path /run/amazon-ec2-net-utils)" -mindepth 1 -delete
other=70
[ "${EC2NET_FILE_PREFIX:-70}" != 70 ] || other=07
for i in "${IFACES[@]}"; do lab_write_2x "$i" "$other"; done
lab_networkctl reload
# networkd applies 2.x's file to every link (what the product asks networkd before it
# defers). Whether each link is configured yet does not matter here: after this many
# reconfigurations networkd 252 leaves some "configuring" for a while (see the boot path).
on_2x() {
    local i idx st
    for i in "${IFACES[@]}"; do
        idx=$(ip -n "$LAB_INST" -o link show dev "$i" | cut -d: -f1)
        st=$(lab_inst_path "/run/systemd/netif/links/$idx")
        grep -q "^NETWORK_FILE=.*/$other-$i.network\$" "$st" || return 1
    done
}
if lab_wait_for 120 on_2x; then
    # The refreshes ask IMDS through the links: wait for their DHCP (the switch restarted it).
    lab_wait_configured --timeout 60 "${IFACES[@]}" >/dev/null ||
        note "some links still configuring after 60 s on 2.x's files"
    for i in "${IFACES[@]}"; do LAB_DHCP_TIMEOUT=60 lab_wait_dhcp "$i"; done
    RUNPAR_MODE=-s phase refresh2x refresh 5
    show "refresh2x_cpu_total_ms|refresh2x_requests|refresh2x_reloads|refresh2x_files_rewritten"
    stayed=$(find "$(lab_inst_path /run/amazon-ec2-net-utils/takeover-deferred)" -type f 2>/dev/null | wc -l)
    out "refresh2x_deferred $stayed"
    [ "$stayed" = "$ENIS" ] || lab_not_ok "refresh2x: $stayed of $ENIS ENIs recorded as left on 2.x's files"
    on_2x || lab_not_ok "refresh2x: an ENI left 2.x's files"
else
    for i in "${IFACES[@]}"; do
        idx=$(ip -n "$LAB_INST" -o link show dev "$i" | cut -d: -f1)
        st=$(lab_inst_path "/run/systemd/netif/links/$idx")
        grep -q "^NETWORK_FILE=.*/$other-$i.network\$" "$st" ||
            lab_log "  $i: $(grep -E '^(ADMIN_STATE|OPER_STATE|NETWORK_FILE)=' "$st" | tr '\n' ' ')"
    done
    lab_not_ok "links not on 2.x's files within 120 s"
fi

if [ "$LAB_FAILED" = 0 ]; then out "ok 1"; else out "ok 0"; fi
lab_summary >/dev/null

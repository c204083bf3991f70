#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Churn: 16 ENIs (--quick: 8) hot-added and hot-removed 20 times (--quick: 5) in quick
# succession while a refresh loop (what the refresh timers do) runs over all of them; then
# an interface name reused by a different ENI right after its removal. ens5, the primary,
# stays attached throughout.
# Each round: all ENIs attached at once (one `ip -batch`) and their `start`s launched at
# once; after a random 0-2.5 s (some starts still waiting for DHCP, some done) all are
# detached at once, their units "stopped" (SIGTERM to the setup or refresh in progress, as
# systemd does when ec2-net-hotplug remove stops policy-routes@ and refresh-policy-routes@)
# and `remove` runs for all at once. Then the even-numbered ENIs are attached for good and
# set up, and names are reused:
#   - ens6's ENI detached, removed, and at once another ENI attached under the name ens6;
#   - ens8's ENI detached without a `remove` (the udev remove event lost), another ENI
#     attached as ens8 and set up over the old ENI's files;
#   (--full: the same again for ens10 and ens12.)
# Afterwards: the kernel state of the attached ENIs is right (oracle); their files and saved
# state equal a fresh setup, and nothing is left of the detached ones (no file, state, rule
# or route); no product process, lock or temporary file is left; every start, refresh and
# remove that was not stopped exited 0; networkd reloads are counted against the changes.
source "$(dirname "$0")/common.sh" "$@"
K=$(st_pick 8 16)
ROUNDS=$(st_pick 5 20)
SPARES=$(st_pick 2 4)

LAB_DHCP_TIMEOUT=60
lab_init
lab_load_generated --enis $((1 + K + SPARES)) --ipv6 --secondary 1 \
    --v4-prefix --later $((K + SPARES))
prog=$(lab_product_path setup-policy-routes) || exit 1
lab_up
lab_wait_configured --timeout 30 ens5 || lab_not_ok "networkd did not configure ens5"
lab_reload_monitor_start
lab_product setup-policy-routes ens5 start >/dev/null 2>&1 || lab_not_ok "start ens5"

CHURN=() CHURN_MACS=() SPARE_MACS=()
for ((j = 0; j < K; j++)); do CHURN+=("ens$((6 + j))"); CHURN_MACS+=("$(lab_mac "ens$((6 + j))")"); done
for ((j = 0; j < SPARES; j++)); do SPARE_MACS+=("$(lab_mac "ens$((6 + K + j))")"); done
r_start=$(lab_reloads)
out="$LAB_DIR/churn"
mkdir -p "$out"

# The refresh loop: every interface (attached or not) refreshed one after another, again
# and again, until told to stop (bounded by a deadline and a count).
lab_inst_bg env EC2NET_CONFIG="$LAB_CONFIG" sh -c '
    prog=$1 out=$2; shift 2
    end=$(($(date +%s) + 900)) n=0
    while [ ! -e "$out/stop-refresh" ] && [ "$(date +%s)" -lt $end ] && [ $n -lt 100000 ]; do
        for i in "$@"; do
            "$prog" "$i" refresh >>"$out/refresh.log" 2>&1
            rc=$?
            n=$((n + 1))
            [ $rc = 0 ] || echo "$i $rc" >>"$out/refresh.rc"
        done
    done
    echo $n >"$out/refresh.count"' sh "$prog" "$out" ens5 "${CHURN[@]}"
refresh_pid=$!
LAB_PIDS+=("$refresh_pid")

# starts_bg TAG IFACE...: `start` of each at once, in the background (the launcher's PID in
# STARTS_PID); per interface $out/TAG-IFACE.{rc,log}.
starts_bg() {
    local tag=$1
    shift
    lab_inst_bg env EC2NET_CONFIG="$LAB_CONFIG" sh -c '
        prog=$1 out=$2 tag=$3; shift 3
        for i in "$@"; do
            ( "$prog" "$i" start >"$out/$tag-$i.log" 2>&1; echo $? >"$out/$tag-$i.rc" ) &
        done
        wait' sh "$prog" "$out" "$tag" "$@"
    STARTS_PID=$!
    LAB_PIDS+=("$STARTS_PID")
}
wait_pid() { # wait_pid PID TIMEOUT: bounded wait for a process that is not our child... or is
    local i
    for ((i = 0; i < $2 * 10; i++)); do lab_alive "$1" || return 0; sleep 0.1; done
    return 1
}

n_start=0 n_start_ok=0 n_start_stopped=0 n_start_gone=0 n_start_bad=0 n_remove=0 ST_STOPPED=0
bad_starts=()
t0=$(lab_now)
for ((r = 1; r <= ROUNDS; r++)); do
    st_attach "${CHURN_MACS[@]}"
    starts_bg "r$r" "${CHURN[@]}"
    pause=$(awk -v x=$RANDOM 'BEGIN { printf "%.2f", x % 2500 / 1000 }')
    sleep "$pause"
    st_detach "${CHURN_MACS[@]}"
    st_stop_units "${CHURN[@]}"
    st_parallel "remove-r$r" remove "${CHURN[@]}"
    n_remove=$((n_remove + K))
    [ -z "$ST_PAR_FAILED" ] || lab_not_ok "round $r: remove failed:$ST_PAR_FAILED"
    wait_pid "$STARTS_PID" 30 || lab_not_ok "round $r: starts still running 30 s after their stop"
    for i in "${CHURN[@]}"; do
        rc=$(cat "$out/r$r-$i.rc" 2>/dev/null || echo none)
        n_start=$((n_start + 1))
        case $rc in
            0) if grep -q 'went away during its setup' "$out/r$r-$i.log"; then
                   n_start_gone=$((n_start_gone + 1))
               else
                   n_start_ok=$((n_start_ok + 1))
               fi ;;
            143|137) n_start_stopped=$((n_start_stopped + 1)) ;;
            # The link was gone before the start found it (detached before its stop: exit 3,
            # "did not appear in time"), or went away during the setup (exit 1, "No such
            # device"): a failure, as systemd would see it, but not a fault.
            1|3) if grep -q -e 'did not appear' -e 'No such device' "$out/r$r-$i.log"; then
                   n_start_gone=$((n_start_gone + 1))
               else
                   n_start_bad=$((n_start_bad + 1)); bad_starts+=("r$r $i rc=$rc: $(tail -n1 "$out/r$r-$i.log")")
               fi ;;
            *) n_start_bad=$((n_start_bad + 1)); bad_starts+=("r$r $i rc=$rc: $(tail -n1 "$out/r$r-$i.log")") ;;
        esac
    done
    lab_log "round $r/$ROUNDS: detached after ${pause}s; starts so far: $n_start_ok done, $n_start_stopped stopped, $n_start_gone ended by the detach, $n_start_bad failed"
done
t_rounds=$(lab_elapsed "$t0")
lab_assert "$ROUNDS rounds: every remove exited 0, every start exited 0, was stopped or saw its link go ($n_start_bad others)" \
    test "$n_start_bad" = 0 || printf '    %s\n' "${bad_starts[@]}" | head -n 20
# Between the rounds the churned ENIs are all gone: nothing of theirs may be left.
lab_assert "after the rounds: generated files only for ens5" \
    test "$(st_tree | sed -n "s|^$ST_PREFIX-\([^/]*\)\.network .*|\1|p" | tr '\n' ' ')" = "ens5 "

# The even-numbered ENIs attached for good, while the refresh loop runs.
FINAL=(ens5) FINAL_MACS=() GONE_MACS=()
for ((j = 0; j < K; j++)); do
    if ((j % 2 == 0)); then FINAL+=("${CHURN[$j]}"); FINAL_MACS+=("${CHURN_MACS[$j]}")
    else GONE_MACS+=("${CHURN_MACS[$j]}"); fi
done
st_attach "${FINAL_MACS[@]}"
st_parallel final start "${FINAL[@]:1}"
n_start=$((n_start + ${#FINAL[@]} - 1))
lab_assert "final attach: ${#FINAL_MACS[@]} starts exit 0 (failed:${ST_PAR_FAILED:- none})" test -z "$ST_PAR_FAILED"

# Names reused by another ENI.
reuse() { # reuse IFNAME SPARE_MAC with-remove|lost-remove
    local ifname=$1 new=$2 how=$3 old
    old=$(lab_inst cat "/sys/class/net/$ifname/address")
    lab_vpc ip link del "$(lab_peer "$old")" || lab_die "detach $old"
    GONE_MACS+=("$old")
    st_stop_units "$ifname"
    if [ "$how" = with-remove ]; then
        lab_product setup-policy-routes "$ifname" remove >"$out/reuse-remove-$ifname.log" 2>&1
        lab_assert "reuse $ifname: remove of the old ENI ($old) exits 0" test $? = 0
        n_remove=$((n_remove + 1))
    fi
    st_attach_as "$new" "$ifname"
    lab_product setup-policy-routes "$ifname" start >"$out/reuse-start-$ifname.log" 2>&1
    lab_assert "reuse $ifname ($how): start of the new ENI ($new) exits 0" test $? = 0 ||
        sed 's/^/    | /' "$out/reuse-start-$ifname.log"
    n_start=$((n_start + 1))
    lab_assert "reuse $ifname: eni.conf matches the new MAC only" \
        grep -qx "MACAddress=$new" "$(lab_inst_path "$ST_NET/$ST_PREFIX-$ifname.network.d/eni.conf")"
}
reuse ens6 "${SPARE_MACS[0]}" with-remove
reuse ens8 "${SPARE_MACS[1]}" lost-remove
if [ "$SPARES" -ge 4 ]; then
    reuse ens10 "${SPARE_MACS[2]}" with-remove
    reuse ens12 "${SPARE_MACS[3]}" lost-remove
fi

# Stop the refresh loop (bounded), then the checks.
touch "$out/stop-refresh"
wait_pid "$refresh_pid" 30 || lab_not_ok "the refresh loop did not stop"
n_refresh=$(cat "$out/refresh.count" 2>/dev/null || echo 0)
refresh_bad=$(awk '$2 != 143 && $2 != 137' "$out/refresh.rc" 2>/dev/null)
refresh_stopped=$(awk '$2 == 143 || $2 == 137' "$out/refresh.rc" 2>/dev/null | wc -l)
lab_assert "refresh loop: $n_refresh refreshes, $refresh_stopped stopped, every other one exited 0" \
    test -z "$refresh_bad" || { echo "$refresh_bad" | sort | uniq -c | head; grep -v -e '^$' "$out/refresh.log" | sort | uniq -c | sort -rn | head; }

# (Counted before the fresh setups of st_assert_fresh, which reload networkd themselves.)
reloads=$(($(lab_reloads) - r_start))
st_converge 60 "${FINAL[@]}"
st_assert_fresh "${FINAL[@]}"
st_assert_no_procs
st_assert_no_leftovers
st_assert_parse
gone_ok=0
for m in "${GONE_MACS[@]}"; do
    lab_inst "$LAB_PYTHON" "$LAB_LIB_DIR/labtool.py" check-gone "$LAB_IMDS_FILE" "$m" >/dev/null &&
        gone_ok=$((gone_ok + 1))
done
lab_assert "nothing left of the ${#GONE_MACS[@]} detached ENIs: no rule to or route in their tables ($gone_ok clean)" \
    test "$gone_ok" = ${#GONE_MACS[@]}

# Changes (one interface's configuration written or removed) and the reloads the product
# asked for, by who made them: the starts and removes of each burst, the refresh loop
# (one interface at a time: each change there is its own event).
count() { cat "$@" 2>/dev/null | grep -c -e 'Configuration of .* updated' -e 'Removed the configuration'; }
reloads_of() { cat "$@" 2>/dev/null | grep -c 'Reloaded systemd-networkd'; }
c_start=$(count "$out"/r[0-9]*-*.log "$LAB_DIR"/final/*.log "$out"/reuse-*.log)
c_remove=$(count "$LAB_DIR"/remove-r*/*.log)
c_refresh=$(count "$out/refresh.log")
r_start_=$(reloads_of "$out"/r[0-9]*-*.log "$LAB_DIR"/final/*.log "$out"/reuse-*.log)
r_remove=$(reloads_of "$LAB_DIR"/remove-r*/*.log)
r_refresh=$(reloads_of "$out/refresh.log")
changes=$((c_start + c_remove + c_refresh))
# One reload per change would be 2.x's behaviour; bursts share reloads. The refresh loop's
# changes come one at a time, so the bound is on the whole: at most 2 reloads per 3 changes.
lab_assert "networkd reloaded $reloads times for $changes configuration changes (at most $((changes * 2 / 3)))" \
    test $((reloads * 3)) -le $((changes * 2))
# A process stopped after its Reload call and before its log line is not in the logs.
r_logged=$((r_start_ + r_remove + r_refresh))
lab_assert "the product's logs agree ($r_logged reloads logged, $ST_STOPPED processes stopped)" \
    test "$r_logged" -le "$reloads" -a "$reloads" -le $((r_logged + ST_STOPPED))
events=$((2 * K * ROUNDS + 2 * ${#FINAL_MACS[@]} + 2 * (SPARES)))
st_figure "churn" "$K ENIs x $ROUNDS rounds in ${t_rounds}s: $((2 * K * ROUNDS)) attach/detach events; $n_start starts ($n_start_ok + ${#FINAL_MACS[@]} + $SPARES done, $n_start_stopped stopped mid-setup, $n_start_gone ended by the detach), $n_remove removes, $n_refresh refreshes ($refresh_stopped stopped), $ST_STOPPED processes stopped"
st_figure "name reuse" "$SPARES names taken by another ENI right after removal ($((SPARES / 2)) without the remove)"
st_figure "networkd reloads" "$reloads for $changes configuration changes (starts: $r_start_ for $c_start, removes: $r_remove for $c_remove, refresh loop: $r_refresh for $c_refresh)"
st_figure "events survived" "$((events + n_start + n_remove + n_refresh)) (link events, starts, removes, refreshes)"
st_summary

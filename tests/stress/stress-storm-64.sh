#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Storm: 64 ENIs (--quick: 32) hot-added at once, each dual stack in its own subnet with a
# secondary IPv4 and a delegated IPv4 prefix. The primary (ens5) is there at boot; the 63
# others are attached in one go (one `ip -batch`) and `setup-policy-routes IFACE start`
# runs for all 64 at once, as systemd runs policy-routes@ for a burst of udev events.
#   1. add storm: every start exits 0; the kernel state of every ENI is right (the lab's
#      oracle); the generated files and saved state equal a fresh setup of each ENI (the
#      same `start` into an empty directory); no product process, lock or temporary file
#      is left; networkd was reloaded far fewer times than files were written;
#   2. refresh storm, nothing changed in IMDS: all at once, no file rewritten, no reload;
#   3. change storm: one more secondary IPv4 on every ENI in IMDS, all refreshed at once:
#      oracle, fresh setup, few reloads;
#   4. remove storm: the 63 detached at once and their units stopped and `remove`d at once
#      (what ec2-net-hotplug remove does): no file, state or rule of theirs left, few
#      reloads; ens5 untouched.
source "$(dirname "$0")/common.sh" "$@"
N=$(st_pick 32 64)
# "Far fewer": at most one reload per 4 ENIs (a reload per ENI is 2.x's defect).
MAX_RELOADS=$((N / 4))

LAB_DHCP_TIMEOUT=60
lab_init
lab_load_generated --enis "$N" --ipv6 --secondary 1 --v4-prefix \
    --later $((N - 1))
lab_product_path setup-policy-routes >/dev/null || exit 1
lab_up
lab_wait_configured --timeout 30 ens5 || lab_not_ok "networkd did not configure ens5"
lab_reload_monitor_start
mapfile -t IFS_ALL < <(st_ifaces)
mapfile -t IFS_LATER < <(st_ifaces later)
MACS_LATER=()
for i in "${IFS_LATER[@]}"; do MACS_LATER+=("$(lab_mac "$i")"); done
events=0

# --- 1. add storm ----------------------------------------------------------------------
lab_log "attaching ${#IFS_LATER[@]} ENIs at once, then $N starts at once"
r0=$(lab_reloads)
t0=$(lab_now)
st_attach "${MACS_LATER[@]}"
t_attach=$(lab_elapsed "$t0")
st_parallel add start "${IFS_ALL[@]}"
events=$((events + N))
lab_assert "all $N starts exit 0 (failed:${ST_PAR_FAILED:- none}; last exit ${ST_PAR_MS} ms after launch)" \
    test -z "$ST_PAR_FAILED" || grep -h -i -e error -e fail "$LAB_DIR"/add/*.log | sort | uniq -c | head
st_converge 120 "${IFS_ALL[@]}"
t_conv=$(lab_elapsed "$t0")
reloads=$(($(lab_reloads) - r0))
files=$(st_tree | wc -l)
st_assert_fresh "${IFS_ALL[@]}"
st_assert_no_procs
st_assert_no_leftovers
st_assert_parse
lab_assert "add storm: networkd reloaded $reloads times for $files files of $N ENIs (at most $MAX_RELOADS)" \
    test "$reloads" -ge 1 -a "$reloads" -le "$MAX_RELOADS"
lab_assert "add storm: the product's log agrees ($(grep -c 'Reloaded systemd-networkd' <<<"$ST_PAR_LOGS") reloads)" \
    test "$(grep -c 'Reloaded systemd-networkd' <<<"$ST_PAR_LOGS")" = "$reloads"
st_figure "add storm ($N ENIs)" "attach ${t_attach}s, all starts exited after ${ST_PAR_MS} ms, kernel state right after ${t_conv}s; $files files, $reloads networkd reloads"

# --- 2. refresh storm, nothing changed --------------------------------------------------
files0=$(lab_snapshot_files)
r0=$(lab_reloads)
st_parallel refresh0 refresh "${IFS_ALL[@]}"
events=$((events + N))
reloads=$(($(lab_reloads) - r0))
lab_assert "refresh storm: all $N refreshes exit 0 (failed:${ST_PAR_FAILED:- none}, ${ST_PAR_MS} ms)" test -z "$ST_PAR_FAILED"
lab_assert "refresh storm: no file rewritten (same content and mtime)" test "$files0" = "$(lab_snapshot_files)"
lab_assert "refresh storm: networkd not reloaded ($reloads)" test "$reloads" = 0
st_figure "refresh storm, nothing changed ($N ENIs)" "${ST_PAR_MS} ms, 0 files rewritten, $reloads reloads"

# --- 3. change storm --------------------------------------------------------------------
n=$(st_tool imds-add-secondary "$LAB_IMDS_FILE" --host 99)
lab_srccheck_sync
r0=$(lab_reloads)
t0=$(lab_now)
st_parallel refresh1 refresh "${IFS_ALL[@]}"
events=$((events + N))
lab_assert "change storm: all $N refreshes exit 0 (failed:${ST_PAR_FAILED:- none}, ${ST_PAR_MS} ms)" test -z "$ST_PAR_FAILED"
st_converge 120 "${IFS_ALL[@]}"
t_conv=$(lab_elapsed "$t0")
reloads=$(($(lab_reloads) - r0))
changed=$(diff <(echo "$files0") <(lab_snapshot_files) | grep -c '^>')
lab_assert "change storm: $changed files rewritten for $n ENIs changed, networkd reloaded $reloads times (at most $MAX_RELOADS)" \
    test "$reloads" -ge 1 -a "$reloads" -le "$MAX_RELOADS"
st_assert_fresh "${IFS_ALL[@]}"
st_figure "change storm (a secondary IPv4 on $n ENIs)" "refreshes exited after ${ST_PAR_MS} ms, kernel state right after ${t_conv}s; $changed files rewritten, $reloads reloads"

# --- 4. remove storm --------------------------------------------------------------------
ens5_files=$(lab_snapshot_files | grep "^$ST_PREFIX-ens5\.network")
r0=$(lab_reloads)
t0=$(lab_now)
st_detach "${MACS_LATER[@]}"
st_stop_units "${IFS_LATER[@]}"
st_parallel remove remove "${IFS_LATER[@]}"
events=$((events + N - 1))
reloads=$(($(lab_reloads) - r0))
lab_assert "remove storm: all $((N - 1)) removes exit 0 (failed:${ST_PAR_FAILED:- none}, ${ST_PAR_MS} ms)" test -z "$ST_PAR_FAILED"
lab_assert "remove storm: networkd reloaded $reloads times (at most $MAX_RELOADS)" \
    test "$reloads" -ge 1 -a "$reloads" -le "$MAX_RELOADS"
lab_assert "remove storm: ens5's files untouched" \
    test "$ens5_files" = "$(lab_snapshot_files | grep "^$ST_PREFIX-ens5\.network")"
st_assert_fresh ens5
gone_ok=0
for m in "${MACS_LATER[0]}" "${MACS_LATER[$((N / 2))]}" "${MACS_LATER[-1]}"; do
    lab_wait_for 10 lab_inst "$LAB_PYTHON" "$LAB_LIB_DIR/labtool.py" check-gone "$LAB_IMDS_FILE" "$m"
    lab_check_gone "$m" >/dev/null && gone_ok=$((gone_ok + 1))
done
st_converge 30 ens5
st_assert_no_procs
st_assert_no_leftovers
st_figure "remove storm ($((N - 1)) ENIs)" "removes exited after ${ST_PAR_MS} ms, $reloads reloads"

st_figure "events survived" "$events ($N starts, 2 x $N refreshes, $((N - 1)) removes, all at once)"
st_summary

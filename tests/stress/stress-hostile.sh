#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Hostile input. Three dual-stack ENIs (ens5 primary; ens6 and ens7 with two secondary
# IPv4s, an IPv4 and an IPv6 prefix), all set up. Every run of the product goes through
# the lab's runpar, which reports its peak memory (the kernel's max RSS of the process).
#   1. Interface names from the command line and from udev: ../../etc, 16, 17, 64 and 4096
#      bytes, -x (as an option and after --), spaces, a tab, newlines, empty, non-ASCII,
#      control characters, ., .., /, "ens5/..", "ens5:0", for `setup-policy-routes NAME
#      start|refresh|remove`, `ec2-net-refresh NAME` and `ec2-net-hotplug add|remove NAME`
#      (inside the lab: its private bus has no systemd, and a valid name never gets that
#      far here): exit 2, one clear line ("Invalid interface name"), nothing written
#      anywhere under the instance's /run. Valid but odd names ('%s%n', '*', '$(reboot)',
#      "a;b", "x'y"): `refresh` and `remove` are quiet no-ops (exit 0, nothing written).
#   2. IMDS answers crafted to inject configuration (newlines, [Network], [Route], =, NUL
#      bytes, CR and escape sequences, 300-byte lines, 0.0.0.0/0, /33, out-of-range numbers,
#      ../ in a listing), 1 MiB bodies, 10 000 items, 300 items within 64 KiB, a body sent
#      one byte a second: for `refresh` of ens6 (with a change pending in IMDS, so that
#      "nothing changed" is the fault's doing) and for `start` of ens7 from scratch: exit
#      1, a clear log line, files (bytes and mtimes) and saved state unchanged (ens7: no
#      file at all), no networkd reload, kernel state unchanged, no injected value in any
#      file, within the run's budget (refresh 15 s, start 90 s). Afterwards, without
#      faults, the pending change is applied and ens7 is set up as a fresh setup would.
#   3. Configuration files (EC2NET_CONFIG) with binary data, NUL bytes, unknown sections
#      and keys, bad values, 1 MiB, a 10 000-byte line, unterminated sections, invalid
#      UTF-8, file:// endpoints, 3000 list lines, a directory, a FIFO, /dev/zero, a symlink
#      loop, 300 drop-ins, odd drop-ins: `start` of ens7 exits 0 and writes exactly what a
#      fresh setup with a clean configuration writes, with a warning (none for an empty or
#      missing file); `refresh` of ens6 changes nothing; the generator exits 0.
# Every run: peak memory under MEM_CAP_KB (measured: about 11 MiB for any run).
source "$(dirname "$0")/common.sh" "$@"
MEM_CAP_KB=$((16 * 1024))

lab_init
lab_load_generated --enis 3 --ipv6 --secondary 2 --v4-prefix \
    --v6-prefix
prog=$(lab_product_path setup-policy-routes) || exit 1
refresh_prog=$(lab_product_path ec2-net-refresh) || exit 1
hotplug=$(lab_product_path ec2-net-hotplug) || exit 1
gen=$(lab_product_path ec2-net-generator) || exit 1
lab_runpar_build
lab_up
lab_wait_configured --timeout 30 ens5 ens6 ens7 || lab_not_ok "networkd did not configure the ENIs"
lab_reload_monitor_start
for i in ens5 ens6 ens7; do
    lab_product setup-policy-routes "$i" start >/dev/null 2>&1 || lab_not_ok "start $i"
done
st_converge 30 ens5 ens6 ens7
mac6=$(lab_mac ens6)
H="$LAB_DIR/h"
mkdir -p "$H"

PEAK_KB=0 PEAK_WHAT="" INPUTS=0 RUNS=0
# hrun NAME TIMEOUT [VAR=VALUE...] PROGRAM ARGS...: one run of the product inside the
# instance, through runpar. H_RC (exit status, "timeout" or 128+N for signal N), H_WALL (s),
# H_RSS (KiB), H_OUT (its output).
hrun() {
    local name=$1 t=$2 line
    shift 2
    # runpar's line: ITEM EXIT WALL_US USER_US SYS_US MAXRSS_KB ...; the output in ITEM.err.
    line=$(lab_inst "$LAB_RUNPAR" -t "$t" -e "$H" env EC2NET_CONFIG="${HCONFIG:-$LAB_CONFIG}" "$@" ::: "$name" | head -n1)
    read -r _ H_RC H_WALL H_RSS <<<"$(awk '{ printf "%s %s %.3f %s\n", $1, $2, $3 / 1e6, $6 }' <<<"$line")"
    H_OUT=$(cat "$H/$name.err" 2>/dev/null)
    [[ ${H_RSS:-} =~ ^[0-9]+$ ]] || lab_not_ok "[$name] no report from runpar: '$line'"
    RUNS=$((RUNS + 1))
    if [ "${H_RSS:-0}" -gt "$PEAK_KB" ]; then PEAK_KB=$H_RSS PEAK_WHAT="$name"; fi
    [ "${H_RSS:-0}" -le "$MEM_CAP_KB" ] ||
        lab_not_ok "[$name] peak memory ${H_RSS} KiB over the cap of $MEM_CAP_KB KiB"
}
# What a run may touch, seen from outside: every file under the instance's /run but the
# parts that change by themselves (networkd's and D-Bus's own state).
# (Directories without their times: a lock file created and removed changes its directory's.)
run_snapshot() {
    (cd "$(lab_inst_path /run)" && find . -path ./systemd/netif -prune -o -path ./dbus -prune -o \
        -path ./stress-fresh -prune -o -type d -printf '%P %y %m\n' -o -printf '%P %y %m %s %T@\n' | sort)
}
# The first line of the product's output for the report (quoted, control characters shown).
first_line() { head -n1 <<<"$1" | cut -c1-160 | cat -v; }

# --- 1. interface names -----------------------------------------------------------------
long64=$(printf 'a%.0s' {1..64})
long4096=$(printf 'a%.0s' {1..4096})
bad_names=('../../etc' 'abcdefghijklmnop' 'abcdefghijklmnopq' "$long64" "$long4096" '-x'
    'ens 5' $'ens5\t' $'ens5\nens6' $'\nsetup-policy-routes: ens5: Configuration of ens5 updated' ''
    'ensé' $'ens\x01' $'\x1b[2J' '.' '..' '/' 'ens5/..' 'ens5:0' ' ens5' 'ens5 '
    '*' 'ens?' 'ens[5]' '!ens5' 'ens5\')   # glob patterns in networkd's Name= match
odd_names=('%s%n%s' '$(reboot)' 'a;b' "x'y" 'ens5.99')
before=$(run_snapshot)
names_ok=0 names_bad=()
for n in "${bad_names[@]}"; do
    label=$(printf '%q' "$n" | cut -c1-40)
    for cmd in "start" "refresh" "remove" "--start" "refresh-prog" "hotplug-add" "hotplug-remove"; do
        case $cmd in
            --start) hrun name "${LAB_RUN_T:-10}" "$prog" -- "$n" start ;;
            refresh-prog) hrun name 10 "$refresh_prog" "$n" ;;
            hotplug-add) hrun name 10 "$hotplug" add "$n" ;;
            hotplug-remove) hrun name 10 "$hotplug" remove "$n" ;;
            *) hrun name 10 "$prog" "$n" "$cmd" ;;
        esac
        INPUTS=$((INPUTS + 1))
        lines=$(printf '%s' "$H_OUT" | grep -c '')
        if [ "$H_RC" = 2 ] && [ "$lines" = 1 ] &&
            grep -q -e 'Invalid interface name' -e 'invalid option' <<<"$H_OUT"; then
            names_ok=$((names_ok + 1))
        else
            names_bad+=("$label $cmd: exit $H_RC, $lines lines: $(first_line "$H_OUT")")
        fi
    done
done
lab_assert "${#bad_names[@]} invalid names x 7 commands: exit 2 and one clear line ($names_ok of $((${#bad_names[@]} * 7)))" \
    test ${#names_bad[@]} = 0 || printf '    %s\n' "${names_bad[@]}" | head -n 20
for n in "${odd_names[@]}"; do
    for cmd in refresh remove; do
        hrun name 10 "$prog" "$n" "$cmd"
        INPUTS=$((INPUTS + 1))
        lab_assert "odd but valid name $(printf '%q' "$n") $cmd: exit 0, quiet (exit $H_RC: $(first_line "$H_OUT"))" \
            test "$H_RC" = 0 -a -z "$H_OUT"
    done
done
after=$(run_snapshot)
lab_assert "names: nothing written under the instance's /run" test "$before" = "$after" ||
    diff <(echo "$before") <(echo "$after") | head -n 10
lab_assert "names: nothing named after them anywhere (/etc.network, /run/*etc*)" \
    test -z "$(ls -d /etc.network /etc/*.network /run/systemd/etc* "$(lab_inst_path /run)"/*etc* 2>/dev/null)"
st_figure "hostile interface names" "${#bad_names[@]} invalid x 7 commands + ${#odd_names[@]} odd valid x 2: all rejected (exit 2, one line) or quiet no-ops, nothing written"

# --- 2. IMDS answers --------------------------------------------------------------------
kernel_now() { lab_snapshot_kernel; }
state_now() { cat "$(lab_inst_path "$ST_RT/interfaces/ens6.json")" 2>/dev/null; }
# Pending in IMDS: 10.100.1.12 unassigned and a new IPv6 prefix on ens6.
lab_imds_list_remove "$(lab_mac_key "$mac6" local-ipv4s)" 10.100.1.12
lab_imds_list_add "$(lab_mac_key "$mac6" ipv6-prefix)" 2001:db8:0:1:c000::/80
# ens7 from scratch: no file, no state; then networkd settles on 80-ec2.network: DHCP
# done, the RA's routes there, and the kernel state the same for 2 s.
lab_product setup-policy-routes ens7 remove >/dev/null 2>&1
lab_wait_dhcp ens7
lab_wait_for 20 sh -c "ip -n $LAB_INST -6 route show dev ens7 | grep -q '^default'"
e=0 same=0 k0=$(kernel_now)
while [ $e -lt 60 ] && [ $same -lt 7 ]; do
    sleep 0.3; k1=$(kernel_now)
    if [ "$k0" = "$k1" ]; then same=$((same + 1)); else same=0; fi
    k0=$k1 e=$((e + 1))
done
slow_start=""; [ "$ST_QUICK" = 1 ] || slow_start=--slow-start
mapfile -t cases < <(st_tool hostile-imds $slow_start)
imds_rows=()
for c in "${cases[@]}"; do
    IFS='|' read -r name modes faults <<<"$c"
    for mode in r s; do
        [[ $modes == *$mode* ]] || continue
        if [ $mode = r ]; then what="refresh ens6" budget=16; else what="start ens7" budget=95; fi
        [[ $name == *"top-level mac"* ]] && rm -f "$(lab_inst_path "$ST_RT/primary-mac")"
        files0=$(lab_snapshot_files) state0=$(state_now) kernel0=$(kernel_now) r0=$(lab_reloads)
        lab_faults "$faults"
        if [ $mode = r ]; then hrun imds 120 "$prog" ens6 refresh; else hrun imds 120 "$prog" ens7 start; fi
        lab_faults '{}'
        INPUTS=$((INPUTS + 1))
        tag="[$name, $what]"
        bad=0
        # 4: invalid data; 3: a body too slow is a deadline passed.
        want=4; [[ $name == *"a second"* ]] && want=3
        lab_assert "$tag exit $want within ${budget}s (exit $H_RC, ${H_WALL}s)" \
            awk -v rc="$H_RC" -v w=$want -v s="$H_WALL" -v b=$budget 'BEGIN { exit !(rc == w && s < b) }' || bad=1
        lab_assert "$tag a clear log line: $(first_line "$(grep -i -E 'invalid|large|long|many|answer|time' <<<"$H_OUT" | tail -n1)")" \
            grep -q -i -E 'invalid|too large|too long|too many|did not answer|timed out' <<<"$H_OUT" || bad=1
        lab_assert "$tag files (bytes, mtimes) unchanged" test "$files0" = "$(lab_snapshot_files)" || bad=1
        lab_assert "$tag saved state unchanged, ens7 has none" \
            test "$state0" = "$(state_now)" -a ! -e "$(lab_inst_path "$ST_RT/interfaces/ens7.json")" || bad=1
        lab_assert "$tag networkd not reloaded" test "$(lab_reloads)" = "$r0" || bad=1
        k=$(kernel_now)
        lab_assert "$tag kernel state unchanged" test "$kernel0" = "$k" ||
            { bad=1; diff <(echo "$kernel0") <(echo "$k") | grep '^[<>]' | head -n 6; }
        lab_assert "$tag no injected value in any generated file" \
            test -z "$(grep -r -l -a -e '6\.6\.6\.6' -e '^DNS=' -e '192\.0\.2\.66' -e 'passwd' -e $'\x1b' \
                "$(lab_inst_path "$ST_NET")")" || bad=1
        imds_rows+=("$(printf '%-42s %-12s exit %-7s %6ss %6s KiB  %s' "$name" "$what" "$H_RC" "$H_WALL" "$H_RSS" \
            "$(first_line "$(tail -n1 <<<"$H_OUT")" | cut -c1-90)")")
        if [ $bad = 1 ]; then # one failure must not fail every later case
            lab_product setup-policy-routes ens7 remove >/dev/null 2>&1
            lab_product setup-policy-routes ens6 refresh >/dev/null 2>&1
            sleep 2
        fi
    done
done
echo "IMDS cases (run, exit, time, peak memory, last log line):"
printf '    %s\n' "${imds_rows[@]}"
# Control: without faults, the pending change is applied and ens7 is set up.
hrun control-refresh 30 "$prog" ens6 refresh
lab_assert "control: refresh of ens6 without faults exits 0 and applies the pending change" \
    test "$H_RC" = 0 -a -n "$(grep updated <<<"$H_OUT")" || sed 's/^/    | /' <<<"$H_OUT"
hrun control-start 100 "$prog" ens7 start
lab_assert "control: start of ens7 without faults exits 0" test "$H_RC" = 0
st_converge 30 ens5 ens6 ens7
st_assert_fresh ens5 ens6 ens7
st_figure "hostile IMDS answers" "${#imds_rows[@]} runs (${#cases[@]} crafted answers, refresh and start): all rejected with a log line, nothing changed"

# --- 3. configuration files -------------------------------------------------------------
want7=$(st_tree ens7)
mapfile -t cfgs < <(st_tool hostile-configs "$LAB_DIR/cfg" --seed "$ST_SEED")
cfg_rows=()
for c in "${cfgs[@]}"; do
    IFS='|' read -r name path warn <<<"$c"
    # From a clean state, whatever the case before did: ens7 without files, ens6 as set up.
    lab_product setup-policy-routes ens7 remove >/dev/null 2>&1
    lab_product setup-policy-routes ens6 refresh >/dev/null 2>&1
    files6=$(lab_snapshot_files | grep -- "-ens6\.network")
    HCONFIG=$path hrun "cfg-$name" 30 "$prog" ens7 start
    INPUTS=$((INPUTS + 1))
    tag="[config $name]"
    lab_assert "$tag start of ens7 exits 0 (${H_WALL}s)" test "$H_RC" = 0 || sed 's/^/    | /' <<<"$H_OUT" | head -n 5
    lab_assert "$tag ens7's files equal a fresh setup with a clean configuration" test "$(st_tree ens7)" = "$want7" ||
        grep -v -e updated -e Reloaded <<<"$H_OUT" | sed 's/^/    | /' | cut -c1-200 | head -n 8
    if [ "$warn" = 1 ]; then
        lab_assert "$tag warned: $(first_line "$(grep -v 'updated\|Reloaded' <<<"$H_OUT" | head -n1)")" \
            grep -q -F "$(basename "$path")" <<<"$H_OUT"
    else
        lab_assert "$tag no warning" test -z "$(grep -v -e 'updated' -e 'Reloaded' <<<"$H_OUT")"
    fi
    HCONFIG=$path hrun "cfg-$name-refresh" 30 "$prog" ens6 refresh
    lab_assert "$tag refresh of ens6 exits 0, changes nothing" \
        test "$H_RC" = 0 -a "$files6" = "$(lab_snapshot_files | grep -- "-ens6\.network")"
    lab_inst rm -rf /run/stress-gen && lab_inst mkdir -p /run/stress-gen/n
    HCONFIG=$path hrun "cfg-$name-generator" 10 "$gen" /run/stress-gen/n
    lab_assert "$tag the generator exits 0 (${H_WALL}s)" test "$H_RC" = 0
    cfg_rows+=("$(printf '%-26s %s lines of warnings, peak %s KiB: %s' "$name" \
        "$(grep -c -v -e updated -e Reloaded "$H/cfg-$name.out")" "$H_RSS" \
        "$(first_line "$(grep -v -e updated -e Reloaded "$H/cfg-$name.out" | head -n1)" | cut -c1-100)")")
done
lab_inst rm -rf /run/stress-gen
echo "Configuration cases:"
printf '    %s\n' "${cfg_rows[@]}"
st_converge 30 ens5 ens6 ens7
st_assert_no_procs
st_assert_no_leftovers
st_assert_parse

st_figure "hostile configuration files" "${#cfgs[@]} files: warnings, and the product works with defaults"
st_figure "inputs tried" "$INPUTS hostile inputs in $RUNS runs of the product"
st_figure "peak memory" "$PEAK_KB KiB at most (in $PEAK_WHAT), cap $MEM_CAP_KB KiB"
st_summary

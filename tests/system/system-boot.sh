#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Boot, hotplug and refresh under a real systemd (issue 4, "Label system"): a container
# boots with three ENIs and must reach network-online.target with every ENI configured by
# the seed stage and one networkd reload; a fourth ENI is hot-added (configured within 1 s)
# and hot-removed (no trace); the refresh timer picks up an address assigned in IMDS; every
# installed unit passes `systemd-analyze verify`; `systemd-analyze security` is printed.
#
#   system-boot.sh --build-dir BUILD [--keep] [--verbose]
set -u
source "$(dirname "$0")/system.sh"
sys_init "$@"

SCEN="$SYS_LIB_DIR/scenarios/three-enis-and-one-later.json"
lab_load "$SCEN"
BOOT_IFACES=(ens5 ens6 ens7)
HOT=ens8
HOT_MAC=$(lab_mac "$HOT")
REFRESH_INTERVAL=10
REFRESH_IFACE=ens6
REFRESH_MAC=$(lab_mac "$REFRESH_IFACE")
REFRESH_ADDR=10.100.1.12   # assigned in IMDS while the instance runs

sys_vpc_up
sys_prepare
printf '[Refresh]\nIntervalSec=%s\n' "$REFRESH_INTERVAL" |
    sys_root_file /etc/amazon-ec2-net-utils.conf.d/60-refresh.conf
# What the seed stage left, for the diagnostics when the per-interface units rewrite it.
sys_root_file /etc/systemd/system/ec2-net-seed.service.d/50-system-test.conf <<'EOF'
[Service]
ExecStartPost=+/bin/sh -c 'mkdir -p /run/ec2net-test && cp -a /run/systemd/network /run/ec2net-test/after-seed'
EOF
lab_imds_mark
sys_start
lab_assert "the boot finished, system state running (was: $SYS_BOOT_STATE, ${SYS_BOOT_SECONDS}s)" \
    test "$SYS_BOOT_STATE" = running

# --- the generator --------------------------------------------------------------------
wants=$(sys_path /run/systemd/generator/multi-user.target.wants)
for i in "${BOOT_IFACES[@]}"; do
    lab_assert "generator wired policy-routes@$i.service into multi-user.target" \
        test "$(readlink "$wants/policy-routes@$i.service")" = /usr/lib/systemd/system/policy-routes@.service
done
lab_assert "generator wired ec2-net-seed.service into multi-user.target" \
    test "$(readlink "$wants/ec2-net-seed.service")" = /usr/lib/systemd/system/ec2-net-seed.service
lab_assert "generator wired nothing else (no absent ENI)" \
    test "$(find "$wants" -name 'policy-routes@*' | wc -l)" = "${#BOOT_IFACES[@]}"
lab_assert "generator wrote the refresh interval drop-in (OnUnitInactiveSec=${REFRESH_INTERVAL}s)" \
    grep -qx "OnUnitInactiveSec=${REFRESH_INTERVAL}s" \
    "$(sys_path /run/systemd/generator/refresh-policy-routes@.timer.d/50-interval.conf)"

# --- the hold (issue 14): networkd 252 restarts DHCP on a file switch ---------------------
hold_log=$(sys_journal -u ec2-net-hold.service)
echo "$hold_log" | sed 's/^/    hold| /'
lab_assert "ec2-net-hold.service ran before systemd-networkd and held ens6 and ens7 (ens5 carries IMDS)" \
    grep -q 'Held 2 of 3 ENIs until their configuration is written; ens5 carries' <<<"$hold_log"
hold_done=$(sys_prop ec2-net-hold.service ActiveEnterTimestampMonotonic)
nd_start=$(sys_prop systemd-networkd.service ExecMainStartTimestampMonotonic)
lab_assert "ec2-net-hold finished before networkd started ($hold_done <= $nd_start us)" \
    test "$hold_done" -gt 0 -a "$hold_done" -le "$nd_start"
nd_log=$(sys_journal -u systemd-networkd.service)
for i in ens6 ens7; do
    first=$(grep -m1 -E "^$i: (Re)?[cC]onfiguring with " <<<"$nd_log" | sed 's/.* with \([^ ]*\)\..*/\1/')
    lab_assert "$i: the first configuration networkd applied is its own file (${first:-none})" \
        test "$first" = "/run/systemd/network/$SYS_PREFIX-$i.network"
done
lost=$(grep -E '^ens[67]: DHCP(v6)? lease lost' <<<"$nd_log" | wc -l)
lab_assert "no DHCP lease lost on the held ENIs during the boot ($lost)" test "$lost" = 0
lab_log "ens5 (switched once): $(grep -cE '^ens5: DHCP(v6)? lease lost' <<<"$nd_log") lease-lost lines"

# --- the seed stage: all ENIs, one reload -----------------------------------------------
seed_log=$(sys_journal -u ec2-net-seed.service)
echo "$seed_log" | sed 's/^/    seed| /'
lab_assert "ec2-net-seed.service succeeded" \
    test "$(sys_prop ec2-net-seed.service Result)/$(sys_prop ec2-net-seed.service ActiveState)" = success/active
lab_assert "seed: \"Seeded 3 of 3 ENIs ... one networkd reload\"" \
    grep -Eq '^Seeded 3 of 3 ENIs with [0-9]+ IMDS requests and one networkd reload\.$' <<<"$seed_log"
# networkd's own journal (debug level) records every Reload method call it receives.
reloads=$(sys_journal -u systemd-networkd.service | grep -c 'member=Reload ')
lab_assert "networkd received exactly one Reload during the boot (got $reloads)" test "$reloads" = 1
if [ "$reloads" != 1 ] && [ -d "$(sys_path /run/ec2net-test/after-seed)" ]; then
    lab_log "what the per-interface units changed after the seed stage:"
    diff -r "$(sys_path /run/ec2net-test/after-seed)" "$(sys_path /run/systemd/network)" | head -20
fi
confirm=$(sys_journal -u 'policy-routes@*' | grep -E 'updated|Reloaded' || true)
lab_assert "policy-routes@ units at boot only confirmed the seed (no change, no reload)" \
    test -z "$confirm"
[ -z "$confirm" ] || sed 's/^/    | /' <<<"$confirm"
tokens=$(lab_imds_count --method PUT)
lab_assert "one IMDS token for the whole boot (got $tokens)" test "$tokens" = 1
lab_log "IMDS requests during the boot: $(lab_imds_count)"

# --- ordering: network-online.target after policy routing -------------------------------
online=$(sys_prop network-online.target ActiveEnterTimestampMonotonic)
seed_done=$(sys_prop ec2-net-seed.service ActiveEnterTimestampMonotonic)
lab_assert "ec2-net-seed finished before network-online.target (${seed_done} <= ${online} us)" \
    test "$seed_done" -gt 0 -a "$seed_done" -le "$online"
for i in "${BOOT_IFACES[@]}"; do
    t=$(sys_prop "policy-routes@$i.service" ActiveEnterTimestampMonotonic)
    lab_assert "policy-routes@$i active before network-online.target ($t <= $online us)" \
        test "$t" -gt 0 -a "$t" -le "$online"
done
app=$(sys_prop ec2net-test-online.service ExecMainStartTimestampMonotonic)
lab_assert "a service After=network-online.target started after it" test "$app" -ge "$online"
t_init=$(sys_ct systemctl show -P UserspaceTimestampMonotonic)
lab_log "after systemd started: seed done at \
$(awk -v u="$seed_done" -v b="$t_init" 'BEGIN { printf "%.2f", (u - b) / 1e6 }')s, network-online.target at \
$(awk -v u="$online" -v b="$t_init" 'BEGIN { printf "%.2f", (u - b) / 1e6 }')s"
# What that service saw when it started: every ENI's rules, secondary addresses and table.
snap=$(sys_path /run/ec2net-test)
for i in "${BOOT_IFACES[@]}"; do
    mac=$(lab_mac "$i")
    dev=$(lab_imds_get "$(lab_mac_key "$mac" device-number)")
    table=$((10000 + dev))
    mapfile -t v4 < <(lab_imds_get "$(lab_mac_key "$mac" local-ipv4s)")
    mapfile -t v6 < <(lab_imds_get "$(lab_mac_key "$mac" ipv6s)")
    gw=$(lab_gateway4 "$i")
    lab_assert "at network-online: $i's table $table has its default route" \
        grep -q "^default via $gw dev $i table $table " "$snap/online-routes4"
    lab_assert "at network-online: $i holds its secondary ${v4[1]}/32" \
        grep -q "inet ${v4[1]}/32 .* $i\$" "$snap/online-addrs"
    if [ "$dev" = 0 ]; then
        lab_assert "at network-online: no rule for the primary ENI $i" \
            bash -c "! grep -q 'lookup $table' '$snap/online-rules4' '$snap/online-rules6'"
        continue
    fi
    for a in "${v4[@]}"; do
        lab_assert "at network-online: rule from $a lookup $table" \
            grep -q "^$table:[[:space:]]*from $a lookup $table" "$snap/online-rules4"
    done
    for a in "${v6[@]}"; do
        a=$(python3 -c 'import ipaddress,sys; print(ipaddress.ip_address(sys.argv[1]))' "$a")
        lab_assert "at network-online: rule from $a lookup $table" \
            grep -q "^$table:[[:space:]]*from $a lookup $table" "$snap/online-rules6"
    done
done

# --- kernel state, files, timers --------------------------------------------------------
lab_wait_for 20 lab_inst "$LAB_PYTHON" "$LAB_LIB_DIR/labtool.py" check "$LAB_IMDS_FILE" \
    "${BOOT_IFACES[@]}" || true
lab_check "${BOOT_IFACES[@]}"
for i in "${BOOT_IFACES[@]}"; do
    lab_assert "$i: /run/systemd/network/$SYS_PREFIX-$i.network.d/eni.conf written" \
        test -s "$(sys_path "/run/systemd/network/$SYS_PREFIX-$i.network.d/eni.conf")"
    lab_assert "refresh-policy-routes@$i.timer is active" \
        test "$(sys_ct systemctl is-active "refresh-policy-routes@$i.timer")" = active
done
lab_assert "the timer has the configured interval" \
    grep -q "OnUnitInactiveUSec=${REFRESH_INTERVAL}s" \
    <<<"$(sys_prop "refresh-policy-routes@$REFRESH_IFACE.timer" TimersMonotonic)"

# --- ec2-netctl on the booted instance: a clean instance is in sync -------------------
st=$(sys_ct ec2-netctl status --json=short)
st_rc=$?
lab_assert "ec2-netctl status: exit 0, no finding (exit $st_rc)" \
    test "$st_rc" = 0 -a "$(jq '.summary.findings' <<<"$st")" = 0 ||
    jq -c '.findings[], .interfaces[].findings[]' <<<"$st" | sed 's/^/    /'
lab_assert "ec2-netctl status: systemd's version; for every ENI its last run and its next refresh" \
    test "$(jq -r '[.host.networkd.version != null,
        ([.interfaces[] | .last_run.result == "ok" and .refresh_timer.active_state == "active"
                          and .refresh_timer.next_time != null] | all)] | map(tostring) | join(",")' <<<"$st")" = \
    "true,true" || jq -c '.host.networkd, (.interfaces[] | [.name, .last_run, .refresh_timer])' <<<"$st"
dr=$(sys_ct ec2-netctl doctor --json=short)
dr_rc=$?
lab_assert "ec2-netctl doctor: exit 0, no finding, every check ok, units included (exit $dr_rc)" \
    test "$dr_rc" = 0 -a "$(jq -r '[.summary.findings, ([.checks[].result] | unique | join(","))] | map(tostring) | join(" ")' <<<"$dr")" = \
    "0 ok" || jq -c '.checks, .findings[]' <<<"$dr"

# doctor's unit checks, for real: a masked setup unit and a stopped refresh timer.
sys_ct systemctl mask --runtime -q policy-routes@ens7.service
sys_ct systemctl stop refresh-policy-routes@ens6.timer
dr=$(sys_ct ec2-netctl doctor --json=short)
dr_rc=$?
lab_assert "ec2-netctl doctor: policy-routes@ens7 masked, ens6's refresh timer stopped (exit $dr_rc)" \
    test "$dr_rc" = 1 -a "$(jq -r '[.findings[] | .interface + ":" + .id] | sort | join(" ")' <<<"$dr")" = \
    "ens6:refresh-timer-inactive ens7:unit-masked" || jq -c '.findings[]' <<<"$dr"
sys_ct systemctl unmask --runtime -q policy-routes@ens7.service
sys_ct systemctl start refresh-policy-routes@ens6.timer

# An address assigned in EC2 while the instance runs: the timer must pick it up.
lab_imds_list_add "$(lab_mac_key "$REFRESH_MAC" local-ipv4s)" "$REFRESH_ADDR"
T_ASSIGNED=$(lab_now)

# --- hot-add: as udev's RUN+= would (its sandbox: no IP sockets) --------------------------
# hotplug ACTION IFACE [MAC]: ec2-net-hotplug in a transient unit with udev's restrictions
# (the rule passes the MAC on remove).
hotplug() {
    sys_ct systemd-run --quiet --wait --pipe --collect \
        -p RestrictAddressFamilies="AF_UNIX AF_NETLINK" \
        -E ACTION="$1" -E SUBSYSTEM=net -E INTERFACE="$2" -E ID_NET_DRIVER=veth -E EC2NET_LOG_LEVEL=debug \
        "$SYS_LIBEXEC/ec2-net-hotplug" "$@"
}
hot_configured() { # the last piece networkd applies: the rule of the last address
    local ips
    ips=$(lab_imds_get "$(lab_mac_key "$HOT_MAC" local-ipv4s)" | tail -n1)
    lab_inst ip -4 rule show | grep -q "from $ips lookup 10003" &&
        lab_inst ip -4 route show table 10003 | grep -q '^default' &&
        lab_inst ip -4 addr show dev "$HOT" | grep -q "inet $ips/32"
}
reloads_before=$(sys_journal -u systemd-networkd.service | grep -c 'member=Reload ')
nd_lines=$(sys_journal -u systemd-networkd.service | wc -l)
t0=$(lab_now)
lab_eni_attach "$HOT_MAC"
t_link=$(lab_now)
t1=$(lab_now)
hotplug hold "$HOT" >/dev/null   # the rule's IMPORT{program}=, then its RUN+=
hotplug add "$HOT"
rc=$?
hotplug_s=$(lab_elapsed "$t1")
lab_assert "ec2-net-hotplug add $HOT exits 0 in the udev sandbox (${hotplug_s}s)" test "$rc" = 0
if sys_wait_for 10 hot_configured; then
    add_s=$(lab_elapsed "$t0")
    lab_log "hot-added $HOT configured ${add_s}s after its veth was created"
else
    add_s=timeout
fi
lab_assert "hot-added $HOT configured within 1 s of its link appearing (${add_s}s)" \
    awk -v s="$add_s" 'BEGIN { exit !(s != "timeout" && s + 0 <= 1.0) }'
lab_wait_for 10 lab_inst "$LAB_PYTHON" "$LAB_LIB_DIR/labtool.py" check "$LAB_IMDS_FILE" "$HOT" || true
lab_check "$HOT"
lab_assert "policy-routes@$HOT.service active" \
    test "$(sys_ct systemctl is-active "policy-routes@$HOT.service")" = active
lab_assert "refresh-policy-routes@$HOT.timer active" \
    test "$(sys_ct systemctl is-active "refresh-policy-routes@$HOT.timer")" = active
# A container has no udev: networkd configures a link the moment it appears, before udev's
# RUN+= could hold it (e2e-hot-add-udev runs the real udevd for that). The helper must see
# that networkd has matched the link already and leave it alone: one switch, not two.
nd_log=$(sys_journal -u systemd-networkd.service | tail -n +"$((nd_lines + 1))")
configs=$(grep -E "^$HOT: (Re)?[cC]onfiguring with " <<<"$nd_log" | sed 's/.* with \([^ ]*\)\..*/\1/' | tr '\n' ' ')
lab_assert "$HOT: networkd applied 80-ec2.network, then its own file, nothing between (${configs})" \
    test "$configs" = "/etc/systemd/network/80-ec2.network /run/systemd/network/$SYS_PREFIX-$HOT.network "
lab_assert "ec2-net-hotplug did not hold $HOT, which networkd had matched already" \
    grep -q "applies /etc/systemd/network/80-ec2.network to $HOT already, not holding it" \
    <<<"$(sys_ct journalctl -q --no-pager -b -o cat -t ec2-net-hotplug)"
: "$t_link"

# --- hot-remove -------------------------------------------------------------------------
lab_eni_detach "$HOT_MAC"
t1=$(lab_now)
hotplug remove "$HOT" "$HOT_MAC"
rc=$?
lab_assert "ec2-net-hotplug remove $HOT exits 0 ($(lab_elapsed "$t1")s)" test "$rc" = 0
# The stop jobs are queued, not waited for (udev's RUN+= must return quickly); the setup
# unit's ExecStopPost= (release) takes a few tens of milliseconds.
for u in "policy-routes@$HOT.service" "refresh-policy-routes@$HOT.timer" \
    "refresh-policy-routes@$HOT.service"; do
    inactive() { test "$(sys_ct systemctl is-active "$1")" = inactive; }
    sys_wait_for 5 inactive "$u"
    lab_assert "$u inactive after the remove" inactive "$u"
done
lab_assert "no file of $HOT left in /run/systemd/network" \
    test -z "$(find "$(sys_path /run/systemd/network)" -name "*$HOT*")"
lab_assert "no state of $HOT left in /run/amazon-ec2-net-utils" \
    test -z "$(find "$(sys_path /run/amazon-ec2-net-utils)" -name "*$HOT*" -o -name "*$HOT_MAC*")"
lab_check_gone "$HOT_MAC"
lab_assert "no networkd link state file for $HOT" \
    bash -c "! grep -ls 'NETWORK_FILE=.*$HOT' $(sys_path /run/systemd/netif/links)/* >/dev/null"
reloads_after=$(sys_journal -u systemd-networkd.service | grep -c 'member=Reload ')
lab_log "networkd reloads for the hot-add and hot-remove: $((reloads_after - reloads_before))"

# --- units: verify and security -----------------------------------------------------------
units=(policy-routes@ens5.service refresh-policy-routes@ens5.service
    refresh-policy-routes@ens5.timer ec2-net-seed.service)
for f in "$SYS_DESTDIR"/usr/lib/systemd/system/*; do
    b=$(basename "$f")
    case $b in
        *@.*) ;;   # templates: checked through their instances above
        *) [[ " ${units[*]} " == *" $b "* ]] || units+=("$b") ;;
    esac
done
# The container has no man-db: verify checks the man pages against the install tree below.
out=$(sys_ct systemd-analyze verify --man=no "${units[@]}" 2>&1)
rc=$?
lab_assert "systemd-analyze verify ${units[*]}: clean" test "$rc" = 0 -a -z "$out"
[ -z "$out" ] || sed 's/^/    | /' <<<"$out"
for page in $(sed -n 's/^Documentation=//p' "$SYS_DESTDIR"/usr/lib/systemd/system/* | tr ' ' '\n' |
    sed -n 's/^man:\(.*\)(\([0-9]\))$/\1.\2/p' | sort -u); do
    lab_assert "the man page $page named by Documentation= is installed" \
        sys_glob "$SYS_DESTDIR/usr/share/man/man${page##*.}/$page*"
done
for u in policy-routes@ens5.service refresh-policy-routes@ens5.service ec2-net-seed.service \
    ec2-net-hold.service; do
    out=$(sys_ct systemd-analyze security --no-pager "$u" 2>&1 | tail -n1)
    echo "security: $u: $out"
    score=$(sed -n 's/.*exposure level for .*: \([0-9.]*\) .*/\1/p' <<<"$out")
    lab_assert "systemd-analyze security $u rates it OK or better (${score:-?})" \
        awk -v s="${score:-99}" 'BEGIN { exit !(s + 0 < 5.0) }'
done

# --- the refresh timer picks up the assigned address ------------------------------------
refreshed() {
    lab_inst ip -4 addr show dev "$REFRESH_IFACE" | grep -q "inet $REFRESH_ADDR/32" &&
        lab_inst ip -4 rule show | grep -q "from $REFRESH_ADDR lookup 10001"
}
# First run 30 s (+ up to 5 s) after the timer started, then every IntervalSec.
if sys_wait_for 60 refreshed; then
    lab_log "refresh picked up $REFRESH_ADDR $(lab_elapsed "$T_ASSIGNED")s after it was assigned"
    lab_ok "the refresh timer picked up $REFRESH_ADDR assigned in IMDS ($(lab_elapsed "$T_ASSIGNED")s)"
else
    lab_not_ok "the refresh timer did not pick up $REFRESH_ADDR within 60 s"
fi
ran=$(sys_ct journalctl -q --no-pager -b -o cat -u "refresh-policy-routes@$REFRESH_IFACE.service" \
    --since "@$(awk -v a="$T_ASSIGNED" 'BEGIN { printf "%d", a - 1 }')" | grep -c 'updated' || true)
lab_assert "refresh-policy-routes@$REFRESH_IFACE.service (started by its timer) made the change" \
    test "$ran" -ge 1
# networkd reconfigures the link on the reload: its RA routes come back with the next RA.
t0=$(lab_now)
lab_wait_for 20 lab_inst "$LAB_PYTHON" "$LAB_LIB_DIR/labtool.py" check "$LAB_IMDS_FILE" \
    "${BOOT_IFACES[@]}" || true
lab_log "kernel state after the refresh converged in $(lab_elapsed "$t0")s"
lab_check "${BOOT_IFACES[@]}"

# --- nothing failed, no product error ---------------------------------------------------
check_clean() {
failed=$(sys_ct systemctl --no-legend --failed)
lab_assert "no failed unit" test -z "$failed"
[ -z "$failed" ] || sed 's/^/    | /' <<<"$failed"
errs=$(sys_product_warnings)
lab_assert "no warning or error from the product in the journal" test -z "$errs"
[ -z "$errs" ] || sed 's/^/    | /' <<<"$errs"
}
check_clean

# --- a reboot: the bootstrap ENI starts on what the last boot kept for it -----------------
lab_log "reboot"
sys_reboot
lab_assert "the second boot finished, system state running (was: $SYS_BOOT_STATE)" test "$SYS_BOOT_STATE" = running
hold_log=$(sys_journal -u ec2-net-hold.service)
echo "$hold_log" | sed 's/^/    hold| /'
lab_assert "ec2-net-hold applied ens5's configuration of the last boot" \
    grep -q "Applied the last boot's configuration of ens5" <<<"$hold_log"
lab_wait_for 20 lab_inst "$LAB_PYTHON" "$LAB_LIB_DIR/labtool.py" check "$LAB_IMDS_FILE" "${BOOT_IFACES[@]}" || true
lab_check "${BOOT_IFACES[@]}"
nd_log=$(sys_journal -u systemd-networkd.service)
for i in "${BOOT_IFACES[@]}"; do
    first=$(grep -m1 -E "^$i: (Re)?[cC]onfiguring with " <<<"$nd_log" | sed 's/.* with \([^ ]*\)\..*/\1/')
    lab_assert "second boot, $i: the first configuration networkd applied is its own file (${first:-none})" \
        test "$first" = "/run/systemd/network/$SYS_PREFIX-$i.network"
done
lost=$(grep -cE '^ens[0-9]+: DHCP(v6)? lease lost' <<<"$nd_log")
lab_assert "second boot: no DHCP lease lost on any ENI ($lost)" test "$lost" = 0
lab_assert "second boot: ec2-net-seed.service succeeded" \
    test "$(sys_prop ec2-net-seed.service Result)/$(sys_prop ec2-net-seed.service ActiveState)" = success/active
check_clean

lab_summary

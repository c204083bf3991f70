#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Boot with eight dual-stack ENIs as ec2-net-hold.service and ec2-net-seed.service run it
# (issue 14): `ec2-net-generator --hold` before networkd starts, then `--seed`.
#   - every ENI but one (the first by ifindex here: veths have no PCI device) is held:
#     networkd leaves it down until the seed writes its files, so the first configuration
#     networkd applies to it is its own and it loses no DHCP lease; only the ENI the seed
#     reaches IMDS through switches from 80-ec2.network (networkd 252 restarts its DHCP
#     once: bench/networkd-switch.md);
#   - the seed configures all eight with one reload, without waiting for DHCP or RA, and the
#     kernel state is the oracle's;
#   - a seed run again finds nothing held, changes nothing.
# Then the fallback, on a second boot of the same instance with IMDS not answering: the held
# ENIs get DHCP from 80-ec2.network within the hold budget (10 s) while the seed goes on
# waiting, and `--release-holds` (the seed's ExecStopPost=) finds nothing left to release.
# A third boot with IMDS answering: the bootstrap ENI starts on the configuration the first
# boot kept for it (/var/lib/amazon-ec2-net-utils), so no ENI loses a lease at all.
source "$(dirname "$0")/common.sh" "$@"
N=8
prefix=${EC2NET_FILE_PREFIX:-70}

lab_init
lab_load_generated --enis $N --ipv6 --secondary 1 --v4-prefix
gen=$(lab_product_path ec2-net-generator) || exit 1
ifaces=() held=()
for ((i = 0; i < N; i++)); do ifaces+=("ens$((5 + i))"); done
held=("${ifaces[@]:1}")

# A reboot of the instance: networkd stops, /run starts empty (the state directory stays),
# the links come back down without addresses.
boot_again() {
    kill "$LAB_NETWORKD_PID" 2>/dev/null
    wait "$LAB_NETWORKD_PID" 2>/dev/null
    lab_inst sh -c 'rm -rf /run/systemd/network/* /run/amazon-ec2-net-utils/* /run/systemd/netif/links/*'
    for i in "${ifaces[@]}"; do lab_inst ip addr flush dev "$i" scope global; lab_inst ip link set "$i" down; done
}
hold_before_networkd() {
    lab_inst env EC2NET_CONFIG="$LAB_CONFIG" "$gen" --hold >"$LAB_DIR/hold.log" 2>&1
}
LAB_BEFORE_NETWORKD=hold_before_networkd
lab_up
sed 's/^/    | /' "$LAB_DIR/hold.log"
lab_assert "the hold stage held $((N - 1)) of $N ENIs, ens5 carries IMDS" \
    grep -q "Held $((N - 1)) of $N ENIs until their configuration is written; ens5 carries" "$LAB_DIR/hold.log"
lab_assert "ens5 is not held" test ! -e "$(lab_inst_path "/run/systemd/network/$prefix-ens5.network")"
lab_wait_configured --timeout 30 ens5 || lab_not_ok "networkd did not configure ens5"
sleep 0.5
lab_assert "held ENIs have no DHCP address before the seed (${held[0]})" \
    test -z "$(lab_inst ip -4 -o addr show dev "${held[0]}" scope global)"
st=$(lab_inst networkctl --no-legend --no-pager list "${held[-1]}" 2>/dev/null | awk '{print $NF}')
lab_assert "networkctl says ${held[-1]} is unmanaged ($st)" test "$st" = unmanaged

log_mark=$(wc -l <"$LAB_DIR/networkd.log")
lab_probe_start ens5
sleep 0.3
lab_imds_mark
t0=$(lab_now)
lab_inst env EC2NET_CONFIG="$LAB_CONFIG" "$gen" --seed >"$LAB_DIR/seed.log" 2>&1
rc=$?
t_seed=$(lab_elapsed "$t0")
sed 's/^/    | /' "$LAB_DIR/seed.log"
lab_assert "the seed exits 0 (${t_seed}s, no DHCP wait: under 8 s)" \
    awk -v rc=$rc -v t="$t_seed" 'BEGIN { exit !(rc == 0 && t < 8) }'
lab_assert "seeded $N of $N ENIs with one networkd reload" \
    grep -q "Seeded $N of $N ENIs with .* IMDS requests and one networkd reload" "$LAB_DIR/seed.log"
e2e_converge 30 "${ifaces[@]}"
sleep 1   # a late reconfiguration would show up in the log and the probe
probe=$(lab_probe_stop)
echo "probe: $probe"

tail -n +"$((log_mark + 1))" "$LAB_DIR/networkd.log" >"$LAB_DIR/networkd.after"
for i in "${held[@]}"; do
    first=$(lab_first_network_file "$i" "$LAB_DIR/networkd.after")
    lab_assert "$i: the first configuration networkd applies is its own file (${first:-none})" \
        test "$first" = "/run/systemd/network/$prefix-$i.network"
    lab_assert "$i: not held any more" bash -c "! grep -qs '^Unmanaged=yes' '$(lab_inst_path "/run/systemd/network/$prefix-$i.network")'"
done
lost_held=$(grep -E ': DHCP(v6)? lease lost' "$LAB_DIR/networkd.after" | grep -vc ' ens5: ')
lab_assert "networkd lost no DHCP lease of a held ENI ($lost_held lines)" test "$lost_held" = 0
lost_primary=$(grep -E ': DHCP(v6)? lease lost' "$LAB_DIR/networkd.after" | grep -c ' ens5: ')
read -r sent lost_probes <<<"$(lab_probe_counts "$probe")"
lab_log "ens5 (switched from 80-ec2.network): $lost_primary lease-lost lines, $lost_probes of $sent probes lost"

lab_inst env EC2NET_CONFIG="$LAB_CONFIG" "$gen" --seed >"$LAB_DIR/seed2.log" 2>&1
lab_assert "a second seed changes nothing (no reload)" grep -q "and no networkd reload" "$LAB_DIR/seed2.log"
e2e_no_drops

# The fallback: the same instance boots again with IMDS silent. networkd and the generated
# files go (a reboot empties /run); the held ENIs must get DHCP within the hold budget.
lab_log "second boot, IMDS not answering"
boot_again
lab_faults '{"rules": [{"match": "*", "action": "close"}]}'
hold_before_networkd || lab_not_ok "--hold failed"
lab_assert "held again on the second boot" grep -q "Held $((N - 1)) of $N" "$LAB_DIR/hold.log"
lab_networkd_start
lab_wait_configured --timeout 30 ens5 || lab_not_ok "networkd did not configure ens5"
printf '[Boot]\nSeedTimeoutSec=25\n' >"$LAB_CONFIG.d-seed.conf"
mkdir -p "$LAB_CONFIG.d" && mv "$LAB_CONFIG.d-seed.conf" "$LAB_CONFIG.d/seed.conf"
t0=$(lab_now)
lab_inst_bg env EC2NET_CONFIG="$LAB_CONFIG" "$gen" --seed >"$LAB_DIR/seed3.log" 2>&1
seed_pid=$!
LAB_PIDS+=("$seed_pid")
lab_wait_for 20 lab_has_v4 "${held[-1]}"
t_dhcp=$(lab_elapsed "$t0")
lab_assert "held ${held[-1]} got DHCP while IMDS was silent (${t_dhcp}s after the seed started)" lab_has_v4 "${held[-1]}"
lab_assert "the seed is still waiting for IMDS meanwhile" lab_alive "$seed_pid"
lab_assert "within the hold budget (10 s) and DHCP: under 15 s" awk -v t="$t_dhcp" 'BEGIN { exit !(t < 15) }'
for i in "${held[@]}"; do
    lab_assert "$i is not held" bash -c "! test -e '$(lab_inst_path "/run/systemd/network/$prefix-$i.network")'"
done
lab_assert "the seed said why" grep -q "IMDS did not answer within 10s.*$((N - 1)) held ENIs get DHCP meanwhile" "$LAB_DIR/seed3.log"
kill "$seed_pid" 2>/dev/null
wait "$seed_pid" 2>/dev/null
lab_inst env EC2NET_CONFIG="$LAB_CONFIG" "$gen" --release-holds >"$LAB_DIR/release.log" 2>&1
rc=$?
lab_assert "--release-holds exits 0 with nothing left to release" \
    bash -c "[ $rc = 0 ] && ! grep -q Released '$LAB_DIR/release.log'"
sed 's/^/    | /' "$LAB_DIR/seed3.log"

# A third boot, IMDS answering: the bootstrap ENI gets the configuration the first boot's
# seed kept for it, so that networkd's first configuration of it is its own too.
lab_log "third boot, IMDS answering"
boot_again
lab_faults '{}'
lab_assert "the state directory keeps ens5's configuration" \
    grep -qx "$(lab_mac ens5) ens5" "$(lab_inst_path /var/lib/amazon-ec2-net-utils/boot-config/owner)"
hold_before_networkd || lab_not_ok "--hold failed"
sed 's/^/    | /' "$LAB_DIR/hold.log"
lab_assert "the hold stage applied ens5's configuration of the last boot" \
    grep -q "Applied the last boot's configuration of ens5" "$LAB_DIR/hold.log"
lab_networkd_start   # a new log
log_mark=0
lab_wait_configured --timeout 30 ens5 || lab_not_ok "networkd did not configure ens5"
lab_inst env EC2NET_CONFIG="$LAB_CONFIG" "$gen" --seed >"$LAB_DIR/seed4.log" 2>&1
lab_assert "the seed exits 0" test $? = 0
e2e_converge 30 "${ifaces[@]}"
sleep 1
tail -n +"$((log_mark + 1))" "$LAB_DIR/networkd.log" >"$LAB_DIR/networkd.after"
for i in "${ifaces[@]}"; do
    first=$(lab_first_network_file "$i" "$LAB_DIR/networkd.after")
    lab_assert "$i: networkd's first configuration is its own file (${first:-none})" \
        test "$first" = "/run/systemd/network/$prefix-$i.network"
done
lost=$(grep -cE ': DHCP(v6)? lease lost' "$LAB_DIR/networkd.after")
lab_assert "networkd lost no DHCP lease on any ENI, the bootstrap one included ($lost lines)" test "$lost" = 0
lab_summary

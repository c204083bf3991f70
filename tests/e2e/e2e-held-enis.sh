#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Seven ENIs hot-added at once to an instance whose primary ENI is set up, each held
# unmanaged by systemd-networkd until its own file exists (a PREFIX-IFACE.network with
# Unmanaged=yes, written here before the links exist; the product's own holds are tested by
# e2e-boot-hold and e2e-hot-add-udev), then
# `setup-policy-routes IFACE start` for all of them at once (bench/networkd-switch.md: on
# networkd 252 this is what keeps the DHCP leases; switching from 80-ec2.network restarts
# DHCP and RA on every ENI):
#   - every start exits 0 without waiting for DHCP or RA (a held ENI has no address: the
#     routes come from what IMDS lists), and the kernel state converges (the oracle);
#   - the first configuration networkd applies to each ENI is its own file, never
#     80-ec2.network, and networkd logs no "DHCP lease lost" for any ENI;
#   - an ICMP probe every 20 ms out of the primary ENI loses nothing meanwhile.
source "$(dirname "$0")/common.sh" "$@"
N=8
LATE=$((N - 1))
START_BOUND=8   # seconds; the old address wait alone was 15 s per ENI

lab_init
lab_load_generated --enis $N --ipv6 --secondary 1 --v4-prefix --later $LATE
lab_product_path setup-policy-routes >/dev/null || exit 1
lab_up
lab_wait_configured --timeout 30 ens5 || lab_not_ok "networkd did not configure ens5"
e2e_start_all ens5
e2e_converge 20 ens5 >/dev/null

held=() macs=()
prefix=${EC2NET_FILE_PREFIX:-70}
for ((i = 1; i < N; i++)); do
    ifname=ens$((5 + i))
    held+=("$ifname")
    macs+=("$(lab_mac "$ifname")")
    printf '# held until its own configuration exists (issue 14)\n[Match]\nName=%s\n\n[Link]\nUnmanaged=yes\n' \
        "$ifname" >"$(lab_inst_path "/run/systemd/network/$prefix-$ifname.network")"
done
lab_networkctl reload || lab_die "networkctl reload"
log_mark=$(wc -l <"$LAB_DIR/networkd.log")

lab_probe_start ens5
sleep 0.3
lab_eni_attach "${macs[@]}"
lab_wait_for 10 lab_inst ip link show dev "${held[-1]}" || lab_not_ok "the ENIs did not appear"
sleep 0.5   # networkd has seen the links (and left them alone)
lab_assert "held ENIs are not configured before their start (no DHCP on ${held[0]})" \
    test -z "$(lab_inst ip -4 -o addr show dev "${held[0]}")"

out="$LAB_DIR/parallel"
mkdir -p "$out"
t0=$(lab_now)
lab_inst env EC2NET_CONFIG="$LAB_CONFIG" sh -c '
    prog=$1 out=$2; shift 2
    for i in "$@"; do ( "$prog" "$i" start >"$out/$i.log" 2>&1; echo $? >"$out/$i.rc" ) & done
    wait' sh "$(lab_product_path setup-policy-routes)" "$out" "${held[@]}"
t_start=$(lab_elapsed "$t0")
bad=""
for i in "${held[@]}"; do
    [ "$(cat "$out/$i.rc" 2>/dev/null)" = 0 ] || { bad="$bad $i"; sed "s/^/    | $i: /" "$out/$i.log"; }
done
lab_assert "all $LATE starts exit 0 (failed:${bad:- none})" test -z "$bad"
lab_assert "the starts took ${t_start}s, less than ${START_BOUND}s: nobody waited for DHCP" \
    awk -v t="$t_start" -v b="$START_BOUND" 'BEGIN { exit !(t < b) }'
e2e_converge 30 ens5 "${held[@]}"
sleep 1   # a late reconfiguration would show up in the log and the probe
probe=$(lab_probe_stop)
echo "probe: $probe"

tail -n +"$((log_mark + 1))" "$LAB_DIR/networkd.log" >"$LAB_DIR/networkd.after"
for i in "${held[@]}"; do
    first=$(lab_first_network_file "$i" "$LAB_DIR/networkd.after")
    lab_assert "$i: the first configuration networkd applies is its own file (${first:-none})" \
        test "$first" = "/run/systemd/network/$prefix-$i.network"
done
lost=$(grep -c -E ': DHCP(v6)? lease lost' "$LAB_DIR/networkd.after")
lab_assert "networkd lost no DHCP lease ($lost lines)" test "$lost" = 0
grep -E ': DHCP(v6)? lease lost' "$LAB_DIR/networkd.after" | head -n 5
read -r sent lost_probes <<<"$(lab_probe_counts "$probe")"
lab_assert "no probe out of the primary was lost ($lost_probes of $sent)" test "$lost_probes" = 0 -a "$sent" -gt 50
e2e_no_drops

lab_summary

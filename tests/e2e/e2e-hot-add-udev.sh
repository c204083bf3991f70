#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Hot-add through udev, as on an instance (issue 14): the real systemd-udevd runs in the
# instance with the product's rule (driver list set to the lab's veth), networkd waits for
# udev's initialization of each link as it does outside a container, and udev's RUN+= runs
# ec2-net-hotplug, which holds the new ENI and asks "systemd" to start its
# policy-routes@ unit (tests/lab/fake-systemd.c stands in for PID 1 here; the system tier
# runs the real one).
#   - the primary ENI at "boot" (udevadm trigger) is the bootstrap ENI: not held;
#   - five ENIs attached at once: each is held before networkd configures it, the first
#     configuration networkd applies to each is its own file, no DHCP lease is lost, the
#     primary loses no probe, and the kernel state is the oracle's;
#   - an ENI whose policy-routes@ unit is masked is released at once and runs on
#     80-ec2.network (DHCP), with nothing of ours left for it;
#   - hot-remove through udev leaves nothing of an ENI behind.
source "$(dirname "$0")/common.sh" "$@"
N=7          # ens5 at boot, ens6..ens10 hot-added at once, ens11 masked
LATE=$((N - 1))
prefix=${EC2NET_FILE_PREFIX:-70}

lab_init
lab_load_generated --enis $N --ipv6 --secondary 1 --v4-prefix --later $LATE
hot=() masked=ens$((5 + N - 1))
for ((i = 1; i < N - 1; i++)); do hot+=("ens$((5 + i))"); done

before_networkd() { lab_udev_product --masked "policy-routes@$masked.service"; }
LAB_UDEV=1
LAB_BEFORE_NETWORKD=before_networkd
lab_up
lab_wait_configured --timeout 30 ens5 || lab_not_ok "networkd did not configure ens5"
e2e_converge 30 ens5 >/dev/null
lab_assert "udev's RUN+= asked to start policy-routes@ens5.service at boot" \
    grep -q ' Start policy-routes@ens5.service$' "$LAB_DIR/systemd-calls.log"
first=$(lab_first_network_file ens5 "$LAB_DIR/networkd.log")
lab_assert "the bootstrap ENI ens5 was not held: networkd configured it with 80-ec2.network first ($first)" \
    test "$first" = "$LAB_DEFAULT_NETWORK_DIR/80-ec2.network"
lab_assert "udev initialized ens5 (its database entry: with sysfs read-write networkd waits for it)" \
    test -s "$(lab_inst_path /run/udev/data/n"$(lab_inst cat /sys/class/net/ens5/ifindex)")"

log_mark=$(wc -l <"$LAB_DIR/networkd.log")
lab_probe_start ens5
sleep 0.3
macs=()
for i in "${hot[@]}"; do macs+=("$(lab_mac "$i")"); done
t0=$(lab_now)
lab_eni_attach "${macs[@]}"
lab_inst udevadm settle --timeout=20 || lab_not_ok "udev did not settle"
t_udev=$(lab_elapsed "$t0")
e2e_converge 30 ens5 "${hot[@]}"
t_conf=$(lab_elapsed "$t0")
sleep 1   # a late reconfiguration would show up in the log and the probe
probe=$(lab_probe_stop)
echo "probe: $probe"
lab_log "udev done ${t_udev}s, all ${#hot[@]} hot-added ENIs converged ${t_conf}s after they were attached"

tail -n +"$((log_mark + 1))" "$LAB_DIR/networkd.log" >"$LAB_DIR/networkd.after"
for i in "${hot[@]}"; do
    lab_assert "udev's RUN+= asked to start policy-routes@$i.service" \
        grep -q " Start policy-routes@$i.service$" "$LAB_DIR/systemd-calls.log"
    first=$(lab_first_network_file "$i" "$LAB_DIR/networkd.after")
    lab_assert "$i: the first configuration networkd applies is its own file (${first:-none})" \
        test "$first" = "/run/systemd/network/$prefix-$i.network"
done
lost=$(grep -cE ': DHCP(v6)? lease lost' "$LAB_DIR/networkd.after")
lab_assert "networkd lost no DHCP lease ($lost lines)" test "$lost" = 0
read -r sent lost_probes <<<"$(lab_probe_counts "$probe")"
lab_assert "no probe out of the primary was lost ($lost_probes of $sent)" test "$lost_probes" = 0 -a "$sent" -gt 50

# A masked setup unit: nobody will write the ENI's files; it must not stay held.
mac=$(lab_mac "$masked")
lab_eni_attach "$mac"
lab_inst udevadm settle --timeout=20 || lab_not_ok "udev did not settle"
lab_assert "StartUnit policy-routes@$masked.service was refused (masked)" \
    grep -q " Start policy-routes@$masked.service masked$" "$LAB_DIR/systemd-calls.log"
lab_assert "$masked is not held" test ! -e "$(lab_inst_path "/run/systemd/network/$prefix-$masked.network")"
lab_wait_for 15 lab_has_v4 "$masked"
lab_assert "$masked got DHCP from 80-ec2.network" lab_has_v4 "$masked"
st=$(lab_inst networkctl --no-legend --no-pager status "$masked" 2>/dev/null | sed -n 's/^ *Network File: //p')
lab_assert "networkd applies 80-ec2.network to $masked ($st)" test "$st" = "$LAB_DEFAULT_NETWORK_DIR/80-ec2.network"

# Hot-remove through udev: the rule passes the MAC it stored on add.
lab_eni_detach "${macs[0]}"
lab_inst udevadm settle --timeout=20 || lab_not_ok "udev did not settle"
lab_wait_for 10 lab_is_gone "${macs[0]}"
lab_check_gone "${macs[0]}"
lab_assert "no file of ${hot[0]} left" \
    test -z "$(find "$(lab_inst_path /run/systemd/network)" -name "*-${hot[0]}.network*")"
lab_assert "udev's remove stopped the units of ${hot[0]}" \
    grep -q " Stop policy-routes@${hot[0]}.service$" "$LAB_DIR/systemd-calls.log"
e2e_no_drops
lab_summary

#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Hot-remove. Three ENIs set up; ens7 (device 2, dual stack, a secondary IPv4) is detached:
# its veth pair is deleted, then `setup-policy-routes ens7 remove` runs (what the udev
# remove path does).
#   - ens7's files, drop-in directory and saved state are gone; no IPv4/IPv6 rule to table
#     10002 and an empty table 10002 remain;
#   - ens5 and ens6 are untouched: their files byte-identical with the same mtimes, their
#     kernel state correct, their traffic still leaving through them;
#   - the same ENI attached again as ens7 gets only the default 80-ec2.network until its
#     `start` runs: nothing left behind applies (networkd itself drops the rules and routes
#     of a link that goes away, so this is what tells whether `remove` did its job);
#   - afterwards `refresh ens7` is a quiet no-op (exit 0, nothing written), and a second
#     `remove` changes nothing and does not reload networkd.
source "$(dirname "$0")/common.sh" "$@"

# shellcheck disable=SC2034  # read by lab.sh: to count networkd's Reload calls
LAB_NETWORKD_LOG_LEVEL=debug
e2e_lab_up "$(e2e_scenario three-enis)"
e2e_configure_all 20 ens5 ens6 ens7
lab_assert "before: rules to table 10002 exist" grep -q 'lookup 10002' <<<"$(e2e_rules -4)"
e2e_files ens7 present network eni.conf ec2net_policy_4.conf ec2net_policy_6.conf ec2net_alias.conf
lab_assert "before: state file of ens7" test -e "$(lab_inst_path /run/amazon-ec2-net-utils/interfaces/ens7.json)"
others0=$(lab_snapshot_files | grep -v -e '-ens7\.network')

mac7=$(lab_mac ens7)
lab_eni_detach "$mac7"
lab_assert "ens7 is gone from the instance" test -z "$(lab_inst ip -o link show dev ens7 2>/dev/null)"
r0=$(lab_networkd_reloads)
e2e_run remove setup-policy-routes ens7 remove
lab_assert "remove ens7 exits 0" test "$E2E_RC" = 0
lab_assert "remove ens7 reloaded networkd once (networkd's log: $(($(lab_networkd_reloads) - r0)))" \
    test "$(($(lab_networkd_reloads) - r0))" = 1
e2e_files ens7 absent network eni.conf ec2net_policy_4.conf ec2net_policy_6.conf ec2net_alias.conf
lab_assert "ens7's drop-in directory is gone" \
    test ! -e "$(lab_inst_path /run/systemd/network/${EC2NET_FILE_PREFIX:-70}-ens7.network.d)"
lab_assert "ens7's saved state is gone" \
    test ! -e "$(lab_inst_path /run/amazon-ec2-net-utils/interfaces/ens7.json)"
lab_wait_for 10 sh -c "! ip -n $LAB_INST -4 rule | grep -q 'lookup 10002' && ! ip -n $LAB_INST -6 rule | grep -q 'lookup 10002'"
lab_check_gone "$mac7"
lab_assert "ens5 and ens6 files byte-identical, same mtimes" \
    test "$others0" = "$(lab_snapshot_files)"

# EC2 no longer lists the ENI; the others are as before.
cp "$LAB_IMDS_FILE" "$LAB_DIR/imds.orig.json"
lab_imds_del "network/interfaces/macs/$mac7"
e2e_converge 10 ens5 ens6
lab_assert_egress 10.3.2.20 ens6
lab_assert_egress 10.3.2.21 ens6
lab_assert_egress 10.3.1.10 ens5

# networkd drops a link's rules and routes when the link goes, so the kernel state above
# says little about `remove` itself. What it must prevent: configuration left behind
# applying again. Re-attach the same ENI as ens7 (IMDS lists it again) and wait for DHCP,
# without running `start`: only the default 80-ec2.network may apply, no rule, no table.
lab_imds_set --json "network/interfaces/macs/$mac7" "$(lab_tool get "$LAB_DIR/imds.orig.json" "network/interfaces/macs/$mac7")"
lab_eni_attach "$mac7"
lab_wait_dhcp ens7
lab_wait_configured --timeout 20 ens7 || lab_not_ok "networkd did not configure the re-attached ens7"
nf=$(sed -n 's/^NETWORK_FILE=//p' "$(lab_inst_path "/run/systemd/netif/links/$(lab_inst cat /sys/class/net/ens7/ifindex)")")
lab_assert "re-attached ens7 before its start: networkd applies only 80-ec2.network ($nf)" \
    test "${nf##*/}" = 80-ec2.network
lab_check_gone "$mac7"
lab_assert "re-attached ens7 before its start: no secondary address 10.3.3.31" \
    test -z "$(lab_inst ip -4 addr show dev ens7 | grep 10.3.3.31)"
e2e_start_all ens7
e2e_converge 20 ens5 ens6 ens7
lab_assert_egress 10.3.3.31 ens7
# Detached for good.
lab_eni_detach "$mac7"
e2e_run remove-final setup-policy-routes ens7 remove
lab_assert "remove ens7 exits 0" test "$E2E_RC" = 0
lab_imds_del "network/interfaces/macs/$mac7"

files1=$(lab_snapshot_files)
r1=$(lab_networkd_reloads)
e2e_run refresh-gone setup-policy-routes ens7 refresh
lab_assert "refresh of the removed ens7 exits 0" test "$E2E_RC" = 0
lab_assert "refresh of the removed ens7 is quiet" test -z "$E2E_OUT"
e2e_run remove-again setup-policy-routes ens7 remove
lab_assert "a second remove exits 0" test "$E2E_RC" = 0
lab_assert "neither wrote a file" test "$files1" = "$(lab_snapshot_files)"
lab_assert "neither reloaded networkd" test "$(lab_networkd_reloads)" = "$r1"
e2e_no_drops

lab_summary

#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# A lower-numbered foreign .network file (netplan's 10-netplan-ens6.network, matching ens6
# by MAC) in /run/systemd/network: networkd applies it to ens6 instead of the generated
# file, so the generated drop-ins do not apply to ens6 (SPEC section 8: 2.x was silent).
#   - the refresh after setup (a run that changed no file) warns on stderr that the file
#     "overrides the generated configuration", naming it; once per boot: the next refresh
#     is quiet; ens5 and ens7 are not warned about;
#   - the product still does what it can: ens6's files are written, its altnames set, and
#     the other ENIs (ens5 primary, ens7 secondary) are fully correct, traffic included.
source "$(dirname "$0")/common.sh" "$@"

e2e_lab_up "$(e2e_scenario three-enis)"
prefix=${EC2NET_FILE_PREFIX:-70}
# A name that sorts before the generated file, whatever the build's prefix (07 on Debian).
foreign=10-netplan-ens6.network
[[ $foreign < $prefix-ens6.network ]] || foreign=00-netplan-ens6.network
cat >"$(lab_inst_path "/run/systemd/network/$foreign")" <<NET
# This file is generated from information provided by the datasource. (netplan-like)
[Match]
MACAddress=$(lab_mac ens6)
Name=ens6

[Network]
DHCP=ipv4
LinkLocalAddressing=ipv6

[DHCP]
RouteMetric=600
UseMTU=true
NET
# (Metric 600, not netplan's usual 100: a lower metric would make ens6 the main table's
# default route and send the primary's traffic through it: netplan's doing, not ours.)
lab_wait_configured --timeout 20 ens5 ens6 ens7 || lab_not_ok "networkd did not configure the ENIs"
e2e_start_all ens5 ens6 ens7

is_network_file() { [ "$(lab_network_file "$1")" = "$2" ]; }
lab_wait_for 15 is_network_file ens6 "/run/systemd/network/$foreign"
lab_assert "networkd applies $foreign to ens6 ($(lab_network_file ens6))" \
    is_network_file ens6 "/run/systemd/network/$foreign"
lab_assert "so ens6's generated drop-ins do not apply (no rule to table 10001)" \
    test -z "$(e2e_rules -4 | grep 'lookup 10001')"

e2e_run refresh-ens6-1 setup-policy-routes ens6 refresh
lab_assert "refresh ens6 exits 0" test "$E2E_RC" = 0
lab_assert "refresh ens6 warns that $foreign overrides the generated configuration" \
    grep -q "ens6 is configured by /run/systemd/network/$foreign, which .*overrides the generated configuration" <<<"$E2E_OUT"
e2e_run refresh-ens6-2 setup-policy-routes ens6 refresh
lab_assert "the next refresh of ens6 exits 0 and does not warn again (once per boot)" \
    test "$E2E_RC" = 0 -a -z "$(grep overrides <<<"$E2E_OUT")"
for i in ens5 ens7; do
    e2e_run "refresh-$i" setup-policy-routes "$i" refresh
    lab_assert "refresh $i exits 0 without a warning" test "$E2E_RC" = 0 -a -z "$(grep overrides <<<"$E2E_OUT")"
done

# What the product could still do for ens6, and the other ENIs.
e2e_files ens6 present network eni.conf ec2net_policy_4.conf ec2net_alias.conf
l=$(lab_inst ip link show ens6)
lab_assert "ens6 altname eni-03000000000000036" grep -q 'altname eni-03000000000000036' <<<"$l"
lab_assert "ens6 altname device-number-1" grep -q 'altname device-number-1$' <<<"$l"
e2e_converge 20 ens5 ens7
lab_assert_egress 10.3.3.30 ens7
lab_assert_egress 10.3.3.31 ens7
lab_assert_egress 2001:db8:3:3::30 ens7
lab_assert_egress 10.3.1.10 ens5

# Once the foreign file is gone, the generated configuration applies to ens6 again.
rm "$(lab_inst_path "/run/systemd/network/$foreign")"
lab_networkctl reload
lab_wait_for 15 is_network_file ens6 "/run/systemd/network/$prefix-ens6.network"
e2e_converge 20 ens5 ens6 ens7
lab_assert_egress 10.3.2.21 ens6

lab_summary

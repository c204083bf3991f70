#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Secondary private IPv4 addresses and delegated prefixes. ens6 (device 1): three
# local-ipv4s, IPv4 prefix 10.4.2.48/28, IPv6 prefix 2001:db8:4:2:b000::/80. The primary
# ens5 has a secondary IPv4 and an IPv4 prefix too, and must still get no rule.
#   - rules From= each address and each prefix (priority/table 10001), IPv4 and IPv6;
#   - secondary IPv4s as /32 on the link (AddPrefixRoute=false in the file);
#   - an address of each prefix, added on the instance by hand as an operator would, sends
#     traffic that leaves through ens6 (without the prefix rule it would take the main
#     table's default route through ens5 and be dropped by the VPC).
source "$(dirname "$0")/common.sh" "$@"

e2e_lab_up "$(e2e_scenario prefixes)"
e2e_configure_all 20 ens5 ens6

rules4=$(e2e_rules -4)
rules6=$(e2e_rules -6)
for a in 10.4.2.20 10.4.2.21 10.4.2.22 10.4.2.48/28; do
    lab_assert "rule: 10001: from $a lookup 10001" grep -q "^10001:.*from $a lookup 10001" <<<"$rules4"
done
for a in 2001:db8:4:2::20 2001:db8:4:2:b000::/80; do
    lab_assert "IPv6 rule: 10001: from $a lookup 10001" grep -q "^10001:.*from $a lookup 10001" <<<"$rules6"
done
lab_assert "exactly 4 IPv4 and 2 IPv6 policy rules" \
    test "$(grep -cE '^1[0-9]{4}:' <<<"$rules4") $(grep -cE '^1[0-9]{4}:' <<<"$rules6")" = "4 2"
lab_assert "primary: no rule for 10.4.1.10, 10.4.1.11 or its prefix 10.4.1.64/28" \
    test -z "$(grep -E 'from 10\.4\.1\.|lookup 10000' <<<"$rules4")"
a6=$(lab_inst ip -4 addr show dev ens6)
for a in 10.4.2.21 10.4.2.22; do
    lab_assert "$a/32 on ens6" grep -q "inet $a/32 " <<<"$a6"
done
lab_assert "primary's secondary 10.4.1.11/32 on ens5" \
    sh -c "ip -n $LAB_INST -4 addr show dev ens5 | grep -q 'inet 10.4.1.11/32 '"
lab_assert "ens6 alias file: 2 addresses" \
    test "$(grep -c '^Address=' "$(e2e_path ens6 ec2net_alias.conf)")" = 2
lab_assert "ens6 alias: [Address] Address=10.4.2.22/32 AddPrefixRoute=false" \
    e2e_conf_has ens6 ec2net_alias.conf Address Address=10.4.2.22/32 AddPrefixRoute=false
lab_assert "ens6 policy_4: [RoutingPolicyRule] From=10.4.2.48/28 Priority=10001 Table=10001" \
    e2e_conf_has ens6 ec2net_policy_4.conf RoutingPolicyRule From=10.4.2.48/28 Priority=10001 Table=10001
lab_assert "ens6 policy_6: [RoutingPolicyRule] From=2001:db8:4:2:b000::/80 Priority=10001 Table=10001" \
    e2e_conf_has ens6 ec2net_policy_6.conf RoutingPolicyRule From=2001:db8:4:2:b000::/80 Priority=10001 Table=10001
e2e_files ens5 absent ec2net_policy_4.conf ec2net_policy_6.conf
e2e_files ens5 present ec2net_alias.conf

# Traffic: each address, then an address of each delegated prefix (the operator's part).
for a in 10.4.2.20 10.4.2.21 10.4.2.22 2001:db8:4:2::20; do
    lab_assert_egress "$a" ens6
done
lab_inst ip addr add 10.4.2.50/32 dev ens6
lab_inst ip addr add 2001:db8:4:2:b000::7/128 dev ens6 nodad
lab_assert_egress 10.4.2.50 ens6 "" 5 10.4.2.48/28
lab_assert_egress 10.4.2.50 ens6 10.4.2.1 5 10.4.2.48/28
lab_assert_egress 10.4.2.50 ens6 10.4.1.1 5 10.4.2.48/28
lab_assert_egress 2001:db8:4:2:b000::7 ens6 "" 5 2001:db8:4:2:b000::/80
lab_assert_egress 10.4.1.11 ens5
lab_assert_egress 10.4.1.10 ens5
e2e_no_drops

lab_summary

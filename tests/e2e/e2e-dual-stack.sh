#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Dual stack, three ENIs: the primary ens5 in subnet 1, ens6 and ens7 both in subnet 2 (the
# case policy routing exists for: two ENIs, one subnet). After `start` for each:
#   - IPv6 policy rules from each secondary ENI's IPv6 address, none for the primary;
#   - the RA default route and the subnet's IPv6 route in each secondary ENI's table;
#   - main-table IPv6 default routes with the ENI's metric (512 + device);
#   - IPv6 and IPv4 traffic from each address leaves through its own ENI, also to the
#     shared subnet's on-link gateway (the VPC source check drops anything else).
source "$(dirname "$0")/common.sh" "$@"

e2e_lab_up "$(e2e_scenario dual-stack)"
lab_wait_configured --timeout 20 ens5 ens6 ens7 || lab_not_ok "networkd did not configure the ENIs"

t0=$(lab_now)
e2e_start_all ens5 ens6 ens7
lab_log "setup of 3 ENIs took $(lab_elapsed "$t0")s"
e2e_converge 20 ens5 ens6 ens7

rules6=$(e2e_rules -6)
lab_assert "IPv6 rule: 10001: from 2001:db8:2:2::20 lookup 10001" \
    grep -q '^10001:.*from 2001:db8:2:2::20 lookup 10001' <<<"$rules6"
lab_assert "IPv6 rule: 10002: from 2001:db8:2:2::30 lookup 10002" \
    grep -q '^10002:.*from 2001:db8:2:2::30 lookup 10002' <<<"$rules6"
lab_assert "no IPv6 rule for the primary (2001:db8:2:1::10, table 10000)" \
    test -z "$(grep -E 'from 2001:db8:2:1::10|lookup 10000' <<<"$rules6")"
lab_assert "exactly 2 IPv6 policy rules (priorities 10000-10099)" \
    test "$(grep -cE '^100[0-9][0-9]:' <<<"$rules6")" = 2
lab_assert "no IPv4 rule for the primary (10.2.1.10, table 10000)" \
    test -z "$(e2e_rules -4 | grep -E 'from 10\.2\.1\.10|lookup 10000')"

for t in 10001:ens6 10002:ens7; do
    tab=${t%%:*} dev=${t#*:}
    r=$(e2e_table -6 "$tab")
    lab_assert "table $tab: IPv6 default via the RA router (fe80::) dev $dev" \
        grep -qE "^default via fe80:[0-9a-f:]+ dev $dev proto ra" <<<"$r"
    lab_assert "table $tab: 2001:db8:2:2::/64 dev $dev" grep -q "^2001:db8:2:2::/64 dev $dev" <<<"$r"
    lab_assert "table $tab: no IPv6 route through another ENI" test -z "$(grep -v "dev $dev" <<<"$r")"
done

main6=$(lab_inst ip -6 route show default)
for m in ens5:512 ens6:513 ens7:514; do
    lab_assert "main table: IPv6 default dev ${m%:*} metric ${m#*:}" \
        grep -qE "^default.* dev ${m%:*} proto ra metric ${m#*:}( |$)" <<<"$main6"
done

e2e_files ens5 present network eni.conf
e2e_files ens5 absent ec2net_policy_4.conf ec2net_policy_6.conf ec2net_alias.conf
for i in ens6 ens7; do
    e2e_files "$i" present network eni.conf ec2net_policy_4.conf ec2net_policy_6.conf
done
lab_assert "ens7 eni.conf: [Route] Table=10002 Gateway=_ipv6ra" \
    e2e_conf_has ens7 eni.conf Route Table=10002 Gateway=_ipv6ra
lab_assert "ens7 eni.conf: [Route] Table=10002 Destination=2001:db8:2:2::/64" \
    e2e_conf_has ens7 eni.conf Route Table=10002 Destination=2001:db8:2:2::/64
lab_assert "ens7 eni.conf: [IPv6AcceptRA] RouteMetric=514" \
    e2e_conf_has ens7 eni.conf IPv6AcceptRA RouteMetric=514
lab_assert "ens7 ec2net_policy_6.conf: From=2001:db8:2:2::30 Priority=10002 Table=10002" \
    e2e_conf_has ens7 ec2net_policy_6.conf RoutingPolicyRule From=2001:db8:2:2::30 Priority=10002 Table=10002

# Real traffic. ens6 and ens7 share subnet 2: only the policy rules decide which one each
# source leaves from, to the internet and to the shared subnet's gateway.
lab_assert_egress 2001:db8:2:1::10 ens5
lab_assert_egress 2001:db8:2:2::20 ens6
lab_assert_egress 2001:db8:2:2::30 ens7
lab_assert_egress 2001:db8:2:2::30 ens7 "$(lab_gateway6 ens7)"
lab_assert_egress 2001:db8:2:2::20 ens6 "$(lab_gateway6 ens6)"
lab_assert_egress 10.2.1.10 ens5
lab_assert_egress 10.2.2.20 ens6
lab_assert_egress 10.2.2.30 ens7
lab_assert_egress 10.2.2.30 ens7 10.2.2.1
e2e_no_drops

lab_summary

#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# IPv6-only subnets. ens5: dual-stack primary. ens6: IPv6-only subnet where the ENI holds
# only a link-local 169.254/16 IPv4 lease, plus a delegated IPv6 prefix. ens7: IPv6-only with
# no IPv4 at all. Neither has local-ipv4s in IMDS. After `start` for each:
#   - no IPv4 policy rule and no IPv4 route in ens6's or ens7's table (a DHCPv4 gateway
#     route there would be "default via 169.254.0.1");
#   - IPv6 rules from each address and prefix, the RA default and the subnet route in
#     the tables; no ec2net_policy_4.conf;
#   - IPv6 traffic from each address (and from an address of the prefix) leaves through
#     its own ENI;
#   - the product's own IMDS requests for ens7 send nothing through ens7 that the VPC would
#     drop (an IPv4 request bound to an interface without IPv4 goes out with another ENI's
#     source address).
source "$(dirname "$0")/common.sh" "$@"

e2e_lab_up "$(e2e_scenario ipv6-only)"
# ens7's DHCPv4 never gets an answer, so networkd keeps it "configuring"; lab_up already
# waited for its DHCPv6 address.
lab_wait_configured --timeout 20 ens5 ens6 || lab_not_ok "networkd did not configure ens5 ens6"

e2e_start_all ens5 ens6
# ens7 has no IPv4 address: its IMDS requests must not leave through it with another ENI's
# IPv4 source (the VPC drops those; each costs the client a connect timeout).
d0=$(lab_counter p-ens7 drop)
e2e_start_all ens7
lab_assert "start ens7 sent nothing through ens7 that the VPC drops ($(($(lab_counter p-ens7 drop) - d0)) dropped)" \
    test "$(lab_counter p-ens7 drop)" = "$d0"
e2e_converge 20 ens5 ens6 ens7
d0=$(lab_counter p-ens7 drop)
e2e_run refresh-ens7 setup-policy-routes ens7 refresh
lab_assert "refresh ens7 exits 0 (${E2E_SECONDS}s) and sent nothing through ens7 that the VPC drops ($(($(lab_counter p-ens7 drop) - d0)) dropped)" \
    test "$E2E_RC" = 0 -a "$(lab_counter p-ens7 drop)" = "$d0"

rules4=$(e2e_rules -4)
rules6=$(e2e_rules -6)
for t in 10001:ens6 10002:ens7; do
    tab=${t%%:*} dev=${t#*:}
    lab_assert "$dev: no IPv4 policy rule to table $tab" test -z "$(grep "lookup $tab" <<<"$rules4")"
    lab_assert "$dev: no IPv4 route in table $tab ($(e2e_table -4 "$tab" | tr '\n' ';'))" \
        test -z "$(e2e_table -4 "$tab")"
    r=$(e2e_table -6 "$tab")
    lab_assert "table $tab: IPv6 default via the RA router dev $dev" \
        grep -qE "^default via fe80:[0-9a-f:]+ dev $dev proto ra" <<<"$r"
    e2e_files "$dev" present network eni.conf ec2net_policy_6.conf
    e2e_files "$dev" absent ec2net_policy_4.conf ec2net_alias.conf
    lab_assert "$dev eni.conf: no DHCPv4 gateway route (Gateway=_dhcp4)" \
        test -z "$(grep -x 'Gateway=_dhcp4' "$(e2e_path "$dev" eni.conf)")"
done
lab_assert "rule: 10001: from 2001:db8:6:6::20 lookup 10001" \
    grep -q '^10001:.*from 2001:db8:6:6::20 lookup 10001' <<<"$rules6"
lab_assert "rule: 10001: from 2001:db8:6:6:a000::/80 lookup 10001 (delegated prefix)" \
    grep -q '^10001:.*from 2001:db8:6:6:a000::/80 lookup 10001' <<<"$rules6"
lab_assert "rule: 10002: from 2001:db8:6:7::30 lookup 10002" \
    grep -q '^10002:.*from 2001:db8:6:7::30 lookup 10002' <<<"$rules6"
lab_assert "table 10001: 2001:db8:6:6::/64 dev ens6" \
    grep -q '^2001:db8:6:6::/64 dev ens6' <<<"$(e2e_table -6 10001)"
lab_assert "table 10002: 2001:db8:6:7::/64 dev ens7" \
    grep -q '^2001:db8:6:7::/64 dev ens7' <<<"$(e2e_table -6 10002)"
lab_assert "ens6 keeps its link-local lease 169.254.6.20/16" \
    sh -c "ip -n $LAB_INST -4 addr show ens6 | grep -q 'inet 169.254.6.20/16'"
lab_assert "ens7 has no IPv4 address" test -z "$(lab_inst ip -4 addr show dev ens7)"
lab_assert "altname device-number-2 on ens7" \
    sh -c "ip -n $LAB_INST link show ens7 | grep -q 'altname device-number-2$'"

# Traffic. An address of the delegated prefix, added by hand as an operator would.
lab_inst ip addr add 2001:db8:6:6:a000::5/128 dev ens6 nodad
lab_assert_egress 2001:db8:6:6::20 ens6
lab_assert_egress 2001:db8:6:6:a000::5 ens6 "" 5 2001:db8:6:6:a000::/80
lab_assert_egress 2001:db8:6:7::30 ens7
lab_assert_egress 2001:db8:6:7::30 ens7 "$(lab_gateway6 ens7)"
lab_assert_egress 2001:db8:6:1::10 ens5
lab_assert_egress 10.6.1.10 ens5
e2e_no_drops

lab_summary

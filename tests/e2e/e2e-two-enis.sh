#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Boot with two ENIs in two subnets: the primary (device 0) and a secondary (device 1) with
# a secondary private IPv4. `setup-policy-routes IFACE start` for both, as boot does, then:
# the kernel state of SPEC section 4 (labtool's oracle), the generated files, and real
# traffic: each source address leaves through its own ENI (the VPC source check would drop
# it anywhere else), and the primary has no policy rules.
source "$(dirname "$0")/common.sh" "$@"

e2e_lab_up "$(e2e_scenario two-enis)"
lab_wait_configured --timeout 20 ens5 ens6 || lab_not_ok "networkd did not configure the ENIs"

lab_imds_mark
t0=$(lab_now)
for i in ens5 ens6; do
    lab_assert "setup-policy-routes $i start exits 0" lab_product setup-policy-routes "$i" start
done
lab_log "setup of 2 ENIs took $(lab_elapsed "$t0")s, $(lab_imds_count) IMDS requests"

# Kernel state, derived from the IMDS tree: addresses, rules, tables, metrics, altnames.
e2e_converge 15 ens5 ens6

# The same facts spelled out, so this scenario reads on its own.
rules=$(lab_inst ip -4 rule show)
lab_assert "rule: from 10.0.2.20 lookup 10001 priority 10001" \
    grep -q '^10001:.*from 10.0.2.20 lookup 10001' <<<"$rules"
lab_assert "rule: from 10.0.2.21 lookup 10001 priority 10001" \
    grep -q '^10001:.*from 10.0.2.21 lookup 10001' <<<"$rules"
lab_assert "no rule for the primary's 10.0.1.10 nor table 10000" \
    test -z "$(grep -E 'from 10\.0\.1\.10|lookup 10000' <<<"$rules")"
t=$(lab_inst ip -4 route show table 10001)
lab_assert "table 10001: default via 10.0.2.1 dev ens6" grep -q '^default via 10.0.2.1 dev ens6' <<<"$t"
lab_assert "table 10001: 10.0.2.0/24 dev ens6" grep -q '^10.0.2.0/24 dev ens6' <<<"$t"
lab_assert "10.0.2.21/32 on ens6" sh -c "ip -n $LAB_INST -4 addr show ens6 | grep -q 'inet 10.0.2.21/32'"
l=$(lab_inst ip link show ens6)
lab_assert "altname eni-0a0000000000000a6 on ens6" grep -q 'altname eni-0a0000000000000a6' <<<"$l"
lab_assert "altname device-number-1 on ens6" grep -q 'altname device-number-1$' <<<"$l"

# Generated files.
e2e_files ens5 present network eni.conf
e2e_files ens5 absent ec2net_policy_4.conf ec2net_policy_6.conf ec2net_alias.conf
e2e_files ens6 present network eni.conf ec2net_policy_4.conf ec2net_alias.conf
e2e_files ens6 absent ec2net_policy_6.conf

# Real traffic, to the remote host (through each ENI's default route) and to the
# secondary subnet's gateway.
lab_assert_egress 10.0.1.10 ens5
lab_assert_egress 10.0.2.20 ens6
lab_assert_egress 10.0.2.21 ens6
lab_assert_egress 10.0.2.20 ens6 10.0.2.1
lab_assert_egress 10.0.2.21 ens6 10.0.1.1
lab_assert "no packet dropped by the VPC source check during the whole run" \
    test "$(lab_drops)" = 0

# A second start changes nothing and reloads nothing.
before=$(find "$(lab_inst_path /run/systemd/network)" -type f \
    -printf '%P %T@\n' | sort)
lab_assert "setup-policy-routes ens6 start again exits 0" lab_product setup-policy-routes ens6 start
after=$(find "$(lab_inst_path /run/systemd/network)" -type f \
    -printf '%P %T@\n' | sort)
lab_assert "second start rewrites no file" test "$before" = "$after"

lab_summary

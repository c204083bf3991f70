#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Refresh follows IMDS while the instance runs (dual-stack scenario: ens5 primary, ens6 and
# ens7 secondary ENIs in one subnet). The scenario is edited at run time, then
# `setup-policy-routes IFACE refresh` runs, as the timer does.
#   - nothing changed: every file keeps its content and mtime, networkd is not reloaded,
#     nothing is logged, at most 5 IMDS requests per refresh and no new token;
#   - an IPv4 and an IPv6 address assigned to ens6, an IPv4 prefix to ens7: rules, /32
#     address and alias file appear, only the files that changed are rewritten, one reload
#     per refresh, and traffic from the new addresses leaves through their ENI;
#   - the same unassigned: rules and address gone, the now empty alias file removed;
#   - a secondary IPv4 assigned to the primary: the address, still no policy rule;
#   - the "IMDS has not answered since boot" mark survives refreshes of an excluded and a
#     missing interface (which ask IMDS nothing) and is cleared by one IMDS answered.
source "$(dirname "$0")/common.sh" "$@"

# shellcheck disable=SC2034  # read by lab.sh: to count networkd's Reload calls
LAB_NETWORKD_LOG_LEVEL=debug
e2e_lab_up "$(e2e_scenario dual-stack)"
e2e_configure_all 20 ens5 ens6 ens7
mac5=$(lab_mac ens5) mac6=$(lab_mac ens6) mac7=$(lab_mac ens7)

# refresh_all TAG: refresh every ENI, each must exit 0.
refresh() { # refresh TAG IFACE...
    local tag=$1 i
    shift
    for i in "$@"; do
        e2e_run "refresh-$tag-$i" setup-policy-routes "$i" refresh
        lab_assert "[$tag] refresh $i exits 0" test "$E2E_RC" = 0
    done
}
# mtime_of IFACE FILE
mtime_of() { stat -c %Y.%y "$(e2e_path "$1" "$2")" 2>/dev/null; }

# 1. Nothing changed.
unchanged_refresh() {
    local tag=$1 f0 r0 i
    f0=$(lab_snapshot_files)
    r0=$(lab_networkd_reloads)
    lab_imds_mark
    refresh "$tag" ens5 ens6 ens7
    lab_assert "[$tag] no file rewritten (content and mtime)" test "$f0" = "$(lab_snapshot_files)"
    lab_assert "[$tag] networkd not reloaded" test "$(lab_networkd_reloads)" = "$r0"
    lab_assert "[$tag] nothing logged at info level" \
        test -z "$(cat "$LAB_DIR"/refresh-"$tag"-*.log)"
    lab_assert "[$tag] IMDS: no new token, at most 5 requests per refresh ($(lab_imds_count) for 3)" \
        test "$(lab_imds_count --method PUT)" = 0 -a "$(lab_imds_count)" -le 15
}
unchanged_refresh unchanged

# 2. Assigned.
lab_imds_list_add "$(lab_mac_key "$mac6" local-ipv4s)" 10.2.2.21
lab_imds_list_add "$(lab_mac_key "$mac6" ipv6s)" 2001:db8:2:2::21
lab_imds_list_add "$(lab_mac_key "$mac7" ipv4-prefix)" 10.2.2.64/28
eni6=$(mtime_of ens6 eni.conf) net6=$(mtime_of ens6 network)
others=$(lab_snapshot_files | grep -e '-ens5\.network')
r0=$(lab_networkd_reloads)
refresh assigned ens6 ens7
lab_assert "[assigned] ens6 and ens7 report the change" \
    test "$(cat "$LAB_DIR"/refresh-assigned-*.log | grep -c 'Configuration of .* updated')" = 2
lab_assert "[assigned] one reload per refresh that changed something" \
    test "$(($(lab_networkd_reloads) - r0))" = 2
e2e_files ens6 present ec2net_alias.conf
lab_assert "[assigned] ens6 eni.conf and .network not rewritten" \
    test "$eni6 $net6" = "$(mtime_of ens6 eni.conf) $(mtime_of ens6 network)"
lab_assert "[assigned] ens5's files untouched" test "$others" = "$(lab_snapshot_files | grep -e '-ens5\.network')"
e2e_converge 20 ens5 ens6 ens7
lab_assert "[assigned] rule: 10001: from 10.2.2.21 lookup 10001" \
    grep -q '^10001:.*from 10.2.2.21 lookup 10001' <<<"$(e2e_rules -4)"
lab_assert "[assigned] IPv6 rule: 10001: from 2001:db8:2:2::21 lookup 10001" \
    grep -q '^10001:.*from 2001:db8:2:2::21 lookup 10001' <<<"$(e2e_rules -6)"
lab_assert "[assigned] rule: 10002: from 10.2.2.64/28 lookup 10002" \
    grep -q '^10002:.*from 10.2.2.64/28 lookup 10002' <<<"$(e2e_rules -4)"
lab_assert "[assigned] 10.2.2.21/32 on ens6" \
    sh -c "ip -n $LAB_INST -4 addr show dev ens6 | grep -q 'inet 10.2.2.21/32 '"
lab_assert_egress 10.2.2.21 ens6
# EC2 hands secondary IPv6 addresses out by DHCPv6, the lab's dnsmasq only the first one:
# added by hand here, as is an address of the new prefix.
lab_inst ip addr add 2001:db8:2:2::21/128 dev ens6 nodad
lab_inst ip addr add 10.2.2.70/32 dev ens7
lab_assert_egress 2001:db8:2:2::21 ens6
lab_assert_egress 10.2.2.70 ens7 "" 5 10.2.2.64/28
unchanged_refresh after-assign
lab_inst ip addr del 2001:db8:2:2::21/128 dev ens6
lab_inst ip addr del 10.2.2.70/32 dev ens7

# 3. Unassigned.
lab_imds_list_remove "$(lab_mac_key "$mac6" local-ipv4s)" 10.2.2.21
lab_imds_list_remove "$(lab_mac_key "$mac6" ipv6s)" 2001:db8:2:2::21
lab_imds_del "$(lab_mac_key "$mac7" ipv4-prefix)"
refresh unassigned ens6 ens7
e2e_converge 20 ens5 ens6 ens7
e2e_files ens6 absent ec2net_alias.conf
lab_assert "[unassigned] no rule from 10.2.2.21, 2001:db8:2:2::21 or 10.2.2.64/28" \
    test -z "$( (e2e_rules -4; e2e_rules -6) | grep -E 'from (10\.2\.2\.21|2001:db8:2:2::21|10\.2\.2\.64/28) ')"
lab_assert "[unassigned] 10.2.2.21 no longer on ens6" \
    test -z "$(lab_inst ip -4 addr show dev ens6 | grep 'inet 10.2.2.21/')"
lab_assert "[unassigned] ens6 and ens7 keep their primary address's rule" \
    test "$(e2e_rules -4 | grep -cE '^1000[12]:.*from 10\.2\.2\.[23]0 lookup 1000[12]')" = 2
lab_assert_egress 10.2.2.20 ens6
lab_assert_egress 10.2.2.30 ens7

# 4. A secondary IPv4 for the primary: the address, no rule.
lab_imds_list_add "$(lab_mac_key "$mac5" local-ipv4s)" 10.2.1.11
refresh primary ens5
e2e_converge 20 ens5 ens6 ens7
lab_assert "[primary] 10.2.1.11/32 on ens5" \
    sh -c "ip -n $LAB_INST -4 addr show dev ens5 | grep -q 'inet 10.2.1.11/32 '"
lab_assert "[primary] still no rule for the primary" \
    test -z "$(e2e_rules -4 | grep -E 'from 10\.2\.1\.|lookup 10000')"
e2e_files ens5 absent ec2net_policy_4.conf ec2net_policy_6.conf
lab_assert_egress 10.2.1.11 ens5

unchanged_refresh final

# 5. The mark that IMDS has not answered since boot (written by the seed stage; it shortens
# the budget of initial setups) is cleared only by a run that IMDS answered: not by the
# refresh of an interface that is gone or excluded, which never asks it.
marker=$(lab_inst_path /run/amazon-ec2-net-utils/imds-unavailable)
echo yes >"$marker"
mkdir -p "$LAB_CONFIG.d"
printf '[Interfaces]\nExcludeInterfaces=ens7\n' >"$LAB_CONFIG.d/50-exclude.conf"
lab_imds_mark
refresh marker ens7 ens9
rm -f "$LAB_CONFIG.d/50-exclude.conf"
lab_assert "[marker] refreshes of an excluded and a missing interface asked IMDS nothing" \
    test "$(lab_imds_count)" = 0
lab_assert "[marker] ... and left the IMDS-unavailable mark" test -e "$marker"
refresh marker-answered ens6
lab_assert "[marker] a refresh IMDS answered cleared it" test ! -e "$marker"
e2e_no_drops

lab_summary

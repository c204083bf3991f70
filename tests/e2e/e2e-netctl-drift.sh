#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# ec2-netctl status finds each kind of drift made for real, with what was expected and what
# was found, and plan then start (or what plan says to do) converge to status exit 0
# (dual-stack: ens5 primary, ens6 and ens7 secondary ENIs with IPv6):
#   - a policy rule deleted by hand (rule-missing; plan: networkctl reconfigure);
#   - a secondary IPv4 address unassigned and an IPv6 address assigned in IMDS, not refreshed
#     (file-outdated and file-extra, rule-extra, address-extra, rule-missing);
#   - a lower-numbered .network file matching ens6's MAC (network-file-other, unmanaged:
#     shadowed);
#   - a rule of another agent at ens7's priority (rule-foreign);
#   - an altname removed by hand (altname-missing);
#   - generated files left for an interface that is gone (stale-files).
source "$(dirname "$0")/common.sh" "$@"
source "$E2E_DIR/netctl-lib.sh"

e2e_lab_up "$(e2e_scenario dual-stack)"
e2e_configure_all 20 ens5 ens6 ens7
mac6=$(lab_mac ens6) mac7=$(lab_mac ens7)
prefix=${EC2NET_FILE_PREFIX:-70}
netdir=$(lab_inst_path /run/systemd/network)
a6=10.2.2.20 a7=10.2.2.31
# ens7 gets a secondary address, configured, to be unassigned later.
lab_imds_list_add "$(lab_mac_key "$mac7" local-ipv4s)" "$a7"
e2e_run secondary setup-policy-routes ens7 refresh
e2e_converge 20 ens7

# converged TAG: status exits 0 (waiting for networkd to apply what start wrote).
in_sync() { lab_product ec2-netctl status --json=short >/dev/null 2>&1; }
converged() {
    lab_wait_for 20 in_sync
    nc_json "$1-converged" status
    lab_assert "[$1] converged: status exits 0" test "$NC_RC" = 0 || nc_show
}

nc_json start status
lab_assert "[start] status exits 0" test "$NC_RC" = 0 || nc_show

# 1. A rule deleted by hand.
lab_inst ip rule del from "$a6" priority 10001 table 10001
nc_json rule status
lab_assert "[rule] exit 1, rule-missing on ens6, expected the rule, found none" \
    test "$NC_RC" = 1 -a "$(nc_ids ens6)" = rule-missing \
    -a "$(nc_finding ens6 rule-missing expected)" = "10001: from $a6 lookup 10001" \
    -a "$(nc_finding ens6 rule-missing found)" = null || nc_show
nc_json rule-plan plan ens6
lab_assert "[rule] plan: nothing to change, do networkctl reconfigure ens6" \
    test "$(jq '.summary.changes' "$NC_JSON")" = 0 \
    -a "$(nc_finding ens6 rule-missing remedy)" = "networkctl reconfigure ens6"
lab_networkctl reconfigure ens6
converged rule

# 2. IMDS changed, no refresh.
lab_imds_list_remove "$(lab_mac_key "$mac7" local-ipv4s)" "$a7"
lab_imds_list_add "$(lab_mac_key "$mac7" ipv6s)" 2001:db8:2:2::77
nc_json imds status
lab_assert "[imds] exit 1; ens7: outdated files, the extra rule and address, the missing IPv6 rule" \
    test "$NC_RC" = 1 -a "$(nc_ids ens7 | sort -u | tr '\n' ' ')" = \
    "address-extra file-extra file-outdated rule-extra rule-missing " || nc_show
lab_assert "[imds] ens7: found the rule and address of the unassigned $a7; expected the IPv6 rule" \
    test "$(nc_finding ens7 rule-extra found)" = "10002: from $a7 lookup 10002 proto static" \
    -a "$(nc_finding ens7 address-extra found)" = "$a7/32" \
    -a "$(nc_finding ens7 rule-missing expected)" = "10002: from 2001:db8:2:2::77 lookup 10002"
lab_assert "[imds] ens7: the alias file would go ($prefix-ens7.network.d/ec2net_alias.conf)" \
    grep -q "ec2net_alias.conf exists, but a refresh would remove it now" "$NC_JSON"
nc_json imds-plan plan ens7
lab_assert "[imds] plan: ens7 reconfigured, its rule and address removed, the IPv6 rule added" \
    test "$(nc_field ens7 '[.reconfigure, .rules.remove[0], .addresses.remove[0], .rules.add[0]] | map(tostring) | join(",")')" = \
    "true,10002: from $a7 lookup 10002 proto static,$a7/32,10002: from 2001:db8:2:2::77 lookup 10002"
e2e_run imds-start setup-policy-routes ens7 start
converged imds

# 3. A lower-numbered .network file.
foreign=10-foo.network
[[ $foreign < $prefix-ens6.network ]] || foreign=00-foo.network
printf '[Match]\nMACAddress=%s\n\n[Network]\nDHCP=yes\n' "$mac6" >"$netdir/$foreign"
lab_networkctl reload
shadowed() { lab_product ec2-netctl status ens6 --json=short 2>/dev/null | jq -e '.interfaces[0].managed == false' >/dev/null; }
lab_wait_for 15 shadowed
nc_json shadow status
lab_assert "[shadow] exit 1, ens6 unmanaged: shadowed by $foreign, network-file-other" \
    test "$NC_RC" = 1 -a "$(nc_field ens6 '.unmanaged_reason + " " + .unmanaged_detail')" = \
    "shadowed /run/systemd/network/$foreign" -a "$(nc_ids ens6)" = network-file-other || nc_show
rm "$netdir/$foreign"
lab_networkctl reload
converged shadow

# 4. Another agent's rule at ens7's priority.
lab_inst ip rule add from 10.9.9.9 priority 10002 table 200
nc_json foreign status
lab_assert "[foreign] exit 1, rule-foreign on ens7, found the rule" \
    test "$NC_RC" = 1 -a "$(nc_ids ens7)" = rule-foreign \
    -a "$(nc_finding ens7 rule-foreign found)" = "10002: from 10.9.9.9 lookup 200" || nc_show
lab_inst ip rule del from 10.9.9.9 priority 10002 table 200
converged foreign

# 5. An altname removed by hand.
lab_inst ip link property del dev ens6 altname device-number-1
nc_json altname status
lab_assert "[altname] exit 1, altname-missing on ens6 (warning), expected device-number-1" \
    test "$NC_RC" = 1 -a "$(nc_ids ens6)" = altname-missing \
    -a "$(nc_finding ens6 altname-missing expected)" = device-number-1 || nc_show
e2e_run altname-refresh setup-policy-routes ens6 refresh
converged altname

# 6. Files left for an interface that is gone.
cp "$netdir/$prefix-ens7.network" "$netdir/$prefix-ens9.network"
nc_json stale status
lab_assert "[stale] exit 1, stale-files for ens9, fix: remove it" \
    test "$NC_RC" = 1 -a "$(nc_ids)" = stale-files \
    -a "$(jq -r '.findings[0].remedy' "$NC_JSON")" = "setup-policy-routes ens9 remove" || nc_show
e2e_run stale-remove setup-policy-routes ens9 remove
converged stale

e2e_no_drops
lab_summary

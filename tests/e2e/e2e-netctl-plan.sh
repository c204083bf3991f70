#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# ec2-netctl plan predicts what `setup-policy-routes IFACE start|refresh` does, changing
# nothing (three-enis: ens5 primary, ens6 and ens7 secondary ENIs):
#   - in sync: exit 0, nothing to do;
#   - an address assigned and one unassigned in IMDS for ens7, not refreshed: the diffs of
#     its rule and alias files, the rule and address to add and to remove, one reload that
#     reconfigures ens7; plan itself leaves every file (inode, mtime, content), the runtime
#     directory and networkd's reload count as they were; the diffs applied with patch -p1
#     give exactly the files `start` then writes, and plan, status and the oracle agree
#     afterwards;
#   - a rule of another agent at ens7's priority: plan says the reload removes it
#     (ManageForeignRoutingPolicyRules=yes, networkd's default), and it does;
#   - a rule deleted by hand while the files are current: nothing to change, and plan says
#     a refresh leaves it missing (networkctl reconfigure restores it); `start` indeed
#     changes nothing; after networkctl reconfigure, plan exits 0;
#   - a lower-numbered .network file for ens6: left as it is (network-file-other);
#   - a reload left pending by a killed run: plan says networkd would be reloaded, does not
#     reload; the next refresh does.
source "$(dirname "$0")/common.sh" "$@"
source "$E2E_DIR/netctl-lib.sh"

# shellcheck disable=SC2034  # read by lab.sh: to count networkd's Reload calls
LAB_NETWORKD_LOG_LEVEL=debug
e2e_lab_up "$(e2e_scenario three-enis)"
e2e_configure_all 20 ens5 ens6 ens7
mac7=$(lab_mac ens7)
prefix=${EC2NET_FILE_PREFIX:-70}
netdir=$(lab_inst_path /run/systemd/network)

# inode, mtime, size and content of every file (what "nothing written" means).
files_state() { (cd "$netdir" && find . -type f -printf '%P %i %T@ %s ' -exec sha256sum {} \; | sort); }
untouched_since() { # untouched_since TAG FILES RUNTIME RELOADS
    lab_assert "[$1] plan left every file as it was (inode, mtime, content)" test "$2" = "$(files_state)"
    lab_assert "[$1] ... and the runtime directory" test "$3" = "$(lab_snapshot_files /run/amazon-ec2-net-utils)"
    lab_assert "[$1] ... and did not reload networkd" test "$4" = "$(lab_networkd_reloads)"
}

# 1. In sync.
nc_json sync plan
lab_assert "[sync] plan exits 0: nothing to do, no reload" \
    test "$NC_RC" = 0 -a "$(jq -c '[.summary.nothing_to_do, .networkd.reload]' "$NC_JSON")" = "[true,false]" ||
    jq . "$NC_JSON"
undocumented=$(comm -13 <(nc_documented plan) <(nc_paths "$NC_JSON"))
lab_assert "[sync] every field of the output is documented in ec2-netctl(8)" test -z "$undocumented" ||
    echo "$undocumented" | sed 's/^/    undocumented: /'

# 2. IMDS changed for ens7; a rule of another agent at ens7's priority.
lab_imds_list_add "$(lab_mac_key "$mac7" local-ipv4s)" 10.3.3.39
lab_imds_list_remove "$(lab_mac_key "$mac7" local-ipv4s)" 10.3.3.31
lab_inst ip rule add from 10.9.9.9 priority 10002 table 200
f0=$(files_state) rt0=$(lab_snapshot_files /run/amazon-ec2-net-utils) r0=$(lab_networkd_reloads)
nc_json changed plan
untouched_since changed "$f0" "$rt0" "$r0"
lab_assert "[changed] plan exits 1" test "$NC_RC" = 1
lab_assert "[changed] ens7: updates its rule and alias files" \
    test "$(nc_field ens7 '[.files[] | .change + " " + .name] | join(",")')" = \
    "update $prefix-ens7.network.d/ec2net_policy_4.conf,update $prefix-ens7.network.d/ec2net_alias.conf" ||
    jq . "$NC_JSON"
lab_assert "[changed] ens7: the rule and the address to add and to remove" \
    test "$(nc_field ens7 '[.rules.add[], .rules.remove[], .addresses.add[], .addresses.remove[]] | join(",")')" = \
    "10002: from 10.3.3.39 lookup 10002,10002: from 10.3.3.31 lookup 10002 proto static,10.3.3.39/32,10.3.3.31/32"
lab_assert "[changed] one reload, reconfiguring ens7 only; ens5 and ens6 unchanged" \
    test "$(jq -c '[.networkd.reload, .networkd.reconfigure, ([.interfaces[] | select(.name != "ens7") | .files[]] | length)]' "$NC_JSON")" = \
    '[true,["ens7"],0]'
lab_assert "[changed] the other agent's rule at 10002 would be removed by networkd" \
    test "$(jq -r '.networkd.remove_foreign_rules | join(",")' "$NC_JSON")" = "10002: from 10.9.9.9 lookup 200"
# The diffs, applied to a copy, are the files `start` writes.
copy="$LAB_DIR/predicted"
cp -a "$netdir" "$copy"
jq -r '.interfaces[].files[].diff' "$NC_JSON" >"$LAB_DIR/plan.diff"
lab_assert "[changed] the diffs apply with patch -p1" patch -s -p1 -d "$copy" -i "$LAB_DIR/plan.diff"
e2e_run start-ens7 setup-policy-routes ens7 start
lab_assert "[changed] start ens7 exits 0" test "$E2E_RC" = 0
lab_assert "[changed] start wrote exactly what plan predicted" diff -r "$copy" "$netdir"
lab_assert "[changed] networkd reloaded once" test "$(($(lab_networkd_reloads) - r0))" = 1
e2e_converge 20 ens5 ens6 ens7
lab_assert "[changed] the other agent's rule is gone, as predicted" \
    test -z "$(e2e_rules -4 | grep 10.9.9.9)"
nc_json converged plan
lab_assert "[changed] plan then exits 0" test "$NC_RC" = 0 || jq . "$NC_JSON"
nc_json converged-status status
lab_assert "[changed] status exits 0" test "$NC_RC" = 0 || nc_show

# 3. A rule deleted by hand, files current.
lab_inst ip rule del from 10.3.2.21 priority 10001 table 10001
f0=$(files_state) rt0=$(lab_snapshot_files /run/amazon-ec2-net-utils) r0=$(lab_networkd_reloads)
nc_json deleted plan ens6
untouched_since deleted "$f0" "$rt0" "$r0"
lab_assert "[deleted] plan exits 1: nothing to change, the rule left missing, fix networkctl reconfigure" \
    test "$NC_RC" = 1 -a "$(jq -c '[.summary.changes, .networkd.reload]' "$NC_JSON")" = "[0,false]" \
    -a "$(nc_finding ens6 rule-missing remedy)" = "networkctl reconfigure ens6" || jq . "$NC_JSON"
e2e_run start-ens6 setup-policy-routes ens6 start
lab_assert "[deleted] start ens6 indeed changes nothing: no reload, the rule still missing" \
    test "$E2E_RC" = 0 -a "$(lab_networkd_reloads)" = "$r0" -a -z "$(e2e_rules -4 | grep 'from 10.3.2.21 ')"
lab_networkctl reconfigure ens6
e2e_converge 20 ens6
nc_json reconfigured plan
lab_assert "[deleted] after networkctl reconfigure: plan exits 0" test "$NC_RC" = 0 || jq . "$NC_JSON"

# 4. A lower-numbered .network file for ens6.
foreign=10-foo-ens6.network
[[ $foreign < $prefix-ens6.network ]] || foreign=00-foo-ens6.network
printf '[Match]\nMACAddress=%s\n\n[Network]\nDHCP=ipv4\n' "$(lab_mac ens6)" >"$netdir/$foreign"
lab_networkctl reload
no_rule_10001() { ! e2e_rules -4 | grep -q 'lookup 10001'; }
lab_wait_for 15 no_rule_10001
nc_json shadowed plan ens6
lab_assert "[shadowed] ens6 left as it is: network-file-other, exit 1" \
    test "$NC_RC" = 1 -a "$(nc_finding ens6 network-file-other found)" = "/run/systemd/network/$foreign" ||
    jq . "$NC_JSON"
rm "$netdir/$foreign"
lab_networkctl reload
e2e_converge 20 ens6

# 5. A reload left pending by a run killed before it reloaded.
printf '7 5\n' >"$(lab_inst_path /run/amazon-ec2-net-utils/reload-state)"
r0=$(lab_networkd_reloads)
nc_json pending plan
lab_assert "[pending] plan: networkd would be reloaded (2 pending), exit 1" \
    test "$NC_RC" = 1 -a "$(jq -c '[.networkd.reload, .networkd.reloads_pending]' "$NC_JSON")" = "[true,2]"
lab_assert "[pending] plan did not reload" test "$(lab_networkd_reloads)" = "$r0"
e2e_run refresh-pending setup-policy-routes ens5 refresh
lab_assert "[pending] the next refresh reloads, as plan said" test "$(($(lab_networkd_reloads) - r0))" = 1
nc_json done plan
lab_assert "[pending] then plan exits 0" test "$NC_RC" = 0 || jq . "$NC_JSON"

lab_summary

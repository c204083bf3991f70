#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# ec2-netctl status on a configured instance (three-enis: ens5 primary, ens6 with a secondary
# IPv4, ens7 dual-stack with a secondary IPv4):
#   - in sync: exit 0, no finding, every ENI managed with its table, metric, device, the
#     IMDS view fresh, the kernel's rules, routes and addresses, the last run recorded;
#     no more IMDS requests than one refresh of the same ENIs and no token request; nothing
#     written anywhere; every JSON field documented in ec2-netctl(8);
#   - text output: the table, and the details of one ENI;
#   - --offline asks IMDS nothing and uses the saved view with its age (an address assigned
#     in IMDS since is not seen; without --offline it is);
#   - an ENI excluded by a configuration drop-in: unmanaged, and its leftover files found;
#   - a refresh that failed is recorded and shown (last-run-failed), until one succeeds;
#   - IMDS failing during status: invalid data exits 4, 503s exit 1, each with the finding;
#   - usage: an unknown interface exits 1, an invalid name or option exits 2.
source "$(dirname "$0")/common.sh" "$@"
source "$E2E_DIR/netctl-lib.sh"

e2e_lab_up "$(e2e_scenario three-enis)"
e2e_configure_all 20 ens5 ens6 ens7
mac6=$(lab_mac ens6) mac7=$(lab_mac ens7)

# 1. In sync.
files0=$(lab_snapshot_files) rt0=$(lab_snapshot_files /run/amazon-ec2-net-utils)
lab_imds_mark
nc_json sync status
status_requests=$(lab_imds_count) status_puts=$(lab_imds_count --method PUT)
lab_assert "[sync] status exits 0" test "$NC_RC" = 0 || nc_show
lab_assert "[sync] schema ec2-netctl/1, command status" \
    test "$(jq -r '.schema + " " + .command' "$NC_JSON")" = "ec2-netctl/1 status"
lab_assert "[sync] no finding at all" test "$(jq '.summary.findings' "$NC_JSON")" = 0 || nc_show
lab_assert "[sync] the three ENIs, managed, with table, metric and device number" \
    test "$(jq -c '[.interfaces[] | [.name, .managed, .table, .priority, .metric, .device_number]]' "$NC_JSON")" = \
    '[["ens5",true,10000,10000,512,0],["ens6",true,10001,10001,513,1],["ens7",true,10002,10002,514,2]]'
lab_assert "[sync] ens6: ENI id, fresh IMDS view with both addresses" \
    test "$(nc_field ens6 '[.eni_id, .imds.source, (.imds.ipv4s | join(" "))] | join(",")')" = \
    "eni-03000000000000036,imds,10.3.2.20 10.3.2.21"
lab_assert "[sync] ens6: kernel rules at 10001 from both addresses" \
    test "$(nc_field ens6 '[.kernel.rules[].text] | sort | join(";")')" = \
    "10001: from 10.3.2.20 lookup 10001 proto static;10001: from 10.3.2.21 lookup 10001 proto static"
lab_assert "[sync] ens7: an IPv6 rule and an IPv6 default route in table 10002" \
    test "$(nc_field ens7 '[(.kernel.rules[] | select(.family == "ipv6") | .from),
        (.kernel.routes[] | select(.family == "ipv6" and .destination == "::/0") | .table)] | map(tostring) | join(",")')" = \
    "2001:db8:3:3::30/128,10002"
lab_assert "[sync] ens5 (primary): no rule, its table has the default route" \
    test "$(nc_field ens5 '[(.kernel.rules | length), (.kernel.routes[] | select(.destination == "0.0.0.0/0") | .gateway)] | map(tostring) | join(",")')" = \
    "0,10.3.1.1"
lab_assert "[sync] ens6: networkd applies 70-ens6.network, configured" \
    test "$(nc_field ens6 '.networkd.network_file + " " + .networkd.administrative_state')" = \
    "/run/systemd/network/${EC2NET_FILE_PREFIX:-70}-ens6.network configured"
lab_assert "[sync] ens6: the last run is recorded (start, ok)" \
    test "$(nc_field ens6 '.last_run.action + " " + .last_run.result')" = "start ok"
lab_assert "[sync] host: enabled, networkd reachable, the lab's configuration file read" \
    test "$(jq -c '[.host.enabled, .host.networkd.reachable, .host.config_files]' "$NC_JSON")" = \
    "[true,true,[\"$LAB_CONFIG\"]]"
undocumented=$(comm -13 <(nc_documented status) <(nc_paths "$NC_JSON"))
lab_assert "[sync] every field of the output is documented in ec2-netctl(8)" test -z "$undocumented" ||
    echo "$undocumented" | sed 's/^/    undocumented: /'
lab_assert "[sync] status wrote nothing under /run/systemd/network" test "$files0" = "$(lab_snapshot_files)"
lab_assert "[sync] ... nor under the runtime directory (token cache read, not written)" \
    test "$rt0" = "$(lab_snapshot_files /run/amazon-ec2-net-utils)"

lab_imds_mark
for i in ens5 ens6 ens7; do lab_product setup-policy-routes "$i" refresh >/dev/null 2>&1; done
refresh_requests=$(lab_imds_count)
lab_assert "[sync] IMDS: status made no more requests than one refresh of the same ENIs ($status_requests vs $refresh_requests), no token request ($status_puts)" \
    test "$status_requests" -le "$refresh_requests" -a "$status_puts" = 0

# 2. Text.
nc_run text status
lab_assert "[text] exit 0; three rows in sync, 0 problems" \
    test "$NC_RC" = 0 -a "$(grep -c ' in sync$' "$NC_OUT")" = 3 -a "$(grep -c '0 problems\.' "$NC_OUT")" = 1 ||
    sed 's/^/    | /' "$NC_OUT"
lab_assert "[text] no colour when not on a terminal" test -z "$(grep -l $'\033' "$NC_OUT")"
nc_run text6 status ens6
ens6_details() {
    grep -q '^           Rules: 10001: from 10.3.2.2[01] lookup 10001 proto static$' "$NC_OUT" &&
        grep -q '^     Table 10001: default via 10.3.2.1 dev ens6 proto dhcp metric 513$' "$NC_OUT"
}
lab_assert "[text] details of ens6: its rules and table" ens6_details || sed 's/^/    | /' "$NC_OUT"
lab_assert "[text] details of ens6 only" test "$(grep -c '^● ' "$NC_OUT")" = 1
nc_json by-eni-id status eni-03000000000000036
lab_assert "[names] an ENI named by its ENI id (an altname): ens6" \
    test "$NC_RC" = 0 -a "$(jq -r '[.interfaces[].name] | join(" ")' "$NC_JSON")" = ens6

# 3. --offline.
lab_imds_list_add "$(lab_mac_key "$mac7" local-ipv4s)" 10.3.3.39
lab_imds_mark
nc_json offline status --offline
lab_assert "[offline] no IMDS request at all" test "$(lab_imds_count)" = 0
lab_assert "[offline] exit 0: what was saved is what is configured" test "$NC_RC" = 0 || nc_show
lab_assert "[offline] ens7: the saved view, with its age" \
    test "$(nc_field ens7 '.imds.source + " " + (.imds.age_sec >= 0 | tostring) + " " + (.imds.ipv4s | join(" "))')" = \
    "saved true 10.3.3.30 10.3.3.31"
nc_json online status ens7
lab_assert "[online] the address assigned in IMDS is seen: exit 1, rule and address missing on ens7" \
    test "$NC_RC" = 1 -a "$(nc_ids ens7 | sort -u | tr '\n' ' ')" = "address-missing file-outdated rule-missing " ||
    nc_show
lab_imds_list_remove "$(lab_mac_key "$mac7" local-ipv4s)" 10.3.3.39

# 4. Excluded by a drop-in of the configuration.
mkdir -p "$LAB_CONFIG.d"
printf '[Interfaces]\nExcludeInterfaces=ens7\n' >"$LAB_CONFIG.d/50-exclude.conf"
nc_json excluded status
lab_assert "[excluded] ens7 unmanaged: excluded-by-config (ExcludeInterfaces=)" \
    test "$(nc_field ens7 '[.managed, .unmanaged_reason, .unmanaged_detail] | map(tostring) | join(" ")')" = \
    "false excluded-by-config ExcludeInterfaces="
lab_assert "[excluded] its generated files are found: unmanaged-has-files, exit 1" \
    test "$NC_RC" = 1 -a "$(nc_ids ens7)" = unmanaged-has-files || nc_show
lab_assert "[excluded] both configuration files listed" \
    test "$(jq -r '.host.config_files | join(" ")' "$NC_JSON")" = "$LAB_CONFIG $LAB_CONFIG.d/50-exclude.conf"
rm -r "$LAB_CONFIG.d"

# 5. A failed refresh is recorded and shown.
lab_faults '{"rules": [{"match": "*/meta-data/*", "action": "status", "status": 503}]}'
e2e_run refresh-fail setup-policy-routes ens6 refresh
lab_faults '{}'
lab_assert "[failed run] the refresh under 503s exits 1" test "$E2E_RC" = 1
nc_json failed-run status --offline
lab_assert "[failed run] last_run: refresh failed, exit status 1, the last success kept" \
    test "$(nc_field ens6 '[.last_run.action, .last_run.result, .last_run.exit_status, (.last_run.last_success_time != null)] | map(tostring) | join(" ")')" = \
    "refresh failed 1 true"
lab_assert "[failed run] finding last-run-failed (warning), exit 1" \
    test "$NC_RC" = 1 -a "$(nc_ids ens6)" = last-run-failed -a "$(nc_finding ens6 last-run-failed severity)" = warning ||
    nc_show
e2e_run refresh-ok setup-policy-routes ens6 refresh
nc_json recovered status --offline
lab_assert "[failed run] after a refresh that succeeds: exit 0" test "$NC_RC" = 0 || nc_show

# 6. IMDS failing while status asks.
lab_faults "{\"rules\": [{\"match\": \"*/$mac6/local-ipv4s\", \"action\": \"body\", \"body\": \"10.3.2.20\\nnot-an-address\"}]}"
nc_json invalid status
lab_assert "[imds] invalid data: exit 4, imds-error on ens6 only" \
    test "$NC_RC" = 4 -a "$(nc_ids ens6)" = imds-error -a -z "$(nc_ids ens5)$(nc_ids ens7)" || nc_show
lab_faults '{"rules": [{"match": "*/meta-data/*", "action": "status", "status": 503}]}'
nc_json busy status
lab_faults '{}'
lab_assert "[imds] 503 on every request: exit 1, imds-error on every ENI, the host's IMDS error" \
    test "$NC_RC" = 1 -a "$(jq '[.interfaces[].findings[] | select(.id == "imds-error")] | length' "$NC_JSON")" = 3 \
    -a "$(jq -r '.host.imds.error != null' "$NC_JSON")" = true || nc_show
lab_assert "[imds] busy: ens6's files are still shown, without expectations" \
    test "$(nc_field ens6 '[.files[].expected] | unique | map(tostring) | join(",")')" = null

# 7. Usage.
nc_run nosuch status ens99
no_such() { test "$NC_RC" = 1 && grep -q 'ens99 does not exist' "$LAB_DIR/nosuch.err"; }
lab_assert "[usage] an interface that does not exist: exit 1, said on stderr" no_such
nc_run badname status '../x'
lab_assert "[usage] an invalid interface name: exit 2" test "$NC_RC" = 2
nc_run badopt status --json=xml
lab_assert "[usage] an invalid option value: exit 2" test "$NC_RC" = 2
nc_run nocmd
lab_assert "[usage] no command: exit 2" test "$NC_RC" = 2

lab_summary

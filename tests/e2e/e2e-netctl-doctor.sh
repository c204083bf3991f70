#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# ec2-netctl doctor finds what breaks the agent, each conflict created for real in the lab
# (three-enis: ens5 primary, ens6 and ens7 secondary ENIs):
#   - a clean instance: exit 0, every check ok but units (no systemd in the lab: skipped);
#     every JSON field documented; nothing written;
#   - a 10-foo.network matching ens6's MAC: found before networkd reloads ("at its next
#     reload") and after ("applies it now"), with the file named;
#   - another agent's policy routing: a rule at ens7's priority, a VPC-CNI-like rule at 1536
#     and a route of table 2 through ens7: priority collision, foreign routing on ens7 (with
#     the setting that hands it over), networkd dropping those rules and routes; with ens7
#     excluded by configuration, the collision goes and the routing is only reported;
#   - files of other managers staged under EC2NET_ROOT: Debian's 75-cloud-ifupdown.rules,
#     cloud-init's hotplug hook, nm-cloud-setup enabled, networkd.conf.d with
#     ManageForeignRoutingPolicyRules=no (then said as info, and no drop warning);
#   - a left-over rule at the priority of a table no ENI has;
#   - IMDS disabled (403), refusing the token (IMDSv1 only), and not answering the token
#     request (hop limit): each its finding, within the probe's bound;
#   - usage: interface names or --offline are refused (exit 2).
source "$(dirname "$0")/common.sh" "$@"
source "$E2E_DIR/netctl-lib.sh"

e2e_lab_up "$(e2e_scenario three-enis)"
e2e_configure_all 20 ens5 ens6 ens7
prefix=${EC2NET_FILE_PREFIX:-70}
netdir=$(lab_inst_path /run/systemd/network)
checks() { jq -r '[.checks[] | .id + "=" + .result] | join(" ")' "$NC_JSON"; }
ids() { jq -r '[.findings[] | (.interface // "host") + ":" + .id] | sort | join(" ")' "$NC_JSON"; }

# 1. Clean.
f0=$(lab_snapshot_files) rt0=$(lab_snapshot_files /run/amazon-ec2-net-utils)
nc_json clean doctor
lab_assert "[clean] doctor exits 0 without a finding" test "$NC_RC" = 0 -a "$(ids)" = "" || nc_show
lab_assert "[clean] every check ok, units skipped (no systemd in the lab)" \
    test "$(checks)" = "network-files=ok other-managers=ok networkd-settings=ok collisions=ok imds=ok units=skipped"
undocumented=$(comm -13 <(nc_documented doctor) <(nc_paths "$NC_JSON"))
lab_assert "[clean] every field of the output is documented in ec2-netctl(8)" test -z "$undocumented" ||
    echo "$undocumented" | sed 's/^/    undocumented: /'
lab_assert "[clean] doctor wrote nothing" \
    test "$f0" = "$(lab_snapshot_files)" -a "$rt0" = "$(lab_snapshot_files /run/amazon-ec2-net-utils)"
nc_run clean-text doctor
lab_assert "[clean] text: the six checks, 0 problems" \
    test "$(grep -c -E '^(network-files|other-managers|networkd-settings|collisions|imds|units) ' "$NC_OUT")" = 6 \
    -a "$(grep -c '0 problems\.' "$NC_OUT")" = 1 || sed 's/^/    | /' "$NC_OUT"

# 2. A lower-numbered .network file for ens6.
foreign=10-foo.network
[[ $foreign < $prefix-ens6.network ]] || foreign=00-foo.network
printf '[Match]\nMACAddress=%s\n\n[Network]\nDHCP=ipv4\n' "$(lab_mac ens6)" >"$netdir/$foreign"
nc_json shadow-before doctor
lab_assert "[shadowing] before networkd reloads: found for ens6 only, naming the file, exit 1" \
    test "$NC_RC" = 1 -a "$(ids)" = "ens6:network-file-shadowing" \
    -a "$(jq -r '.findings[0].found' "$NC_JSON")" = "/run/systemd/network/$foreign" || nc_show
lab_assert "[shadowing] ... which networkd will apply at its next reload" \
    grep -q 'will apply it at its next reload' "$NC_JSON"
lab_networkctl reload
applies() { lab_product ec2-netctl status ens6 --json=short 2>/dev/null |
    jq -e --arg f "/run/systemd/network/$foreign" '.interfaces[0].networkd.network_file == $f' >/dev/null; }
lab_wait_for 15 applies
nc_json shadow-after doctor
shadowing_applied() { test "$(ids)" = "ens6:network-file-shadowing" && grep -q 'networkd applies it now' "$NC_JSON"; }
lab_assert "[shadowing] after the reload: networkd applies it now" shadowing_applied || nc_show
rm "$netdir/$foreign"
lab_networkctl reload
e2e_converge 20 ens6

# 3. Another agent's policy routing on ens7; a left-over rule.
lab_inst ip rule add from 10.9.9.9 priority 10002 table 200
lab_inst ip rule add from 10.3.3.77 priority 1536 table 2
lab_inst ip route add 10.3.3.0/24 dev ens7 table 2 proto boot
lab_inst ip rule add from 10.3.9.9 priority 10005 table 10005
nc_json cni doctor
lab_assert "[cni] collision at 10002, foreign routing on ens7, networkd dropping rules and routes, a stale rule" \
    test "$(ids)" = "ens7:foreign-routing-on-eni ens7:priority-collision host:networkd-drops-foreign-routes host:networkd-drops-foreign-rules host:stale-rules" ||
    nc_show
lab_assert "[cni] named as the VPC CNI, table 2, with the setting that hands ens7 over" \
    test "$(jq -r '.findings[] | select(.id == "foreign-routing-on-eni") | [(.summary | test("VPC CNI")), .found, (.remedy | test("ExcludeInterfaces=ens7"))] | map(tostring) | join(",")' "$NC_JSON")" = \
    "true,table 2,true"
lab_assert "[cni] the checks that found them" \
    test "$(checks)" = "network-files=ok other-managers=found networkd-settings=found collisions=found imds=ok units=skipped"
mkdir -p "$LAB_CONFIG.d"
printf '[Interfaces]\nExcludeInterfaces=ens7\n' >"$LAB_CONFIG.d/50-cni.conf"
nc_json cni-excluded doctor
lab_assert "[cni] ens7 excluded: no collision for it, its routing only reported (info)" \
    test "$(jq -r '[.findings[] | select(.interface == "ens7") | .id + "/" + .severity] | join(" ")' "$NC_JSON")" = \
    "foreign-routing-on-eni/info" || nc_show
rm -r "$LAB_CONFIG.d"

# 4. Other managers' files and networkd.conf, staged under EC2NET_ROOT.
root="$LAB_DIR/root"
mkdir -p "$root/etc/udev/rules.d" "$root/usr/lib/udev/rules.d" "$root/etc/systemd/system/timers.target.wants" \
    "$root/etc/systemd/networkd.conf.d"
echo 'SUBSYSTEM=="net", ACTION=="add", RUN+="/sbin/ifup"' >"$root/etc/udev/rules.d/75-cloud-ifupdown.rules"
echo 'SUBSYSTEM=="net", RUN+="/usr/lib/cloud-init/hook-hotplug"' \
    >"$root/usr/lib/udev/rules.d/10-cloud-init-hook-hotplug.rules"
ln -s /usr/lib/systemd/system/nm-cloud-setup.timer "$root/etc/systemd/system/timers.target.wants/"
printf '[Network]\nManageForeignRoutingPolicyRules=no\n' >"$root/etc/systemd/networkd.conf.d/50-cni.conf"
LAB_PRODUCT_ENV="EC2NET_ROOT=$root" nc_json rooted doctor
lab_assert "[root] ifupdown's rule, cloud-init's hook, nm-cloud-setup; networkd keeps others' rules (info)" \
    test "$(ids)" = "ens7:foreign-routing-on-eni ens7:priority-collision host:cloud-init-hotplug host:ifupdown-hotplug host:networkd-drops-foreign-routes host:networkd-keeps-foreign-rules host:nm-cloud-setup host:stale-rules" ||
    nc_show
lab_assert "[root] the setting is named with its file" \
    test "$(jq -r '.findings[] | select(.id == "networkd-keeps-foreign-rules") | .found' "$NC_JSON")" = \
    "ManageForeignRoutingPolicyRules=no ($root/etc/systemd/networkd.conf.d/50-cni.conf)"
lab_inst ip rule del priority 10002 table 200
lab_inst ip rule del priority 1536 table 2
lab_inst ip route del 10.3.3.0/24 dev ens7 table 2
lab_inst ip rule del priority 10005 table 10005

# 5. IMDS.
imds_case() { # imds_case TAG FAULTS ID
    local t0
    lab_faults "$2"
    t0=$(lab_now)
    nc_json "imds-$1" doctor
    lab_faults '{}'
    lab_assert "[imds] $1: $3, exit 1, within the probe's bound ($(lab_elapsed "$t0")s)" \
        test "$NC_RC" = 1 -a "$(ids)" = "host:$3" -a "$(lab_elapsed "$t0" | cut -d. -f1)" -le 12 || nc_show
}
imds_case disabled '{"imds_disabled": true}' imds-disabled
imds_case v1-only '{"rules": [{"match": "/latest/api/token", "method": "PUT", "action": "status", "status": 405}]}' \
    imds-v1-only
imds_case hop-limit '{"rules": [{"match": "/latest/api/token", "method": "PUT", "action": "hang"}]}' imds-timeout

# 6. Usage.
nc_run usage-iface doctor ens6
lab_assert "[usage] doctor with an interface name exits 2" test "$NC_RC" = 2
nc_run usage-offline doctor --offline
lab_assert "[usage] doctor --offline exits 2" test "$NC_RC" = 2
nc_run usage-plan-offline plan --offline
lab_assert "[usage] plan --offline exits 2" test "$NC_RC" = 2

lab_summary

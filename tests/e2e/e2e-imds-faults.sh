#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Refresh during IMDS faults changes nothing. Scenario: secondary IPs and prefixes (ens6 has
# three IPv4s, an IPv4 and an IPv6 prefix, IPv6). After setup, IMDS is edited so that a
# successful refresh of ens6 WOULD change something (10.4.2.22 unassigned, a new IPv6
# prefix); then `setup-policy-routes ens6 refresh` runs under each fault of the fake IMDS:
# 500 and 503 persistent, 429, 400, hang, connection closed, 401 even for fresh tokens,
# 403 (IMDS disabled, and on GETs only), empty bodies (everywhere, and for local-ipv4s),
# hostile bodies ("10.0.0.5\n[Network]\nDNS=6.6.6.6" everywhere, in local-ipv4s, in ipv6s),
# an oversized body, a 500 on one list key only, and a failing token request.
#   - files byte-identical with the same mtimes, saved state identical, kernel state
#     (links, addresses, rules, routes of every table) identical, no networkd reload;
#   - exit status 1 (error; the timer tries again), 3 when IMDS hangs (a deadline passed),
#     4 for invalid data, 0 for 403; within the refresh budget;
#   - no hostile value anywhere in the generated files;
#   - control: a transient 503 (twice) then a normal answer: the refresh retries and
#     applies the pending change (so "nothing changed" above is the faults' doing).
source "$(dirname "$0")/common.sh" "$@"

# shellcheck disable=SC2034  # read by lab.sh: to count networkd's Reload calls
LAB_NETWORKD_LOG_LEVEL=debug
e2e_lab_up "$(e2e_scenario prefixes)"
e2e_configure_all 20 ens5 ens6
mac6=$(lab_mac ens6)
# One refresh with nothing changed, so that the token cache and state are as the timer
# leaves them.
e2e_run warmup setup-policy-routes ens6 refresh
cp "$LAB_IMDS_FILE" "$LAB_DIR/imds.orig.json"

state_of() { cat "$(lab_inst_path /run/amazon-ec2-net-utils/interfaces/ens6.json)"; }
# baseline: the original IMDS data applied, then the pending change a successful refresh
# of ens6 would apply (10.4.2.22 unassigned, a new IPv6 prefix); snapshots of files, saved
# state and kernel. Run again after a case that changed something, so that one product
# bug does not fail every later case.
baseline() {
    lab_faults '{}'
    if [ "${1:-}" = restore ]; then
        cp "$LAB_DIR/imds.orig.json" "$LAB_IMDS_FILE"
        lab_srccheck_sync
        lab_product setup-policy-routes ens6 refresh >/dev/null 2>&1
        lab_wait_for 20 lab_inst "$LAB_PYTHON" "$LAB_LIB_DIR/labtool.py" check "$LAB_IMDS_FILE" ens5 ens6 ||
            lab_log "baseline: ens6 did not converge again"
        lab_log "baseline restored"
    fi
    lab_imds_list_remove "$(lab_mac_key "$mac6" local-ipv4s)" 10.4.2.22
    lab_imds_list_add "$(lab_mac_key "$mac6" ipv6-prefix)" 2001:db8:4:2:c000::/80
    kernel0=$(e2e_settle)
    files0=$(lab_snapshot_files)
    state0=$(state_of)
}
baseline

HOSTILE='10.0.0.5\n[Network]\nDNS=6.6.6.6'
HOSTILE6='2001:db8:4:2::99\n[Network]\nDNS=6.6.6.6'
# NAME|EXPECTED EXIT|faults JSON
cases=(
    "500 persistent|1|{\"rules\": [{\"match\": \"/latest/*\", \"action\": \"status\", \"status\": 500}]}"
    "503 persistent|1|{\"rules\": [{\"match\": \"/latest/*\", \"action\": \"status\", \"status\": 503}]}"
    "429 persistent|1|{\"rules\": [{\"match\": \"/latest/*\", \"action\": \"status\", \"status\": 429}]}"
    "400 bad request|4|{\"rules\": [{\"match\": \"/latest/meta-data/*\", \"action\": \"status\", \"status\": 400}]}"
    "hang|3|{\"rules\": [{\"match\": \"/latest/*\", \"action\": \"hang\"}]}"
    "connection closed|1|{\"rules\": [{\"match\": \"/latest/*\", \"action\": \"close\"}]}"
    "401 even for a fresh token|1|{\"rules\": [{\"match\": \"/latest/meta-data/*\", \"method\": \"GET\", \"action\": \"status\", \"status\": 401}]}"
    "403 IMDS disabled|0|{\"imds_disabled\": true}"
    "403 on GETs|0|{\"rules\": [{\"match\": \"/latest/meta-data/*\", \"method\": \"GET\", \"action\": \"status\", \"status\": 403}]}"
    "empty bodies|4|{\"rules\": [{\"match\": \"/latest/meta-data/*\", \"method\": \"GET\", \"action\": \"empty\"}]}"
    "empty local-ipv4s|4|{\"rules\": [{\"match\": \"*/local-ipv4s\", \"action\": \"empty\"}]}"
    "hostile bodies|4|{\"rules\": [{\"match\": \"/latest/meta-data/*\", \"method\": \"GET\", \"action\": \"body\", \"body\": \"$HOSTILE\"}]}"
    "hostile local-ipv4s|4|{\"rules\": [{\"match\": \"*/local-ipv4s\", \"action\": \"body\", \"body\": \"$HOSTILE\"}]}"
    "hostile ipv6s|4|{\"rules\": [{\"match\": \"*/ipv6s\", \"action\": \"body\", \"body\": \"$HOSTILE6\"}]}"
    "oversized body|4|{\"rules\": [{\"match\": \"*/local-ipv4s\", \"action\": \"big\", \"size\": 1048576}]}"
    "500 on ipv4-prefix only|1|{\"rules\": [{\"match\": \"*/ipv4-prefix\", \"action\": \"status\", \"status\": 500}]}"
    "hang on ipv6-prefix only|3|{\"rules\": [{\"match\": \"*/ipv6-prefix\", \"action\": \"hang\"}]}"
    "token request 500, no cached token|1|{\"rules\": [{\"match\": \"/latest/api/token\", \"action\": \"status\", \"status\": 500}]}"
)

summary=()
n=0
for c in "${cases[@]}"; do
    IFS='|' read -r name want faults <<<"$c"
    n=$((n + 1))
    [[ $name == *"no cached token"* ]] && rm -f "$(lab_inst_path /run/amazon-ec2-net-utils/imds-token)"
    lab_faults "$faults"
    r0=$(lab_networkd_reloads)
    lab_imds_mark
    e2e_run "fault-$n" setup-policy-routes ens6 refresh
    rc=$E2E_RC secs=$E2E_SECONDS
    lab_faults '{}'
    summary+=("$(printf '%-36s exit %s  %5ss  %3s IMDS requests' "$name" "$rc" "$secs" "$(lab_imds_count)")")
    lab_assert "[$name] exit $want (got $rc, ${secs}s)" test "$rc" = "$want"
    lab_assert "[$name] finished within the refresh budget (${secs}s < 20s)" \
        awk -v s="$secs" 'BEGIN { exit !(s < 20) }'
    changed=0
    lab_assert "[$name] files byte-identical, same mtimes" test "$files0" = "$(lab_snapshot_files)" || changed=1
    lab_assert "[$name] saved state unchanged" test "$state0" = "$(state_of)" || changed=1
    lab_assert "[$name] networkd not reloaded" test "$(lab_networkd_reloads)" = "$r0" || changed=1
    k=$(lab_snapshot_kernel)
    lab_assert "[$name] kernel state unchanged" test "$kernel0" = "$k" ||
        { changed=1; diff <(echo "$kernel0") <(echo "$k") | grep '^[<>]' | head -n 12; }
    lab_assert "[$name] no hostile value in any generated file" \
        test -z "$(grep -rlE '6\.6\.6\.6|^DNS=|10\.0\.0\.5|2001:db8:4:2::99' "$(lab_inst_path /run/systemd/network)")"
    case $name in 403*)
        lab_assert "[$name] logged as IMDS disabled" grep -qi 'disabled' <<<"$E2E_OUT" ;;
    esac
    [ $changed = 0 ] || baseline restore
done
# Still in place and working (10.4.2.22 is unassigned in IMDS now, so the VPC drops it).
lab_assert_egress 10.4.2.21 ens6
lab_assert_egress 2001:db8:4:2::20 ens6

# Control: transient errors are retried and the pending change is applied.
lab_faults '{"rules": [{"match": "/latest/meta-data/*", "method": "GET", "times": 2, "action": "status", "status": 503}]}'
e2e_run control setup-policy-routes ens6 refresh
lab_faults '{}'
lab_assert "[transient 503 x2] refresh exits 0 and applies the change" \
    test "$E2E_RC" = 0 -a -n "$(grep 'updated' <<<"$E2E_OUT")"
e2e_converge 20 ens5 ens6
lab_assert "[transient 503 x2] no rule from 10.4.2.22 any more" \
    test -z "$(e2e_rules -4 | grep 'from 10.4.2.22 ')"
lab_assert "[transient 503 x2] IPv6 rule: from 2001:db8:4:2:c000::/80 lookup 10001" \
    grep -q '^10001:.*from 2001:db8:4:2:c000::/80 lookup 10001' <<<"$(e2e_rules -6)"

echo "Refresh of ens6 under each fault:"
printf '    %s\n' "${summary[@]}"
lab_summary

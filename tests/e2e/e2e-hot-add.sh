#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Hot-add after boot with IMDS propagation delay. ens5 and ens6 are set up at boot; then
# `setup-policy-routes ens7 start` runs before ens7 exists (as a unit can), the ENI is
# attached a second later, and for 3 s IMDS still shows its device-number as "0" (the
# fake IMDS's propagation fault).
#   - start waits (bounded) for the link, its DHCP addresses and the real device number,
#     and ends with device 2: table 10002, rules priority 10002, altname device-number-2
#     (trusting "0" would put a non-primary ENI on the primary's table 10000);
#   - the other ENIs' files are not touched, and their state stays correct;
#   - traffic from ens7's addresses (IPv4, secondary IPv4, IPv6) leaves through ens7;
#   - detached, removed and attached again, `start` running as soon as networkd has the
#     link up (before its DHCP lease, as udev's add event does): correct again, and its IMDS
#     requests sent nothing through ens7 that the VPC drops (a request bound to an
#     interface without an IPv4 address leaves with another ENI's source address).
source "$(dirname "$0")/common.sh" "$@"

lab_init
# The three-ENI scenario with ens7 attached later.
"$LAB_PYTHON" - "$(e2e_scenario three-enis)" "$LAB_DIR/scenario.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["lab"]["interfaces"]["0e:00:00:00:03:07"]["attach"] = "later"
json.dump(d, open(sys.argv[2], "w"), indent=1)
PY
lab_load "$LAB_DIR/scenario.json"
prog=$(lab_product_path setup-policy-routes) || exit 1
lab_up
lab_wait_configured --timeout 20 ens5 ens6 || lab_not_ok "networkd did not configure the ENIs"
e2e_start_all ens5 ens6
e2e_converge 15 ens5 ens6
lab_assert "ens7 does not exist yet" test -z "$(lab_inst ip -o link show dev ens7 2>/dev/null)"
files0=$(lab_snapshot_files)

mac7=$(lab_mac ens7)
lab_faults "{\"propagation\": {\"$mac7\": 3}}"
lab_imds_mark
t0=$(lab_now)
lab_inst_bg env EC2NET_CONFIG="$LAB_CONFIG" "$prog" ens7 start >"$LAB_DIR/start-ens7.log" 2>&1
pid=$!
LAB_PIDS+=("$pid")
sleep 1
lab_eni_attach "$mac7"
lab_log "ens7 attached"
wait "$pid"
rc=$?
secs=$(lab_elapsed "$t0")
sed 's/^/    | /' "$LAB_DIR/start-ens7.log"
lab_assert "start ens7 (before the link existed) exits 0 after waiting (${secs}s, 3.5..30s)" \
    awk -v rc=$rc -v s="$secs" 'BEGIN { exit !(rc == 0 && s >= 3.5 && s < 30) }'
n=$(lab_imds_count --method GET --path "*/$mac7/device-number")
lab_assert "device-number was polled while it read 0 ($n GETs)" test "$n" -ge 3
lab_assert "ens7 configured as table 10002" grep -q 'table 10002' "$LAB_DIR/start-ens7.log"
e2e_converge 20 ens5 ens6 ens7

rules4=$(e2e_rules -4)
lab_assert "rule: 10002: from 10.3.3.30 lookup 10002" grep -q '^10002:.*from 10.3.3.30 lookup 10002' <<<"$rules4"
lab_assert "rule: 10002: from 10.3.3.31 lookup 10002" grep -q '^10002:.*from 10.3.3.31 lookup 10002' <<<"$rules4"
lab_assert "IPv6 rule: 10002: from 2001:db8:3:3::30 lookup 10002" \
    grep -q '^10002:.*from 2001:db8:3:3::30 lookup 10002' <<<"$(e2e_rules -6)"
lab_assert "no rule to the primary's table 10000" test -z "$(grep 'lookup 10000' <<<"$rules4")"
lab_assert "altname device-number-2 on ens7" \
    sh -c "ip -n $LAB_INST link show ens7 | grep -q 'altname device-number-2$'"
lab_assert "ens5 and ens6 files untouched by the hot-add" \
    test "$files0" = "$(lab_snapshot_files | grep -v -e '-ens7\.network')"

lab_assert_egress 10.3.3.30 ens7
lab_assert_egress 10.3.3.31 ens7
lab_assert_egress 2001:db8:3:3::30 ens7
lab_assert_egress 10.3.2.21 ens6
lab_assert_egress 10.3.1.10 ens5

# The udev ordering: the ENI is detached (and removed), then attached again; networkd
# brings the link up and starts DHCP, and `start` runs right then, before the lease.
lab_eni_detach "$mac7"
e2e_run remove-ens7 setup-policy-routes ens7 remove
lab_assert "remove ens7 exits 0" test "$E2E_RC" = 0
lab_eni_attach "$mac7"
link_up() { lab_inst ip link show dev "$1" 2>/dev/null | grep -q 'LOWER_UP'; }
lab_wait_for 10 link_up ens7
if [ -z "$(lab_inst ip -4 addr show dev ens7 | grep 'inet 10.3.3.30/')" ]; then
    lab_log "ens7 is up, without its IPv4 lease yet"
else
    lab_log "ens7 is up, and its lease came first this time (the start below is then easy)"
fi
d0=$(lab_counter p-ens7 drop)
e2e_run start-ens7-again setup-policy-routes ens7 start
lab_assert "start ens7 right after the link came up exits 0 (${E2E_SECONDS}s)" test "$E2E_RC" = 0
lab_assert "that start sent nothing through ens7 that the VPC drops ($(($(lab_counter p-ens7 drop) - d0)) dropped)" \
    test "$(lab_counter p-ens7 drop)" = "$d0"
e2e_converge 20 ens5 ens6 ens7
lab_assert_egress 10.3.3.31 ens7
e2e_no_drops

lab_summary

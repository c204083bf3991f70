#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Upgrade from 2.x (SPEC §10): three ENIs run on the files 2.x's setup-policy-routes wrote
# (lib/lib.sh of 2.3.0: PREFIX-IFACE.network a link to 80-ec2.network, eni.conf naming its
# unit, policy and alias files without a header), ens5 under this build's prefix (the rpm:
# 70 both), ens6 and ens7 under the other one (Debian: 07 against 2.x's 70). The product,
# now installed, runs as the refresh timers run it after the upgrade, one ENI at a time.
# An ENI detached before its refresh loses 2.x's files with the udev remove.
#
# On this networkd (252) DeferTakeOver=auto leaves each ENI on 2.x's files
# (deferred-takeover.h): its refreshes write nothing and reload nothing, ec2-netctl says so,
# and a probe from every address every 20 ms loses nothing. Then an address is assigned to
# ens6 in EC2: its refresh moves it, and ens5 with it, in one networkd reload; afterwards no
# 2.x file is left, networkd applies the product's files, the kernel state is the oracle's,
# every source address leaves through its own ENI, a second refresh changes nothing.
#
# ADOPT_NOW=1 (e2e-adopt-2x-now.sh): DeferTakeOver=no, each refresh moves its ENI at once.
# The losses of a move (networkd 252 restarts DHCP on the link, issue 14) are printed, not
# asserted.
source "$(dirname "$0")/common.sh" "$@"
# shellcheck source=../lab/legacy-2x.sh
source "$E2E_DIR/../lab/legacy-2x.sh"

ADOPT_NOW=${ADOPT_NOW:-0}
P=${EC2NET_FILE_PREFIX:-70}
O=70
[ "$P" != 70 ] || O=07
NET=/run/systemd/network

e2e_lab_up "$(e2e_scenario three-enis)"
if [ "$ADOPT_NOW" = 1 ]; then
    mkdir -p "$LAB_CONFIG.d"
    printf '[Interfaces]\nDeferTakeOver=no\n' >"$LAB_CONFIG.d/now.conf"
fi
lab_wait_configured --timeout 20 ens5 ens6 ens7 || lab_not_ok "networkd did not configure the ENIs"

lab_write_2x ens5 "$P"
lab_write_2x ens6 "$O"
lab_write_2x ens7 "$O"
lab_networkctl reload
running_2x() {
    lab_inst ip -4 rule show | grep -q 'from 10.3.2.21 lookup 10001' &&
        lab_inst ip -4 addr show dev ens7 | grep -q 'inet 10.3.3.31/32' &&
        [ "$(lab_network_file ens6)" = "$NET/$O-ens6.network" ]
}
lab_assert "the ENIs run on 2.x's files" lab_wait_for 20 running_2x
lab_wait_configured --timeout 20 ens5 ens6 ens7 || lab_not_ok "networkd did not configure the ENIs on 2.x's files"

# The probe, from every address of the ENIs that stay: probe_start NAME, probe_stop prints
# what it lost and sets PROBE_LOST and PROBE_DROPPED (by the VPC source check).
probe_start() {
    local i mac a pairs=()
    for i in ens5 ens6; do
        mac=$(lab_mac "$i")
        for a in $(lab_imds_get "$(lab_mac_key "$mac" local-ipv4s)"); do pairs+=("$a=$LAB_REMOTE4"); done
    done
    PROBE_OUT=$LAB_DIR/probe-$1.json
    lab_inst_bg "$LAB_PYTHON" "$LAB_LIB_DIR/srcprobe.py" --out "$PROBE_OUT" "${pairs[@]}"
    PROBE_PID=$!
    LAB_PIDS+=("$PROBE_PID")
    lab_wait_for 5 test -e "$PROBE_OUT.ready" || lab_not_ok "the probe did not start"
    PROBE_DROPS0=$(lab_drops)
    sleep 1
}
probe_stop() {
    sleep 2
    kill -TERM "$PROBE_PID" 2>/dev/null
    PROBE_LOST=-1
    lab_wait_for 5 test -e "$PROBE_OUT" || { lab_not_ok "the probe wrote no report"; return; }
    lab_log "probe (one request every 20 ms from each address):"
    "$LAB_PYTHON" -c '
import json, sys
for s in json.load(open(sys.argv[1])):
    print("    %-12s sent %4d, lost %3d, longest outage %4d ms" % (s["src"], s["sent"], s["lost"], s["max_outage_ms"]))
' "$PROBE_OUT"
    PROBE_LOST=$("$LAB_PYTHON" -c 'import json,sys; print(sum(s["lost"] for s in json.load(open(sys.argv[1]))))' "$PROBE_OUT")
    PROBE_DROPPED=$(( $(lab_drops) - PROBE_DROPS0 ))
    lab_log "lost $PROBE_LOST, dropped by the VPC source check $PROBE_DROPPED"
}

probe_start refresh

# An ENI detached before its first refresh: the udev remove takes 2.x's files too.
ens7_mac=$(lab_mac ens7)
lab_eni_detach "$ens7_mac"
# (It exits 1 here: the lab's bus has no systemd to stop the units with.)
e2e_run remove-ens7 ec2-net-hotplug remove ens7 "$ens7_mac"
lab_assert "ec2-net-hotplug remove ens7 removed its configuration" \
    grep -q "Removed the configuration of ens7" <<<"$E2E_OUT"
lab_assert "no file of 2.x left for the detached ens7" test -z "$(lab_2x_left ens7)"

# Each ENI and its refresh, then the move (where deferred: an address assigned to ens6 in
# EC2, whose refresh moves ens5 too).
moved_by() {    # moved_by LOG IFACE...: the run took them over, in one reload
    local i
    lab_assert "$1: ... with one networkd reload" test "$(grep -c 'Reloaded systemd-networkd' <<<"$E2E_OUT")" = 1
    shift
    for i in "$@"; do
        lab_assert "$i: no file of 2.x left once the refresh returned" test -z "$(lab_2x_left "$i")"
    done
}
if [ "$ADOPT_NOW" = 1 ]; then
    for i in ens5 ens6; do
        e2e_run "refresh-$i" setup-policy-routes "$i" refresh
        lab_assert "setup-policy-routes $i refresh exits 0" test "$E2E_RC" = 0
        lab_assert "$i: the refresh took over from 2.x (files updated, networkd reloaded)" \
            grep -q "Configuration of $i updated" <<<"$E2E_OUT"
        moved_by "$i" "$i"
        sleep 1
    done
    probe_stop
else
    for n in 1 2; do
        for i in ens5 ens6; do
            e2e_run "refresh$n-$i" setup-policy-routes "$i" refresh
            lab_assert "setup-policy-routes $i refresh ($n) exits 0" test "$E2E_RC" = 0
            lab_assert "$i: the refresh ($n) wrote nothing and did not reload networkd" \
                eval '! grep -q "updated\|Reloaded systemd-networkd" <<<"$E2E_OUT"'
            lab_assert "$i: 2.x's files still there after refresh $n" test -n "$(lab_2x_left "$i")"
            if [ "$n" = 1 ]; then
                lab_assert "$i: the first refresh says it stays on 2.x's files" \
                    grep -q "$i stays on amazon-ec2-net-utils 2.x's files" <<<"$E2E_OUT"
            else
                lab_assert "$i: the second one does not say it again" \
                    eval '! grep -q "stays on" <<<"$E2E_OUT"'
            fi
        done
    done
    kept=$(lab_inst_path /var/lib/amazon-ec2-net-utils/boot-config)
    lab_assert "the bootstrap ENI's configuration is kept for the next boot all the same" \
        eval 'grep -qx "$(lab_mac ens5) ens5" "$kept/owner" && grep -q "^# Generated by amazon-ec2-net-utils for ens5" "$kept/network"'
    lab_assert "no file of the product beside 2.x's" \
        test -z "$(ls "$(lab_inst_path "$NET")" | grep -E "^$P-ens[56]\.network\$" | while read -r f; do
            [ -L "$(lab_inst_path "$NET")/$f" ] || echo "$f"; done)"
    for i in ens5 ens6; do
        f=$(lab_network_file "$i")
        lab_assert "networkd still applies 2.x's file to $i ($f)" test -L "$(lab_inst_path "$f")"
        st=$(lab_product ec2-netctl status --json=short "$i" 2>/dev/null)
        lab_assert "ec2-netctl status $i exits 0 (in sync: deferring is no problem)" \
            eval 'lab_product ec2-netctl status "$i" >/dev/null 2>&1'
        lab_assert "ec2-netctl status $i: takeover-deferred, no error" \
            "$LAB_PYTHON" -c 'import json,sys
d = json.loads(sys.argv[1]); i = d["interfaces"][0]
ids = [f["id"] for f in i["findings"]]
sev = [f["severity"] for f in i["findings"]]
sys.exit(0 if "takeover-deferred" in ids and "error" not in sev else 1)' "$st"
        pl=$(lab_product ec2-netctl plan --json=short "$i" 2>/dev/null)
        lab_assert "ec2-netctl plan $i: nothing to change now, and says when it moves" \
            "$LAB_PYTHON" -c 'import json,sys
i = json.loads(sys.argv[1])["interfaces"][0]
sys.exit(0 if "takeover-deferred" in (i.get("reason") or "") and not i.get("files") else 1)' "$pl"
        lab_assert "ec2-netctl plan $i exits 0" eval 'lab_product ec2-netctl plan "$i" >/dev/null 2>&1'

    done
    probe_stop
    lab_assert "nothing lost while the ENIs stayed on 2.x's files ($PROBE_LOST lost, $PROBE_DROPPED dropped)" \
        test "$PROBE_LOST" = 0 -a "$PROBE_DROPPED" = 0

    probe_start move
    lab_imds_list_add "$(lab_mac_key "$(lab_mac ens6)" local-ipv4s)" 10.3.2.22
    e2e_run move-ens6 setup-policy-routes ens6 refresh
    lab_assert "the refresh after the change in EC2 exits 0" test "$E2E_RC" = 0
    lab_assert "ens6: its configuration changed: it moved to the product's files" \
        grep -q "Configuration of ens6 updated" <<<"$E2E_OUT"
    moved_by move-ens6 ens5 ens6
    lab_assert "ens6's refresh says it moved ens5 in its reload" \
        grep -q "Moved ens5 from amazon-ec2-net-utils 2.x's files to this package's" <<<"$E2E_OUT"
    probe_stop
fi
lab_assert "no file of 2.x left at all" test -z "$(lab_2x_left)"
deferred_dir=$(lab_inst_path /run/amazon-ec2-net-utils/takeover-deferred)
if [ "$ADOPT_NOW" = 1 ]; then
    lab_assert "nothing was ever deferred" test ! -e "$deferred_dir"
else
    lab_assert "nothing left deferred" eval 'test -d "$deferred_dir" && test -z "$(ls -A "$deferred_dir")"'
fi
e2e_converge 20 ens5 ens6
for i in ens5 ens6; do
    lab_assert "networkd applies $P-$i.network to $i (got $(lab_network_file "$i"))" \
        test "$(lab_network_file "$i")" = "$NET/$P-$i.network"
    e2e_files "$i" present network eni.conf
done
[ "$ADOPT_NOW" = 1 ] || lab_assert "ens6 has the address assigned in EC2" \
    eval 'lab_inst ip -4 addr show dev ens6 | grep -q "inet 10.3.2.22/"'

# Steady state: each source leaves through its own ENI.
lab_assert_egress 10.3.1.10 ens5
lab_assert_egress 10.3.2.20 ens6
lab_assert_egress 10.3.2.21 ens6

# Adopted: the next tick changes nothing (ens5's sweeps 2.x's routes, below, like ens6's).
e2e_run refresh-again-ens5 setup-policy-routes ens5 refresh
before=$(lab_snapshot_files)
e2e_run refresh-again setup-policy-routes ens6 refresh
lab_assert "a second refresh exits 0" test "$E2E_RC" = 0
lab_assert "a second refresh rewrites no file" test "$before" = "$(lab_snapshot_files)"
# ... and nothing is left of 2.x's configuration in the kernel: no DHCP/RA route with its
# metric (512 + 10 D for device D, here ens6's 522), and nothing remembered about it.
lab_assert "no route with 2.x's metric 522 on ens6" \
    test -z "$(lab_inst ip route show table all dev ens6 | grep -E 'proto (dhcp|ra) .*metric 522')"
lab_assert "2.x's metric no longer remembered for ens6" \
    test ! -e "$(lab_inst_path /run/amazon-ec2-net-utils/legacy-routes/ens6)"

lab_summary

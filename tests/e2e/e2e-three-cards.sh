#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Three network cards, device numbers repeating across cards (gen-scenario.py --cards 3):
# seven ENIs at boot, each in its own subnet, and an eighth (card 1, device 2) hot-added
# while IMDS still shows it half-propagated (device-number "0", no network-card).
#   - tables/priorities 10000 + 100*card + device, metrics 512 + 100*card + device, altnames
#     device-number-D.C, all distinct: no two ENIs share a table, no table routes through
#     another ENI, each rule's priority equals its table;
#   - the hot-added ENI's `start` waits for network-card and device-number and ends on table
#     10102 (not 10002 or 10000, which trusting the half-propagated data would give);
#   - traffic from every ENI's address leaves through that ENI.
source "$(dirname "$0")/common.sh" "$@"

lab_init
lab_load_generated --enis 8 --cards 3 --later 1
lab_product_path setup-policy-routes >/dev/null || exit 1
lab_up

# IFACE CARD DEVICE TABLE METRIC (spelled out, not derived by the oracle's formula)
expect="ens5 0 0 10000 512
ens6 1 0 10100 612
ens7 2 0 10200 712
ens8 0 1 10001 513
ens9 1 1 10101 613
ens10 2 1 10201 713
ens11 0 2 10002 514
ens12 1 2 10102 614"
boot=(ens5 ens6 ens7 ens8 ens9 ens10 ens11)
lab_wait_configured --timeout 30 "${boot[@]}" || lab_not_ok "networkd did not configure the ENIs"

e2e_start_all "${boot[@]}"
e2e_converge 20 "${boot[@]}"

check_numbers() { # check_numbers IFACE...: the expectations above, spelled out
    local ifname card dev table metric rules4 main
    rules4=$(e2e_rules -4)
    main=$(lab_inst ip -4 route show default)
    for want in "$@"; do
        read -r ifname card dev table metric <<<"$(grep "^$want " <<<"$expect")"
        local l t addr
        l=$(lab_inst ip link show "$ifname")
        lab_assert "$ifname: altname device-number-$dev.$card" grep -q "altname device-number-$dev\.$card\$" <<<"$l"
        lab_assert "$ifname: main table default metric $metric" \
            grep -qE "^default via .* dev $ifname .*metric $metric( |\$)" <<<"$main"
        t=$(e2e_table -4 "$table")
        lab_assert "$ifname: table $table has its default route" grep -q "^default via .* dev $ifname " <<<"$t"
        lab_assert "$ifname: table $table routes through $ifname only" test -z "$(grep -v " dev $ifname " <<<"$t")"
        addr=$(lab_imds_get "$(lab_mac_key "$(lab_mac "$ifname")" local-ipv4s)" | sed -n 1p)
        if [ "$table" = 10000 ]; then
            lab_assert "$ifname (primary): no rule" test -z "$(grep -E "from $addr |lookup 10000" <<<"$rules4")"
        else
            lab_assert "$ifname: rule $table: from $addr lookup $table" \
                grep -q "^$table:.*from $addr lookup $table " <<<"$rules4"
        fi
    done
    # No collisions: every rule's priority is its table, one source address per table.
    lab_assert "every policy rule's priority equals its table" \
        test -z "$(grep -E '^1[0-9]{4}:' <<<"$rules4" | awk -F'[: \t]+' '{ if ($1 != $NF && $(NF-2) != $1) print }')"
    lab_assert "no two rules share a table (one address per ENI here)" \
        test -z "$(grep -oE 'lookup 1[0-9]{4}' <<<"$rules4" | sort | uniq -d)"
}
check_numbers "${boot[@]}"
lab_assert "6 secondary ENIs, 6 IPv4 rules" test "$(e2e_rules -4 | grep -cE '^1[0-9]{4}:')" = 6

for i in ens6 ens7 ens8 ens9 ens10 ens11 ens5; do
    lab_assert_egress "$(lab_imds_get "$(lab_mac_key "$(lab_mac $i)" local-ipv4s)" | sed -n 1p)" "$i"
done

# Hot-add with propagation delay: for 4 s from the product's first request after this,
# IMDS shows device-number "0" and no network-card for the new ENI.
mac12=$(lab_mac ens12)
lab_faults "{\"propagation\": {\"$mac12\": 4}}"
lab_eni_attach "$mac12"
lab_imds_mark
e2e_run start-ens12 setup-policy-routes ens12 start
lab_assert "hot-added ens12: start exits 0 after waiting (${E2E_SECONDS}s >= 3.5s)" \
    awk -v rc="$E2E_RC" -v s="$E2E_SECONDS" 'BEGIN { exit !(rc == 0 && s >= 3.5 && s < 30) }'
n=$(lab_imds_count --method GET --path "*/$mac12/network-card")
lab_assert "ens12: network-card was polled while missing ($n GETs, 404 then 200)" \
    test "$n" -ge 3 -a "$(lab_imds_count --method GET --path "*/$mac12/network-card" --status 200)" -ge 1
lab_assert "ens12: configured as table 10102" grep -q 'table 10102' <<<"$E2E_OUT"
e2e_converge 20 ens12
check_numbers "${boot[@]}" ens12
lab_assert_egress 10.101.2.10 ens12
e2e_no_drops

lab_summary

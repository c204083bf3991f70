#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Sixteen ENIs (dual stack, one secondary IPv4 and an IPv4 prefix each, each in its own
# subnet), all `setup-policy-routes IFACE start` at once, as systemd starts the units at boot.
#   - every start exits 0 and every ENI ends up correct (the oracle: addresses, rules,
#     tables, metrics, altnames); traffic from a sample of addresses leaves through its ENI;
#   - networkd is reloaded a few times, not once per ENI: Reload calls counted in networkd's
#     own debug log (every D-Bus method call is logged) and in the product's log;
#   - prints the time from the starts until every ENI is configured.
source "$(dirname "$0")/common.sh" "$@"
N=16
MAX_RELOADS=6   # observed 3-5 on 2 cores

# shellcheck disable=SC2034  # read by lab.sh: logs each D-Bus method call: Reload is counted there
LAB_NETWORKD_LOG_LEVEL=debug
lab_init
lab_load_generated --enis $N --ipv6 --secondary 1 --v4-prefix
prog=$(lab_product_path setup-policy-routes) || exit 1
lab_up
ifs=()
for ((i = 0; i < N; i++)); do ifs+=("ens$((5 + i))"); done
lab_wait_configured --timeout 60 "${ifs[@]}" || lab_not_ok "networkd did not configure the ENIs"

reloads0=$(lab_networkd_reloads)
out="$LAB_DIR/parallel"
mkdir -p "$out"
# What the kernel holds once all are configured (gen-scenario: 2 IPv4 + 1 IPv4 prefix + 1
# IPv6 per ENI, no rules for the primary): rules, /32 secondaries, default routes per table.
want="$(((N - 1) * 3)) $((N - 1)) $N $N $N"
# One shell inside the instance starts all of them at once, then polls the kernel state
# every 20 ms (cheap counts; the full oracle runs afterwards) and waits for them.
lab_inst env EC2NET_CONFIG="$LAB_CONFIG" sh -c '
    prog=$1 out=$2 want=$3; shift 3
    t0=$(date +%s%N)
    for i in "$@"; do
        ( "$prog" "$i" start >"$out/$i.log" 2>&1; echo $? >"$out/$i.rc"
          echo $(( ($(date +%s%N) - t0) / 1000000 )) >"$out/$i.ms" ) &
    done
    state() {
        echo "$(ip -4 rule | grep -c "^1[0-9][0-9][0-9][0-9]:")" \
             "$(ip -6 rule | grep -c "^1[0-9][0-9][0-9][0-9]:")" \
             "$(ip -4 addr | grep -c "inet [0-9.]*/32 ")" \
             "$(ip -4 route show table all | grep -c "^default .* table 1[0-9]* ")" \
             "$(ip -6 route show table all | grep -c "^default .* table 1[0-9]* ")"
    }
    n=0
    until [ "$(state)" = "$want" ] || [ $n -ge 1500 ]; do sleep 0.02; n=$((n + 1)); done
    echo $(( ($(date +%s%N) - t0) / 1000000 )) "$(state)" >"$out/configured"
    wait' sh "$prog" "$out" "$want" "${ifs[@]}"
bad="" t_exit=0
for i in "${ifs[@]}"; do
    [ "$(cat "$out/$i.rc" 2>/dev/null)" = 0 ] || { bad="$bad $i"; sed "s/^/    | $i: /" "$out/$i.log"; }
    ms=$(cat "$out/$i.ms" 2>/dev/null || echo 0)
    [ "$ms" -le "$t_exit" ] || t_exit=$ms
done
read -r t_conf got <"$out/configured"
lab_assert "all $N starts exit 0 (failed:${bad:- none})" test -z "$bad"
lab_assert "kernel state complete (rules4 rules6 /32 default4 default6: $got, want $want)" \
    test "$got" = "$want"
echo "TIME $N ENIs started at once: last start exited after ${t_exit} ms, kernel state complete after ${t_conf} ms"
lab_log "$N ENIs: last start exited after ${t_exit} ms, kernel state complete after ${t_conf} ms"
lab_check "${ifs[@]}" >"$LAB_DIR/oracle.txt"; tail -n 1 "$LAB_DIR/oracle.txt"

r_networkd=$(($(lab_networkd_reloads) - reloads0))
r_product=$(cat "$out"/*.log | grep -c 'Reloaded systemd-networkd')
lab_log "networkd Reload calls: $r_networkd (networkd's log), $r_product (product's log)"
lab_assert "networkd reloaded 1..$MAX_RELOADS times for $N ENIs (networkd's log: $r_networkd)" \
    test "$r_networkd" -ge 1 -a "$r_networkd" -le $MAX_RELOADS
lab_assert "the product's log agrees ($r_product reloads)" test "$r_product" = "$r_networkd"
lab_assert "every ENI's configuration was written" \
    test "$(cat "$out"/*.log | grep -c 'Configuration of .* updated')" = $N

# A sample of real traffic: the first, a middle and the last ENI, IPv4 secondary and IPv6.
for i in 1 8 15; do
    ifname=ens$((5 + i))
    mac=$(lab_mac $ifname)
    for a in $(lab_imds_get "$(lab_mac_key "$mac" local-ipv4s)") \
        $(lab_imds_get "$(lab_mac_key "$mac" ipv6s)"); do
        lab_assert_egress "$a" "$ifname" "" 3
    done
done
lab_assert_egress "$(lab_imds_get "$(lab_mac_key "$(lab_mac ens5)" local-ipv4s)" | sed -n 1p)" ens5 "" 3
e2e_no_drops

lab_summary

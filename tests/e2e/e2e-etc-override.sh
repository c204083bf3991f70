#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# An administrator's files in /etc/systemd/network (the instance's own, a tmpfs here) win
# over the generated ones, and the product never writes there.
#   - /etc/systemd/network/PREFIX-ens6.network (same name as the generated file, with
#     IPv4ProxyARP=yes as a visible mark): networkd applies the user's file to ens6 (its
#     state file names it, proxy_arp is 1 on ens6 and 0 on ens5); the generated drop-ins
#     still apply (policy rules, secondary address, table), so the oracle passes; a refresh
#     does not warn about it (same name in /etc is the documented way to override);
#   - a user's drop-in of the same name (PREFIX-ens6.network.d/ec2net_alias.conf, empty)
#     masks the generated one: the secondary address goes, and a refresh neither puts it
#     back nor rewrites anything nor reloads networkd; after the refresh has exited,
#     networkd is made to re-read every file and configure ens6 afresh, and once its log
#     shows that pass finished, the address is still absent;
#   - /etc/systemd/network holds exactly the user's files, unchanged by the product.
source "$(dirname "$0")/common.sh" "$@"

# shellcheck disable=SC2034  # read by lab.sh: to count networkd's Reload calls
LAB_NETWORKD_LOG_LEVEL=debug
e2e_lab_up "$(e2e_scenario two-enis)"
prefix=${EC2NET_FILE_PREFIX:-70}
# ens6_passes: how many configuration passes of ens6 networkd has logged ("Configuring
# with FILE" the first time or when forced, "Reconfiguring with FILE" after a reload that
# changed its files).
ens6_passes() { grep -Ec 'ens6: (Re)?[Cc]onfiguring with ' "$LAB_DIR/networkd.log"; }
# ens6_pass_done N: a pass beyond the first N has started and finished (a "-> configured"
# state change of ens6 follows the last one): the positive event after which what
# networkd configured on ens6 can be judged, absences included.
ens6_pass_done() {
    awk -v n="$1" '
        /ens6: (Re)?[Cc]onfiguring with / { seen++; done = 0 }
        /ens6: State changed: .* -> configured/ { done = 1 }
        END { exit !(seen > n && done) }' "$LAB_DIR/networkd.log"
}
is_network_file() { [ "$(lab_network_file "$1")" = "$2" ]; }
etc=$(lab_inst_path /etc/systemd/network)
lab_assert "the instance has its own /etc/systemd/network (a tmpfs)" \
    test "$(lab_inst stat -f -c %T /etc/systemd/network)" = tmpfs
cat >"$etc/$prefix-ens6.network" <<NET
# The administrator's own configuration for ens6.
[Match]
MACAddress=$(lab_mac ens6)

[Link]
MTUBytes=9001

[Network]
DHCP=yes
IPv4ProxyARP=yes

[DHCPv4]
UseHostname=no
NET
# As if the file had been there at boot: networkd reads it and configures ens6 with it
# (DHCP again) before the product runs.
lab_networkctl reload
lab_wait_for 15 is_network_file ens6 "/etc/systemd/network/$prefix-ens6.network"
lab_wait_dhcp ens6
lab_wait_configured --timeout 20 ens5 ens6 || lab_not_ok "networkd did not configure the ENIs"

e2e_start_all ens5 ens6
lab_wait_for 15 is_network_file ens6 "/etc/systemd/network/$prefix-ens6.network"
lab_assert "networkd applies the user's file to ens6 ($(lab_network_file ens6))" \
    is_network_file ens6 "/etc/systemd/network/$prefix-ens6.network"
lab_assert "networkd applies the generated file to ens5 ($(lab_network_file ens5))" \
    test "$(lab_network_file ens5)" = "/run/systemd/network/$prefix-ens5.network"
proxy_arp_is() { [ "$(lab_inst cat "/proc/sys/net/ipv4/conf/$1/proxy_arp")" = "$2" ]; }
lab_assert "user's IPv4ProxyARP=yes in effect on ens6" lab_wait_for 10 proxy_arp_is ens6 1
lab_assert "and not on ens5" proxy_arp_is ens5 0
e2e_converge 20 ens5 ens6
lab_assert_egress 10.0.2.21 ens6
lab_assert_egress 10.0.2.20 ens6

e2e_run refresh-1 setup-policy-routes ens6 refresh
lab_assert "refresh ens6 exits 0" test "$E2E_RC" = 0
lab_assert "no shadowing warning for the user's same-name file" \
    test -z "$(grep -i 'overrides' <<<"$E2E_OUT")"

# The user masks the generated alias drop-in with an empty one of the same name.
mkdir -p "$etc/$prefix-ens6.network.d"
: >"$etc/$prefix-ens6.network.d/ec2net_alias.conf"
etc0=$(lab_snapshot_files /etc/systemd/network)
r0=$(lab_networkd_reloads)
p0=$(ens6_passes)
lab_networkctl reload
# The reload count below is only worth something if it sees reloads: it must see this one.
lab_assert "networkd's log counts the test's own reload" test "$(lab_networkd_reloads)" = $((r0 + 1))
lab_assert "networkd reconfigured ens6 with the user's drop-in and finished" \
    lab_wait_for 20 ens6_pass_done "$p0"
lab_assert "the user's empty ec2net_alias.conf masks the generated one: 10.0.2.21 goes" \
    test -z "$(lab_inst ip -4 addr show dev ens6 | grep 'inet 10.0.2.21/')"
run0=$(lab_snapshot_files)
r0=$(lab_networkd_reloads)
e2e_run refresh-2 setup-policy-routes ens6 refresh
lab_assert "refresh ens6 exits 0" test "$E2E_RC" = 0
lab_assert "refresh rewrites nothing in /run/systemd/network" test "$run0" = "$(lab_snapshot_files)"
lab_assert "refresh does not reload networkd" test "$(lab_networkd_reloads)" = "$r0"

lab_assert "/etc/systemd/network holds exactly the user's files, unchanged" \
    test "$etc0" = "$(lab_snapshot_files /etc/systemd/network)"

# The refresh has exited (its D-Bus calls are synchronous). Instead of waiting an arbitrary
# time and finding nothing, make networkd re-read every file as it is now (the user's mask,
# whatever the refresh left under /run) and configure ens6 afresh from them, and wait for
# the event that proves that pass has finished. A reload alone does nothing when no file
# changed, and a forced reconfigure on top of it could start before or after the reload's
# own pass; so the user's .network file is made newer (same content), and the reload then
# reconfigures ens6 exactly once. Only then is the absence of 10.0.2.21 a result.
p0=$(ens6_passes)
touch "$etc/$prefix-ens6.network"
lab_networkctl reload
lab_assert "networkd configured ens6 afresh from the files and finished" \
    lab_wait_for 30 ens6_pass_done "$p0"
lab_assert "10.0.2.21 stays away" test -z "$(lab_inst ip -4 addr show dev ens6 | grep 'inet 10.0.2.21/')"
lab_wait_dhcp ens6   # the reconfiguration restarted DHCP
lab_assert "ens6's policy rules still apply" grep -q '^10001:.*from 10.0.2.20 lookup 10001' <<<"$(e2e_rules -4)"
lab_assert_egress 10.0.2.20 ens6
e2e_no_drops

lab_summary

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
#     back nor rewrites anything;
#   - /etc/systemd/network holds exactly the user's files, unchanged.
source "$(dirname "$0")/common.sh" "$@"

# shellcheck disable=SC2034  # read by lab.sh: to count networkd's Reload calls
LAB_NETWORKD_LOG_LEVEL=debug
e2e_lab_up "$(e2e_scenario two-enis)"
prefix=${EC2NET_FILE_PREFIX:-70}
network_file() { # network_file IFACE: the .network file networkd applies to IFACE
    sed -n 's/^NETWORK_FILE=//p' \
        "$(lab_inst_path "/run/systemd/netif/links/$(lab_inst cat "/sys/class/net/$1/ifindex")")"
}
is_network_file() { [ "$(network_file "$1")" = "$2" ]; }
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
lab_assert "networkd applies the user's file to ens6 ($(network_file ens6))" \
    is_network_file ens6 "/etc/systemd/network/$prefix-ens6.network"
lab_assert "networkd applies the generated file to ens5 ($(network_file ens5))" \
    test "$(network_file ens5)" = "/run/systemd/network/$prefix-ens5.network"
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
lab_networkctl reload
lab_assert "the user's empty ec2net_alias.conf masks the generated one: 10.0.2.21 goes" \
    lab_wait_for 10 sh -c "! ip -n $LAB_INST -4 addr show dev ens6 | grep -q 'inet 10.0.2.21/'"
run0=$(lab_snapshot_files)
r0=$(lab_networkd_reloads)
e2e_run refresh-2 setup-policy-routes ens6 refresh
lab_assert "refresh ens6 exits 0" test "$E2E_RC" = 0
lab_assert "refresh rewrites nothing in /run/systemd/network" test "$run0" = "$(lab_snapshot_files)"
lab_assert "refresh does not reload networkd" test "$(lab_networkd_reloads)" = "$r0"
sleep 1
lab_assert "10.0.2.21 stays away" test -z "$(lab_inst ip -4 addr show dev ens6 | grep 'inet 10.0.2.21/')"
lab_assert "ens6's policy rules still apply" grep -q '^10001:.*from 10.0.2.20 lookup 10001' <<<"$(e2e_rules -4)"
lab_assert_egress 10.0.2.20 ens6

lab_assert "/etc/systemd/network holds exactly the user's files, unchanged" \
    test "$etc0" = "$(lab_snapshot_files /etc/systemd/network)"
e2e_no_drops

lab_summary

#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The lab itself, without the product: DHCPv4, DHCPv6 and router advertisements reach
# networkd inside the instance; the fake IMDS answers IMDSv2 on 169.254.169.254 and
# [fd00:ec2::254] from inside the instance; networkctl reaches networkd on the private bus;
# the VPC source check counts good traffic and drops traffic with another ENI's source.
source "$(dirname "$0")/common.sh" "$@"

lab_init
lab_load "$(e2e_scenario lab-smoke)"
lab_up

lab_assert "networkd: ens5 and ens6 configured" lab_wait_configured --timeout 20 ens5 ens6
out=$(lab_inst networkctl --no-pager --no-legend list 2>&1)
lab_assert "networkctl list shows ens6 configured" grep -q 'ens6 .*configured' <<<"$out"

# DHCP results (lab_up already waited for the fixed leases).
addrs=$(lab_inst ip -o addr show)
lab_assert "ens5 has 10.1.1.10/24 by DHCPv4" grep -q 'ens5 *inet 10.1.1.10/24' <<<"$addrs"
lab_assert "ens6 has 10.1.1.20/24 by DHCPv4" grep -q 'ens6 *inet 10.1.1.20/24' <<<"$addrs"
lab_assert "ens6 has 2001:db8:1:1::20/128 by DHCPv6" grep -q 'ens6 *inet6 2001:db8:1:1::20/128' <<<"$addrs"
lab_assert "IPv6 default route from the RA" lab_wait_for 10 \
    sh -c "ip -n $LAB_INST -6 route show default | grep -q 'via fe80:'"
lab_assert "IPv6 on-link subnet route from the RA" \
    sh -c "ip -n $LAB_INST -6 route show 2001:db8:1:1::/64 | grep -q 'proto ra'"
lab_assert "MTU 9001 from 80-ec2.network" \
    sh -c "ip -n $LAB_INST link show ens6 | grep -q 'mtu 9001'"

# IMDSv2 from inside the instance.
imds() { # imds URL-BASE PATH [curl options]: token then GET, as a client would
    local base=$1 path=$2 tok
    shift 2
    tok=$(lab_inst curl -sS -f -m 5 "$@" -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' \
        "$base/latest/api/token") || return 1
    lab_inst curl -sS -f -m 5 "$@" -H "X-aws-ec2-metadata-token: $tok" "$base/latest/$path"
}
lab_imds_mark
v=$(imds "http://$LAB_IMDS4" meta-data/mac)
lab_assert "IMDS over IPv4: meta-data/mac = 0e:00:00:00:01:05 (got '$v')" [ "$v" = 0e:00:00:00:01:05 ]
v=$(imds "http://$LAB_IMDS4" meta-data/network/interfaces/macs/0e:00:00:00:01:06/local-ipv4s \
    --interface ens6)
lab_assert "IMDS bound to ens6: local-ipv4s = 10.1.1.20 (got '$v')" [ "$v" = 10.1.1.20 ]
v=$(imds "http://[$LAB_IMDS6]" meta-data/instance-id)
lab_assert "IMDS over IPv6: instance-id (got '$v')" [ "$v" = i-0fedcba9876543210 ]
lab_assert "IMDS request log: 3 token PUTs" [ "$(lab_imds_count --method PUT)" = 3 ]
lab_assert "IMDS request log: 3 GETs" [ "$(lab_imds_count --method GET --status 200)" = 3 ]
v=$(lab_inst curl -s -o /dev/null -w '%{http_code}' -m 5 "http://$LAB_IMDS4/latest/meta-data/mac")
lab_assert "IMDS without token: 401 (got $v)" [ "$v" = 401 ]
# The scenario is live: an edit shows up in the next answer.
lab_imds_set --json "$(lab_mac_key 0e:00:00:00:01:06 local-ipv4s)" '["10.1.1.20","10.1.1.21"]'
v=$(imds "http://$LAB_IMDS4" meta-data/network/interfaces/macs/0e:00:00:00:01:06/local-ipv4s | tr '\n' ' ')
lab_assert "IMDS serves the edited tree (got '$v')" [ "$v" = "10.1.1.20 10.1.1.21" ]

# Source check: traffic with ens6's source leaving through ens6 passes and is counted ...
lab_inst ip route add "$LAB_REMOTE4/32" via 10.1.1.1 dev ens6 src 10.1.1.20
lab_assert_egress 10.1.1.20 ens6
lab_inst ip route del "$LAB_REMOTE4/32"
# ... the same source through ens5 is dropped by the VPC (negative control: proves the
# egress assertion can fail).
lab_inst ip route add "$LAB_REMOTE4/32" via 10.1.1.1 dev ens5 src 10.1.1.20
d0=$(lab_drops)
lab_inst ping -n -q -c 3 -i 0.05 -W 1 -I 10.1.1.20 "$LAB_REMOTE4" >/dev/null 2>&1
prc=$?
d1=$(lab_drops)
lab_assert "ens6's source through ens5 is dropped by the VPC (ping rc=$prc, drops $d0 -> $d1)" \
    test $prc != 0 -a "$((d1 - d0))" -ge 3
lab_inst ip route del "$LAB_REMOTE4/32"
# Both ENIs got an IPv6 default route from the RA with the same metric: pin one.
lab_inst ip -6 route add "$LAB_REMOTE6/128" via "$(lab_gateway6 ens5)" dev ens5
lab_assert_egress 2001:db8:1:1::10 ens5 "$LAB_REMOTE6"

# A hand-written drop-in and a reload over D-Bus: what the product does, by hand.
d=$(lab_inst_path /run/systemd/network)
cat >"$d/70-ens6.network" <<'NET'
[Match]
MACAddress=0e:00:00:00:01:06
[Network]
DHCP=yes
[DHCPv4]
UseHostname=no
[Address]
Address=10.1.1.21/32
AddPrefixRoute=false
[RoutingPolicyRule]
From=10.1.1.20/32
Priority=10001
Table=10001
[RoutingPolicyRule]
From=10.1.1.21/32
Priority=10001
Table=10001
[Route]
Gateway=_dhcp4
Table=10001
NET
t0=$(lab_now)
lab_inst networkctl reload
lab_assert "hand-written .network applied after networkctl reload" lab_wait_for 10 \
    sh -c "ip -n $LAB_INST -4 rule | grep -q 'from 10.1.1.20 lookup 10001' &&
           ip -n $LAB_INST -4 addr show ens6 | grep -q 'inet 10.1.1.21/32' &&
           ip -n $LAB_INST -4 route show table 10001 | grep -q 'default via 10.1.1.1 dev ens6'"
lab_log "reload applied in $(lab_elapsed "$t0")s"
lab_assert_egress 10.1.1.21 ens6 10.1.1.1
lab_assert_egress 10.1.1.20 ens6

lab_summary

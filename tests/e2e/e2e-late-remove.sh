#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# A late remove event for a name another ENI has taken (SPEC §6: udev events can come late
# and out of order). ens5 (primary) and ENI A as ens6 are set up; A is detached and its
# remove event held back; EC2 attaches ENI B at the same device index, so B becomes ens6,
# in the same subnet, and is set up. Then A's remove arrives, as udev runs it:
# `ec2-net-hotplug remove ens6 MAC-OF-A` (the MAC comes from udev's database).
#   - it exits 0, logs why it removes nothing, and stops no unit (in the lab nothing
#     answers for systemd on the bus: a stop would fail the run);
#   - B's files and saved state are byte-identical with the same mtimes, networkd is not
#     reloaded, B's kernel state still equals IMDS (oracle), and its traffic leaves through
#     it;
#   - the same remove without a MAC (a udev database written before the rule stored it) is
#     stale too, since a link holds the name: nothing changes either;
#   - B detached and its own remove delivered with its MAC: its files and state go.
source "$(dirname "$0")/common.sh" "$@"

# shellcheck disable=SC2034  # read by lab.sh: to count networkd's Reload calls
LAB_NETWORKD_LOG_LEVEL=debug
lab_init
# before.json: A attached as ens6, B in the plan (DHCP lease, VPC port) but not attached.
# after.json: what EC2 says once A is detached and B attached at its device index; B's
# interface is then named ens6.
"$LAB_PYTHON" - "$LAB_DIR/before.json" "$LAB_DIR/after.json" <<'PY'
import copy, json, sys
p, a, b = "0e:00:00:00:0c:05", "0e:00:00:00:0c:0a", "0e:00:00:00:0c:0b"
def eni(mac, dev, eni_id, ips, cidr):
    return {"device-number": str(dev), "interface-id": eni_id, "local-ipv4s": ips, "mac": mac,
            "subnet-ipv4-cidr-block": cidr}
md = {"instance-id": "i-0c00000000000c0c0", "instance-type": "m6i.xlarge", "local-ipv4": "10.12.1.10",
      "mac": p, "network": {"interfaces": {"macs": {
          p: eni(p, 0, "eni-0c000000000000c05", ["10.12.1.10"], "10.12.1.0/24"),
          a: eni(a, 1, "eni-0c000000000000c0a", ["10.12.2.20", "10.12.2.21"], "10.12.2.0/24"),
          b: eni(b, 1, "eni-0c000000000000c0b", ["10.12.2.30", "10.12.2.31"], "10.12.2.0/24")}}}}
before = {"lab": {"interfaces": {p: {"ifname": "ens5"}, a: {"ifname": "ens6"},
                                 b: {"ifname": "ens8", "attach": "later"}}},
          "meta-data": md}
after = copy.deepcopy(before)
del after["meta-data"]["network"]["interfaces"]["macs"][a]
after["lab"]["interfaces"] = {p: {"ifname": "ens5"}, b: {"ifname": "ens6", "attach": "later"}}
json.dump(before, open(sys.argv[1], "w"), indent=1)
json.dump(after, open(sys.argv[2], "w"), indent=1)
PY
lab_load "$LAB_DIR/before.json"
lab_product_path ec2-net-hotplug >/dev/null || exit 1
lab_up
e2e_configure_all 20 ens5 ens6
mac_a=$(lab_mac ens6)
mac_b=0e:00:00:00:0c:0b
state=/run/amazon-ec2-net-utils/interfaces/ens6.json

# A goes; its remove event is held back.
lab_eni_detach "$mac_a"
lab_assert "A's ens6 is gone from the instance" test -z "$(lab_inst ip -o link show dev ens6 2>/dev/null)"
# EC2 no longer lists A, and B arrives at the same index: as ens6 (lab_load re-plans the
# lab's names and rewrites the file the fake IMDS serves; DHCP knows B already).
lab_load "$LAB_DIR/after.json"
lab_eni_attach "$mac_b"
lab_wait_dhcp ens6
lab_wait_configured --timeout 20 ens6 || lab_not_ok "networkd did not configure B's ens6"
e2e_start_all ens6
e2e_converge 20 ens5 ens6
lab_assert "ens6's eni.conf is B's ([Match] MACAddress=$mac_b)" e2e_conf_has ens6 eni.conf Match "MACAddress=$mac_b"
lab_assert "ens6's saved state is B's" grep -q "$mac_b" "$(lab_inst_path "$state")"
files0=$(lab_snapshot_files)
state0=$(lab_snapshot_files /run/amazon-ec2-net-utils/interfaces)
r0=$(lab_networkd_reloads)

# A's remove, as udev delivers it.
e2e_run late-remove ec2-net-hotplug remove ens6 "$mac_a"
lab_assert "A's late remove exits 0 (got $E2E_RC)" test "$E2E_RC" = 0
lab_assert "it says why it removes nothing" \
    grep -q "Not removing the configuration of ens6: it was written for MAC $mac_b, not for $mac_a" <<<"$E2E_OUT"
lab_assert "B's files byte-identical, same mtimes" test "$files0" = "$(lab_snapshot_files)"
lab_assert "B's saved state untouched" \
    test "$state0" = "$(lab_snapshot_files /run/amazon-ec2-net-utils/interfaces)"
lab_assert "networkd not reloaded" test "$(lab_networkd_reloads)" = "$r0"

# The same event without a MAC: a link holds the name, so the event is stale.
e2e_run late-remove-no-mac ec2-net-hotplug remove ens6
lab_assert "A's late remove without a MAC exits 0 (got $E2E_RC)" test "$E2E_RC" = 0
lab_assert "it says why it removes nothing" \
    grep -q "Not removing the configuration of ens6: the name belongs to a present interface (MAC $mac_b)" \
    <<<"$E2E_OUT"
lab_assert "B's files still byte-identical, same mtimes" test "$files0" = "$(lab_snapshot_files)"
lab_assert "B's saved state still untouched" \
    test "$state0" = "$(lab_snapshot_files /run/amazon-ec2-net-utils/interfaces)"
lab_assert "networkd still not reloaded" test "$(lab_networkd_reloads)" = "$r0"

# networkd applies a reload asynchronously: give a wrong one time to show.
sleep 1
e2e_converge 10 ens5 ens6
lab_assert_egress 10.12.2.30 ens6
lab_assert_egress 10.12.2.31 ens6
lab_assert_egress 10.12.1.10 ens5

# B goes, and its own remove takes its configuration. (It exits 1 here: the lab's bus has
# no systemd to stop B's units; the system tier runs this path under systemd.)
lab_eni_detach "$mac_b"
e2e_run remove-b ec2-net-hotplug remove ens6 "$mac_b"
lab_assert "B's remove removed its configuration" grep -q "Removed the configuration of ens6" <<<"$E2E_OUT"
e2e_files ens6 absent network eni.conf ec2net_policy_4.conf ec2net_alias.conf
lab_assert "ens6's saved state is gone" test ! -e "$(lab_inst_path "$state")"
lab_wait_for 10 sh -c "! ip -n $LAB_INST -4 rule | grep -q 'lookup 10001'"
lab_check_gone "$mac_b"
e2e_no_drops

lab_summary

#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Upgrade from 2.x, then a hot-add (SPEC §10, deferred-takeover.h): ens5 and ens6 run on the
# files 2.x wrote (ens5 under this build's prefix, ens6 under the other one) and their
# refreshes leave them there (DeferTakeOver=auto on networkd 252). Then an ENI is attached
# and comes up as on an instance: the real udevd runs the product's rule, ec2-net-hotplug
# holds it (a networkd reload) and asks "systemd" (tests/lab/fake-systemd.c) to start its
# policy-routes@ unit, whose start writes its files and reloads networkd again. The first of
# those reloads moves ens5 and ens6 to the product's files (what any reload of 2.x's
# symbolic links would do anyway, since the upgrade replaced 80-ec2.network):
#   - no file of 2.x is left, nothing stays deferred, networkd applies the product's files
#     to all three ENIs, the kernel state is the oracle's, no packet leaves through the
#     wrong ENI (the VPC source check drops none);
#   - the hot-added ENI was held: the first configuration networkd applied to it is its own.
# The setup of the two deferred ENIs at boot is refused (their units masked), so that they
# run on 80-ec2.network until 2.x's files are written for them.
source "$(dirname "$0")/common.sh" "$@"
# shellcheck source=../lab/legacy-2x.sh
source "$E2E_DIR/../lab/legacy-2x.sh"

P=${EC2NET_FILE_PREFIX:-70}
O=70
[ "$P" != 70 ] || O=07
NET=/run/systemd/network

lab_init
lab_load_generated --enis 3 --ipv6 --secondary 1 --later 1
before_networkd() {
    lab_udev_product --masked policy-routes@ens5.service --masked policy-routes@ens6.service
}
LAB_UDEV=1
LAB_BEFORE_NETWORKD=before_networkd
lab_up
lab_wait_configured --timeout 30 ens5 ens6 || lab_not_ok "networkd did not configure ens5 and ens6"

# udev processed ens5 and ens6 before networkd ran, as at boot: the reload that the release
# of ens6's hold asked for (its unit is masked) could not be made then and is pending until
# a process of the product reloads (on an instance: the seed stage). Here the units'
# ExecStopPost does it, before 2.x's files are written: a pending reload would move them.
e2e_run release-ens6 ec2-net-refresh ens6 release
lab_assert "ec2-net-refresh ens6 release exits 0" test "$E2E_RC" = 0

lab_write_2x ens5 "$P"
lab_write_2x ens6 "$O"
lab_networkctl reload
on_2x() { [ "$(lab_network_file ens5)" = "$NET/$P-ens5.network" ] && [ "$(lab_network_file ens6)" = "$NET/$O-ens6.network" ]; }
lab_assert "ens5 and ens6 run on 2.x's files" lab_wait_for 20 on_2x
lab_wait_configured --timeout 20 ens5 ens6 || lab_not_ok "networkd did not configure the ENIs on 2.x's files"

for i in ens5 ens6; do
    e2e_run "refresh-$i" setup-policy-routes "$i" refresh
    lab_assert "setup-policy-routes $i refresh exits 0" test "$E2E_RC" = 0
    lab_assert "$i stays on 2.x's files: the refresh wrote nothing and did not reload networkd" \
        eval 'grep -q "$i stays on amazon-ec2-net-utils 2.x" <<<"$E2E_OUT" && ! grep -q "updated\|Reloaded systemd-networkd" <<<"$E2E_OUT"'
done
deferred_dir=$(lab_inst_path /run/amazon-ec2-net-utils/takeover-deferred)
lab_assert "both are recorded as deferred" test -e "$deferred_dir/ens5" -a -e "$deferred_dir/ens6"

# The hot-add.
log_mark=$(wc -l <"$LAB_DIR/networkd.log")
lab_probe_start ens5
sleep 0.3
lab_eni_attach "$(lab_mac ens7)"
lab_inst udevadm settle --timeout=20 || lab_not_ok "udev did not settle"
lab_assert "udev's RUN+= asked to start policy-routes@ens7.service" \
    lab_wait_for 10 grep -q ' Start policy-routes@ens7.service$' "$LAB_DIR/systemd-calls.log"
e2e_converge 30 ens5 ens6 ens7
probe=$(lab_probe_stop)
read -r sent lost <<<"$(lab_probe_counts "$probe")"
lab_log "probe out of ens5 during the hot-add and the move: $lost of $sent lost (networkd 252 restarts DHCP on a moved link)"

lab_assert "no file of 2.x left" test -z "$(lab_2x_left)"
lab_assert "nothing left deferred" eval 'test -z "$(ls -A "$deferred_dir" 2>/dev/null)"'
for i in ens5 ens6 ens7; do
    lab_assert "networkd applies $P-$i.network to $i (got $(lab_network_file "$i"))" \
        test "$(lab_network_file "$i")" = "$NET/$P-$i.network"
done
first=$(lab_first_network_file ens7 <(tail -n +"$((log_mark + 1))" "$LAB_DIR/networkd.log"))
lab_assert "ens7 was held: the first configuration networkd applied to it is its own (${first:-none})" \
    test "$first" = "$NET/$P-ens7.network"
e2e_no_drops
lab_summary

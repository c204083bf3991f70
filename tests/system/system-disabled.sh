#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Turning the package off (issue 4, SPEC §5, §7) under a real systemd: two boots of a
# container with three ENIs and IMDS answering,
#   1. [Main] Enable=no in /etc/amazon-ec2-net-utils.conf.d/,
#   2. ec2net.enable=0 on the kernel command line,
# must each mask the product's units (so udev-triggered starts do nothing), configure
# nothing, ask IMDS nothing, and still boot to network-online.target.
#
# The kernel command line of a container is the host's /proc/cmdline, which a test cannot
# change; the generator reads it from EC2NET_KERNEL_CMDLINE when set (its test override),
# and systemd hands DefaultEnvironment= to generators, so the second boot sets it there.
#
#   system-disabled.sh --build-dir BUILD [--keep] [--verbose]
set -u
source "$(dirname "$0")/system.sh"
sys_init "$@"

lab_load "$SYS_LIB_DIR/scenarios/three-enis-and-one-later.json"
IFACES=(ens5 ens6 ens7)
UNITS=(policy-routes@.service refresh-policy-routes@.service refresh-policy-routes@.timer
    ec2-net-seed.service)
sys_vpc_up

# check_disabled HOW: the assertions shared by both boots.
check_disabled() {
    local how=$1 u i st out rc gen
    lab_assert "$how: the boot finished, system state running (was: $SYS_BOOT_STATE)" \
        test "$SYS_BOOT_STATE" = running
    gen=$(sys_path /run/systemd/generator)
    for u in "${UNITS[@]}"; do
        lab_assert "$how: the generator masked $u" test "$(readlink "$gen/$u")" = /dev/null
    done
    lab_assert "$how: the generator wired no unit into multi-user.target" \
        test -z "$(find "$gen" -path '*.wants/*' \( -name 'policy-routes@*' -o -name 'ec2-net-*' \))"
    for u in policy-routes@ens6.service refresh-policy-routes@ens6.timer ec2-net-seed.service; do
        st=$(sys_prop "$u" LoadState)
        lab_assert "$how: $u LoadState=masked (got $st)" test "$st" = masked
    done
    lab_assert "$how: network-online.target reached" \
        test "$(sys_ct systemctl is-active network-online.target)" = active
    lab_assert "$how: nothing written to /run/systemd/network" \
        test -z "$(find "$(sys_path /run/systemd/network)" -mindepth 1 -print -quit)"
    lab_assert "$how: no policy rule" no_rules
    for i in "${IFACES[@]}"; do
        lab_assert "$how: no altname on $i" no_altname "$i"
    done
    lab_assert "$how: IMDS was not asked anything ($(lab_imds_count) requests)" \
        test "$(lab_imds_count)" = 0
    # What udev's RUN+= would do for an ENI appearing now: nothing, quietly.
    out=$(sys_ct systemd-run --quiet --wait --pipe --collect \
        -p RestrictAddressFamilies="AF_UNIX AF_NETLINK" -E ACTION=add -E SUBSYSTEM=net \
        -E INTERFACE=ens6 -E ID_NET_DRIVER=veth "$SYS_LIBEXEC/ec2-net-hotplug" add ens6 2>&1)
    rc=$?
    lab_assert "$how: ec2-net-hotplug add ens6 exits 0 (got $rc)" test "$rc" = 0
    [ -z "$out" ] || sed 's/^/    | /' <<<"$out"
    lab_assert "$how: policy-routes@ens6.service stays inactive" \
        test "$(sys_ct systemctl is-active policy-routes@ens6.service)" = inactive
    out=$(sys_ct systemctl start policy-routes@ens6.service 2>&1)
    lab_assert "$how: systemctl start policy-routes@ens6.service is refused (masked)" \
        grep -q masked <<<"$out"
    out=$(sys_product_warnings)
    lab_assert "$how: no warning or error from the product" test -z "$out"
    [ -z "$out" ] || sed 's/^/    | /' <<<"$out"
    failed=$(sys_ct systemctl --no-legend --failed)
    lab_assert "$how: no failed unit" test -z "$failed"
}
no_rules() { ! { lab_inst ip -4 rule show; lab_inst ip -6 rule show; } | grep -q 'lookup 10[0-9][0-9][0-9]'; }
no_altname() { ! lab_inst ip -o link show dev "$1" | grep -q altname; }

# 1. The configuration.
sys_prepare
printf '[Main]\nEnable=no\n' | sys_root_file /etc/amazon-ec2-net-utils.conf.d/90-off.conf
lab_imds_mark
sys_start
check_disabled "[Main] Enable=no"
sys_halt

# 2. The kernel command line (through the generator's override, see above).
sys_prepare
echo "BOOT_IMAGE=/vmlinuz root=/dev/nvme0n1p1 ro console=ttyS0 ec2net.enable=0" |
    sys_root_file /etc/ec2net-system-test-cmdline
printf '[Manager]\nDefaultEnvironment=EC2NET_KERNEL_CMDLINE=/etc/ec2net-system-test-cmdline\n' |
    sys_root_file /etc/systemd/system.conf.d/50-ec2net-system-test.conf
lab_imds_mark
sys_start
check_disabled "ec2net.enable=0"
sys_halt

lab_summary

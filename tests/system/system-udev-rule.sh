#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# The udev rule (issue 4; SPEC §6), checked with the real udev of the Debian root by
# `udevadm test` on a veth in a network namespace of its own, inside a private mount
# namespace chrooted into an overlay of the cached root with the product installed (never
# the host's /etc or /run):
#   - the installed rule leaves a veth alone (its driver is not ena|ixgbevf|vif);
#   - the same rule with the driver list replaced by veth (a copy in the overlay's
#     /etc/udev/rules.d, which overrides /usr/lib) runs
#     `/usr/libexec/amazon-ec2-net-utils/ec2-net-hotplug add IFACE` on add (after
#     `... hold IFACE` from IMPORT{program}=, while udev processes the event), and
#     `... remove IFACE MAC` on remove, once each: the MAC, which sysfs no longer has on
#     remove, comes from the udev database the add event left (ENV{EC2NET_MAC}).
#
#   system-udev-rule.sh --build-dir BUILD [--keep] [--verbose]
set -u
source "$(dirname "$0")/system.sh"
sys_init "$@"
command -v udevadm >/dev/null || [ -x "$SYS_ROOT/usr/bin/udevadm" ] ||
    lab_die "no udevadm in the cached root"

RULE=99-vpc-policy-routes.rules
IFACE=ens5
MAC=0e:00:00:00:00:05
HOTPLUG="$SYS_LIBEXEC/ec2-net-hotplug"

# A namespace with one veth pair (both ends down: nothing is ever sent).
ip netns add "$LAB_INST" || lab_die "ip netns add $LAB_INST"
LAB_INST_NETNS=$(stat -L -c %i "/run/netns/$LAB_INST")
[ "$LAB_INST_NETNS" != "$LAB_HOST_NETNS" ] || lab_die "namespace inode equals the host's"
ip -n "$LAB_INST" link add "$IFACE" address "$MAC" type veth peer name p5 ||
    lab_die "veth"

sys_prepare
M=$SYS_MERGED
lab_assert "the rule is installed in /usr/lib/udev/rules.d" test -s "$M/usr/lib/udev/rules.d/$RULE"
lab_assert "the rule runs the installed helper" grep -q "RUN+=\"$HOTPLUG add \$name\"" \
    "$M/usr/lib/udev/rules.d/$RULE"

# udevadm_test ACTION...: `udevadm test` of the veth in the chroot for each ACTION in turn,
# in one private /run (remove then finds the udev database add left, as under udevd); the
# output of each is preceded by a line "@@@ec2net-action ACTION".
udevadm_test() {
    nsenter --net="/run/netns/$LAB_INST" -- "$LAB_LIB_DIR/nsguard" "$LAB_INST_NETNS" \
        "$LAB_HOST_NETNS" unshare -m --propagation private sh -c '
            set -e
            M=$1 IFACE=$2
            shift 2
            mount -t sysfs -o ro,nosuid,nodev,noexec sysfs "$M/sys"
            mount -t proc -o nosuid,nodev,noexec proc "$M/proc"
            mount -t tmpfs -o mode=0755 tmpfs "$M/run"
            mount --rbind /dev "$M/dev"
            for a in "$@"; do
                echo "@@@ec2net-action $a"
                chroot "$M" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
                    udevadm test --action="$a" "/sys/class/net/$IFACE" 2>&1
            done' sh "$M" "$IFACE" "$@"
}
# part OUTPUT ACTION: the output of one action.
part() { awk -v a="@@@ec2net-action $2" '/^@@@ec2net-action / { on = ($0 == a); next } on' <<<"$1"; }
# runs OUTPUT: the RUN programs udevadm test reports, one a line.
runs() { sed -n "s/^run: '\\(.*\\)'\$/\\1/p" <<<"$1"; }

out=$(udevadm_test add | sed 1d)
echo "$out" >"$LAB_DIR/udevadm-installed-add.log"
lab_assert "udevadm test ran (installed rule, add)" grep -q "^run: \|Unload\|rules" <<<"$out"
lab_assert "the installed rule was read" grep -q "$RULE" <<<"$out"
no_hotplug() { ! runs "$1" | grep -q ec2-net-hotplug; }
lab_assert "the installed rule runs nothing for a veth (driver not ena|ixgbevf|vif)" \
    no_hotplug "$out"
lab_assert "udev's net_setup_link reports the veth's driver (ID_NET_DRIVER=veth)" \
    grep -q '^ID_NET_DRIVER=veth$' <<<"$out"

# The same rule for driver veth, in the overlay's /etc (overrides /usr/lib by name).
mkdir -p "$M/etc/udev/rules.d"
sed 's/=="ena|ixgbevf|vif"/=="veth"/' "$M/usr/lib/udev/rules.d/$RULE" >"$M/etc/udev/rules.d/$RULE"
lab_assert "the driver list was substituted in the copy" grep -q '=="veth"' "$M/etc/udev/rules.d/$RULE"
all=$(udevadm_test add remove)
echo "$all" >"$LAB_DIR/udevadm-veth.log"
# imports OUTPUT: the IMPORT{program}= programs udevadm test ran, one a line.
imports() { sed -n "s/^.*Importing properties from results of '\\(.*\\)'\$/\\1/p" <<<"$1"; }
for action in add remove; do
    i=$(imports "$(part "$all" "$action")" | grep ec2-net-hotplug)
    want=""
    [ "$action" = remove ] || want="$HOTPLUG hold $IFACE"
    lab_assert "driver veth, $action: IMPORT{program} runs exactly '${want:-nothing of ours}'" test "$i" = "$want"
    r=$(runs "$(part "$all" "$action")")
    want="$HOTPLUG $action $IFACE"
    [ "$action" = add ] || want="$want $MAC"
    lab_assert "driver veth, $action: RUN has exactly '$want'" \
        test "$(grep -c ec2-net-hotplug <<<"$r")/$(grep -x "$want" <<<"$r")" = "1/$want"
    [ -n "$r" ] && sed 's/^/    run: /' <<<"$r"
done

lab_summary

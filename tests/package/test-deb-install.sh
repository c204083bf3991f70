#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Optional: the .deb with the real dpkg, in a chroot of the system tier's cached Debian 12
# root (under a throw-away overlay; the cache is only read), not booted:
#   install  -> systemd-networkd and systemd-resolved enabled, set-hostname-imds enabled, the
#               ifupdown hotplug rule diverted, the running product's files under /run kept;
#   upgrade  to a newer build of itself (version bumped here) -> /etc exactly as the
#               administrator left it (edited conffile, drop-in, a disabled unit, a plain
#               resolv.conf), /run untouched;
#   purge    -> the product's files under /run gone (as its renderer writes them, and what
#               2.x left), foreign ones kept, no unit of the
#               package enabled, the diversion undone, /etc as before installation but for
#               what the administrator added and the units the package enabled.
# Skips (77) when the cached root (tests/system) or a tool is missing; needs no network
# (systemd-resolved's .deb comes from the host's apt cache or `apt-get download`).
#
# Usage: test-deb-install.sh SRC OUTDIR    (OUTDIR of test-deb.sh, which built the .deb)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=package-lib.sh
source "$here/package-lib.sh"

src=$(cd "$1" && pwd)
out=$(cd "$2" && pwd)
cached=${SYS_CACHE_DIR:-/var/cache/ec2net-system-tests}/bookworm
[ "$(id -u)" = 0 ] || pkg_skip "needs root"
[ -x "$cached/usr/bin/dpkg" ] || pkg_skip "no cached Debian root in $cached (the system tier builds it)"
pkg_require unshare mount chroot dpkg-deb apt-get
grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null ||
    grep -qw overlay /proc/filesystems || pkg_skip "no overlayfs in this kernel"

deb=$(find "$out/deb/src" -maxdepth 1 -name "${PKG_NAME}_*.deb" 2>/dev/null | head -n 1)
[ -n "$deb" ] || pkg_skip "no .deb in $out/deb (run package-deb first)"
version=$(dpkg-deb -f "$deb" Version)

# The newer build, and systemd-resolved for the root's systemd.
rc=0
bash "$here/build-deb.sh" --version "$version+test1" "$src" "$out/deb-upgrade" >"$out/deb-upgrade.out" 2>&1 || rc=$?
[ "$rc" -eq 0 ] || { cat "$out/deb-upgrade.out"; exit "$rc"; }
deb2=$(tail -n 1 "$out/deb-upgrade.out")
# shellcheck disable=SC2016 # a dpkg-query format
sysver=$(chroot "$cached" dpkg-query -W -f '${Version}' systemd)
mkdir -p "$out/debs"
resolved=$(find "$out/debs" /var/cache/apt/archives -maxdepth 1 \
    -name "systemd-resolved_${sysver//:/%3a}_*.deb" 2>/dev/null | head -n 1)
if [ -z "$resolved" ]; then
    (cd "$out/debs" && apt-get download -q "systemd-resolved=$sysver" >/dev/null 2>&1) ||
        pkg_skip "cannot get systemd-resolved $sysver (apt-get download)"
    resolved=$(find "$out/debs" -name 'systemd-resolved_*.deb' | head -n 1)
fi

work=$(mktemp -d)
trap 'rm -rf --one-file-system "$work"' EXIT
cp "$deb" "$deb2" "$resolved" "$work/"

cat >"$work/inner.sh" <<'INNER'
set -u
work=$1 lower=$2 deb1=$3 deb2=$4 resolved=$5 lib=$6
# shellcheck source=package-lib.sh
source "$lib"
r=$work/root
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; return 1; fi; }
in_root() { chroot "$r" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive "$@"; }
snap_etc() {   # every entry of /etc with type, link target and checksum; caches left out
    (cd "$r/etc" && find . -mindepth 1 ! -name ld.so.cache ! -path './.pwd.lock' -printf '%P %y %l\n' | LC_ALL=C sort
     find . -type f ! -name ld.so.cache -exec md5sum {} + | LC_ALL=C sort -k 2)
}
snap_run() { (cd "$r/run" && find . -mindepth 1 -printf '%P %y %l\n' | LC_ALL=C sort); }

mkdir -p "$work/upper" "$work/ovl" "$r"
mount -t overlay overlay -o "lowerdir=$lower,upperdir=$work/upper,workdir=$work/ovl" "$r" || exit 77
mount -t proc proc "$r/proc"
mount -t tmpfs -o mode=0755 tmpfs "$r/run"
mount -t tmpfs tmpfs "$r/tmp"
cp "$work"/*.deb "$r/tmp/"

# What an instance brings: cloud images' ifupdown hotplug rule, a plain resolv.conf.
mkdir -p "$r/etc/udev/rules.d"
echo '# cloud-ifupdown-helper' >"$r/etc/udev/rules.d/75-cloud-ifupdown.rules"
rm -f "$r/etc/resolv.conf"; echo 'nameserver 10.0.0.2' >"$r/etc/resolv.conf"
in_root dpkg -i "/tmp/${resolved##*/}" >"$work/resolved.log" 2>&1 || { cat "$work/resolved.log"; exit 1; }
snap_etc >"$work/etc.0"

# The product running (as a boot would have left /run: its files for two ENIs exactly as its
# renderer writes them), what 2.x left for a third, and something that is neither.
n=$r/run/systemd/network
mkdir -p "$n" "$r/run/amazon-ec2-net-utils"
pkg_put_generated "$n" 07
pkg_put_legacy "$n" 70 ens7 0e:00:00:00:02:00
printf '[Match]\nName=ens5\n' >"$n/10-netplan-ens5.network"
echo token >"$r/run/amazon-ec2-net-utils/imds-token"
snap_run >"$work/run.0"

echo "== install $deb1"
in_root dpkg -i "/tmp/${deb1##*/}" >"$work/install.log" 2>&1
check "dpkg -i exits 0" [ $? -eq 0 ] || cat "$work/install.log"
w=$r/etc/systemd/system
check "systemd-networkd enabled" [ -L "$w/multi-user.target.wants/systemd-networkd.service" ]
check "systemd-resolved enabled" [ -L "$w/multi-user.target.wants/systemd-resolved.service" -o -L "$w/sysinit.target.wants/systemd-resolved.service" ]
check "set-hostname-imds enabled" [ -L "$w/multi-user.target.wants/set-hostname-imds.service" ]
check "ifupdown hotplug rule diverted" [ -f "$r/etc/udev/rules.d/75-cloud-ifupdown.rules.disabled" -a ! -e "$r/etc/udev/rules.d/75-cloud-ifupdown.rules" ]
check "conffile installed" [ -f "$r/etc/amazon-ec2-net-utils.conf" ]
snap_run >"$work/run.1"
check "/run untouched by the installation" cmp -s "$work/run.0" "$work/run.1"

# The administrator's changes.
echo '# edited by the administrator' >>"$r/etc/amazon-ec2-net-utils.conf"
mkdir -p "$r/etc/amazon-ec2-net-utils.conf.d"
printf '[Refresh]\nIntervalSec=120\n' >"$r/etc/amazon-ec2-net-utils.conf.d/50-local.conf"
in_root systemctl disable set-hostname-imds.service >/dev/null 2>&1
rm -f "$r/etc/resolv.conf"; echo 'nameserver 10.0.0.3' >"$r/etc/resolv.conf"
snap_etc >"$work/etc.1"

echo "== upgrade to $deb2"
in_root dpkg -i "/tmp/${deb2##*/}" >"$work/upgrade.log" 2>&1
check "upgrade exits 0" [ $? -eq 0 ] || cat "$work/upgrade.log"
snap_etc >"$work/etc.2"
if diff -u "$work/etc.1" "$work/etc.2"; then ok "/etc unchanged by the upgrade"; else bad "/etc changed by the upgrade"; fi
snap_run >"$work/run.2"
if diff -u "$work/run.0" "$work/run.2"; then ok "/run unchanged by the upgrade"; else bad "/run changed by the upgrade"; fi

echo "== purge"
in_root dpkg --purge amazon-ec2-net-utils >"$work/purge.log" 2>&1
check "purge exits 0" [ $? -eq 0 ] || cat "$work/purge.log"
for f in 07-ens5.network 07-ens5.network.d 07-ens6.network 07-ens6.network.d 70-ens7.network 70-ens7.network.d; do
    check "generated $f removed" [ ! -e "$n/$f" ] && [ ! -L "$n/$f" ]
done
check "runtime directory removed" [ ! -e "$r/run/amazon-ec2-net-utils" ]
check "netplan's file kept" [ -f "$n/10-netplan-ens5.network" ]
check "no unit of the package enabled" [ -z "$(find "$w" -lname '*policy-routes*' -o -lname '*set-hostname-imds*' -o -lname '*ec2-net-seed*')" ]
check "ifupdown hotplug rule back" [ -f "$r/etc/udev/rules.d/75-cloud-ifupdown.rules" -a ! -e "$r/etc/udev/rules.d/75-cloud-ifupdown.rules.disabled" ]
check "diversion gone" [ -z "$(in_root dpkg-divert --list '*75-cloud-ifupdown*')" ]
check "the administrator's drop-in kept" [ -f "$r/etc/amazon-ec2-net-utils.conf.d/50-local.conf" ]
check "the conffile purged" [ ! -e "$r/etc/amazon-ec2-net-utils.conf" ]
check "resolv.conf as the administrator left it" grep -qx 'nameserver 10.0.0.3' "$r/etc/resolv.conf"
# /etc now: as before installation, plus the administrator's drop-in, plus the enablement
# of networkd and resolved (deliberately left: the network runs on them).
unrelated() {
    grep -v -e 'amazon-ec2-net-utils\.conf\.d' -e '\bresolv\.conf\b' -e 'systemd-networkd' \
        -e 'systemd-resolved' -e 'network-online\.target\.wants' -e 'sockets\.target\.wants'
}
snap_etc | unrelated >"$work/etc.3"
unrelated <"$work/etc.0" >"$work/etc.0f"
if diff -u "$work/etc.0f" "$work/etc.3"; then ok "/etc otherwise as before installation"; else bad "/etc differs from before installation"; fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
INNER

unshare -m -n --propagation private bash "$work/inner.sh" "$work" "$cached" "$deb" "$deb2" "$resolved" \
    "$here/package-lib.sh"

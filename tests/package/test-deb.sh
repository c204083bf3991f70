#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The .deb: builds it from a copy of the working tree, then checks
#   - it installs exactly the files of `cmake --install` (same paths, types, modes, links);
#   - the Debian build has the 07- file prefix compiled in;
#   - control fields (architecture, dependencies), conffiles, maintainer scripts present;
#   - lintian reports no error (its whole output is shown).
# Usage: test-deb.sh SRC OUTDIR      (the .deb is left in OUTDIR/deb for later tests)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=package-lib.sh
source "$here/package-lib.sh"

src=$(cd "$1" && pwd)
out=$2
pkg_require dpkg-deb lintian
mkdir -p "$out"

# build-deb.sh exits 77 itself when a tool or a build dependency is missing.
rc=0
bash "$here/build-deb.sh" "$src" "$out/deb" | tee "$out/deb.out" || rc=$?
[ "$rc" -eq 0 ] || exit "$rc"
deb=$(tail -n 1 "$out/deb.out")
tree=$out/deb/src/$PKG_NAME
echo "== $deb"
dpkg-deb --info "$deb"

echo "== file list against cmake --install"
rm -rf "$out/deb/root" "$out/deb/control"
dpkg-deb -x "$deb" "$out/deb/root"
dpkg-deb -e "$deb" "$out/deb/control"
pkg_cmake_layout "$tree" "$out/layout"
pkg_list_tree "$out/layout/root" >"$out/layout.list"
pkg_list_tree "$out/deb/root" >"$out/deb.list"
cat "$out/deb.list"
pkg_compare_lists .deb "$out/layout.list" "$out/deb.list"

echo "== Debian specifics"
grep -aq '07-%s.network' "$out/deb/root/usr/libexec/$PKG_NAME/ec2-net-refresh" ||
    pkg_die "ec2-net-refresh was not built with the 07 prefix"
grep -q '07-IFACE.network' "$out/deb/root/usr/share/man/man7/$PKG_NAME.7.gz" 2>/dev/null ||
    zgrep -q '07' "$out/deb/root/usr/share/man/man7/$PKG_NAME.7.gz" 2>/dev/null ||
    [ ! -d "$src/man" ] || pkg_die "the manual does not name the 07 prefix"
echo "ok: 07 prefix"
arch=$(dpkg-deb -f "$deb" Architecture)
[ "$arch" != all ] || pkg_die "Architecture: all for a package with executables"
depends=$(dpkg-deb -f "$deb" Depends)
for d in 'libc6' 'libsystemd0' 'libcurl4' 'libjansson4' 'systemd' 'udev'; do
    grep -qw -- "$d" <<<"$depends" || pkg_die "Depends lacks $d: $depends"
done
echo "ok: Depends: $depends"
# apt installs a new Depends or Recommends on an upgrade: an upgrade from 2.x must not pull
# in systemd-resolved (whose postinst replaces /etc/resolv.conf), so it is only suggested.
for f in Depends Pre-Depends Recommends; do
    ! grep -qw systemd-resolved <<<"$(dpkg-deb -f "$deb" "$f")" || pkg_die "$f names systemd-resolved"
done
grep -qw systemd-resolved <<<"$(dpkg-deb -f "$deb" Suggests)" || pkg_die "Suggests lacks systemd-resolved"
echo "ok: Suggests: $(dpkg-deb -f "$deb" Suggests)"
grep -qx "/etc/$PKG_NAME.conf" "$out/deb/control/conffiles" || pkg_die "/etc/$PKG_NAME.conf is not a conffile"
echo "ok: conffiles: $(tr '\n' ' ' <"$out/deb/control/conffiles")"
for s in preinst postinst prerm postrm; do
    [ -x "$out/deb/control/$s" ] || pkg_die "no $s"
    sh -n "$out/deb/control/$s" || pkg_die "$s: syntax error"
done
echo "ok: maintainer scripts"

echo "== lintian"
# Errors fail the test; warnings and the rest are shown for the record.
if ! lintian --fail-on error --display-info --tag-display-limit 0 "$deb" | tee "$out/lintian.txt"; then
    pkg_die "lintian reports errors"
fi
echo "ok: lintian: $(grep -c '^E:' "$out/lintian.txt" || true) errors, $(grep -c '^W:' "$out/lintian.txt" || true) warnings, $(grep -c '^I:' "$out/lintian.txt" || true) info"
echo "package-deb: passed"

#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Builds the .rpm from the working tree (uncommitted changes included): a tarball
# NAME-VERSION.tar.gz of the tree, then `rpmbuild -bb rpm/amazon-ec2-net-utils.spec`, which
# also runs the unit and generator tests (%check).
#
# Usage: tests/package/build-rpm.sh [SRC [OUTDIR]]
#   SRC     the repository (default: this script's)
#   OUTDIR  rpmbuild's top directory (default: SRC/build/packages/rpm)
# Prints the path of the .rpm on its last line.
#
# On a machine whose rpm database does not know the build dependencies (a Debian build
# machine with the `rpm` package), they are not checked (--nodeps): install the Debian
# build dependencies instead (see debian/control).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=package-lib.sh
source "$here/package-lib.sh"

src=$(cd "${1:-$here/../..}" && pwd)
top=${2:-$src/build/packages/rpm}
mkdir -p "$top"
top=$(cd "$top" && pwd)

pkg_require rpmbuild rpmspec rsync tar cmake

spec=$src/rpm/$PKG_NAME.spec
version=$(rpmspec -q --srpm --qf '%{version}\n' "$spec" 2>/dev/null | head -n 1)
[ -n "$version" ] || pkg_die "cannot read the version from $spec"

rm -rf "$top/BUILD" "$top/BUILDROOT" "$top/RPMS" "$top/SOURCES" "$top/staging"
mkdir -p "$top/SOURCES" "$top/staging"
pkg_copy_tree "$src" "$top/staging/$PKG_NAME-$version"
tar -C "$top/staging" -czf "$top/SOURCES/$PKG_NAME-$version.tar.gz" "$PKG_NAME-$version"
rm -rf "$top/staging"

nodeps=()
if ! rpm -q --quiet rpm 2>/dev/null; then
    nodeps=(--nodeps)   # not an rpm-based system: its rpm database is empty
fi

echo "Building the .rpm in $top (log: $top/build.log)"
if ! rpmbuild -bb "${nodeps[@]}" \
        --define "_topdir $top" \
        --define "_sourcedir $top/SOURCES" \
        "$spec" >"$top/build.log" 2>&1; then
    tail -n 60 "$top/build.log"
    pkg_die "rpmbuild failed (log: $top/build.log)"
fi
grep -E '[0-9]+% tests passed' "$top/build.log" || true
rpm=$(find "$top/RPMS" -name "$PKG_NAME-$version-*.rpm" ! -name '*debug*' | head -n 1)
[ -f "$rpm" ] || pkg_die "no .rpm in $top/RPMS"
echo "$rpm"

#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Builds the .deb from a copy of the working tree (uncommitted changes included), with
# `dpkg-buildpackage -us -uc -b`, which also runs the unit and generator tests.
#
# Usage: tests/package/build-deb.sh [--version VERSION] [SRC [OUTDIR]]
#   SRC     the repository (default: this script's)
#   OUTDIR  where the copy, the log and the .deb go (default: SRC/build/packages/deb)
#   --version VERSION   build as this version (adds a changelog entry in the copy): tests
#                       use it to make an upgrade
# Prints the path of the .deb on its last line.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=package-lib.sh
source "$here/package-lib.sh"

version=
if [ "${1:-}" = --version ]; then
    version=$2; shift 2
fi
src=$(cd "${1:-$here/../..}" && pwd)
out=${2:-$src/build/packages/deb}
mkdir -p "$out"
out=$(cd "$out" && pwd)

pkg_require dpkg-buildpackage dh dpkg-checkbuilddeps rsync cmake

work=$out/src${version:+-$version}
tree=$work/$PKG_NAME
rm -rf "$work"
pkg_copy_tree "$src" "$tree"

if [ -n "$version" ]; then
    maint=$(sed -n 's/^ -- \(.*>\)  .*/\1/p' "$tree/debian/changelog" | head -n 1)
    {
        printf '%s (%s) unstable; urgency=medium\n\n  * Test build.\n\n -- %s  %s\n\n' \
            "$PKG_NAME" "$version" "$maint" "$(date -R)"
        cat "$tree/debian/changelog"
    } >"$tree/debian/changelog.new"
    mv "$tree/debian/changelog.new" "$tree/debian/changelog"
fi

if ! unmet=$(cd "$tree" && dpkg-checkbuilddeps 2>&1); then
    pkg_skip "unmet build dependencies: ${unmet#*: }"
fi

echo "Building the .deb in $tree (log: $work/build.log)"
if ! (cd "$tree" && dpkg-buildpackage -us -uc -b) >"$work/build.log" 2>&1; then
    tail -n 60 "$work/build.log"
    pkg_die "dpkg-buildpackage failed (log: $work/build.log)"
fi
grep -E '^(100% tests passed|[0-9]+% tests passed)|tests failed out of' "$work/build.log" || true
deb=$(find "$work" -maxdepth 1 -name "${PKG_NAME}_*.deb" ! -name "*-dbgsym*" | head -n 1)
[ -f "$deb" ] || pkg_die "no .deb in $work"
echo "$deb"

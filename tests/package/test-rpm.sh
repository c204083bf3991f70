#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The .rpm: builds it from the working tree, then checks
#   - it installs exactly the files of `cmake --install` (same paths, types, modes, links);
#   - the configuration file is %config(noreplace), the requirements name networkd,
#     resolved and udev;
#   - its scriptlets (`rpm -qp --scripts`, shown) are valid sh and only act on removal
#     when $1 is 0; test-maintscripts.sh runs them.
# Usage: test-rpm.sh SRC OUTDIR      (the .rpm is left in OUTDIR/rpm for later tests)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=package-lib.sh
source "$here/package-lib.sh"

src=$(cd "$1" && pwd)
out=$2
pkg_require rpm rpmbuild
mkdir -p "$out"

rc=0
bash "$here/build-rpm.sh" "$src" "$out/rpm" | tee "$out/rpm.out" || rc=$?
[ "$rc" -eq 0 ] || exit "$rc"
rpm=$(tail -n 1 "$out/rpm.out")
echo "== $rpm"
rpm -qip "$rpm"

echo "== rpm -qlp"
rpm -qlp "$rpm"

echo "== file list against cmake --install"
# One line per file or link, as pkg_list_tree writes them.
rpm -qp --qf '[%{FILENAMES}\t%{FILEMODES:octal}\t%{FILELINKTOS}\n]' "$rpm" |
    while IFS=$'\t' read -r path mode target; do
        case "$path" in
            /usr/share/doc/*|/usr/share/licenses/*|/usr/lib/.build-id/*) continue ;;
        esac
        case "$mode" in
            100*) echo "${path%.gz} f ${mode#100}" | sed 's/ f 0*\([0-7][0-7][0-7]\)$/ f \1/' ;;
            120*)
                case "$target" in /*) ;; *) target=$(realpath -m -s "$(dirname "$path")/$target") ;; esac
                echo "${path%.gz} l ${target%.gz}" ;;
        esac
    done | LC_ALL=C sort >"$out/rpm.list"
pkg_cmake_layout "$src" "$out/layout-rpm"
pkg_list_tree "$out/layout-rpm/root" >"$out/layout-rpm.list"
pkg_compare_lists .rpm "$out/layout-rpm.list" "$out/rpm.list"

echo "== rpm specifics"
rpm -qp --qf '[%{FILENAMES} %{FILEFLAGS:fflags}\n]' "$rpm" |
    grep -qx "/etc/$PKG_NAME.conf cn" || pkg_die "/etc/$PKG_NAME.conf is not %config(noreplace)"
echo "ok: /etc/$PKG_NAME.conf is %config(noreplace)"
requires=$(rpm -qp --requires "$rpm")
for r in systemd-networkd systemd-resolved systemd-udev 'libcurl(' 'systemd-libs(' 'libjansson.so'; do
    grep -q -- "$r" <<<"$requires" || pkg_die "the .rpm does not require $r"
done
echo "ok: requires $(grep -v '^rpmlib' <<<"$requires" | tr '\n' ' ')"

echo "== rpm -qp --scripts"
rpm -qp --scripts "$rpm" | tee "$out/rpm-scripts.txt"
for tag in PREIN POSTIN PREUN POSTUN; do
    rpm -qp --qf "%{$tag}\n" "$rpm" >"$out/rpm-$tag.sh"
    [ "$(rpm -qp --qf "%{${tag}PROG}" "$rpm")" = /bin/sh ] || pkg_die "$tag does not run /bin/sh"
    sh -n "$out/rpm-$tag.sh" || pkg_die "$tag: syntax error"
done
# Removal work only under "$1" -eq 0: %preun runs on upgrades too (SPEC §8).
grep -q -- '--cleanup' "$out/rpm-PREUN.sh" || pkg_die "%preun does not ask the product to clean up"
awk '/--cleanup/ { exit !guarded } /"\$1" -eq 0/ { guarded = 1 }' \
    "$out/rpm-PREUN.sh" || pkg_die "%preun removes files outside a \$1 -eq 0 guard"
if grep -n 'resolv.conf' "$out/rpm-POSTUN.sh" "$out/rpm-PREUN.sh" "$out/rpm-PREIN.sh"; then
    pkg_die "a removal or pre-install scriptlet touches resolv.conf"
fi
echo "ok: scriptlets"
echo "package-rpm: passed"

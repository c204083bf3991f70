# shellcheck shell=bash
# SPDX-License-Identifier: Apache-2.0
# Shared by the package tier's scripts: copying the working tree, the reference install
# layout, and file lists that can be compared across .deb, .rpm and `cmake --install`.

PKG_NAME=amazon-ec2-net-utils

pkg_die() { echo "FAIL: $*" >&2; exit 1; }
pkg_skip() { echo "SKIP: $*"; exit 77; }

pkg_require() {   # pkg_require TOOL... : skip (77) naming the Debian packages that bring them
    local t missing=()
    for t in "$@"; do
        command -v "$t" >/dev/null 2>&1 || missing+=("$t")
    done
    [ ${#missing[@]} -eq 0 ] || pkg_skip "missing: ${missing[*]} (apt-get install debhelper \
dpkg-dev fakeroot lintian rpm rsync)"
}

# pkg_copy_tree SRC DST: the working tree as it is (uncommitted changes and new files
# included), without build products and ignored files, so that what is tested is what a
# clean clone with these changes would build.
pkg_copy_tree() {
    local src=$1 dst=$2
    rm -rf "$dst"
    mkdir -p "$dst"
    if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        (cd "$src" && git ls-files -z --cached --others --exclude-standard |
            while IFS= read -r -d '' f; do
                # Deleted but not yet committed: not part of the tree.
                [ -e "$f" ] || [ -L "$f" ] || continue
                case "$f" in
                    obj-*/*|debian/.debhelper/*|debian/$PKG_NAME/*|debian/tmp/*|debian/files|\
                    debian/*.substvars|debian/debhelper-build-stamp|debian/*.debhelper|\
                    debian/*.debhelper.log) continue ;;
                esac
                printf '%s\0' "$f"
            done) | rsync -a --from0 --files-from=- "$src/" "$dst/"
    else
        rsync -a --exclude='/build*/' --exclude='/obj-*/' --exclude='/debian/.debhelper/' \
            --exclude="/debian/$PKG_NAME/" --exclude='/debian/tmp/' --exclude='/debian/files' \
            --exclude='/debian/*.substvars' --exclude='/debian/debhelper-build-stamp' \
            --exclude='/debian/*.debhelper' --exclude='/debian/*.debhelper.log' \
            --exclude='node_modules/' --exclude='__pycache__/' "$src/" "$dst/"
    fi
}

# pkg_cmake_layout SRC WORKDIR: installs SRC with the default options into WORKDIR/root, the
# layout every package must reproduce.
pkg_cmake_layout() {
    local src=$1 work=$2
    rm -rf "$work"
    if ! { cmake -S "$src" -B "$work/build" -DENABLE_TESTS=OFF &&
           cmake --build "$work/build" -j "$(nproc)" &&
           DESTDIR="$work/root" cmake --install "$work/build"; } >"$work.log" 2>&1; then
        tail -n 30 "$work.log"
        pkg_die "cmake --install of $src failed (log: $work.log)"
    fi
}

# pkg_list_tree ROOT: one line per file or link under ROOT, "PATH f MODE" or "PATH l TARGET"
# (TARGET made absolute), sorted. Package-only additions are left out: the documentation
# directories, lintian overrides, build-id links; man pages are compared without the
# compression suffix the packaging tools add.
pkg_list_tree() {
    local root=$1 path rel target
    (cd "$root" && find . \( -type f -o -type l \) -printf '%P\n') | LC_ALL=C sort |
    while IFS= read -r rel; do
        path=/$rel
        case "$path" in
            /usr/share/doc/*|/usr/share/licenses/*|/usr/share/lintian/*|/usr/lib/.build-id/*) continue ;;
        esac
        if [ -L "$root$path" ]; then
            target=$(readlink "$root$path")
            case "$target" in
                /*) ;;
                *) target=$(realpath -m -s "$(dirname "$path")/$target") ;;
            esac
            target=${target%.gz}
            echo "${path%.gz} l $target"
        else
            echo "${path%.gz} f $(stat -c %a "$root$path")"
        fi
    done | LC_ALL=C sort
}

# pkg_compare_lists NAME EXPECTED ACTUAL: prints the difference and fails when there is one.
pkg_compare_lists() {
    local name=$1 expected=$2 actual=$3
    if ! diff -u "$expected" "$actual" >"$actual.diff"; then
        echo "--- cmake --install    +++ $name"
        cat "$actual.diff"
        pkg_die "$name does not install the same files as cmake --install"
    fi
    echo "ok: $name installs the same $(wc -l <"$actual") files as cmake --install"
}

# --- a running instance's /run, for the removal tests --------------------------------------

PKG_GOLDEN_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../golden" && pwd)

# pkg_put_generated NETWORK_DIR PREFIX: what the product generates for two ENIs, byte for byte
# as its renderer writes them (the golden files the unit tier compares the renderer with):
# ens5, the primary (.network, eni.conf, alias), and ens6 with rules for IPv4 and IPv6.
pkg_put_generated() {
    local dir=$1 prefix=$2 case iface f
    for case in primary-dual-stack:ens5 secondary-ips-and-prefixes:ens6; do
        iface=${case#*:}
        mkdir -p "$dir/$prefix-$iface.network.d"
        # Replacing whatever is there (2.x's link to 80-ec2.network is never written through).
        rm -f "$dir/$prefix-$iface.network"
        cp "$PKG_GOLDEN_DIR/${case%%:*}/expected/70-$iface.network" "$dir/$prefix-$iface.network"
        for f in "$PKG_GOLDEN_DIR/${case%%:*}/expected/70-$iface.network.d"/*; do
            rm -f "$dir/$prefix-$iface.network.d/${f##*/}"
            cp "$f" "$dir/$prefix-$iface.network.d/"
        done
    done
    chmod 0644 "$dir/$prefix"-ens[56].network "$dir/$prefix"-ens[56].network.d/*
}

# pkg_put_legacy NETWORK_DIR PREFIX IFACE MAC: what 2.x's setup-policy-routes leaves for an
# ENI (its lib/lib.sh): PREFIX-IFACE.network a link to 80-ec2.network, eni.conf naming its
# unit on the first line, rules without a header. 2.x used 70, Debian's later builds 07.
pkg_put_legacy() {
    local dir=$1 prefix=$2 iface=$3 mac=$4
    mkdir -p "$dir/$prefix-$iface.network.d"
    ln -sfn /usr/lib/systemd/network/80-ec2.network "$dir/$prefix-$iface.network"
    printf '# Configuration for %s generated by policy-routes@%s.service\n[Match]\nMACAddress=%s\n[Network]\nDHCP=yes\n' \
        "$iface" "$iface" "$mac" >"$dir/$prefix-$iface.network.d/eni.conf"
    printf '[RoutingPolicyRule]\nFrom=10.0.2.10\nPriority=10002\nTable=10002\n' \
        >"$dir/$prefix-$iface.network.d/ec2net_policy_4.conf"
}

# --- Debian's 2.x ----------------------------------------------------------------------------

# The version of amazon-ec2-net-utils Debian 12 ships (bash 2.x), and where its .deb and what
# it needs beyond the system tier's cached root (curl) are kept between runs: next to that
# root. Downloaded once from the mirror apt uses (`apt-get download`).
PKG_LEGACY_VERSION=2.3.0-3
PKG_LEGACY_DIR=${SYS_CACHE_DIR:-/var/cache/ec2net-system-tests}/legacy

# pkg_legacy_fetch PACKAGE=VERSION: the .deb of that version in PKG_LEGACY_DIR (printed).
pkg_legacy_fetch() {
    local spec=$1 name=${1%%=*} version=${1#*=} deb
    deb=$(find "$PKG_LEGACY_DIR" -maxdepth 1 -name "${name}_${version//:/%3a}_*.deb" 2>/dev/null | head -n 1)
    if [ -z "$deb" ]; then
        mkdir -p "$PKG_LEGACY_DIR"
        (cd "$PKG_LEGACY_DIR" && flock .lock apt-get download -q "$spec" >/dev/null 2>&1) || return 1
        deb=$(find "$PKG_LEGACY_DIR" -maxdepth 1 -name "${name}_${version//:/%3a}_*.deb" | head -n 1)
    fi
    [ -n "$deb" ] && echo "$deb"
}

pkg_legacy_deb() { pkg_legacy_fetch "$PKG_NAME=$PKG_LEGACY_VERSION"; }

#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Generator golden tests (SPEC §5): each cases/NAME/ holds
#   interfaces   lines "NAME DRIVER MAC" for a fake sysfs ("-" as DRIVER: no driver link,
#                "-" as MAC: no address file)
#   cmdline      the kernel command line (optional)
#   config       the configuration file (optional; may hold garbage on purpose)
#   expected/    the tree the generator must produce (symlinks compared by target)
# The generator runs under strace: it must open no socket and start no program.
# Usage: run-generator-tests.sh GENERATOR_BINARY [UNIT_DIR]
#        run-generator-tests.sh --update GENERATOR_BINARY [UNIT_DIR]
# The test only compares. --update (what tests/update-golden.sh runs) rewrites every
# expected/ from the generator's output and checks nothing: review its diff.
set -u
update=
if [ "${1:-}" = --update ]; then update=1; shift; fi
gen=$1
unit_dir=${2:-/usr/lib/systemd/system}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

if [ "$unit_dir" != /usr/lib/systemd/system ]; then
    echo "expected trees assume units in /usr/lib/systemd/system, built with $unit_dir: skipping"
    exit 77
fi

# Without strace the check that the generator opens no socket and starts no program would
# not run: that is a skip, not a pass. A sanitizer build sets EC2NET_TEST_NO_STRACE (LeakSanitizer cannot run
# under ptrace) and checks memory instead.
if [ -z "$update" ] && [ -z "${EC2NET_TEST_NO_STRACE:-}" ] && ! command -v strace >/dev/null; then
    echo "strace is not installed (tests/install-deps.sh installs it): skipping"
    exit 77
fi

make_sysfs() {   # make_sysfs ROOT < interfaces
    local root=$1 name driver mac
    mkdir -p "$root/class/net" "$root/bus/pci/drivers"
    while read -r name driver mac; do
        [ -n "$name" ] && [ "${name:0:1}" != "#" ] || continue
        mkdir -p "$root/class/net/$name"
        if [ "$driver" != - ]; then
            mkdir -p "$root/devices/$name" "$root/bus/pci/drivers/$driver"
            ln -s "../../../bus/pci/drivers/$driver" "$root/devices/$name/driver"
            ln -s "../../../devices/$name" "$root/class/net/$name/device"
        fi
        [ "$mac" = - ] || printf '%s\n' "$mac" > "$root/class/net/$name/address"
    done
}

for case_dir in "$here"/cases/*/; do
    name=$(basename "$case_dir")
    work=$tmp/$name
    mkdir -p "$work/out/normal" "$work/out/early" "$work/out/late"
    make_sysfs "$work/sys" < "$case_dir/interfaces"
    if [ -f "$case_dir/cmdline" ]; then cp "$case_dir/cmdline" "$work/cmdline"; else echo "root=/dev/vda1 ro" > "$work/cmdline"; fi
    if [ -f "$case_dir/config" ]; then cp "$case_dir/config" "$work/config"; fi

    trace=()
    # A sanitizer build checks memory instead: LeakSanitizer cannot run under ptrace.
    if [ -z "$update" ] && [ -z "${EC2NET_TEST_NO_STRACE:-}" ]; then
        trace=(strace -f -qq -o "$work/strace" -e trace=socket,connect,execve,execveat,fork,vfork,clone,clone3,open,openat)
    fi
    EC2NET_SYSFS_ROOT=$work/sys EC2NET_KERNEL_CMDLINE=$work/cmdline EC2NET_CONFIG=$work/config \
        "${trace[@]}" "$gen" "$work/out/normal" "$work/out/early" "$work/out/late" 2>"$work/stderr"
    rc=$?

    if [ -n "$update" ]; then
        rm -rf "$case_dir/expected" && cp -a "$work/out/normal" "$case_dir/expected" &&
            echo "updated ${case_dir%/}/expected (generator exit code $rc)"
        continue
    fi
    problems=()
    [ $rc -eq 0 ] || problems+=("exit code $rc")
    mkdir -p "$case_dir/expected"
    if ! d=$(diff -r --no-dereference "$case_dir/expected" "$work/out/normal" 2>&1); then
        problems+=("tree differs: $d")
    fi
    [ -z "$(find "$work/out/early" "$work/out/late" -mindepth 1)" ] || problems+=("wrote into the early or late directory")
    if [ -f "$work/strace" ]; then
        n_exec=$(grep -c 'execve(' "$work/strace")
        [ "$n_exec" -eq 1 ] || problems+=("started a program ($n_exec execve)")
        # Boot's critical path loads no HTTP/TLS stack (libcurl is loaded only by the IMDS client).
        if grep -E 'open(at)?\(.*(libcurl|libssl|libcrypto|libgnutls)' "$work/strace" >/dev/null; then
            problems+=("loaded an HTTP/TLS library: $(grep -E 'libcurl|libssl|libcrypto|libgnutls' "$work/strace" | head -2)")
        fi
        if grep -E 'socket\(|connect\(|fork\(|clone3?\(' "$work/strace" >/dev/null; then
            problems+=("opened a socket or forked: $(grep -E 'socket\(|connect\(|fork\(|clone' "$work/strace" | head -3)")
        fi
    fi
    if [ ${#problems[@]} -eq 0 ]; then
        pass=$((pass + 1)); echo "ok: $name"
    else
        fail=$((fail + 1)); echo "FAIL: $name"; printf '  %s\n' "${problems[@]}"; sed 's/^/  stderr: /' "$work/stderr"
    fi
done

if [ -n "$update" ]; then
    echo "expected trees rewritten: review the diff (git diff $here/cases) before committing"
    exit 0
fi

# The generator never fails boot, even used wrongly.
"$gen" >/dev/null 2>&1; [ $? -eq 2 ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: usage error exit code"; }
"$gen" /nonexistent/dir /x /y 2>/dev/null; [ $? -eq 0 ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: missing output dir must not fail boot"; }

# Neither the generator nor the udev helper has libcurl or libsystemd among its shared
# libraries (both are loaded where they are used).
for bin in "$gen" "$(dirname "$gen")/ec2-net-hotplug"; do
    if needed=$(readelf -d "$bin" | grep NEEDED) && ! grep -qE 'libcurl|libssl|libcrypto|libsystemd' <<<"$needed"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1)); echo "FAIL: $(basename "$bin") links an HTTP/TLS library: $needed"
    fi
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

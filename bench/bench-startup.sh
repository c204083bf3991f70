#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# What the programs on the boot and hot-plug paths cost to start and run (issue 11): the
# systemd generator with 4 ENIs on a read-only sysfs, and the udev helper for an event that
# is not an ENI's (every docker veth, every bridge) and for an ENI's add. Best and median of
# 20 runs (hyperfine), the shared libraries each program loads, and under strace the sockets
# opened and programs started. Nothing leaves the machine: the generator does no network
# I/O, and the udev helper talks to a private dbus-daemon started here (stopped by PID).
#
#   sudo bash bench/bench-startup.sh --build-dir BUILD [--baseline-build-dir OLD] [--runs 20]
#
# Prints a Markdown section on standard output.
set -euo pipefail
BUILD="" BASE="" RUNS=20
while [ $# -gt 0 ]; do
    case $1 in
        --build-dir) BUILD=$2; shift 2 ;;
        --baseline-build-dir) BASE=$2; shift 2 ;;
        --runs) RUNS=$2; shift 2 ;;
        *) echo "usage: $0 --build-dir BUILD [--baseline-build-dir OLD] [--runs N]" >&2; exit 2 ;;
    esac
done
[ -n "$BUILD" ] || { echo "$0: --build-dir is required" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "$0 needs root (a private mount namespace)" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "$0: hyperfine is missing (apt-get install hyperfine)" >&2; exit 1; }
command -v dbus-daemon >/dev/null || { echo "$0: dbus-daemon is missing" >&2; exit 1; }

work=$(mktemp -d /tmp/ec2net-bench-startup.XXXXXX)
bus_pid=""
cleanup() {
    [ -z "$bus_pid" ] || kill "$bus_pid" 2>/dev/null || true
    umount -l "$work/t" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# A tmpfs for the fake sysfs (made read-only once filled) and the generator's output.
mkdir -p "$work/t"
mount -t tmpfs tmpfs "$work/t"
sys=$work/t/sys
mkdir -p "$sys/class/net" "$sys/bus/pci/drivers/ena"
for i in 5 6 7 8; do
    mkdir -p "$sys/devices/pci0000:00/0000:00:0$i.0" "$sys/class/net/ens$i"
    ln -s "../../../../bus/pci/drivers/ena" "$sys/devices/pci0000:00/0000:00:0$i.0/driver"
    ln -s "../../../devices/pci0000:00/0000:00:0$i.0" "$sys/class/net/ens$i/device"
    printf '02:00:00:00:00:0%s\n' "$i" > "$sys/class/net/ens$i/address"
done
mkdir -p "$sys/class/net/veth9"                          # a virtual link: no driver link
printf '02:00:00:00:00:99\n' > "$sys/class/net/veth9/address"
mount --bind "$sys" "$sys" && mount -o remount,bind,ro "$sys"
: > "$work/none.conf"
echo "root=/dev/vda1 ro" > "$work/cmdline"
export EC2NET_SYSFS_ROOT=$sys EC2NET_KERNEL_CMDLINE=$work/cmdline EC2NET_CONFIG=$work/none.conf
export EC2NET_RUNTIME_DIR=$work/t/run EC2NET_NETWORK_DIR=$work/t/network EC2NET_STATE_DIR=$work/t/state

# A private system bus with nobody behind org.freedesktop.systemd1: StartUnit is answered
# at once with an error, so what is measured is the helper, not systemd.
cat > "$work/bus.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>system</type><listen>unix:path=$work/bus.sock</listen><auth>EXTERNAL</auth>
<policy context="default"><allow send_destination="*"/><allow own="*"/><allow receive_sender="*"/></policy>
</busconfig>
CONF
dbus-daemon --nofork --nopidfile --config-file "$work/bus.conf" 2>/dev/null &
bus_pid=$!
for _ in $(seq 100); do [ -S "$work/bus.sock" ] && break; sleep 0.05; done
export DBUS_SYSTEM_BUS_ADDRESS=unix:path=$work/bus.sock

# best and median wall time in ms of a command, from hyperfine's JSON
time_of() {   # time_of NAME PREPARE COMMAND
    # -i: the helper's StartUnit is refused (nobody is systemd on this bus); its cost is the same
    hyperfine -N -i --warmup 5 --runs "$RUNS" --prepare "sh -c '$2'" --export-json "$work/$1.json" "$3" >/dev/null 2>&1 ||
        { echo "n/a n/a"; return; }
    python3 -c 'import json,sys,statistics as s; r=json.load(open(sys.argv[1]))["results"][0]["times"]; print("%.2f %.2f" % (min(r)*1e3, s.median(r)*1e3))' "$work/$1.json"
}
libs_of() { ldd "$1" | grep -c '=>'; }
loads_tls() {   # does a run open libcurl or a TLS library?
    strace -f -qq -e trace=open,openat -o "$work/trace" "$@" >/dev/null 2>&1 || true
    grep -qE 'libcurl|libssl|libcrypto|libgnutls' "$work/trace" && echo yes || echo no
}
sockets_and_execs() {
    strace -f -qq -e trace=socket,execve,fork,vfork,clone,clone3 -o "$work/trace" "$@" >/dev/null 2>&1 || true
    echo "$(grep -c 'socket(' "$work/trace") / $(( $(grep -c 'execve(' "$work/trace") - 1 ))"
}

row() {   # row BUILD LABEL
    local b=$1 gen=$1/generators/ec2-net-generator hp=$1/generators/ec2-net-hotplug out=$work/t/out
    local g v e
    g=$(time_of "gen-$2" "rm -rf $out; mkdir -p $out" "$gen $out $out $out")
    v=$(time_of "veth-$2" "true" "$hp add veth9")
    e=$(time_of "eni-$2" "true" "$hp add ens5")
    rm -rf "$out"; mkdir -p "$out"
    printf '| %s | %s · %s | %s · %s | %s · %s | %s · %s | %s | %s · %s |\n' "$2" \
        "${g% *}" "${g#* }" "${v% *}" "${v#* }" "${e% *}" "${e#* }" \
        "$(libs_of "$gen")" "$(loads_tls "$gen" "$out" "$out" "$out")" \
        "$(sockets_and_execs "$gen" "$out" "$out" "$out")" "$(libs_of "$hp")" "$(loads_tls "$hp" add ens5)"
}

echo "### Boot and hot-plug path: program start (best · median of $RUNS runs, ms)"
echo
echo "| build | generator, 4 ENIs, read-only sysfs | udev helper, \`add\` of a non-ENI link | udev helper, \`add\` of an ENI (StartUnit over D-Bus) | generator: shared libraries · loads HTTP/TLS | generator: sockets / programs started | udev helper: shared libraries · loads HTTP/TLS |"
echo "| --- | ---: | ---: | ---: | --- | --- | --- |"
row "$BUILD" "this build"
[ -z "$BASE" ] || row "$BASE" "baseline ($(basename "$BASE"))"
echo
echo "Machine: $(nproc) cores, $(uname -r); hyperfine $(hyperfine --version | awk '{print $2}')."

#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The command line of ec2-net-refresh / setup-policy-routes: usage errors exit 2 with a
# clear message and touch nothing; no-op actions exit 0. Everything that could reach IMDS or
# a bus is pointed at loopback ports and paths that do not exist, so nothing leaves.
set -u
bin_dir=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

export EC2NET_IMDS_ENDPOINTS=http://127.0.0.1:1
export EC2NET_RUNTIME_DIR=$tmp/run EC2NET_NETWORK_DIR=$tmp/network EC2NET_STATE_DIR=$tmp/state EC2NET_CONFIG=$tmp/none.conf
export DBUS_SYSTEM_BUS_ADDRESS=unix:path=$tmp/no-bus
pass=0 fail=0 skipped=

check() {   # check EXPECTED_RC STDERR_PATTERN -- ARGS...
    local want=$1 pattern=$2; shift 3
    local out rc
    out=$("$@" 2>&1); rc=$?
    if [ "$rc" -eq "$want" ] && { [ -z "$pattern" ] || grep -q -- "$pattern" <<<"$out"; }; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1)); echo "FAIL: $* -> rc=$rc (want $want), output: $out"
    fi
}

spr=$bin_dir/setup-policy-routes
# `start` of an interface that never appears: a deadline passed (exit 3) after the link wait
# (10 s), saying so. In a network namespace of its own; in the background meanwhile.
if [ "$(id -u)" -eq 0 ]; then
    unshare -n "$spr" ens9 start >"$tmp/absent.out" 2>&1 &
    absent_pid=$!
fi
check 2 "Missing interface name" -- "$spr"
check 2 "Invalid interface name" -- "$spr" "" start
check 2 "Invalid interface name" -- "$spr" ../x start
check 2 "Invalid interface name" -- "$spr" ../../etc refresh
check 2 "Invalid interface name" -- "$spr" abcdefghijklmnop start
check 2 "Invalid interface name" -- "$spr" a/b start
check 2 "Invalid interface name" -- "$spr" "eth0 x" start
check 2 "Invalid interface name" -- "$spr" $'eth0\n[Network]' start
check 2 "" -- "$spr" -x start
# A newline in a name cannot forge a second log line: it is printed escaped, on one line.
for prog in "$spr" "$bin_dir/ec2-net-hotplug"; do
    args=("$prog" $'eth0\nforged: line' start)
    [ "$prog" = "$spr" ] || args=("$prog" add $'eth0\nforged: line')
    out=$("${args[@]}" 2>&1)
    if [ "$(wc -l <<<"$out")" -eq 1 ] && grep -qF 'eth0\x0aforged: line' <<<"$out"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1)); echo "FAIL: $prog printed the name unescaped: $out"
    fi
done
# ec2-net-hotplug: the MAC of a remove comes from udev's database and is validated too.
hp=$bin_dir/ec2-net-hotplug
check 2 "Invalid MAC address" -- "$hp" remove eth0 0e:00:00:00:00
check 2 'Invalid MAC address "0e:00:00:00:00:0a\\x0a\[Match\]"' -- "$hp" remove eth0 $'0e:00:00:00:00:0a\n[Match]'
check 2 "Usage" -- "$hp" add eth0 0e:00:00:00:00:0a
check 2 "Usage" -- "$hp" remove eth0 0e:00:00:00:00:0a extra
check 2 "Unknown action" -- "$spr" eth0 explode
check 2 "Too many arguments" -- "$spr" eth0 start now
check 0 "" -- "$spr" eth0 stop
check 0 "" -- "$spr" eth0 cleanup
check 0 "start|refresh|remove" -- "$spr" --help
check 0 "amazon-ec2-net-utils" -- "$bin_dir/ec2-net-refresh" --version
# A refresh of an interface that does not exist is a quiet no-op (SPEC §6).
mkdir -p "$tmp/run"
echo yes >"$tmp/run/imds-unavailable"
check 0 "" -- "$spr" nosuchif0 refresh
out=$("$spr" nosuchif0 refresh 2>&1)
[ -z "$out" ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: refresh of a missing interface is not quiet: $out"; }
# ... and it never asked IMDS: the mark that IMDS has not answered since boot stays.
[ -e "$tmp/run/imds-unavailable" ] && pass=$((pass + 1)) ||
    { fail=$((fail + 1)); echo "FAIL: a refresh of a missing interface cleared the IMDS-unavailable mark"; }
rm -f "$tmp/run/imds-unavailable"
# Disabled by configuration: nothing is done, exit 0.
printf '[Main]\nEnable=no\n' > "$tmp/none.conf"
check 0 "disabled" -- "$spr" lo start
rm -f "$tmp/none.conf"
# set-hostname-imds leaves a static hostname that is already set alone, without asking IMDS.
echo "my-host" > "$tmp/hostname"
EC2NET_HOSTNAME_FILE=$tmp/hostname check 0 "already set" -- "$bin_dir/set-hostname-imds"
# A runtime directory this process cannot write (a wrong ReadWritePaths=, an SELinux or
# AppArmor denial; here: a user that does not own it) is a local failure: exit 1 with the
# path in the message, never "IMDS is disabled" and exit 0. In a network namespace of its
# own with one veth link, so that the run gets as far as it can.
if [ "$(id -u)" -eq 0 ]; then
    ro=$(mktemp -d); chmod 755 "$ro"; mkdir -m 755 "$ro/run"
    for action in refresh start; do
        out=$(EC2NET_RUNTIME_DIR=$ro/run EC2NET_NETWORK_DIR=$ro/network EC2NET_STATE_DIR=$ro/state EC2NET_CONFIG=$ro/none.conf \
              unshare -n sh -c 'ip link add ens9 type veth peer name ens9p && ip link set ens9 up &&
                                exec setpriv --reuid=65534 --regid=65534 --clear-groups "$0" ens9 "$1"' \
              "$spr" "$action" 2>&1)
        rc=$?
        if [ "$rc" -eq 1 ] && grep -q "Cannot write to the runtime directory $ro/run: Permission denied" <<<"$out" &&
           ! grep -qi "IMDS" <<<"$out"; then
            pass=$((pass + 1))
        else
            fail=$((fail + 1)); echo "FAIL: $action with an unwritable runtime directory -> rc=$rc: $out"
        fi
    done
    rm -rf "$ro"
else
    skipped=1; echo "SKIP: the unwritable-runtime-directory check needs root (a network namespace, another user)"
fi
if [ -n "${absent_pid:-}" ]; then
    wait "$absent_pid"; rc=$?
    if [ "$rc" -eq 3 ] && grep -q "ens9: the interface did not appear in time" "$tmp/absent.out"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1)); echo "FAIL: start of an interface that never appears -> rc=$rc: $(cat "$tmp/absent.out")"
    fi
fi
# ... and one it cannot read, which may hold a name: a warning naming the path and the
# reason, exit 0, IMDS not asked (it is unreachable here: asking would fail the run).
ln -s hostname "$tmp/hostname-link"
EC2NET_HOSTNAME_FILE=$tmp/hostname-link check 0 \
    "Cannot read $tmp/hostname-link (it is a symbolic link); leaving the hostname alone" -- "$bin_dir/set-hostname-imds"
head -c 5000 /dev/zero | tr '\0' ' ' >"$tmp/hostname-big"
EC2NET_HOSTNAME_FILE=$tmp/hostname-big check 0 \
    "Cannot read $tmp/hostname-big (it is larger than 4096 bytes)" -- "$bin_dir/set-hostname-imds"
# Nothing was written by any of these.
if [ -e "$tmp/network" ]; then fail=$((fail + 1)); echo "FAIL: files written: $(find "$tmp/network")"; else pass=$((pass + 1)); fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] || exit 1
[ -z "${skipped:-}" ] || exit 77

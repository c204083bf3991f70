#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# `ec2-net-generator --is-enabled`, what the maintainer scripts ask instead of parsing the
# configuration themselves: "enabled" and exit 0, or "disabled by WHAT" and exit 1, from the
# main file, the drop-ins (in C lexical order whatever the locale) and the kernel command
# line, read by the same code as the generator. Paths come from the test overrides.
set -u
gen=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
conf=$tmp/main.conf
export EC2NET_CONFIG=$conf EC2NET_KERNEL_CMDLINE=$tmp/cmdline
pass=0 fail=0

# reset: no configuration at all, a command line without our option.
reset() {
    rm -rf "$conf" "$conf.d"
    echo 'BOOT_IMAGE=/vmlinuz root=/dev/nvme0n1p1 ro console=ttyS0' >"$tmp/cmdline"
}
dropin() {   # dropin NAME TEXT
    mkdir -p "$conf.d"
    printf '%b' "$2" >"$conf.d/$1"
}
check() {   # check WHAT EXPECTED_RC EXPECTED_STDOUT
    local out rc
    out=$("$gen" --is-enabled 2>"$tmp/stderr"); rc=$?
    if [ "$rc" -eq "$2" ] && [ "$out" = "$3" ]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL: $1: rc=$rc (want $2), stdout '$out' (want '$3'), stderr: $(cat "$tmp/stderr")"
    fi
}

reset
check "no configuration" 0 enabled

printf '[Main]\nEnable=no\n' >"$conf"
check "main file" 1 "disabled by [Main] Enable=no in $conf:2"

reset
printf '# defaults\n[Main]\n#Enable=no\n' >"$conf"
dropin 50-off.conf '# off\n[Main]\n  Enable = Off \n'
check "drop-in" 1 "disabled by [Main] Enable=Off in $conf.d/50-off.conf:3"

# Only *.conf, no dot files; the last valid assignment wins; bad values change nothing.
reset
printf '[Main]\nEnable=no\n' >"$conf"
dropin 10-on.conf '[Main]\nEnable=yes\n'
dropin 20-bad.conf '[Main]\nEnable=maybe\n[Other]\nEnable=no\n[Main]\nEnable\n'
dropin 30-off.conf.disabled '[Main]\nEnable=no\n'
dropin .40-off.conf '[Main]\nEnable=no\n'
check "re-enabled by a drop-in, the rest ignored" 0 enabled
grep -q "Enable= value 'maybe'" "$tmp/stderr" && pass=$((pass + 1)) ||
    { fail=$((fail + 1)); echo "FAIL: the bad value is not warned about on stderr: $(cat "$tmp/stderr")"; }

# An empty assignment resets to the default (yes).
reset
dropin 10-off.conf '[Main]\nEnable=no\n'
dropin 20-reset.conf '[Main]\nEnable=\n'
check "reset by an empty assignment" 0 enabled

# C order: "B.conf" sorts before "a.conf", so a.conf is read last and wins (a shell glob
# in most locales would put B.conf last).
reset
dropin a.conf '[Main]\nEnable=yes\n'
dropin B.conf '[Main]\nEnable=no\n'
check "drop-in order" 0 enabled
rm "$conf.d/a.conf"
check "upper-case drop-in alone" 1 "disabled by [Main] Enable=no in $conf.d/B.conf:2"

reset
echo 'root=/dev/nvme0n1p1 ro ec2net.enable=0 quiet' >"$tmp/cmdline"
check "kernel command line" 1 "disabled by ec2net.enable=0 on the kernel command line"
echo 'ro "ec2net.enable=false"' >"$tmp/cmdline"
check "kernel command line, quoted" 1 "disabled by ec2net.enable=0 on the kernel command line"
echo 'ro ec2net.enable=0 ec2net.enable=1' >"$tmp/cmdline"
check "kernel command line, last wins" 0 enabled
echo 'ro ec2net.enable=maybe' >"$tmp/cmdline"
check "kernel command line, not a boolean" 0 enabled

# Both: the configuration is named (it is what an administrator would change for good).
printf '[Main]\nEnable=0\n' >"$conf"
echo 'ro ec2net.enable=0' >"$tmp/cmdline"
check "configuration and command line" 1 "disabled by [Main] Enable=0 in $conf:2"

# Not a mode to combine with anything.
out=$("$gen" --is-enabled extra 2>&1); rc=$?
[ "$rc" -eq 2 ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: --is-enabled extra -> rc=$rc: $out"; }

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

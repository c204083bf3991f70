#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Switching a running instance from Debian's 2.x to this package and back (SPEC §10, issue
# 12), as an operator does it with apt, under a real systemd: the system tier's Debian 12
# container (tests/system/system.sh), booted with amazon-ec2-net-utils 2.3.0-3 installed from
# the distribution and its three ENIs configured by it, then
#   upgrade   apt-get install ./amazon-ec2-net-utils_3*.deb
#   tick      the refresh timers' next run: on this networkd (252) the product leaves each
#             ENI on 2.x's files (DeferTakeOver=auto, deferred-takeover.h)
#   change    an address assigned to ens6 in EC2: its refresh moves every ENI to the
#             product's files in one networkd reload
#   reboot    a fresh boot of the product
#   downgrade apt-get install --allow-downgrades ./amazon-ec2-net-utils_2.3.0-3_all.deb
#   tick      2.x's refresh timers' next run
#   reinstall apt-get install ./amazon-ec2-net-utils_3*.deb, and its ticks (deferred again)
#   purge     apt-get purge amazon-ec2-net-utils
# and at every stage: no failed or stale unit, the system running; each ENI on one version's
# files only (networkd's own account of the .network it applies), none of the other version
# beside them; every source address of every ENI reaches the remote host through its own
# ENI (a probe from each, the VPC source check counting what leaves through the wrong ENI);
# no change to name resolution or the hostname; and after the move the kernel state equal to
# that of a fresh boot of the product. A probe runs through each transition: the upgrade,
# its ticks, 2.x's ticks, the reinstall and the purge lose nothing (asserted); the move
# and the downgrade switch running links to other files, which makes networkd 252 restart
# their DHCP (bench/networkd-switch.md): their losses are printed, not asserted.
#
# The refresh timers tick every 10 s here (a drop-in for both versions), and the ENIs are
# veths: 2.x's 80-ec2.network, which its PREFIX-IFACE.network links to, is diverted and
# replaced by the same file for driver veth; a unit stands in for udev's coldplug and runs
# the RUN+= of whichever package's rule is installed, for each ENI, as udev would at boot.
# ens6's units are also enabled in /etc, as `systemctl enable` makes them.
#
# Usage: test-upgrade-2x.sh --build-dir BUILD OUTDIR    (OUTDIR of test-deb.sh)
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=package-lib.sh
source "$here/package-lib.sh"
[ "${1:-}" = --build-dir ] || { echo "usage: $0 --build-dir BUILD OUTDIR" >&2; exit 2; }
build=$2 out=${3:?usage: $0 --build-dir BUILD OUTDIR}
out=$(cd "$out" && pwd)
deb=$(find "$out/deb/src" -maxdepth 1 -name "${PKG_NAME}_3*.deb" 2>/dev/null | head -n 1)
[ -n "$deb" ] || pkg_skip "no .deb in $out/deb (run package-deb first)"
# shellcheck source=../system/system.sh
source "$here/../system/system.sh"
sys_init --build-dir "$build"

legacy=$(pkg_legacy_deb) || lab_die "cannot get Debian's $PKG_NAME $PKG_LEGACY_VERSION (apt-get download)"
# 2.x depends on curl, which the cached root lacks: the one that goes with its libcurl4.
# shellcheck disable=SC2016 # a dpkg-query format
curlver=$(chroot "$SYS_ROOT" dpkg-query -W -f '${Version}' libcurl4)
curl=$(pkg_legacy_fetch "curl=$curlver") || lab_die "cannot get curl $curlver (apt-get download)"

lab_load "$SYS_LIB_DIR/scenarios/three-enis-and-one-later.json"
ENIS=(ens5 ens6 ens7)
NET=/run/systemd/network
TICK=10

# --- the image: Debian 12 with 2.3.0-3 ----------------------------------------------------
sys_vpc_up
sys_prepare --no-product
cp "$legacy" "$curl" "$deb" "$SYS_MERGED/var/cache/"
OURS=/var/cache/${deb##*/} LEGACY=/var/cache/${legacy##*/}
# 2.x's links point at its 80-ec2.network, which matches ena/ixgbevf/vif: the test's ENIs
# are veths. Diverted (for every package) and replaced by the same file for driver veth.
chroot "$SYS_MERGED" dpkg-divert --local --rename --divert /usr/lib/systemd/network/80-ec2.network.vendor \
    --add /usr/lib/systemd/network/80-ec2.network >/dev/null || lab_die "dpkg-divert"
dpkg-deb --fsys-tarfile "$legacy" | tar -xO ./usr/lib/systemd/network/80-ec2.network |
    sed 's/^Driver=.*/Driver=veth/' | sys_root_file /usr/lib/systemd/network/80-ec2.network
# In a network namespace of its own with only a loopback: 2.x's maintainer scripts may try
# IMDS, and nothing of theirs may leave through the machine's network.
unshare -n chroot "$SYS_MERGED" env DEBIAN_FRONTEND=noninteractive dpkg -i "/var/cache/${curl##*/}" "$LEGACY" \
    >"$LAB_DIR/image.log" 2>&1 || { cat "$LAB_DIR/image.log"; lab_die "installing 2.x into the image"; }
# No package lists: the container has no network, and apt is to take the local .debs
# (the mirror has 2.3.0-3 too).
rm -rf "$SYS_MERGED"/var/lib/apt/lists/*
# What an instance has that the upgrade must leave alone: a plain resolv.conf, a hostname.
rm -f "$SYS_MERGED/etc/resolv.conf"
echo 'nameserver 10.100.0.2' | sys_root_file /etc/resolv.conf
# ens6's units enabled in /etc, as `systemctl enable` of 2.x's units (its udev rule asks for
# it; an administrator may have done it): they must keep working across the switch and go
# with the purge.
mkdir -p "$SYS_MERGED/etc/systemd/system/multi-user.target.wants" "$SYS_MERGED/etc/systemd/system/timers.target.wants"
ln -s /lib/systemd/system/policy-routes@.service \
    "$SYS_MERGED/etc/systemd/system/multi-user.target.wants/policy-routes@ens6.service"
ln -s /lib/systemd/system/refresh-policy-routes@.timer \
    "$SYS_MERGED/etc/systemd/system/timers.target.wants/refresh-policy-routes@ens6.timer"
# Both versions' refresh timers tick every TICK seconds.
printf '[Timer]\nOnActiveSec=\nOnActiveSec=%s\nOnUnitInactiveSec=%s\nRandomizedDelaySec=1\n' "$TICK" "$TICK" |
    sys_root_file /etc/systemd/system/refresh-policy-routes@.timer.d/60-test.conf
# udev's coldplug at boot, stood in for: the RUN+= of every "add" rule of the installed
# 99-vpc-policy-routes.rules, for each ENI present, with udev's environment.
sys_root_file /usr/local/sbin/ec2net-test-coldplug 0755 <<'EOF'
#!/bin/sh
rules=/usr/lib/udev/rules.d/99-vpc-policy-routes.rules
for dev in /sys/class/net/ens*; do
    name=${dev##*/}
    grep 'ACTION=="add"' "$rules" | grep -o 'RUN+="[^"]*"' | sed 's/^RUN+="//; s/"$//' |
    while read -r cmd; do
        cmd=$(printf '%s\n' "$cmd" | sed "s/\$name/$name/g")
        echo "coldplug $name: $cmd"
        # shellcheck disable=SC2086 # a command line, as udev splits it
        env ACTION=add SUBSYSTEM=net INTERFACE="$name" $cmd || echo "coldplug $name: exit $?"
    done
done
EOF
sys_root_file /etc/systemd/system/ec2net-test-coldplug.service <<'EOF'
[Unit]
Description=System test: udev's coldplug of the ENIs
After=systemd-networkd.service

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/local/sbin/ec2net-test-coldplug

[Install]
WantedBy=multi-user.target
EOF
ln -sf ../ec2net-test-coldplug.service \
    "$SYS_MERGED/etc/systemd/system/multi-user.target.wants/ec2net-test-coldplug.service"

# --- helpers ---------------------------------------------------------------------------------
ct_apt() { sys_ct env DEBIAN_FRONTEND=noninteractive apt-get -y -q "$@"; }
mac_of() { lab_mac "$1"; }
table_of() { echo $((10000 + $(lab_imds_get "$(lab_mac_key "$(mac_of "$1")" device-number)"))); }
# refreshed_since T IFACE PROGRAM: refresh-policy-routes@IFACE ran PROGRAM since the
# monotonic time T and finished successfully.
refreshed_since() {
    local u=refresh-policy-routes@$2.service
    [ "$(sys_prop "$u" InactiveExitTimestampMonotonic)" -gt "$1" ] &&
        [ "$(sys_prop "$u" ActiveState)" = inactive ] && [ "$(sys_prop "$u" Result)" = success ] &&
        grep -q "$3" <<<"$(sys_prop "$u" ExecStart)"
}
now_mono() { "$LAB_PYTHON" -c 'import time; print(int(time.monotonic() * 1e6))'; }
# Every address of the ENIs, SRC=DST for the probe.
probe_pairs() {
    local i a
    for i in "${ENIS[@]}"; do
        for a in $(lab_imds_get "$(lab_mac_key "$(mac_of "$i")" local-ipv4s)"); do echo "$a=$LAB_REMOTE4"; done
        for a in $(lab_imds_get "$(lab_mac_key "$(mac_of "$i")" ipv6s)"); do
            echo "$("$LAB_PYTHON" -c 'import ipaddress,sys; print(ipaddress.ip_address(sys.argv[1]))' "$a")=$LAB_REMOTE6"
        done
    done
}
PROBE_PID="" PROBE_OUT=""
probe_start() {   # probe_start NAME: from every address, every 20 ms
    PROBE_OUT=$LAB_DIR/probe-$1.json
    # shellcheck disable=SC2046 # one pair a word
    { exec ip netns exec "$LAB_INST" "$LAB_LIB_DIR/nsguard" "$LAB_INST_NETNS" "$LAB_HOST_NETNS" \
        "$LAB_PYTHON" "$LAB_LIB_DIR/srcprobe.py" --out "$PROBE_OUT" $(probe_pairs); } &
    PROBE_PID=$!
    LAB_PIDS+=("$PROBE_PID")
    lab_wait_for 5 test -e "$PROBE_OUT.ready" || lab_not_ok "the probe did not start"
    PROBE_DROPS0=$(lab_drops)
}
probe_stop() {    # probe_stop: prints the losses; PROBE_LOST, PROBE_DROPPED for the stage
    kill -TERM "$PROBE_PID" 2>/dev/null
    lab_wait_for 5 test -e "$PROBE_OUT" || { lab_not_ok "the probe wrote no report"; PROBE_LOST=-1; return; }
    PROBE_DROPPED=$(($(lab_drops) - PROBE_DROPS0))
    PROBE_LOST=$("$LAB_PYTHON" -c 'import json,sys; print(sum(s["lost"] for s in json.load(open(sys.argv[1]))))' "$PROBE_OUT")
    "$LAB_PYTHON" -c '
import json, sys
for s in json.load(open(sys.argv[1])):
    print("    probe %-22s sent %4d, lost %3d, longest outage %4d ms" % (s["src"], s["sent"], s["lost"], s["max_outage_ms"]))
' "$PROBE_OUT"
    SUMMARY+=("$(printf '%-26s %4s requests lost, %3s dropped by the VPC source check' "$STAGE" "$PROBE_LOST" "$PROBE_DROPPED")")
}
SUMMARY=()
STAGE=""
stage() { STAGE=$1; lab_log "==== $STAGE"; }

# The .network file networkd applies to the link, by networkd's own account.
network_file() {
    local idx
    idx=$(cat "/sys/class/net/$1/ifindex" 2>/dev/null || lab_inst cat "/sys/class/net/$1/ifindex")
    sed -n 's/^NETWORK_FILE=//p' "$(sys_path "/run/systemd/netif/links/$idx")"
}
files_of_2x() {   # 2.x's files in the networkd directory
    local d
    d=$(sys_path "$NET")
    (cd "$d" 2>/dev/null && {
        find . -maxdepth 1 -type l -lname '*/80-ec2.network'
        grep -ls '^# Configuration for .* generated by policy-routes@' ./*.network.d/eni.conf
    })
}
files_of_ours() {
    local d
    d=$(sys_path "$NET")
    (cd "$d" 2>/dev/null && grep -rls '^# Generated by amazon-ec2-net-utils for ' .)
}
runs_on() {       # runs_on 2x|ours IFACE: networkd applies that version's file
    case $1 in
        2x) [ "$(network_file "$2")" = "$NET/70-$2.network" ] ;;
        ours) [ "$(network_file "$2")" = "$NET/07-$2.network" ] ;;
    esac
}
all_run_on() { local i; for i in "${ENIS[@]}"; do runs_on "$1" "$i" || return 1; done; }

# No failed unit, the system running, no unit of either version stale (its file changed or
# gone while it is loaded and active) or failed.
assert_units_clean() {
    local failed state units u stale=""
    sys_ct timeout 60 systemctl is-system-running --wait >/dev/null 2>&1
    failed=$(sys_ct systemctl --no-legend --plain --failed)
    lab_assert "$STAGE: no failed unit" test -z "$failed"
    [ -z "$failed" ] || sed 's/^/    | /' <<<"$failed"
    state=$(sys_ct systemctl is-system-running)
    lab_assert "$STAGE: system running (got $state)" test "$state" = running
    units=$(sys_ct systemctl list-units --all --no-legend --plain 'policy-routes@*' 'refresh-policy-routes@*' \
        'ec2-net-seed.service' 'set-hostname-imds.service' | awk '{print $1 " " $2 " " $3}')
    while read -r u load active; do
        [ -n "$u" ] || continue
        if [ "$load" != loaded ] && [ "$active" != inactive ]; then stale="$stale $u($load,$active)"; fi
        [ "$(sys_prop "$u" NeedDaemonReload)" = yes ] && stale="$stale $u(needs daemon-reload)"
    done <<<"$units"
    lab_assert "$STAGE: no stale unit of either version${stale:+:$stale}" test -z "$stale" ||
        for u in $stale; do
            sys_ct systemctl show -p Id,LoadState,ActiveState,FragmentPath,DropInPaths,NeedDaemonReload,Names \
                "${u%%(*}" | sed 's/^/    | /'
        done
}

assert_resolution_and_hostname() {
    lab_assert "$STAGE: /etc/resolv.conf as it was" \
        test "$(cat "$(sys_path /etc/resolv.conf)" 2>/dev/null)" = 'nameserver 10.100.0.2'
    lab_assert "$STAGE: systemd-resolved not installed" \
        test "$(sys_ct dpkg-query -W -f '${Status}' systemd-resolved 2>/dev/null)" != 'install ok installed'
    lab_assert "$STAGE: hostname as it was ($(sys_ct hostname))" test "$(sys_ct hostname)" = ec2net-system
    lab_assert "$STAGE: set-hostname-imds.service not enabled" \
        test "$(sys_ct systemctl is-enabled set-hostname-imds.service 2>/dev/null)" != enabled
}

# Each ENI on VERSION's files, none of the other version's left, every source address
# through its own ENI (1 s of the probe: nothing lost, nothing dropped).
assert_runs_on() {
    local v=$1 i
    for i in "${ENIS[@]}"; do
        lab_assert "$STAGE: $i runs on $v's file ($(network_file "$i"))" runs_on "$v" "$i"
    done
    if [ "$v" = ours ]; then
        lab_assert "$STAGE: no file of 2.x left" test -z "$(files_of_2x)"
    else
        lab_assert "$STAGE: no file of the product left" test -z "$(files_of_ours)"
    fi
    probe_start "$STAGE-steady"
    sleep 1
    probe_stop >/dev/null
    SUMMARY=("${SUMMARY[@]:0:${#SUMMARY[@]}-1}")
    lab_assert "$STAGE: every source address reaches the remote host through its own ENI ($PROBE_LOST lost, $PROBE_DROPPED dropped)" \
        test "$PROBE_LOST" = 0 -a "$PROBE_DROPPED" = 0
}

# Waits until networkd has configured every ENI with VERSION's files and the policy rules are
# in place (the rules of the secondary ENIs from their secondary addresses).
wait_settled() {
    local v=$1 timeout=$2
    settled() {
        all_run_on "$v" || return 1
        lab_inst ip -4 rule show | grep -q "from 10.100.1.11 lookup $(table_of ens6)" &&
            lab_inst ip -4 rule show | grep -q "from 10.100.2.11 lookup $(table_of ens7)" &&
            lab_inst ip -4 addr show dev ens6 | grep -q 'inet 10.100.1.11/32' &&
            lab_inst ip -6 route show table "$(table_of ens7)" | grep -q '^default'
    }
    lab_wait_for "$timeout" settled
}

# --- boot with 2.x --------------------------------------------------------------------------
stage "boot with 2.x"
sys_start
lab_assert "$STAGE: the ENIs are configured by 2.x" wait_settled 2x 60
lab_wait_configured --timeout 30 "${ENIS[@]}" || lab_not_ok "$STAGE: networkd did not configure the ENIs"
assert_units_clean
assert_runs_on 2x
lab_assert "$STAGE: 2.x's policy-routes@ens6 ran 2.x's setup" \
    grep -q '^{ path=/usr/bin/setup-policy-routes' <<<"$(sys_prop policy-routes@ens6.service ExecStart)"

# --- upgrade --------------------------------------------------------------------------------
stage "upgrade"
probe_start upgrade
t0=$(lab_now)
t_upgrade=$(now_mono)
ct_apt install "$OURS" >"$LAB_DIR/upgrade.log" 2>&1
rc=$?
sed 's/^/    apt| /' "$LAB_DIR/upgrade.log"
lab_assert "$STAGE: apt-get install ./${deb##*/} exits 0 ($(lab_elapsed "$t0")s)" test "$rc" = 0
lab_assert "$STAGE: apt installed nothing else" \
    test "$(grep -c '^Setting up ' "$LAB_DIR/upgrade.log")" = 1
sleep 2
probe_stop
assert_units_clean
assert_resolution_and_hostname
lab_assert "$STAGE: nothing lost ($PROBE_LOST lost, $PROBE_DROPPED dropped)" test "$PROBE_LOST" = 0 -a "$PROBE_DROPPED" = 0
lab_assert "$STAGE: the ENIs still run on 2.x's files" all_run_on 2x
lab_assert "$STAGE: no file of the product beside 2.x's yet" test -z "$(files_of_ours)"
lab_assert "$STAGE: the diversion of 75-cloud-ifupdown.rules kept" \
    grep -q amazon-ec2-net-utils <<<"$(sys_ct dpkg-divert --listpackage /etc/udev/rules.d/75-cloud-ifupdown.rules)"

# The product's ticks after an upgrade or reinstall: each ENI stays on 2.x's files, nothing
# of the product's beside them, ec2-netctl says why, nothing lost.
assert_deferred() {
    local t=$1 i st
    for i in "${ENIS[@]}"; do
        lab_assert "$STAGE: refresh-policy-routes@$i ran the product since, successfully" \
            lab_wait_for $((TICK + 15)) refreshed_since "$t" "$i" ec2-net-refresh
    done
    sleep 2
    probe_stop
    lab_assert "$STAGE: nothing lost, nothing through the wrong ENI ($PROBE_LOST lost, $PROBE_DROPPED dropped)" \
        test "$PROBE_LOST" = 0 -a "$PROBE_DROPPED" = 0
    assert_units_clean
    assert_runs_on 2x
    for i in "${ENIS[@]}"; do
        lab_assert "$STAGE: $i's refresh said it stays on 2.x's files" \
            grep -q "$i stays on amazon-ec2-net-utils 2.x's files" <<<"$(sys_journal -u "refresh-policy-routes@$i.service")"
    done
    st=$(sys_ct ec2-netctl status --json=short)
    lab_assert "$STAGE: ec2-netctl status: each ENI takeover-deferred, no error" \
        "$LAB_PYTHON" -c 'import json, sys
d = json.loads(sys.argv[1])
ok = len(d["interfaces"]) == 3
for i in d["interfaces"]:
    ids = [f["id"] for f in i["findings"]]
    ok = ok and "takeover-deferred" in ids and all(f["severity"] != "error" for f in i["findings"])
sys.exit(0 if ok else 1)' "$st" || sed 's/^/    | /' <<<"$st"
    lab_assert "$STAGE: the bootstrap ENI's configuration kept for the next boot" \
        grep -qx "$(mac_of ens5) ens5" "$(sys_path /var/lib/amazon-ec2-net-utils/boot-config/owner)"
}

# --- the refresh tick -------------------------------------------------------------------------
stage "upgrade: tick"
probe_start tick
assert_deferred "$t_upgrade"

# --- a change in EC2 --------------------------------------------------------------------------
stage "change in EC2"
probe_start change
t0=$(lab_now)
t_change=$(date +%s)
lab_imds_list_add "$(lab_mac_key "$(mac_of ens6)" local-ipv4s)" 10.100.1.12
moved() { wait_settled ours 1 && lab_inst ip -4 addr show dev ens6 | grep -q 'inet 10.100.1.12/32'; }
lab_assert "$STAGE: every ENI moved to the product's files within one refresh period" \
    lab_wait_for $((TICK + 15)) moved
lab_log "moved $(lab_elapsed "$t0")s after the change"
sleep 2
probe_stop
lab_wait_for 20 lab_inst "$LAB_PYTHON" "$LAB_LIB_DIR/labtool.py" check "$LAB_IMDS_FILE" "${ENIS[@]}" || true
lab_check "${ENIS[@]}"
assert_units_clean
assert_runs_on ours
# One move each: in the reload of ens6's refresh (coalesced with whichever refresh ran it),
# each ENI's DHCPv4 restarted once, not twice (through a mix of both versions' files).
lab_assert "$STAGE: ens5 and ens7 moved in the reload of ens6's change" \
    eval 'sys_journal -u "refresh-policy-routes@*.service" --since "@$t_change" | grep -qE "Moved (ens5 ens7|ens7 ens5) from amazon-ec2-net-utils 2.x"'
for i in "${ENIS[@]}"; do
    n=$(sys_journal -u systemd-networkd.service --since "@$t_change" | grep -c "^$i: DHCP lease lost")
    lab_assert "$STAGE: $i's DHCPv4 restarted once (networkd: $n \"lease lost\")" test "$n" = 1
done
deferred_dir=$(sys_path /run/amazon-ec2-net-utils/takeover-deferred)
lab_assert "$STAGE: nothing left deferred" eval 'test -d "$deferred_dir" && test -z "$(ls -A "$deferred_dir")"'
for i in "${ENIS[@]}"; do
    lab_assert "$STAGE: refresh-policy-routes@$i ran the product" \
        grep -q 'ec2-net-refresh' <<<"$(sys_prop "refresh-policy-routes@$i.service" ExecStart)"
done
snapshot() {      # the kernel state once it has settled
    local a b n
    a=$(lab_inst "$LAB_PYTHON" "$LAB_LIB_DIR/labtool.py" snapshot)
    for ((n = 0; n < 30; n++)); do
        sleep 0.5
        b=$(lab_inst "$LAB_PYTHON" "$LAB_LIB_DIR/labtool.py" snapshot)
        [ "$a" = "$b" ] && break
        a=$b
    done
    echo "$b"
}
# networkd leaves some of the routes 2.x's configuration made (2.3.0 gives device D the
# metric 512 + 10 D); the product's next tick removes them (legacy-routes.h).
routes_of_2x() {
    local i d
    for i in ens6 ens7; do
        d=$(lab_imds_get "$(lab_mac_key "$(mac_of "$i")" device-number)")
        lab_inst ip route show table all dev "$i" | grep -E "proto (dhcp|ra) .*metric $((512 + 10 * d))( |$)"
        lab_inst ip -6 route show table all dev "$i" | grep -E "proto (dhcp|ra) .*metric $((512 + 10 * d))( |$)"
    done
}
no_routes_of_2x() { [ -z "$(routes_of_2x)" ]; }
lab_assert "$STAGE: the next tick removed the routes networkd left of 2.x's configuration" \
    lab_wait_for $((TICK + 10)) no_routes_of_2x
snapshot >"$LAB_DIR/kernel-after-upgrade"

# --- reboot ---------------------------------------------------------------------------------
stage "reboot"
sys_reboot
lab_assert "$STAGE: the ENIs are configured by the product" wait_settled ours 60
lab_wait_for 20 lab_inst "$LAB_PYTHON" "$LAB_LIB_DIR/labtool.py" check "$LAB_IMDS_FILE" "${ENIS[@]}" || true
lab_check "${ENIS[@]}"
assert_units_clean
assert_runs_on ours
assert_resolution_and_hostname
snapshot >"$LAB_DIR/kernel-fresh-boot"
if diff -u "$LAB_DIR/kernel-fresh-boot" "$LAB_DIR/kernel-after-upgrade" >"$LAB_DIR/kernel.diff"; then
    lab_ok "kernel state after the upgrade equals a fresh boot of the product ($(wc -l <"$LAB_DIR/kernel-fresh-boot") lines)"
else
    lab_not_ok "kernel state after the upgrade differs from a fresh boot of the product:"
    sed 's/^/    /' "$LAB_DIR/kernel.diff"
fi

# --- downgrade ------------------------------------------------------------------------------
stage "downgrade"
probe_start downgrade
t0=$(lab_now)
t_downgrade=$(now_mono)
ct_apt install --allow-downgrades "$LEGACY" >"$LAB_DIR/downgrade.log" 2>&1
rc=$?
sed 's/^/    apt| /' "$LAB_DIR/downgrade.log"
lab_assert "$STAGE: apt-get install --allow-downgrades ./${legacy##*/} exits 0 ($(lab_elapsed "$t0")s)" test "$rc" = 0
lab_assert "$STAGE: 2.x in charge of every ENI soon after apt returned" wait_settled 2x 30
lab_log "2.x in charge $(lab_elapsed "$t0")s after apt started"
sleep 2
probe_stop
assert_units_clean
assert_runs_on 2x
for i in "${ENIS[@]}"; do
    lab_assert "$STAGE: policy-routes@$i is 2.x's and active" \
        test "$(sys_prop "policy-routes@$i.service" ActiveState)" = active -a \
        -n "$(grep '/usr/bin/setup-policy-routes' <<<"$(sys_prop "policy-routes@$i.service" ExecStart)")"
done
lab_assert "$STAGE: nothing of the product's in the runtime directory" \
    test -z "$(cd "$(sys_path /run/amazon-ec2-net-utils)" && ls -d interfaces imds-token lock reload-state 2>/dev/null)"

stage "downgrade: tick"
probe_start downgrade-tick
# 2.x's refresh (its `setup-policy-routes IFACE start`) ran since the downgrade and finished.
refreshed_by_2x() { refreshed_since "$t_downgrade" "$1" /usr/bin/setup-policy-routes; }
for i in "${ENIS[@]}"; do
    lab_assert "$STAGE: refresh-policy-routes@$i.service ran 2.x's refresh since the downgrade, successfully" \
        lab_wait_for $((TICK + 15)) refreshed_by_2x "$i" ||
        sys_ct systemctl show -p InactiveExitTimestampMonotonic,ActiveState,Result,ExecStart \
            "refresh-policy-routes@$i.service" "refresh-policy-routes@$i.timer" |
            sed "s/^/    | (downgrade at $t_downgrade) /"
done
probe_stop
lab_assert "$STAGE: nothing lost, nothing through the wrong ENI ($PROBE_LOST lost, $PROBE_DROPPED dropped)" \
    test "$PROBE_LOST" = 0 -a "$PROBE_DROPPED" = 0
assert_units_clean
assert_runs_on 2x

# --- reinstall ------------------------------------------------------------------------------
stage "reinstall"
probe_start reinstall
t_reinstall=$(now_mono)
ct_apt install "$OURS" >"$LAB_DIR/reinstall.log" 2>&1
rc=$?
lab_assert "$STAGE: apt-get install ./${deb##*/} exits 0" test "$rc" = 0
assert_deferred "$t_reinstall"
assert_resolution_and_hostname

# --- purge ----------------------------------------------------------------------------------
stage "purge"
probe_start purge
ct_apt purge amazon-ec2-net-utils >"$LAB_DIR/purge.log" 2>&1
rc=$?
sed 's/^/    apt| /' "$LAB_DIR/purge.log"
lab_assert "$STAGE: apt-get purge exits 0" test "$rc" = 0
sleep 3
probe_stop
assert_units_clean
lab_assert "$STAGE: no file of the product left" test -z "$(files_of_ours)"
lab_assert "$STAGE: no file of 2.x left" test -z "$(files_of_2x)"
lab_assert "$STAGE: no runtime directory" test ! -e "$(sys_path /run/amazon-ec2-net-utils)"
lab_assert "$STAGE: no unit of the package loaded" \
    test -z "$(sys_ct systemctl list-units --all --no-legend --plain 'policy-routes@*' 'refresh-policy-routes@*' ec2-net-seed.service)"
lab_assert "$STAGE: ens6's units enabled in /etc forgotten" \
    test -z "$(find "$(sys_path /etc/systemd/system)" -type l -name '*policy-routes@*')"
lab_assert "$STAGE: the ifupdown hotplug rule's diversion removed" \
    test -z "$(sys_ct dpkg-divert --list '*75-cloud-ifupdown*')"
lab_assert "$STAGE: nothing lost, nothing through the wrong ENI ($PROBE_LOST lost, $PROBE_DROPPED dropped)" \
    test "$PROBE_LOST" = 0 -a "$PROBE_DROPPED" = 0
# The network stays up as it was: networkd was not reloaded and runs the configuration it
# had (2.x's, deferred since the reinstall) until the next boot, its files gone.
for i in "${ENIS[@]}"; do
    lab_assert "$STAGE: networkd still runs $i as before ($(network_file "$i"), removed)" \
        eval 'runs_on 2x "$i" && test ! -e "$(sys_path "$(network_file "$i")")"'
done
lab_wait_configured --timeout 30 "${ENIS[@]}" || lab_not_ok "$STAGE: networkd did not keep the ENIs configured"
assert_runs_on 2x

lab_log "==== losses through each transition (one request every 20 ms from each of $(probe_pairs | wc -l) addresses):"
printf '    %s\n' "${SUMMARY[@]}"
lab_summary

# shellcheck shell=bash
# SPDX-License-Identifier: Apache-2.0
#
# The end-to-end lab: a simulated VPC and EC2 instance in network namespaces, with the real
# systemd-networkd, a private D-Bus system bus, dnsmasq as the VPC's DHCP server and the
# fake IMDS. Sourced by the e2e scenarios, the demo and the benchmark. See README.md.
#
#   source tests/lab/lab.sh
#   lab_init                       # names, temp dir, cleanup trap, safety checks
#   lab_load SCENARIO.json         # topology + IMDS tree
#   lab_up                         # VPC, IMDS, instance, boot ENIs, DHCP done
#   lab_product setup-policy-routes ens6 start
#   lab_check ens5 ens6            # kernel state against the scenario (SPEC section 4)
#   lab_assert_egress 10.0.1.20 ens6
#
# Safety: nothing here sends a packet from the namespace the lab was started in. Every
# command that runs inside the lab goes through nsguard, which checks the network
# namespace by inode first. Processes are stopped by PID; namespaces carry a per-run name.

LAB_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB_SRC_DIR=$(cd "$LAB_LIB_DIR/../.." && pwd)
: "${LAB_FAKE_IMDS:=$LAB_SRC_DIR/tests/fake-imds/fake_imds.py}"
# The system's python3 (a version manager's shim on PATH costs ~0.1 s per start).
if [ -z "${LAB_PYTHON:-}" ]; then
    if [ -x /usr/bin/python3 ]; then LAB_PYTHON=/usr/bin/python3; else LAB_PYTHON=python3; fi
fi
: "${LAB_NETWORKD:=/lib/systemd/systemd-networkd}"
: "${LAB_NETWORKD_LOG_LEVEL:=info}"
: "${LAB_DHCP_TIMEOUT:=20}"
: "${LAB_POLL:=0.05}"           # polling interval of the lab_wait_* helpers, seconds
# Where the instance finds 80-ec2.network: a tmpfs over the vendor directory, as on a
# system where the package is installed.
: "${LAB_DEFAULT_NETWORK_DIR:=/usr/lib/systemd/network}"
# Documentation-range hosts in the VPC namespace standing for "the internet".
LAB_REMOTE4=192.0.2.1
LAB_REMOTE6=2001:db8:ffff::1
LAB_IMDS4=169.254.169.254
LAB_IMDS6=fd00:ec2::254

lab_log() { printf '[lab %s] %s\n' "$(date +%T.%3N)" "$*" >&2; }
lab_die() { lab_log "FATAL: $*"; exit 1; }
lab_skip() { echo "SKIP: $*"; exit 77; }

lab_tool() { "$LAB_PYTHON" "$LAB_LIB_DIR/labtool.py" "$@"; }

lab_now() { date +%s.%N; }
lab_elapsed() { awk -v a="$1" -v b="$(lab_now)" 'BEGIN { printf "%.2f", b - a }'; }

# --- lifecycle ------------------------------------------------------------------------

lab_require() {
    [ "$(id -u)" = 0 ] || lab_skip "the e2e lab needs root"
    local missing="" t
    for t in ip dnsmasq dbus-daemon nsenter unshare nft ping curl "$LAB_PYTHON" stat mount; do
        command -v "$t" >/dev/null 2>&1 || missing="$missing $t"
    done
    [ -x "$LAB_NETWORKD" ] || missing="$missing $LAB_NETWORKD"
    id systemd-network >/dev/null 2>&1 || missing="$missing user:systemd-network"
    id messagebus >/dev/null 2>&1 || missing="$missing user:messagebus"
    [ -z "$missing" ] || lab_die "missing:$missing (apt-get install dnsmasq-base dbus \
systemd nftables iputils-ping curl python3 iproute2)"
}

# Namespaces of earlier runs that were killed before their teardown (names
# e2e<PID>r<N>-vpc|inst whose creating PID is gone): stop what runs inside, by PID, and
# delete them. Labs of live runs are left alone.
lab_clean_stale() {
    local ns pid p
    for ns in $(ip netns list 2>/dev/null | awk '{print $1}'); do
        [[ $ns =~ ^e2e([0-9]+)r[0-9]+-(vpc|inst)$ ]] || continue
        pid=${BASH_REMATCH[1]}
        [ -d "/proc/$pid" ] && continue
        for p in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
        ip netns del "$ns" 2>/dev/null && lab_log "deleted stale namespace $ns"
    done
}

# lab_init: per-run names, temp dir and the cleanup trap. Call once, before anything else.
lab_init() {
    lab_require
    [ "${LAB_CLEAN_STALE:-1}" = 1 ] && lab_clean_stale
    LAB_T0=$(lab_now)
    LAB_ID=e2e$$r$RANDOM
    LAB_VPC="$LAB_ID-vpc"
    LAB_INST="$LAB_ID-inst"
    LAB_DIR=$(mktemp -d "${TMPDIR:-/tmp}/ec2net-lab.XXXXXX")
    chmod 755 "$LAB_DIR"
    LAB_HOST_NETNS=$(stat -L -c %i /proc/self/ns/net)
    LAB_PIDS=()
    LAB_HOLDER=""
    LAB_FAILED=0
    LAB_CONFIG="$LAB_DIR/ec2net.conf"
    printf '[Interfaces]\nDrivers=veth\n' >"$LAB_CONFIG"
    echo '{}' >"$LAB_DIR/faults.json"
    : "${LAB_BUILD_DIR:=${EC2NET_BUILD_DIR:-}}"
    trap 'lab_teardown' EXIT
    trap 'exit 130' INT TERM HUP
    # A reader that goes away (`| head`) must not kill the shell before its teardown.
    trap 'exit 141' PIPE
    lab_log "lab $LAB_ID in $LAB_DIR"
}

# lab_load SCENARIO: derive the topology and the IMDS tree the fake IMDS serves.
lab_load() {
    local scen=$1
    [ -r "$scen" ] || lab_die "no scenario $scen"
    LAB_SCENARIO=$scen  # for the scenario scripts
    export LAB_SCENARIO
    LAB_IMDS_FILE="$LAB_DIR/imds.json"
    lab_tool plan "$scen" "$LAB_IMDS_FILE" >"$LAB_DIR/plan" || lab_die "bad scenario $scen"
    LAB_SUBNETS=() LAB_ENIS=()
    local kind rest
    while read -r kind rest; do
        case $kind in
            subnet) LAB_SUBNETS+=("$rest") ;;
            eni) LAB_ENIS+=("$rest") ;;
            imds6) LAB_WANT_IMDS6=$rest ;;
        esac
    done <"$LAB_DIR/plan"
}

# lab_load_generated GEN-SCENARIO-ARGS...: a scenario from gen-scenario.py (written to
# $LAB_DIR/scenario.json), loaded.
lab_load_generated() {
    "$LAB_PYTHON" "$LAB_LIB_DIR/gen-scenario.py" "$@" >"$LAB_DIR/scenario.json" || lab_die "gen-scenario.py $*"
    lab_load "$LAB_DIR/scenario.json"
}

# Fields of an ENI of the plan, looked up by MAC or interface name:
# IFNAME MAC BRIDGE PEER ATTACH DHCP4 DHCP6
lab_eni_fields() {
    local key=${1,,} e f
    for e in "${LAB_ENIS[@]}"; do
        read -r -a f <<<"$e"
        if [ "${f[0]}" = "$1" ] || [ "${f[1]}" = "$key" ]; then
            echo "$e"
            return 0
        fi
    done
    return 1
}
lab_ifname() { local f; read -r -a f <<<"$(lab_eni_fields "$1")" && echo "${f[0]}"; }
lab_mac() { local f; read -r -a f <<<"$(lab_eni_fields "$1")" && echo "${f[1]}"; }
lab_peer() { local f; read -r -a f <<<"$(lab_eni_fields "$1")" && echo "${f[3]}"; }
lab_gateway4() { # gateway address of the ENI's subnet (empty when none)
    local f s br v4c v4g v6c v6g mask
    read -r -a f <<<"$(lab_eni_fields "$1")"
    for s in "${LAB_SUBNETS[@]}"; do
        read -r br v4c v4g v6c v6g mask <<<"$s"
        [ "$br" = "${f[2]}" ] && [ "$v4g" != - ] && echo "${v4g%/*}"
    done
}
lab_gateway6() {
    local f s br v4c v4g v6c v6g mask
    read -r -a f <<<"$(lab_eni_fields "$1")"
    for s in "${LAB_SUBNETS[@]}"; do
        read -r br v4c v4g v6c v6g mask <<<"$s"
        [ "$br" = "${f[2]}" ] && [ "$v6g" != - ] && echo "${v6g%/*}"
    done
}

# Run a command in the VPC namespace / in the instance (network + mount namespace).
lab_vpc() {
    ip netns exec "$LAB_VPC" "$LAB_LIB_DIR/nsguard" "$LAB_VPC_NETNS" "$LAB_HOST_NETNS" "$@"
}
lab_inst() {
    [ -n "$LAB_HOLDER" ] || lab_die "instance not running"
    nsenter -t "$LAB_HOLDER" -m -n -- \
        "$LAB_LIB_DIR/nsguard" "$LAB_INST_NETNS" "$LAB_HOST_NETNS" "$@"
}
# The same in the background, with $! the PID of COMMAND itself (every step execs).
lab_vpc_bg() {
    { exec ip netns exec "$LAB_VPC" "$LAB_LIB_DIR/nsguard" "$LAB_VPC_NETNS" "$LAB_HOST_NETNS" \
        "$@"; } &
}
lab_inst_bg() {
    { exec nsenter -t "$LAB_HOLDER" -m -n -- \
        "$LAB_LIB_DIR/nsguard" "$LAB_INST_NETNS" "$LAB_HOST_NETNS" "$@"; } &
}
# A path of the instance's private mounts (/run, /etc/systemd/network), seen from outside.
lab_inst_path() { echo "/proc/$LAB_HOLDER/root$1"; }

lab_up() {
    local t0 s e f
    t0=$(lab_now)
    ip netns add "$LAB_VPC" || lab_die "ip netns add $LAB_VPC"
    ip netns add "$LAB_INST" || lab_die "ip netns add $LAB_INST"
    LAB_VPC_NETNS=$(stat -L -c %i "/run/netns/$LAB_VPC")
    LAB_INST_NETNS=$(stat -L -c %i "/run/netns/$LAB_INST")
    [ "$LAB_VPC_NETNS" != "$LAB_HOST_NETNS" ] && [ "$LAB_INST_NETNS" != "$LAB_HOST_NETNS" ] ||
        lab_die "namespace inode equals the host's"
    lab_vpc_up
    lab_imds_start
    lab_dnsmasq_start
    lab_instance_up
    local boot=()
    for e in "${LAB_ENIS[@]}"; do
        read -r -a f <<<"$e"
        [ "${f[4]}" = boot ] && boot+=("${f[1]}")
    done
    if [ ${#boot[@]} = 0 ]; then lab_srccheck_sync; else lab_eni_create "${boot[@]}"; fi
    # LAB_BEFORE_NETWORKD: a command run once the boot ENIs exist, before networkd starts
    # (what a unit ordered before systemd-networkd.service does at boot).
    if [ -n "${LAB_BEFORE_NETWORKD:-}" ]; then $LAB_BEFORE_NETWORKD || lab_die "$LAB_BEFORE_NETWORKD failed"; fi
    lab_networkd_start
    for e in "${LAB_ENIS[@]}"; do
        read -r -a f <<<"$e"
        [ "${f[4]}" = boot ] && ! lab_held "${f[0]}" && lab_wait_dhcp "${f[0]}"
    done
    LAB_UP_SECONDS=$(lab_elapsed "$t0")
    lab_log "lab up in ${LAB_UP_SECONDS}s"
}

# lab_udev_start RULES...: the real systemd-udevd in the instance (LAB_UDEV=1), with only
# udev's net_setup_link rule and the RULES files given; then every link present is
# announced to it (udevadm trigger, as the coldplug at boot) and processed.
lab_udev_start() {
    [ "${LAB_UDEV:-0}" = 1 ] || lab_die "lab_udev_start needs LAB_UDEV=1 before lab_up"
    local f
    for f in /usr/lib/udev/rules.d/80-net-setup-link.rules "$@"; do
        cp "$f" "$(lab_inst_path /run/udev/rules.d/)" || lab_die "udev rule $f"
    done
    lab_inst_bg /lib/systemd/systemd-udevd --resolve-names=never >"$LAB_DIR/udevd.log" 2>&1
    LAB_UDEVD_PID=$!
    LAB_PIDS+=("$LAB_UDEVD_PID")
    lab_wait_for 5 test -S "$(lab_inst_path /run/udev/control)" || lab_die "udevd did not start"
    lab_inst udevadm trigger --action=add --subsystem-match=net || lab_die "udevadm trigger"
    lab_inst udevadm settle --timeout=10 || lab_die "udevadm settle"
}

# lab_udev_product [--masked UNIT]...: the instance as udev and systemd would run the product
# on hot-plug (LAB_UDEV=1; call it from LAB_BEFORE_NETWORKD): the product's udev rule for the
# lab's driver and build with the lab's configuration, a .link file so that net_setup_link
# sets ID_NET_DRIVER and leaves names and MACs alone, fake-systemd.c answering the rule's
# StartUnit calls (log: $LAB_DIR/systemd-calls.log; UNITs refused as masked), and udevd.
lab_udev_product() {
    local masked=() rule="$LAB_DIR/99-vpc-policy-routes.rules" hotplug setup
    local rule_in="$LAB_BUILD_DIR/udev-rules/99-vpc-policy-routes.rules"
    while [ $# -gt 0 ]; do masked+=(--masked "$2"); shift 2; done
    hotplug=$(lab_product_path ec2-net-hotplug) && setup=$(lab_product_path setup-policy-routes) || return 1
    [ -f "$rule_in" ] || { lab_log "no built udev rule $rule_in"; return 1; }
    {
        printf 'SUBSYSTEM=="net", ENV{EC2NET_CONFIG}="%s"\n' "$LAB_CONFIG"
        sed -e 's/ena|ixgbevf|vif/veth/' -e "s|/usr/libexec/amazon-ec2-net-utils/ec2-net-hotplug|$hotplug|" "$rule_in"
    } >"$rule"
    grep -q "RUN+=\"$hotplug add" "$rule" || { lab_log "rule not rewritten: $(cat "$rule")"; return 1; }
    printf '[Match]\nOriginalName=*\n\n[Link]\nNamePolicy=keep\nMACAddressPolicy=none\n' \
        >"$(lab_inst_path /etc/systemd/network/99-lab.link)"
    # shellcheck disable=SC2046  # pkg-config prints several words
    cc -O2 -Wall -o "$LAB_DIR/fake-systemd" "$LAB_LIB_DIR/fake-systemd.c" $(pkg-config --cflags --libs libsystemd) ||
        { lab_log "cannot build fake-systemd"; return 1; }
    lab_inst_bg env EC2NET_CONFIG="$LAB_CONFIG" "$LAB_DIR/fake-systemd" --setup "$setup" "${masked[@]}" \
        --log "$LAB_DIR/systemd-calls.log" >"$LAB_DIR/fake-systemd.out" 2>&1
    LAB_PIDS+=("$!")
    lab_wait_for 5 grep -q ready "$LAB_DIR/fake-systemd.out" || return 1
    lab_udev_start "$rule"
}

# lab_probe_counts SUMMARY: "SENT LOST" from lab_probe_stop's JSON summary.
lab_probe_counts() {
    "$LAB_PYTHON" -c 'import json,sys; p=json.loads(sys.argv[1]); print(p["sent"], p["lost"])' "$1"
}

# lab_first_network_file IFACE LOG: the .network file networkd configured IFACE with first in
# its log LOG (its "Configuring with" / "Reconfiguring with" lines), or nothing.
lab_first_network_file() {
    grep -m1 -E "^.* $1: (Re)?[cC]onfiguring with " "$2" | sed 's/.* with \([^ ]*\)\..*/\1/'
}

# lab_network_file IFACE: the .network file networkd applies to IFACE now (its state file).
lab_network_file() {
    sed -n 's/^NETWORK_FILE=//p' \
        "$(lab_inst_path "/run/systemd/netif/links/$(lab_inst cat "/sys/class/net/$1/ifindex")")"
}

# lab_held IFACE: networkd is told to leave IFACE alone (a .network of ours with Unmanaged=yes).
lab_held() {
    grep -qs '^Unmanaged=yes$' "$(lab_inst_path /run/systemd/network)"/*-"$1".network
}

lab_vpc_up() {
    local s br v4c v4g v6c v6g mask batch="$LAB_DIR/vpc.batch"
    lab_vpc sh -c '
        ip link set lo up
        sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
        sysctl -qw net.ipv4.ip_forward=0' || lab_die "vpc setup"
    # IMDS and the remote host are local addresses of the VPC namespace (on lo: this
    # kernel may have no dummy driver); packets to them arrive through any bridge.
    {
        echo "addr add $LAB_IMDS4/32 dev lo"
        echo "addr add $LAB_REMOTE4/32 dev lo"
        echo "addr add $LAB_REMOTE6/128 dev lo nodad"
        [ "${LAB_WANT_IMDS6:-no}" = yes ] && echo "addr add $LAB_IMDS6/128 dev lo nodad"
        for s in "${LAB_SUBNETS[@]}"; do
            read -r br v4c v4g v6c v6g mask <<<"$s"
            echo "link add $br mtu 9001 type bridge stp_state 0 forward_delay 0"
            [ "$v4g" = - ] || echo "addr add $v4g dev $br"
            [ "$v6g" = - ] || echo "addr add $v6g dev $br nodad"
            echo "link set $br up"
        done
    } >"$batch"
    lab_vpc ip -batch "$batch" || lab_die "vpc topology ($batch)"
    # Each IPv6 subnet's bridge is the VPC router that dnsmasq advertises: its neighbour
    # advertisements must say so (Router flag, RFC 4861 7.2.5), or networkd 257 drops the
    # RA default routes the first time it checks the router's reachability. Per-bridge
    # forwarding sets the flag; all.forwarding stays 0, so nothing is forwarded.
    local sysctls=()
    for s in "${LAB_SUBNETS[@]}"; do
        read -r br v4c v4g v6c v6g mask <<<"$s"
        [ "$v6g" = - ] || sysctls+=("net.ipv6.conf.$br.forwarding=1")
    done
    [ ${#sysctls[@]} = 0 ] || lab_vpc sysctl -qw "${sysctls[@]}" || lab_die "vpc router flag"
}

# The fake IMDS: fake_imds.py from tests/fake-imds (LAB_FAKE_IMDS overrides).
lab_imds_start() {
    local args=(--listen "$LAB_IMDS4:80") i
    [ -r "$LAB_FAKE_IMDS" ] || lab_die "no fake IMDS at $LAB_FAKE_IMDS"
    [ "${LAB_WANT_IMDS6:-no}" = yes ] && args+=(--listen "[$LAB_IMDS6]:80")
    LAB_IMDS_LOG="$LAB_DIR/imds.log"
    : >"$LAB_IMDS_LOG"
    lab_vpc_bg "$LAB_PYTHON" "$LAB_FAKE_IMDS" "${args[@]}" --scenario "$LAB_IMDS_FILE" \
        --faults "$LAB_DIR/faults.json" --log "$LAB_IMDS_LOG" \
        --port-file "$LAB_DIR/imds.port" >"$LAB_DIR/imds.out" 2>&1
    LAB_IMDS_PID=$!
    LAB_PIDS+=("$LAB_IMDS_PID")
    for ((i = 0; i < 200; i++)); do
        [ -s "$LAB_DIR/imds.port" ] && return 0
        kill -0 "$LAB_IMDS_PID" 2>/dev/null || break
        sleep 0.025
    done
    cat "$LAB_DIR/imds.out" >&2
    lab_die "fake IMDS did not start"
}

lab_dnsmasq_hosts() {
    local e f
    for e in "${LAB_ENIS[@]}"; do
        read -r -a f <<<"$e"
        local line=${f[1]}
        [ "${f[5]}" = - ] || line+=",${f[5]}"
        [ "${f[6]}" = - ] || line+=",[${f[6]}]"
        [ "$line" = "${f[1]}" ] || echo "$line"
    done
}

lab_dnsmasq_start() {
    local args=() s br v4c v4g v6c v6g mask
    for s in "${LAB_SUBNETS[@]}"; do
        read -r br v4c v4g v6c v6g mask <<<"$s"
        args+=(--interface="$br")
        # static: only the MACs of the scenario get a lease, as in a VPC.
        [ "$v4c" = - ] || args+=(--dhcp-range="$br,${v4c%/*},static,$mask,1h")
        if [ "$v6c" != - ]; then
            args+=(--dhcp-range="$br,${v6c%/*},static,${v6c#*/},1h")
            args+=(--ra-param="$br,mtu:9001,60,1800")
        fi
    done
    lab_dnsmasq_hosts >"$LAB_DIR/dhcp-hosts"
    lab_vpc_bg dnsmasq --keep-in-foreground --conf-file=/dev/null --port=0 --user=root \
        --group=root --pid-file="$LAB_DIR/dnsmasq.pid" --dhcp-leasefile="$LAB_DIR/dnsmasq.leases" \
        --bind-interfaces --except-interface=lo --no-ping --dhcp-authoritative --enable-ra \
        --dhcp-hostsfile="$LAB_DIR/dhcp-hosts" --log-dhcp --log-facility="$LAB_DIR/dnsmasq.log" \
        "${args[@]}" >"$LAB_DIR/dnsmasq.out" 2>&1
    LAB_DNSMASQ_PID=$!
    LAB_PIDS+=("$LAB_DNSMASQ_PID")
}

# The instance: a process holding a private mount namespace inside the instance netns.
lab_instance_up() {
    local i holder="$LAB_DIR/holder.sh" netdir="$LAB_DEFAULT_NETWORK_DIR"
    cat >"$holder" <<EOF
set -e
mount --make-rprivate /
mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs /run
mkdir -p /run/systemd/netif /run/systemd/network /run/dbus /run/amazon-ec2-net-utils /run/lock
chown systemd-network:systemd-network /run/systemd/netif
[ ! -d /etc/systemd/network ] || mount -t tmpfs -o mode=0755 tmpfs /etc/systemd/network
mount -t tmpfs -o mode=0755 tmpfs "$netdir"
# The product keeps state across boots in /var/lib/amazon-ec2-net-utils: the instance's own.
mount -t tmpfs -o mode=0755 tmpfs /var/lib
# No D-Bus activation (it would start host services such as hostnamed): only what the
# lab starts is on the bus.
[ ! -d /usr/share/dbus-1/system-services ] ||
    mount -t tmpfs -o mode=0755 tmpfs /usr/share/dbus-1/system-services
# The instance's own hostname (UTS namespace) and /etc/hostname.
: >"$LAB_DIR/etc-hostname"
[ ! -e /etc/hostname ] || mount --bind "$LAB_DIR/etc-hostname" /etc/hostname
hostname ec2-lab-instance
# A fresh read-only sysfs of this netns: networkd then does not wait for udev. With
# LAB_UDEV=1 (lab_udev_start) it is read-write, networkd waits for udev as on an instance,
# and the instance gets its own /dev and udev rules: the udevd started there acts on this
# namespace's links, and on nothing of the machine's.
umount -l /sys 2>/dev/null || true
if [ "${LAB_UDEV:-0}" = 1 ]; then
    mount -t sysfs -o nosuid,nodev,noexec sysfs /sys
    mkdir -p "$LAB_DIR/dev"
    mount -t tmpfs -o mode=0755,nosuid tmpfs "$LAB_DIR/dev"
    for d in null zero full random urandom tty kmsg; do
        touch "$LAB_DIR/dev/\$d" && mount --bind "/dev/\$d" "$LAB_DIR/dev/\$d"
    done
    ln -s /proc/self/fd "$LAB_DIR/dev/fd"
    ln -s /proc/self/fd/0 "$LAB_DIR/dev/stdin"
    ln -s /proc/self/fd/1 "$LAB_DIR/dev/stdout"
    ln -s /proc/self/fd/2 "$LAB_DIR/dev/stderr"
    mkdir -p "$LAB_DIR/dev/shm" "$LAB_DIR/empty-rules"
    mount --move "$LAB_DIR/dev" /dev
    for d in /usr/lib/udev/rules.d /etc/udev/rules.d; do
        [ ! -d "\$d" ] || mount --bind "$LAB_DIR/empty-rules" "\$d"
    done
    mkdir -p /run/udev/rules.d
else
    mount -t sysfs -o ro,nosuid,nodev,noexec sysfs /sys
fi
ip link set lo up
echo ready
exec sleep infinity
EOF
    { exec ip netns exec "$LAB_INST" "$LAB_LIB_DIR/nsguard" "$LAB_INST_NETNS" \
        "$LAB_HOST_NETNS" unshare -m -u --propagation private sh "$holder" \
        >"$LAB_DIR/holder.out" 2>&1; } &
    LAB_HOLDER=$!
    LAB_PIDS+=("$LAB_HOLDER")
    for ((i = 0; i < 200; i++)); do
        grep -q ready "$LAB_DIR/holder.out" 2>/dev/null && break
        kill -0 "$LAB_HOLDER" 2>/dev/null || break
        sleep 0.01
    done
    grep -q ready "$LAB_DIR/holder.out" || { cat "$LAB_DIR/holder.out" >&2; lab_die "instance"; }
    # unshare execs sh which execs sleep: the PID stays the holder.
    lab_install_default_network
    lab_inst sh -c 'dbus-daemon --system --fork --print-pid' >"$LAB_DIR/dbus.pid" ||
        lab_die "dbus-daemon"
    LAB_DBUS_PID=$(head -n1 "$LAB_DIR/dbus.pid")
    LAB_PIDS+=("$LAB_DBUS_PID")
}

# The product's 80-ec2.network with the driver match changed to veth: rendered by the
# build's render-default-network for driver veth, else the built file edited, else a lab
# stand-in when there is no build yet.
lab_install_default_network() {
    local b=${LAB_BUILD_DIR:-/nonexistent} dst
    dst=$(lab_inst_path "$LAB_DEFAULT_NETWORK_DIR/80-ec2.network")
    if [ -x "$b/units/render-default-network" ] &&
        "$b/units/render-default-network" veth >"$dst.tmp" 2>/dev/null; then
        mv "$dst.tmp" "$dst"
    elif [ -r "$b/units/80-ec2.network" ]; then
        rm -f "$dst.tmp"
        sed -e 's/^Driver=.*/Driver=veth/' "$b/units/80-ec2.network" >"$dst"
    else
        rm -f "$dst.tmp"
        cat >"$dst" <<'EOF'
# lab stand-in for units/80-ec2.network
[Match]
Driver=veth

[Link]
MTUBytes=9001

[Network]
DHCP=yes
IPv6DuplicateAddressDetection=0
LLMNR=no
DNSDefaultRoute=yes

[DHCPv4]
UseHostname=no
UseDNS=yes
UseNTP=yes
UseDomains=yes

[DHCPv6]
UseHostname=no
UseDNS=yes
UseNTP=yes
WithoutRA=solicit
EOF
    fi
}

lab_networkd_start() {
    lab_inst_bg env SYSTEMD_LOG_LEVEL="$LAB_NETWORKD_LOG_LEVEL" SYSTEMD_LOG_TARGET=console SYSTEMD_LOG_TIME=1 \
        "$LAB_NETWORKD" >"$LAB_DIR/networkd.log" 2>&1
    LAB_NETWORKD_PID=$!
    LAB_PIDS+=("$LAB_NETWORKD_PID")
}

# lab_networkd_restart: stops networkd (by its PID) and starts it again; the log so far is
# kept as networkd.log.N (N = LAB_NETWORKD_RESTARTS, counted here).
LAB_NETWORKD_RESTARTS=0
lab_networkd_restart() {
    kill "$LAB_NETWORKD_PID" 2>/dev/null
    wait "$LAB_NETWORKD_PID" 2>/dev/null
    cp "$LAB_DIR/networkd.log" "$LAB_DIR/networkd.log.$LAB_NETWORKD_RESTARTS"
    LAB_NETWORKD_RESTARTS=$((LAB_NETWORKD_RESTARTS + 1))
    lab_networkd_start
}

# lab_eni_create MAC...: each ENI's veth pair, instance end with the scenario's MAC, VPC
# end enslaved to its subnet's bridge. (The DHCP leases for the MACs already exist.) The
# pair is made in the VPC namespace and the VPC's source check set up for it before the
# instance end moves into the instance: its very first packet is checked and counted.
lab_eni_create() {
    local f m batch="$LAB_DIR/eni.batch" move="$LAB_DIR/eni-move.batch"
    : >"$move"
    for m in "$@"; do
        read -r -a f <<<"$(lab_eni_fields "$m")" || lab_die "no ENI $m in the scenario"
        echo "link add ${f[3]} mtu 9001 type veth peer name ${f[0]} address ${f[1]}"
        echo "link set ${f[3]} master ${f[2]} up"
        echo "link set ${f[0]} netns $LAB_INST" >>"$move"
    done >"$batch"
    lab_vpc ip -batch "$batch" || lab_die "veth pairs for $*"
    lab_srccheck_sync
    lab_vpc ip -batch "$move" || lab_die "moving $* into the instance"
}

# Hot-add after boot: create the pair(s), with the VPC's source check.
lab_eni_attach() { lab_eni_create "$@"; }
# Hot-remove: delete the pair (both ends go).
lab_eni_detach() {
    lab_vpc ip link del "$(lab_peer "$1")" || lab_die "detach $1"
    lab_srccheck_sync
}

# The VPC drops packets whose source address is not one of the ENI's: an nftables netdev
# ingress chain per attached ENI with one counted rule per allowed source. Call again after
# changing the ENI's addresses in IMDS (lab_imds_* do).
lab_srccheck_sync() {
    local e f att=() allow=() peers
    peers=$(lab_vpc ip -o link show type veth | awk -F': ' '{print $2}' | sed 's/@.*//')
    for e in "${LAB_ENIS[@]}"; do
        read -r -a f <<<"$e"
        grep -qx "${f[3]}" <<<"$peers" && att+=("${f[1]}=${f[3]}")
        # An IPv6-only subnet's link-local IPv4 lease (169.254/16) is the ENI's too.
        case ${f[5]} in 169.254.*) allow+=(--allow "${f[1]}=${f[5]}") ;; esac
    done
    lab_tool nft "${allow[@]}" "$LAB_IMDS_FILE" lab_srccheck "${att[@]}" >"$LAB_DIR/srccheck.nft"
    lab_vpc nft -f "$LAB_DIR/srccheck.nft" || lab_die "nft source check"
}

# --- waiting --------------------------------------------------------------------------

# lab_wait_dhcp IFACE: the DHCP addresses of the plan are on the link (kernel state).
lab_wait_dhcp() {
    local f deadline addrs ok
    read -r -a f <<<"$(lab_eni_fields "$1")"
    deadline=$(($(date +%s) + LAB_DHCP_TIMEOUT))
    while :; do
        addrs=$(ip -n "$LAB_INST" -o addr show dev "${f[0]}" 2>/dev/null)
        ok=1
        [ "${f[5]}" = - ] || grep -q " ${f[5]}/" <<<"$addrs" || ok=0
        [ "${f[6]}" = - ] || grep -qi " ${f[6]}/" <<<"$addrs" || ok=0
        [ $ok = 1 ] && return 0
        [ "$(date +%s)" -lt "$deadline" ] || break
        sleep "$LAB_POLL"
    done
    lab_log "addresses of ${f[0]}:"; ip -n "$LAB_INST" addr show dev "${f[0]}" >&2
    lab_die "${f[0]} got no DHCP lease (${f[5]} ${f[6]}) within ${LAB_DHCP_TIMEOUT}s"
}

# lab_wait_configured [--timeout S] IFACE...: networkd reports every link configured.
lab_wait_configured() {
    local timeout=30 i deadline st pending
    [ "$1" = --timeout ] && { timeout=$2; shift 2; }
    deadline=$(($(date +%s) + timeout))
    while :; do
        pending=""
        for i in "$@"; do
            st=$(ip -n "$LAB_INST" -o link show dev "$i" 2>/dev/null | cut -d: -f1)
            st=$(sed -n 's/^ADMIN_STATE=//p' \
                "$(lab_inst_path "/run/systemd/netif/links/$st")" 2>/dev/null)
            [ "$st" = configured ] || pending="$pending $i($st)"
        done
        [ -z "$pending" ] && return 0
        [ "$(date +%s)" -lt "$deadline" ] || break
        sleep "$LAB_POLL"
    done
    lab_log "not configured after ${timeout}s:$pending"
    return 1
}

# lab_wait_for TIMEOUT COMMAND...: retry COMMAND every 0.1 s until it succeeds.
lab_wait_for() {
    local deadline=$(($(date +%s) + $1))
    shift
    until "$@" >/dev/null 2>&1; do
        [ "$(date +%s)" -lt "$deadline" ] || return 1
        sleep 0.1
    done
}

# --- the product ----------------------------------------------------------------------

lab_product_path() {
    [ -n "$LAB_BUILD_DIR" ] || lab_die "LAB_BUILD_DIR (or EC2NET_BUILD_DIR) is not set"
    local p="$LAB_BUILD_DIR/generators/$1"
    [ -x "$p" ] || lab_die "no product binary $p (build first)"
    echo "$p"
}

# lab_product PROGRAM ARGS...: run one of the product's programs inside the instance, with
# the lab's configuration (driver veth).
lab_product() {
    local p
    p=$(lab_product_path "$1") || exit 1
    shift
    # LAB_PRODUCT_ENV: extra VAR=VALUE words for the product (e.g. SYSTEMD_LOG_LEVEL=debug)
    # shellcheck disable=SC2086
    lab_inst env EC2NET_CONFIG="$LAB_CONFIG" ${LAB_PRODUCT_ENV:-} "$p" "$@"
}

# Reload networkd inside the instance (for hand-written files; the product does its own).
lab_networkctl() { lab_inst networkctl "$@"; }

# networkd reloads, counted on the instance's bus (every Reload call to networkd's Manager),
# independently of the product's own log: lab_reload_monitor_start once, then lab_reloads
# for the count so far.
lab_reload_monitor_start() {
    local i
    lab_inst_bg dbus-monitor --system \
        "type='method_call',interface='org.freedesktop.network1.Manager',member='Reload'" \
        >"$LAB_DIR/reloads.log" 2>&1
    LAB_PIDS+=("$!")
    for ((i = 0; i < 200; i++)); do [ -s "$LAB_DIR/reloads.log" ] && break; sleep 0.02; done
    [ -s "$LAB_DIR/reloads.log" ] || lab_die "dbus-monitor did not start"
}
# lab_probe_start IFACE [DST]: an ICMP echo every 20 ms out of IFACE (bound to the device)
# to DST (default: the ENI's IPv4 gateway), in the background until lab_probe_stop, which
# prints its JSON summary: sent, received, lost, longest run of lost probes, every lost run
# (tests/lab/probe.py). One probe at a time.
lab_probe_start() {
    local dst=${2:-$(lab_gateway4 "$1")} i
    [ -n "$dst" ] || lab_die "lab_probe_start: no IPv4 gateway for $1"
    rm -f "$LAB_DIR/probe.json" "$LAB_DIR/probe.out"
    lab_inst_bg "$LAB_PYTHON" "$LAB_LIB_DIR/probe.py" --dev "$1" --dst "$dst" --interval 0.02 \
        --out "$LAB_DIR/probe.json" >"$LAB_DIR/probe.out" 2>&1
    LAB_PROBE_PID=$!
    LAB_PIDS+=("$LAB_PROBE_PID")
    for ((i = 0; i < 300; i++)); do
        grep -q started "$LAB_DIR/probe.out" 2>/dev/null && return 0
        lab_alive "$LAB_PROBE_PID" || break
        sleep 0.01
    done
    cat "$LAB_DIR/probe.out" >&2
    lab_die "the probe did not start"
}
lab_probe_stop() {
    local i
    kill -TERM "$LAB_PROBE_PID" 2>/dev/null
    for ((i = 0; i < 200; i++)); do [ -s "$LAB_DIR/probe.json" ] && break; sleep 0.02; done
    cat "$LAB_DIR/probe.json"
}
# lab_runpar_build: builds the lab's launcher (runpar.c: runs commands, reports each one's
# exit, wall time, CPU and peak memory from wait4) into $LAB_DIR; LAB_RUNPAR is its path.
lab_runpar_build() {
    LAB_RUNPAR="$LAB_DIR/runpar"
    cc -O2 -Wall -o "$LAB_RUNPAR" "$LAB_LIB_DIR/runpar.c" || lab_die "cannot build runpar"
}
lab_reloads() {
    sleep 0.2   # dbus-monitor writes asynchronously
    grep -c 'member=Reload' "$LAB_DIR/reloads.log"
}

# --- IMDS -----------------------------------------------------------------------------

lab_imds_get() { lab_tool get "$LAB_IMDS_FILE" "$1"; }
lab_imds_set() { lab_tool set "$LAB_IMDS_FILE" "$@" && lab_srccheck_sync; }
lab_imds_del() { lab_tool del "$LAB_IMDS_FILE" "$1" && lab_srccheck_sync; }
lab_imds_list_add() { lab_tool list-add "$LAB_IMDS_FILE" "$1" "$2" && lab_srccheck_sync; }
lab_imds_list_remove() { lab_tool list-remove "$LAB_IMDS_FILE" "$1" "$2" && lab_srccheck_sync; }
# Path of an ENI's key: lab_mac_key MAC KEY -> network/interfaces/macs/MAC/KEY
lab_mac_key() { echo "network/interfaces/macs/${1,,}/$2"; }
# Faults: lab_faults '{"rules": [...]}' (the fake IMDS re-reads the file on change).
lab_faults() {
    printf '%s\n' "$1" >"$LAB_DIR/faults.json.tmp" && mv "$LAB_DIR/faults.json.tmp" "$LAB_DIR/faults.json"
}
# Request counting: lab_imds_mark remembers the log position; lab_imds_count counts after it.
lab_imds_mark() { LAB_IMDS_MARK=$(lab_tool lines "$LAB_IMDS_LOG"); }
lab_imds_count() { lab_tool count "$LAB_IMDS_LOG" --skip "${LAB_IMDS_MARK:-0}" "$@"; }

# --- assertions -----------------------------------------------------------------------

LAB_PASS=0
LAB_FAIL=0
lab_ok() { LAB_PASS=$((LAB_PASS + 1)); echo "ok   $*"; }
lab_not_ok() { LAB_FAIL=$((LAB_FAIL + 1)); LAB_FAILED=1; echo "FAIL $*"; }
lab_assert() { # lab_assert DESCRIPTION COMMAND...: counts and prints; returns COMMAND's verdict
    local what=$1
    shift
    if "$@"; then lab_ok "$what"; else lab_not_ok "$what"; return 1; fi
}

# lab_check IFACE...: the kernel state of each ENI against the IMDS tree (labtool's oracle,
# run inside the instance): addresses, policy rules (none for the primary), per-ENI table,
# main-table metric, altnames, MTU.
lab_check() {
    local out rc
    out=$(lab_inst "$LAB_PYTHON" "$LAB_LIB_DIR/labtool.py" check ${LAB_VERBOSE:+-v} \
        "$LAB_IMDS_FILE" "$@")
    rc=$?
    echo "$out"
    local p f
    p=$(sed -n 's/^oracle: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p' <<<"$out" | tail -n1)
    f=$(sed -n 's/^oracle: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p' <<<"$out" | tail -n1)
    LAB_PASS=$((LAB_PASS + ${p:-0}))
    if [ "$rc" != 0 ]; then
        LAB_FAIL=$((LAB_FAIL + ${f:-1}))
        [ "${f:-0}" -gt 0 ] || LAB_FAIL=$((LAB_FAIL + 1))
        LAB_FAILED=1
    fi
    return $rc
}

lab_is_gone() { # lab_is_gone MAC: no rule and no route of the ENI's table left (quiet, not counted)
    lab_inst "$LAB_PYTHON" "$LAB_LIB_DIR/labtool.py" check-gone "$LAB_IMDS_FILE" "$1" >/dev/null
}
lab_check_gone() { # lab_check_gone MAC: the same, counted and printed; returns the verdict
    local out rc
    out=$(lab_inst "$LAB_PYTHON" "$LAB_LIB_DIR/labtool.py" check-gone "$LAB_IMDS_FILE" "$1")
    rc=$?
    echo "$out"
    if [ $rc = 0 ]; then lab_ok "ENI $1 left nothing behind"; else lab_not_ok "ENI $1 left state"; fi
    return $rc
}

# lab_has_v4 IFACE: the link has a global IPv4 address.
lab_has_v4() { test -n "$(lab_inst ip -4 -o addr show dev "$1" scope global)"; }

lab_counter() { # lab_counter PEER (SRC|drop): packets counted by the VPC's source check
    lab_vpc nft -j list table netdev lab_srccheck | lab_tool counter "$1" "$2"
}
lab_drops() { # total packets dropped by the source check, all ENIs
    lab_vpc nft -j list table netdev lab_srccheck | lab_tool counters |
        awk '$2 == "drop" { n += $3 } END { print n + 0 }'
}

# lab_assert_egress SRC IFACE [DST] [COUNT] [ALLOWED]: ping DST (default: the remote host,
# i.e. via the default route) from inside the instance with source SRC; every echo request
# must be counted on IFACE's VPC port under SRC (or under ALLOWED, the ENI's delegated
# prefix SRC belongs to), none dropped anywhere, and all must be answered.
lab_assert_egress() {
    local src=$1 ifname=$2 dst=${3:-} count=${4:-5} label=${5:-$1} peer before after drops0 drops1 out
    peer=$(lab_peer "$ifname")
    if [ -z "$dst" ]; then
        case $src in *:*) dst=$LAB_REMOTE6 ;; *) dst=$LAB_REMOTE4 ;; esac
    fi
    before=$(lab_counter "$peer" "$label")
    drops0=$(lab_drops)
    out=$(lab_inst ping -n -q -c "$count" -i 0.05 -W 2 -I "$src" "$dst" 2>&1)
    local prc=$?
    after=$(lab_counter "$peer" "$label")
    drops1=$(lab_drops)
    local sent=$((after - before))
    if [ $prc = 0 ] && [ "$sent" -ge "$count" ] && [ "$drops1" = "$drops0" ]; then
        lab_ok "traffic from $src to $dst leaves through $ifname ($sent packets, 0 dropped)"
    else
        lab_not_ok "traffic from $src to $dst via $ifname: ping rc=$prc, counted $sent/$count \
on $peer (as $label), dropped $((drops1 - drops0)) by the VPC source check"
        echo "$out" | tail -n 3
        lab_vpc nft -j list table netdev lab_srccheck | lab_tool counters | sed 's/^/    /'
    fi
}

# lab_networkd_reloads: Reload calls networkd received over D-Bus so far (counted in its
# log: needs LAB_NETWORKD_LOG_LEVEL=debug before lab_up, which logs every method call).
lab_networkd_reloads() {
    [ "$LAB_NETWORKD_LOG_LEVEL" = debug ] || lab_die "lab_networkd_reloads needs LAB_NETWORKD_LOG_LEVEL=debug"
    grep -c 'member=Reload ' "$LAB_DIR/networkd.log"
}

# lab_snapshot_kernel: the instance's kernel state as sorted, normalised lines (links with
# MTU and altnames, addresses, IPv4/IPv6 rules, routes of every table; no lifetimes), for
# before/after comparisons.
lab_snapshot_kernel() {
    lab_inst "$LAB_PYTHON" "$LAB_LIB_DIR/labtool.py" snapshot
}

# lab_snapshot_files [DIR]: path, mode, size, mtime and SHA-256 of every file under DIR
# (default /run/systemd/network) inside the instance.
lab_snapshot_files() {
    local d
    d=$(lab_inst_path "${1:-/run/systemd/network}")
    (cd "$d" && find . -type f -printf '%P %m %s %T@ ' -exec sha256sum {} \; | awk '{print $1, $2, $3, $4, $5}' | sort)
}

lab_summary() { # the closing line ctest-style runners look for
    echo "$LAB_PASS passed, $LAB_FAIL failed"
    [ "$LAB_FAIL" = 0 ]
}

# --- diagnostics and teardown ---------------------------------------------------------

lab_dump() {
    lab_log "---- diagnostics ($LAB_DIR)"
    [ -n "$LAB_HOLDER" ] && kill -0 "$LAB_HOLDER" 2>/dev/null && {
        lab_inst ip addr >&2 || true
        lab_inst ip -4 rule >&2 || true
        lab_inst ip -6 rule >&2 || true
        lab_inst ip route show table all >&2 || true
        ls -la "$(lab_inst_path /run/systemd/network)" >&2 || true
    }
    local f
    for f in networkd.log dnsmasq.log imds.out imds.log; do
        [ -s "$LAB_DIR/$f" ] && { lab_log "---- tail $f"; tail -n 40 "$LAB_DIR/$f" >&2; }
    done
}

# Running (a zombie waiting to be reaped counts as gone).
lab_alive() {
    local st
    st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null) || return 1
    [ -n "$st" ] && [ "${st%% *}" != Z ]
}

lab_teardown() {
    local rc=$? t0 i pid ns
    trap - EXIT INT TERM HUP
    trap '' PIPE  # output may go nowhere now; the cleanup goes on
    t0=$(lab_now)
    [ -n "${LAB_DIR:-}" ] || exit $rc
    [ $rc != 0 ] || [ "${LAB_FAILED:-0}" != 0 ] && [ "${LAB_QUIET_TEARDOWN:-0}" = 0 ] && lab_dump
    # Every process the lab started, by PID; then anything still running inside the lab's
    # namespaces (started by a test through lab_inst/lab_vpc), also by PID.
    for ((i = ${#LAB_PIDS[@]} - 1; i >= 0; i--)); do
        kill "${LAB_PIDS[$i]}" 2>/dev/null
    done
    for ns in "${LAB_INST:-}" "${LAB_VPC:-}"; do
        [ -n "$ns" ] && [ -e "/run/netns/$ns" ] || continue
        for pid in $(ip netns pids "$ns" 2>/dev/null); do kill "$pid" 2>/dev/null; done
    done
    for ((i = 0; i < 150; i++)); do
        local alive=0
        for pid in "${LAB_PIDS[@]}"; do lab_alive "$pid" && alive=1; done
        [ $alive = 0 ] && break
        sleep 0.02
    done
    for pid in "${LAB_PIDS[@]}"; do lab_alive "$pid" && kill -9 "$pid" 2>/dev/null; done
    for ns in "${LAB_INST:-}" "${LAB_VPC:-}"; do
        [ -n "$ns" ] && [ -e "/run/netns/$ns" ] || continue
        for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null; done
        ip netns del "$ns" 2>/dev/null
    done
    wait 2>/dev/null
    lab_log "teardown in $(lab_elapsed "$t0")s (whole run $(lab_elapsed "$LAB_T0")s)"
    if [ "${LAB_KEEP:-0}" = 1 ] || { [ $rc != 0 ] && [ -n "${LAB_KEEP_ON_FAILURE:-}" ]; }; then
        lab_log "kept $LAB_DIR"
    else
        rm -rf "$LAB_DIR"
    fi
    [ "${LAB_FAILED:-0}" != 0 ] && [ $rc = 0 ] && rc=1
    exit $rc
}

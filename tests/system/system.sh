# shellcheck shell=bash
# SPDX-License-Identifier: Apache-2.0
#
# The system tier: a real systemd as PID 1 in a systemd-nspawn container with the product
# installed, its ENIs veth pairs whose peers sit in the lab's VPC namespace (dnsmasq, the
# fake IMDS). Sourced by every tests/system/system-*.sh. See README.md.
#
#   source tests/system/system.sh      # also sources tests/lab/lab.sh
#   sys_init "$@"                      # --build-dir DIR [--keep] [--verbose]; skips (77)
#                                      # when it cannot run; root cache; trap
#   lab_load SCENARIO.json
#   sys_vpc_up                         # VPC namespace, fake IMDS, dnsmasq (lab functions)
#   sys_boot                           # fresh instance netns with the boot ENIs, fresh
#                                      # overlay of the cached root with the product, boot
#   sys_ct systemctl ...               # a command of the container, inside it
#   lab_inst ip -j rule                # a host tool in the container's network namespace
#   sys_halt                           # stop the container, drop its netns and overlay
#
# Safety: the container runs in a network namespace this file creates (nspawn
# --network-namespace-path=, the same isolation as --private-network); every command run
# in it goes through the lab's nsguard first, which checks the network namespace by inode.
# Everything started here is stopped by PID; mounts and namespaces are removed on exit, and
# those of earlier runs that were killed are removed by the next one.

SYS_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lab/lab.sh
source "$SYS_LIB_DIR/../lab/lab.sh"

: "${SYS_CACHE_DIR:=/var/cache/ec2net-system-tests}"
SYS_SUITE=bookworm
# Bump when the recipe of the cached root below changes: the next run rebuilds it.
SYS_ROOT_RECIPE=1
SYS_ROOT_PACKAGES=systemd,systemd-sysv,dbus,iproute2,libcurl4,libjansson4,udev
: "${SYS_BOOT_TIMEOUT:=120}"
SYS_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
# Where the product lives once installed (prefix /usr, as the packages).
SYS_LIBEXEC=/usr/libexec/amazon-ec2-net-utils
# shellcheck disable=SC2034  # used by the test scripts
SYS_PREFIX=${EC2NET_FILE_PREFIX:-70}

sys_skip() { echo "SKIP: $*"; exit 77; }

sys_usage() { echo "usage: $0 [--build-dir DIR] [--keep] [--verbose]" >&2; exit 2; }

# --- preconditions and the cached root ----------------------------------------------

sys_require() {
    [ "$(id -u)" = 0 ] || sys_skip "the system tier needs root"
    local t missing=""
    for t in debootstrap systemd-nspawn nsenter unshare mount umount flock cmake; do
        command -v "$t" >/dev/null 2>&1 || missing="$missing $t"
    done
    [ -z "$missing" ] || sys_skip "missing:$missing (apt-get install debootstrap \
systemd-container util-linux cmake)"
    grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null ||
        grep -qw overlay /proc/filesystems || sys_skip "no overlayfs in this kernel"
    if [ -z "${LAB_BUILD_DIR:-}" ] || [ ! -x "$LAB_BUILD_DIR/generators/ec2-net-generator" ]; then
        lab_die "no build in '${LAB_BUILD_DIR:-}' (pass --build-dir)"
    fi
}

# The Debian mirror apt uses on this machine (deb822 .sources or one-line sources.list).
sys_mirror() {
    local f uri
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -r "$f" ] || continue
        uri=$(awk -v s="$SYS_SUITE" '
            /^[ \t]*$/ { if (u != "" && ok) { print u; exit } u = ""; ok = 0; next }
            /^URIs:/ { u = $2 }
            /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == s) ok = 1 }
            END { if (u != "" && ok) print u }' "$f" | head -n1)
        [ -n "$uri" ] && { echo "$uri"; return; }
    done
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -r "$f" ] || continue
        uri=$(awk -v s="$SYS_SUITE" '$1 == "deb" && $0 !~ /security/ {
                for (i = 2; i < NF; i++) if ($(i + 1) == s && $i ~ /^[a-z]+:\/\//) { print $i; exit } }' "$f")
        [ -n "$uri" ] && { echo "$uri"; return; }
    done
    echo http://deb.debian.org/debian
}

# sys_root_ensure: $SYS_CACHE_DIR/bookworm, a minimal Debian 12 made once by debootstrap and
# reused by every run (read-only: each boot writes to its own overlay). Rebuilt when
# missing or made by an older recipe. Serialised by a lock so parallel runs build it once.
sys_root_ensure() {
    local root="$SYS_CACHE_DIR/$SYS_SUITE" stamp tmp t0 mirror
    SYS_ROOT=$root
    stamp="$root/.ec2net-system-root"
    [ "$(cat "$stamp" 2>/dev/null)" = "$SYS_ROOT_RECIPE $SYS_ROOT_PACKAGES" ] && return 0
    mkdir -p "$SYS_CACHE_DIR"
    exec {lockfd}>"$SYS_CACHE_DIR/.lock"
    flock "$lockfd"
    if [ "$(cat "$stamp" 2>/dev/null)" != "$SYS_ROOT_RECIPE $SYS_ROOT_PACKAGES" ]; then
        t0=$(lab_now)
        mirror=$(sys_mirror)
        tmp="$SYS_CACHE_DIR/$SYS_SUITE.tmp"
        rm -rf --one-file-system "$tmp"
        lab_log "building the cached root $root (debootstrap $SYS_SUITE from $mirror)"
        if ! debootstrap --variant=minbase --include="$SYS_ROOT_PACKAGES" "$SYS_SUITE" "$tmp" \
            "$mirror" >"$SYS_CACHE_DIR/debootstrap.log" 2>&1; then
            tail -n 20 "$SYS_CACHE_DIR/debootstrap.log" >&2
            rm -rf --one-file-system "$tmp"
            flock -u "$lockfd"
            sys_skip "debootstrap failed (log: $SYS_CACHE_DIR/debootstrap.log)"
        fi
        sys_root_configure "$tmp" || lab_die "configuring the cached root failed"
        echo "$SYS_ROOT_RECIPE $SYS_ROOT_PACKAGES" >"$tmp/.ec2net-system-root"
        rm -rf --one-file-system "$root"
        mv "$tmp" "$root"
        lab_log "cached root ready in $(lab_elapsed "$t0")s"
    fi
    flock -u "$lockfd"
    exec {lockfd}>&-
}

# What every test boot wants and the packages do not do: networkd on, nothing that waits
# for a terminal or the clock, no password for root, no fixed machine id.
sys_root_configure() {
    local r=$1
    systemctl --root="$r" enable systemd-networkd.service systemd-networkd-wait-online.service \
        >/dev/null 2>&1 || return 1
    systemctl --root="$r" mask getty@tty1.service console-getty.service apt-daily.timer \
        apt-daily-upgrade.timer dpkg-db-backup.timer e2scrub_all.timer e2scrub_reap.service \
        fstrim.timer systemd-pstore.service >/dev/null 2>&1 || return 1
    chroot "$r" passwd -qd root >/dev/null || return 1
    : >"$r/etc/machine-id"
    echo ec2net-system >"$r/etc/hostname"
    # The container's journal lives in its overlay (volatile would do as well).
    rm -rf "$r/var/cache/apt/archives/"*.deb
}

# --- lifecycle ------------------------------------------------------------------------

# Overlays of earlier runs killed before their teardown (their sys.pid is gone).
sys_clean_stale() {
    local m dir pid
    while read -r m; do
        [[ $m == */ec2net-lab.*/root ]] || continue
        dir=${m%/root}
        pid=$(cat "$dir/sys.pid" 2>/dev/null) || continue
        [ -n "$pid" ] && [ -d "/proc/$pid" ] && continue
        umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
        lab_log "unmounted stale overlay $m"
        rm -rf --one-file-system "$dir"
    done < <(findmnt -rn -t overlay -o TARGET 2>/dev/null)
}

sys_init() {
    while [ $# -gt 0 ]; do
        case $1 in
            --build-dir) LAB_BUILD_DIR=$2; shift 2 ;;
            --build-dir=*) LAB_BUILD_DIR=${1#*=}; shift ;;
            -v|--verbose) LAB_VERBOSE=1; shift ;;
            --keep) LAB_KEEP=1; shift ;;
            *) sys_usage ;;
        esac
    done
    : "${LAB_BUILD_DIR:=${EC2NET_BUILD_DIR:-}}"
    [ -z "$LAB_BUILD_DIR" ] || LAB_BUILD_DIR=$(cd "$LAB_BUILD_DIR" && pwd)
    sys_require
    lab_init
    echo $$ >"$LAB_DIR/sys.pid"
    trap 'sys_teardown' EXIT
    sys_clean_stale
    SYS_NSPAWN_PID="" SYS_PID1="" SYS_MERGED="" SYS_BOOTS=0
    sys_root_ensure
    sys_product_install_tree
}

# The build, installed as the packages would (prefix /usr), once per run.
sys_product_install_tree() {
    SYS_DESTDIR="$LAB_DIR/destdir"
    DESTDIR="$SYS_DESTDIR" cmake --install "$LAB_BUILD_DIR" >"$LAB_DIR/install.log" 2>&1 ||
        { cat "$LAB_DIR/install.log" >&2; lab_die "cmake --install failed"; }
    [ -x "$SYS_DESTDIR/usr/lib/systemd/system-generators/ec2-net-generator" ] ||
        lab_die "the install tree has no /usr/lib/systemd/system-generators/ec2-net-generator \
(configure with the default prefix /usr)"
}

# sys_vpc_up: the lab's VPC namespace with the fake IMDS and dnsmasq (no instance yet).
sys_vpc_up() {
    ip netns add "$LAB_VPC" || lab_die "ip netns add $LAB_VPC"
    LAB_VPC_NETNS=$(stat -L -c %i "/run/netns/$LAB_VPC")
    [ "$LAB_VPC_NETNS" != "$LAB_HOST_NETNS" ] || lab_die "VPC namespace inode equals the host's"
    lab_vpc_up
    lab_imds_start
    lab_dnsmasq_start
}

# Host tools in the container's network namespace (the lab's lab_inst runs them in the
# instance's mount namespace, which here is the container's: it has no python3).
lab_inst() {
    ip netns exec "$LAB_INST" "$LAB_LIB_DIR/nsguard" "$LAB_INST_NETNS" "$LAB_HOST_NETNS" "$@"
}

# sys_ct COMMAND...: run COMMAND inside the container (its mount, UTS, IPC, PID and network
# namespaces) with a clean environment. nsguard checks the network namespace from outside
# first (inside, PID 1 is the container's own systemd).
sys_ct() {
    [ -n "$SYS_PID1" ] || lab_die "no container running"
    nsenter -t "$SYS_PID1" -n -- "$LAB_LIB_DIR/nsguard" "$LAB_INST_NETNS" "$LAB_HOST_NETNS" \
        nsenter -t "$SYS_PID1" -m -u -i -p -w -- \
        env -i PATH="$SYS_PATH" LANG=C.UTF-8 SYSTEMD_PAGER= SYSTEMD_COLORS=0 "$@"
}
# A file of the container, seen from outside.
sys_path() { echo "/proc/$SYS_PID1/root$1"; }

# sys_root_file PATH [MODE]: stdin becomes PATH in the root of the next boot.
sys_root_file() {
    local p="$SYS_MERGED$1"
    mkdir -p "$(dirname "$p")"
    cat >"$p"
    chmod "${2:-0644}" "$p"
}

# sys_prepare [--no-product]: a fresh overlay of the cached root with the product installed
# (not with --no-product: a test that installs a package itself), the lab's test settings
# (driver veth) and the test's own units. Call sys_root_file after it to add or replace
# files, then sys_start.
sys_prepare() {
    SYS_BOOTS=$((SYS_BOOTS + 1))
    local o="$LAB_DIR/boot$SYS_BOOTS"
    mkdir -p "$o/upper" "$o/work" "$LAB_DIR/root"
    SYS_MERGED="$LAB_DIR/root"
    SYS_OVERLAY=$o
    mount -t overlay overlay -o "lowerdir=$SYS_ROOT,upperdir=$o/upper,workdir=$o/work" \
        "$SYS_MERGED" || lab_die "overlay mount on $SYS_MERGED"
    if [ "${1:-}" != --no-product ]; then
        cp -a "$SYS_DESTDIR/." "$SYS_MERGED/" || lab_die "installing the product into the root"
        # The product's runtime libraries are in the root.
        local missing
        missing=$(chroot "$SYS_MERGED" sh -c "ldd /usr/lib/systemd/system-generators/ec2-net-generator \
            $SYS_LIBEXEC/ec2-net-refresh $SYS_LIBEXEC/ec2-net-hotplug" | grep 'not found')
        [ -z "$missing" ] || lab_die "libraries missing in the root: $missing"
    fi
    # Drop-in configuration, as an administrator would add it: the lab's ENIs are veths.
    printf '# system tests: the ENIs are veth pairs\n[Interfaces]\nDrivers=veth\n' |
        sys_root_file /etc/amazon-ec2-net-utils.conf.d/50-system-test.conf
    # 80-ec2.network for driver veth, rendered by the build, overriding the vendor file.
    "$LAB_BUILD_DIR/units/render-default-network" veth |
        sys_root_file /etc/systemd/network/80-ec2.network ||
        lab_die "render-default-network veth"
    # networkd at debug level: its journal then records each D-Bus Reload it receives.
    printf '[Service]\nEnvironment=SYSTEMD_LOG_LEVEL=debug\n' |
        sys_root_file /etc/systemd/system/systemd-networkd.service.d/50-system-test.conf
    # A service that needs the network, as an application would: what it sees when it starts
    # is what network-online.target promised.
    sys_root_file /etc/systemd/system/ec2net-test-online.service <<'EOF'
[Unit]
Description=System test: an application that waits for network-online.target
Wants=network-online.target
After=network-online.target

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/bin/sh -c 'mkdir -p /run/ec2net-test && ip -4 rule >/run/ec2net-test/online-rules4 && ip -6 rule >/run/ec2net-test/online-rules6 && ip route show table all >/run/ec2net-test/online-routes4 && ip -6 route show table all >/run/ec2net-test/online-routes6 && ip addr >/run/ec2net-test/online-addrs'

[Install]
WantedBy=multi-user.target
EOF
    mkdir -p "$SYS_MERGED/etc/systemd/system/multi-user.target.wants"
    ln -sf ../ec2net-test-online.service \
        "$SYS_MERGED/etc/systemd/system/multi-user.target.wants/ec2net-test-online.service"
}

# sys_instance_netns: a fresh staging network namespace holding the scenario's boot ENIs.
sys_instance_netns() {
    local e f boot=()
    ip netns add "$LAB_INST" || lab_die "ip netns add $LAB_INST"
    SYS_STAGING_NETNS=$(stat -L -c %i "/run/netns/$LAB_INST")
    LAB_INST_NETNS=$SYS_STAGING_NETNS
    [ "$LAB_INST_NETNS" != "$LAB_HOST_NETNS" ] || lab_die "instance namespace inode equals the host's"
    SYS_BOOT_IFACES=()
    for e in "${LAB_ENIS[@]}"; do
        read -r -a f <<<"$e"
        [ "${f[4]}" = boot ] && { boot+=("${f[1]}"); SYS_BOOT_IFACES+=("${f[0]}"); }
    done
    [ ${#boot[@]} = 0 ] || lab_eni_create "${boot[@]}"
    lab_srccheck_sync
}

# The launcher runs systemd-nspawn inside the staging namespace, in a private mount
# namespace where /sys is that namespace's sysfs (cgroups carried over) and /run a tmpfs.
# nspawn's --network-interface= insists on udev having initialised each interface and there
# is no udev here, so the launcher writes the udev database entries nspawn checks into that
# private /run. Nothing of this reaches the host's mounts.
sys_write_launcher() {
    local i nics=""
    for i in "${SYS_BOOT_IFACES[@]}"; do nics="$nics --network-interface=$i"; done
    cat >"$LAB_DIR/launch.sh" <<EOF
set -e
mkdir -p "$LAB_DIR/cgroup"
mount --rbind /sys/fs/cgroup "$LAB_DIR/cgroup"
mount -t sysfs -o nosuid,nodev,noexec sysfs /sys
mount --move "$LAB_DIR/cgroup" /sys/fs/cgroup
mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs /run
mkdir -p /run/udev/data
for i in ${SYS_BOOT_IFACES[*]}; do
    printf 'I:1\\n' >"/run/udev/data/n\$(cat "/sys/class/net/\$i/ifindex")"
done
exec systemd-nspawn --quiet --boot --register=no --keep-unit --console=read-only \\
    --private-network $nics --machine="$LAB_ID" -D "$SYS_MERGED" "\$@"
EOF
}

# sys_start [INIT-ARGS...]: boot the prepared root: systemd-nspawn --private-network with
# the boot ENIs moved into the container's new network namespace before its PID 1 starts
# (so the generator finds them). Returns when the boot transaction is done
# (systemctl is-system-running --wait). LAB_INST then names the container's namespace.
sys_start() {
    local i c t0 st ns=""
    [ -n "$SYS_MERGED" ] || lab_die "sys_prepare first"
    sys_instance_netns
    sys_write_launcher
    t0=$(lab_now)
    SYS_CONSOLE="$LAB_DIR/console$SYS_BOOTS.log"
    { exec nsenter --net="/run/netns/$LAB_INST" -- "$LAB_LIB_DIR/nsguard" "$SYS_STAGING_NETNS" \
        "$LAB_HOST_NETNS" unshare -m --propagation private sh "$LAB_DIR/launch.sh" "$@" \
        </dev/null >"$SYS_CONSOLE" 2>&1; } &
    SYS_NSPAWN_PID=$!
    LAB_PIDS+=("$SYS_NSPAWN_PID")
    # PID 1 of the container: the child of systemd-nspawn running systemd, in a network
    # namespace of its own.
    SYS_PID1=""
    for ((i = 0; i < 400; i++)); do
        for c in $(cat /proc/"$SYS_NSPAWN_PID"/task/*/children 2>/dev/null); do
            [ "$(readlink "/proc/$c/exe" 2>/dev/null)" = /usr/lib/systemd/systemd ] || continue
            ns=$(stat -L -c %i "/proc/$c/ns/net" 2>/dev/null) || continue
            [ "$ns" != "$LAB_HOST_NETNS" ] && [ "$ns" != "$SYS_STAGING_NETNS" ] && SYS_PID1=$c
        done
        [ -n "$SYS_PID1" ] && break
        kill -0 "$SYS_NSPAWN_PID" 2>/dev/null || break
        sleep 0.025
    done
    # No PID 1 at all is this machine, not the product (which runs only once systemd does).
    [ -n "$SYS_PID1" ] || { tail -n 20 "$SYS_CONSOLE" >&2; sys_skip "systemd-nspawn cannot boot a container here"; }
    LAB_HOLDER=$SYS_PID1   # lab_inst_path, lab_wait_configured: the container's files
    # From now on the lab's instance namespace is the container's (hot-added ENIs go there).
    ip netns del "$LAB_INST"
    ip netns attach "$LAB_INST" "$SYS_PID1" || lab_die "ip netns attach $LAB_INST $SYS_PID1"
    LAB_INST_NETNS=$(stat -L -c %i "/run/netns/$LAB_INST")
    [ "$LAB_INST_NETNS" = "$ns" ] || lab_die "container namespace mismatch"
    # The system bus comes up with the boot: wait for it, then for the boot transaction.
    for ((i = 0; i < 400; i++)); do
        [ -S "$(sys_path /run/dbus/system_bus_socket)" ] && break
        sleep 0.025
    done
    st=$(sys_ct timeout "$SYS_BOOT_TIMEOUT" systemctl is-system-running --wait 2>&1)
    SYS_BOOT_SECONDS=$(lab_elapsed "$t0")
    lab_log "container booted in ${SYS_BOOT_SECONDS}s (PID 1 = $SYS_PID1, state $st)"
    # shellcheck disable=SC2034  # read by the test scripts
    SYS_BOOT_STATE=$st
}

# sys_halt: stop the container (orderly, then by PID), drop its overlay and netns.
sys_halt() {
    local i
    if [ -n "$SYS_NSPAWN_PID" ]; then
        # SIGTERM to systemd-nspawn: an orderly poweroff of the container.
        kill -TERM "$SYS_NSPAWN_PID" 2>/dev/null
        for ((i = 0; i < 300; i++)); do lab_alive "$SYS_NSPAWN_PID" || break; sleep 0.05; done
        if lab_alive "$SYS_NSPAWN_PID"; then
            lab_log "container did not power off in 15 s, killing it"
            [ -n "$SYS_PID1" ] && kill -9 "$SYS_PID1" 2>/dev/null   # the whole PID namespace
            kill -9 "$SYS_NSPAWN_PID" 2>/dev/null
        fi
        wait "$SYS_NSPAWN_PID" 2>/dev/null
        SYS_NSPAWN_PID=""
    fi
    SYS_PID1="" LAB_HOLDER=""
    if [ -n "$SYS_MERGED" ] && mountpoint -q "$SYS_MERGED"; then
        umount "$SYS_MERGED" 2>/dev/null || umount -l "$SYS_MERGED"
    fi
    SYS_MERGED=""
    if [ -n "${LAB_INST:-}" ] && [ -e "/run/netns/$LAB_INST" ]; then
        for i in $(ip netns pids "$LAB_INST" 2>/dev/null); do kill -9 "$i" 2>/dev/null; done
        ip netns del "$LAB_INST"
    fi
}

# sys_reboot [INIT-ARGS...]: power the container off and boot it again on the same overlay
# (what was installed and configured stays, /run starts empty), with fresh ENIs of the same
# names and MACs. Returns as sys_start does.
sys_reboot() {
    [ -n "${SYS_OVERLAY:-}" ] || lab_die "sys_prepare first"
    sys_halt
    SYS_BOOTS=$((SYS_BOOTS + 1))   # its own console log
    SYS_MERGED="$LAB_DIR/root"
    mount -t overlay overlay -o "lowerdir=$SYS_ROOT,upperdir=$SYS_OVERLAY/upper,workdir=$SYS_OVERLAY/work" \
        "$SYS_MERGED" || lab_die "overlay mount on $SYS_MERGED"
    sys_start "$@"
}

sys_dump() {
    [ -n "$SYS_PID1" ] && kill -0 "$SYS_PID1" 2>/dev/null || return 0
    lab_log "---- container: failed units, product journal"
    sys_ct systemctl --no-pager --failed >&2
    sys_ct journalctl -q --no-pager -b -o short-monotonic -n 80 \
        -u 'policy-routes@*' -u 'refresh-policy-routes@*' -u ec2-net-seed.service >&2
    sys_ct journalctl -q --no-pager -b -o short-monotonic -n 20 -t ec2-net-hotplug >&2
}

sys_teardown() {
    local rc=$?
    trap - EXIT
    [ $rc != 0 ] || [ "${LAB_FAILED:-0}" != 0 ] && sys_dump
    sys_halt
    (exit $rc)
    lab_teardown
}

# --- assertions -----------------------------------------------------------------------

# sys_journal ARGS...: the container's journal of this boot, one message a line.
sys_journal() { sys_ct journalctl -q --no-pager -b -o cat "$@"; }

# Warnings and errors of the product's programs in the container's journal, whoever ran
# them (units, udev's RUN+=, a shell): journalctl ORs matches of the same field only.
sys_product_warnings() {
    local id
    {
        for id in ec2-net-refresh ec2-net-seed ec2-net-hotplug ec2-net-generator setup-policy-routes; do
            sys_ct journalctl -q --no-pager -b -o cat -p warning -t "$id"
        done
        sys_ct journalctl -q --no-pager -b -o cat -p warning -u 'policy-routes@*' \
            -u 'refresh-policy-routes@*' -u ec2-net-seed.service
    } | awk '!seen[$0]++'
}


# sys_prop UNIT PROPERTY: one property of a unit (the value only).
sys_prop() { sys_ct systemctl show -P "$2" "$1"; }

# sys_glob PATTERN: something matches.
sys_glob() { compgen -G "$1" >/dev/null; }

# sys_wait_for TIMEOUT COMMAND...: retry every 0.05 s (finer than lab_wait_for).
sys_wait_for() {
    local deadline
    deadline=$(awk -v t="$1" -v n="$(lab_now)" 'BEGIN { printf "%.3f", n + t }')
    shift
    until "$@" >/dev/null 2>&1; do
        awk -v d="$deadline" -v n="$(lab_now)" 'BEGIN { exit !(n < d) }' || return 1
        sleep 0.05
    done
}

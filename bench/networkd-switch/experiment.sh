#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# One measurement of how systemd-networkd moves ENIs from the generic 80-ec2.network to
# their own PREFIX-IFACE.network (+ drop-ins), in the e2e lab (tests/lab/lab.sh, used as
# is). A measurement, not a test: see bench/networkd-switch.md for what was measured and why.
#
#   experiment.sh --build-dir DIR --enis N --variant V --rendered DIR --out FILE
#                 [--networkd 252|257] [--trigger files|product] [--scenario "GEN ARGS"]
#
# --variant: words joined with "+":
#   base           nothing changed: the product's files as they are
#   keep80=VALUE   80-ec2.network gets KeepConfiguration=VALUE (an /etc drop-in)
#   keepown=VALUE  every PREFIX-IFACE.network gets KeepConfiguration=VALUE (an /etc drop-in)
#   hold           every ENI but the primary is held unmanaged before networkd starts (a
#                  PREFIX-IFACE.network with Unmanaged=yes), so its first configuration is
#                  its own file
#   primary-own    the primary's own files are in place before networkd starts (it was set
#                  up earlier): only the other ENIs move
#   own            every ENI's own files are in place before networkd starts (for
#                  --trigger refresh)
#   only-primary   the switch installs only the primary's files (the others stay as they are)
# --trigger: how the ENIs get their own files:
#   files    the product's files for the scenario (rendered once into --rendered by the
#            product itself, in a lab where DHCP had run) are copied into
#            /run/systemd/network and networkd is reloaded once (Manager.Reload, as the
#            product does); time zero is the reload
#   product  `setup-policy-routes IFACE start` for every ENI at once (the e2e sixteen-enis
#            way); time zero is the first fork
#   hotadd   only the primary ENI is attached at boot (with its own files in place); the
#            others are attached at once, then `setup-policy-routes IFACE start` for each
#            of them at once, as udev would; time zero is the attachment
#   refresh  a secondary IPv4 is assigned to the primary ENI in IMDS, then
#            `setup-policy-routes PRIMARY refresh` (its ec2net_alias.conf changes: a drop-in
#            only change); time zero is the start of the refresh
# --networkd 257: networkd of Debian 13 from the debootstrapped root in
#   $EC2NET_TRIXIE_ROOT (default /var/cache/ec2net-trixie/root), chrooted inside the
#   instance (SPEC section 9).
#
# Writes "key value" lines to FILE: lease_lost / dhcp6_lease_lost / reconfiguring /
# configuring lines of networkd's log after time zero, DHCPv4 DISCOVER/REQUEST and router
# solicitations seen by dnsmasq after time zero, the probe (ICMP echo to the primary's
# gateway every 20 ms out of the primary), ready_ms, the oracle, and the kernel snapshot.
set -u
EXP_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BENCH_DIR=$(cd "$EXP_DIR/.." && pwd)
# shellcheck source=../../tests/lab/lab.sh
source "$BENCH_DIR/../tests/lab/lab.sh"

usage() { echo "usage: $0 --build-dir DIR --enis N --variant V --rendered DIR --out FILE [--networkd 252|257] [--trigger files|product]" >&2; exit 2; }
ENIS=16 VARIANT=base RENDERED="" OUT="" NETWORKD=252 TRIGGER=files SCEN_ARGS="--ipv6 --secondary 1 --v4-prefix"
while [ $# -gt 0 ]; do
    case $1 in
        --build-dir) LAB_BUILD_DIR=$(cd "$2" && pwd) || exit 2; shift 2 ;;
        --enis) ENIS=$2; shift 2 ;;
        --variant) VARIANT=$2; shift 2 ;;
        --rendered) RENDERED=$2; shift 2 ;;
        --out) OUT=$2; shift 2 ;;
        --networkd) NETWORKD=$2; shift 2 ;;
        --trigger) TRIGGER=$2; shift 2 ;;
        --scenario) SCEN_ARGS=$2; shift 2 ;;
        *) usage ;;
    esac
done
[ -n "$OUT" ] && [ -n "$RENDERED" ] && [ -n "${LAB_BUILD_DIR:-}" ] || usage
: >"$OUT"
out() { echo "$*" >>"$OUT"; }
note() { lab_log "[exp $VARIANT/$NETWORKD/$TRIGGER] $*"; }
PREFIX=${EC2NET_FILE_PREFIX:-70}
TRIXIE_ROOT=${EC2NET_TRIXIE_ROOT:-/var/cache/ec2net-trixie/root}

HOLD=0 KEEP80="" KEEPOWN="" PRIMARY_OWN=0 OWN=0 ONLY_PRIMARY=0
IFS=+ read -r -a words <<<"$VARIANT"
for w in "${words[@]}"; do
    case $w in
        base) ;;
        hold) HOLD=1 ;;
        primary-own) PRIMARY_OWN=1 ;;
        own) OWN=1 ;;
        only-primary) ONLY_PRIMARY=1 ;;
        keep80=*) KEEP80=${w#*=} ;;
        keepown=*) KEEPOWN=${w#*=} ;;
        *) usage ;;
    esac
done
[ "$TRIGGER" = refresh ] && [ "$OWN" = 0 ] && { echo "--trigger refresh needs the variant own" >&2; exit 2; }
if [ "$TRIGGER" = hotadd ]; then
    PRIMARY_OWN=1
    SCEN_ARGS="$SCEN_ARGS --later $((ENIS - 1))"
fi

# networkd 257: a wrapper run inside the instance that bind-mounts the instance's /run,
# /sys, /proc, /dev and network directories into the trixie root and execs its networkd.
if [ "$NETWORKD" = 257 ]; then
    [ -x "$TRIXIE_ROOT/usr/lib/systemd/systemd-networkd" ] || lab_die "no networkd in $TRIXIE_ROOT"
    wrapper=$(mktemp "${TMPDIR:-/tmp}/ec2net-nd257.XXXXXX")
    cat >"$wrapper" <<EOF
#!/bin/sh
set -e
for d in /run /sys /proc /dev /usr/lib/systemd/network /etc/systemd/network; do
    mount --bind "\$d" "$TRIXIE_ROOT\$d"
done
exec chroot "$TRIXIE_ROOT" /usr/lib/systemd/systemd-networkd
EOF
    chmod 755 "$wrapper"
    LAB_NETWORKD=$wrapper
fi

lab_init
lab_load_generated --enis "$ENIS" $SCEN_ARGS
PRODUCT=$(lab_product_path setup-policy-routes) || exit 1
IFACES=() MACS=()
for e in "${LAB_ENIS[@]}"; do read -r -a f <<<"$e"; IFACES+=("${f[0]}"); MACS+=("${f[1]}"); done
PRIMARY=${IFACES[0]}
out "variant $VARIANT"
out "networkd $NETWORKD"
out "trigger $TRIGGER"
out "enis $ENIS"

keep_dropin() { printf '# networkd-switch experiment\n[Network]\nKeepConfiguration=%s\n' "$1"; }
hold_file() {
    printf '# networkd-switch experiment: held until its own file exists\n[Match]\nName=%s\n\n[Link]\nUnmanaged=yes\n' "$1"
}

# install_own IFACE: the product's rendered files of IFACE into /run/systemd/network, each
# written only when its content differs, by a rename (as the product's writer does: an
# unchanged file keeps its inode and mtime, so networkd sees no change).
install_own() {
    local run f rel
    run=$(lab_inst_path /run/systemd/network)
    while read -r f; do
        rel=${f#"$RENDERED"/}
        cmp -s "$f" "$run/$rel" 2>/dev/null && continue
        mkdir -p "$(dirname "$run/$rel")"
        cp "$f" "$run/$rel.tmp" && mv -f "$run/$rel.tmp" "$run/$rel"
    done < <(find "$RENDERED" -type f \( -path "*/$PREFIX-$1.network" -o -path "*/$PREFIX-$1.network.d/*" \))
}

# lab_up with the variant's files in place before networkd starts; waits for DHCP only
# on the ENIs networkd manages.
exp_up() {
    local t0 i etc run
    t0=$(lab_now)
    ip netns add "$LAB_VPC" || lab_die "ip netns add"
    ip netns add "$LAB_INST" || lab_die "ip netns add"
    LAB_VPC_NETNS=$(stat -L -c %i "/run/netns/$LAB_VPC")
    LAB_INST_NETNS=$(stat -L -c %i "/run/netns/$LAB_INST")
    lab_vpc_up
    lab_imds_start
    lab_dnsmasq_start
    lab_instance_up
    etc=$(lab_inst_path /etc/systemd/network)
    run=$(lab_inst_path /run/systemd/network)
    if [ -n "$KEEP80" ]; then
        mkdir -p "$etc/80-ec2.network.d"
        keep_dropin "$KEEP80" >"$etc/80-ec2.network.d/zz-keep.conf"
    fi
    for i in "${IFACES[@]}"; do
        if [ -n "$KEEPOWN" ]; then
            mkdir -p "$etc/$PREFIX-$i.network.d"
            keep_dropin "$KEEPOWN" >"$etc/$PREFIX-$i.network.d/zz-keep.conf"
        fi
        [ "$HOLD" = 1 ] && [ "$i" != "$PRIMARY" ] && hold_file "$i" >"$run/$PREFIX-$i.network"
        if [ "$OWN" = 1 ] || { [ "$PRIMARY_OWN" = 1 ] && [ "$i" = "$PRIMARY" ]; }; then
            [ -e "$RENDERED/$PREFIX-$i.network" ] || lab_die "no rendered files in $RENDERED"
            install_own "$i"
        fi
    done
    if [ "$TRIGGER" = hotadd ]; then lab_eni_create "${MACS[0]}"; else lab_eni_create "${MACS[@]}"; fi
    lab_networkd_start
    if [ "$HOLD" = 1 ] || [ "$TRIGGER" = hotadd ]; then
        lab_wait_dhcp "$PRIMARY"
    else
        for i in "${IFACES[@]}"; do lab_wait_dhcp "$i"; done
    fi
    out "lab_up_ms $(awk -v a="$t0" -v b="$(lab_now)" 'BEGIN { printf "%d", (b - a) * 1000 }')"
}

# The product's own files for the scenario, rendered by the product into a scratch
# directory of the instance (its own runtime directory too, so nothing of the real run is
# touched): needs DHCP done on every ENI, i.e. a lab without "hold".
render_into() {
    local dst=$1 i
    lab_inst mkdir -p /run/ec2net-render/network /run/ec2net-render/rt
    for i in "${IFACES[@]}"; do
        lab_inst env EC2NET_CONFIG="$LAB_CONFIG" EC2NET_NETWORK_DIR=/run/ec2net-render/network \
            EC2NET_RUNTIME_DIR=/run/ec2net-render/rt "$PRODUCT" "$i" start >/dev/null 2>&1 ||
            lab_die "rendering $i"
    done
    mkdir -p "$dst"
    cp -a "$(lab_inst_path /run/ec2net-render/network)/." "$dst/"
    lab_inst rm -rf /run/ec2net-render
}

exp_up
if [ "$HOLD" = 1 ] || [ "$TRIGGER" = hotadd ]; then
    lab_wait_configured --timeout 60 "$PRIMARY" || lab_die "networkd did not configure $PRIMARY"
else
    lab_wait_configured --timeout 60 "${IFACES[@]}" || lab_die "networkd did not configure the links"
fi
if [ ! -e "$RENDERED/$PREFIX-$PRIMARY.network" ]; then
    [ "$HOLD" = 0 ] && [ "$TRIGGER" != hotadd ] ||
        lab_die "no rendered files in $RENDERED (run a files variant without hold first)"
    note "rendering the product's files into $RENDERED"
    render_into "$RENDERED"
fi
# The DHCP/RA state settles (the first RA, DHCPv6) before anything is measured.
sleep 3.5

# --- the switch ------------------------------------------------------------------------
lab_probe_start "$PRIMARY"
sleep 0.5   # a baseline of answered probes before the switch

POLL_IFACES=("${IFACES[@]}")
[ "$ONLY_PRIMARY" = 0 ] || POLL_IFACES=("$PRIMARY")
if [ "$TRIGGER" = refresh ]; then
    pmac=$(lab_mac "$PRIMARY")
    lab_imds_list_add "$(lab_mac_key "$pmac" local-ipv4s)" \
        "$(lab_imds_get "$(lab_mac_key "$pmac" local-ipv4s)" | sed -n 1p | awk -F. '{print $1"."$2"."$3".200"}')"
fi
lab_inst_bg "$LAB_PYTHON" "$BENCH_DIR/poll-ready.py" --trace --cheap --interval 0.02 --timeout 60 \
    "$LAB_IMDS_FILE" "${POLL_IFACES[@]}" >"$LAB_DIR/ready.poll" 2>&1
POLL_PID=$!
LAB_PIDS+=("$POLL_PID")
for ((k = 0; k < 500; k++)); do grep -q '^first-poll' "$LAB_DIR/ready.poll" 2>/dev/null && break; sleep 0.01; done

LOG_MARK=$(wc -l <"$LAB_DIR/networkd.log")
DNSMASQ_MARK=$(wc -l <"$LAB_DIR/dnsmasq.log" 2>/dev/null || echo 0)
note "switch of $ENIS ENIs ($TRIGGER)"
if [ "$TRIGGER" = files ]; then
    # networkd reads nothing before the reload: time zero is the reload, not the copy (one
    # file at a time, about half a second for 16 ENIs).
    if [ "$ONLY_PRIMARY" = 1 ]; then install_own "$PRIMARY"; else for i in "${IFACES[@]}"; do install_own "$i"; done; fi
    T0=$(date +%s%N)
    lab_inst networkctl reload || lab_die "networkctl reload"
elif [ "$TRIGGER" = hotadd ]; then
    lab_runpar_build
    mkdir -p "$LAB_DIR/log-start"
    T0=$(date +%s%N)
    lab_eni_attach "${MACS[@]:1}"
    lab_inst env EC2NET_CONFIG="$LAB_CONFIG" "$LAB_RUNPAR" -o "$LAB_DIR/start.rp" -e "$LAB_DIR/log-start" \
        "$PRODUCT" '{}' start ::: "${IFACES[@]:1}" || lab_die "runpar"
    out "start_failed $(awk '$1 != "total" && $2 != 0' "$LAB_DIR/start.rp" | wc -l)"
    out "start_wall_max_ms $(awk '$1 != "total" { if ($3 > m) m = $3 } END { printf "%d", m / 1000 }' "$LAB_DIR/start.rp")"
elif [ "$TRIGGER" = refresh ]; then
    T0=$(date +%s%N)
    lab_product setup-policy-routes "$PRIMARY" refresh >"$LAB_DIR/refresh.log" 2>&1 || out "refresh_failed 1"
    out "refresh_updated $(grep -c updated "$LAB_DIR/refresh.log")"
else
    lab_runpar_build
    mkdir -p "$LAB_DIR/log-start"
    lab_inst env EC2NET_CONFIG="$LAB_CONFIG" "$LAB_RUNPAR" -o "$LAB_DIR/start.rp" -e "$LAB_DIR/log-start" \
        "$PRODUCT" '{}' start ::: "${IFACES[@]}" || lab_die "runpar"
    T0=$(awk '$1 == "total" { print $2 }' "$LAB_DIR/start.rp")
    out "start_failed $(awk '$1 != "total" && $2 != 0' "$LAB_DIR/start.rp" | wc -l)"
fi
wait "$POLL_PID" 2>/dev/null
"$LAB_PYTHON" "$BENCH_DIR/benchtool.py" trace "$LAB_DIR/ready.poll" "$T0" | sed 's/^/ready_/' >>"$OUT"
grep -q '^ready' "$LAB_DIR/ready.poll" || { out "ready_timeout 1"; grep '^timeout' "$LAB_DIR/ready.poll" >&2; }
sleep 1.5   # late effects (a second reconfigure, a late RA) are part of the measurement
lab_probe_stop >/dev/null
"$LAB_PYTHON" - "$LAB_DIR/probe.json" >>"$OUT" <<'EOF'
import json, sys
p = json.load(open(sys.argv[1]))
for k in ("sent", "received", "lost", "send_errors", "longest_lost_run"):
    print("probe_%s %s" % (k, p[k]))
print("probe_lost_runs %s" % (";".join("%s@%.2fs" % (n, t) for t, n in p["lost_runs"]) or "-"))
EOF

# --- what networkd and the DHCP server saw after time zero ------------------------------
tail -n +"$((LOG_MARK + 1))" "$LAB_DIR/networkd.log" >"$LAB_DIR/networkd.after"
tail -n +"$((DNSMASQ_MARK + 1))" "$LAB_DIR/dnsmasq.log" >"$LAB_DIR/dnsmasq.after" 2>/dev/null
count() { grep -c -- "$1" "$2" || true; }
out "lease_lost $(grep -c ': DHCP lease lost' "$LAB_DIR/networkd.after")"
out "dhcp6_lease_lost $(grep -c ': DHCPv6 lease lost' "$LAB_DIR/networkd.after")"
out "reconfiguring $(grep -c ': Reconfiguring with' "$LAB_DIR/networkd.after")"
out "configuring $(grep -c ': Configuring with' "$LAB_DIR/networkd.after")"
out "critical_notice $(grep -c 'considered critical' "$LAB_DIR/networkd.after")"
out "lease_lost_ifaces $(grep ': DHCP lease lost' "$LAB_DIR/networkd.after" | sed 's/.* \([a-z0-9]*\): DHCP lease lost/\1/' | sort -u | tr '\n' ' ')"
out "dhcp_discover $(count 'DHCPDISCOVER' "$LAB_DIR/dnsmasq.after")"
out "dhcp_request $(count 'DHCPREQUEST' "$LAB_DIR/dnsmasq.after")"
out "dhcp_ack $(count 'DHCPACK' "$LAB_DIR/dnsmasq.after")"
out "dhcp6_reply $(count 'DHCPREPLY' "$LAB_DIR/dnsmasq.after")"
out "dhcp_release $(count 'DHCPRELEASE' "$LAB_DIR/dnsmasq.after")"
out "dhcp6_solicit $(count 'DHCPSOLICIT' "$LAB_DIR/dnsmasq.after")"
out "router_solicit $(count 'RTR-SOLICIT' "$LAB_DIR/dnsmasq.after")"
out "primary_lease_lost $(count "$PRIMARY: DHCP lease lost" "$LAB_DIR/networkd.after")"

# --- the end state ---------------------------------------------------------------------
# The product's start on every ENI (one after another): it must find its files current
# (nothing rewritten, except with only-primary); it adds the altnames, which the copy cannot.
if [ "$TRIGGER" != product ]; then
    for i in "${IFACES[@]}"; do
        lab_product setup-policy-routes "$i" start >"$LAB_DIR/confirm-$i.log" 2>&1 || out "confirm_failed $i"
    done
    out "confirm_rewrites $(cat "$LAB_DIR"/confirm-*.log | grep -c 'updated' || true)"
fi
lab_wait_for 20 lab_inst "$LAB_PYTHON" "$LAB_LIB_DIR/labtool.py" check "$LAB_IMDS_FILE" "${IFACES[@]}"
sleep 1
o=$(lab_check "${IFACES[@]}")
grep FAIL <<<"$o" >&2
read -r p f <<<"$(sed -n 's/^oracle: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' <<<"$o" | tail -n1)"
out "oracle_passed ${p:-0}"
out "oracle_failed ${f:-1}"
lab_snapshot_kernel >"$OUT.kernel"
# Lifetimes (the snapshot has none): the primary's DHCPv4 address.
lab_inst ip -j -4 addr show dev "$PRIMARY" | "$LAB_PYTHON" -c '
import json, sys
for l in json.load(sys.stdin):
    for a in l.get("addr_info", []):
        if not a.get("secondary") and a.get("prefixlen", 32) < 32:
            print("primary_v4_valid_lft %s" % a.get("valid_life_time"))
            break' >>"$OUT"
cp "$LAB_DIR/networkd.after" "$OUT.networkd-log"
cp "$LAB_DIR/ready.poll" "$OUT.poll"
[ -z "${wrapper:-}" ] || rm -f "$wrapper"
lab_summary >/dev/null
exit 0

#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# The demo (the README's first command), on a fresh Debian 12 machine, as root:
#
#     sudo bash tests/lab/demo.sh [--build-dir DIR] [--no-install] [--keep]
#
# Installs what it needs (tests/install-deps.sh), builds the product (./build-demo by
# default, kept so that a second run does not rebuild), starts the lab of tests/lab/ with
# the embedded scenario below (a primary ENI and two secondary ENIs: secondary IPv4
# addresses, an IPv4 and an IPv6 prefix, IPv6), runs `setup-policy-routes IFACE start` for
# each ENI as boot does, prints what it configured and checks live that each source
# address leaves through its own ENI; ends with `ec2-netctl status`, which must find the
# views in sync. Everything runs inside network namespaces the lab creates; nothing is sent
# from this machine's own namespace. Everything the lab started is stopped and removed at
# the end.
# shellcheck disable=SC2034  # the LAB_* variables set here are read by lab.sh
set -u
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=$SRC/build-demo
INSTALL=1
while [ $# -gt 0 ]; do
    case $1 in
        --build-dir) BUILD=$2; shift 2 ;;
        --build-dir=*) BUILD=${1#*=}; shift ;;
        --no-install) INSTALL=0; shift ;;
        --keep) LAB_KEEP=1; shift ;;
        -h|--help) sed -n '4,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "usage: $0 [--build-dir DIR] [--no-install] [--keep]" >&2; exit 2 ;;
    esac
done
if [ "$(id -u)" != 0 ]; then
    echo "The demo creates network namespaces and runs systemd-networkd: run it as root (sudo)." >&2
    exit 1
fi

if [ -t 1 ]; then B=$'\e[1m' G=$'\e[32m' R=$'\e[31m' D=$'\e[2m' N=$'\e[0m'; else B='' G='' R='' D='' N=''; fi
heading() { printf '\n%s== %s%s\n' "$B" "$*" "$N"; }
indent() { sed 's/^/    /'; }

# --- dependencies and build -------------------------------------------------------------
T0=$(date +%s.%N)
if [ $INSTALL = 1 ]; then
    heading "Dependencies (tests/install-deps.sh)"
    "$SRC/tests/install-deps.sh" || exit 1
    echo "    all installed"
fi
heading "Build ($BUILD)"
cmake -S "$SRC" -B "$BUILD" -DENABLE_TESTS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$BUILD.cmake.log" 2>&1 ||
    { cat "$BUILD.cmake.log"; exit 1; }
cmake --build "$BUILD" -j "$(nproc)" --target ec2-net-refresh ec2-netctl render-default-network default-network \
    >"$BUILD.build.log" 2>&1 || { tail -n 40 "$BUILD.build.log"; exit 1; }
rm -f "$BUILD.cmake.log" "$BUILD.build.log"
echo "    $BUILD/generators/setup-policy-routes ($("$BUILD/generators/setup-policy-routes" --version))"

# --- the lab ------------------------------------------------------------------------------
# shellcheck source=lab.sh
source "$SRC/tests/lab/lab.sh"
LAB_BUILD_DIR=$BUILD
LAB_QUIET_TEARDOWN=1
# Only fatal lab messages: the demo prints its own.
lab_log() { case $* in FATAL*) printf '%s[lab] %s%s\n' "$R" "$*" "$N" >&2 ;; esac; }
lab_init
T1=$(date +%s.%N)

cat >"$LAB_DIR/demo.json" <<'EOF'
{
  "lab": {
    "interfaces": {
      "0e:00:00:00:00:05": {"ifname": "ens5"},
      "0e:00:00:00:00:06": {"ifname": "ens6"},
      "0e:00:00:00:00:07": {"ifname": "ens7"}
    },
    "imds6": true
  },
  "meta-data": {
    "instance-id": "i-0123456789abcdef0",
    "instance-type": "m6i.xlarge",
    "local-ipv4": "10.0.1.10",
    "mac": "0e:00:00:00:00:05",
    "network": {"interfaces": {"macs": {
      "0e:00:00:00:00:05": {
        "device-number": "0", "interface-id": "eni-0a0000000000000a5", "mac": "0e:00:00:00:00:05",
        "local-ipv4s": ["10.0.1.10"], "ipv6s": ["2001:db8:0:1::10"],
        "subnet-ipv4-cidr-block": "10.0.1.0/24", "subnet-ipv6-cidr-blocks": ["2001:db8:0:1::/64"]
      },
      "0e:00:00:00:00:06": {
        "device-number": "1", "interface-id": "eni-0a0000000000000a6", "mac": "0e:00:00:00:00:06",
        "local-ipv4s": ["10.0.2.20", "10.0.2.21", "10.0.2.22"], "ipv4-prefix": ["10.0.2.48/28"],
        "ipv6s": ["2001:db8:0:2::20"], "ipv6-prefix": ["2001:db8:0:2:a000::/80"],
        "subnet-ipv4-cidr-block": "10.0.2.0/24", "subnet-ipv6-cidr-blocks": ["2001:db8:0:2::/64"]
      },
      "0e:00:00:00:00:07": {
        "device-number": "2", "interface-id": "eni-0a0000000000000a7", "mac": "0e:00:00:00:00:07",
        "local-ipv4s": ["10.0.2.30"], "ipv6s": ["2001:db8:0:2::30"],
        "subnet-ipv4-cidr-block": "10.0.2.0/24", "subnet-ipv6-cidr-blocks": ["2001:db8:0:2::/64"]
      }
    }}}
  }
}
EOF
lab_load "$LAB_DIR/demo.json"
IFS_=(ens5 ens6 ens7)

heading "The instance, as the (fake) IMDS describes it"
printf '    %-5s %-18s %-4s %-22s %-45s %s\n' IFACE MAC DEV ENI IPv4 "IPv6"
for i in "${IFS_[@]}"; do
    eval "$(lab_tool eni "$LAB_IMDS_FILE" "$(lab_mac "$i")")"
    printf '    %-5s %-18s %-4s %-22s %-45s %s\n' "$i" "$(lab_mac "$i")" "$ENI_DEVICE" "$ENI_ID" \
        "$ENI_V4${ENI_V4_PREFIXES:+ + $ENI_V4_PREFIXES}" "$ENI_V6${ENI_V6_PREFIXES:+ + $ENI_V6_PREFIXES}"
done
echo "    ens5 is the primary ENI (its MAC is meta-data/mac); ens6 and ens7 share subnet 10.0.2.0/24."

heading "Lab up: VPC namespace (bridges, dnsmasq, fake IMDS), instance namespace (systemd-networkd)"
lab_up
lab_wait_configured --timeout 20 "${IFS_[@]}" || lab_die "networkd did not configure the ENIs"
echo "    up in ${LAB_UP_SECONDS}s; DHCP done: $(lab_inst ip -4 -br addr show | awk '$1 != "lo" {sub("@.*", "", $1); printf "%s %s  ", $1, $3}')"

heading "Boot: setup-policy-routes IFACE start, for each ENI"
t0=$(lab_now)
for i in "${IFS_[@]}"; do
    lab_product setup-policy-routes "$i" start 2>&1 | indent
    [ "${PIPESTATUS[0]}" = 0 ] || lab_die "setup-policy-routes $i start failed"
done
echo "    ${D}($(lab_elapsed "$t0")s for the three; networkd applies the reloads asynchronously)$N"
if lab_wait_for 20 lab_inst "$LAB_PYTHON" "$LAB_LIB_DIR/labtool.py" check "$LAB_IMDS_FILE" "${IFS_[@]}"; then
    echo "    kernel state complete after $(lab_elapsed "$t0")s"
else
    echo "    ${R}kernel state incomplete after 20 s:$N"
    lab_check "${IFS_[@]}" | indent
fi

heading "Generated files (/run/systemd/network inside the instance)"
net=$(lab_inst_path /run/systemd/network)
(cd "$net" && find . -type f | sort | sed 's|^\./|    |')
first=""
for f in $(cd "$net" && find . -type f | sort | sed 's|^\./||'); do
    case $f in
        *.network)
            if [ -n "$first" ] && cmp -s <(grep -v '^#' "$net/$first") <(grep -v '^#' "$net/$f"); then
                printf '\n  %s--- %s%s  (as %s, the defaults of 80-ec2.network)\n' "$B" "$f" "$N" "$first"
                continue
            fi
            first=${first:-$f} ;;
    esac
    printf '\n  %s--- %s%s\n' "$B" "$f" "$N"
    grep -v '^$' "$net/$f" | indent
done

heading "Policy rules: ip rule (IPv4), ip -6 rule"
lab_inst ip -4 rule | indent
echo
lab_inst ip -6 rule | indent
echo "    ${D}(no rule for the primary ens5: rules there break traffic to local bridges such as docker0)$N"

heading "Per-ENI routing tables"
for i in "${IFS_[@]}"; do
    eval "$(lab_tool eni "$LAB_IMDS_FILE" "$(lab_mac "$i")")"
    echo "  ${B}table $ENI_TABLE ($i, metric $ENI_METRIC in the main table)$N"
    { lab_inst ip -4 route show table "$ENI_TABLE"; lab_inst ip -6 route show table "$ENI_TABLE"; } |
        sed -E 's/ expires [0-9]+sec//' | indent
done
echo "  ${B}main table, default routes$N"
{ lab_inst ip -4 route show default; lab_inst ip -6 route show default; } |
    sed -E 's/ expires [0-9]+sec//' | indent

heading "Addresses and altnames"
for i in "${IFS_[@]}"; do
    printf '    %-5s %s\n' "$i" "$(lab_inst ip -br addr show dev "$i" | awk '{$1=$2=""; print}' | sed 's/^ *//')"
    printf '          altnames: %s\n' "$(lab_inst ip -j link show dev "$i" |
        "$LAB_PYTHON" -c 'import json,sys; print(" ".join(json.load(sys.stdin)[0].get("altnames", [])))')"
done

heading "Live check: does each source address leave through its own ENI?"
echo "    ${D}The VPC side counts packets per source address on each ENI's port and drops any"
echo "    packet whose source is not that ENI's, as the VPC does. One address of each delegated"
echo "    prefix is added on the instance first, as an operator would.$N"
lab_inst ip addr add 10.0.2.50/32 dev ens6
lab_inst ip addr add 2001:db8:0:2:a000::5/128 dev ens6 nodad
counters() { lab_vpc nft -j list table netdev lab_srccheck | lab_tool counters; }
PASSED=0 FAILED=0
# SOURCE EXPECTED-ENI COUNTED-AS
checks="10.0.1.10 ens5 10.0.1.10
2001:db8:0:1::10 ens5 2001:db8:0:1::10
10.0.2.20 ens6 10.0.2.20
10.0.2.21 ens6 10.0.2.21
10.0.2.22 ens6 10.0.2.22
10.0.2.50 ens6 10.0.2.48/28
2001:db8:0:2::20 ens6 2001:db8:0:2::20
2001:db8:0:2:a000::5 ens6 2001:db8:0:2:a000::/80
10.0.2.30 ens7 10.0.2.30
2001:db8:0:2::30 ens7 2001:db8:0:2::30"
printf '\n    %-22s %-17s %-9s %-22s %s\n' SOURCE "TO" "EXPECTED" "COUNTED ON (packets)" RESULT
while read -r src want label; do
    case $src in *:*) dst=$LAB_REMOTE6 ;; *) dst=$LAB_REMOTE4 ;; esac
    before=$(counters)
    lab_inst ping -n -q -c 3 -i 0.05 -W 2 -I "$src" "$dst" >/dev/null 2>&1
    prc=$?
    after=$(counters)
    where=$(join -j1 <(awk '{print $1"|"$2, $3}' <<<"$before" | sort) \
                     <(awk '{print $1"|"$2, $3}' <<<"$after" | sort) |
        awk -v l="src=$label" '{split($1, k, "|"); d = $3 - $2
            if (d > 0 && (k[2] == l || k[2] == "drop")) {
                sub("in-p-", "", k[1]); printf "%s%s%s(%d)", sep, k[1], (k[2] == "drop" ? " DROPPED" : ""), d; sep = ", " } }')
    # All 3 echo requests (IPv6 adds its neighbour discovery) on the expected ENI only.
    if [ $prc = 0 ] && [[ $where =~ ^$want\(([3-9]|[1-9][0-9]+)\)$ ]]; then
        r="${G}ok$N" PASSED=$((PASSED + 1))
    else
        r="${R}FAILED$N" FAILED=$((FAILED + 1))
    fi
    printf '    %-22s %-17s %-9s %-22s %s\n' "$src" "$dst" "$want" "${where:-nowhere}" "$r"
done <<<"$checks"
echo
echo "    packets dropped by the VPC source check during the whole demo: $(lab_drops)"

heading "The operator's view: ec2-netctl status"
echo "    ${D}What IMDS says, what was written and what networkd and the kernel do, per ENI;$N"
echo "    ${D}exit status 0 when they agree (ec2-netctl status IFACE for the details).$N"
lab_product ec2-netctl status 2>&1 | indent
NETCTL_RC=${PIPESTATUS[0]}

heading "Summary"
echo "    $PASSED of $((PASSED + FAILED)) source addresses leave through their own ENI" \
    "(demo $(lab_elapsed "$T1")s after the build, $(lab_elapsed "$T0")s in all);" \
    "ec2-netctl status exits $NETCTL_RC."
echo "    Cleaning up: every process the lab started is stopped by PID, its namespaces deleted."
[ $FAILED = 0 ] && [ "$NETCTL_RC" = 0 ] || LAB_FAILED=1

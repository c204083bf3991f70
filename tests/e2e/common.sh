# shellcheck shell=bash
# shellcheck disable=SC2034  # variables read by lab.sh
# SPDX-License-Identifier: Apache-2.0
# Sourced by every e2e scenario: the lab library, the command line, the scenario file.
#   e2e-NAME.sh [--build-dir DIR] [--verbose] [--keep]
# The build directory can also come from LAB_BUILD_DIR or EC2NET_BUILD_DIR (ctest passes
# --build-dir ${CMAKE_BINARY_DIR}).
E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lab/lab.sh
source "$E2E_DIR/../lab/lab.sh"

while [ $# -gt 0 ]; do
    case $1 in
        --build-dir) LAB_BUILD_DIR=$2; shift 2 ;;
        --build-dir=*) LAB_BUILD_DIR=${1#*=}; shift ;;
        -v|--verbose) LAB_VERBOSE=1; LAB_NETWORKD_LOG_LEVEL=debug; shift ;;
        --keep) LAB_KEEP=1; shift ;;
        *) echo "usage: $0 [--build-dir DIR] [--verbose] [--keep]" >&2; exit 2 ;;
    esac
done
[ -z "${LAB_BUILD_DIR:-}" ] || LAB_BUILD_DIR=$(cd "$LAB_BUILD_DIR" && pwd)

e2e_scenario() { echo "$E2E_DIR/scenarios/$1.json"; }

# e2e_converge TIMEOUT IFACE...: wait until the oracle passes for every IFACE (networkd
# applies a reload asynchronously), then until the kernel state has settled (so that
# something wrong arriving a little later is not missed), then run it once more for the
# record.
e2e_converge() {
    local timeout=$1 t0
    shift
    t0=$(lab_now)
    if lab_wait_for "$timeout" lab_inst "$LAB_PYTHON" "$LAB_LIB_DIR/labtool.py" check \
        "$LAB_IMDS_FILE" "$@"; then
        lab_log "kernel state converged in $(lab_elapsed "$t0")s"
    else
        lab_log "kernel state did not converge within ${timeout}s"
    fi
    e2e_settle >/dev/null
    lab_check "$@"
}

# e2e_settle: wait (up to 10 s) until two kernel snapshots 0.3 s apart are equal; prints
# the snapshot.
e2e_settle() {
    local a b i
    a=$(lab_snapshot_kernel)
    for ((i = 0; i < 30; i++)); do
        sleep 0.3
        b=$(lab_snapshot_kernel)
        [ "$a" = "$b" ] && break
        a=$b
    done
    echo "$b"
}

# e2e_files IFACE present|absent FILE...: generated files of IFACE under /run/systemd/network
e2e_files() {
    local ifname=$1 want=$2 f p prefix=${EC2NET_FILE_PREFIX:-70}
    shift 2
    for f in "$@"; do
        if [ "$f" = network ]; then
            p="/run/systemd/network/$prefix-$ifname.network"
        else
            p="/run/systemd/network/$prefix-$ifname.network.d/$f"
        fi
        if [ "$want" = present ]; then
            lab_assert "$ifname: $p exists" test -e "$(lab_inst_path "$p")"
        else
            lab_assert "$ifname: $p does not exist" test ! -e "$(lab_inst_path "$p")"
        fi
    done
}

# e2e_run NAME PROGRAM ARGS...: run one of the product's programs inside the instance. Its
# output (stderr: the product logs there) goes to $LAB_DIR/NAME.log and is shown indented;
# E2E_RC is its exit status, E2E_SECONDS how long it took, E2E_OUT its output.
e2e_run() {
    local name=$1 t0
    shift
    t0=$(lab_now)
    lab_product "$@" >"$LAB_DIR/$name.log" 2>&1
    E2E_RC=$?
    E2E_SECONDS=$(lab_elapsed "$t0")
    E2E_OUT=$(cat "$LAB_DIR/$name.log")
    [ -z "$E2E_OUT" ] || sed 's/^/    | /' <<<"$E2E_OUT"
}

# e2e_start_all IFACE...: `setup-policy-routes IFACE start` for each, one after the other,
# as the boot units do; each must exit 0.
e2e_start_all() {
    local i
    for i in "$@"; do
        e2e_run "start-$i" setup-policy-routes "$i" start
        lab_assert "setup-policy-routes $i start exits 0 (${E2E_SECONDS}s)" test "$E2E_RC" = 0
    done
}

# e2e_lab_up SCENARIO-FILE: a lab for the scenario, up (VPC, IMDS, instance, DHCP), with
# the product built.
e2e_lab_up() {
    lab_init
    lab_load "$1"
    lab_product_path setup-policy-routes >/dev/null || exit 1
    lab_up
}

# e2e_configure_all TIMEOUT IFACE...: as at boot: networkd has configured the links with
# 80-ec2.network, `start` of each, then the kernel state equals IMDS within TIMEOUT s.
e2e_configure_all() {
    local t=$1
    shift
    lab_wait_configured --timeout "$t" "$@" || lab_not_ok "networkd did not configure the ENIs"
    e2e_start_all "$@"
    e2e_converge "$t" "$@"
}

# e2e_table FAMILY TABLE: the routes of TABLE as `ip` prints them ("" when it is empty).
e2e_table() { lab_inst ip "$1" route show table "$2" 2>/dev/null; }
# e2e_rules FAMILY: `ip FAMILY rule show`.
e2e_rules() { lab_inst ip "$1" rule show; }

# e2e_path IFACE FILE: the generated file of IFACE (network, eni.conf, ...), seen from outside.
e2e_path() {
    local prefix=${EC2NET_FILE_PREFIX:-70}
    if [ "$2" = network ]; then
        lab_inst_path "/run/systemd/network/$prefix-$1.network"
    else
        lab_inst_path "/run/systemd/network/$prefix-$1.network.d/$2"
    fi
}

# e2e_conf_has IFACE FILE SECTION LINE...: some [SECTION] of IFACE's generated FILE holds
# every LINE (exactly, e.g. "Table=10002").
e2e_conf_has() {
    local f sec=$3 want
    f=$(e2e_path "$1" "$2")
    shift 3
    want=$(printf '%s\n' "$@")
    awk -v sec="[$sec]" -v want="$want" '
        function check(  n, i, w) {
            if (!insec) return
            n = split(want, w, "\n")
            for (i = 1; i <= n; i++) if (w[i] != "" && !(w[i] in have)) return
            found = 1
        }
        /^\[/ { check(); insec = ($0 == sec); split("", have); next }
        insec { have[$0] = 1 }
        END { check(); exit !found }' "$f" 2>/dev/null
}

# e2e_no_drops: no packet was dropped by the VPC source check during the whole run (on
# failure, the drop counters per ENI port are shown).
e2e_no_drops() {
    if ! lab_assert "no packet dropped by the VPC source check during the whole run" \
        test "$(lab_drops)" = 0; then
        lab_vpc nft -j list table netdev lab_srccheck | lab_tool counters | sed 's/^/    /'
        lab_vpc nft list table netdev lab_srccheck | grep -B2 -A0 'drop' | head -n 40
    fi
}

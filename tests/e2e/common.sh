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
# applies a reload asynchronously), then run it once more for the record.
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
    lab_check "$@"
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

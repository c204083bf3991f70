# shellcheck shell=bash
# shellcheck disable=SC2034  # variables read by lab.sh and the scripts
# SPDX-License-Identifier: Apache-2.0
# Sourced by every stress scenario: the lab library (tests/lab/lab.sh, used as is), the
# command line, and the checks every scenario ends with.
#   stress-NAME.sh [--build-dir DIR] [--quick] [--seed N] [--verbose] [--keep]
# --quick is the fast variant CI runs (ctest passes it unless STRESS_FULL=1 is set).
# The build directory can also come from LAB_BUILD_DIR or EC2NET_BUILD_DIR.
ST_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lab/lab.sh
source "$ST_DIR/../lab/lab.sh"

ST_QUICK=0
ST_SEED=${STRESS_SEED:-$(( $(date +%s) % 100000 ))}
while [ $# -gt 0 ]; do
    case $1 in
        --build-dir) LAB_BUILD_DIR=$2; shift 2 ;;
        --build-dir=*) LAB_BUILD_DIR=${1#*=}; shift ;;
        --quick) ST_QUICK=1; shift ;;
        --full) ST_QUICK=0; shift ;;
        --seed) ST_SEED=$2; shift 2 ;;
        -v|--verbose) LAB_VERBOSE=1; shift ;;
        --keep) LAB_KEEP=1; shift ;;
        *) echo "usage: $0 [--build-dir DIR] [--quick|--full] [--seed N] [--verbose] [--keep]" >&2; exit 2 ;;
    esac
done
[ -z "${LAB_BUILD_DIR:-}" ] || LAB_BUILD_DIR=$(cd "$LAB_BUILD_DIR" && pwd)
RANDOM=$ST_SEED

ST_PREFIX=${EC2NET_FILE_PREFIX:-70}
ST_RT=/run/amazon-ec2-net-utils          # the product's runtime directory, in the instance
ST_NET=/run/systemd/network
ST_FIGURES=()
ST_T0=$(date +%s.%N)

st_tool() { "$LAB_PYTHON" "$ST_DIR/stresstool.py" "$@"; }
st_variant() { if [ "$ST_QUICK" = 1 ]; then echo quick; else echo full; fi; }
# st_pick QUICK FULL: the number for this variant
st_pick() { if [ "$ST_QUICK" = 1 ]; then echo "$1"; else echo "$2"; fi; }

# st_figure NAME VALUE: a figure for the closing report (the README's reliability section).
st_figure() {
    ST_FIGURES+=("$1: $2")
    lab_log "figure $1: $2"
}

# The product's processes: every process whose executable is one of the build's programs
# and that runs in the lab's instance network namespace. Prints "PID ARGV..." lines.
st_product_procs() {
    local p exe ns
    for p in /proc/[0-9]*; do
        exe=$(readlink "$p/exe" 2>/dev/null) || continue
        case $exe in "$LAB_BUILD_DIR/generators/"*) ;; *) continue ;; esac
        ns=$(stat -L -c %i "$p/ns/net" 2>/dev/null) || continue
        [ "$ns" = "$LAB_INST_NETNS" ] || continue
        echo "${p#/proc/} $(tr '\0' ' ' <"$p/cmdline" 2>/dev/null)"
    done
}

# st_assert_no_procs [TIMEOUT]: no product process left (waits up to TIMEOUT s, default 5,
# for processes that are finishing on their own).
st_assert_no_procs() {
    local t=${1:-5} left i
    for ((i = 0; i < t * 10; i++)); do
        left=$(st_product_procs)
        [ -z "$left" ] && break
        sleep 0.1
    done
    left=$(st_product_procs)
    lab_assert "no product process left running${left:+: $(tr '\n' ';' <<<"$left")}" test -z "$left"
}

# Leftover temporary files (".#NAME.<hex>") and lock files in the product's directories.
st_leftovers() {
    st_tool leftovers "$(lab_inst_path "$ST_NET")" "$(lab_inst_path "$ST_RT")"
}
st_assert_no_leftovers() {
    local lo
    lo=$(st_leftovers | sed "s|$(lab_inst_path /)|/|")
    lab_assert "no lock or temporary file left${lo:+: $(tr '\n' ';' <<<"$lo")}" test -z "$lo"
}

# st_assert_parse: every generated file under /run/systemd/network is complete.
st_assert_parse() {
    local out
    out=$(st_tool parse-check "$(lab_inst_path "$ST_NET")" "$ST_PREFIX")
    lab_assert "every generated file parses (${out##*$'\n'})" test "$(tail -n1 <<<"$out" | awk '{print $4}')" = 0 ||
        echo "$out" | head -n 20
}

# The generated files of the given interfaces ("relpath mode sha"), and their saved state.
st_tree() { st_tool tree "$(lab_inst_path "$ST_NET")" "$ST_PREFIX" "$@"; }
st_state() { st_tool state "$(lab_inst_path "$ST_RT")" "$@"; }

# st_assert_fresh IFACE...: the generated files and saved state of each IFACE equal a
# fresh setup of it: `start` of each in a private network and runtime directory (a fresh
# boot's /run; EC2NET_NETWORK_DIR, EC2NET_RUNTIME_DIR), compared by content. Also: no
# other interface has generated files or state (nothing left of detached ENIs).
st_assert_fresh() {
    local fresh=/run/stress-fresh out want have
    out=$(lab_inst env EC2NET_CONFIG="$LAB_CONFIG" sh -c '
        fresh=$1 prog=$2; shift 2
        rm -rf "$fresh"; mkdir -p "$fresh/net" "$fresh/rt"
        for i in "$@"; do
            EC2NET_NETWORK_DIR="$fresh/net" EC2NET_RUNTIME_DIR="$fresh/rt" \
                "$prog" "$i" start >"$fresh/$i.log" 2>&1 || echo "fresh start of $i: exit $?"
        done' sh "$fresh" "$(lab_product_path setup-policy-routes)" "$@" 2>&1)
    lab_assert "fresh setups of $# interfaces succeed${out:+: $out}" test -z "$out"
    want=$(st_tool tree "$(lab_inst_path "$fresh/net")" "$ST_PREFIX" "$@")
    have=$(st_tree "$@")
    lab_assert "generated files of $# interfaces equal a fresh setup ($(wc -l <<<"$want") files)" \
        test "$want" = "$have" || diff <(echo "$want") <(echo "$have") | head -n 20
    want=$(st_tool state "$(lab_inst_path "$fresh/rt")" "$@")
    have=$(st_state "$@")
    lab_assert "saved state of $# interfaces equals a fresh setup" test "$want" = "$have" ||
        diff <(echo "$want") <(echo "$have") | head -n 10
    want=$(printf '%s\n' "$@" | sort | tr '\n' ' ')
    have=$(st_tree | sed -n "s|^$ST_PREFIX-\([^/]*\)\.network .*|\1|p" | sort | tr '\n' ' ')
    lab_assert "generated .network files exactly for the attached interfaces" test "$want" = "$have" ||
        echo "    want: $want"$'\n'"    have: $have"
    have=$(st_tool states "$(lab_inst_path "$ST_RT")" | tr ' ' '\n' | sort | tr '\n' ' ')
    lab_assert "saved state exactly for the attached interfaces" test "$want" = "$have" ||
        echo "    want: $want"$'\n'"    have: $have"
    lab_inst rm -rf "$fresh"
}

# st_converge TIMEOUT IFACE...: the kernel state of each IFACE against IMDS (the lab's
# oracle), waiting for networkd; counted once.
# networkd 252's own race (see stresstool.py, KillDriver): after a reload restarts a link's
# DHCPv4 client it sometimes logs the lease "acquired" while the address never reaches the
# kernel, and stays so. When the state has not converged and links lack their DHCPv4
# address, each is reported with networkd's last word on it and given `networkctl
# reconfigure`; when that does not bring the address back within 15 s, networkd is
# restarted (what brings it back, as in stress-kill9). Both are counted as figures; then the
# oracle waits once more. Links that have their address are never touched, and what the
# product wrote is checked as it is.
ST_NETWORKD_REPAIRS=0
st_converge() {
    local timeout=$1 t0 missing i
    shift
    t0=$(lab_now)
    if ! lab_wait_for "$timeout" lab_inst "$LAB_PYTHON" "$LAB_LIB_DIR/labtool.py" check \
        "$LAB_IMDS_FILE" "$@"; then
        lab_log "kernel state did not converge within ${timeout}s"
        missing=$(st_without_dhcp4 "$@")
        if [ -n "$missing" ]; then
            for i in $missing; do
                echo "NOTE $i has no DHCPv4 address in the kernel; networkd's last word: $(grep -E " $i: DHCP(v4| lease)" "$LAB_DIR/networkd.log" | tail -n 1)"
                lab_networkctl reconfigure "$i" >/dev/null 2>&1
                ST_NETWORKD_REPAIRS=$((ST_NETWORKD_REPAIRS + 1))
            done
            st_figure "networkd lost a link's DHCPv4 address (its race, repaired with networkctl reconfigure)" \
                "$ST_NETWORKD_REPAIRS times"
            # shellcheck disable=SC2086  # a list of names
            if ! lab_wait_for 15 st_have_dhcp4 $missing; then
                echo "NOTE still without a DHCPv4 address after networkctl reconfigure: $(st_without_dhcp4 $missing); restarting networkd"
                lab_networkd_restart
                st_figure "networkd restarted to get a lost DHCPv4 address back" "$LAB_NETWORKD_RESTARTS times"
            fi
            lab_wait_for 60 lab_inst "$LAB_PYTHON" "$LAB_LIB_DIR/labtool.py" check "$LAB_IMDS_FILE" "$@" ||
                lab_log "kernel state did not converge within 60 s after the repair"
        fi
    fi
    lab_log "oracle after $(lab_elapsed "$t0")s"
    lab_check "$@" >"$LAB_DIR/oracle.txt"
    local rc=$?
    tail -n 1 "$LAB_DIR/oracle.txt"
    [ $rc = 0 ] || grep FAIL "$LAB_DIR/oracle.txt" | head -n 20
    return $rc
}

st_have_dhcp4() { [ -z "$(st_without_dhcp4 "$@")" ]; }

# st_without_dhcp4 IFACE...: those without an IPv4 address that routes their subnet (the one
# DHCPv4 gives; the product's secondary addresses are /32s).
st_without_dhcp4() {
    local i
    for i in "$@"; do
        lab_inst ip -4 -o addr show dev "$i" 2>/dev/null | awk '$4 !~ /\/32$/ { found = 1 } END { exit !found }' ||
            echo "$i"
    done
}

# Attach/detach many ENIs at once: one `ip -batch` each way, one source-check update.
st_attach() { lab_eni_create "$@"; }
st_detach() {
    local m
    for m in "$@"; do echo "link del $(lab_peer "$m")"; done >"$LAB_DIR/detach.batch"
    lab_vpc ip -batch "$LAB_DIR/detach.batch" || lab_die "detach $*"
    lab_srccheck_sync
}
# st_attach_as MAC IFNAME: attach the ENI MAC under another interface name (a name an
# earlier ENI had): its VPC end is the plan's, the instance end is called IFNAME.
st_attach_as() {
    local f
    read -r -a f <<<"$(lab_eni_fields "$1")" || lab_die "no ENI $1"
    printf 'link add %s mtu 9001 type veth peer name %s address %s\nlink set %s master %s up\n' \
        "${f[3]}" "$2" "${f[1]}" "${f[3]}" "${f[2]}" >"$LAB_DIR/attach-as.batch"
    lab_vpc ip -batch "$LAB_DIR/attach-as.batch" || lab_die "attach $1 as $2"
    lab_srccheck_sync
    lab_vpc ip link set "$2" netns "$LAB_INST" || lab_die "move $2"
}

# st_stop_units IFACE...: what `systemctl stop policy-routes@IFACE refresh-policy-routes@IFACE`
# does to a setup or refresh in progress (ec2-net-hotplug remove stops them before removing
# the files): SIGTERM, then SIGKILL after 5 s. By PID, the processes of those interfaces only.
st_stop_units() {
    local line pid args i want=" $* " pids=() a
    while read -r pid args; do
        [ -n "$pid" ] || continue
        read -r -a a <<<"$args"
        i=${a[1]:-}
        [[ $want == *" $i "* ]] && pids+=("$pid")
    done < <(st_product_procs)
    [ ${#pids[@]} = 0 ] && return 0
    kill -TERM "${pids[@]}" 2>/dev/null
    ST_STOPPED=$((${ST_STOPPED:-0} + ${#pids[@]}))
    for ((i = 0; i < 50; i++)); do
        line=""
        for pid in "${pids[@]}"; do lab_alive "$pid" && line="$line $pid"; done
        [ -z "$line" ] && return 0
        sleep 0.1
    done
    # shellcheck disable=SC2086
    kill -KILL $line 2>/dev/null
}

# st_parallel NAME ACTION IFACE...: `setup-policy-routes IFACE ACTION` for every IFACE at
# once inside the instance (as systemd starts the units of a burst of udev events), waiting
# for all. Per interface: $LAB_DIR/NAME/IFACE.{rc,log,ms}. Sets ST_PAR_FAILED (interfaces
# whose exit status was not 0, with it), ST_PAR_MS (when the last one exited, ms after the
# launch) and ST_PAR_LOGS (all their output).
st_parallel() {
    local name=$1 action=$2 out i rc ms
    shift 2
    out="$LAB_DIR/$name"
    rm -rf "$out"; mkdir -p "$out"
    lab_inst env EC2NET_CONFIG="$LAB_CONFIG" sh -c '
        prog=$1 out=$2 action=$3; shift 3
        t0=$(date +%s%N)
        for i in "$@"; do
            ( "$prog" "$i" "$action" >"$out/$i.log" 2>&1; echo $? >"$out/$i.rc"
              echo $(( ($(date +%s%N) - t0) / 1000000 )) >"$out/$i.ms" ) &
        done
        wait' sh "$(lab_product_path setup-policy-routes)" "$out" "$action" "$@"
    ST_PAR_FAILED="" ST_PAR_MS=0
    for i in "$@"; do
        rc=$(cat "$out/$i.rc" 2>/dev/null || echo none)
        [ "$rc" = 0 ] || ST_PAR_FAILED="$ST_PAR_FAILED $i($rc)"
        ms=$(cat "$out/$i.ms" 2>/dev/null || echo 0)
        [ "$ms" -le "$ST_PAR_MS" ] || ST_PAR_MS=$ms
    done
    ST_PAR_LOGS=$(cat "$out"/*.log 2>/dev/null)
}

# st_ifaces [boot|later]: interface names of the plan (those attached at boot, or later).
st_ifaces() {
    local e f
    for e in "${LAB_ENIS[@]}"; do
        read -r -a f <<<"$e"
        [ -z "${1:-}" ] || [ "${f[4]}" = "$1" ] && echo "${f[0]}"
    done
}

# The closing report: figures, then the "N passed, M failed" line.
st_summary() {
    local f
    echo "== $(basename "$0" .sh) ($(st_variant), seed $ST_SEED, $(lab_elapsed "$ST_T0")s)"
    for f in "${ST_FIGURES[@]}"; do echo "FIGURE $f"; done
    lab_summary
}

# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash
# Sourced by tests/run-all.sh: runs a tier and says how much of it really ran, so that a
# run cannot call itself green when part of it did not run.
#
#   tier_strict           true when a skipped test is a failure: CI=true (or 1), or
#                         EC2NET_NO_SKIP=1 for local runs (EC2NET_NO_SKIP=0 turns it off)
#   ctest_tier NAME DIR [CTEST_ARGS...]
#                         ctest in DIR with its JUnit report; prints how many tests ran,
#                         passed, failed and were skipped; fails when one failed or could
#                         not start, and in strict mode when one skipped or none ran
#   valgrind_tier NAME DIR
#                         every DIR/tests/unit/test-* under valgrind, with the same rules
#                         ($TIER_VALGRIND instead of valgrind: the self-test's stand-in)
#   tier_summary          one line per tier run so far and the totals (run-all's last word)
#
# A skip (exit 77, ctest "Skipped") is how a test says it could not run here (not root, a
# tool missing); locally that is information, in CI it means the run did not test
# everything it claims to.

TIER_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TIER_REPORTS=()
TIER_TOTAL_RAN=0
TIER_TOTAL_SKIPPED=0
TIER_SKIPPED_NAMES=()
TIER_FAILED=0

tier_strict() {
    case ${EC2NET_NO_SKIP:-} in
        1) return 0 ;;
        0) return 1 ;;
    esac
    case ${CI:-} in
        true | 1) return 0 ;;
    esac
    return 1
}

# tier_judge NAME RAN PASSED FAILED NOT_RUN SKIPPED [RC]: records the counts, prints them and
# returns whether the tier passes (RC: the runner's own exit status, 0 when it has none).
tier_judge() {
    local name=$1 ran=$2 passed=$3 failed=$4 not_run=$5 skipped=$6 rc=${7:-0} verdict=ok
    local line="$name: $ran ran, $passed passed, $failed failed, $not_run could not start, $skipped skipped"

    if [ "$failed" -gt 0 ] || [ "$not_run" -gt 0 ]; then
        verdict="FAILED"
    elif [ "$rc" -ne 0 ]; then
        verdict="FAILED (exit status $rc)"
    elif [ "$ran" -eq 0 ]; then
        if tier_strict; then verdict="FAILED (no test ran)"; else verdict="no test ran"; fi
    elif [ "$skipped" -gt 0 ]; then
        if tier_strict; then verdict="FAILED (skips are failures here)"; else verdict="ok, with skips"; fi
    fi
    TIER_REPORTS+=("$line: $verdict")
    TIER_TOTAL_RAN=$((TIER_TOTAL_RAN + ran))
    TIER_TOTAL_SKIPPED=$((TIER_TOTAL_SKIPPED + skipped))
    echo "-- $line: $verdict"
    case $verdict in
        FAILED*) TIER_FAILED=$((TIER_FAILED + 1)); return 1 ;;
    esac
    return 0
}

ctest_tier() {
    local name=$1 dir=$2 report counts rc=0 total passed failed not_run skipped detail
    shift 2
    report=$(mktemp /tmp/ec2net-ctest-report.XXXXXX)
    echo "== $name"
    (cd "$dir" && ctest --output-on-failure --output-junit "$report" "$@") || rc=$?
    if ! counts=$(python3 "$TIER_LIB_DIR/ctest-junit-counts.py" "$report" 2>&1); then
        rm -f "$report"
        echo "-- $name: no readable ctest report ($counts)"
        TIER_REPORTS+=("$name: no readable ctest report: FAILED")
        TIER_FAILED=$((TIER_FAILED + 1))
        return 1
    fi
    rm -f "$report"
    read -r total passed failed not_run skipped <<<"$(head -n1 <<<"$counts")"
    if [ "$total" -ne $((passed + failed + not_run + skipped)) ]; then
        echo "-- $name: the report does not add up ($counts)"
        TIER_REPORTS+=("$name: unreadable ctest report: FAILED")
        TIER_FAILED=$((TIER_FAILED + 1))
        return 1
    fi
    while read -r detail; do
        [ -n "$detail" ] || continue
        echo "   $detail"
        case $detail in
            skipped\ *) TIER_SKIPPED_NAMES+=("${detail#skipped }") ;;
        esac
    done < <(tail -n +2 <<<"$counts")
    tier_judge "$name" $((passed + failed)) "$passed" "$failed" "$not_run" "$skipped" "$rc"
}

valgrind_tier() {
    local name=$1 dir=$2 t rc ran=0 passed=0 failed=0 skipped=0
    echo "== $name"
    for t in "$dir"/tests/unit/test-*; do
        if [ ! -f "$t" ] || [ ! -x "$t" ]; then continue; fi
        rc=0
        "${TIER_VALGRIND:-valgrind}" -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
            --show-leak-kinds=definite "$t" >"$t.valgrind.log" 2>&1 || rc=$?
        case $rc in
            0) ran=$((ran + 1)) passed=$((passed + 1)); echo "valgrind clean: $(basename "$t")" ;;
            77) skipped=$((skipped + 1)); TIER_SKIPPED_NAMES+=("$(basename "$t") (valgrind)")
                echo "valgrind skipped: $(basename "$t")" ;;
            *) ran=$((ran + 1)) failed=$((failed + 1)); cat "$t.valgrind.log"
               echo "valgrind: $(basename "$t") failed ($rc)" ;;
        esac
    done
    tier_judge "$name" "$ran" "$passed" "$failed" 0 "$skipped"
}

tier_summary() {
    local line
    echo "== summary ($(tier_strict && echo "skips are failures" || echo "skips allowed: set EC2NET_NO_SKIP=1 to forbid them"))"
    for line in "${TIER_REPORTS[@]}"; do
        echo "   $line"
    done
    echo "   total: $TIER_TOTAL_RAN ran, $TIER_TOTAL_SKIPPED skipped, $TIER_FAILED tier(s) failed"
    if [ "${#TIER_SKIPPED_NAMES[@]}" -gt 0 ]; then
        echo "   skipped:"
        printf '     %s\n' "${TIER_SKIPPED_NAMES[@]}"
    fi
}

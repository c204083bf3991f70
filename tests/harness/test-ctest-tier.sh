#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Self-test of tests/harness/ctest-tier.sh, the counting behind tests/run-all.sh: a small
# ctest project whose tests pass, fail, skip (77) or cannot start, and a fake build tree of
# unit test binaries for the valgrind loop. Checks each tier's counts and verdict with skips
# allowed (local default) and forbidden (CI=true, EC2NET_NO_SKIP=1).
set -u
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d /tmp/ec2net-harness-test.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

mkdir -p "$tmp/project"
cat >"$tmp/project/CMakeLists.txt" <<'EOF'
cmake_minimum_required(VERSION 3.18)
project(harness-fake NONE)
enable_testing()
function(fake NAME LABELS CODE)
  add_test(NAME ${NAME} COMMAND sh -c "exit ${CODE}")
  set_tests_properties(${NAME} PROPERTIES LABELS "${LABELS}" SKIP_RETURN_CODE 77)
endfunction()
fake(pass-a "allpass;mixed" 0)
fake(pass-b "allpass" 0)
fake(skip-a "mixed;skiponly" 77)
fake(fail-a "failing" 1)
add_test(NAME gone-a COMMAND /nonexistent/ec2net-harness-test)
set_tests_properties(gone-a PROPERTIES LABELS gone)
EOF
cmake -S "$tmp/project" -B "$tmp/build" >"$tmp/cmake.log" 2>&1 || { cat "$tmp/cmake.log"; exit 1; }

# The valgrind loop's input: BUILD/tests/unit/test-* executables, run by a stand-in for
# valgrind (what is tested is the loop's counting, and package builds have no valgrind).
mkdir -p "$tmp/vg-skip/tests/unit" "$tmp/vg-fail/tests/unit"
for prog in ok:0 skip:77 fail:1; do
    printf '#!/bin/sh\nexit %s\n' "${prog#*:}" >"$tmp/test-${prog%:*}"
    chmod +x "$tmp/test-${prog%:*}"
done
cp "$tmp/test-ok" "$tmp/test-skip" "$tmp/vg-skip/tests/unit/"
cp "$tmp/test-ok" "$tmp/test-fail" "$tmp/vg-fail/tests/unit/"
cat >"$tmp/valgrind" <<'EOF'
#!/bin/sh
# Runs the program, its last argument, as valgrind would, without checking anything.
for p; do :; done
exec "$p"
EOF
chmod +x "$tmp/valgrind"
export TIER_VALGRIND=$tmp/valgrind

# check DESCRIPTION WANT_RC WANT_LINE ENV... -- FUNCTION ARGS...: runs FUNCTION from the
# library in a clean shell with ENV (CI and EC2NET_NO_SKIP cleared first); its exit status
# must be WANT_RC and its output must contain the line "-- WANT_LINE".
check() {
    local desc=$1 want_rc=$2 want_line=$3 envs=() out rc
    shift 3
    while [ "$1" != -- ]; do envs+=("$1"); shift; done
    shift
    # shellcheck disable=SC2016  # expanded by the inner shell
    out=$(env -u CI -u EC2NET_NO_SKIP "${envs[@]}" bash -c \
        'source "$0/ctest-tier.sh"; "$@"' "$here" "$@" 2>&1)
    rc=$?
    if [ "$rc" = "$want_rc" ] && grep -qxF -- "-- $want_line" <<<"$out"; then
        pass=$((pass + 1)); echo "ok: $desc"
    else
        fail=$((fail + 1)); echo "FAIL: $desc (exit $rc, wanted $want_rc and '-- $want_line')"
        sed 's/^/  | /' <<<"$out"
    fi
}
b=$tmp/build

check "all pass, skips allowed" 0 "t: 2 ran, 2 passed, 0 failed, 0 could not start, 0 skipped: ok" \
    -- ctest_tier t "$b" -L allpass
check "all pass under CI" 0 "t: 2 ran, 2 passed, 0 failed, 0 could not start, 0 skipped: ok" \
    CI=true -- ctest_tier t "$b" -L allpass
check "a skip is reported but allowed locally" 0 \
    "t: 1 ran, 1 passed, 0 failed, 0 could not start, 1 skipped: ok, with skips" \
    -- ctest_tier t "$b" -L mixed
check "a skip fails under CI=true" 1 \
    "t: 1 ran, 1 passed, 0 failed, 0 could not start, 1 skipped: FAILED (skips are failures here)" \
    CI=true -- ctest_tier t "$b" -L mixed
check "a skip fails with EC2NET_NO_SKIP=1" 1 \
    "t: 1 ran, 1 passed, 0 failed, 0 could not start, 1 skipped: FAILED (skips are failures here)" \
    EC2NET_NO_SKIP=1 -- ctest_tier t "$b" -L mixed
check "EC2NET_NO_SKIP=0 allows skips under CI" 0 \
    "t: 1 ran, 1 passed, 0 failed, 0 could not start, 1 skipped: ok, with skips" \
    CI=true EC2NET_NO_SKIP=0 -- ctest_tier t "$b" -L mixed
check "only skips under CI: nothing ran" 1 \
    "t: 0 ran, 0 passed, 0 failed, 0 could not start, 1 skipped: FAILED (no test ran)" \
    CI=true -- ctest_tier t "$b" -L skiponly
check "no test in the tier under CI" 1 \
    "t: 0 ran, 0 passed, 0 failed, 0 could not start, 0 skipped: FAILED (no test ran)" \
    CI=true -- ctest_tier t "$b" -L no-such-label
check "no test in the tier, locally: said, not failed" 0 \
    "t: 0 ran, 0 passed, 0 failed, 0 could not start, 0 skipped: no test ran" \
    -- ctest_tier t "$b" -L no-such-label
check "a failure fails" 1 "t: 1 ran, 0 passed, 1 failed, 0 could not start, 0 skipped: FAILED" \
    -- ctest_tier t "$b" -L failing
check "a test that cannot start fails" 1 "t: 0 ran, 0 passed, 0 failed, 1 could not start, 0 skipped: FAILED" \
    -- ctest_tier t "$b" -L gone
check "valgrind: 77 is reported, allowed locally" 0 \
    "v: 1 ran, 1 passed, 0 failed, 0 could not start, 1 skipped: ok, with skips" \
    -- valgrind_tier v "$tmp/vg-skip"
check "valgrind: 77 fails under CI" 1 \
    "v: 1 ran, 1 passed, 0 failed, 0 could not start, 1 skipped: FAILED (skips are failures here)" \
    CI=true -- valgrind_tier v "$tmp/vg-skip"
check "valgrind: a failing binary fails" 1 \
    "v: 2 ran, 1 passed, 1 failed, 0 could not start, 0 skipped: FAILED" \
    -- valgrind_tier v "$tmp/vg-fail"

# The closing summary adds up every tier and names what skipped.
# shellcheck disable=SC2016  # expanded by the inner shell
out=$(env -u CI -u EC2NET_NO_SKIP bash -c 'source "$0/ctest-tier.sh"
    ctest_tier one "$1" -L allpass; ctest_tier two "$1" -L mixed; tier_summary' "$here" "$b" 2>&1)
if grep -qxF "   total: 3 ran, 1 skipped, 0 tier(s) failed" <<<"$out" &&
   grep -qxF "     skip-a: SKIP_RETURN_CODE=77" <<<"$out"; then
    pass=$((pass + 1)); echo "ok: summary totals"
else
    fail=$((fail + 1)); echo "FAIL: summary totals"; sed 's/^/  | /' <<<"$out"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Builds and runs every test tier (run as root on Debian 12):
#   1. -Wall -Wextra -Werror build, static analysis (cppcheck, clang-tidy), all ctest tiers
#      (unit, generator, e2e, stress (quick variants), system, package)
#   2. the unit tier under valgrind
#   3. an ASan/UBSan build: unit, generator and e2e tiers
#   4. a clang build with libFuzzer: unit tier and every fuzz target for a short time
# Usage: tests/run-all.sh [BUILD_ROOT]   (default: ./build)
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$src/build}
jobs=$(nproc)

"$src/tests/install-deps.sh"

echo "== build (-Werror)"
cmake -S "$src" -B "$out/werror" -DENABLE_WERROR=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_EXPORT_COMPILE_COMMANDS=ON >/dev/null
cmake --build "$out/werror" -j "$jobs"

echo "== static analysis"
"$src/tests/static-analysis.sh" "$out/werror"

echo "== all tiers"
(cd "$out/werror" && ctest --output-on-failure -j "$jobs" -L 'unit|generator')
(cd "$out/werror" && ctest --output-on-failure -L 'e2e')
(cd "$out/werror" && ctest --output-on-failure -L 'stress')
(cd "$out/werror" && ctest --output-on-failure -L 'system')
(cd "$out/werror" && ctest --output-on-failure -L 'package')

echo "== unit tier under valgrind"
(cd "$out/werror" && for t in tests/unit/test-*; do
    [ -x "$t" ] || continue
    valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
        --show-leak-kinds=definite "$t" >"$t.valgrind.log" 2>&1 \
        || { rc=$?; cat "$t.valgrind.log"; [ $rc -eq 77 ] || { echo "valgrind: $t failed ($rc)"; exit 1; }; }
    echo "valgrind clean: $(basename "$t")"
done)

echo "== ASan/UBSan build: unit, generator and e2e tiers (the product's binaries in the lab)"
cmake -S "$src" -B "$out/asan" -DENABLE_WERROR=ON -DENABLE_SANITIZERS=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build "$out/asan" -j "$jobs"
(cd "$out/asan" && export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 &&
    ctest --output-on-failure -j "$jobs" -L 'unit|generator' && ctest --output-on-failure -L e2e)

echo "== clang build with libFuzzer + ASan/UBSan: unit tier, then each fuzz target for ${FUZZ_SECONDS:-15}s"
CC=clang cmake -S "$src" -B "$out/fuzz" -DENABLE_WERROR=ON -DENABLE_SANITIZERS=ON -DENABLE_FUZZING=ON \
    -DCMAKE_BUILD_TYPE=Debug -DFUZZ_SECONDS="${FUZZ_SECONDS:-15}" >/dev/null
cmake --build "$out/fuzz" -j "$jobs"
(cd "$out/fuzz" && ctest --output-on-failure -j "$jobs" -L unit)
(cd "$out/fuzz" && ctest --output-on-failure -j "$jobs" -L fuzz)

echo "== all tiers passed"

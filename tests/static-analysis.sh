#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Static analysis of the product's C code (common/, generators/): cppcheck and clang-tidy
# (checks in .clang-tidy). Any finding fails. Usage: static-analysis.sh BUILD_DIR
# (a build configured with -DCMAKE_EXPORT_COMPILE_COMMANDS=ON).
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=$1

# cppcheck does not know __attribute__((cleanup)): its leak reports are all false;
# ASan and valgrind check leaks for real.
cppcheck --quiet --enable=warning,performance,portability --error-exitcode=1 --inline-suppr \
    --suppress=memleak --suppress=missingIncludeSystem \
    -I "$src/common" -I "$build" --std=c11 -D_GNU_SOURCE "$src/common" "$src/generators"
echo "cppcheck: clean"

out=$(clang-tidy -p "$build" --quiet "$src"/common/*.c "$src"/generators/*.c 2>&1) || true
if grep -E 'warning:|error:' <<<"$out"; then
    echo "clang-tidy: findings above"
    exit 1
fi
echo "clang-tidy: clean"

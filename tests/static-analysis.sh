#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Static analysis of the product's C code (common/, generators/): cppcheck and clang-tidy
# (checks in .clang-tidy). Any finding fails. Usage: static-analysis.sh BUILD_DIR
# (a build configured with -DCMAKE_EXPORT_COMPILE_COMMANDS=ON).
#
# "Clean" is only said of a tool that ran over every file: a missing tool, a compilation
# database it cannot load, a file it did not check or an exit status it did not explain
# is a failure, not a pass.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:?usage: static-analysis.sh BUILD_DIR}
build=$(cd "$build" && pwd)
log=$(mktemp)
trap 'rm -f "$log"' EXIT

fail() { echo "static analysis: $*" >&2; exit 1; }
for tool in cppcheck clang-tidy; do
    command -v "$tool" >/dev/null || fail "$tool is not installed (tests/install-deps.sh installs it)"
done

# The product's sources, relative to $src, sorted: what each tool must report as checked.
mapfile -t sources < <(cd "$src" && printf '%s\n' common/*.c generators/*.c | sort)
[ "${#sources[@]}" -gt 0 ] || fail "no C sources found under $src"

# --- cppcheck: one "Checking FILE ..." line per file it analysed.
# cppcheck does not know __attribute__((cleanup)): its leak reports are all false;
# ASan and valgrind check leaks for real.
rc=0
(cd "$src" && cppcheck --enable=warning,performance,portability --error-exitcode=1 --inline-suppr \
    --suppress=memleak --suppress=missingIncludeSystem \
    -I common -I "$build" --std=c11 -D_GNU_SOURCE "${sources[@]}") >"$log" 2>&1 || rc=$?
checked=$(sed -n 's/^Checking \(.*\) \.\.\.$/\1/p' "$log" | sort -u)
if [ "$rc" -ne 0 ]; then
    grep -Ev '^Checking |^[0-9]+/[0-9]+ files checked' "$log" || cat "$log"
    fail "cppcheck: findings or errors above (exit $rc)"
fi
if [ "$checked" != "$(printf '%s\n' "${sources[@]}")" ]; then
    cat "$log"
    fail "cppcheck checked $(grep -c . <<<"$checked") of ${#sources[@]} files"
fi
echo "cppcheck: clean (${#sources[@]} files)"

# --- clang-tidy: with a fallback instead of the compilation database it checks files
# without our flags and exits 0, so the database is checked first: it must exist and hold
# every source. The configuration is given explicitly so a missing one is an error, and
# any warning is an error so that the exit status alone says whether it found something.
db=$build/compile_commands.json
[ -s "$db" ] || fail "clang-tidy: no $db (configure with -DCMAKE_EXPORT_COMPILE_COMMANDS=ON)"
missing=$(cd "$src" && python3 - "$db" "${sources[@]}" <<'PY'
import json, os, sys
entries = json.load(open(sys.argv[1]))
known = {os.path.realpath(os.path.join(e["directory"], e["file"])) for e in entries}
print("\n".join(f for f in sys.argv[2:] if os.path.realpath(f) not in known))
PY
) || fail "clang-tidy: cannot read $db"
[ -z "$missing" ] || fail "clang-tidy: not in $db: $(tr '\n' ' ' <<<"$missing")"
checks=$(clang-tidy --config-file="$src/.clang-tidy" -p "$build" --list-checks "$src/${sources[0]}" 2>&1) ||
    fail "clang-tidy: cannot load $src/.clang-tidy: $checks"
n_checks=$(grep -c '^    [a-z]' <<<"$checks") || fail "clang-tidy: no check enabled by $src/.clang-tidy"

rc=0
(cd "$src" && clang-tidy --config-file="$src/.clang-tidy" -p "$build" --quiet --warnings-as-errors='*' \
    "${sources[@]}") >"$log" 2>&1 || rc=$?
if [ "$rc" -ne 0 ] || grep -Eq 'warning:|error:|Error while' "$log"; then
    cat "$log"
    fail "clang-tidy: findings or errors above (exit $rc)"
fi
echo "clang-tidy: clean (${#sources[@]} files, $n_checks checks)"

#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Rewrites the golden files from the current code: the renderer's (tests/golden/*/expected)
# and the generator's (tests/generator/cases/*/expected). It never judges: the tests
# (test-render-golden, generator-golden) only compare, and the diff this leaves is for a
# person to review before committing.
# Usage: tests/update-golden.sh BUILD_DIR   (a build of this tree, default ./build)
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$src/build}" && pwd)

cmake --build "$build" --target test-render-golden ec2-net-generator
"$build/tests/unit/test-render-golden" --update
bash "$src/tests/generator/run-generator-tests.sh" --update "$build/generators/ec2-net-generator"
git -C "$src" status --short -- tests/golden tests/generator/cases || true

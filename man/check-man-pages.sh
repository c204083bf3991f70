#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Formats each manual page as man-db does and fails on any groff warning or on a
# placeholder CMake did not fill in.
# Usage: check-man-pages.sh DIR PAGE...
set -u
dir=$1; shift
if ! command -v man >/dev/null || ! command -v groff >/dev/null; then
    echo "SKIP: man or groff missing"; exit 77
fi
fail=0
for page in "$@"; do
    f=$dir/$page
    if grep -n '@[A-Z_]*@' "$f"; then
        echo "FAIL $page: unsubstituted placeholder"; fail=1; continue
    fi
    out=$(LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z "$f" 2>&1 >/dev/null)
    if [ -n "$out" ]; then
        echo "FAIL $page:"; echo "$out"; fail=1
    elif ! LC_ALL=C.UTF-8 MANWIDTH=80 man -l "$f" 2>/dev/null | grep -q '^NAME'; then
        echo "FAIL $page: no NAME section in the output"; fail=1
    else
        echo "ok   $page"
    fi
done
exit $fail

#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Counts of one ctest run, from its --output-junit report (CMake >= 3.21).

Usage: ctest-junit-counts.py REPORT.xml

First line: "TOTAL PASSED FAILED NOT_RUN SKIPPED", then one line per test that did not
pass: "failed NAME", "not-run NAME: REASON" or "skipped NAME: REASON".

ctest writes status="notrun" both for a test that asked to be skipped (SKIP_RETURN_CODE,
SKIP_REGULAR_EXPRESSION) and for one that could not start (no executable, a failed fixture
setup); ctest fails the latter and so do we, so they are told apart by the reason.
Disabled tests (status="disabled") count as skipped.
"""
import sys
import xml.etree.ElementTree as ET


def classify(case):
    status = case.get("status")
    if status == "run":
        return "passed", ""
    if status == "fail":
        return "failed", ""
    if status == "disabled":
        return "skipped", "disabled"
    if status == "notrun":
        node = case.find("skipped")
        reason = node.get("message", "") if node is not None else ""
        if reason.startswith("SKIP_"):
            return "skipped", reason
        return "not-run", reason or "not run"
    return "not-run", "unknown status %r" % status


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: ctest-junit-counts.py REPORT.xml")
    root = ET.parse(sys.argv[1]).getroot()
    cases = root.iter("testcase")
    counts = {"passed": 0, "failed": 0, "not-run": 0, "skipped": 0}
    details = []
    total = 0
    for case in cases:
        total += 1
        kind, reason = classify(case)
        counts[kind] += 1
        if kind != "passed":
            details.append("%s %s%s" % (kind, case.get("name"), ": " + reason if reason else ""))
    print(total, counts["passed"], counts["failed"], counts["not-run"], counts["skipped"])
    for line in details:
        print(line)


if __name__ == "__main__":
    main()

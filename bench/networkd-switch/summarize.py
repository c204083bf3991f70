#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The table of bench/networkd-switch.md from run-matrix.sh's work directory.

    summarize.py WORK CASE...

One row per case (NETWORKD:TRIGGER:VARIANT); each cell is the median over the runs with
the range in brackets when the runs differ. The kernel column compares each run's kernel
snapshot with the first run of the first case (normally 252:files:base): the number of
lines that differ, router link-local addresses aside (kdiff.sh)."""

import os
import re
import statistics
import subprocess
import sys

COLS = [
    ("lease_lost", "DHCPv4 lease lost"),
    ("dhcp6_lease_lost", "DHCPv6 lease lost"),
    ("dhcp_discover", "DISCOVER"),
    ("dhcp_request", "REQUEST"),
    ("dhcp6_solicit", "SOLICIT"),
    ("router_solicit", "RS"),
    ("probe_lost", "probes lost (20 ms)"),
    ("ready_ipv4_ms", "IPv4 ready ms"),
    ("ready_ms", "all ready ms"),
    ("oracle_failed", "oracle failed"),
]


def read(path):
    d = {}
    with open(path) as f:
        for line in f:
            k, _, v = line.rstrip("\n").partition(" ")
            d[k] = v
    return d


def cell(vals):
    nums = []
    for v in vals:
        try:
            nums.append(float(v))
        except (TypeError, ValueError):
            pass
    if not nums:
        return "n/a"
    fmt = (lambda x: "%d" % round(x))
    med = statistics.median(nums)
    if min(nums) == max(nums):
        return fmt(med)
    return "%s (%s–%s)" % (fmt(med), fmt(min(nums)), fmt(max(nums)))


def main():
    work, cases = sys.argv[1], sys.argv[2:]
    here = os.path.dirname(os.path.abspath(__file__))
    refs = {}
    print("| networkd | trigger | variant | runs | " + " | ".join(c[1] for c in COLS) +
          " | kernel ≠ ref | primary v4 lifetime |")
    print("|" + "---|" * (len(COLS) + 6))
    for c in cases:
        nd, trig, var = c.split(":", 2)
        d = os.path.join(work, "%s-%s-%s" % (nd, trig, var.replace("=", "-").replace("+", "_")))
        runs = sorted(f for f in os.listdir(d) if re.match(r"run\d+\.txt$", f)) if os.path.isdir(d) else []
        data = [read(os.path.join(d, r)) for r in runs]
        data = [x for x in data if "oracle_failed" in x]
        if not data:
            continue
        kdiffs = []
        for r in runs:
            k = os.path.join(d, r + ".kernel")
            if not os.path.exists(k):
                continue
            ref = refs.setdefault(nd, k)
            p = subprocess.run([os.path.join(here, "kdiff.sh"), ref, k], stdout=subprocess.PIPE,
                               universal_newlines=True)
            kdiffs.append(sum(1 for line in p.stdout.splitlines() if line[:1] in "<>"))
        lft = sorted(set(x.get("primary_v4_valid_lft", "?") for x in data))
        lft = ["forever" if v == "4294967295" else "finite" for v in lft]
        row = [nd, trig, var.replace("+", " + "), str(len(data))]
        row += [cell([x.get(k) for x in data]) for k, _ in COLS]
        row += [cell(kdiffs), "/".join(sorted(set(lft)))]
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()

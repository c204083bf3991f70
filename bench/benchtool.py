#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Number crunching for bench/ (standard library only).

    benchtool.py floor IMDS.json                 the fewest IMDS requests the job needs
    benchtool.py runpar FILE...                  sums of runpar reports (CPU, RSS, wall)
    benchtool.py imds LOG SKIP                   requests in the fake IMDS log after line SKIP
    benchtool.py strace DIR                      processes/threads the traced runs created
    benchtool.py trace FILE T0_NS                readiness and outages seen by poll-ready.py
    benchtool.py reloads FILE                    networkd Reload calls seen by dbus-monitor
    benchtool.py table RESULTS... --machine S    the Markdown table of bench/run.sh

Every sub-command but "table" prints "key value" lines; bench-size.sh prefixes the keys.
"""

import argparse
import glob
import json
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "lab"))
from labtool import request_log  # noqa: E402  (the lab's reader of the fake IMDS's log)

# What a refresh must read per ENI besides the MAC's listing (SPEC section 3, README):
# the address and prefix keys that exist.
REFRESH_KEYS = ("local-ipv4s", "ipv6s", "ipv4-prefix", "ipv6-prefix")
# What an initial setup must read per ENI besides the listing: every key the
# configuration depends on that exists.
START_KEYS = ("device-number", "network-card", "interface-id", "local-ipv4s", "ipv6s",
              "ipv4-prefix", "ipv6-prefix", "subnet-ipv4-cidr-block", "subnet-ipv6-cidr-blocks")


def macs_of(doc):
    md = doc.get("meta-data", doc)
    return md.get("network", {}).get("interfaces", {}).get("macs", {})


def cmd_floor(a):
    with open(a.imds) as f:
        doc = json.load(f)
    macs = macs_of(doc)
    primary = str(doc.get("meta-data", doc).get("mac", "")).lower()
    refresh = sum(1 + sum(1 for k in REFRESH_KEYS if k in n) for n in macs.values())
    # Once per boot: the token and the top-level mac (which ENI is the primary). The
    # primary ENI is device 0 on card 0: its device-number and network-card are known.
    start = 2 + sum(1 + sum(1 for k in START_KEYS if k in n and not (
        m.lower() == primary and k in ("device-number", "network-card"))) for m, n in macs.items())
    print("floor_refresh_requests %d" % refresh)
    print("floor_start_requests %d" % start)
    print("floor_refresh_per_eni %s" % fmt(refresh / max(1, len(macs))))
    print("enis %d" % len(macs))


def fmt(x, nd=1):
    s = ("%." + str(nd) + "f") % x
    return s.rstrip("0").rstrip(".") if "." in s else s


def read_runpar(path):
    rows, span = [], 0.0
    with open(path) as f:
        for line in f:
            w = line.split()
            if not w:
                continue
            if w[0] == "total":
                span = (int(w[2]) - int(w[1])) / 1e6
                continue
            rows.append({"item": w[0], "exit": int(w[1]), "wall": int(w[2]) / 1000,
                         "user": int(w[3]) / 1000, "sys": int(w[4]) / 1000,
                         "rss": int(w[5])})
    return rows, span


def median(xs):
    xs = sorted(xs)
    n = len(xs)
    if not n:
        return 0.0
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def cmd_runpar(a):
    """One or more runpar reports of the same command set (repeated passes): CPU totals and
    wall times are the median over the passes, memory the maximum."""
    passes = [read_runpar(p) for p in a.files]
    rows_all = [r for rows, _ in passes for r in rows]
    totals = [sum(r["user"] + r["sys"] for r in rows) for rows, _ in passes]
    users = [sum(r["user"] for r in rows) for rows, _ in passes]
    syss = [sum(r["sys"] for r in rows) for rows, _ in passes]
    n = len(passes[0][0]) if passes else 0
    failed = [r["item"] for r in rows_all if r["exit"] != 0]
    print("n %d" % n)
    print("passes %d" % len(passes))
    print("failed %d" % len(failed))
    print("failed_items %s" % (",".join(sorted(set(failed))) or "-"))
    print("cpu_total_ms %.2f" % median(totals))
    print("cpu_total_min_ms %.2f" % min(totals or [0]))
    print("cpu_total_max_ms %.2f" % max(totals or [0]))
    print("user_ms %.2f" % median(users))
    print("sys_ms %.2f" % median(syss))
    print("cpu_mean_ms %.2f" % (median(totals) / max(1, n)))
    print("cpu_max_ms %.2f" % max([r["user"] + r["sys"] for r in rows_all] or [0]))
    print("rss_max_kb %d" % max([r["rss"] for r in rows_all] or [0]))
    print("wall_max_ms %.1f" % median([max([r["wall"] for r in rows] or [0]) for rows, _ in passes]))
    print("span_ms %.1f" % median([s for _, s in passes]))


def key_of(path):
    """A request path reduced to what it asks for: token, mac, listing, or the key name."""
    path = (path or "").split("?")[0]
    if path.endswith("/api/token"):
        return "token"
    m = re.search(r"/network/interfaces/macs/[^/]+/?(.*)$", path)
    if m:
        return m.group(1).rstrip("/") or "listing"
    return path.rsplit("/meta-data/", 1)[-1] or "meta-data"


def cmd_imds(a):
    n = put = errors = 0
    kinds = {}
    for r in request_log(a.log, a.skip):
        n += 1
        if r.get("method") == "PUT":
            put += 1
        st = r.get("status")
        if st is None or (st >= 400 and st != 404):
            errors += 1
        k = key_of(r.get("path"))
        kinds[k] = kinds.get(k, 0) + 1
    print("requests %d" % n)
    print("token_puts %d" % put)
    print("errors %d" % errors)
    print("breakdown %s" % (",".join("%s:%d" % kv for kv in sorted(kinds.items(),
                                                                  key=lambda kv: -kv[1])) or "-"))


def cmd_strace(a):
    """strace -f -o DIR/ITEM (one file per traced command): the first execve is strace
    starting the product; any other execve, and any clone/fork that is not a thread, is a
    child process of the product."""
    files = sorted(glob.glob(os.path.join(a.dir, "*.strace")))
    execs = procs = threads = 0
    for fn in files:
        first = True
        with open(fn) as f:
            for line in f:
                m = re.match(r"^(?:\d+\s+)?(execve|execveat|clone3?|fork|vfork)\(", line)
                if not m or "resumed>" in line:
                    continue
                call = m.group(1)
                if line.rstrip().endswith("= -1") or re.search(r"= -1 E[A-Z]+", line):
                    continue
                if call.startswith("exec"):
                    if first:
                        first = False
                        continue
                    execs += 1
                elif "CLONE_THREAD" in line:
                    threads += 1
                else:
                    procs += 1
    print("traced %d" % len(files))
    print("child_execs %d" % execs)
    print("child_procs %d" % procs)
    print("threads %d" % threads)


def cmd_trace(a):
    """A poll-ready.py --trace output against T0 (ns): when everything was ready, and every
    fact that held at some poll and then stopped holding (an outage: e.g. a route networkd
    removed and re-added while reconfiguring a link), with how long it was missing."""
    t_ready = None
    timeline = []
    with open(a.file) as f:
        for line in f:
            w = line.split()
            if not w:
                continue
            if w[0] == "pending":
                timeline.append((int(w[1]), set(x for x in w[2:] if x != "-")))
            elif w[0] == "ready":
                t_ready = int(w[1])
                if len(w) > 3:
                    print("poller_polls %s" % w[2])
                    print("poller_cpu_ms %s" % w[3])
    if t_ready is not None:
        print("ms %.1f" % ((t_ready - a.t0) / 1e6))
        # The same without the IPv6 facts, which wait for the VPC router's next
        # advertisement (dnsmasq in the lab): from when on only IPv6 facts were pending.
        def v6(fact):
            what = fact.split(":", 1)[1]
            return what.startswith("default6-table") or (
                what.startswith(("address=", "rule=")) and ":" in what.split("=", 1)[1])
        t4 = t_ready
        for t, pend in reversed(timeline):
            if all(v6(x) for x in pend):
                t4 = t
            else:
                break
        print("ipv4_ms %.1f" % ((t4 - a.t0) / 1e6))
    # Facts ever mentioned; a fact not mentioned in a poll holds at that poll.
    facts = set().union(*[s for _, s in timeline]) if timeline else set()
    outages = {}
    for fact in facts:
        held, since = False, None
        for t, pend in timeline:
            if fact in pend:
                if held and since is None:
                    since = t
            else:
                if since is not None:
                    outages[fact] = outages.get(fact, 0) + (t - since)
                    since = None
                held = True
        if since is not None:
            outages[fact] = outages.get(fact, 0) + ((t_ready or timeline[-1][0]) - since)
    if outages:
        worst = sorted(outages.items(), key=lambda kv: -kv[1])
        print("outages %d" % len(outages))
        print("outage_max_ms %.0f" % (worst[0][1] / 1e6))
        print("outage_facts %s" % ",".join("%s(%.0fms)" % (k, v / 1e6) for k, v in worst[:6]))
    else:
        print("outages 0")


def cmd_reloads(a):
    n = 0
    try:
        with open(a.file) as f:
            for line in f:
                if "member=Reload" in line and "org.freedesktop.network1.Manager" in line:
                    n += 1
    except FileNotFoundError:
        pass
    print(n)


# ---------------------------------------------------------------------------
# The table

def load_results(path):
    r = {}
    with open(path) as f:
        for line in f:
            k, _, v = line.rstrip("\n").partition(" ")
            if k:
                r[k] = v
    return r


def outage_text(facts):
    """ens20:default6-table=10015(952ms),ens20:address=10.100.15.10(32ms) -> short words."""
    words = []
    for item in facts.split(","):
        m = re.match(r"^[^:]+:([a-z0-9-]+)(?:=([^()]*))?\((\d+)ms\)$", item)
        if not m:
            continue
        what, detail, ms = m.groups()
        if what == "state":
            continue   # networkd's own state, not something the kernel lost
        name = {"default6-table": "IPv6 default route of table %s",
                "default4-table": "IPv4 default route of table %s",
                "address": "address %s", "rule": "rule from %s"}.get(what, what + " %s")
        words.append("%s %s ms" % (name % detail if "%s" in name else name, ms))
    return "; ".join(words) or "nothing"


def cmd_table(a):
    res = [load_results(p) for p in a.results]
    res.sort(key=lambda r: int(r.get("enis", 0)))
    sizes = [r.get("enis", "?") for r in res]

    def g(r, k, d="n/a"):
        return r.get(k, d)

    def num(r, k):
        v = r.get(k)
        return None if v in (None, "") else float(v)

    def ms(r, k):
        v = num(r, k)
        return "n/a" if v is None else "%s ms" % fmt(v, 1)

    def sec(r, k):
        v = num(r, k)
        return "n/a" if v is None else "%s s" % fmt(v / 1000, 2)

    def mib(r, k):
        v = num(r, k)
        return "n/a" if v is None else "%s MiB" % fmt(v / 1024, 1)

    def cpu(r, p):
        if num(r, p + "_cpu_total_ms") is None:
            return "n/a"
        return "%s (%s per process)" % (ms(r, p + "_cpu_total_ms"), ms(r, p + "_cpu_mean_ms"))

    def reqs(r, p, floor):
        if p + "_requests" not in r:
            return "n/a"
        return "%s (%s token PUT) · floor %s" % (r[p + "_requests"], g(r, p + "_token_puts"), g(r, floor))

    def boot_cpu(r):
        a_, b_ = num(r, "boot_seed_cpu_total_ms"), num(r, "boot_start_cpu_total_ms")
        if a_ is None or b_ is None:
            return "n/a"
        return "%s (seed %s + starts %s)" % (ms({"x": a_ + b_}, "x"), ms(r, "boot_seed_cpu_total_ms"),
                                             ms(r, "boot_start_cpu_total_ms"))

    def oracle(r):
        p = sum(int(v) for k, v in r.items() if re.match(r"oracle_.*_passed$", k))
        f = sum(int(v) for k, v in r.items() if re.match(r"oracle_.*_failed$", k))
        return "%d passed, %d failed" % (p, f)

    rows = [
        ("**start**: `setup-policy-routes IFACE start` for every ENI at once (as udev would)", None),
        ("start → every link configured by networkd with the generated files, rules and table routes in the kernel",
         lambda r: sec(r, "start_ready_ms")),
        ("… the same for IPv4 only (IPv6 waits for the next router advertisement)", lambda r: sec(r, "start_ready_ipv4_ms")),
        ("… the `start` processes alone (until the last one exited)", lambda r: sec(r, "start_wall_max_ms")),
        ("CPU (user+sys), all `start` processes", lambda r: cpu(r, "start")),
        ("IMDS requests", lambda r: reqs(r, "start", "floor_start_requests")),
        ("networkd reloads (floor 1)", lambda r: g(r, "start_reloads")),
        ("peak memory (max RSS) of one `start`", lambda r: mib(r, "start_rss_max_kb")),
        ("**refresh, nothing changed**: `setup-policy-routes IFACE refresh` for every ENI, one after another", None),
        ("CPU (user+sys), all `refresh` processes (median of 5 passes)", lambda r: cpu(r, "refresh0")),
        ("for comparison: CPU of `setup-policy-routes --version` as many times (exec + loading %s shared libraries)" % (
            res[0].get("shared_libraries", "?") if res else "?"), lambda r: cpu(r, "baseline")),
        ("child processes started (exec / fork) · threads, under `strace -f`", lambda r: "%s / %s · %s" % (
            g(r, "refresh0_child_execs"), g(r, "refresh0_child_procs"), g(r, "refresh0_threads"))),
        ("IMDS requests", lambda r: reqs(r, "refresh0", "floor_refresh_requests")),
        ("networkd reloads · files rewritten (floor 0 · 0)", lambda r: "%s · %s" % (
            g(r, "refresh0_reloads"), g(r, "refresh0_files_rewritten"))),
        ("peak memory (max RSS) of one `refresh`", lambda r: mib(r, "refresh0_rss_max_kb")),
        ("wall time of one ENI's `refresh` (hyperfine, mean ± σ)", lambda r: (
            "%s ± %s ms" % (r["hyperfine_mean_ms"], r["hyperfine_stddev_ms"]) if "hyperfine_mean_ms" in r else "n/a")),
        ("**refresh, one secondary IPv4 assigned** to one ENI in IMDS, then every ENI refreshed, one after another", None),
        ("CPU (user+sys), all `refresh` processes", lambda r: cpu(r, "refresh1")),
        ("IMDS requests", lambda r: reqs(r, "refresh1", "floor_refresh_requests")),
        ("networkd reloads · files rewritten (floor 1 · 2, 1 when it is the only ENI)", lambda r: "%s · %s" % (
            g(r, "refresh1_reloads"), g(r, "refresh1_files_rewritten"))),
        ("refresh → new address and rule in the kernel", lambda r: sec(r, "refresh1_converge_ms")),
        ("missing meanwhile on that ENI (networkd reconfiguring it)", lambda r: outage_text(
            r.get("refresh1_converge_outage_facts", ""))),
        ("**boot path** from a clean `/run`: `ec2-net-generator --seed`, then every `start` at once", None),
        ("seed start → every link configured, rules and routes in the kernel", lambda r: sec(r, "boot_ready_ms")),
        ("… the same for IPv4 only", lambda r: sec(r, "boot_ready_ipv4_ms")),
        ("ENIs the seed stage configured", lambda r: "%s of %s" % (g(r, "boot_seeded"), g(r, "enis"))),
        ("CPU (user+sys), seed + all `start` processes", boot_cpu),
        ("IMDS requests", lambda r: reqs(r, "boot", "floor_start_requests")),
        ("networkd reloads (floor 1)", lambda r: g(r, "boot_reloads")),
        ("**refresh, ENIs left on 2.x's files** after an upgrade (networkd 252: deferred), one after another", None),
        ("CPU (user+sys), all `refresh` processes (median of 5 passes)", lambda r: cpu(r, "refresh2x")),
        ("IMDS requests (the first pass: no saved state yet, a full fetch)", lambda r: g(r, "refresh2x_requests")),
        ("networkd reloads · files rewritten (floor 0 · 0) · ENIs that stayed", lambda r: "%s · %s · %s" % (
            g(r, "refresh2x_reloads"), g(r, "refresh2x_files_rewritten"), g(r, "refresh2x_deferred"))),
        ("**ec2-netctl** over every ENI, all in sync (one process)", None),
        ("`status --offline`: wall time (hyperfine, mean ± σ)", lambda r: (
            "%s ± %s ms" % (r["netctl_hyperfine_mean_ms"], r["netctl_hyperfine_stddev_ms"])
            if "netctl_hyperfine_mean_ms" in r else "n/a")),
        ("`status --offline`: wall time (median of 5 runs) · CPU · peak memory", lambda r: "%s · %s · %s" % (
            ms(r, "netctl_offline_wall_max_ms"), ms(r, "netctl_offline_cpu_total_ms"), mib(r, "netctl_offline_rss_max_kb"))),
        ("`status --offline`: IMDS requests (floor 0)", lambda r: g(r, "netctl_offline_requests")),
        ("`status`: wall time · CPU", lambda r: "%s · %s" % (
            ms(r, "netctl_status_wall_max_ms"), ms(r, "netctl_status_cpu_total_ms"))),
        ("`status`: IMDS requests (token PUTs) · one refresh of every ENI, above", lambda r: "%s (%s) · %s" % (
            g(r, "netctl_status_requests"), g(r, "netctl_status_token_puts"), g(r, "refresh0_requests"))),
        ("`plan`: wall time · CPU", lambda r: "%s · %s" % (
            ms(r, "netctl_plan_wall_max_ms"), ms(r, "netctl_plan_cpu_total_ms"))),
        ("`plan`: IMDS requests (token PUTs) · one refresh of every ENI", lambda r: "%s (%s) · %s" % (
            g(r, "netctl_plan_requests"), g(r, "netctl_plan_token_puts"), g(r, "refresh0_requests"))),
        ("networkd reloads · files rewritten by `status --offline`, `status` and `plan` (floor 0 · 0)", lambda r: "%s · %s" % (
            sum(int(g(r, "netctl_%s_reloads" % w, "0")) for w in ("offline", "status", "plan")),
            sum(int(g(r, "netctl_%s_files_rewritten" % w, "0")) for w in ("offline", "status", "plan")))),
        ("**checks**", None),
        ("kernel state vs IMDS (the lab's oracle, after start, refresh and boot)", oracle),
        ("lab set-up before the runs (links up, DHCP done; not the product)", lambda r: sec(r, "lab_up_ms")),
    ]
    out = ["| measure | " + " | ".join("%s ENI%s" % (n, "" if n == "1" else "s") for n in sizes) + " |",
           "| --- |" + " ---: |" * len(sizes)]
    for label, fn in rows:
        if fn is None:
            out.append("| %s |%s" % (label, " |" * len(sizes)))
        else:
            out.append("| %s | %s |" % (label, " | ".join(fn(r) for r in res)))
    print("\n".join(out))

    # Targets (issue 3) and the 2.x reference (issue 2), for 16 ENIs when measured.
    r16 = next((r for r in res if r.get("enis") == "16"), None)
    if r16 is None:
        return

    def verdict(ok):
        return "met" if ok else "**not met**"
    print()
    print("| target (this machine, 16 ENIs) | measured | verdict | 2.x (issue 2, not run here) |")
    print("| --- | ---: | --- | --- |")
    c = num(r16, "refresh0_cpu_total_ms")
    kids = int(r16.get("refresh0_child_execs", "1")) + int(r16.get("refresh0_child_procs", "1"))
    print("| refresh of 16 ENIs under 0.1 s of CPU in total | %s | %s | ~1.5 s per ENI: ~24 s |" % (
        ms(r16, "refresh0_cpu_total_ms"), verdict(c is not None and c < 100)))
    print("| … with no child process | %d | %s | 30–60 per ENI: 480–960 |" % (kids, verdict(kids == 0)))
    print("| IMDS requests per ENI per refresh | %s (floor %s) | %s | 8–10 |" % (
        fmt(float(r16.get("refresh0_requests", "nan")) / 16, 2), r16.get("floor_refresh_per_eni", "?"),
        verdict(r16.get("refresh0_requests") == r16.get("floor_refresh_requests"))))
    t = num(r16, "start_ready_ms")
    print("| 16 ENIs configured within 1 s of their links coming up (`start` → configured) | %s | %s | one reload per ENI |" % (
        sec(r16, "start_ready_ms"), verdict(t is not None and t <= 1000)))
    t = num(r16, "start_ready_ipv4_ms")
    print("| … IPv4 only | %s | %s | |" % (sec(r16, "start_ready_ipv4_ms"), verdict(t is not None and t <= 1000)))
    t = num(r16, "boot_ready_ms")
    print("| … on the boot path (seed, then `start`s) | %s | %s | |" % (
        sec(r16, "boot_ready_ms"), verdict(t is not None and t <= 1000)))
    t = num(r16, "netctl_hyperfine_mean_ms")
    if t is None:
        t = num(r16, "netctl_offline_wall_max_ms")
    print("| `ec2-netctl status --offline` of 16 ENIs within 20 ms (wall) | %s | %s | no such tool |" % (
        "n/a" if t is None else "%s ms" % fmt(t, 1), verdict(t is not None and t <= 20)))
    for w in ("status", "plan"):
        a_, b_ = num(r16, "netctl_%s_requests" % w), num(r16, "refresh0_requests")
        print("| `ec2-netctl %s`: no more IMDS requests than one refresh of the same ENIs | %s vs %s | %s | |" % (
            w, g(r16, "netctl_%s_requests" % w), g(r16, "refresh0_requests"),
            verdict(a_ is not None and b_ is not None and a_ <= b_)))


def main():
    p = argparse.ArgumentParser(prog="benchtool")
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("floor"); s.add_argument("imds"); s.set_defaults(fn=cmd_floor)
    s = sub.add_parser("runpar"); s.add_argument("files", nargs="+"); s.set_defaults(fn=cmd_runpar)
    s = sub.add_parser("imds"); s.add_argument("log"); s.add_argument("skip", type=int)
    s.set_defaults(fn=cmd_imds)
    s = sub.add_parser("strace"); s.add_argument("dir"); s.set_defaults(fn=cmd_strace)
    s = sub.add_parser("trace"); s.add_argument("file"); s.add_argument("t0", type=int)
    s.set_defaults(fn=cmd_trace)
    s = sub.add_parser("reloads"); s.add_argument("file"); s.set_defaults(fn=cmd_reloads)
    s = sub.add_parser("table"); s.add_argument("results", nargs="+"); s.set_defaults(fn=cmd_table)
    a = p.parse_args()
    return a.fn(a) or 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Wait until every listed ENI is configured by systemd-networkd with the product's
configuration and its policy routing is in the kernel; print when (CLOCK_REALTIME, ns).

    poll-ready.py [--interval S] [--timeout S] [--trace] [--cheap] IMDS.json IFACE...

Runs inside the lab's instance (ip without -n; networkd's state under /run). Standard
library only; reuses the scenario reader of tests/lab/labtool.py (read-only).

"Ready" for an interface means all of:
  - networkd's link state file says ADMIN_STATE=configured and the .network file it applies
    is the product's /run/systemd/network/NN-IFACE.network (a link still configured by the
    stock 80-ec2.network does not count; networkd 252 does not list drop-ins there, the
    kernel checks below cover eni.conf);
  - each IPv4 of IMDS is on the link (the first from DHCP, the others from ec2net_alias.conf)
    and, when IMDS lists IPv6, a global IPv6 address;
  - a default route in the ENI's table T (IPv4, and IPv6 when IMDS lists IPv6);
  - except on the primary ENI: a rule "from A lookup T priority T" for each address and
    prefix of IMDS (IPv4 and IPv6).
The full oracle (labtool check) runs afterwards, untimed.

Output lines: "first-poll NS N" once the first poll is done (N facts pending; the caller
starts the product after that), with --trace "pending NS FACT..." whenever the set of
pending facts changes (FACT = IFACE:WHAT[=DETAIL]), then "ready NS POLLS CPU_MS" (CPU_MS:
the poller's own CPU time, ip included: it competes with networkd for the CPU) or
"timeout NS POLLS FACT...".
"""

import argparse
import ipaddress
import json
import os
import subprocess
import sys
import time

sys.dont_write_bytecode = True   # no __pycache__ under tests/
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "lab"))
import labtool  # noqa: E402


def ipj(*args):
    p = subprocess.run(["ip", "-j"] + list(args), stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL, universal_newlines=True)
    if p.returncode != 0 or not p.stdout.strip():
        return []
    return json.loads(p.stdout)


def link_state(ifindex):
    st = {}
    try:
        with open("/run/systemd/netif/links/%d" % ifindex) as f:
            for line in f:
                k, _, v = line.rstrip("\n").partition("=")
                st[k] = v
    except OSError:
        pass
    return st


def net(s):
    return str(ipaddress.ip_network(s, strict=False))


def rule_set(fam):
    out = set()
    for r in ipj(fam, "rule", "show"):
        src = labtool.rule_src(r)
        if src:
            out.add((src, str(r.get("table")), r.get("priority")))
    return out


def defaults(fam):
    out = set()
    for r in ipj(fam, "route", "show", "table", "all"):
        if r.get("dst") == "default":
            out.add((str(r.get("table", "main")), r.get("dev")))
    return out


def pending_state(ifindex, ifnames):
    """Only networkd's link state files (cheap: no ip, no netlink dump)."""
    waiting = []
    for ifname in ifnames:
        st = link_state(ifindex.get(ifname, 0))
        nf = st.get("NETWORK_FILE", "")
        base = os.path.basename(nf)
        if not (nf.startswith("/run/") and base.endswith("-%s.network" % ifname) and base[:1].isdigit()):
            waiting.append("%s:network-file=%s" % (ifname, base or "-"))
        if st.get("ADMIN_STATE") != "configured":
            waiting.append("%s:state=%s" % (ifname, st.get("ADMIN_STATE", "-")))
    return waiting


def pending(enis, ifnames):
    """Everything not (yet) as it must be, one word per fact: IFACE:WHAT[=DETAIL]."""
    links = {l["ifname"]: l for l in ipj("addr", "show")}
    rules4, rules6 = rule_set("-4"), rule_set("-6")
    def4, def6 = defaults("-4"), defaults("-6")
    waiting = []
    for ifname in ifnames:
        link = links.get(ifname)
        if not link:
            waiting.append(ifname + ":no-link")
            continue
        w = []
        e = enis.get(link["address"].lower())
        st = link_state(link["ifindex"])
        nf = st.get("NETWORK_FILE", "")
        base = os.path.basename(nf)
        if not (nf.startswith("/run/") and base.endswith("-%s.network" % ifname) and base[:1].isdigit()):
            w.append("network-file=%s" % (base or "-"))
        if st.get("ADMIN_STATE") != "configured":
            w.append("state=%s" % st.get("ADMIN_STATE", "-"))
        have4 = {a["local"] for a in link.get("addr_info", []) if a["family"] == "inet"}
        has6 = any(a["family"] == "inet6" and a.get("scope") == "global"
                   for a in link.get("addr_info", []))
        w += ["address=%s" % a for a in e.v4 if a not in have4]
        if e.v6 and not has6:
            w.append("address=%s" % e.v6[0])
        t = str(e.table)
        if not e.primary:   # no policy rules for the primary ENI
            w += ["rule=%s" % net(a) for a in e.v4 + e.v4_prefixes
                  if (net(a), t, e.table) not in rules4]
            w += ["rule=%s" % net(a) for a in e.v6 + e.v6_prefixes
                  if (net(a), t, e.table) not in rules6]
        if e.v4 and (t, ifname) not in def4:
            w.append("default4-table=%s" % t)
        if e.v6 and (t, ifname) not in def6:
            w.append("default6-table=%s" % t)
        waiting += ["%s:%s" % (ifname, x) for x in w]
    return waiting


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--interval", type=float, default=0.01)
    p.add_argument("--timeout", type=float, default=60)
    p.add_argument("--trace", action="store_true",
                   help='also print "pending NS WHAT..." whenever the pending set changes')
    p.add_argument("--cheap", action="store_true",
                   help="read only networkd's state files until every link is configured with "
                        "the product's file, then check the kernel too (keeps the poller's own "
                        "CPU use low while networkd works)")
    p.add_argument("imds")
    p.add_argument("ifnames", nargs="+")
    a = p.parse_args()
    doc = labtool.load(a.imds)
    enis = {e.mac: e for e in labtool.enis_of(doc)}
    deadline = time.monotonic() + a.timeout
    polls = 0
    first = True
    last = None
    ifindex = {l["ifname"]: l["ifindex"] for l in ipj("link", "show")}
    while True:
        if any(i not in ifindex for i in a.ifnames):   # links that appear later (hot-add)
            ifindex = {l["ifname"]: l["ifindex"] for l in ipj("link", "show")}
        w = pending_state(ifindex, a.ifnames) if a.cheap else []
        if not w:
            w = pending(enis, a.ifnames)
        polls += 1
        now = time.time_ns()
        if first:
            print("first-poll %d %d" % (now, len(w)), flush=True)
            first = False
        if a.trace and w != last:
            print("pending %d %s" % (now, " ".join(w) or "-"), flush=True)
            last = w
        if not w:
            t = os.times()
            print("ready %d %d %.0f" % (now, polls, (t.user + t.system + t.children_user
                                                    + t.children_system) * 1000), flush=True)
            return 0
        if time.monotonic() > deadline:
            print("timeout %d %d %s" % (now, polls, " ".join(w[:20])), flush=True)
            return 1
        time.sleep(a.interval)


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Helper of the end-to-end lab (tests/lab/lab.sh): scenario parsing, IMDS tree edits,
the VPC source check, packet counters, request-log counting and the kernel-state oracle.

Standard library only. Every sub-command is called by lab.sh; see tests/lab/README.md.

A scenario file is the fake IMDS tree plus an optional "lab" section:

    {
      "lab": {
        "interfaces": {"MAC": {"ifname": "ens6", "attach": "boot" | "later"}},
        "subnets": {"SUBNET-KEY": {"dhcp4": "169.254.0.0/16"}},
        "imds6": false
      },
      "meta-data": { ... the IMDS tree, as the fake IMDS serves it ... }
    }

The topology (one bridge per subnet, one veth pair per ENI, fixed DHCP leases) is derived
from the IMDS data itself, so a scenario states each fact once.
"""

import argparse
import fnmatch
import ipaddress
import json
import os
import subprocess
import sys
import tempfile

MACS = ("network", "interfaces", "macs")


# ---------------------------------------------------------------------------
# IMDS tree access

def load(path):
    with open(path) as f:
        return json.load(f)


def save_atomic(path, data):
    d = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=d, prefix=".tmp-")
    with os.fdopen(fd, "w") as f:
        json.dump(data, f, indent=1, sort_keys=True)
        f.write("\n")
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def md_of(doc):
    return doc.get("meta-data", doc)


def macs_of(md):
    node = md
    for k in MACS:
        node = node.get(k, {}) if isinstance(node, dict) else {}
    return node if isinstance(node, dict) else {}


def as_list(v):
    """IMDS leaf -> list of lines (a list leaf, or a string body split on newlines)."""
    if v is None:
        return []
    if isinstance(v, list):
        return [str(x).strip() for x in v if str(x).strip()]
    return [x.strip() for x in str(v).splitlines() if x.strip()]


def as_str(v):
    lines = as_list(v)
    return lines[0] if lines else None


def split_path(path):
    return [p for p in path.strip("/").split("/") if p]


def tree_get(doc, path):
    node = md_of(doc)
    for p in split_path(path):
        if not isinstance(node, dict) or p not in node:
            return None
        node = node[p]
    return node


def tree_set(doc, path, value):
    node = md_of(doc)
    parts = split_path(path)
    for p in parts[:-1]:
        node = node.setdefault(p, {})
    node[parts[-1]] = value


def tree_del(doc, path):
    node = md_of(doc)
    parts = split_path(path)
    for p in parts[:-1]:
        if p not in node:
            return
        node = node[p]
    node.pop(parts[-1], None)


class Eni:
    """What the oracle and the topology need to know about one ENI."""

    def __init__(self, mac, node, primary_mac, has_cards):
        self.mac = mac.lower()
        g = node.get
        self.device = int(as_str(g("device-number")) or 0)
        card = as_str(g("network-card"))
        self.card = int(card) if card is not None else 0
        self.eni_id = as_str(g("interface-id"))
        self.v4 = as_list(g("local-ipv4s"))
        self.v6 = [str(ipaddress.ip_address(a)) for a in as_list(g("ipv6s"))]
        self.v4_prefixes = as_list(g("ipv4-prefix"))
        self.v6_prefixes = [str(ipaddress.ip_network(p, strict=False))
                            for p in as_list(g("ipv6-prefix"))]
        self.subnet4 = as_str(g("subnet-ipv4-cidr-block"))
        self.subnet6 = [str(ipaddress.ip_network(p, strict=False))
                        for p in as_list(g("subnet-ipv6-cidr-blocks"))]
        self.table = 10000 + 100 * self.card + self.device
        self.metric = 512 + 100 * self.card + self.device
        self.primary = self.device == 0 and self.card == 0
        self.is_top_mac = self.mac == (primary_mac or "").lower()
        self.has_cards = has_cards

    @property
    def altnames(self):
        names = []
        if self.eni_id:
            names.append(self.eni_id)
        if self.has_cards:
            names.append("device-number-%d.%d" % (self.device, self.card))
        else:
            names.append("device-number-%d" % self.device)
        return names

    @property
    def subnet_key(self):
        return "%s|%s" % (self.subnet4 or "-", self.subnet6[0] if self.subnet6 else "-")


def enis_of(doc):
    md = md_of(doc)
    macs = macs_of(md)
    primary = as_str(md.get("mac"))
    has_cards = any("network-card" in (n or {}) for n in macs.values())
    return [Eni(m, n or {}, primary, has_cards) for m, n in macs.items()]


def eni_by_mac(doc, mac):
    for e in enis_of(doc):
        if e.mac == mac.lower():
            return e
    raise SystemExit("labtool: no ENI with MAC %s in the IMDS tree" % mac)


# ---------------------------------------------------------------------------
# plan: scenario -> topology lines for lab.sh

def cmd_plan(a):
    doc = load(a.scenario)
    lab = doc.get("lab", {})
    imds = {"meta-data": md_of(doc)}
    save_atomic(a.imds_out, imds)

    enis = sorted(enis_of(doc), key=lambda e: (e.card, e.device, e.mac))
    subnets = {}
    lab_if = {k.lower(): v for k, v in lab.get("interfaces", {}).items()}
    lab_sn = lab.get("subnets", {})
    out = []
    used_names = set()
    for i, e in enumerate(enis):
        if e.subnet_key not in subnets:
            n = len(subnets)
            subnets[e.subnet_key] = "br%d" % n
            v4 = e.subnet4
            extra = lab_sn.get(e.subnet_key, lab_sn.get(e.subnet4 or "", {}))
            dhcp4 = extra.get("dhcp4")           # e.g. a 169.254/16 range on IPv6-only
            mask = "-"
            if v4 or dhcp4:
                net = ipaddress.ip_network(v4 or dhcp4, strict=False)
                v4cidr, v4gw = str(net), "%s/%d" % (net.network_address + 1, net.prefixlen)
                mask = str(net.netmask)
            else:
                v4cidr, v4gw = "-", "-"
            if e.subnet6:
                net6 = ipaddress.ip_network(e.subnet6[0], strict=False)
                v6cidr, v6gw = str(net6), "%s/%d" % (net6.network_address + 1, net6.prefixlen)
            else:
                v6cidr, v6gw = "-", "-"
            out.append("subnet %s %s %s %s %s %s" % (subnets[e.subnet_key], v4cidr, v4gw,
                                                     v6cidr, v6gw, mask))
        li = lab_if.get(e.mac, {})
        name = li.get("ifname") or "ens%d" % (5 + i)
        if name in used_names or len(name) > 13:
            raise SystemExit("labtool: bad or duplicate interface name %r" % name)
        used_names.add(name)
        attach = li.get("attach", "boot")
        dhcp_v4 = e.v4[0] if e.v4 else (li.get("dhcp4_address") or "-")
        dhcp_v6 = e.v6[0] if e.v6 else "-"
        out.append("eni %s %s %s p-%s %s %s %s" % (name, e.mac, subnets[e.subnet_key], name,
                                                   attach, dhcp_v4, dhcp_v6))
    out.append("imds6 %s" % ("yes" if lab.get("imds6") else "no"))
    print("\n".join(out))


# ---------------------------------------------------------------------------
# IMDS edits (the fake IMDS re-reads the file when its mtime changes)

def cmd_get(a):
    v = tree_get(load(a.file), a.path)
    if v is None:
        return 1
    print(json.dumps(v) if isinstance(v, dict) else "\n".join(as_list(v)))
    return 0


def cmd_set(a):
    doc = load(a.file)
    value = json.loads(a.value) if a.json else a.value
    tree_set(doc, a.path, value)
    save_atomic(a.file, doc)


def cmd_del(a):
    doc = load(a.file)
    tree_del(doc, a.path)
    save_atomic(a.file, doc)


def cmd_list_add(a):
    doc = load(a.file)
    cur = as_list(tree_get(doc, a.path))
    if a.value not in cur:
        cur.append(a.value)
    tree_set(doc, a.path, cur)
    save_atomic(a.file, doc)


def cmd_list_remove(a):
    doc = load(a.file)
    cur = [x for x in as_list(tree_get(doc, a.path)) if x != a.value]
    tree_set(doc, a.path, cur)
    save_atomic(a.file, doc)


def cmd_eni(a):
    """Print one ENI's derived facts as shell assignments (for eval in lab.sh)."""
    e = eni_by_mac(load(a.file), a.mac)
    def q(v):
        return "'" + str(v).replace("'", "'\\''") + "'"
    print("ENI_DEVICE=%d ENI_CARD=%d ENI_TABLE=%d ENI_METRIC=%d ENI_PRIMARY=%d" %
          (e.device, e.card, e.table, e.metric, int(e.primary)))
    print("ENI_ID=%s ENI_V4=%s ENI_V6=%s" % (q(e.eni_id or ""), q(" ".join(e.v4)),
                                          q(" ".join(e.v6))))
    print("ENI_V4_PREFIXES=%s ENI_V6_PREFIXES=%s" % (q(" ".join(e.v4_prefixes)),
                                                     q(" ".join(e.v6_prefixes))))
    print("ENI_SUBNET4=%s ENI_SUBNET6=%s ENI_ALTNAMES=%s" % (
        q(e.subnet4 or ""), q(" ".join(e.subnet6)), q(" ".join(e.altnames))))


# ---------------------------------------------------------------------------
# VPC source check: the VPC drops packets whose source address is not the ENI's.

def cmd_nft(a):
    """Print an nft script for table netdev LABTABLE: one ingress chain per attached ENI
    peer; each allowed source has its own counted rule (comment "src=ADDR"), anything
    else IPv4/IPv6 is counted and dropped (comment "drop")."""
    doc = load(a.file)
    by_mac = {e.mac: e for e in enis_of(doc)}
    lines = ["table netdev %s" % a.table, "delete table netdev %s" % a.table,
             "table netdev %s {" % a.table]
    for spec in a.attached:
        mac, peer = spec.split("=", 1)
        e = by_mac.get(mac.lower())
        lines.append('  chain in-%s {' % peer)
        lines.append('    type filter hook ingress device "%s" priority 0; policy accept;' % peer)
        lines.append('    ip saddr 0.0.0.0 counter accept comment "dhcp4"')
        lines.append('    ip6 saddr :: counter accept comment "unspecified6"')
        lines.append('    ip6 saddr fe80::/10 counter accept comment "link-local6"')
        srcs = []
        if e:
            srcs = e.v4 + e.v4_prefixes + e.v6 + e.v6_prefixes
        for extra in a.allow:
            m, addr = extra.split("=", 1)
            if m.lower() == mac.lower():
                srcs.append(addr)
        seen = set()
        for s in srcs:
            if s in seen:
                continue
            seen.add(s)
            fam = "ip6" if ":" in s else "ip"
            lines.append('    %s saddr %s counter accept comment "src=%s"' % (fam, s, s))
        lines.append('    meta protocol { ip, ip6 } counter drop comment "drop"')
        lines.append('  }')
    lines.append("}")
    print("\n".join(lines))


def nft_rules(nftjson):
    data = json.loads(nftjson)
    for item in data.get("nftables", []):
        r = item.get("rule")
        if not r:
            continue
        pk = None
        for ex in r.get("expr", []):
            if "counter" in ex:
                pk = ex["counter"].get("packets", 0)
        yield r.get("chain", ""), r.get("comment", ""), pk


def cmd_counter(a):
    """Packets counted on peer's chain by the rule with comment src=ADDR (or "drop");
    reads `nft -j list table ...` on stdin. Prints 0 when there is no such rule."""
    want = "in-%s" % a.peer
    label = a.label if a.label == "drop" else "src=%s" % a.label
    total = 0
    for chain, comment, pk in nft_rules(sys.stdin.read()):
        if chain == want and comment == label and pk is not None:
            total += pk
    print(total)


def cmd_counters(a):
    """All counters as lines 'CHAIN COMMENT PACKETS'."""
    for chain, comment, pk in nft_rules(sys.stdin.read()):
        if pk is not None:
            print(chain, comment, pk)


# ---------------------------------------------------------------------------
# IMDS request log (JSON lines {"t","method","path","status","peer","token"})

def request_log(path, skip=0):
    """The records of the fake IMDS's request log after the first `skip` lines; a missing
    log has none, a line that does not parse is left out."""
    try:
        f = open(path)
    except FileNotFoundError:
        return
    with f:
        for i, line in enumerate(f):
            if i < skip:
                continue
            try:
                yield json.loads(line)
            except ValueError:
                continue


def cmd_count(a):
    n = 0
    for r in request_log(a.log, a.skip):
        if a.method and r.get("method") != a.method:
            continue
        if a.path and not fnmatch.fnmatchcase(str(r.get("path", "")), a.path):
            continue
        if a.status and str(r.get("status")) != a.status:
            continue
        n += 1
    print(n)


def cmd_lines(a):
    try:
        with open(a.file) as f:
            print(sum(1 for _ in f))
    except FileNotFoundError:
        print(0)


# ---------------------------------------------------------------------------
# The oracle: kernel state an ENI must have (SPEC section 4). Runs inside the instance.

def ipj(*args):
    out = subprocess.run(["ip", "-j"] + list(args), check=True, stdout=subprocess.PIPE,
                         universal_newlines=True).stdout
    return json.loads(out) if out.strip() else []


def routes(fam, table):
    """Routes of a table; a table that does not exist (yet) is empty."""
    try:
        p = subprocess.run(["ip", "-j", fam, "route", "show", "table", str(table)],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                           universal_newlines=True)
    except OSError:
        return []
    if p.returncode != 0 or not p.stdout.strip():
        return []
    return json.loads(p.stdout)


class Checker:
    def __init__(self, verbose):
        self.failures = []
        self.passes = 0
        self.verbose = verbose

    def ok(self, cond, what):
        if cond:
            self.passes += 1
            if self.verbose:
                print("  ok   %s" % what)
        else:
            self.failures.append(what)
            print("  FAIL %s" % what)
        return cond


def rule_src(r):
    src = r.get("src")
    if src is None:
        return None
    if src == "all":
        return None
    srclen = r.get("srclen")
    if srclen is None:
        return str(ipaddress.ip_network(src))  # host route: /32 or /128
    return str(ipaddress.ip_network("%s/%s" % (src, srclen), strict=False))


def norm_net(s):
    return str(ipaddress.ip_network(s if "/" in s else s, strict=False))


def route_dst(r):
    d = r.get("dst")
    if d == "default":
        return "default"
    return norm_net(d)


def check_eni(doc, ifname, c, expect_configured=True):
    link = ipj("link", "show", "dev", ifname)[0]
    e = eni_by_mac(doc, link["address"])
    tag = "%s(%s dev %d card %d table %d)" % (ifname, e.mac, e.device, e.card, e.table)
    print("%s:" % tag)
    addrs = ipj("addr", "show", "dev", ifname)[0].get("addr_info", [])
    have4 = {(a["local"], a["prefixlen"]) for a in addrs if a["family"] == "inet"}
    have6 = {str(ipaddress.ip_address(a["local"])) for a in addrs
             if a["family"] == "inet6" and a.get("scope") == "global"}
    has_v4 = any(not ipaddress.ip_address(ip).is_link_local for ip, _ in have4)
    has_v6 = bool(have6)

    # Addresses: the primary IPv4 from DHCP, each secondary as /32.
    if e.v4:
        plen = ipaddress.ip_network(e.subnet4).prefixlen if e.subnet4 else None
        c.ok(any(ip == e.v4[0] and (plen is None or p == plen) for ip, p in have4),
             "%s primary IPv4 %s/%s on the link" % (tag, e.v4[0], plen))
        for ip in e.v4[1:]:
            c.ok((ip, 32) in have4, "%s secondary IPv4 %s/32 on the link" % (tag, ip))
    ok_v4 = set(e.v4)
    stray = [ip for ip, _ in have4 if ip not in ok_v4
             and not ipaddress.ip_address(ip).is_link_local]
    c.ok(not stray, "%s no IPv4 address beyond IMDS's (%s)" % (tag, " ".join(stray) or "none"))
    if e.v6:
        c.ok(e.v6[0] in have6, "%s IPv6 %s on the link" % (tag, e.v6[0]))

    # Altnames.
    alt = set(link.get("altnames", []))
    for n in e.altnames:
        c.ok(n in alt, "%s altname %s" % (tag, n))

    # Policy rules.
    for fam, addrs_, prefixes, has in (("-4", e.v4, e.v4_prefixes, has_v4),
                                       ("-6", e.v6, e.v6_prefixes, has_v6)):
        rules = ipj(fam, "rule", "show")
        want = [norm_net(a) for a in addrs_] + [norm_net(p) for p in prefixes]
        mine = [r for r in rules if rule_src(r) in want or str(r.get("table")) == str(e.table)]
        if e.primary:
            c.ok(not mine, "%s primary ENI has no IPv%s policy rule (found %s)" %
                 (tag, fam[1], json.dumps(mine) if mine else "none"))
            continue
        if not has:
            continue
        for w in want:
            hit = [r for r in rules if rule_src(r) == w]
            c.ok(any(str(r.get("table")) == str(e.table) and r.get("priority") == e.table
                     for r in hit),
                 "%s IPv%s rule from %s priority %d table %d" % (tag, fam[1], w, e.table,
                                                                 e.table))
        extra = [r for r in rules if str(r.get("table")) == str(e.table)
                 and rule_src(r) not in want]
        c.ok(not extra, "%s no IPv%s rule to table %d beyond IMDS's (%s)" %
             (tag, fam[1], e.table, json.dumps(extra) if extra else "none"))

    # Routes in the ENI's table.
    if has_v4 and e.subnet4:
        rt = routes("-4", e.table)
        gw = str(ipaddress.ip_network(e.subnet4).network_address + 1)
        c.ok(any(route_dst(r) == "default" and r.get("gateway") == gw and
                 r.get("dev") == ifname for r in rt),
             "%s table %d: default via %s dev %s" % (tag, e.table, gw, ifname))
        c.ok(any(route_dst(r) == norm_net(e.subnet4) and r.get("dev") == ifname for r in rt),
             "%s table %d: %s dev %s" % (tag, e.table, e.subnet4, ifname))
        main = routes("-4", "main")
        c.ok(any(route_dst(r) == "default" and r.get("dev") == ifname and
                 r.get("metric") == e.metric for r in main),
             "%s main table: default dev %s metric %d" % (tag, ifname, e.metric))
    if has_v6:
        rt = routes("-6", e.table)
        c.ok(any(route_dst(r) == "default" and r.get("dev") == ifname and
                 str(r.get("gateway", "")).startswith("fe80:") for r in rt),
             "%s table %d: IPv6 default via the RA router dev %s" % (tag, e.table, ifname))
        for s in e.subnet6:
            c.ok(any(route_dst(r) == s and r.get("dev") == ifname for r in rt),
                 "%s table %d: %s dev %s" % (tag, e.table, s, ifname))
    c.ok(link.get("mtu") == 9001, "%s MTU 9001 (is %s)" % (tag, link.get("mtu")))


def cmd_check(a):
    doc = load(a.file)
    c = Checker(a.verbose)
    for ifname in a.ifnames:
        check_eni(doc, ifname, c)
    print("oracle: %d passed, %d failed" % (c.passes, len(c.failures)))
    return 1 if c.failures else 0


def cmd_check_gone(a):
    """After hot-remove: no rule and no route for the ENI's table remain."""
    doc = load(a.file)
    e = eni_by_mac(doc, a.mac)
    c = Checker(a.verbose)
    for fam in ("-4", "-6"):
        rules = [r for r in ipj(fam, "rule", "show") if str(r.get("table")) == str(e.table)]
        c.ok(not rules, "IPv%s: no rule to table %d left (%s)" % (fam[1], e.table,
                                                                   json.dumps(rules) or ""))
        rt = routes(fam, e.table)
        c.ok(not rt, "IPv%s: table %d is empty (%s)" % (fam[1], e.table, json.dumps(rt)))
    print("oracle: %d passed, %d failed" % (c.passes, len(c.failures)))
    return 1 if c.failures else 0


def cmd_snapshot(a):
    """The kernel state the product influences, as sorted lines without anything that
    changes by itself (lifetimes, route expiry): links (MAC, MTU, altnames), addresses,
    IPv4/IPv6 rules, routes of every table. Runs inside the instance."""
    lines = []
    for link in ipj("link", "show"):
        lines.append("link %s %s mtu %s altnames %s" % (
            link.get("ifname"), link.get("address"), link.get("mtu"),
            ",".join(sorted(link.get("altnames", [])))))
    for link in ipj("addr", "show"):
        for ai in link.get("addr_info", []):
            lines.append("addr %s %s %s/%s scope %s" % (link.get("ifname"), ai.get("family"),
                                                        ai.get("local"), ai.get("prefixlen"),
                                                        ai.get("scope")))
    for fam in ("-4", "-6"):
        for r in ipj(fam, "rule", "show"):
            lines.append("rule%s %s" % (fam, json.dumps(r, sort_keys=True)))
        for r in ipj(fam, "route", "show", "table", "all"):
            r = {k: v for k, v in r.items() if k not in ("expires",)}
            lines.append("route%s %s" % (fam, json.dumps(r, sort_keys=True)))
    print("\n".join(sorted(lines)))


# ---------------------------------------------------------------------------

def main():
    p = argparse.ArgumentParser(prog="labtool")
    sub = p.add_subparsers(dest="cmd", required=True)

    s = sub.add_parser("plan"); s.add_argument("scenario"); s.add_argument("imds_out")
    s.set_defaults(fn=cmd_plan)
    s = sub.add_parser("get"); s.add_argument("file"); s.add_argument("path")
    s.set_defaults(fn=cmd_get)
    s = sub.add_parser("set"); s.add_argument("--json", action="store_true")
    s.add_argument("file"); s.add_argument("path"); s.add_argument("value")
    s.set_defaults(fn=cmd_set)
    s = sub.add_parser("del"); s.add_argument("file"); s.add_argument("path")
    s.set_defaults(fn=cmd_del)
    s = sub.add_parser("list-add"); s.add_argument("file"); s.add_argument("path")
    s.add_argument("value"); s.set_defaults(fn=cmd_list_add)
    s = sub.add_parser("list-remove"); s.add_argument("file"); s.add_argument("path")
    s.add_argument("value"); s.set_defaults(fn=cmd_list_remove)
    s = sub.add_parser("eni"); s.add_argument("file"); s.add_argument("mac")
    s.set_defaults(fn=cmd_eni)
    s = sub.add_parser("nft"); s.add_argument("file"); s.add_argument("table")
    s.add_argument("attached", nargs="*", help="MAC=PEER")
    s.add_argument("--allow", action="append", default=[], help="MAC=ADDR extra source")
    s.set_defaults(fn=cmd_nft)
    s = sub.add_parser("counter"); s.add_argument("peer"); s.add_argument("label")
    s.set_defaults(fn=cmd_counter)
    s = sub.add_parser("counters"); s.set_defaults(fn=cmd_counters)
    s = sub.add_parser("count"); s.add_argument("log"); s.add_argument("--method")
    s.add_argument("--path"); s.add_argument("--status"); s.add_argument("--skip", type=int,
                                                                         default=0)
    s.set_defaults(fn=cmd_count)
    s = sub.add_parser("lines"); s.add_argument("file"); s.set_defaults(fn=cmd_lines)
    s = sub.add_parser("check"); s.add_argument("-v", "--verbose", action="store_true")
    s.add_argument("file"); s.add_argument("ifnames", nargs="+"); s.set_defaults(fn=cmd_check)
    s = sub.add_parser("check-gone"); s.add_argument("-v", "--verbose", action="store_true")
    s.add_argument("file"); s.add_argument("mac"); s.set_defaults(fn=cmd_check_gone)

    s = sub.add_parser("snapshot"); s.set_defaults(fn=cmd_snapshot)

    a = p.parse_args()
    rc = a.fn(a)
    sys.exit(rc or 0)


if __name__ == "__main__":
    main()

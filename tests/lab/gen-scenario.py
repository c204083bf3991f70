#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Write a lab scenario with many ENIs (for the 16-ENI scenario, the demo and bench/).

    gen-scenario.py --enis 16 [--cards 1] [--ipv6] [--secondary 1] [--subnets per-eni|one]
                    [--v4-prefix] [--v6-prefix] [--later N] > scenario.json

ENI i (0-based) is on card i % cards with device number i // cards, so device numbers
repeat across cards as on multi-card instance types. MACs are 0e:00:00:CC:DD:00 (CC card,
DD device); interface names ens5, ens6, ...; with --subnets per-eni each ENI has its own
subnet 10.C.D.0/24 (and 2001:db8:C:D::/64), with one, all share 10.0.0.0/16-like 10.9.0.0/16.
--later N marks the last N ENIs to be attached after boot (hot-add).
"""

import argparse
import json


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--enis", type=int, default=2)
    p.add_argument("--cards", type=int, default=1)
    p.add_argument("--ipv6", action="store_true")
    p.add_argument("--secondary", type=int, default=0, help="secondary IPv4s per ENI")
    p.add_argument("--subnets", choices=("per-eni", "one"), default="per-eni")
    p.add_argument("--v4-prefix", action="store_true", help="a delegated /28 per ENI")
    p.add_argument("--v6-prefix", action="store_true", help="a delegated /80 per ENI")
    p.add_argument("--later", type=int, default=0)
    a = p.parse_args()
    if not 1 <= a.enis <= 250 or not 1 <= a.cards <= 16:
        p.error("1-250 ENIs, 1-16 cards")

    macs, lab_if = {}, {}
    primary = None
    for i in range(a.enis):
        card, dev = i % a.cards, i // a.cards
        mac = "0e:00:00:%02x:%02x:00" % (card, dev)
        if i == 0:
            primary = mac
        node = {"device-number": str(dev),
                "interface-id": "eni-%017x" % (0xe000000 + card * 256 + dev),
                "mac": mac,
                "owner-id": "123456789012",
                "subnet-id": "subnet-%017x" % (0x5000000 + (card * 256 + dev
                                                            if a.subnets == "per-eni" else 0)),
                "vpc-id": "vpc-0a0000000000000a0",
                "vpc-ipv4-cidr-block": "10.0.0.0/8"}
        if a.cards > 1:
            node["network-card"] = str(card)
        if a.subnets == "per-eni":
            base4, plen4 = "10.%d.%d." % (100 + card, dev), 24
            sub4 = base4 + "0/24"
            host = 10
            sub6 = "2001:db8:%x:%x::/64" % (card, dev)
            v6 = "2001:db8:%x:%x::10" % (card, dev)
        else:
            sub4 = "10.9.0.0/16"
            base4 = "10.9.%d." % (card * 64 + dev)
            host = 10
            sub6 = "2001:db8:9::/64"
            v6 = "2001:db8:9::%x:%x" % (card + 1, dev + 16)
        node["subnet-ipv4-cidr-block"] = sub4
        node["local-ipv4s"] = [base4 + str(host + k) for k in range(1 + a.secondary)]
        node["local-hostname"] = "ip-%s.ec2.internal" % node["local-ipv4s"][0].replace(".", "-")
        if a.v4_prefix:
            node["ipv4-prefix"] = [base4 + "32/28" if a.subnets == "per-eni"
                                   else base4 + "128/28"]
        if a.ipv6:
            node["subnet-ipv6-cidr-blocks"] = [sub6]
            node["ipv6s"] = [v6]
            if a.v6_prefix:
                pfx = sub6.split("::")[0]
                node["ipv6-prefix"] = ["%s:%x::/80" % (pfx, 0x100 + i)]
        macs[mac] = node
        lab_if[mac] = {"ifname": "ens%d" % (5 + i),
                       "attach": "later" if i >= a.enis - a.later else "boot"}

    doc = {"lab": {"interfaces": lab_if, "imds6": bool(a.ipv6)},
           "meta-data": {"instance-id": "i-0123456789abcdef0",
                         "instance-type": "c6in.32xlarge" if a.cards > 1 else "m5.24xlarge",
                         "local-ipv4": macs[primary]["local-ipv4s"][0],
                         "mac": primary,
                         "network": {"interfaces": {"macs": macs}}}}
    print(json.dumps(doc, indent=1, sort_keys=True))


if __name__ == "__main__":
    main()

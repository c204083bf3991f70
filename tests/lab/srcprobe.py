#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Per-source-address connectivity probe, run inside a lab instance's network namespace.

    srcprobe.py --out FILE [--interval 0.02] SRC=DST ...

Sends an ICMP echo request from each source address SRC to DST every interval (raw sockets,
each bound to its source, so the policy rules decide which ENI it leaves through) until it
receives SIGTERM or SIGINT, then waits one second for late replies and writes to FILE, as
JSON, for each source: requests sent, replies received, lost, and the longest outage (the
longest run of consecutive lost requests, in milliseconds). Where a request left through the
wrong ENI the lab's VPC source check dropped it: it is lost here and counted there.
Standard library only; needs CAP_NET_RAW (root in the lab).
"""
import argparse
import ipaddress
import json
import os
import select
import signal
import socket
import struct
import time


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


class Source:
    def __init__(self, index, src, dst):
        self.src, self.dst = src, dst
        self.v6 = ipaddress.ip_address(src).version == 6
        family, proto = (socket.AF_INET6, socket.IPPROTO_ICMPV6) if self.v6 else (socket.AF_INET, socket.IPPROTO_ICMP)
        self.sock = socket.socket(family, socket.SOCK_RAW, proto)
        self.sock.bind((src, 0))
        self.sock.setblocking(False)
        self.ident = (os.getpid() * 16 + index) & 0xFFFF
        self.seq = 0
        self.sent = {}       # seq -> send time
        self.answered = set()

    def send(self):
        self.seq += 1
        seq = self.seq & 0xFFFF
        kind = 128 if self.v6 else 8
        payload = struct.pack("!d", time.monotonic()) + b"ec2net-srcprobe"
        header = struct.pack("!BBHHH", kind, 0, 0, self.ident, seq)
        if not self.v6:   # the kernel computes the ICMPv6 checksum
            header = struct.pack("!BBHHH", kind, 0, checksum(header + payload), self.ident, seq)
        try:
            self.sock.sendto(header + payload, (self.dst, 0))
        except OSError:
            pass           # no route right now: a lost request like any other
        self.sent[self.seq] = time.monotonic()

    def receive(self):
        while True:
            try:
                data = self.sock.recv(2048)
            except BlockingIOError:
                return
            if not self.v6:
                data = data[(data[0] & 0x0F) * 4:]
            if len(data) < 8:
                continue
            kind, _, _, ident, seq = struct.unpack("!BBHHH", data[:8])
            if kind == (129 if self.v6 else 0) and ident == self.ident:
                # seq wraps at 65536 (21 minutes at 20 ms): match the latest such request.
                for s in range(self.seq, 0, -1):
                    if s & 0xFFFF == seq:
                        self.answered.add(s)
                        break

    def report(self, interval):
        lost_runs, run = [], 0
        for s in range(1, self.seq + 1):
            if s in self.answered:
                if run:
                    lost_runs.append(run)
                run = 0
            else:
                run += 1
        if run:
            lost_runs.append(run)
        return {
            "src": self.src, "dst": self.dst, "sent": self.seq, "received": len(self.answered),
            "lost": self.seq - len(self.answered),
            "max_outage_ms": round(max(lost_runs, default=0) * interval * 1000),
            "outages": len(lost_runs),
        }


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--interval", type=float, default=0.02)
    ap.add_argument("pairs", nargs="+", metavar="SRC=DST")
    a = ap.parse_args()
    sources = [Source(i, *p.split("=", 1)) for i, p in enumerate(a.pairs)]
    stop = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.append(1))
    with open(a.out + ".ready", "w"):
        pass
    next_send = time.monotonic()
    while not stop:
        now = time.monotonic()
        if now >= next_send:
            for s in sources:
                s.send()
            next_send += a.interval
            if next_send < now:   # fell behind (a busy machine): do not burst to catch up
                next_send = now + a.interval
        try:
            r, _, _ = select.select([s.sock for s in sources], [], [], max(0.0, next_send - time.monotonic()))
        except InterruptedError:
            continue
        for s in sources:
            if s.sock in r:
                s.receive()
    deadline = time.monotonic() + 1.0
    while time.monotonic() < deadline:
        r, _, _ = select.select([s.sock for s in sources], [], [], 0.1)
        for s in sources:
            if s.sock in r:
                s.receive()
    with open(a.out + ".tmp", "w") as f:
        json.dump([s.report(a.interval) for s in sources], f, indent=1)
    os.rename(a.out + ".tmp", a.out)


if __name__ == "__main__":
    main()

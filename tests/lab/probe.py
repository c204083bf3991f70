#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""ICMP echo probe out of one interface, every INTERVAL seconds, until SIGTERM/SIGINT.

    probe.py --dev ens5 --dst 10.100.0.1 [--interval 0.02] [--out FILE]

Runs inside the lab's instance namespace, started by lab_probe_start (tests/lab/lab.sh)
through the lab's nsguard. Sends from a raw ICMP socket bound to the device
(SO_BINDTODEVICE), so a probe counts as lost when the interface has no address, no route
or no neighbour for the destination, or when the reply does not come back. Prints
"started" once the first echo is out. On the signal it stops sending, waits 0.5 s for
late replies and writes one JSON object: sent, received, lost, send_errors, the longest
run of consecutive lost probes (and its start, seconds after the first probe) and every
lost run.
"""

import argparse
import json
import os
import select
import signal
import socket
import struct
import sys
import time

SO_BINDTODEVICE = 25


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def echo(ident, seq):
    payload = struct.pack("!d", time.time())
    hdr = struct.pack("!BBHHH", 8, 0, 0, ident, seq)
    return struct.pack("!BBHHH", 8, 0, checksum(hdr + payload), ident, seq) + payload


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--dev", required=True)
    p.add_argument("--dst", required=True)
    p.add_argument("--interval", type=float, default=0.02)
    p.add_argument("--out")
    a = p.parse_args()

    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    s.setsockopt(socket.SOL_SOCKET, SO_BINDTODEVICE, a.dev.encode() + b"\0")
    s.setblocking(False)
    ident = os.getpid() & 0xFFFF
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))

    sent_at = {}          # seq -> monotonic send time
    replied = set()
    send_errors = 0
    t0 = time.monotonic()
    next_send = t0
    seq = 0
    announced = False

    def receive(timeout):
        r, _, _ = select.select([s], [], [], max(timeout, 0))
        while r:
            try:
                pkt = s.recv(2048)
            except BlockingIOError:
                break
            ihl = (pkt[0] & 0x0F) * 4
            if len(pkt) < ihl + 8:
                continue
            typ, _, _, pid, pseq = struct.unpack("!BBHHH", pkt[ihl:ihl + 8])
            if typ == 0 and pid == ident:
                replied.add(pseq)
            r, _, _ = select.select([s], [], [], 0)

    while not stop:
        now = time.monotonic()
        if now >= next_send:
            seq = (seq + 1) & 0xFFFF
            sent_at[seq] = now
            try:
                s.sendto(echo(ident, seq), (a.dst, 0))
            except OSError:
                send_errors += 1
            next_send += a.interval
            if not announced:
                print("started", flush=True)
                announced = True
        receive(next_send - time.monotonic())
    end = time.monotonic() + 0.5
    while time.monotonic() < end:
        receive(end - time.monotonic())

    runs, cur = [], None
    for q in sorted(sent_at, key=lambda k: sent_at[k]):
        if q in replied:
            cur = None
            continue
        if cur is None:
            cur = [sent_at[q] - t0, 0]
            runs.append(cur)
        cur[1] += 1
    longest = max(runs, key=lambda r: r[1]) if runs else [0, 0]
    res = {
        "dev": a.dev, "dst": a.dst, "interval_ms": a.interval * 1000,
        "duration_s": round(time.monotonic() - t0, 3),
        "sent": len(sent_at), "received": len(replied & set(sent_at)),
        "lost": len(sent_at) - len(replied & set(sent_at)), "send_errors": send_errors,
        "longest_lost_run": longest[1], "longest_lost_at_s": round(longest[0], 3),
        "lost_runs": [[round(t, 3), n] for t, n in runs],
    }
    text = json.dumps(res)
    if a.out:
        with open(a.out, "w") as f:
            f.write(text + "\n")
    else:
        print(text, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A fake EC2 Instance Metadata Service (IMDSv2 only) for every test tier (SPEC §3, §9).

    fake_imds.py --listen ADDR:PORT [--listen ADDR:PORT ...] --scenario FILE
                 [--faults FILE] [--log FILE] [--port-file FILE]

ADDR is a numeric IPv4 address or a bracketed IPv6 address ("127.0.0.1:0", "[::1]:0",
"[fd00:ec2::254]:80"); port 0 picks a free port. Once every listener is up, the first
listener's port is written to --port-file (atomically). Nothing is printed on stdout;
SIGTERM or SIGINT stops the server.

Scenario (JSON, re-read when it changes): {"meta-data": TREE}. A TREE node is a string
(a leaf, served as is), a list of strings (a leaf, joined with "\\n", no final newline) or
an object (a directory; its listing is the sorted keys, one a line, sub-directories with a
trailing "/"). Other top-level keys (such as the lab's "lab" section) are ignored.

Faults (JSON, optional, re-read when it changes; a missing file means no faults; every
reload resets the rule counters and the propagation clock):

    {"imds_disabled": false,        true: every request, token PUT included, gets 403
     "token_ttl_cap": null,         number: tokens expire after min(ttl, cap) seconds
     "propagation": {"MAC": 5.0},   for that many seconds after the (re)load, under
                                    network/interfaces/macs/MAC/: device-number reads "0"
                                    and network-card is absent
     "rules": [{"match": GLOB, "method": "GET", "times": 2, "action": ACTION, ...}]}

A rule applies to a request whose path (query removed, repeated slashes collapsed) matches
the fnmatch GLOB ("*" also matches "/") and whose method equals "method" (default any),
until it has applied "times" times (default unlimited). The first rule that applies wins
and replaces the normal answer, token check included ("delay" excepted). Actions:
    status  {"status": N}                 answer N (200..599 but 204, 304), short body
    hang                                  never answer; wait for the client to disconnect
    close                                 close the connection without answering
    body    {"body": S}                   200 with exactly S
    empty                                 200 with an empty body
    big     {"size": N}                   200 with N bytes of "a"
    slow    {"body": S, "interval": T}    headers with the full Content-Length, then one
                                          byte every T seconds
    delay   {"seconds": T}                sleep T seconds, then answer normally

Request log (--log): one JSON object a line, appended and flushed per request:
    {"t": UNIX_TIME, "method": M, "path": RAW_PATH, "status": N or null (hang, close),
     "peer": ADDR, "token": true if a valid token was presented}
"""

import argparse
import fnmatch
import http.client
import json
import os
import re
import secrets
import signal
import socket
import socketserver
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOKEN_PATH = "/latest/api/token"
META_DATA = "/latest/meta-data"
TTL_HEADER = "X-aws-ec2-metadata-token-ttl-seconds"
TOKEN_HEADER = "X-aws-ec2-metadata-token"
MAX_TTL = 21600
MAX_REQUEST_BODY = 64 * 1024
# An idle keep-alive connection is closed after this many seconds, so a client that
# goes silent does not hold a thread forever.
IDLE_TIMEOUT = 120
STOP_SIGNALS = {signal.SIGTERM, signal.SIGINT}


def warn(msg):
    print(f"fake_imds: {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------
# Input files

class Reloading:
    """A JSON file, parsed again whenever it changes (checked on every request).

    A change is a different inode, mtime, ctime or size, so both edits in place and
    replacements by rename are seen. A new version that fails to parse keeps the
    previous one."""

    def __init__(self, path, parse, missing=None):
        self.path = path
        self.parse = parse
        self.missing = missing  # makes the value while the file is absent; None: required
        self.lock = threading.Lock()
        self.key = None
        self.value = None

    def _stat_key(self):
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return "missing"
        return (st.st_ino, st.st_mtime_ns, st.st_ctime_ns, st.st_size)

    def _load(self, key):
        if key == "missing" and self.missing is not None:
            return self.missing()
        with open(self.path, encoding="utf-8") as f:  # a required file that is gone raises
            return self.parse(json.load(f))

    def load(self):
        """First load: errors are fatal."""
        with self.lock:
            self.key = self._stat_key()
            self.value = self._load(self.key)

    def get(self):
        with self.lock:
            try:
                key = self._stat_key()
                if key != self.key:
                    self.key = key
                    self.value = self._load(key)
            except (OSError, ValueError) as e:
                warn(f"{self.path}: {e}; keeping the previous version")
            return self.value


def check_tree(node, where):
    if isinstance(node, str):
        return
    if isinstance(node, list):
        if not all(isinstance(x, str) for x in node):
            raise ValueError(f"{where}: a list leaf holds strings only")
        return
    if not isinstance(node, dict):
        raise ValueError(f"{where}: a node is a string, a list of strings or an object")
    for k, v in node.items():
        if not k or "/" in k:
            raise ValueError(f"{where}: bad key {k!r}")
        check_tree(v, f"{where}/{k}")


def parse_scenario(doc):
    """Returns the meta-data tree."""
    if not isinstance(doc, dict) or not isinstance(doc.get("meta-data"), dict):
        raise ValueError('the scenario is {"meta-data": {...}}')
    check_tree(doc["meta-data"], "meta-data")
    return doc["meta-data"]


def number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 0


def integer(v):
    return isinstance(v, int) and not isinstance(v, bool) and v >= 0


# Parameters of each action and the check each value must pass.
ACTIONS = {
    # 1xx, 204 and 304 answers cannot carry the body this action sends.
    "status": {"status": lambda v: integer(v) and 200 <= v <= 599 and v not in (204, 304)},
    "hang": {},
    "close": {},
    "body": {"body": lambda v: isinstance(v, str)},
    "empty": {},
    "big": {"size": integer},
    "slow": {"body": lambda v: isinstance(v, str), "interval": number},
    "delay": {"seconds": number},
}
RULE_KEYS = {"match", "method", "times", "action"}


def parse_rule(r, i):
    where = f"rules[{i}]"
    if not isinstance(r, dict):
        raise ValueError(f"{where}: a rule is an object")
    params = ACTIONS.get(r.get("action"))
    if params is None:
        raise ValueError(f"{where}: action is one of {', '.join(ACTIONS)}")
    unknown = set(r) - RULE_KEYS - set(params)
    if unknown:
        raise ValueError(f"{where}: unknown keys {sorted(unknown)}")
    if not isinstance(r.get("match"), str):
        raise ValueError(f"{where}: match is a glob string")
    if not isinstance(r.get("method", ""), str):
        raise ValueError(f"{where}: method is a string")
    if not integer(r.get("times", 0)):
        raise ValueError(f"{where}: times is a non-negative integer")
    for name, ok in params.items():
        if name not in r or not ok(r[name]):
            raise ValueError(f"{where}: {r['action']} needs a valid {name!r}")
    rule = dict(r)
    if "method" in rule:
        rule["method"] = rule["method"].upper()
    return rule


class Faults:
    """One version of the faults file, with its rule counters and propagation clock."""

    KEYS = {"imds_disabled", "token_ttl_cap", "propagation", "rules"}

    def __init__(self, doc=None):
        doc = {} if doc is None else doc
        if not isinstance(doc, dict) or set(doc) - self.KEYS:
            raise ValueError(f"the faults file is an object with the keys {sorted(self.KEYS)}")
        self.disabled = doc.get("imds_disabled", False)
        self.ttl_cap = doc.get("token_ttl_cap")
        self.propagation = doc.get("propagation", {})
        rules = doc.get("rules", [])
        if not isinstance(self.disabled, bool):
            raise ValueError("imds_disabled is a boolean")
        if self.ttl_cap is not None and not number(self.ttl_cap):
            raise ValueError("token_ttl_cap is null or a non-negative number")
        if not isinstance(self.propagation, dict) or not all(
                number(v) for v in self.propagation.values()):
            raise ValueError('propagation is {"MAC": seconds}')
        if not isinstance(rules, list):
            raise ValueError("rules is a list")
        self.rules = [parse_rule(r, i) for i, r in enumerate(rules)]
        self.hits = [0] * len(self.rules)
        self.lock = threading.Lock()
        self.loaded = time.monotonic()

    def take_rule(self, method, path):
        """The first rule that applies to this request, counted as one hit; or None."""
        with self.lock:
            for i, r in enumerate(self.rules):
                if r.get("method", method) != method:
                    continue
                if "times" in r and self.hits[i] >= r["times"]:
                    continue
                if fnmatch.fnmatchcase(path, r["match"]):
                    self.hits[i] += 1
                    return r
        return None

    def propagating(self):
        """The MACs whose attachment is still propagating."""
        age = time.monotonic() - self.loaded
        return [mac for mac, secs in self.propagation.items() if age < secs]


# ---------------------------------------------------------------------------
# IMDS state

def propagation_view(md, macs):
    """The meta-data tree as IMDS shows it shortly after a hot-attach (SPEC §3):
    device-number reads "0" and network-card is missing. Copies only what changes."""
    try:
        interfaces = md["network"]["interfaces"]
        macdirs = interfaces["macs"]
    except (KeyError, TypeError):
        return md
    if not isinstance(macdirs, dict):
        return md
    pending = [m for m in macs if isinstance(macdirs.get(m), dict)]
    if not pending:
        return md
    macdirs = dict(macdirs)
    for mac in pending:
        d = {k: v for k, v in macdirs[mac].items() if k != "network-card"}
        if "device-number" in d:
            d["device-number"] = "0"
        macdirs[mac] = d
    return {**md, "network": {**md["network"], "interfaces": {**interfaces, "macs": macdirs}}}


def render(node):
    if isinstance(node, str):
        return node
    if isinstance(node, list):
        return "\n".join(node)
    return "\n".join(k + "/" if isinstance(v, dict) else k for k, v in sorted(node.items()))


def normalize(raw_path):
    """The path without query or fragment, repeated slashes collapsed: real IMDS accepts
    "//latest/meta-data/..." (the AWS SDK for JavaScript sends it for an endpoint URL
    without a path)."""
    path = raw_path.split("?", 1)[0].split("#", 1)[0]
    return re.sub("/{2,}", "/", path)


class Tokens:
    def __init__(self):
        self.lock = threading.Lock()
        self.expiry = {}  # token -> time.monotonic() deadline

    def issue(self, lifetime):
        token = secrets.token_urlsafe(42)  # 56 characters, like real tokens
        now = time.monotonic()
        with self.lock:
            self.expiry = {t: e for t, e in self.expiry.items() if e > now}
            self.expiry[token] = now + lifetime
        return token

    def valid(self, token):
        with self.lock:
            deadline = self.expiry.get(token)
        return deadline is not None and time.monotonic() < deadline


class RequestLog:
    def __init__(self, path):
        self.lock = threading.Lock()
        self.file = open(path, "a", encoding="utf-8") if path else None

    def write(self, method, path, status, peer, token):
        if self.file is None:
            return
        line = json.dumps({"t": time.time(), "method": method, "path": path,
                           "status": status, "peer": peer, "token": token})
        with self.lock:
            self.file.write(line + "\n")
            self.file.flush()


class State:
    def __init__(self, scenario, faults, log):
        self.scenario = scenario
        self.faults = faults
        self.tokens = Tokens()
        self.log = log

    def current_faults(self):
        return self.faults.get() if self.faults else Faults()

    def lookup(self, path, faults):
        """The body for a GET of path, or None (404)."""
        if path != META_DATA and not path.startswith(META_DATA + "/"):
            return None
        node = propagation_view(self.scenario.get(), faults.propagating())
        for part in path[len(META_DATA):].split("/"):
            if not part:  # leading or trailing slash; a leaf with a trailing slash is
                continue  # served too, as real IMDS does
            if not isinstance(node, dict) or part not in node:
                return None
            node = node[part]
        return render(node)


# ---------------------------------------------------------------------------
# HTTP

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, every answer has a Content-Length
    default_request_version = "HTTP/1.0"  # not 0.9: even an error answer has a status line
    timeout = IDLE_TIMEOUT
    error_content_type = "text/plain"
    error_message_format = "%(code)d - %(message)s\n"

    def version_string(self):
        return "EC2ws"

    def __getattr__(self, name):
        # BaseHTTPRequestHandler answers 501 to a method without a do_METHOD attribute;
        # IMDS answers 405, so every method is dispatched here.
        if name.startswith("do_"):
            return self.serve
        raise AttributeError(name)

    def setup(self):
        super().setup()
        # Headers and body go out in separate writes: without TCP_NODELAY the body waits
        # for the client's delayed ACK (~40 ms a request), which would distort timings.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def handle(self):
        try:
            super().handle()
        except ConnectionError:
            pass  # the client went away; nothing to answer

    def log_request(self, code="-", size="-"):
        # Called by send_response for every answer, protocol errors included.
        self.log(int(code))

    def log(self, status):
        self.server.state.log.write(getattr(self, "command", None), getattr(self, "path", None),
                                    status, self.client_address[0],
                                    getattr(self, "token_ok", False))

    def reply(self, status, body=None, headers=()):
        if body is None:
            body = f"{status} - {http.client.responses.get(status, 'Error')}\n"
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers:
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)

    def drain_body(self):
        """Reads the request body so the next request on the connection starts in the
        right place. False when the body cannot be read (an error has been sent)."""
        if "Transfer-Encoding" in self.headers:
            self.send_error(501, "chunked request bodies are not supported")
            return False
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            length = -1
        if length < 0:
            self.send_error(400, "bad Content-Length")
            return False
        if length > MAX_REQUEST_BODY:
            self.send_error(413)
            return False
        self.rfile.read(length)
        return True

    def serve(self):
        state = self.server.state
        self.token_ok = state.tokens.valid(self.headers.get(TOKEN_HEADER))
        if not self.drain_body():
            return
        faults = state.current_faults()
        if faults.disabled:
            return self.reply(403)
        path = normalize(self.path)
        rule = faults.take_rule(self.command, path)
        if rule is not None:
            if rule["action"] != "delay":
                return self.fault(rule)
            time.sleep(rule["seconds"])
        if self.command == "PUT" and path == TOKEN_PATH:
            return self.put_token(faults)
        if self.command != "GET" or path == TOKEN_PATH:
            return self.reply(405)
        if not self.token_ok:
            return self.reply(401)
        body = state.lookup(path, faults)
        if body is None:
            return self.reply(404)
        self.reply(200, body)

    def put_token(self, faults):
        # IMDS refuses token requests that went through a proxy.
        if "X-Forwarded-For" in self.headers:
            return self.reply(403)
        ttl = self.headers.get(TTL_HEADER, "").strip()
        if not re.fullmatch("[0-9]{1,5}", ttl) or not 1 <= int(ttl) <= MAX_TTL:
            return self.reply(400)
        lifetime = int(ttl) if faults.ttl_cap is None else min(int(ttl), faults.ttl_cap)
        token = self.server.state.tokens.issue(lifetime)
        self.reply(200, token, headers=[(TTL_HEADER, ttl)])

    def fault(self, rule):
        action = rule["action"]
        if action == "status":
            self.reply(rule["status"])
        elif action == "body":
            self.reply(200, rule["body"])
        elif action == "empty":
            self.reply(200, "")
        elif action == "big":
            self.send_big(rule["size"])
        elif action == "slow":
            self.send_slow(rule["body"].encode("utf-8"), rule["interval"])
        elif action == "hang":
            self.log(None)
            self.close_connection = True
            self.connection.settimeout(None)
            while self.connection.recv(4096):
                pass  # discard whatever comes until the client disconnects
        elif action == "close":
            self.log(None)
            self.close_connection = True

    def send_headers_200(self, length):
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(length))
        self.end_headers()

    def send_big(self, size):
        self.send_headers_200(size)
        chunk = b"a" * 65536
        while size > 0:
            self.wfile.write(chunk[:size])
            size -= len(chunk)

    def send_slow(self, data, interval):
        self.send_headers_200(len(data))
        for i in range(len(data)):
            time.sleep(interval)
            self.wfile.write(data[i:i + 1])


class Server(ThreadingHTTPServer):
    # ThreadingHTTPServer already runs each connection in a daemon thread, so a hung
    # client cannot delay shutdown.
    request_queue_size = 128  # the default listen backlog (5) is short for a boot burst

    def __init__(self, family, sockaddr, state):
        self.address_family = family
        self.state = state
        super().__init__(sockaddr, Handler)

    def server_bind(self):
        # HTTPServer.server_bind looks the host name up (socket.getfqdn), which can send a
        # DNS query; the name is never used.
        socketserver.TCPServer.server_bind(self)


# ---------------------------------------------------------------------------
# Command line

def listen_address(text):
    """ADDR:PORT -> (family, sockaddr); numeric addresses only, so nothing is resolved."""
    if text.startswith("["):
        host, sep, port = text[1:].partition("]:")
    else:
        host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit() or int(port) > 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not ADDR:PORT or [ADDR6]:PORT")
    try:
        info = socket.getaddrinfo(host, int(port), type=socket.SOCK_STREAM,
                                  flags=socket.AI_NUMERICHOST)
    except socket.gaierror as e:
        raise argparse.ArgumentTypeError(f"{text!r}: {e}") from None
    family, _, _, _, sockaddr = info[0]
    return family, sockaddr


def write_atomic(path, text):
    tmp = f"{path}.tmp.{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def main():
    p = argparse.ArgumentParser(description="Fake EC2 IMDS for tests.")
    p.add_argument("--listen", type=listen_address, action="append", required=True,
                   metavar="ADDR:PORT")
    p.add_argument("--scenario", required=True, metavar="FILE")
    p.add_argument("--faults", metavar="FILE")
    p.add_argument("--log", metavar="FILE")
    p.add_argument("--port-file", metavar="FILE")
    args = p.parse_args()

    # Stop signals are blocked before any thread starts, so every thread inherits the mask
    # and only the sigwait below receives them.
    signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        scenario = Reloading(args.scenario, parse_scenario)
        scenario.load()
        faults = None
        if args.faults:
            faults = Reloading(args.faults, Faults, missing=Faults)
            faults.load()  # starts the propagation clock now
        state = State(scenario, faults, RequestLog(args.log))
        servers = [Server(family, sockaddr, state) for family, sockaddr in args.listen]
    except (OSError, ValueError) as e:
        warn(str(e))
        return 2
    if args.port_file:
        write_atomic(args.port_file, f"{servers[0].server_address[1]}\n")
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    signal.sigwait(STOP_SIGNALS)
    # Every thread is a daemon thread and every log line is already flushed: exiting is
    # enough, and quicker than BaseServer.shutdown (which waits for a 0.5 s poll).
    return 0


if __name__ == "__main__":
    sys.exit(main())

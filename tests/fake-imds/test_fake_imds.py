# SPDX-License-Identifier: Apache-2.0
"""Self-test of fake_imds.py. Talks to 127.0.0.1 and ::1 only.

Run: python3 -m unittest discover -s tests/fake-imds -p 'test_*.py'
"""

import http.client
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import unittest

FAKE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fake_imds.py")
TTL = "X-aws-ec2-metadata-token-ttl-seconds"
TOK = "X-aws-ec2-metadata-token"
MAC1 = "02:00:00:00:00:01"
MAC2 = "02:00:00:00:00:02"
MACS = "/latest/meta-data/network/interfaces/macs/"
SCENARIO = {
    "meta-data": {
        "mac": MAC1,
        "local-hostname": "ip-10-0-0-5.ec2.internal",
        "network": {"interfaces": {"macs": {
            MAC1: {"device-number": "0", "network-card": "0", "interface-id": "eni-0123abcd",
                   "local-ipv4s": ["10.0.0.5", "10.0.0.6"], "ipv4-prefix": [],
                   "subnet-ipv4-cidr-block": "10.0.0.0/24"},
            MAC2: {"device-number": "1", "network-card": "1", "interface-id": "eni-0456cdef",
                   "local-ipv4s": ["10.0.1.7"]},
        }}},
    },
    "lab": {"ignored": True},
}


def write_atomic(path, text):
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.replace(path + ".tmp", path)


class Server:
    """fake_imds.py as a subprocess; stopped by PID."""

    def __init__(self, tmp, listen=("127.0.0.1:0",)):
        self.tmp = tmp
        self.scenario = os.path.join(tmp, "scenario.json")
        self.faults = os.path.join(tmp, "faults.json")
        self.log = os.path.join(tmp, "requests.log")
        self.stdout = os.path.join(tmp, "stdout")
        self.stderr = os.path.join(tmp, "stderr")
        port_file = os.path.join(tmp, "port")
        if not os.path.exists(self.scenario):
            write_atomic(self.scenario, json.dumps(SCENARIO))
        args = [sys.executable, FAKE, "--scenario", self.scenario, "--faults", self.faults,
                "--log", self.log, "--port-file", port_file]
        for addr in listen:
            args += ["--listen", addr]
        with open(self.stdout, "w") as out, open(self.stderr, "w") as err:
            self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        deadline = time.monotonic() + 10
        while not os.path.exists(port_file):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("fake_imds.py did not start: " + self.errors())
            time.sleep(0.02)
        with open(port_file) as f:
            text = f.read()
        assert re.fullmatch(r"[0-9]+\n", text), text
        self.port = int(text)

    def errors(self):
        with open(self.stderr) as f:
            return f.read()

    def stop(self):
        """SIGTERM, then SIGKILL if it does not exit; returns the exit status."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


class FakeImdsTest(unittest.TestCase):
    def setUp(self):
        tmp = tempfile.TemporaryDirectory(prefix="fake-imds-test.")
        self.addCleanup(tmp.cleanup)
        self.server = Server(tmp.name)
        self.addCleanup(self.server.stop)

    def tearDown(self):
        self.assertEqual(self.server.stop(), 0, self.server.errors())
        self.assertEqual(os.path.getsize(self.server.stdout), 0, "fake_imds.py printed on stdout")

    # -- helpers ---------------------------------------------------------------

    def connect(self, timeout=5):
        c = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=timeout)
        self.addCleanup(c.close)
        return c

    def request(self, method, path, headers=None, conn=None):
        c = conn or self.connect()
        c.request(method, path, headers=headers or {})
        r = c.getresponse()
        return r.status, r.headers, r.read()

    def token(self, ttl="60", conn=None):
        status, headers, body = self.request("PUT", "/latest/api/token", {TTL: ttl}, conn)
        self.assertEqual(status, 200)
        return body.decode()

    def get(self, path, token, conn=None):
        status, _, body = self.request("GET", path, {TOK: token}, conn)
        return status, body

    def faults(self, doc):
        write_atomic(self.server.faults, json.dumps(doc))

    def scenario(self, doc):
        write_atomic(self.server.scenario, json.dumps(doc))

    def log_entries(self):
        with open(self.server.log) as f:
            return [json.loads(line) for line in f]

    # -- IMDSv2 ----------------------------------------------------------------

    def test_token_flow(self):
        status, headers, body = self.request("PUT", "/latest/api/token", {TTL: "21600"})
        self.assertEqual(status, 200)
        self.assertEqual(headers[TTL], "21600")
        self.assertEqual(headers["Server"], "EC2ws")
        self.assertEqual(headers["Content-Type"], "text/plain")
        self.assertRegex(body.decode(), r"\A[A-Za-z0-9_-]{56}\Z")
        self.assertEqual(self.get("/latest/meta-data/mac", body.decode()), (200, MAC1.encode()))
        self.assertNotEqual(self.token(), self.token(), "tokens are random")

    def test_bad_ttl(self):
        for ttl in ("0", "21601", "abc", "-1", "", "1.5", "100000"):
            with self.subTest(ttl=ttl):
                self.assertEqual(self.request("PUT", "/latest/api/token", {TTL: ttl})[0], 400)
        self.assertEqual(self.request("PUT", "/latest/api/token")[0], 400)
        self.assertEqual(self.request("PUT", "/latest/api/token", {TTL: "1"})[0], 200)

    def test_forwarded_token_request(self):
        status = self.request("PUT", "/latest/api/token",
                              {TTL: "60", "X-Forwarded-For": "10.1.2.3"})[0]
        self.assertEqual(status, 403)

    def test_unauthorized(self):
        self.assertEqual(self.request("GET", "/latest/meta-data/mac")[0], 401)
        self.assertEqual(self.get("/latest/meta-data/mac", "bogus")[0], 401)
        self.assertEqual(self.get("/latest/meta-data/nope", "bogus")[0], 401)

    def test_token_expiry(self):
        self.faults({"token_ttl_cap": 0.5})
        status, headers, body = self.request("PUT", "/latest/api/token", {TTL: "60"})
        self.assertEqual(headers[TTL], "60", "the requested TTL is echoed, not the cap")
        self.assertEqual(self.get("/latest/meta-data/mac", body.decode())[0], 200)
        time.sleep(0.7)
        self.assertEqual(self.get("/latest/meta-data/mac", body.decode())[0], 401)
        self.assertEqual(self.get("/latest/meta-data/mac", self.token())[0], 200)

    # -- the tree --------------------------------------------------------------

    def test_directory_listing(self):
        t = self.token()
        for path in ("/latest/meta-data", "/latest/meta-data/", "//latest/meta-data/"):
            self.assertEqual(self.get(path, t), (200, b"local-hostname\nmac\nnetwork/"))
        self.assertEqual(self.get(MACS, t), (200, f"{MAC1}/\n{MAC2}/".encode()))
        self.assertEqual(self.get(MACS + MAC2, t),
                         (200, b"device-number\ninterface-id\nlocal-ipv4s\nnetwork-card"))

    def test_leaves(self):
        t = self.token()
        self.assertEqual(self.get(MACS + MAC1 + "/local-ipv4s", t), (200, b"10.0.0.5\n10.0.0.6"))
        self.assertEqual(self.get(MACS + MAC1 + "/ipv4-prefix", t), (200, b""))
        self.assertEqual(self.get(MACS + MAC1 + "/interface-id", t), (200, b"eni-0123abcd"))
        self.assertEqual(self.get("/latest/meta-data/mac/", t), (200, MAC1.encode()))
        self.assertEqual(self.get("/latest/meta-data/mac?x=1", t), (200, MAC1.encode()))

    def test_not_found_and_methods(self):
        t = self.token()
        for path in ("/latest/meta-data/nope", MACS + MAC1 + "/ipv6s", "/latest/meta-data/mac/x",
                     "/latest/lab", "/latest/dynamic/", "/"):
            with self.subTest(path=path):
                self.assertEqual(self.get(path, t)[0], 404)
        self.assertEqual(self.request("GET", "/latest/api/token", {TOK: t})[0], 405)
        self.assertEqual(self.request("PUT", "/latest/meta-data/mac", {TOK: t})[0], 405)
        for method in ("POST", "DELETE", "HEAD", "OPTIONS", "BREW"):
            with self.subTest(method=method):
                self.assertEqual(self.request(method, "/latest/meta-data/mac", {TOK: t})[0], 405)

    def test_keep_alive(self):
        c = self.connect()
        t = self.token(conn=c)
        sock = c.sock
        for _ in range(3):
            self.assertEqual(self.get("/latest/meta-data/mac", t, c), (200, MAC1.encode()))
        self.assertEqual(self.get("/latest/meta-data/nope", t, c)[0], 404)
        self.assertEqual(self.get("/latest/meta-data/mac", "bogus", c)[0], 401)
        self.assertEqual(self.get("/latest/meta-data/mac", t, c)[0], 200)
        self.assertIs(c.sock, sock, "every answer kept the connection open")

    def test_scenario_reload(self):
        t = self.token()
        path = MACS + MAC1 + "/local-ipv4s"
        doc = json.loads(json.dumps(SCENARIO))
        doc["meta-data"]["network"]["interfaces"]["macs"][MAC1]["local-ipv4s"].append("10.0.0.7")
        self.scenario(doc)  # a new file renamed into place
        self.assertEqual(self.get(path, t), (200, b"10.0.0.5\n10.0.0.6\n10.0.0.7"))
        doc["meta-data"]["network"]["interfaces"]["macs"][MAC1]["local-ipv4s"] = ["10.0.0.5"]
        with open(self.server.scenario, "w") as f:  # an edit in place
            json.dump(doc, f)
        self.assertEqual(self.get(path, t), (200, b"10.0.0.5"))
        write_atomic(self.server.scenario, "{not json")
        self.assertEqual(self.get(path, t), (200, b"10.0.0.5"), "a broken file keeps the last")
        os.unlink(self.server.scenario)
        self.assertEqual(self.get(path, t), (200, b"10.0.0.5"), "so does a missing file")
        self.assertIn("keeping the previous version", self.server.errors())

    # -- faults ----------------------------------------------------------------

    def test_status_and_times(self):
        t = self.token()
        self.faults({"rules": [
            {"match": "/latest/meta-data/mac", "action": "status", "status": 503, "times": 2},
            {"match": "/latest/meta-data/network/*", "method": "get", "action": "status",
             "status": 500, "times": 1},
            {"match": "/latest/meta-data/network/*", "action": "status", "status": 429},
            {"match": "/latest/api/token", "method": "PUT", "action": "status", "status": 502},
        ]})
        statuses = [self.get("/latest/meta-data/mac", t)[0] for _ in range(3)]
        self.assertEqual(statuses, [503, 503, 200])
        statuses = [self.get(MACS + MAC1 + "/device-number", t)[0] for _ in range(3)]
        self.assertEqual(statuses, [500, 429, 429], "an exhausted rule lets the next one apply")
        self.assertEqual(self.request("PUT", "/latest/api/token", {TTL: "60"})[0], 502)
        self.assertEqual(self.get(MACS + MAC1 + "/device-number", t)[0], 429)

    def test_faults_reload_resets_counters(self):
        t = self.token()
        doc = {"rules": [{"match": "*/mac", "action": "status", "status": 500, "times": 1}]}
        self.faults(doc)
        self.assertEqual([self.get("/latest/meta-data/mac", t)[0] for _ in range(2)], [500, 200])
        self.faults(doc)
        self.assertEqual([self.get("/latest/meta-data/mac", t)[0] for _ in range(2)], [500, 200])
        for rule in ({"match": "*", "action": "x"}, {"match": "*", "action": "status"},
                     {"match": "*", "action": "status", "status": 204},
                     {"match": "*", "action": "delay", "seconds": 1, "typo": 1}):
            write_atomic(self.server.faults, json.dumps({"rules": [rule]}))
            self.assertEqual(self.get("/latest/meta-data/mac", t)[0], 200, f"ignored: {rule}")
        self.assertIn("action is one of", self.server.errors())
        self.assertIn("unknown keys ['typo']", self.server.errors())
        self.faults({"imds_disabled": True})
        self.assertEqual(self.get("/latest/meta-data/mac", t)[0], 403)
        os.unlink(self.server.faults)
        self.assertEqual(self.get("/latest/meta-data/mac", t)[0], 200, "no file, no faults")

    def test_hang(self):
        t = self.token()
        self.faults({"rules": [{"match": "*/mac", "action": "hang", "times": 1}]})
        hung = self.connect(timeout=0.5)
        start = time.monotonic()
        with self.assertRaises(TimeoutError):
            self.get("/latest/meta-data/mac", t, hung)
        self.assertLess(time.monotonic() - start, 2)
        # Other clients are served while that connection hangs, and SIGTERM still works.
        self.assertEqual(self.get("/latest/meta-data/mac", t), (200, MAC1.encode()))
        start = time.monotonic()
        self.assertEqual(self.server.stop(), 0)
        self.assertLess(time.monotonic() - start, 5)
        self.assertIsNone(self.log_entries()[1]["status"])

    def test_close(self):
        t = self.token()
        self.faults({"rules": [{"match": "*/mac", "action": "close"}]})
        with self.assertRaises(http.client.RemoteDisconnected):
            self.get("/latest/meta-data/mac", t)

    def test_body_empty_big(self):
        t = self.token()
        hostile = "eni-1\n[Network]\nAddress=10.9.9.9/32\u0000x\u00e9"
        self.faults({"rules": [
            {"match": "*/interface-id", "action": "body", "body": hostile},
            {"match": "*/device-number", "action": "empty"},
            {"match": "*/local-ipv4s", "action": "big", "size": 200000},
        ]})
        p = MACS + MAC1
        self.assertEqual(self.get(p + "/interface-id", t), (200, hostile.encode()))
        status, headers, body = self.request("GET", p + "/device-number", {TOK: t})
        self.assertEqual((status, headers["Content-Length"], body), (200, "0", b""))
        self.assertEqual(self.get(p + "/local-ipv4s", t), (200, b"a" * 200000))
        self.assertEqual(self.get("/latest/meta-data/mac", t), (200, MAC1.encode()))

    def test_slow(self):
        t = self.token()
        self.faults({"rules": [{"match": "*/mac", "action": "slow", "body": "abcd",
                                "interval": 0.2}]})
        c = self.connect()
        c.request("GET", "/latest/meta-data/mac", headers={TOK: t})
        start = time.monotonic()
        r = c.getresponse()
        self.assertEqual(r.headers["Content-Length"], "4")
        self.assertEqual(r.read(), b"abcd")
        self.assertGreater(time.monotonic() - start, 0.5)
        c.sock.settimeout(0.1)  # a reader with a short timeout sees the trickle stall
        c.request("GET", "/latest/meta-data/mac", headers={TOK: t})
        with self.assertRaises(TimeoutError):
            c.getresponse().read()

    def test_delay(self):
        t = self.token()
        self.faults({"rules": [{"match": "*/mac", "action": "delay", "seconds": 0.3}]})
        start = time.monotonic()
        self.assertEqual(self.get("/latest/meta-data/mac", t), (200, MAC1.encode()))
        self.assertGreaterEqual(time.monotonic() - start, 0.3)
        self.assertEqual(self.request("GET", "/latest/meta-data/mac")[0], 401,
                         "a delayed answer still checks the token")

    def test_propagation(self):
        self.faults({"propagation": {MAC2: 1.0, "02:00:00:00:00:99": 1.0}})
        t = self.token()
        p = MACS + MAC2
        self.assertEqual(self.get(p + "/device-number", t), (200, b"0"))
        self.assertEqual(self.get(p + "/network-card", t)[0], 404)
        self.assertEqual(self.get(p, t)[1], b"device-number\ninterface-id\nlocal-ipv4s")
        self.assertEqual(self.get(MACS + MAC1 + "/network-card", t), (200, b"0"))
        time.sleep(1.1)
        self.assertEqual(self.get(p + "/device-number", t), (200, b"1"))
        self.assertEqual(self.get(p + "/network-card", t), (200, b"1"))
        self.assertIn(b"network-card", self.get(p, t)[1])

    def test_imds_disabled(self):
        t = self.token()
        self.faults({"imds_disabled": True})
        self.assertEqual(self.request("PUT", "/latest/api/token", {TTL: "60"})[0], 403)
        self.assertEqual(self.get("/latest/meta-data/mac", t)[0], 403)

    # -- robustness, log, command line -----------------------------------------

    def test_bad_requests(self):
        for raw in (b"GARBAGE\r\n\r\n", b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n",
                    b"GET / HTTP/1.1\r\nX: " + b"b" * 70000 + b"\r\n\r\n",
                    b"PUT /latest/api/token HTTP/1.1\r\nContent-Length: zz\r\n\r\n",
                    b"PUT /latest/api/token HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n"):
            with self.subTest(raw=raw[:40]):
                with socket.create_connection(("127.0.0.1", self.server.port), 5) as s:
                    s.sendall(raw)
                    self.assertRegex(s.recv(100), rb"\AHTTP/1\.[01] 4\d\d ")
        # A request body is read, so the next request on the connection is understood.
        c = self.connect()
        c.request("PUT", "/latest/api/token", body=b"x" * 1000, headers={TTL: "60"})
        self.assertEqual(len(c.getresponse().read()), 56)
        self.assertEqual(len(self.token(conn=c)), 56)

    def test_request_log(self):
        t = self.token()
        self.get("/latest/meta-data/mac", t)
        self.request("GET", "/latest/meta-data/mac")
        self.get("/latest/meta-data/nope", t)
        entries = self.log_entries()
        self.assertEqual([(e["method"], e["path"], e["status"], e["token"]) for e in entries], [
            ("PUT", "/latest/api/token", 200, False),
            ("GET", "/latest/meta-data/mac", 200, True),
            ("GET", "/latest/meta-data/mac", 401, False),
            ("GET", "/latest/meta-data/nope", 404, True)])
        for e in entries:
            self.assertEqual(e["peer"], "127.0.0.1")
            self.assertLess(abs(e["t"] - time.time()), 60)

    def test_ipv6_and_several_listeners(self):
        try:
            with socket.socket(socket.AF_INET6) as s:
                s.bind(("::1", 0))
        except OSError:
            self.skipTest("no ::1 here")
        with tempfile.TemporaryDirectory(prefix="fake-imds-test6.") as tmp:
            server = Server(tmp, listen=("[::1]:0", "127.0.0.1:0"))
            try:
                c = http.client.HTTPConnection("::1", server.port, timeout=5)
                c.request("PUT", "/latest/api/token", headers={TTL: "60"})
                r = c.getresponse()
                self.assertEqual((r.status, len(r.read())), (200, 56))
                c.close()
            finally:
                self.assertEqual(server.stop(), 0)

    def test_startup_errors(self):
        with tempfile.TemporaryDirectory(prefix="fake-imds-test-bad.") as tmp:
            scenario = os.path.join(tmp, "s.json")
            write_atomic(scenario, '{"meta-data": {"mac": 5}}')
            for args in (["--listen", "127.0.0.1:0", "--scenario", scenario],
                         ["--listen", "localhost:0", "--scenario", self.server.scenario],
                         ["--listen", "127.0.0.1", "--scenario", self.server.scenario]):
                with self.subTest(args=args):
                    p = subprocess.run([sys.executable, FAKE] + args, capture_output=True,
                                       timeout=10)
                    self.assertEqual(p.returncode, 2)
                    self.assertEqual(p.stdout, b"")


if __name__ == "__main__":
    unittest.main()

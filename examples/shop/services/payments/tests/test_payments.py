import json
import os
import subprocess
import sys
import threading
import unittest
import urllib.request
from http.server import ThreadingHTTPServer

import app

app.MIN_LEVEL = app.LEVELS["error"]  # keep the test report readable


class ChargeTest(unittest.TestCase):
    def test_capturesUpToTheLimit(self):
        status, body = app.charge({"amount": 10000, "currency": "EUR", "reference": "ord-1"})
        self.assertEqual((status, body["status"], body["reference"]), (201, "captured", "ord-1"))
        self.assertTrue(body["id"].startswith("ch-"))

    def test_declinesAboveTheLimit(self):
        self.assertEqual(app.charge({"amount": 10001}), (402, {"error": "declined"}))

    def test_rejectsBadAmounts(self):
        for body in (None, {}, {"amount": "10"}, {"amount": 0}, {"amount": 1.5}, {"amount": True}):
            self.assertEqual(app.charge(body)[0], 400, body)


class HttpTest(unittest.TestCase):
    def run_probe(self, port):
        env = {**os.environ, "PORT": str(port)}
        return subprocess.run([sys.executable, "healthcheck.py"], env=env, capture_output=True).returncode

    def test_probe_followsTheServer(self):
        server = ThreadingHTTPServer(("127.0.0.1", 0), app.Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        port = server.server_port
        self.assertEqual(self.run_probe(port), 0)
        server.shutdown()
        server.server_close()
        self.assertEqual(self.run_probe(port), 1)

    def test_http_chargesAsJson(self):
        server = ThreadingHTTPServer(("127.0.0.1", 0), app.Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        req = urllib.request.Request(f"http://127.0.0.1:{server.server_port}/charges", method="POST",
                                     data=json.dumps({"amount": 2500}).encode())
        with urllib.request.urlopen(req) as resp:
            self.assertEqual((resp.status, json.load(resp)["status"]), (201, "captured"))


if __name__ == "__main__":
    unittest.main()

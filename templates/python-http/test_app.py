"""Unit tests for {{service}}: python3 -m unittest"""
import json
import threading
import unittest
import urllib.request

import app


class AppTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = app.make_server("127.0.0.1", 0)
        cls.base = "http://127.0.0.1:%d" % cls.server.server_address[1]
        threading.Thread(target=cls.server.serve_forever, daemon=True).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()
        cls.server.server_close()

    def get(self, path, headers=None):
        request = urllib.request.Request(self.base + path, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode()

    def test_healthz_returnsOK(self):
        status, _, body = self.get("/healthz")
        self.assertEqual(status, 200)
        self.assertEqual(json.loads(body)["status"], "ok")

    def test_requestID_isEchoed_andTraceparentPassedThrough(self):
        trace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        _, headers, _ = self.get("/readyz", {"X-Request-ID": "abc-123", "traceparent": trace})
        self.assertEqual(headers["X-Request-ID"], "abc-123")
        self.assertEqual(headers["traceparent"], trace)

    def test_metrics_countsRequests(self):
        self.get("/healthz")
        status, headers, body = self.get("/metrics")
        self.assertEqual(status, 200)
        self.assertIn("# TYPE http_requests_total counter", body)
        self.assertIn('path="/healthz"', body)

    def test_unknownPath_is404(self):
        status, _, _ = self.get("/nope")
        self.assertEqual(status, 404)


if __name__ == "__main__":
    unittest.main()

import json
import threading
import unittest
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import app

app.MIN_LEVEL = app.LEVELS["error"]  # keep the test report readable


class Echo(BaseHTTPRequestHandler):
    """A stand-in upstream that answers with what it received."""

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        data = json.dumps({"path": self.path, "request_id": self.headers["X-Request-ID"],
                           "body": json.loads(body or b"null")}).encode()
        self.send_response(201 if self.command == "POST" else 200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST

    def log_message(self, *args):
        pass


def start(handler):
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


class GatewayTest(unittest.TestCase):
    def test_upstreamFor_matchesWholeSegments(self):
        table = {"/orders": ("orders", "o"), "/items": ("inventory", "i")}
        self.assertEqual(app.upstream_for("/orders", table), ("orders", "o"))
        self.assertEqual(app.upstream_for("/orders/ord-1", table), ("orders", "o"))
        self.assertEqual(app.upstream_for("/orders?status=created", table), ("orders", "o"))
        self.assertIsNone(app.upstream_for("/ordersx", table))
        self.assertIsNone(app.upstream_for("/", table))

    def test_proxy_passesBodyStatusAndRequestId(self):
        upstream, upstream_url = start(Echo)
        self.addCleanup(upstream.server_close)
        self.addCleanup(upstream.shutdown)
        gateway, base = start(app.make_handler({"/orders": ("orders", upstream_url)}))
        self.addCleanup(gateway.server_close)
        self.addCleanup(gateway.shutdown)

        req = urllib.request.Request(base + "/orders", data=b'{"sku": "abc-1"}', method="POST",
                                     headers={"X-Request-ID": "req-9"})
        with urllib.request.urlopen(req) as resp:
            self.assertEqual((resp.status, resp.headers["X-Request-ID"]), (201, "req-9"))
            self.assertEqual(json.load(resp), {"path": "/orders", "request_id": "req-9", "body": {"sku": "abc-1"}})

        with urllib.request.urlopen(base + "/orders/ord-1") as resp:
            self.assertEqual(len(json.load(resp)["request_id"]), 32, "a fresh id when the client sent none")

    def test_proxy_whenUpstreamIsDown_answers502(self):
        gateway, base = start(app.make_handler({"/items": ("inventory", "http://127.0.0.1:9")}))
        self.addCleanup(gateway.server_close)
        self.addCleanup(gateway.shutdown)
        with self.assertRaises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(base + "/items/abc-1")
        self.assertEqual((err.exception.code, json.load(err.exception)), (502, {"error": "inventory unavailable"}))


if __name__ == "__main__":
    unittest.main()

import contextlib
import http.client
import json
import os
import tempfile
import threading
import unittest
import urllib.error
import urllib.request
from http.server import ThreadingHTTPServer

import app
import db

app.MIN_LEVEL = app.LEVELS["error"]  # keep the test report readable


class FakeUpstream:
    """Answers calls from a table of (method, path prefix) -> (status, body) and records them."""

    def __init__(self, answers):
        self.answers, self.calls = answers, []

    def call(self, method, path, body=None, request_id=None):
        self.calls.append((method, path, body))
        for (m, prefix), answer in self.answers.items():
            if m == method and path.startswith(prefix):
                return answer
        raise AssertionError(f"unexpected call {method} {path}")


def stock(status=201):
    return FakeUpstream({
        ("POST", "/reservations"): (status, {"id": "res-1", "unit_price": 1250, "available": 0}),
        ("DELETE", "/reservations/"): (204, {}),
    })


class OrdersTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.path = os.path.join(self.tmp.name, "orders.sqlite")
        with contextlib.closing(db.connect(self.path)) as conn:
            db.migrate(conn)

    def orders(self, inventory=None, payment_status=201):
        payments = FakeUpstream({("POST", "/charges"): (payment_status, {"id": "ch-1", "status": "captured"})})
        return app.Orders(self.path, inventory or stock(), payments), payments

    def test_create_reservesChargesAndStores(self):
        orders, payments = self.orders()
        status, body = orders.create({"sku": "abc-1", "qty": 2})
        self.assertEqual(status, 201)
        self.assertEqual(body["status"], "created")
        self.assertEqual(payments.calls[0][2]["amount"], 2500)
        self.assertEqual(orders.get(body["id"]), (200, body))

    def test_create_whenDeclined_releasesReservation(self):
        inventory = stock()
        orders, _ = self.orders(inventory, payment_status=402)
        self.assertEqual(orders.create({"sku": "abc-1", "qty": 9}), (402, {"error": "payment declined"}))
        self.assertEqual(inventory.calls[-1][:2], ("DELETE", "/reservations/res-1"))
        self.assertEqual(orders.list(), (200, {"orders": []}))

    def test_create_mapsInventoryAnswers(self):
        self.assertEqual(self.orders(stock(404))[0].create({"sku": "nope", "qty": 1})[0], 422)
        self.assertEqual(self.orders(stock(409))[0].create({"sku": "abc-1", "qty": 1})[0], 409)

    def test_create_rejectsBadInput(self):
        orders, _ = self.orders()
        for body in (None, {}, {"sku": "abc-1"}, {"sku": "abc-1", "qty": 0}, {"sku": "abc-1", "qty": True}):
            self.assertEqual(orders.create(body)[0], 400, body)

    def test_fulfil_onlyOnce(self):
        orders, _ = self.orders()
        _, order = orders.create({"sku": "abc-1", "qty": 1})
        self.assertEqual(orders.fulfil(order["id"])[1]["status"], "fulfilled")
        self.assertEqual(orders.fulfil(order["id"])[0], 409)
        self.assertEqual(orders.list("created"), (200, {"orders": []}))
        self.assertEqual(orders.list("shipped")[0], 400)

    def test_providerState_setsUpAndTearsDown(self):
        orders, _ = self.orders()
        state = {"state": "an order exists", "params": {"id": "ord-pact-1"}}
        self.assertEqual(orders.provider_state(state)[0], 200)
        self.assertEqual(orders.get("ord-pact-1")[0], 200)
        orders.provider_state({**state, "action": "teardown"})
        self.assertEqual(orders.get("ord-pact-1")[0], 404)
        # The official verifier also calls with an empty state for interactions without one.
        self.assertEqual(orders.provider_state({"state": "", "action": "setup"}), (200, {}))
        self.assertEqual(orders.provider_state({"state": "the moon is blue"})[0], 400)

    def test_http_routesAndEchoesRequestId(self):
        orders, _ = self.orders()
        server = ThreadingHTTPServer(("127.0.0.1", 0), app.make_handler(orders))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        base = f"http://127.0.0.1:{server.server_port}"

        req = urllib.request.Request(base + "/orders", data=json.dumps({"sku": "abc-1", "qty": 1}).encode(),
                                     method="POST", headers={"X-Request-ID": "req-42"})
        with urllib.request.urlopen(req) as resp:
            self.assertEqual((resp.status, resp.headers["X-Request-ID"]), (201, "req-42"))
            order = json.load(resp)
        with urllib.request.urlopen(f"{base}/orders/{order['id']}") as resp:
            self.assertEqual(json.load(resp), order)
        with urllib.request.urlopen(base + "/readyz") as resp:
            self.assertEqual(resp.status, 200)
        with self.assertRaises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(base + "/orders/ord-missing")
        self.assertEqual(missing.exception.code, 404)
        with self.assertRaises(urllib.error.HTTPError) as hidden:
            urllib.request.urlopen(urllib.request.Request(base + "/_pact/state", data=b"{}", method="POST"))
        self.assertEqual(hidden.exception.code, 404, "provider states only with PACT_STATES=on")

        # A body sent to a route that ignores it must not leak into the next request on
        # the same keep-alive connection.
        conn = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=5)
        self.addCleanup(conn.close)
        for method, path, status in (("GET", "/orders", 200), ("POST", "/nowhere", 404), ("GET", "/livez", 200)):
            conn.request(method, path, body=b'{"sku": "abc-1", "qty": 2}', headers={"Content-Type": "application/json"})
            resp = conn.getresponse()
            self.assertEqual((resp.status, resp.getheader("Content-Type")), (status, "application/json"), path)
            json.load(resp)


if __name__ == "__main__":
    unittest.main()

import io
import unittest
import urllib.error

import worker


class FakeOrders:
    def __init__(self, waiting, taken=()):
        self.waiting, self.taken, self.fulfilled = waiting, set(taken), []

    def __call__(self, method, url):
        if method == "GET":
            return {"orders": [{"id": i, "status": "created"} for i in self.waiting]}
        order_id = url.split("/")[-2]
        if order_id in self.taken:
            raise urllib.error.HTTPError(url, 409, "Conflict", {}, io.BytesIO(b"{}"))
        self.fulfilled.append(order_id)
        return {"id": order_id, "status": "fulfilled"}


class WorkerTest(unittest.TestCase):
    def test_poll_fulfilsEveryWaitingOrder(self):
        orders = FakeOrders(["ord-1", "ord-2"])
        self.assertEqual(worker.poll("http://orders", call=orders), 2)
        self.assertEqual(orders.fulfilled, ["ord-1", "ord-2"])

    def test_poll_skipsOrdersAnotherWorkerTook(self):
        orders = FakeOrders(["ord-1", "ord-2"], taken=["ord-1"])
        self.assertEqual(worker.poll("http://orders", call=orders), 1)

    def test_parseInterval(self):
        self.assertEqual([worker.parse_interval(t) for t in ("250ms", "2s", "0.5")], [0.25, 2.0, 0.5])


if __name__ == "__main__":
    unittest.main()

"""orders: creates orders by reserving stock at inventory and charging at payments.

Runs as several replicas behind msvc's balancer; they share state through SQLite (db.py).
"""

import contextlib
import datetime
import json
import os
import re
import signal
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import db

LEVELS = {"debug": 10, "info": 20, "warn": 30, "error": 40}
MIN_LEVEL = LEVELS.get(os.environ.get("LOG_LEVEL", "info"), 20)
# Which of msvc's replicas this is, so merged logs show the balancer at work.
REPLICA = os.environ.get("MSVC_REPLICA")


def log(level, msg, **fields):
    if LEVELS[level] < MIN_LEVEL:
        return
    now = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    line = {"ts": now, "level": level, "msg": msg, **fields}
    if REPLICA:
        line["replica"] = int(REPLICA) if REPLICA.isdigit() else REPLICA
    stream = sys.stderr if LEVELS[level] >= LEVELS["warn"] else sys.stdout
    print(json.dumps(line), file=stream, flush=True)


class Unavailable(Exception):
    """A downstream service could not be reached."""


class Upstream:
    """A JSON client for one downstream service, found through msvc's discovery variables."""

    def __init__(self, name, base_url):
        self.name, self.base_url = name, base_url.rstrip("/")

    def call(self, method, path, body=None, request_id=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base_url + path, data=data, method=method)
        req.add_header("Content-Type", "application/json")
        if request_id:
            req.add_header("X-Request-ID", request_id)
        try:
            with urllib.request.urlopen(req, timeout=3) as resp:
                status, raw = resp.status, resp.read()
        except urllib.error.HTTPError as err:
            status, raw = err.code, err.read()
        except OSError as err:
            raise Unavailable(f"{self.name}: {err}") from err
        return status, json.loads(raw) if raw else {}


class Orders:
    """The order logic, independent of HTTP so tests can drive it with fake upstreams."""

    def __init__(self, db_path, inventory, payments):
        self.db_path, self.inventory, self.payments = db_path, inventory, payments

    def _conn(self):
        return contextlib.closing(db.connect(self.db_path))

    def ready(self):
        try:
            with self._conn() as conn:
                conn.execute("SELECT 1 FROM orders LIMIT 1").fetchall()
            return True
        except Exception:  # noqa: BLE001 - any database problem means "not ready"
            return False

    def create(self, body, request_id=None):
        sku, qty = (body or {}).get("sku"), (body or {}).get("qty")
        if not isinstance(sku, str) or not sku or type(qty) is not int or qty < 1:
            return 400, {"error": 'expected {"sku": string, "qty": integer >= 1}'}
        order_id = "ord-" + uuid.uuid4().hex[:12]
        try:
            status, res = self.inventory.call("POST", "/reservations", {"sku": sku, "qty": qty}, request_id)
            if status == 404:
                return 422, {"error": f"unknown sku {sku}"}
            if status == 409:
                return 409, {"error": "out of stock", "available": res.get("available")}
            if status != 201:
                return 503, {"error": f"inventory answered {status}"}
            amount = qty * res["unit_price"]
            charge = {"amount": amount, "currency": "EUR", "reference": order_id}
            status, paid = self.payments.call("POST", "/charges", charge, request_id)
            if status != 201:
                # Compensate: give the stock back before reporting the failure.
                self.inventory.call("DELETE", f"/reservations/{res['id']}", None, request_id)
                if status == 402:
                    log("warn", "payment declined", request_id=request_id, order_id=order_id, amount=amount)
                    return 402, {"error": "payment declined"}
                return 503, {"error": f"payments answered {status}"}
        except Unavailable as err:
            log("warn", "downstream unavailable", request_id=request_id, error=str(err))
            return 503, {"error": str(err)}
        order = {"id": order_id, "sku": sku, "qty": qty, "amount": amount, "status": "created"}
        self._insert(order, res["id"], paid["id"])
        log("info", "order created", request_id=request_id, order_id=order_id, sku=sku, qty=qty)
        return 201, order

    def _insert(self, order, reservation_id=None, charge_id=None):
        now = datetime.datetime.now(datetime.timezone.utc).isoformat()
        with self._conn() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO orders (id, sku, qty, amount, status, reservation_id, charge_id, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (order["id"], order["sku"], order["qty"], order["amount"], order["status"],
                 reservation_id, charge_id, now))

    def get(self, order_id):
        with self._conn() as conn:
            row = conn.execute("SELECT id, sku, qty, amount, status FROM orders WHERE id = ?", (order_id,)).fetchone()
        return (200, dict(row)) if row else (404, {"error": "order not found"})

    STATUSES = ("created", "fulfilled")

    def list(self, status=None):
        sql, args = "SELECT id, sku, qty, amount, status FROM orders", ()
        if status is not None and status not in self.STATUSES:
            return 400, {"error": f"status must be one of {', '.join(self.STATUSES)}"}
        if status:
            sql, args = sql + " WHERE status = ?", (status,)
        with self._conn() as conn:
            rows = conn.execute(sql + " ORDER BY created_at LIMIT 100", args).fetchall()
        return 200, {"orders": [dict(r) for r in rows]}

    def fulfil(self, order_id):
        with self._conn() as conn:
            changed = conn.execute(
                "UPDATE orders SET status = 'fulfilled' WHERE id = ? AND status = 'created'", (order_id,)).rowcount
        if not changed:
            status, body = self.get(order_id)
            return (409, {"error": f"order is {body['status']}"}) if status == 200 else (status, body)
        log("info", "order fulfilled", order_id=order_id)
        return self.get(order_id)

    def provider_state(self, body):
        """Sets up the states named in contracts/gateway-orders.json (Pact provider states)."""
        state, params = body.get("state"), body.get("params") or {}
        if not state:
            # The official Pact verifier also calls for interactions without a state.
            return 200, {}
        if state != "an order exists":
            return 400, {"error": f"unknown provider state {state!r}"}
        order = {"id": params.get("id", "ord-pact-1"), "sku": params.get("sku", "abc-1"),
                 "qty": params.get("qty", 2), "amount": params.get("amount", 2500), "status": "created"}
        if body.get("action", "setup") == "teardown":
            with self._conn() as conn:
                conn.execute("DELETE FROM orders WHERE id = ?", (order["id"],))
        else:
            self._insert(order)
        return 200, {}


def make_handler(orders, pact_states=False):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _reply(self, status, body):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("X-Request-ID", self.request_id)
            self.end_headers()
            self.wfile.write(data)

        def _body(self):
            try:
                return json.loads(self.raw_body or b"null")
            except ValueError:
                return None

        def _route(self):
            self.request_id = self.headers.get("X-Request-ID") or uuid.uuid4().hex
            # Read the body whatever the route: left unread, it would be taken for the start
            # of the next request on this keep-alive connection.
            length = int(self.headers.get("Content-Length") or 0)
            self.raw_body = self.rfile.read(length) if length > 0 else b""
            path, _, query = self.path.partition("?")
            if self.command == "GET" and path == "/livez":
                return 200, {"status": "alive"}
            if self.command == "GET" and path == "/readyz":
                return (200, {"status": "ready"}) if orders.ready() else (503, {"status": "database not migrated"})
            if path == "/orders":
                if self.command == "POST":
                    body = self._body()
                    return orders.create(body if isinstance(body, dict) else None, self.request_id)
                if self.command == "GET":
                    return orders.list(urllib.parse.parse_qs(query).get("status", [None])[0])
            if m := re.fullmatch(r"/orders/([\w-]+)", path):
                if self.command == "GET":
                    return orders.get(m[1])
            if m := re.fullmatch(r"/orders/([\w-]+)/fulfilment", path):
                if self.command == "POST":
                    return orders.fulfil(m[1])
            if path == "/_pact/state" and self.command == "POST" and pact_states:
                return orders.provider_state(self._body() or {})
            return 404, {"error": f"no route for {self.command} {path}"}

        def _handle(self):
            try:
                status, body = self._route()
            except Exception as err:  # noqa: BLE001 - answer 500 rather than drop the connection
                log("error", "request failed", request_id=self.request_id, error=repr(err))
                status, body = 500, {"error": "internal error"}
            self._reply(status, body)

        do_GET = do_POST = do_DELETE = _handle

        def log_request(self, code="-", size="-"):
            probe = self.path in ("/livez", "/readyz")
            log("debug" if probe else "info", "request", request_id=getattr(self, "request_id", None),
                method=self.command, path=self.path, status=int(code))

        def log_message(self, fmt, *args):
            log("warn", fmt % args)

    return Handler


def serve(handler, port):
    """Serves until SIGTERM or SIGINT, then returns so the process exits with 0."""
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)

    def stop(signum, _frame):
        log("info", "shutting down", signal=signal.Signals(signum).name)
        # shutdown() waits for serve_forever() to return, so it cannot run on this thread.
        threading.Thread(target=server.shutdown).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log("info", "listening", url=f"http://127.0.0.1:{server.server_port}")
    server.serve_forever()
    server.server_close()


def main():
    orders = Orders(
        db.default_path(),
        Upstream("inventory", os.environ.get("INVENTORY_URL", "http://127.0.0.1:8082")),
        Upstream("payments", os.environ.get("PAYMENTS_URL", "http://127.0.0.1:8083")),
    )
    if not orders.ready():
        log("warn", "orders table missing; run migrate.py (msvc runs it first)")
    serve(make_handler(orders, pact_states=os.environ.get("PACT_STATES") == "on"), int(os.environ.get("PORT", "8081")))
    log("info", "stopped")


if __name__ == "__main__":
    main()

"""payments: captures card charges. Anything over 100.00 EUR (10000 cents) is declined.

PAYMENTS_MODE switches it into a failure to demonstrate (see the shop's README):
  ok         the default
  slow       every charge answers after PAYMENTS_DELAY seconds (default 2); health stays green
  unhealthy  keeps running, but GET /healthz answers 503, so the exec probe fails
  fail       unhealthy, and exits 1 after PAYMENTS_FAIL_AFTER seconds (default 1): msvc restarts it
             until max_restarts, then leaves it in crash-loop
"""

import datetime
import json
import os
import signal
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LEVELS = {"debug": 10, "info": 20, "warn": 30, "error": 40}
MIN_LEVEL = LEVELS.get(os.environ.get("LOG_LEVEL", "info"), 20)
LIMIT = 10000
MODES = ("ok", "slow", "unhealthy", "fail")
MODE = os.environ.get("PAYMENTS_MODE", "ok") or "ok"


def log(level, msg, **fields):
    if LEVELS[level] < MIN_LEVEL:
        return
    now = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    stream = sys.stderr if LEVELS[level] >= LEVELS["warn"] else sys.stdout
    print(json.dumps({"ts": now, "level": level, "msg": msg, **fields}), file=stream, flush=True)


def charge(body):
    """Returns (status, body) for a charge request."""
    amount = body.get("amount") if isinstance(body, dict) else None
    if type(amount) is not int or amount <= 0:
        return 400, {"error": "amount must be a positive integer (cents)"}
    if amount > LIMIT:
        return 402, {"error": "declined"}
    return 201, {"id": "ch-" + uuid.uuid4().hex[:12], "status": "captured", "amount": amount,
                 "currency": body.get("currency", "EUR"), "reference": body.get("reference")}


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

    def do_GET(self):
        self.request_id = self.headers.get("X-Request-ID") or uuid.uuid4().hex
        if self.path == "/healthz":
            if MODE in ("unhealthy", "fail"):
                return self._reply(503, {"status": "unhealthy", "mode": MODE})
            return self._reply(200, {"status": "ok"})
        self._reply(404, {"error": f"no route for GET {self.path}"})

    def do_POST(self):
        self.request_id = self.headers.get("X-Request-ID") or uuid.uuid4().hex
        if self.path != "/charges":
            return self._reply(404, {"error": f"no route for POST {self.path}"})
        try:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"null")
        except ValueError:
            body = None
        if MODE == "slow":
            time.sleep(float(os.environ.get("PAYMENTS_DELAY", "2")))
        status, result = charge(body)
        if status == 402:
            log("warn", "charge declined", request_id=self.request_id, amount=body["amount"], limit=LIMIT)
        elif status == 201:
            log("info", "charge captured", request_id=self.request_id, charge_id=result["id"], amount=result["amount"])
        self._reply(status, result)

    def log_request(self, code="-", size="-"):
        log("debug" if self.path == "/healthz" else "info", "request", request_id=getattr(self, "request_id", None),
            method=self.command, path=self.path, status=int(code))

    def log_message(self, fmt, *args):
        log("warn", fmt % args)


def main():
    if MODE not in MODES:
        log("error", "unknown PAYMENTS_MODE", mode=MODE, expected="|".join(MODES))
        sys.exit(2)
    server = ThreadingHTTPServer(("127.0.0.1", int(os.environ.get("PORT", "8083"))), Handler)

    def stop(signum, _frame):
        log("info", "shutting down", signal=signal.Signals(signum).name)
        # shutdown() waits for serve_forever() to return, so it cannot run on this thread.
        threading.Thread(target=server.shutdown).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log("info", "listening", url=f"http://127.0.0.1:{server.server_port}", mode=MODE)
    if MODE == "fail":
        def crash():
            log("error", "PAYMENTS_MODE=fail: crashing on purpose", exit_code=1)
            os._exit(1)
        threading.Timer(float(os.environ.get("PAYMENTS_FAIL_AFTER", "1")), crash).start()
    server.serve_forever()
    server.server_close()
    log("info", "stopped")


if __name__ == "__main__":
    main()

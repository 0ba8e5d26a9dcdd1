"""gateway: the stack's front door. Routes /orders to orders and /items to inventory.

Every request gets an X-Request-ID (kept if the client sent one) that travels downstream,
so one id ties together the log lines of all services a request touched.
"""

import datetime
import json
import os
import signal
import sys
import threading
import urllib.error
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LEVELS = {"debug": 10, "info": 20, "warn": 30, "error": 40}
MIN_LEVEL = LEVELS.get(os.environ.get("LOG_LEVEL", "info"), 20)


def log(level, msg, **fields):
    if LEVELS[level] < MIN_LEVEL:
        return
    now = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    stream = sys.stderr if LEVELS[level] >= LEVELS["warn"] else sys.stdout
    print(json.dumps({"ts": now, "level": level, "msg": msg, **fields}), file=stream, flush=True)


def routes():
    """Path prefix -> (service name, base URL), from msvc's discovery variables."""
    return {
        "/orders": ("orders", os.environ.get("ORDERS_URL", "http://127.0.0.1:8081")),
        "/items": ("inventory", os.environ.get("INVENTORY_URL", "http://127.0.0.1:8082")),
    }


def upstream_for(path, table):
    for prefix, target in table.items():
        if path == prefix or path.startswith(prefix + "/") or path.startswith(prefix + "?"):
            return target
    return None


def forward(method, url, body, request_id):
    """Returns (status, content type, body bytes) of the upstream answer, errors included."""
    req = urllib.request.Request(url, data=body, method=method)
    req.add_header("Content-Type", "application/json")
    req.add_header("X-Request-ID", request_id)
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            return resp.status, resp.headers.get("Content-Type"), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers.get("Content-Type"), err.read()


def make_handler(table):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _reply(self, status, data, content_type="application/json"):
            self.send_response(status)
            self.send_header("Content-Type", content_type or "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("X-Request-ID", self.request_id)
            self.end_headers()
            self.wfile.write(data)

        def _handle(self):
            self.request_id = self.headers.get("X-Request-ID") or uuid.uuid4().hex
            if self.path == "/healthz":
                return self._reply(200, b'{"status": "ok"}')
            target = upstream_for(self.path, table)
            if target is None:
                return self._reply(404, json.dumps({"error": f"no route for {self.path}"}).encode())
            name, base = target
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            try:
                status, content_type, data = forward(self.command, base.rstrip("/") + self.path, body, self.request_id)
            except OSError as err:
                log("warn", "upstream unavailable", request_id=self.request_id, upstream=name, error=str(err))
                return self._reply(502, json.dumps({"error": f"{name} unavailable"}).encode())
            self._reply(status, data, content_type)

        do_GET = do_POST = do_DELETE = _handle

        def log_request(self, code="-", size="-"):
            log("debug" if self.path == "/healthz" else "info", "request", request_id=getattr(self, "request_id", None),
                method=self.command, path=self.path, status=int(code))

        def log_message(self, fmt, *args):
            log("warn", fmt % args)

    return Handler


def main():
    server = ThreadingHTTPServer(("127.0.0.1", int(os.environ.get("PORT", "8080"))), make_handler(routes()))

    def stop(signum, _frame):
        log("info", "shutting down", signal=signal.Signals(signum).name)
        # shutdown() waits for serve_forever() to return, so it cannot run on this thread.
        threading.Thread(target=server.shutdown).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log("info", "listening", url=f"http://127.0.0.1:{server.server_port}", routes=sorted(routes()))
    server.serve_forever()
    server.server_close()
    log("info", "stopped")


if __name__ == "__main__":
    main()

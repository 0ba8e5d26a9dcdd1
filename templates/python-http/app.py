"""{{service}}: {{description}}

Standard library only. Reads PORT (and HOST, default 127.0.0.1), logs JSON lines to
stdout, and stops gracefully on SIGTERM.
"""
import json
import os
import signal
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SERVICE = os.environ.get("MSVC_SERVICE", "{{service}}")


def log(level, msg, **fields):
    """Writes one JSON log line to stdout."""
    line = {"time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "level": level,
            "service": SERVICE, "msg": msg}
    line.update(fields)
    sys.stdout.write(json.dumps(line, sort_keys=True) + "\n")
    sys.stdout.flush()


class Metrics:
    """Request counters in the Prometheus text format."""

    def __init__(self):
        self.lock = threading.Lock()
        self.requests = {}
        self.seconds = 0.0
        self.started = time.time()

    def record(self, method, path, status, seconds):
        with self.lock:
            key = (method, path, status)
            self.requests[key] = self.requests.get(key, 0) + 1
            self.seconds += seconds

    def render(self):
        with self.lock:
            lines = ["# HELP http_requests_total Requests handled.", "# TYPE http_requests_total counter"]
            for (method, path, status), n in sorted(self.requests.items()):
                lines.append('http_requests_total{method="%s",path="%s",status="%d"} %d' % (method, path, status, n))
            lines += ["# HELP http_request_duration_seconds_sum Time spent handling requests.",
                      "# TYPE http_request_duration_seconds_sum counter",
                      "http_request_duration_seconds_sum %f" % self.seconds,
                      "# HELP process_start_time_seconds Start time since the epoch.",
                      "# TYPE process_start_time_seconds gauge",
                      "process_start_time_seconds %f" % self.started]
            return "\n".join(lines) + "\n"


class Handler(BaseHTTPRequestHandler):
    """Routes: /healthz, /readyz, /metrics and the service's API."""

    server_version = SERVICE
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        start = time.monotonic()
        self.request_id = self.headers.get("X-Request-ID") or uuid.uuid4().hex
        path = self.path.split("?", 1)[0]
        if path == "/healthz":
            status = self.send_json(200, {"status": "ok"})
        elif path == "/readyz":
            status = self.send_json(200, {"status": "ready"})
        elif path == "/metrics":
            status = self.send(200, self.server.metrics.render().encode(), "text/plain; version=0.0.4")
        elif path == "/":
            status = self.send_json(200, {"service": SERVICE, "message": "{{description}}"})
        else:
            status = self.send_json(404, {"error": "not found", "path": path})
        elapsed = time.monotonic() - start
        if path != "/metrics":
            self.server.metrics.record("GET", path, status, elapsed)
        log("info", "request", method="GET", path=path, status=status,
            duration_ms=round(elapsed * 1000, 3), request_id=self.request_id)

    def send_json(self, status, body):
        return self.send(status, json.dumps(body).encode(), "application/json")

    def send(self, status, data, content_type):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Request-ID", self.request_id)
        if self.headers.get("traceparent"):
            self.send_header("traceparent", self.headers["traceparent"])
        self.end_headers()
        self.wfile.write(data)
        return status

    def log_message(self, format, *args):
        pass  # one JSON line per request is written in do_GET instead


def make_server(host="127.0.0.1", port=0):
    """Creates the server (port 0 picks a free port)."""
    server = ThreadingHTTPServer((host, port), Handler)
    server.metrics = Metrics()
    server.daemon_threads = True
    return server


def main():
    server = make_server(os.environ.get("HOST", "127.0.0.1"), int(os.environ.get("PORT", "8080")))

    def stop(signum, frame):
        log("info", "stopping", signal=signum)
        # shutdown() waits for serve_forever to return, so call it from another thread.
        threading.Thread(target=server.shutdown).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log("info", "listening", port=server.server_address[1])
    server.serve_forever()
    server.server_close()
    log("info", "stopped")


if __name__ == "__main__":
    main()

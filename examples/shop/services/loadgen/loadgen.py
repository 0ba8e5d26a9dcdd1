"""loadgen: steady, mixed traffic through the gateway so the dashboard has something to show.

Started only with `msvc up --profile load`. Mostly reads, some orders, a few that fail on
purpose (unknown sku, declined payment) so warnings show up too.
"""

import datetime
import json
import os
import random
import signal
import sys
import threading
import urllib.error
import urllib.request

REQUESTS = [  # (weight, method, path, body)
    (6, "GET", "/items/abc-1", None),
    (2, "GET", "/items", None),
    (3, "POST", "/orders", {"sku": "abc-1", "qty": 1}),
    (2, "POST", "/orders", {"sku": "xyz-2", "qty": 2}),
    (1, "POST", "/orders", {"sku": "xyz-2", "qty": 9}),
    (1, "POST", "/orders", {"sku": "no-such-sku", "qty": 1}),
]


def log(level, msg, **fields):
    now = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    stream = sys.stderr if level == "warn" else sys.stdout
    print(json.dumps({"ts": now, "level": level, "msg": msg, **fields}), file=stream, flush=True)


def main():
    base = os.environ.get("GATEWAY_URL", "http://127.0.0.1:8080").rstrip("/")
    rate = float(os.environ.get("LOADGEN_RPS", "4"))
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    log("info", "sending", gateway=base, rps=rate)
    counts = {}
    sent = 0
    while not stopping.wait(1 / rate):
        _, method, path, body = random.choices(REQUESTS, weights=[r[0] for r in REQUESTS])[0]
        data = json.dumps(body).encode() if body else None
        req = urllib.request.Request(base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=5) as resp:
                status = resp.status
        except urllib.error.HTTPError as err:
            status = err.code
        except OSError as err:
            log("warn", "gateway unreachable", error=str(err))
            continue
        counts[status] = counts.get(status, 0) + 1
        sent += 1
        if sent % 20 == 0:
            log("info", "traffic", sent=sent, by_status=counts)


if __name__ == "__main__":
    main()

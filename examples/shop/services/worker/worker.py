"""worker: fulfils new orders. Polls orders every POLL_INTERVAL and marks each one fulfilled.

It has no port; msvc knows it is ready when it logs "worker ready" (a log probe), which it
does after the first successful poll.
"""

import datetime
import json
import os
import signal
import sys
import threading
import urllib.error
import urllib.request

LEVELS = {"debug": 10, "info": 20, "warn": 30, "error": 40}
MIN_LEVEL = LEVELS.get(os.environ.get("LOG_LEVEL", "info"), 20)


def log(level, msg, **fields):
    if LEVELS[level] < MIN_LEVEL:
        return
    now = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    stream = sys.stderr if LEVELS[level] >= LEVELS["warn"] else sys.stdout
    print(json.dumps({"ts": now, "level": level, "msg": msg, **fields}), file=stream, flush=True)


def parse_interval(text):
    """'250ms', '2s' or a bare number of seconds -> seconds."""
    text = text.strip()
    if text.endswith("ms"):
        return float(text[:-2]) / 1000
    return float(text.removesuffix("s"))


def http_json(method, url):
    req = urllib.request.Request(url, method=method, headers={"X-Request-ID": "worker"})
    with urllib.request.urlopen(req, timeout=3) as resp:
        return json.load(resp)


def poll(base_url, call=http_json):
    """Fulfils every order waiting; returns how many it fulfilled."""
    waiting = call("GET", f"{base_url}/orders?status=created")["orders"]
    done = 0
    for order in waiting:
        try:
            call("POST", f"{base_url}/orders/{order['id']}/fulfilment")
            done += 1
        except urllib.error.HTTPError as err:
            if err.code != 409:  # 409: another worker got there first
                raise
    return done


def main():
    base_url = os.environ.get("ORDERS_URL", "http://127.0.0.1:8081").rstrip("/")
    interval = parse_interval(os.environ.get("POLL_INTERVAL", "1s"))
    stopping = threading.Event()

    def stop(signum, _frame):
        log("info", "shutting down", signal=signal.Signals(signum).name)
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log("info", "worker starting", orders_url=base_url, interval_s=interval)
    ready = False
    while not stopping.is_set():
        try:
            done = poll(base_url)
        except (OSError, ValueError, KeyError) as err:
            log("warn", "orders unreachable, retrying", error=str(err))
        else:
            if not ready:
                log("info", "worker ready")
                ready = True
            log("info", "poll", fulfilled=done)
        stopping.wait(interval)
    log("info", "stopped")


if __name__ == "__main__":
    main()

"""{{service}}: {{description}}

Standard library only. Runs a job every WORK_INTERVAL seconds, logs JSON lines to stdout,
touches a heartbeat file for the liveness probe, and on SIGTERM finishes the current job
before exiting.
"""
import json
import os
import signal
import sys
import threading
import time
import uuid

SERVICE = os.environ.get("MSVC_SERVICE", "{{service}}")
HEARTBEAT = os.environ.get("HEARTBEAT_FILE", ".heartbeat-%s" % os.environ.get("MSVC_REPLICA", "0"))


def log(level, msg, **fields):
    """Writes one JSON log line to stdout."""
    line = {"time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "level": level,
            "service": SERVICE, "msg": msg}
    line.update(fields)
    sys.stdout.write(json.dumps(line, sort_keys=True) + "\n")
    sys.stdout.flush()


def handle(job):
    """Does one unit of work; replace with the real thing. Returns a result dict."""
    return {"job_id": job["id"], "ok": True}


def run(stop, interval, jobs=None, heartbeat=HEARTBEAT):
    """Runs jobs until `stop` (a threading.Event) is set; returns how many ran."""
    done = 0
    log("info", "worker ready", interval=interval)
    while not stop.is_set():
        job = next(jobs) if jobs is not None else {"id": uuid.uuid4().hex}
        if job is None:
            break
        result = handle(job)
        done += 1
        log("info", "job done", request_id=job["id"], **result)
        with open(heartbeat, "w") as f:
            f.write(str(time.time()))
        stop.wait(interval)
    return done


def main():
    stop = threading.Event()

    def on_signal(signum, frame):
        log("info", "stopping", signal=signum)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    count = run(stop, float(os.environ.get("WORK_INTERVAL", "{{interval}}")))
    log("info", "stopped", jobs=count)


if __name__ == "__main__":
    main()

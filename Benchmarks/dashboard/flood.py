#!/usr/bin/env python3
"""Writes RATE lines a second to stdout, a mix of plain and JSON lines, in 10 ms batches."""
import json, os, sys, time

rate = int(os.environ.get("RATE", "6250"))
name = os.environ.get("MSVC_SERVICE", "svc")
per_tick = rate / 100.0
owed = 0.0
n = 0
out = sys.stdout
next_t = time.monotonic()
while True:
    owed += per_tick
    batch = []
    while owed >= 1:
        owed -= 1
        n += 1
        if n % 3 == 0:
            batch.append(json.dumps({"level": "info" if n % 7 else "warn", "msg": "request handled", "n": n, "svc": name}))
        else:
            batch.append(f"INFO {name} line {n} lorem ipsum dolor sit amet")
    out.write("\n".join(batch) + "\n")
    out.flush()
    next_t += 0.01
    delay = next_t - time.monotonic()
    if delay > 0:
        time.sleep(delay)
    else:
        next_t = time.monotonic()

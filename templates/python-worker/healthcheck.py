"""Liveness probe: exits 0 while the worker's heartbeat file is fresh."""
import os
import sys
import time

import worker

limit = max(30.0, 3 * float(os.environ.get("WORK_INTERVAL", "{{interval}}")))
try:
    age = time.time() - os.path.getmtime(worker.HEARTBEAT)
except OSError:
    sys.exit("no heartbeat yet at %s" % worker.HEARTBEAT)
sys.exit(0 if age < limit else "heartbeat is %.0fs old" % age)

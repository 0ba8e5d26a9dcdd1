"""msvc's exec probe for payments: exit 0 when GET /healthz answers 200.

msvc runs it with the service's environment and working directory, so PORT is set.
"""

import os
import sys
import urllib.request

try:
    with urllib.request.urlopen(f"http://127.0.0.1:{os.environ['PORT']}/healthz", timeout=1) as resp:
        sys.exit(0 if resp.status == 200 else 1)
except (OSError, KeyError) as err:
    print(f"payments unhealthy: {err!r}", file=sys.stderr)
    sys.exit(1)

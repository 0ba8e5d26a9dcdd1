#!/usr/bin/env python3
"""Watch-mode benchmarks for msvc (issue: watch mode).

  python3 Benchmarks/watch_bench.py [--msvc PATH] [--runs 10] [--seconds 30]

1. Save to answer: a Python HTTP service behind msvc's balancer, watched with `debounce:
   50ms`; a save changes the version it reports; timed from the save until the balanced port
   answers with the new version. The service's own start time (launching the same program
   until its port answers, alone) is measured the same way and subtracted: what is left is
   msvc's part (inotify, debounce, rolling handover). Target: < 150 ms.
2. Idle cost: msvc's CPU while it watches a tree of 20,000 files (2,000 folders) and
   nothing changes. Target: < 0.5 % of a core.

Needs a release build: swift build -c release --static-swift-stdlib
Everything listens on 127.0.0.1 and is stopped at the end.
"""
import argparse, json, os, shutil, socket, statistics, subprocess, sys, tempfile, time, urllib.request

SERVER = """import http.server, os, signal, sys
signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
VERSION = "%s"
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        b = VERSION.encode(); self.send_response(200); self.send_header("Content-Length", str(len(b))); self.end_headers(); self.wfile.write(b)
    def log_message(self, *a): pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(os.environ["PORT"])), H).serve_forever()
"""


def get(port):
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d/" % port, timeout=1) as r:
            return r.read().decode()
    except Exception:  # noqa: BLE001 - not answering yet
        return None


def proc_ticks(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def bench_save_to_answer(msvc, work, runs):
    app = os.path.join(work, "app")
    os.makedirs(app)
    with open(os.path.join(app, "server.py"), "w") as f:
        f.write(SERVER % "v0")
    with open(os.path.join(work, "msvc.yaml"), "w") as f:
        f.write("services:\n  web:\n    command: %s server.py\n    cwd: app\n    port: auto\n"
                "    health: { http: /, interval: 1s }\n    watch: { debounce: 50ms }\n" % sys.executable)
    r = subprocess.run([msvc, "up", "--wait", "--timeout", "60s"], cwd=work, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    port = json.loads(subprocess.run([msvc, "ps", "--json"], cwd=work, capture_output=True, text=True).stdout)["services"][0]["port"]
    save_to_answer = []
    for i in range(1, runs + 1):
        version = "v%d" % i
        t0 = time.monotonic()
        with open(os.path.join(app, "server.py"), "w") as f:
            f.write(SERVER % version)
        while get(port) != version:
            if time.monotonic() - t0 > 30:
                raise SystemExit("version %s never answered" % version)
            time.sleep(0.002)
        save_to_answer.append(time.monotonic() - t0)
        time.sleep(0.5)  # let the old replica drain and stop
    subprocess.run([msvc, "down"], cwd=work, capture_output=True)
    own = []
    for _ in range(runs):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            p = s.getsockname()[1]
        t0 = time.monotonic()
        proc = subprocess.Popen([sys.executable, "server.py"], cwd=app, env=dict(os.environ, PORT=str(p)))
        while get(p) is None:
            time.sleep(0.002)
        own.append(time.monotonic() - t0)
        proc.terminate()
        proc.wait()
    m, o = statistics.median(save_to_answer), statistics.median(own)
    return {"save to new version answering, median ms": round(m * 1000, 1),
            "runs ms": [round(t * 1000) for t in save_to_answer],
            "the service's own start, median ms": round(o * 1000, 1),
            "msvc's part (difference), ms": round((m - o) * 1000, 1), "debounce ms": 50}


def bench_idle(msvc, work, seconds):
    tree = os.path.join(work, "tree")
    for d in range(2000):
        folder = os.path.join(tree, "pkg%d" % (d // 100), "mod%d" % d)
        os.makedirs(folder, exist_ok=True)
        for f in range(10):
            with open(os.path.join(folder, "f%d.py" % f), "w") as fh:
                fh.write("x = %d\n" % f)
    with open(os.path.join(work, "msvc.yaml"), "w") as f:
        f.write("services:\n  big:\n    command: sleep 100000\n    cwd: tree\n    watch: true\n")
    r = subprocess.run([msvc, "up", "-d", "--wait"], cwd=work, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    pid = json.loads(subprocess.run([msvc, "ps", "--json"], cwd=work, capture_output=True, text=True).stdout)["pid"]
    time.sleep(3)
    t0 = proc_ticks(pid)
    time.sleep(seconds)
    t1 = proc_ticks(pid)
    subprocess.run([msvc, "down"], cwd=work, capture_output=True)
    cpu = (t1 - t0) / os.sysconf("SC_CLK_TCK") / seconds * 100
    return {"files": 20000, "folders": 2000 + 20 + 1, "msvc CPU % of a core while watching idle": round(cpu, 3),
            "seconds": seconds}


def main():
    ap = argparse.ArgumentParser()
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--msvc", default=os.path.join(here, "..", ".build", "release", "msvc"))
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--seconds", type=int, default=30)
    args = ap.parse_args()
    msvc = os.path.abspath(args.msvc)
    if not os.access(msvc, os.X_OK):
        sys.exit("build msvc first: swift build -c release --static-swift-stdlib")
    for name, fn in [("save_to_answer", lambda w: bench_save_to_answer(msvc, w, args.runs)),
                     ("idle_watch", lambda w: bench_idle(msvc, w, args.seconds))]:
        work = tempfile.mkdtemp(prefix="msvc-watch-bench-")
        try:
            print(json.dumps({name: fn(work)}), flush=True)
        finally:
            subprocess.run([msvc, "down"], cwd=work, capture_output=True)
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

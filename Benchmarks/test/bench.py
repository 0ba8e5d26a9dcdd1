#!/usr/bin/env python3
"""msvc test benchmarks (issue: msvc test).

  python3 Benchmarks/test/bench.py [--msvc .build/release/msvc] [--rounds 5] [--only overhead,parallel]

overhead: a 3-service e2e suite (3 requests) through `msvc test e2e`, from exec to exit,
  against the subgraph's own start time: `msvc up --wait` from exec until all three are
  healthy. The difference is what msvc test adds: planning and checking the suite, the copy's
  state folder and port remapping, the requests, stopping the copy, and the report. For scale it also reports the same
  three services started by hand: spawned directly, polled on /healthz at the probe interval
  until all answer, sent the requests, stopped with SIGTERM.
parallel: 4 suites, each on its own copy of the 3 services and running a 1 s test, with
  --parallel 4 and one after another (--parallel 1).

Needs a release build of msvc (swift build -c release --static-swift-stdlib). Every server
listens on 127.0.0.1; every process started here is stopped at the end. Prints JSON lines.
"""
import argparse, json, os, shutil, signal, statistics, subprocess, sys, tempfile, time, urllib.request

INTERVAL = 0.1  # the probe interval of every service, seconds

SERVICE = """
import http.server, os, signal, sys
signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b'{"service": "%s", "ok": true}' % os.environ.get("MSVC_SERVICE", "svc").encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", int(os.environ["PORT"])), H).serve_forever()
"""

NAMES = ["alpha", "beta", "gamma"]


def write_project(work, suites):
    with open(os.path.join(work, "svc.py"), "w") as f:
        f.write(SERVICE)
    os.makedirs(os.path.join(work, "tests"), exist_ok=True)
    with open(os.path.join(work, "tests", "three.yaml"), "w") as f:
        f.write("steps:\n" + "".join(
            '  - request: { url: "${%s_URL}/items" }\n    expect: { json: { service: %s } }\n' % (n.upper(), n) for n in NAMES))
    with open(os.path.join(work, "tests", "work.yaml"), "w") as f:
        f.write("steps:\n" + "".join('  - request: { url: "${%s_URL}/" }\n' % n.upper() for n in NAMES)
                + "  - run: sleep 1\n")
    services = "".join(
        "  %s:\n    command: %s svc.py\n    port: auto\n    health: { http: /healthz, interval: %dms }\n"
        % (n, sys.executable, int(INTERVAL * 1000)) for n in NAMES)
    with open(os.path.join(work, "msvc.yaml"), "w") as f:
        f.write("name: bench\nservices:\n" + services + "tests:\n  e2e:\n" + suites)


def free_port():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def by_hand(work):
    """The three services started, readied, asked and stopped without msvc."""
    t0 = time.monotonic()
    procs, urls = [], []
    for n in NAMES:
        port = free_port()
        env = dict(os.environ, PORT=str(port), MSVC_SERVICE=n)
        procs.append(subprocess.Popen([sys.executable, "svc.py"], cwd=work, env=env, start_new_session=True))
        urls.append("http://127.0.0.1:%d" % port)
    pending = set(urls)
    while pending:
        for u in list(pending):
            try:
                urllib.request.urlopen(u + "/healthz", timeout=1).read()
                pending.discard(u)
            except OSError:
                pass
        if pending:
            time.sleep(INTERVAL)
    ready = time.monotonic() - t0
    for u in urls:
        json.load(urllib.request.urlopen(u + "/items", timeout=1))
    for p in procs:
        os.killpg(p.pid, signal.SIGTERM)
    for p in procs:
        p.wait()
    return time.monotonic() - t0, ready


def up_wait(msvc, work):
    """The subgraph's start time under msvc: `up --wait` until all are healthy (then `down`, untimed)."""
    t0 = time.monotonic()
    subprocess.run([msvc, "up", "--wait", "-q"], cwd=work, check=True)
    up = time.monotonic() - t0
    subprocess.run([msvc, "down", "-q"], cwd=work, check=True)
    return up


def msvc_test(msvc, work, args):
    t0 = time.monotonic()
    r = subprocess.run([msvc, "test", "e2e", "--json", "-q"] + args, cwd=work, capture_output=True, text=True)
    wall = time.monotonic() - t0
    if r.returncode != 0:
        sys.exit("msvc test failed (%d):\n%s%s" % (r.returncode, r.stdout, r.stderr))
    return wall, json.loads(r.stdout)


def bench_overhead(msvc, work, rounds):
    write_project(work, "    - name: three\n      scenario: tests/three.yaml\n")
    hand, own, tests, phases = [], [], [], []
    for _ in range(rounds):  # alternate, so load on the shared machine hits all alike
        hand.append(by_hand(work)[0])
        own.append(up_wait(msvc, work))
        wall, doc = msvc_test(msvc, work, ["--suite", "three"])
        tests.append(wall)
        phases.append(doc["suites"][0]["phases_ms"])
    med_own, med_test = statistics.median(own), statistics.median(tests)
    print(json.dumps({
        "bench": "overhead", "rounds": rounds,
        "msvc_test_s": round(med_test, 3), "up_wait_s": round(med_own, 3),
        "overhead_ms": round((med_test - med_own) * 1000),
        "by_hand_s": round(statistics.median(hand), 3),
        "msvc_test_phases_ms_median": {k: statistics.median(p[k] for p in phases) for k in phases[0]},
    }))


def bench_parallel(msvc, work, rounds):
    write_project(work, "".join("    - name: p%d\n      scenario: tests/work.yaml\n" % i for i in range(1, 5)))
    one, four = [], []
    for _ in range(rounds):
        one.append(msvc_test(msvc, work, ["--parallel", "1"])[0])
        four.append(msvc_test(msvc, work, ["--parallel", "4"])[0])
    a, b = statistics.median(one), statistics.median(four)
    print(json.dumps({"bench": "parallel", "rounds": rounds, "suites": 4, "one_after_another_s": round(a, 2),
                      "parallel_4_s": round(b, 2), "speedup": round(a / b, 2)}))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--msvc", default=os.path.join(os.path.dirname(__file__), "..", "..", ".build", "release", "msvc"))
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--only", default="overhead,parallel")
    a = ap.parse_args()
    msvc = os.path.abspath(a.msvc)
    work = tempfile.mkdtemp(prefix="msvc-test-bench-")
    try:
        if "overhead" in a.only:
            bench_overhead(msvc, work, a.rounds)
        if "parallel" in a.only:
            bench_parallel(msvc, work, max(1, a.rounds // 2))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Pact verification benchmark: msvc contract verify vs the official verifier (pact verifier,
from the PyPI package pact-python-cli), in the same run, against the same local provider.

  python3 Benchmarks/contract/bench.py [--msvc PATH] [--interactions 1000] [--rounds 3]

Writes a V3 pact with N interactions (each with a provider state, type, regex and integer
matching rules on a JSON body, and a response header), serves every interaction's response
from one provider on 127.0.0.1 (a threaded HTTP/1.1 server with keep-alive), and times both
verifiers, state changes included (both post one setup and one teardown per state). Prints
one JSON line per verifier and a summary line with the ratio (median of the rounds,
alternating the verifiers). Every server listens on 127.0.0.1; everything started is stopped.
"""
import argparse, http.server, json, os, shutil, socketserver, statistics, subprocess, sys, tempfile, threading, time


def make_pact(n):
    interactions = []
    for i in range(n):
        interactions.append({
            "description": f"get item {i}",
            "providerStates": [{"name": "an item exists", "params": {"id": i}}],
            "request": {"method": "GET", "path": f"/items/{i}", "headers": {"Accept": "application/json"}},
            "response": {
                "status": 200,
                "headers": {"Content-Type": "application/json", "X-Item": str(i)},
                "body": {"id": i, "name": f"item {i}", "sku": f"SKU-{i:05d}", "price": 12.5,
                         "tags": ["a", "b"], "owner": {"id": 7, "email": "a@example.org"}},
                "matchingRules": {
                    "body": {
                        "$.id": {"matchers": [{"match": "integer"}]},
                        "$.name": {"matchers": [{"match": "type"}]},
                        "$.sku": {"matchers": [{"match": "regex", "regex": "SKU-\\d{5}"}]},
                        "$.price": {"matchers": [{"match": "decimal"}]},
                        "$.tags": {"matchers": [{"match": "type", "min": 1}]},
                        "$.owner.id": {"matchers": [{"match": "type"}]},
                        "$.owner.email": {"matchers": [{"match": "regex", "regex": "[^@]+@[^@]+"}]},
                    },
                    "header": {"X-Item": {"matchers": [{"match": "regex", "regex": "\\d+"}]}},
                },
            },
        })
    return {"consumer": {"name": "bench-consumer"}, "provider": {"name": "bench-provider"},
            "interactions": interactions, "metadata": {"pactSpecification": {"version": "3.0.0"}}}


class Provider(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # One write per response and no Nagle delay, so neither verifier waits on delayed ACKs
    # of a keep-alive connection: the figures are the verifiers', not the provider's.
    disable_nagle_algorithm = True

    def reply(self, status, body, extra=()):
        data = json.dumps(body).encode() if body is not None else b""
        head = [f"HTTP/1.1 {status} OK", "Content-Type: application/json"] + [f"{k}: {v}" for k, v in extra]
        head.append(f"Content-Length: {len(data)}")
        self.wfile.write(("\r\n".join(head) + "\r\n\r\n").encode() + data)

    def do_GET(self):
        i = int(self.path.rsplit("/", 1)[1])
        self.reply(200, {"id": i, "name": f"thing {i}", "sku": f"SKU-{i + 1:05d}", "price": 9.75, "tags": ["x"],
                         "owner": {"id": 8, "email": "b@example.org"}, "extra": True}, [("X-Item", str(i))])

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.reply(200, {})

    def log_message(self, *args):
        pass


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


def run(cmd, env=None):
    start = time.monotonic()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    return time.monotonic() - start, p


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--msvc", default=None)
    ap.add_argument("--interactions", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    msvc = args.msvc or next((p for p in [os.path.join(root, ".build/release/msvc"), os.path.join(root, ".build/debug/msvc")]
                              if os.path.exists(p)), None)
    pact = shutil.which("pact")
    if not msvc or not pact:
        sys.exit("needs msvc (swift build -c release --static-swift-stdlib) and pact (pip install pact-python-cli)")
    work = tempfile.mkdtemp(prefix="msvc-contract-bench-")
    server = Server(("127.0.0.1", 0), Provider)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    url = f"http://127.0.0.1:{port}"
    try:
        path = os.path.join(work, "pact.json")
        with open(path, "w") as f:
            json.dump(make_pact(args.interactions), f)
        env = dict(os.environ, PACT_DO_NOT_TRACK="true", NO_COLOR="1")
        times = {"msvc": [], "official": []}
        for _ in range(args.rounds):
            t, p = run([msvc, "contract", "verify", "--pact", path, "--provider-url", url,
                        "--state-change-url", url + "/_pact/state", "--json"], env)
            doc = json.loads(p.stdout)
            assert doc["summary"]["passed"] == args.interactions, doc["summary"]
            times["msvc"].append(t)
            report = os.path.join(work, "official.json")
            t, p = run([pact, "verifier", "-f", path, "--hostname", "127.0.0.1", "--port", str(port),
                        "--state-change-url", url + "/_pact/state", "--state-change-teardown",
                        "--json", report, "--no-colour"], env)
            with open(report) as f:
                results = json.load(f)["interactionResults"]
            assert sum(1 for r in results if r["result"] == "OK") == args.interactions, p.stderr[-2000:]
            times["official"].append(t)
        for name, ts in times.items():
            print(json.dumps({"verifier": name, "interactions": args.interactions, "seconds": [round(x, 3) for x in ts],
                              "median_s": round(statistics.median(ts), 3)}))
        m, o = statistics.median(times["msvc"]), statistics.median(times["official"])
        print(json.dumps({"summary": f"{args.interactions} interactions: msvc {m:.2f} s, official {o:.2f} s",
                          "msvc_faster_by": round(o / m, 2)}))
    finally:
        server.shutdown()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Control socket soak, for humans: hours of hostile and careless clients against one stack.

Runs a small flooding stack detached, then for MINUTES keeps these going at once:
  - fuzzers sending random and mutated JSON requests (never one that would change the stack),
  - followers (`logs -f`) that read, stall for a while (SIGSTOP), and resume,
  - bursts of connections left half-open or idle,
  - greps with pathological patterns,
and every few seconds checks that `ps` answers quickly, that no service was restarted, and
samples the supervisor's RSS. Prints a JSON line every minute and a summary at the end;
exits 1 if the supervisor died, a process changed, `ps` got slow, or RSS kept growing.

Usage: Benchmarks/control/soak.py --binary .build/release/msvc [--minutes 60] [--seed 1]
"""
import argparse, json, os, random, shutil, signal, socket, statistics, subprocess, sys, tempfile, threading, time

SEEDS = [
    {"op": "snapshot"}, {"op": "logs", "services": ["f0"], "tail": 5}, {"op": "logs", "tail": 3, "grep": "line [0-9]+"},
    {"op": "follow", "tail": 2}, {"op": "changes"}, {"op": "wait", "timeout_ms": 50},
    {"op": "scale", "service": "nope", "replicas": 2}, {"op": "stop", "services": ["nope"]},
]
VALUES = [None, True, -1, 0, 2**63 - 1, -2**63, 1e308, -0.5, "", "nope", "f0", "x" * 5000, "(a+)+$", [], [1], {}, {"op": "snapshot"}]
KEYS = ["op", "id", "services", "tail", "since", "grep", "service", "replicas", "timeout_ms", "file", "x"]
OPS = ["snapshot", "changes", "logs", "follow", "wait", "", "SNAPSHOT", "nope"]
SAFE_OPS = {"snapshot", "changes", "logs", "follow", "wait"}


def mutate(rng, req):
    req = dict(req)
    for _ in range(rng.randint(1, 3)):
        k = rng.randrange(5)
        if k == 0 and req:
            req[rng.choice(list(req))] = rng.choice(VALUES)
        elif k == 1 and req:
            req.pop(rng.choice(list(req)))
        elif k == 2:
            req[rng.choice(KEYS)] = rng.choice(VALUES)
        elif k == 3:
            req["op"] = rng.choice(OPS)
        else:
            req[rng.choice(KEYS)] = {rng.choice(KEYS): rng.choice(VALUES)}
    # Never send something that could change the stack or wait long.
    if req.get("op") not in SAFE_OPS or (req.get("op") == "wait" and req.get("timeout_ms") != 50):
        req["op"] = "snapshot"
    return req


def line_bytes(rng):
    r = rng.random()
    if r < 0.5:
        return json.dumps(mutate(rng, rng.choice(SEEDS))).encode()
    if r < 0.8:
        b = bytearray(json.dumps(rng.choice(SEEDS)).encode())
        for _ in range(rng.randint(1, 4)):
            if b:
                b[rng.randrange(len(b))] = rng.randrange(256)
        data = bytes(b).replace(b"\n", b" ")
        # Mangled bytes may spell a harmful request; only the seeds' safe ops get through whole.
        try:
            req = json.loads(data)
            if not isinstance(req, dict) or req.get("op") not in SAFE_OPS or req.get("op") == "wait":
                return b"garbage"
        except Exception:
            pass
        return data
    return bytes(rng.randrange(256) for _ in range(rng.randrange(64))).replace(b"\n", b" ")


class Soak:
    def __init__(self, binary, minutes, seed):
        self.binary, self.end = binary, time.time() + minutes * 60
        self.seed = seed
        self.dir = tempfile.mkdtemp(prefix="msvc-soak-")
        self.stats = {"requests": 0, "malformed_answers": 0, "connect_errors": 0, "follower_stalls": 0, "missed_notes": 0,
                      "greps": 0}
        self.lock = threading.Lock()
        self.problems = []

    def count(self, key, n=1):
        with self.lock:
            self.stats[key] += n

    def sock(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(5)
        s.connect(os.path.join(self.dir, ".msvc", "run", "msvc.sock"))
        return s

    def fuzzer(self, n):
        rng = random.Random(self.seed * 1000 + n)
        while time.time() < self.end:
            try:
                s = self.sock()
            except OSError:
                self.count("connect_errors")
                time.sleep(0.1)
                continue
            try:
                s.sendall(line_bytes(rng) + (b"\n" if rng.random() < 0.9 else b""))
                self.count("requests")
                if rng.random() < 0.8:
                    data = s.recv(1 << 16).split(b"\n")[0]
                    if data:
                        try:
                            answer = json.loads(data)
                            if not isinstance(answer, dict) or ("ok" not in answer and "records" not in answer):
                                raise ValueError
                        except ValueError:
                            self.count("malformed_answers")
                            self.problems.append(data[:200].decode(errors="replace"))
            except OSError:
                pass
            finally:
                s.close()

    def follower(self):
        rng = random.Random(self.seed)
        while time.time() < self.end:
            out = tempfile.TemporaryFile()
            p = subprocess.Popen([self.binary, "logs", "-f", "-n", "10"], cwd=self.dir, stdout=out, stderr=subprocess.DEVNULL,
                                 env={**os.environ, "NO_COLOR": "1"})
            time.sleep(rng.uniform(1, 5))
            os.kill(p.pid, signal.SIGSTOP)
            self.count("follower_stalls")
            time.sleep(rng.uniform(5, 30))
            os.kill(p.pid, signal.SIGCONT)
            time.sleep(3)
            p.kill()
            p.wait()
            out.seek(0)
            self.count("missed_notes", sum(1 for l in out if l.startswith(b"[msvc] ") and b"missed here" in l))
            out.close()

    def bursts(self):
        rng = random.Random(self.seed + 7)
        while time.time() < self.end:
            held = []
            for _ in range(rng.randrange(10, 60)):
                try:
                    s = self.sock()
                    if rng.random() < 0.5:
                        s.sendall(b'{"op":"snap')
                    held.append(s)
                except OSError:
                    self.count("connect_errors")
            time.sleep(rng.uniform(0.5, 3))
            for s in held:
                s.close()

    def greps(self):
        while time.time() < self.end:
            subprocess.run([self.binary, "logs", "--grep", "^(a+)+$"], cwd=self.dir, capture_output=True)
            self.count("greps")
            time.sleep(1)

    def run(self):
        with open(os.path.join(self.dir, "msvc.yaml"), "w") as f:
            f.write("name: soak\nservices:\n")
            for i in range(4):
                f.write(f"  f{i}: {{ command: sh -c 'i=0; while true; do i=$((i+1)); echo \"line $i aaaaaaaaaaaaaaaaaaaaaaaa!\"; "
                        f"case $((i % 20)) in 0) sleep 0.01;; esac; done' }}\n")
        subprocess.run([self.binary, "up", "--wait", "--timeout", "60s"], cwd=self.dir, check=True, capture_output=True)
        ps = json.loads(subprocess.run([self.binary, "ps", "--json"], cwd=self.dir, capture_output=True, text=True).stdout)
        pid = ps["pid"]
        pids = sorted(r["pid"] for s in ps["services"] for r in s["replicas"])
        threads = [threading.Thread(target=self.fuzzer, args=(n,), daemon=True) for n in range(4)]
        threads += [threading.Thread(target=t, daemon=True) for t in (self.follower, self.bursts, self.greps)]
        for t in threads:
            t.start()
        rss, ps_ms, next_report = [], [], time.time() + 60
        ok = True
        try:
            while time.time() < self.end:
                time.sleep(5)
                try:
                    with open(f"/proc/{pid}/status") as f:
                        rss.append(next(int(l.split()[1]) for l in f if l.startswith("VmRSS:")) * 1024)
                except (OSError, StopIteration):
                    self.problems.append("the supervisor is gone")
                    ok = False
                    break
                t = time.perf_counter()
                r = subprocess.run([self.binary, "ps", "--json"], cwd=self.dir, capture_output=True, text=True)
                ps_ms.append((time.perf_counter() - t) * 1000)
                now = sorted(rr["pid"] for s in json.loads(r.stdout)["services"] for rr in s["replicas"])
                if now != pids:
                    self.problems.append(f"service processes changed: {pids} -> {now}")
                    ok = False
                    break
                if time.time() >= next_report:
                    next_report += 60
                    print(json.dumps({**self.stats, "rss_mib": round(rss[-1] / 2**20, 1),
                                      "ps_ms_median": round(statistics.median(ps_ms[-12:]), 1)}), flush=True)
        finally:
            self.end = 0
            subprocess.run([self.binary, "down", "--timeout", "3s"], cwd=self.dir, capture_output=True)
            shutil.rmtree(self.dir, ignore_errors=True)
        # RSS must not keep growing: the last quarter's peak within 1.5x the first quarter's.
        q = max(1, len(rss) // 4)
        growing = len(rss) >= 8 and max(rss[-q:]) > 1.5 * max(rss[:q])
        slow = bool(ps_ms) and statistics.median(ps_ms) > 50
        summary = {**self.stats, "rss_mib_first_quarter_peak": round(max(rss[:q]) / 2**20, 1) if rss else None,
                   "rss_mib_last_quarter_peak": round(max(rss[-q:]) / 2**20, 1) if rss else None,
                   "ps_ms_median": round(statistics.median(ps_ms), 1) if ps_ms else None,
                   "ps_ms_max": round(max(ps_ms), 1) if ps_ms else None, "problems": self.problems[:5]}
        print(json.dumps(summary), flush=True)
        return ok and not growing and not slow and self.stats["malformed_answers"] == 0


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--binary", default=".build/release/msvc")
    p.add_argument("--minutes", type=float, default=60)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    return 0 if Soak(os.path.abspath(a.binary), a.minutes, a.seed).run() else 1


if __name__ == "__main__":
    sys.exit(main())

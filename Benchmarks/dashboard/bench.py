#!/usr/bin/env python3
"""Dashboard CPU and latency benchmark.

Starts a stack detached (`msvc up -d`), runs `msvc dash` in a tmux pane of 120x34, and reads
the dashboard process's CPU time from /proc/PID/stat over a window. Scenarios:

  idle   20 services that print nothing (target: < 5% of a core over 30 s)
  flood  8 services writing 50,000 lines/s in total (target: < 30% of a core), plus the
         time from a key press (send-keys) to the screen changing (capture-pane), which
         includes tmux's own round trip (target: < 100 ms)

Usage: Benchmarks/dashboard/bench.py [--binary .build-dash/debug/msvc] [--scenario idle|flood|all]
                                     [--seconds 30] [--rate 50000]
"""
import argparse, os, shutil, statistics, subprocess, sys, tempfile, time, uuid

HERE = os.path.dirname(os.path.abspath(__file__))
CLK_TCK = os.sysconf("SC_CLK_TCK")


def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def tree_ticks(pid):
    """CPU of a process and its threads (threads are counted in /proc/PID/stat)."""
    return cpu_ticks(pid)


class Tmux:
    def __init__(self, cwd, command, w=120, h=34):
        self.sock = "msvc-bench-" + uuid.uuid4().hex[:8]
        self.cwd = cwd
        self.run("new-session", "-d", "-x", str(w), "-y", str(h), "-s", "b", command)

    def run(self, *args):
        return subprocess.run(["tmux", "-L", self.sock, "-f", "/dev/null", *args], cwd=self.cwd,
                              capture_output=True, text=True).stdout

    def capture(self):
        return self.run("capture-pane", "-p", "-t", "b")

    def send(self, *keys):
        self.run("send-keys", "-t", "b", *keys)

    def kill(self):
        self.run("kill-session", "-t", "b")  # tmux 3.3a: kill-server alone can leave it up
        self.run("kill-server")


def wait_for(pred, seconds=30, interval=0.05):
    deadline = time.time() + seconds
    while time.time() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(interval)
    return None


def write_stack(d, scenario, rate):
    lines = [f"name: bench-{scenario}", "services:"]
    if scenario == "idle":
        for i in range(20):
            lines.append(f"  idle{i:02d}: {{ command: sleep 100000 }}")
    else:
        shutil.copy(os.path.join(HERE, "flood.py"), os.path.join(d, "flood.py"))
        per = rate // 8
        for i in range(8):
            lines.append(f"  flood{i}: {{ command: python3 -u flood.py, env: {{ RATE: \"{per}\" }} }}")
    with open(os.path.join(d, "msvc.yaml"), "w") as f:
        f.write("\n".join(lines) + "\n")


def logged_lines(d):
    total = 0
    logs = os.path.join(d, ".msvc", "logs")
    for name in os.listdir(logs) if os.path.isdir(logs) else []:
        if name.startswith("flood"):
            with open(os.path.join(logs, name), "rb") as f:
                total += sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))
    return total


def bench(binary, scenario, seconds, rate):
    d = tempfile.mkdtemp(prefix=f"msvc-bench-{scenario}-")
    write_stack(d, scenario, rate)
    env = dict(os.environ)
    env.pop("NO_COLOR", None)
    subprocess.run([binary, "up", "-d"], cwd=d, check=True, env=env, capture_output=True)
    pidfile = os.path.join(d, "dash.pid")
    cmd = f"echo $$ > {pidfile}; exec env TERM=xterm-256color {binary} dash"
    t = Tmux(d, cmd)
    result = {"scenario": scenario}
    try:
        ok = wait_for(lambda: "SERVICE" in t.capture() and ("running" in t.capture()), 60)
        if not ok:
            raise SystemExit(f"dashboard did not come up:\n{t.capture()}")
        pid = int(open(pidfile).read().strip())
        time.sleep(3)  # let the stack settle (startup bursts are not the steady state)
        l0 = logged_lines(d) if scenario == "flood" else 0
        c0, w0 = tree_ticks(pid), time.time()
        time.sleep(seconds)
        c1, w1 = tree_ticks(pid), time.time()
        l1 = logged_lines(d) if scenario == "flood" else 0
        result["cpu_percent"] = round(100.0 * (c1 - c0) / CLK_TCK / (w1 - w0), 1)
        result["seconds"] = round(w1 - w0, 1)
        if scenario == "flood":
            result["lines_per_second"] = int((l1 - l0) / (w1 - w0))
            # Key press to screen change: toggle wrap and watch the log title.
            samples = []
            for i in range(20):
                want = "wrap" if i % 2 == 0 else None
                before = time.perf_counter()
                t.send("W")
                def changed():
                    title = next((l for l in t.capture().splitlines() if "logs:" in l), "")
                    return ("─ wrap ─" in title) == (want is not None)
                if wait_for(changed, 5, 0.002):
                    samples.append((time.perf_counter() - before) * 1000)
            if samples:
                samples.sort()
                result["key_to_screen_ms_median"] = round(statistics.median(samples), 1)
                result["key_to_screen_ms_p95"] = round(samples[int(len(samples) * 0.95) - 1], 1)
            # The same round trip with no dashboard work: tmux's own overhead.
            base = []
            for _ in range(10):
                before = time.perf_counter()
                t.capture()
                base.append((time.perf_counter() - before) * 1000)
            result["capture_pane_ms"] = round(statistics.median(base), 1)
    finally:
        t.send("q")
        time.sleep(0.5)
        t.kill()
        subprocess.run([binary, "down", "--timeout", "3s"], cwd=d, capture_output=True)
        shutil.rmtree(d, ignore_errors=True)
    return result


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--binary", default=".build-dash/debug/msvc")
    p.add_argument("--scenario", default="all", choices=["idle", "flood", "all"])
    p.add_argument("--seconds", type=float, default=30)
    p.add_argument("--rate", type=int, default=50_000)
    a = p.parse_args()
    binary = os.path.abspath(a.binary)
    for s in (["idle", "flood"] if a.scenario == "all" else [a.scenario]):
        print(bench(binary, s, a.seconds, a.rate), flush=True)


if __name__ == "__main__":
    sys.exit(main())

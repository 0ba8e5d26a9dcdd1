#!/usr/bin/env python3
"""Control socket under pressure: the figures of issue 10 for the README.

  stalled  supervisor RSS while a `msvc logs -f` client is stopped (SIGSTOP) for SECONDS during
           a flood of SERVICES x RATE lines/s (default 8 x 50,000; the achieved rate is reported,
           from the stack's line sequence). Reported: idle RSS, the peak of the flood alone (its
           rings fill up), and the peak with the stalled follower. Target: peak < 2x idle RSS.
           When the client is resumed it must say how many lines it missed.
  follow   supervisor CPU over SECONDS of a SERVICES x RATE flood, with no follower and with one
           `msvc logs -f > /dev/null` (the cost of serving a follower).
  crashloop  supervisor CPU over SECONDS while one service exits at once forever under
           `restart: always` (no crash-loop limit) with the smallest backoff a user can write (`0ms`: msvc
           raises it to its 100 ms minimum), and the restarts it made meanwhile.
           Target: < 5 % of a core.
  grep     `msvc ps --json` round trips while GREPS pathological `--grep`s (nested quantifiers
           over lines that almost match) run again and again. Target: median < 50 ms.

Usage: Benchmarks/control/bench.py --binary .build/release/msvc [--scenario stalled|follow|crashloop|grep|all]
                                   [--seconds 60] [--services 8] [--rate 50000] [--greps 1]
Build with `swift build -c release --static-swift-stdlib`. Prints one JSON line per scenario.
"""
import argparse, json, os, shutil, signal, socket, statistics, subprocess, sys, tempfile, time

FLOOD = r'''
import os, sys, time
rate, name = int(os.environ["RATE"]), os.environ["MSVC_SERVICE"]
while not os.path.exists("go"):
    time.sleep(0.05)
pad = "lorem ipsum dolor sit amet " * 3
n, t = 0, time.monotonic()
out = sys.stdout
while True:
    k = max(1, rate // 100)
    out.write("".join(f"{name} {n + i} {pad}\n" for i in range(k)))
    out.flush()
    n += k
    t += 0.01
    d = t - time.monotonic()
    if d > 0:
        time.sleep(d)
    else:
        t = time.monotonic()
'''


def rss(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def supervisor_pid(binary, d):
    out = subprocess.run([binary, "ps", "--json"], cwd=d, capture_output=True, text=True, check=True).stdout
    return json.loads(out)["pid"]


def newest_seq(binary, d):
    """The stack-wide sequence number of the newest line (log files rotate; this does not)."""
    out = subprocess.run([binary, "logs", "-n", "1", "--json"], cwd=d, capture_output=True, text=True).stdout
    records = json.loads(out or "[]")
    return records[-1]["seq"] if records else 0


def peak_rss(pid, seconds):
    peak, t0 = 0, time.time()
    while time.time() - t0 < seconds:
        peak = max(peak, rss(pid))
        time.sleep(1)
    return peak


def stalled(binary, seconds, services, rate):
    d = tempfile.mkdtemp(prefix="msvc-bench-stalled-")
    with open(os.path.join(d, "flood.py"), "w") as f:
        f.write(FLOOD)
    with open(os.path.join(d, "msvc.yaml"), "w") as f:
        f.write("name: stalled\nservices:\n")
        for i in range(services):
            f.write(f"  f{i}: {{ command: python3 -u flood.py, env: {{ RATE: \"{rate}\" }} }}\n")
    follower = None
    try:
        subprocess.run([binary, "up", "--wait", "--timeout", "60s"], cwd=d, check=True, capture_output=True)
        pid = supervisor_pid(binary, d)
        time.sleep(2)
        idle = rss(pid)
        # The flood alone first: the rings fill (10,000 lines per service) and RSS settles.
        open(os.path.join(d, "go"), "w").close()
        time.sleep(5)
        flood_only = peak_rss(pid, 15)
        out_path = os.path.join(d, "follower.out")
        out = open(out_path, "wb")
        follower = subprocess.Popen([binary, "logs", "-f", "-n", "0"], cwd=d, stdout=out, stderr=subprocess.DEVNULL,
                                    env={**os.environ, "NO_COLOR": "1"})
        time.sleep(1)
        os.kill(follower.pid, signal.SIGSTOP)
        s0, t0 = newest_seq(binary, d), time.time()
        peak = peak_rss(pid, seconds)
        s1, t1 = newest_seq(binary, d), time.time()
        end = rss(pid)
        os.kill(follower.pid, signal.SIGCONT)
        # Every gap note the follower printed once it ran again, summed.
        missed, deadline = 0, time.time() + 30
        while time.time() < deadline:
            time.sleep(1)
            with open(out_path, "rb") as f:
                total = sum(int(line.split()[1]) for line in f if line.startswith(b"[msvc] ") and b"lines missed here" in line)
            if total and total == missed:
                break
            missed = total
        return {"scenario": "stalled", "seconds": round(t1 - t0, 1), "lines_per_second": int((s1 - s0) / (t1 - t0)),
                "idle_rss_mib": round(idle / 2**20, 1), "flood_without_follower_peak_rss_mib": round(flood_only / 2**20, 1),
                "stalled_follower_peak_rss_mib": round(peak / 2**20, 1), "end_rss_mib": round(end / 2**20, 1),
                "peak_over_idle": round(peak / idle, 2), "missed_lines_reported": missed}
    finally:
        if follower:
            follower.kill()
        subprocess.run([binary, "down", "--timeout", "3s"], cwd=d, capture_output=True)
        shutil.rmtree(d, ignore_errors=True)


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def follow(binary, seconds, services, rate):
    d = tempfile.mkdtemp(prefix="msvc-bench-follow-")
    with open(os.path.join(d, "flood.py"), "w") as f:
        f.write(FLOOD)
    with open(os.path.join(d, "msvc.yaml"), "w") as f:
        f.write("name: follow\nservices:\n")
        for i in range(services):
            f.write(f"  f{i}: {{ command: python3 -u flood.py, env: {{ RATE: \"{rate}\" }} }}\n")
    follower = None
    try:
        subprocess.run([binary, "up", "--wait", "--timeout", "60s"], cwd=d, check=True, capture_output=True)
        pid = supervisor_pid(binary, d)
        open(os.path.join(d, "go"), "w").close()
        time.sleep(3)

        def window():
            c0, s0, t0 = cpu_seconds(pid), newest_seq(binary, d), time.time()
            time.sleep(seconds)
            c1, s1, t1 = cpu_seconds(pid), newest_seq(binary, d), time.time()
            return round(100 * (c1 - c0) / (t1 - t0), 1), int((s1 - s0) / (t1 - t0))

        alone, rate_alone = window()
        follower = subprocess.Popen([binary, "logs", "-f", "-n", "0"], cwd=d, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(2)
        followed, rate_followed = window()
        return {"scenario": "follow", "seconds": seconds, "lines_per_second": rate_followed,
                "supervisor_cpu_percent_without_follower": alone, "supervisor_cpu_percent_with_follower": followed,
                "lines_per_second_without_follower": rate_alone}
    finally:
        if follower:
            follower.kill()
        subprocess.run([binary, "down", "--timeout", "3s"], cwd=d, capture_output=True)
        shutil.rmtree(d, ignore_errors=True)


def crashloop(binary, seconds):
    d = tempfile.mkdtemp(prefix="msvc-bench-crashloop-")
    with open(os.path.join(d, "msvc.yaml"), "w") as f:
        f.write("name: crashloop\nservices:\n"
                "  dies: { command: \"false\", restart: always, max_restarts: 1000000, backoff: { initial: 0ms, max: 0ms } }\n")
    try:
        subprocess.run([binary, "up", "-d"], cwd=d, check=True, capture_output=True)
        pid = supervisor_pid(binary, d)
        time.sleep(2)

        def restarts():
            snap = json.loads(subprocess.run([binary, "ps", "--json"], cwd=d, capture_output=True, text=True, check=True).stdout)
            return sum(r["restarts"] for s in snap["services"] for r in s["replicas"])

        r0, c0, t0 = restarts(), cpu_seconds(pid), time.time()
        time.sleep(seconds)
        c1, t1 = cpu_seconds(pid), time.time()
        r1 = restarts()
        return {"scenario": "crashloop", "seconds": round(t1 - t0, 1), "supervisor_cpu_percent": round(100 * (c1 - c0) / (t1 - t0), 2),
                "restarts_per_second": round((r1 - r0) / (t1 - t0), 1)}
    finally:
        subprocess.run([binary, "down", "--timeout", "3s"], cwd=d, capture_output=True)
        shutil.rmtree(d, ignore_errors=True)


def grep(binary, concurrent=1, runs=50):
    d = tempfile.mkdtemp(prefix="msvc-bench-grep-")
    with open(os.path.join(d, "lines.py"), "w") as f:
        f.write("import time\nprint('\\n'.join(['a' * 25 + '!'] * 10000), flush=True)\ntime.sleep(100000)\n")
    with open(os.path.join(d, "msvc.yaml"), "w") as f:
        f.write("name: grep\nservices:\n  a: { command: python3 lines.py }\n")
    greps = []
    try:
        subprocess.run([binary, "up", "--wait", "--timeout", "60s"], cwd=d, check=True, capture_output=True)
        time.sleep(1)

        def snapshot_ms():
            """The supervisor's part of `ps`: one snapshot request on the socket, no process start."""
            t = time.perf_counter()
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                s.connect(os.path.join(d, ".msvc", "run", "msvc.sock"))
                s.sendall(b'{"id":1,"op":"snapshot"}\n')
                data = b""
                while not data.endswith(b"\n"):
                    chunk = s.recv(1 << 16)
                    if not chunk:
                        break
                    data += chunk
            return (time.perf_counter() - t) * 1000

        def ps_times():
            times, sock = [], []
            for _ in range(runs):
                t = time.perf_counter()
                subprocess.run([binary, "ps", "--json"], cwd=d, capture_output=True, check=True)
                times.append((time.perf_counter() - t) * 1000)
                sock.append(snapshot_ms())
                time.sleep(0.02)
            return sorted(times), sorted(sock)

        quiet, quiet_sock = ps_times()
        # CONCURRENT greps at once, each started again as soon as it ends.
        outcomes = []
        for _ in range(concurrent):
            greps.append(subprocess.Popen([binary, "logs", "--grep", "^(a+)+$"], cwd=d, stdout=subprocess.DEVNULL,
                                          stderr=subprocess.PIPE, text=True))
        busy, busy_sock = [], []
        for _ in range(runs):
            for i, g in enumerate(greps):
                if g.poll() is not None:
                    outcomes.append((g.returncode, g.stderr.read().strip()[:160]))
                    greps[i] = subprocess.Popen([binary, "logs", "--grep", "^(a+)+$"], cwd=d, stdout=subprocess.DEVNULL,
                                                stderr=subprocess.PIPE, text=True)
            t = time.perf_counter()
            subprocess.run([binary, "ps", "--json"], cwd=d, capture_output=True, check=True)
            busy.append((time.perf_counter() - t) * 1000)
            busy_sock.append(snapshot_ms())
            time.sleep(0.02)
        busy.sort()
        busy_sock.sort()
        return {"scenario": "grep", "concurrent_greps": concurrent, "ps_ms_median_quiet": round(statistics.median(quiet), 1),
                "snapshot_ms_median_quiet": round(statistics.median(quiet_sock), 2),
                "snapshot_ms_median_during_grep": round(statistics.median(busy_sock), 2),
                "snapshot_ms_p95_during_grep": round(busy_sock[int(len(busy_sock) * 0.95) - 1], 2),
                "ps_ms_median_during_grep": round(statistics.median(busy), 1),
                "ps_ms_p95_during_grep": round(busy[int(len(busy) * 0.95) - 1], 1),
                "grep_outcomes": sorted(set(outcomes))[:3]}
    finally:
        for g in greps:
            g.kill()
        subprocess.run([binary, "down", "--timeout", "3s"], cwd=d, capture_output=True)
        shutil.rmtree(d, ignore_errors=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--binary", default=".build/release/msvc")
    p.add_argument("--scenario", default="all", choices=["stalled", "follow", "crashloop", "grep", "all"])
    p.add_argument("--seconds", type=float, default=60)
    p.add_argument("--services", type=int, default=8)
    p.add_argument("--rate", type=int, default=50_000)
    p.add_argument("--greps", type=int, default=1, help="pathological greps running at once")
    a = p.parse_args()
    binary = os.path.abspath(a.binary)
    if a.scenario in ("stalled", "all"):
        print(json.dumps(stalled(binary, a.seconds, a.services, a.rate)), flush=True)
    if a.scenario in ("follow", "all"):
        print(json.dumps(follow(binary, min(a.seconds, 30), a.services, a.rate)), flush=True)
    if a.scenario in ("crashloop", "all"):
        print(json.dumps(crashloop(binary, min(a.seconds, 30))), flush=True)
    if a.scenario in ("grep", "all"):
        print(json.dumps(grep(binary, a.greps)), flush=True)


if __name__ == "__main__":
    sys.exit(main())

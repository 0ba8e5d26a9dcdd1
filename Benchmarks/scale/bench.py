#!/usr/bin/env python3
"""Scale series: msvc against the direct-launch limit and supervisord at 10, 50, 100, 200 services.

  python3 Benchmarks/scale/bench.py [--msvc PATH] [--sizes 10,50,100,200] [--rounds 3] [--seconds 20]

Each service is a small Python server listening on its $PORT, with a tcp readiness probe. For
each size it measures
  - time to healthy (probes every 100ms, as the limit polls every 10ms): msvc `up --wait` until
    it returns; the limit (direct_launch.py: a short
    script that starts the same processes and polls their ports) until it says ready;
    supervisord until every port accepts (it has no probes; this script polls the ports);
    the median of --rounds alternating runs;
  - supervisor RSS and idle CPU (% of one core over --seconds, from /proc/PID/task/*/schedstat,
    which counts nanoseconds rather than 10 ms ticks) with every service up and idle, probes at
    their default interval (1s);
  - `msvc ps --json` round trip (median of 30) and `supervisorctl status` (median of 10).
Prints one JSON line per size with the figures and their ratios, then one summary line.
Needs a release build (swift build -c release --static-swift-stdlib) and `pip install supervisor`.
Every server listens on 127.0.0.1; every process started here is stopped at the end.
"""
import argparse, json, os, shutil, signal, statistics, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from supervisor_bench import stop  # noqa: E402  (the sibling benchmark's helpers)
from ports import free_ports, wait_ports  # noqa: E402  (shared with direct_launch.py)

SERVER = ("import os, socket, signal, sys\nsignal.signal(signal.SIGTERM, lambda *a: sys.exit(0))\n"
          "s = socket.socket(); s.bind(('127.0.0.1', int(os.environ['PORT']))); s.listen()\n"
          "signal.pause()\n")


def cpu_seconds(pid):
    """CPU time of every live thread of `pid`, in seconds (schedstat: nanoseconds on a CPU)."""
    total = 0
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/schedstat" % (pid, tid)) as f:
                total += int(f.read().split()[0])
        except (FileNotFoundError, ProcessLookupError):
            pass
    return total / 1e9


def rss_mib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def idle_cpu(pid, seconds):
    """Percent of one core `pid` used over `seconds`, after two seconds to settle."""
    time.sleep(2)
    c0, t0 = cpu_seconds(pid), time.monotonic()
    time.sleep(seconds)
    return (cpu_seconds(pid) - c0) / (time.monotonic() - t0) * 100


def write_stack(work, n, interval=None):
    with open(os.path.join(work, "server.py"), "w") as f:
        f.write(SERVER)
    with open(os.path.join(work, "msvc.yaml"), "w") as f:
        f.write("name: scale\nservices:\n" + "".join(
            "  s%d: { command: %s server.py, port: auto, health: { tcp: true%s } }\n"
            % (i, sys.executable, ", interval: %s" % interval if interval else "") for i in range(n)))


def run_limit(work, n):
    t0 = time.monotonic()
    p = subprocess.Popen([sys.executable, os.path.join(HERE, "direct_launch.py"), str(n), os.path.join(work, "server.py")],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    line = p.stdout.readline()
    elapsed = time.monotonic() - t0
    p.stdin.close()
    p.wait(60)
    assert line.strip() == "ready", line
    return elapsed


def msvc_up(msvc, work):
    shutil.rmtree(os.path.join(work, ".msvc"), ignore_errors=True)
    t0 = time.monotonic()
    r = subprocess.run([msvc, "up", "--wait", "--timeout", "300s"], cwd=work, capture_output=True, text=True)
    elapsed = time.monotonic() - t0
    if r.returncode != 0:
        subprocess.run([msvc, "down"], cwd=work, capture_output=True)
        raise AssertionError(r.stderr)
    return elapsed


def supervisor_pid(work):
    """The supervisor's pid from its run record: asking `ps` would start the CPU sampler, which
    samples for 10 s after each question, and this measures a stack nobody looks at."""
    with open(os.path.join(work, ".msvc", "run", "state.json")) as f:
        return json.load(f)["pid"]


def msvc_down(msvc, work):
    subprocess.run([msvc, "down"], cwd=work, capture_output=True, check=True)


def ps_median(cmd, work, runs):
    # No exit-status check: `supervisorctl status` exits 3 when one program is not RUNNING.
    times = []
    for _ in range(runs):
        t0 = time.monotonic()
        subprocess.run(cmd, cwd=work, capture_output=True)
        times.append(time.monotonic() - t0)
    return statistics.median(times) * 1000


class Supervisord:
    """supervisord running the same n servers on fixed free ports."""

    def __init__(self, work, n):
        self.ports = free_ports(n)
        self.conf = os.path.join(work, "supervisord.conf")
        sock = os.path.join(work, "supervisor.sock")
        with open(self.conf, "w") as f:
            f.write("[unix_http_server]\nfile=%s\n[supervisord]\nnodaemon=true\nlogfile=%s/sd.log\npidfile=%s/sd.pid\n"
                    "[rpcinterface:supervisor]\nsupervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n"
                    "[supervisorctl]\nserverurl=unix://%s\n" % (sock, work, work, sock))
            for i, port in enumerate(self.ports):
                f.write("[program:s%d]\ncommand=%s %s\nenvironment=PORT=\"%d\"\ndirectory=%s\n"
                        % (i, sys.executable, os.path.join(work, "server.py"), port, work))

    def start(self):
        t0 = time.monotonic()
        self.proc = subprocess.Popen(["supervisord", "-c", self.conf], start_new_session=True,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_ports(self.ports)
        return time.monotonic() - t0

    def stop(self):
        stop(self.proc)
        # supervisord puts each program in a process group of its own: when it is killed
        # before it has stopped them all (200 programs take a while), they live on. Its
        # session (start_new_session) still holds them; end what is left of it.
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                if int(fields[3]) == self.proc.pid:
                    os.kill(int(entry), signal.SIGKILL)
            except (OSError, IndexError, ValueError):
                pass


def bench_size(msvc, n, rounds, seconds):
    work = tempfile.mkdtemp(prefix="msvc-scale-")
    try:
        write_stack(work, n, interval="100ms")
        limit, up, sd_up = [], [], []
        for _ in range(rounds):
            limit.append(run_limit(work, n))
            up.append(msvc_up(msvc, work))
            msvc_down(msvc, work)
            sd = Supervisord(work, n)
            sd_up.append(sd.start())
            sd.stop()
        # Footprint of a running, idle stack.
        write_stack(work, n)
        msvc_up(msvc, work)
        pid = supervisor_pid(work)
        cpu = idle_cpu(pid, seconds)
        rss = rss_mib(pid)
        ps = ps_median([msvc, "ps", "--json"], work, 30)
        msvc_down(msvc, work)
        sd = Supervisord(work, n)
        sd.start()
        try:
            sd_cpu = idle_cpu(sd.proc.pid, seconds)
            sd_rss = rss_mib(sd.proc.pid)
            sd_ps = ps_median(["supervisorctl", "-c", sd.conf, "status"], work, 10)
        finally:
            sd.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    r = {"services": n,
         "healthy s": {"limit": statistics.median(limit), "msvc": statistics.median(up), "supervisord": statistics.median(sd_up)},
         "RSS MiB": {"msvc": rss, "supervisord": sd_rss},
         "idle CPU %": {"msvc": cpu, "supervisord": sd_cpu},
         "ps ms": {"msvc ps --json": ps, "supervisorctl status": sd_ps},
         "runs s": {"limit": limit, "msvc": up, "supervisord": sd_up}}
    r["ratios"] = {"healthy msvc/limit": r["healthy s"]["msvc"] / r["healthy s"]["limit"],
                   "healthy msvc/supervisord": r["healthy s"]["msvc"] / r["healthy s"]["supervisord"],
                   "RSS msvc/supervisord": rss / sd_rss,
                   "idle CPU msvc/supervisord": cpu / sd_cpu if sd_cpu > 0 else None,
                   "ps msvc/supervisorctl": ps / sd_ps}
    return r


def rounded(v):
    if isinstance(v, float):
        return round(v, 3)
    if isinstance(v, dict):
        return {k: rounded(x) for k, x in v.items()}
    if isinstance(v, list):
        return [rounded(x) for x in v]
    return v


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--msvc", default=os.path.join(HERE, "..", "..", ".build", "release", "msvc"))
    ap.add_argument("--sizes", default="10,50,100,200")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seconds", type=int, default=20)
    args = ap.parse_args()
    msvc = os.path.abspath(args.msvc)
    if not os.access(msvc, os.X_OK):
        sys.exit("build msvc first: swift build -c release --static-swift-stdlib")
    if not shutil.which("supervisord"):
        sys.exit("the peer is missing: pip install supervisor")
    with open("/proc/loadavg") as f:
        load = f.read().split()[:3]
    print(json.dumps({"load average before": load, "cores": os.cpu_count()}), flush=True)
    for n in [int(s) for s in args.sizes.split(",")]:
        print(json.dumps(rounded(bench_size(msvc, n, args.rounds, args.seconds))), flush=True)
    with open("/proc/loadavg") as f:
        print(json.dumps({"load average after": f.read().split()[:3]}), flush=True)


if __name__ == "__main__":
    main()

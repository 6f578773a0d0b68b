#!/usr/bin/env python3
"""The limen-bpf-loader benchmarks (run through bench/bpf/run, which builds Release first).

Per-event cost of each probe: a workload (ops.c / goops) does N operations in a test cgroup,
timed inside the workload, in three variants within the same run, back to back:
  base      no loader running;
  traced    the loader runs with only that probe and traces the cgroup;
  untraced  the loader runs with only that probe but traces another (empty) cgroup, so the
            probe fires and returns at the filter (the cost every other process on the node
            pays).
ns/event = (traced - base) / events, where events = the probe's in-kernel hit counter read
from the loader's /metrics (exact, not estimated). Each run repeats the three variants;
medians over the runs are reported.

Ring buffer: tcp.send events from THREADS sender threads for SECONDS; events/s =
delivered / elapsed, loss = dropped / (delivered + dropped) from the kernel counters.

Loader RSS: VmRSS of the loader idle (tracing one idle cgroup, 5 s after start) and the
peak VmRSS sampled every 50 ms during the ring-buffer run.

Writes a JSON file and a Markdown summary (for docs/benchmarks.md).
"""
import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
import urllib.request

# probe → (workload argv builder, N)
PROBES = {
    "tcp.send": (lambda b: [b["ops"], "send"], 200000),
    "tcp.state": (lambda b: [b["ops"], "conn"], 5000),
    "process.exec": (lambda b: [b["ops"], "exec"], 1500),
    "process.exit": (lambda b: [b["ops"], "exec"], 1500),
    "go.goroutine.create": (lambda b: [b["goops"], "spawn"], 200000),
    "go.goroutine.exit": (lambda b: [b["goops"], "spawn"], 200000),
    "go.chan.block": (lambda b: [b["goops"], "chan"], 100000),
}
GOALS = {"tracepoint_ns": 300, "uprobe_ns": 400, "loss_pct": 0.1, "rate": 500000,
         "rss_mb": 24}


def own_cgroup_v2():
    mount = None
    with open("/proc/self/mountinfo") as f:
        for line in f:
            left, right = line.split(" - ", 1)
            if right.split()[0] == "cgroup2":
                mount = left.split()[4]
                break
    with open("/proc/self/cgroup") as f:
        for line in f:
            h, _, path = line.rstrip("\n").split(":", 2)
            if h == "0":
                return mount + (path if path != "/" else "")
    raise SystemExit("no cgroup v2")


class Cgroup:
    def __init__(self, parent, name):
        self.path = os.path.join(parent, name)
        os.makedirs(self.path, exist_ok=True)

    def remove(self):
        for _ in range(50):
            try:
                os.rmdir(self.path)
                return
            except OSError:
                time.sleep(0.05)


def run_workload(argv, cgroup, n, extra=(), gate=None):
    """Runs the workload in `cgroup`. With `gate`, the workload (goops) announces "ready",
    gate() waits (e.g. for the uprobes to attach), then the timed loop starts."""
    def join():
        with open(os.path.join(cgroup.path, "cgroup.procs"), "w") as f:
            f.write(str(os.getpid()))
    env = dict(os.environ, GOOPS_GATE="1" if gate else "0")
    p = subprocess.Popen(argv + [str(n)] + list(extra), preexec_fn=join, env=env,
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    if gate:
        if p.stdout.readline().strip() != "ready":
            raise SystemExit("workload did not announce ready")
        gate()
        p.stdin.write("go\n")
        p.stdin.flush()
    out, _ = p.communicate()
    if p.returncode != 0:
        raise SystemExit(f"workload {argv} failed: {p.returncode}")
    m = re.search(r"elapsed_ns (\d+) ops (\d+)", out)
    return int(m.group(1)), int(m.group(2))


class Loader:
    def __init__(self, binary, probes, cgroup, ringbuf=None):
        argv = [binary, "standalone", "--cgroup", cgroup.path, "--probes", probes,
                "--metrics-addr", "127.0.0.1:0", "--report-interval-ms", "1000",
                "--log-format", "text", "--log-level", "warn"]
        if ringbuf:
            argv += ["--ringbuf-bytes", str(ringbuf)]
        self.p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                  text=True)
        self.port = None
        deadline = time.time() + 30
        while time.time() < deadline:
            line = self.p.stderr.readline()
            if not line:
                break
            if line.startswith("metrics-port "):
                self.port = int(line.split()[1])
                break
        if not self.port:
            self.p.kill()
            raise SystemExit("loader did not start")
        # Drain stderr so the loader never blocks on a full pipe.
        import threading
        threading.Thread(target=lambda: self.p.stderr.read(), daemon=True).start()
        while time.time() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/readyz", timeout=2)
                break
            except Exception:
                time.sleep(0.1)

    def counters(self, probe):
        text = urllib.request.urlopen(f"http://127.0.0.1:{self.port}/metrics",
                                      timeout=10).read().decode()
        c = {"hits": 0, "events": 0, "dropped": 0}
        for name, key in (("limen_probe_hits_total", "hits"), ("limen_probe_events_total", "events"),
                          ("limen_probe_dropped_total", "dropped")):
            for m in re.finditer(name + r'\{[^}]*probe="' + re.escape(probe) + r'"[^}]*\} (\S+)',
                                 text):
                c[key] += float(m.group(1))
        return c

    def wait_counters(self, probe, before, settle=1.5):
        # The agent publishes a snapshot every second: wait until the counters stop moving.
        time.sleep(settle)
        last = self.counters(probe)
        while True:
            time.sleep(1.1)
            now = self.counters(probe)
            if now == last:
                return now
            last = now

    def wait_uprobes(self, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            text = urllib.request.urlopen(f"http://127.0.0.1:{self.port}/metrics",
                                          timeout=10).read().decode()
            m = re.search(r"limen_bpf_loader_go_binaries_attached\{[^}]*\} (\S+)", text)
            if m and float(m.group(1)) >= 1:
                return
            time.sleep(0.1)
        raise SystemExit("uprobes did not attach")

    def rss_kb(self):
        with open(f"/proc/{self.p.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def stop(self):
        self.p.terminate()
        try:
            self.p.wait(10)
        except subprocess.TimeoutExpired:
            self.p.kill()


def per_event(args, bins, parent):
    results = {}
    for probe, (argv_of, n) in PROBES.items():
        if args.only and probe not in args.only:
            continue
        n = int(n * args.scale)
        go = probe.startswith("go.")
        cg = Cgroup(parent, "bench-work")
        other = Cgroup(parent, "bench-other")
        rows = []
        try:
            run_workload(argv_of(bins), cg, max(n // 10, 1))  # warm caches
            for r in range(args.runs):
                # Go workloads pause at the gate in every variant, so all three are alike.
                pause = (lambda: time.sleep(1.5)) if go else None
                base, _ = run_workload(argv_of(bins), cg, n, gate=pause)
                ld = Loader(bins["loader"], probe, other)
                untraced, _ = run_workload(argv_of(bins), cg, n, gate=pause)
                ld.stop()
                ld = Loader(bins["loader"], probe, cg)
                before = ld.counters(probe)
                traced, _ = run_workload(argv_of(bins), cg, n,
                                         gate=ld.wait_uprobes if go else None)
                after = ld.wait_counters(probe, before)
                ld.stop()
                hits = after["hits"] - before["hits"]
                rows.append({"base_ns": base, "traced_ns": traced, "untraced_ns": untraced,
                             "hits": hits, "ops": n,
                             "ns_per_event": (traced - base) / hits if hits else None,
                             "untraced_ns_per_op": (untraced - base) / n})
                print(f"  {probe} run {r + 1}: base {base / n:.0f} ns/op, traced "
                      f"{traced / n:.0f} ns/op, {hits / n:.2f} events/op → "
                      f"{rows[-1]['ns_per_event']} ns/event", flush=True)
        finally:
            cg.remove()
            other.remove()
        costs = [r["ns_per_event"] for r in rows if r["ns_per_event"] is not None]
        results[probe] = {
            "runs": rows,
            "ops": n,
            "events_per_op": statistics.median(r["hits"] / r["ops"] for r in rows),
            "median_ns_per_event": statistics.median(costs) if costs else None,
            "min_ns_per_event": min(costs) if costs else None,
            "max_ns_per_event": max(costs) if costs else None,
            "median_base_ns_per_op": statistics.median(r["base_ns"] / r["ops"] for r in rows),
            "median_traced_ratio": statistics.median(r["traced_ns"] / r["base_ns"] for r in rows),
            "median_untraced_ns_per_op": statistics.median(r["untraced_ns_per_op"] for r in rows),
        }
    return results


def ring_buffer(args, bins, parent):
    cg = Cgroup(parent, "bench-flood")
    out = []
    try:
        idle_ld = Loader(bins["loader"], "tcp.send", cg)
        time.sleep(5)
        idle_kb = idle_ld.rss_kb()
        idle_ld.stop()
        for threads in args.flood_threads:
            ld = Loader(bins["loader"], "tcp.send", cg)
            before = ld.counters("tcp.send")
            peak = [ld.rss_kb()]
            import threading
            stop = threading.Event()

            def sample():
                while not stop.is_set():
                    peak[0] = max(peak[0], ld.rss_kb())
                    time.sleep(0.05)
            t = threading.Thread(target=sample)
            t.start()
            elapsed, ops = run_workload([bins["ops"], "flood"], cg, args.flood_ms, [str(threads)])
            stop.set()
            t.join()
            after = ld.wait_counters("tcp.send", before)
            ld.stop()
            delivered = after["events"] - before["events"]
            dropped = after["dropped"] - before["dropped"]
            seconds = elapsed / 1e9
            out.append({"threads": threads, "seconds": seconds, "sends": ops,
                        "delivered": delivered, "dropped": dropped,
                        "events_per_s": (delivered + dropped) / seconds,
                        "delivered_per_s": delivered / seconds,
                        "loss_pct": 100 * dropped / (delivered + dropped) if delivered + dropped else 0,
                        "loader_peak_rss_kb": peak[0]})
            print(f"  flood {threads} thread(s): {out[-1]['events_per_s']:.0f} events/s, "
                  f"loss {out[-1]['loss_pct']:.4f} %, loader peak RSS {peak[0]} kB", flush=True)
    finally:
        cg.remove()
    return {"idle_rss_kb": idle_kb, "runs": out}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--loader", required=True)
    ap.add_argument("--ops", required=True)
    ap.add_argument("--goops", required=True)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--only", nargs="*")
    ap.add_argument("--flood-ms", type=int, default=5000)
    ap.add_argument("--flood-threads", type=int, nargs="*", default=[1, 2])
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("needs root (BPF, cgroups)")
    bins = {"loader": args.loader, "ops": args.ops, "goops": args.goops}
    parent = Cgroup(own_cgroup_v2(), f"limen-bench-{os.getpid()}")
    try:
        print("per-event cost", flush=True)
        pe = per_event(args, bins, parent.path)
        print("ring buffer and RSS", flush=True)
        rb = ring_buffer(args, bins, parent.path)
    finally:
        parent.remove()
    with open("/proc/cpuinfo") as f:
        cpu = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), "?")
    result = {"machine": {"kernel": platform.release(), "cpu": cpu, "cpus": os.cpu_count(),
                          "load_avg_at_end": os.getloadavg()},
              "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
              "runs": args.runs, "per_event": pe, "ring_buffer": rb, "goals": GOALS}
    with open(args.out, "w") as f:
        json.dump(result, f, indent=2)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The limen-bpf-loader benchmarks (run through bench/bpf/run, which builds Release first).

Per-event cost of each probe. A workload (ops.c / goops) does N operations in a test cgroup
and times its loop itself: wall time and CPU time (user + system of the workload and its
children, getrusage). Each round runs three variants back to back, alternating their order
from round to round (base, untraced, traced, then traced, untraced, base, ...):
  base      no loader running;
  untraced  the loader runs with only that probe but traces another (empty) cgroup, so the
            probe fires and returns at the filter (the cost every other process on the node
            pays);
  traced    the loader runs with only that probe and traces the workload's cgroup.
ns/event = (traced - base) / events, events = the probe's in-kernel hit counter read from the
loader's /metrics (exact, not estimated). Medians over the rounds. CPU time is the headline:
the machine is shared, and wall time also counts the time the workload waited for a CPU
that others held; wall-time figures are reported beside it. The loader's own CPU time per
event (the user-space consumer of the ring buffer) is reported separately.

Extra runs per probe (--stats-runs, default 3 of each kind, medians) hold BPF run-time
statistics on (BPF_ENABLE_STATS, released when the run ends; never during the timed rounds,
since they add two clock reads per program run) and read run_cnt / run_time_ns of the
loader's programs from /proc/<loader>/fdinfo: traced, the number of uprobe firings per event
(go.chan.block fires gopark and ready uprobes) and the in-kernel program time per event;
untraced, the program time per run that a process outside every traced cgroup pays at the
filter (uprobes attach to traced binaries only, so they have none). tcp.retransmit is
measured this way only: retransmissions come from timers (RTO >= 200 ms), a few per
connection, so a wall/CPU difference per event would be noise.

Ring buffer: `ops flood` (corked loopback TCP, 64 one-byte sends per sendmmsg) offers
tcp.send events at paced rates and unpaced, with the loader running every probe (the
default) and tracing the flood's cgroup. offered/s = kernel hits / elapsed, delivered/s =
delivered / elapsed, loss = dropped / hits, from the kernel's per-CPU counters.

Loader RSS: VmRSS and VmHWM of the loader running every probe on an idle cgroup 5 s after
start (idle), and the peak VmRSS sampled every 50 ms plus VmHWM during the floods (load).
"""
import argparse
import ctypes
import json
import os
import platform
import re
import statistics
import subprocess
import threading
import time
import urllib.request

# probe → (workload argv builder, N, --probes value). tcp.retransmit loads tcp.state too:
# retransmissions fire from timers, outside the process, and are attributed through the
# socket → pod map that the process-context TCP probes fill.
PROBES = {
    "process.exec": (lambda b: [b["ops"], "exec"], 1500, "process.exec"),
    "process.exit": (lambda b: [b["ops"], "exec"], 1500, "process.exit"),
    "tcp.send": (lambda b: [b["ops"], "send"], 200000, "tcp.send"),
    "tcp.state": (lambda b: [b["ops"], "conn"], 5000, "tcp.state"),
    "tcp.retransmit": (lambda b: [b["ops"], "retransmit"], 300, "tcp.retransmit,tcp.state"),
    "go.goroutine.create": (lambda b: [b["goops"], "spawn"], 200000, "go.goroutine.create"),
    "go.goroutine.exit": (lambda b: [b["goops"], "spawn"], 200000, "go.goroutine.exit"),
    "go.chan.block": (lambda b: [b["goops"], "chan"], 100000, "go.chan.block"),
}
STATS_ONLY = {"tcp.retransmit"}
# The BPF programs behind each probe (names as the kernel truncates them, 15 chars).
PROGRAMS = {
    "process.exec": ("btf_exec", "raw_exec", "tp_exec"),
    "process.exit": ("btf_exit", "raw_exit", "tp_exit"),
    "tcp.send": ("btf_send", "raw_send", "tp_send"),
    "tcp.state": ("btf_state", "raw_state", "tp_state"),
    "tcp.retransmit": ("btf_retransmit", "raw_retransmit", "tp_retransmit"),
    "go.goroutine.create": ("go_newproc1",),
    "go.goroutine.exit": ("go_goexit1",),
    "go.chan.block": ("go_gopark", "go_ready"),
}
GOALS = {"tracepoint_ns": 300, "uprobe_ns": 400, "loss_pct": 0.1, "rate": 500000,
         "rss_mb": 24}
LOADS = []  # (phase, 1-min load average) samples


def note_load(phase):
    LOADS.append((phase, os.getloadavg()[0]))


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
    """Runs the workload in `cgroup`; returns (wall ns, cpu ns, ops). With `gate`, the
    workload (goops) announces "ready", gate() waits (e.g. for the uprobes to attach), then
    the timed loop starts."""
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
    m = re.search(r"elapsed_ns (\d+) cpu_ns (\d+) ops (\d+)", out)
    return int(m.group(1)), int(m.group(2)), int(m.group(3))


def proc_cpu_ns(pid):
    """CPU time of every thread of `pid`, in ns (schedstat: exact, not clock ticks)."""
    total = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                total += int(f.read().split()[0])
        except OSError:
            pass  # the thread ended
    return total


class BpfStats:
    """Holds kernel BPF run-time statistics on while alive (BPF_ENABLE_STATS returns an fd;
    the kernel turns them off when the last such fd closes)."""

    def __init__(self):
        libc = ctypes.CDLL(None, use_errno=True)
        attr = ctypes.c_uint32(0)  # enable_stats.type = BPF_STATS_RUN_TIME
        # 321 = __NR_bpf on x86_64, 32 = BPF_ENABLE_STATS.
        self.fd = libc.syscall(321, 32, ctypes.byref(attr), 4)
        if self.fd < 0:
            raise OSError(ctypes.get_errno(), "BPF_ENABLE_STATS")

    def close(self):
        os.close(self.fd)


def prog_stats(pid):
    """{program name: (run_cnt, run_time_ns)} of the BPF programs process `pid` holds."""
    ids = {}
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}") != "anon_inode:bpf-prog":
                continue
            with open(f"/proc/{pid}/fdinfo/{fd}") as f:
                info = dict(line.split(":", 1) for line in f if ":" in line)
        except OSError:
            continue
        ids[int(info["prog_id"])] = (int(info.get("run_cnt", 0)), int(info.get("run_time_ns", 0)))
    out = {}
    for pid_, (cnt, ns) in ids.items():
        show = subprocess.run(["bpftool", "-j", "prog", "show", "id", str(pid_)],
                              capture_output=True, text=True)
        name = json.loads(show.stdout).get("name", str(pid_)) if show.returncode == 0 else str(pid_)
        c0, n0 = out.get(name, (0, 0))
        out[name] = (c0 + cnt, n0 + ns)
    return out


class Loader:
    def __init__(self, binary, probes, cgroup, ringbuf=None):
        argv = [binary, "standalone", "--cgroup", cgroup.path,
                "--metrics-addr", "127.0.0.1:0", "--report-interval-ms", "1000",
                "--log-format", "text", "--log-level", "warn"]
        if probes:
            argv += ["--probes", probes]
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
        threading.Thread(target=lambda: self.p.stderr.read(), daemon=True).start()
        while time.time() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/readyz", timeout=2)
                return
            except Exception:
                time.sleep(0.1)
        self.stop()
        raise SystemExit("loader did not become ready")

    def metrics(self):
        return urllib.request.urlopen(f"http://127.0.0.1:{self.port}/metrics",
                                      timeout=10).read().decode()

    def counters(self, probe):
        text = self.metrics()
        c = {"hits": 0, "events": 0, "dropped": 0}
        for name, key in (("limen_probe_hits_total", "hits"), ("limen_probe_events_total", "events"),
                          ("limen_probe_dropped_total", "dropped")):
            for m in re.finditer(name + r'\{[^}]*probe="' + re.escape(probe) + r'"[^}]*\} (\S+)',
                                 text):
                c[key] += float(m.group(1))
        m = re.search(r"^limen_bpf_loader_events_received_total(?:\{[^}]*\})? (\S+)", text, re.M)
        c["received"] = float(m.group(1)) if m else 0
        return c

    def wait_counters(self, probe, settle=1.5):
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
            m = re.search(r"^limen_bpf_loader_go_binaries_attached(?:\{[^}]*\})? (\S+)",
                          self.metrics(), re.M)
            if m and float(m.group(1)) >= 1:
                return
            time.sleep(0.1)
        raise SystemExit("uprobes did not attach")

    def status_kb(self, key):
        with open(f"/proc/{self.p.pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
        return 0

    def cpu_ns(self):
        return proc_cpu_ns(self.p.pid)

    def stop(self):
        self.p.terminate()
        try:
            self.p.wait(10)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()


def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def one_probe(args, bins, parent, probe):
    argv_of, n, probes_flag = PROBES[probe]
    argv = argv_of(bins)
    n = max(int(n * args.scale), 1)
    go = probe.startswith("go.")
    cg = Cgroup(parent, "bench-work")
    other = Cgroup(parent, "bench-other")
    rows = []
    stats = None
    note_load(probe)
    try:
        # Go workloads pause at the gate in every variant, so all three are alike.
        pause = (lambda: time.sleep(1.0)) if go else None

        def base():
            w, c, _ = run_workload(argv, cg, n, gate=pause)
            return {"wall": w, "cpu": c}

        def untraced():
            ld = Loader(bins["loader"], probes_flag, other)
            try:
                w, c, _ = run_workload(argv, cg, n, gate=pause)
            finally:
                ld.stop()
            return {"wall": w, "cpu": c}

        def traced():
            ld = Loader(bins["loader"], probes_flag, cg)
            try:
                before = ld.counters(probe)
                l0 = ld.cpu_ns()
                w, c, _ = run_workload(argv, cg, n, gate=ld.wait_uprobes if go else None)
                after = ld.wait_counters(probe, settle=1.0)
                l1 = ld.cpu_ns()
            finally:
                ld.stop()
            return {"wall": w, "cpu": c, "hits": after["hits"] - before["hits"],
                    "dropped": after["dropped"] - before["dropped"], "loader_cpu": l1 - l0}

        if probe not in STATS_ONLY:
            run_workload(argv, cg, max(n // 10, 1))  # warm caches
            variants = [("base", base), ("untraced", untraced), ("traced", traced)]
            for r in range(args.runs):
                got = {}
                for name, fn in (variants if r % 2 == 0 else variants[::-1]):
                    got[name] = fn()
                b, u, t = got["base"], got["untraced"], got["traced"]
                hits = t["hits"]
                row = {"ops": n, "hits": hits, "dropped": t["dropped"],
                       "base_wall_ns": b["wall"], "base_cpu_ns": b["cpu"],
                       "untraced_wall_ns": u["wall"], "untraced_cpu_ns": u["cpu"],
                       "traced_wall_ns": t["wall"], "traced_cpu_ns": t["cpu"],
                       "loader_cpu_ns": t["loader_cpu"],
                       "cpu_ns_per_event": (t["cpu"] - b["cpu"]) / hits if hits else None,
                       "wall_ns_per_event": (t["wall"] - b["wall"]) / hits if hits else None,
                       "loader_ns_per_event": t["loader_cpu"] / hits if hits else None,
                       "untraced_cpu_ns_per_op": (u["cpu"] - b["cpu"]) / n}
                rows.append(row)
                print(f"  {probe} round {r + 1}: base {b['cpu'] / n:.0f} cpu-ns/op "
                      f"({b['wall'] / n:.0f} wall), traced {t['cpu'] / n:.0f} "
                      f"({t['wall'] / n:.0f}), {hits / n:.2f} events/op -> "
                      f"{row['cpu_ns_per_event'] or 0:.0f} cpu-ns/event "
                      f"({row['wall_ns_per_event'] or 0:.0f} wall), load "
                      f"{os.getloadavg()[0]:.1f}", flush=True)
        if not args.no_stats:
            stats = stats_run(bins, probes_flag, probe, argv, cg, other, n, go, args.stats_runs)
            print(f"  {probe} bpf stats: {stats}", flush=True)
    finally:
        cg.remove()
        other.remove()
    res = {"ops": n, "runs": rows, "stats": stats}
    if rows:
        res.update({
            "events_per_op": median(r["hits"] / r["ops"] for r in rows),
            "median_cpu_ns_per_event": median(r["cpu_ns_per_event"] for r in rows),
            "min_cpu_ns_per_event": min(r["cpu_ns_per_event"] or 0 for r in rows),
            "max_cpu_ns_per_event": max(r["cpu_ns_per_event"] or 0 for r in rows),
            "median_wall_ns_per_event": median(r["wall_ns_per_event"] for r in rows),
            "median_loader_ns_per_event": median(r["loader_ns_per_event"] for r in rows),
            "median_base_cpu_ns_per_op": median(r["base_cpu_ns"] / r["ops"] for r in rows),
            "median_base_wall_ns_per_op": median(r["base_wall_ns"] / r["ops"] for r in rows),
            "median_untraced_cpu_ns_per_op": median(r["untraced_cpu_ns_per_op"] for r in rows),
        })
    return res


def stats_once(bins, probes_flag, probe, argv, work_cg, trace_cg, n, go):
    """One run with kernel BPF statistics on: the loader traces `trace_cg`, the workload
    runs in `work_cg` (Go workloads wait for the uprobes: traced runs only). Returns
    (hits, {program: (run_cnt, run_time_ns)})."""
    st = BpfStats()
    try:
        ld = Loader(bins["loader"], probes_flag, trace_cg)
        try:
            before = ld.counters(probe)
            p0 = prog_stats(ld.p.pid)
            run_workload(argv, work_cg, n, gate=ld.wait_uprobes if go else None)
            after = ld.wait_counters(probe, settle=1.0)
            p1 = prog_stats(ld.p.pid)
        finally:
            ld.stop()
    finally:
        st.close()
    progs = {}
    for name in PROGRAMS[probe]:
        if name in p1:
            progs[name] = (p1[name][0] - p0.get(name, (0, 0))[0],
                           p1[name][1] - p0.get(name, (0, 0))[1])
    return after["hits"] - before["hits"], progs


def stats_run(bins, probes_flag, probe, argv, cg, other, n, go, runs):
    """The probe's programs' own time, from `runs` traced runs (per event) and `runs`
    untraced ones (per program run: what a process of another cgroup pays at the filter;
    uprobes attach to traced binaries only, so they have no untraced runs). Medians."""
    traced, untraced = [], []
    for r in range(runs):
        for kind in (("traced", "untraced") if r % 2 == 0 else ("untraced", "traced")):
            if kind == "untraced" and go:
                continue
            hits, progs = stats_once(bins, probes_flag, probe, argv, cg,
                                     cg if kind == "traced" else other, n, go)
            (traced if kind == "traced" else untraced).append((hits, progs))
    hits, progs = traced[len(traced) // 2]  # program breakdown of one (the middle) run
    per_event = [sum(t for _, t in p.values()) / h for h, p in traced if h]
    runs_per_event = [sum(c for c, _ in p.values()) / h for h, p in traced if h]
    per_run = [sum(t for _, t in p.values()) / sum(c for c, _ in p.values())
               for _, p in traced if sum(c for c, _ in p.values())]
    untraced_per_run = [sum(t for _, t in p.values()) / sum(c for c, _ in p.values())
                        for _, p in untraced if sum(c for c, _ in p.values())]
    return {"hits": hits, "ops": n,
            "programs": {k: {"run_cnt": c, "run_time_ns": t, "ns_per_run": t / c if c else None}
                         for k, (c, t) in progs.items()},
            "runs": sum(c for c, _ in progs.values()),
            "stats_runs": runs,
            "runs_per_event": median(runs_per_event) if runs_per_event else None,
            "prog_ns_per_run": median(per_run) if per_run else None,
            "prog_ns_per_event": median(per_event) if per_event else None,
            "prog_ns_per_event_all": per_event,
            "untraced_prog_ns_per_run": median(untraced_per_run) if untraced_per_run else None,
            "untraced_prog_ns_per_run_all": untraced_per_run}


FLOOR_SCRIPT = r"""
set -eu
mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing
trap 'perf probe -q -d "limenbench:*" >/dev/null 2>&1 || true' EXIT
perf probe -q -x "$GOOPS" -a limenbench:newproc1=runtime.newproc1 >/dev/null 2>&1
perf probe -q -x "$GOOPS" -a "limenbench:newproc1push=runtime.newproc1+$PUSH_OFFSET" \
  >/dev/null 2>&1
for r in $(seq "$RUNS"); do
  echo "uprobe base $("$GOOPS" spawn "$N_GO")"
  echo "uprobe probed $(perf stat -x, -e limenbench:newproc1 -o "$TMP/perf" \
    "$GOOPS" spawn "$N_GO") count $(cut -d, -f1 "$TMP/perf" | grep -E '^[0-9]+$')"
  echo "uprobe_push base $("$GOOPS" spawn "$N_GO")"
  echo "uprobe_push probed $(perf stat -x, -e limenbench:newproc1push -o "$TMP/perf" \
    "$GOOPS" spawn "$N_GO") count $(cut -d, -f1 "$TMP/perf" | grep -E '^[0-9]+$')"
  echo "tracepoint base $("$OPS" send "$N_SEND")"
  echo "tracepoint probed $(perf stat -x, -e sock:sock_send_length -o "$TMP/perf" \
    "$OPS" send "$N_SEND") count $(cut -d, -f1 "$TMP/perf" | grep -E '^[0-9]+$')"
done
"""


def push_offset(binary, function):
    """The offset of the first `push %rbp` in `function` of `binary` (where the loader puts
    its uprobe: bpf-loader's GoUprobeOffset), from objdump."""
    nm = subprocess.run(["nm", binary], capture_output=True, text=True, check=True).stdout
    addr = next(int(line.split()[0], 16) for line in nm.splitlines()
                if line.endswith(" " + function))
    dis = subprocess.run(["objdump", "-d", f"--start-address={addr:#x}",
                          f"--stop-address={addr + 32:#x}", binary],
                         capture_output=True, text=True, check=True).stdout
    for line in dis.splitlines():
        m = re.match(r"\s*([0-9a-f]+):\s+(?:[0-9a-f]{2} )+\s*push\s+%rbp", line)
        if m:
            return int(m.group(1), 16) - addr
    return 0


def kernel_floor(args, bins):
    """The cost of the hook alone on this machine, without any BPF program: a perf counting
    event (no sampling, no buffer) on the uprobe runtime.newproc1 of goops — at its entry
    (the stack check's `cmp`, single-stepped: two traps) and at its `push %rbp` (emulated:
    one trap, where the loader attaches) — and on the tracepoint sock:sock_send_length, vs
    none; CPU time of the same workloads as the probes'. Runs in a private mount namespace
    (tracefs mounted there only) and deletes its uprobe events on exit."""
    if subprocess.run(["sh", "-c", "command -v perf"], capture_output=True).returncode:
        return {"error": "perf not installed"}
    tmp = f"/tmp/limen-bench-floor-{os.getpid()}"
    os.makedirs(tmp, exist_ok=True)
    goops = os.path.join(tmp, "goops")  # a private copy: the uprobe is on this inode only
    subprocess.run(["cp", bins["goops"], goops], check=True)
    n_go, n_send = max(int(100000 * args.scale), 1), max(int(100000 * args.scale), 1)
    env = dict(os.environ, GOOPS=goops, OPS=bins["ops"], RUNS=str(args.runs), TMP=tmp,
               N_GO=str(n_go), N_SEND=str(n_send), GOOPS_GATE="0",
               PUSH_OFFSET=str(push_offset(goops, "runtime.newproc1")))
    note_load("floor")
    p = subprocess.run(["unshare", "-m", "bash", "-c", FLOOR_SCRIPT], env=env,
                       capture_output=True, text=True)
    subprocess.run(["rm", "-rf", tmp])
    if p.returncode:
        return {"error": p.stderr.strip()[-500:]}
    rows = {kind: {"base": [], "probed": []} for kind in ("uprobe", "uprobe_push", "tracepoint")}
    for line in p.stdout.splitlines():
        m = re.match(r"(\w+) (\w+) elapsed_ns (\d+) cpu_ns (\d+) ops (\d+)(?: count (\d+))?", line)
        if m:
            rows[m.group(1)][m.group(2)].append(
                {"wall": int(m.group(3)), "cpu": int(m.group(4)), "count": int(m.group(6) or 0)})
    out = {}
    for kind, v in rows.items():
        per = [(pr["cpu"] - b["cpu"]) / pr["count"] for b, pr in zip(v["base"], v["probed"])
               if pr["count"]]
        out[kind] = {"runs": v, "cpu_ns_per_hit": per, "median_cpu_ns_per_hit": median(per),
                     "hits_per_run": median(pr["count"] for pr in v["probed"])}
        print(f"  {kind} hook alone (perf counting, no BPF): "
              f"{', '.join(f'{x:.0f}' for x in per)} cpu-ns/hit", flush=True)
    return out


# bench/bpf/empty.bpf.c names its programs KIND_SUFFIX after the tp_btf programs of
# limen.bpf.c (btf_SUFFIX); the kinds are "empty" (returns at once) and "cgid" (reads the
# current cgroup id, the least a filter by pod needs).
EMPTY_PROGRAMS = {probe: names[0].removeprefix("btf_") for probe, names in PROGRAMS.items()
                  if names[0].startswith("btf_")}
EMPTY_KINDS = ("empty", "cgid")


def libbpf():
    lib = ctypes.CDLL("libbpf.so.1", use_errno=True)
    vp = ctypes.c_void_p
    for name, res, argt in (("bpf_object__open_file", vp, [ctypes.c_char_p, vp]),
                            ("bpf_object__load", ctypes.c_int, [vp]),
                            ("bpf_object__close", None, [vp]),
                            ("bpf_object__next_program", vp, [vp, vp]),
                            ("bpf_program__attach", vp, [vp]),
                            ("bpf_program__fd", ctypes.c_int, [vp]),
                            ("bpf_program__name", ctypes.c_char_p, [vp]),
                            ("bpf_link__destroy", ctypes.c_int, [vp])):
        fn = getattr(lib, name)
        fn.restype, fn.argtypes = res, argt
    return lib


def fd_run_stats(fd):
    with open(f"/proc/self/fdinfo/{fd}") as f:
        info = dict(line.split(":", 1) for line in f if ":" in line)
    return int(info.get("run_cnt", 0)), int(info.get("run_time_ns", 0))


def empty_floor(args, bins, parent):
    """The floor under the tracepoint programs: bench/bpf/empty.bpf.c (the same tp_btf hooks,
    programs that return at once, or that only read the cgroup id) attached one kind at a
    time with BPF statistics on while each tracepoint probe's workload runs (--stats-runs
    times): ns per program run, by the same clock as the loader's programs' figures."""
    lib = libbpf()
    obj = lib.bpf_object__open_file(bins["empty"].encode(), None)
    if not obj or lib.bpf_object__load(obj) != 0:
        return {"error": f"loading {bins['empty']} failed"}
    progs, prog = {}, None
    while True:
        prog = lib.bpf_object__next_program(obj, prog)
        if not prog:
            break
        progs[lib.bpf_program__name(prog).decode()] = prog
    st = BpfStats()
    cg = Cgroup(parent, "bench-empty")
    out = {}
    try:
        for kind in EMPTY_KINDS:
            links = []
            try:
                for name, p in progs.items():
                    if name.startswith(kind + "_"):
                        links.append(lib.bpf_program__attach(p))
                for probe, suffix in EMPTY_PROGRAMS.items():
                    name = f"{kind}_{suffix}"
                    if (args.only and probe not in args.only) or name not in progs:
                        continue
                    fd = lib.bpf_program__fd(progs[name])
                    argv_of, n, _ = PROBES[probe]
                    n = max(int(n * args.scale), 1)
                    per_run = []
                    for _ in range(args.stats_runs):
                        c0, t0 = fd_run_stats(fd)
                        run_workload(argv_of(bins), cg, n)
                        c1, t1 = fd_run_stats(fd)
                        if c1 > c0:
                            per_run.append((t1 - t0) / (c1 - c0))
                    out.setdefault(probe, {})[kind] = {"ns_per_run": median(per_run),
                                                       "all": per_run}
                    print(f"  {probe}: {kind} program {median(per_run)} ns/run", flush=True)
            finally:
                for link in links:
                    if link:
                        lib.bpf_link__destroy(link)
    finally:
        lib.bpf_object__close(obj)
        st.close()
        cg.remove()
    return out


def ring_buffer(args, bins, parent):
    cg = Cgroup(parent, "bench-flood")
    out = []
    note_load("ringbuf")
    try:
        idle_ld = Loader(bins["loader"], None, cg)
        time.sleep(5)
        idle = {"vmrss_kb": idle_ld.status_kb("VmRSS"), "vmhwm_kb": idle_ld.status_kb("VmHWM")}
        idle_ld.stop()
        print(f"  loader idle (every probe): VmRSS {idle['vmrss_kb']} kB, "
              f"VmHWM {idle['vmhwm_kb']} kB", flush=True)
        ld = Loader(bins["loader"], None, cg)
        try:
            for threads, rate in args.flood:
                note_load(f"flood {threads}x{rate}")
                before = ld.counters("tcp.send")
                l0 = ld.cpu_ns()
                peak = [ld.status_kb("VmRSS")]
                stop = threading.Event()

                def sample():
                    while not stop.is_set():
                        peak[0] = max(peak[0], ld.status_kb("VmRSS"))
                        time.sleep(0.05)
                t = threading.Thread(target=sample)
                t.start()
                elapsed, cpu, sends = run_workload([bins["ops"], "flood"], cg, args.flood_ms,
                                                   [str(threads), str(rate)])
                stop.set()
                t.join()
                after = ld.wait_counters("tcp.send", settle=1.0)
                l1 = ld.cpu_ns()
                hits = after["hits"] - before["hits"]
                delivered = after["events"] - before["events"]
                dropped = after["dropped"] - before["dropped"]
                seconds = elapsed / 1e9
                out.append({"threads": threads, "target_rate": rate, "seconds": seconds,
                            "sends": sends, "hits": hits, "delivered": delivered,
                            "dropped": dropped,
                            "received": after["received"] - before["received"],
                            "offered_per_s": hits / seconds,
                            "delivered_per_s": delivered / seconds,
                            "loss_pct": 100 * dropped / hits if hits else 0,
                            "workload_cpu_ns": cpu,
                            "loader_cpu_ns": l1 - l0,
                            "loader_ns_per_event": (l1 - l0) / delivered if delivered else None,
                            "loader_peak_vmrss_kb": peak[0],
                            "loader_vmhwm_kb": ld.status_kb("VmHWM")})
                x = out[-1]
                print(f"  flood {threads} thread(s), target {rate or 'max'}/s: offered "
                      f"{x['offered_per_s']:.0f}/s, delivered {x['delivered_per_s']:.0f}/s, "
                      f"loss {x['loss_pct']:.4f} %, loader {x['loader_ns_per_event'] or 0:.0f} "
                      f"ns/event, peak VmRSS {peak[0]} kB, load {os.getloadavg()[0]:.1f}",
                      flush=True)
        finally:
            ld.stop()
    finally:
        cg.remove()
    return {"idle": idle, "runs": out}


def parse_flood(spec):
    threads, _, rate = spec.partition("x")
    return int(threads), int(rate or 0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--loader", required=True)
    ap.add_argument("--ops", required=True)
    ap.add_argument("--goops", required=True)
    ap.add_argument("--empty", help="bench/bpf/empty.bpf.c, compiled (the empty-program floor)")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--only", nargs="*", help="probes to measure (default: all)")
    ap.add_argument("--no-stats", action="store_true", help="skip the BPF run-time stats runs")
    ap.add_argument("--stats-runs", type=int, default=3,
                    help="traced and untraced runs with BPF run-time stats (medians)")
    ap.add_argument("--no-flood", action="store_true", help="skip ring buffer and RSS")
    ap.add_argument("--no-floor", action="store_true",
                    help="skip the hook-alone (perf, no BPF) measurement")
    ap.add_argument("--flood-ms", type=int, default=5000)
    ap.add_argument("--flood", type=parse_flood, nargs="*",
                    default=[(1, 100000), (1, 250000), (1, 500000), (2, 500000), (1, 0), (2, 0)],
                    help="THREADSxRATE sends/s in total (0 = unpaced)")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("needs root (BPF, cgroups)")
    bins = {"loader": args.loader, "ops": args.ops, "goops": args.goops, "empty": args.empty}
    parent = Cgroup(own_cgroup_v2(), f"limen-bench-{os.getpid()}")
    start = time.time()
    pe, rb, floor, empty = {}, None, None, None
    try:
        print("per-event cost", flush=True)
        for probe in PROBES:
            if not args.only or probe in args.only:
                pe[probe] = one_probe(args, bins, parent.path, probe)
        if not args.no_floor:
            print("hook alone (kernel floor on this machine)", flush=True)
            floor = kernel_floor(args, bins)
            if args.empty:
                print("empty BPF programs at the tracepoints", flush=True)
                empty = empty_floor(args, bins, parent.path)
        if not args.no_flood:
            print("ring buffer and RSS", flush=True)
            rb = ring_buffer(args, bins, parent.path)
    finally:
        parent.remove()
    note_load("end")
    lscpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    model = re.search(r"Model name:\s*(.*)", lscpu)
    result = {"machine": {"kernel": platform.release(), "cpu": model.group(1) if model else "?",
                          "cpus": os.cpu_count(), "load_avg_1m": LOADS},
              "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(start)),
              "minutes": (time.time() - start) / 60, "runs": args.runs, "scale": args.scale,
              "per_event": pe, "kernel_floor": floor, "empty_programs": empty, "ring_buffer": rb,
              "goals": GOALS}
    with open(args.out, "w") as f:
        json.dump(result, f, indent=2)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()

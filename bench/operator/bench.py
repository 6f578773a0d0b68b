#!/usr/bin/env python3
"""bench/operator/bench.py — the measurements of the limen-operator benchmark (driven by
bench/operator/run; method in docs/benchmarks.md, section "limen-operator").

  bench.py startup  --impl limen|peer --bin B --kubeconfig K --runs N
      exec→main (LIMEN_BENCH_EXIT_AT_MAIN=1: the binary prints CLOCK_MONOTONIC at main entry
      and exits) and exec→first HTTP 200 from /healthz (the real process against the real
      control plane, polled over a fresh TCP connection every ~0.2 ms), N runs each.
  bench.py storm    --impl limen|peer --bin B --kubeconfig K --writer W --workers N
                    --storms S --round R --expect E
      Starts the operator, waits until its caches synced and its reconciles settled (no
      reconcile for SETTLE seconds, queue empty, process quiet), records RSS, then S times:
      SIGSTOP, toggle
      every policy's selector form (operator_bench_writer toggle), SIGCONT, and times the
      drain of the E workload keys that enqueues, from the operator's own controller metrics
      (controller_runtime_reconcile_total / _time_seconds, workqueue_depth of the
      "instrumentedworkload" controller; the same names in both). RSS again after the storms.

Every result is one JSON line on stdout.
"""
import argparse
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time

CONTROLLER = "instrumentedworkload"


def log(*a):
    print(time.strftime("[%H:%M:%S]"), *a, file=sys.stderr, flush=True)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def command(impl, binary, kubeconfig, port, workers, leader_elect=True):
    if impl == "limen":
        return [binary, f"--kubeconfig={kubeconfig}", f"--metrics-addr=127.0.0.1:{port}",
                f"--workers={workers}", "--report-interval=1h", "--log-level=warn",
                f"--leader-elect={'true' if leader_elect else 'false'}"], port
    return [binary, "-kubeconfig", kubeconfig, "-metrics-addr", f"127.0.0.1:{port}",
            "-health-addr", f"127.0.0.1:{port + 1}", "-workers", str(workers),
            "-report-interval", "1h", f"-leader-elect={'true' if leader_elect else 'false'}"], port + 1


def http_get(port, path, timeout=2.0):
    """(status, body) of GET path, or (None, "") when nothing answers."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
            chunks = []
            while True:
                b = s.recv(65536)
                if not b:
                    break
                chunks.append(b)
    except OSError:
        return None, ""
    data = b"".join(chunks)
    head, _, body = data.partition(b"\r\n\r\n")
    m = re.match(rb"HTTP/1\.[01] (\d+)", head)
    if not m:
        return None, ""
    if b"transfer-encoding: chunked" in head.lower():
        out, rest = b"", body
        while rest:
            size_line, _, rest = rest.partition(b"\r\n")
            n = int(size_line.split(b";")[0] or b"0", 16)
            if n == 0:
                break
            out, rest = out + rest[:n], rest[n + 2:]
        body = out
    return int(m.group(1)), body.decode(errors="replace")


SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})?\s+([^\s]+)')


def controller_metrics(port):
    """Sums of this controller's reconcile count, reconcile time and queue depth."""
    t0 = time.monotonic()
    status, body = http_get(port, "/metrics", timeout=5)
    scrape_s = time.monotonic() - t0
    if status != 200:
        return None
    out = {"total": 0.0, "time_sum": 0.0, "time_count": 0.0, "depth": 0.0, "errors": 0.0,
           "scrape_s": scrape_s, "bytes": len(body)}
    for line in body.splitlines():
        if not line or line[0] == "#":
            continue
        m = SAMPLE.match(line)
        if not m:
            continue
        name, labels, value = m.group(1), m.group(3) or "", float(m.group(4))
        mine = f'controller="{CONTROLLER}"' in labels or f'name="{CONTROLLER}"' in labels
        if not mine:
            continue
        if name == "controller_runtime_reconcile_total":
            out["total"] += value
        elif name == "controller_runtime_reconcile_errors_total":
            out["errors"] += value
        elif name == "controller_runtime_reconcile_time_seconds_sum":
            out["time_sum"] += value
        elif name == "controller_runtime_reconcile_time_seconds_count":
            out["time_count"] += value
        elif name == "workqueue_depth":
            out["depth"] += value
    return out


def memory(pid):
    m = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "VmHWM"):
                m[k] = int(v.split()[0]) * 1024
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("Rss", "Pss", "Anonymous", "Private_Dirty"):
                m["smaps_" + k] = int(v.split()[0]) * 1024
    return m


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def stop(proc):
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


# ---- startup -----------------------------------------------------------------------------

def startup(a):
    env_main = dict(os.environ, LIMEN_BENCH_EXIT_AT_MAIN="1")
    for i in range(a.runs):
        # exec→main
        r, w = os.pipe()
        t0 = time.monotonic_ns()
        pid = os.posix_spawn(a.bin, [a.bin], env_main, file_actions=[(os.POSIX_SPAWN_DUP2, w, 1)])
        os.close(w)
        out = b""
        while chunk := os.read(r, 4096):
            out += chunk
        os.close(r)
        os.waitpid(pid, 0)
        main_ns = int(out.split()[0]) - t0
        # exec→/healthz 200
        port = free_port()
        argv, health_port = command(a.impl, a.bin, a.kubeconfig, port, 2, leader_elect=False)
        if a.impl == "peer" and health_port != port + 1:
            raise SystemExit("unexpected health port")
        with open(a.log, "ab") as logf:
            t0 = time.monotonic_ns()
            proc = subprocess.Popen(argv, stdout=logf, stderr=logf)
            healthz_ns = None
            while time.monotonic_ns() - t0 < 10e9:
                try:
                    with socket.create_connection(("127.0.0.1", health_port), timeout=1) as s:
                        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                        head = s.recv(64)
                    if head.startswith(b"HTTP/1.1 200") or head.startswith(b"HTTP/1.0 200"):
                        healthz_ns = time.monotonic_ns() - t0
                        break
                except OSError:
                    pass
                if proc.poll() is not None:
                    break
                time.sleep(0.0002)
            stop(proc)
        print(json.dumps({"kind": "startup", "impl": a.impl, "round": a.round, "run": i,
                          "exec_to_main_ms": main_ns / 1e6,
                          "exec_to_healthz_ms": None if healthz_ns is None else healthz_ns / 1e6,
                          "loadavg1": os.getloadavg()[0]}), flush=True)
        time.sleep(0.2)


# ---- storm -------------------------------------------------------------------------------

def wait_settled(port, proc, settle_s, timeout_s):
    """Waits until /readyz is 200, the reconcile total has not moved for settle_s with an
    empty queue, and the process has been quiet (< 10 % of a CPU between two scrapes: the
    Events and status writes of the initial reconciles are done too). Metrics are scraped
    every 3 s only, and the CPU time is taken between scrapes, not across them (a scrape of
    Limen's 1.2 MB /metrics costs it tens of ms). Returns (s to readyz, s to settled, metrics)."""
    t0 = time.monotonic()
    ready_at = None
    last_total, last_change = -1.0, time.monotonic()
    while time.monotonic() - t0 < timeout_s:
        if proc.poll() is not None:
            raise SystemExit(f"operator exited with {proc.returncode}")
        if ready_at is None:
            st, _ = http_get(port[1], "/readyz")
            if st == 200:
                ready_at = time.monotonic() - t0
        m = controller_metrics(port[0])
        c0, w0 = runtime_ns(proc.pid), time.monotonic()
        time.sleep(3.0)
        quiet = (runtime_ns(proc.pid) - c0) < 0.10 * (time.monotonic() - w0) * 1e9
        if m is None:
            continue
        if m["total"] != last_total:
            last_total, last_change = m["total"], time.monotonic()
        elif (ready_at is not None and m["total"] > 0 and m["depth"] == 0 and quiet
              and time.monotonic() - last_change >= settle_s):
            return ready_at, time.monotonic() - t0, m
    raise SystemExit("operator did not settle")


def runtime_ns(pid):
    """CPU time of every thread of the process so far, in ns (schedstat: ns resolution)."""
    total = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                total += int(f.read().split()[0])
        except OSError:
            pass  # the thread exited
    return total


def one_storm(a, proc, port):
    """One toggle of every policy while the operator is stopped, then the drain.

    The end of the drain is found without touching the operator (a /metrics scrape of
    1,000 workloads' series costs it tens of ms of CPU): its threads' CPU time is sampled
    every 5 ms; the drain ends with the last sample in which the process ran at least a
    quarter of a CPU, once it has then been quiet for 0.4 s. The metrics are read before and
    after only (the reconcile count must have grown by the expected keys, the queue empty)."""
    before = controller_metrics(port)
    os.kill(proc.pid, signal.SIGSTOP)
    try:
        subprocess.run([a.writer, "toggle", f"--kubeconfig={a.kubeconfig}"], check=True,
                       stdout=subprocess.DEVNULL)
        time.sleep(0.3)  # the watch events wait in the operator's sockets
        cpu0 = runtime_ns(proc.pid)
    finally:
        t0 = time.monotonic()
        os.kill(proc.pid, signal.SIGCONT)
    last_t, last_r, busy_end, cpu_end, after = t0, cpu0, None, cpu0, None
    while time.monotonic() - t0 < a.timeout:
        time.sleep(0.005)
        t, r = time.monotonic(), runtime_ns(proc.pid)
        if (r - last_r) >= 0.25 * (t - last_t) * 1e9:
            busy_end, cpu_end = t, r
        last_t, last_r = t, r
        if busy_end is not None and t - busy_end >= 0.4:
            after = controller_metrics(port)
            if after["total"] - before["total"] >= a.expect and after["depth"] == 0:
                break
            busy_end = None if after["depth"] > 0 else busy_end
    cpu1 = cpu_end  # at the end of the drain, before the confirming scrape
    time.sleep(1.0)  # anything that follows the drain (status writes, re-enqueues)
    late = controller_metrics(port)
    n = after["total"] - before["total"] if after else 0
    dt = busy_end - t0 if busy_end else None
    busy = after["time_sum"] - before["time_sum"] if after else 0
    count = after["time_count"] - before["time_count"] if after else 0
    rec = {"reconciles": n, "expected": a.expect, "late_reconciles": late["total"] - before["total"] - n,
           "drain_s": dt, "reconciles_per_s": n / dt if dt else None,
           "reconcile_mean_us": busy / count * 1e6 if count else None,
           "process_cpu_ms": (cpu1 - cpu0) / 1e6,
           "cpu_us_per_reconcile": (cpu1 - cpu0) / 1e3 / n if n else None,
           "errors": (after["errors"] - before["errors"]) if after else None,
           "metrics_bytes": before["bytes"], "scrape_ms": before["scrape_s"] * 1e3}
    log(f"{a.impl} w={a.workers}: {n:.0f} reconciles in {dt or 0:.3f} s = "
        f"{rec['reconciles_per_s'] or 0:.0f}/s, mean {rec['reconcile_mean_us'] or 0:.0f} µs, "
        f"CPU {rec['cpu_us_per_reconcile'] or 0:.0f} µs/reconcile")
    return rec


def storm(a):
    port = free_port()
    argv, health_port = command(a.impl, a.bin, a.kubeconfig, port, a.workers)
    with open(a.log, "ab") as logf:
        t_start = time.monotonic()
        proc = subprocess.Popen(argv, stdout=logf, stderr=logf)
        try:
            ready_s, settled_s, m0 = wait_settled((port, health_port), proc, a.settle, a.timeout)
            mem_sync = memory(proc.pid)
            log(f"{a.impl} w={a.workers}: ready {ready_s:.1f}s, settled {settled_s:.1f}s after start "
                f"({m0['total']:.0f} reconciles), RSS {mem_sync['VmRSS'] / 1e6:.1f} MB")
            storms = []
            for s in range(a.storms):
                storms.append(one_storm(a, proc, port))
                time.sleep(0.5)
            mem_after = memory(proc.pid)
            print(json.dumps({"kind": "storm", "impl": a.impl, "workers": a.workers,
                              "round": a.round, "ready_s": ready_s, "settled_s": settled_s,
                              "initial_reconciles": m0["total"], "mem_sync": mem_sync,
                              "mem_after": mem_after, "storms": storms,
                              "loadavg1": os.getloadavg()[0],
                              "wall_s": time.monotonic() - t_start}), flush=True)
        finally:
            stop(proc)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["startup", "storm"])
    p.add_argument("--impl", choices=["limen", "peer"], required=True)
    p.add_argument("--bin", required=True)
    p.add_argument("--kubeconfig", required=True)
    p.add_argument("--writer")
    p.add_argument("--runs", type=int, default=20)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--storms", type=int, default=3)
    p.add_argument("--round", type=int, default=0)
    p.add_argument("--expect", type=int, default=1000)
    p.add_argument("--settle", type=float, default=4.0)
    p.add_argument("--timeout", type=float, default=300.0)
    p.add_argument("--poll", type=float, default=0.02)
    p.add_argument("--log", default="/dev/null")
    a = p.parse_args()
    startup(a) if a.mode == "startup" else storm(a)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Medians and ratios of bench/operator's results.jsonl (one JSON object per measurement,
written by bench.py) as Markdown tables: reconciles/s from the warm cache per worker count,
RSS at 10,000 Pods, exec→main and exec→/healthz; Limen beside the controller-runtime peer."""
import json
import statistics
import sys

GOALS = {"rate": 2000, "rss_mb": 40, "healthz_ms": 12}


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def fmt(x, digits=0):
    if x is None:
        return "–"
    return f"{x:,.{digits}f}"


def ratio(a, b, digits=2):
    return f"{a / b:.{digits}f}" if a is not None and b else "–"


def main(path):
    recs = [json.loads(line) for line in open(path) if line.strip()]
    storms = [r for r in recs if r["kind"] == "storm"]
    starts = [r for r in recs if r["kind"] == "startup"]
    rounds = sorted({r["round"] for r in recs})
    loads = [r["loadavg1"] for r in recs if "loadavg1" in r]
    print(f"\nrounds: {len(rounds)}; 1-min load average during the run: "
          f"{min(loads):.1f}–{max(loads):.1f} (median {med(loads):.1f})\n")

    workers = sorted({r["workers"] for r in storms}, reverse=True)
    print("| reconcile storm (1,000 workload keys, warm cache) | workers | limen-operator | "
          "controller-runtime | Limen / peer |")
    print("|---|---:|---:|---:|---:|")
    for w in workers:
        row = {}
        for impl in ("limen", "peer"):
            ss = [s for r in storms if r["impl"] == impl and r["workers"] == w for s in r["storms"]]
            row[impl] = {
                "rate": med([s["reconciles_per_s"] for s in ss]),
                "rate_all": sorted(round(s["reconciles_per_s"]) for s in ss if s["reconciles_per_s"]),
                "mean_us": med([s["reconcile_mean_us"] for s in ss]),
                "cpu_us": med([s["cpu_us_per_reconcile"] for s in ss]),
                "n": len(ss),
                "rewrites": sum(s["late_reconciles"] for s in ss),
            }
        li, pe = row["limen"], row["peer"]
        print(f"| reconciles/s (median of {li['n']} / {pe['n']} storms) | {w} | **{fmt(li['rate'])}** | "
              f"{fmt(pe['rate'])} | {ratio(li['rate'], pe['rate'])} |")
        print(f"| reconcile time, mean µs (controller_runtime_reconcile_time_seconds) | {w} | "
              f"{fmt(li['mean_us'])} | {fmt(pe['mean_us'])} | {ratio(li['mean_us'], pe['mean_us'])} |")
        print(f"| process CPU per reconcile µs (all threads, schedstat) | {w} | {fmt(li['cpu_us'])} | "
              f"{fmt(pe['cpu_us'])} | {ratio(li['cpu_us'], pe['cpu_us'])} |")
        print(f"| reconciles after the drain (rewrites/loops; 0 = none) | {w} | {li['rewrites']:.0f} | "
              f"{pe['rewrites']:.0f} | |")
        print(f"| every storm, reconciles/s | {w} | {li['rate_all']} | {pe['rate_all']} | |")

    print("\n| memory at 10,000 Pods (MB = 10^6 B) | limen-operator | controller-runtime | Limen / peer |")
    print("|---|---:|---:|---:|")
    for key, label in (("mem_sync", "VmRSS after sync and settle"), ("mem_after", "VmRSS after the storms")):
        li = med([r[key]["VmRSS"] / 1e6 for r in storms if r["impl"] == "limen"])
        pe = med([r[key]["VmRSS"] / 1e6 for r in storms if r["impl"] == "peer"])
        print(f"| {label} | **{fmt(li, 1)}** | {fmt(pe, 1)} | {ratio(li, pe)} |")
    for key, label in (("smaps_Anonymous", "smaps_rollup Anonymous after the storms"),
                       ("VmHWM", "VmHWM (peak)")):
        li = med([r["mem_after"][key] / 1e6 for r in storms if r["impl"] == "limen"])
        pe = med([r["mem_after"][key] / 1e6 for r in storms if r["impl"] == "peer"])
        print(f"| {label} | {fmt(li, 1)} | {fmt(pe, 1)} | {ratio(li, pe)} |")
    for key, label in (("ready_s", "start → /readyz 200 s (Limen: caches synced; peer: ping only)"),
                       ("settled_s", "start → initial reconciles settled s")):
        li = med([r[key] for r in storms if r["impl"] == "limen"])
        pe = med([r[key] for r in storms if r["impl"] == "peer"])
        print(f"| {label} | {fmt(li, 1)} | {fmt(pe, 1)} | {ratio(li, pe)} |")

    print("\n| startup (ms, median of all runs) | limen-operator | controller-runtime | Limen / peer |")
    print("|---|---:|---:|---:|")
    for key, label in (("exec_to_main_ms", "exec → main"), ("exec_to_healthz_ms", "exec → first /healthz 200")):
        li = [r[key] for r in starts if r["impl"] == "limen"]
        pe = [r[key] for r in starts if r["impl"] == "peer"]
        print(f"| {label} (runs {len(li)} / {len(pe)}) | **{fmt(med(li), 2)}** | {fmt(med(pe), 2)} | "
              f"{ratio(med(li), med(pe))} |")
        per_round = {impl: [fmt(med([r[key] for r in starts if r['impl'] == impl and r['round'] == rd]), 1)
                            for rd in rounds] for impl in ("limen", "peer")}
        print(f"| {label}, median per round | {', '.join(per_round['limen'])} | "
              f"{', '.join(per_round['peer'])} | |")

    li_rate = med([s["reconciles_per_s"] for r in storms if r["impl"] == "limen"
                   and r["workers"] == max(workers) for s in r["storms"]])
    li_rss = med([r["mem_after"]["VmRSS"] / 1e6 for r in storms if r["impl"] == "limen"])
    li_hz = med([r["exec_to_healthz_ms"] for r in starts if r["impl"] == "limen"])
    print("\n| goal | measured | verdict |\n|---|---:|---|")
    for label, val, goal, ok in (
            (f"≥ {GOALS['rate']:,} reconciles/s (default workers)", li_rate, GOALS["rate"],
             li_rate is not None and li_rate >= GOALS["rate"]),
            (f"RSS ≤ {GOALS['rss_mb']} MB at 10,000 Pods", li_rss, GOALS["rss_mb"],
             li_rss is not None and li_rss <= GOALS["rss_mb"]),
            (f"exec → /healthz ≤ {GOALS['healthz_ms']} ms", li_hz, GOALS["healthz_ms"],
             li_hz is not None and li_hz <= GOALS["healthz_ms"])):
        print(f"| {label} | {fmt(val, 1)} | {'met' if ok else '**missed**'} |")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "build/opbench-results/results.jsonl")

#!/usr/bin/env python3
"""Medians over the rounds of bench/webhook/run: Limen vs the controller-runtime peer.

usage: summarize.py results.jsonl idle.jsonl
Prints a Markdown table per load mode (closed loop per concurrency, open loop per rate) and
the memory table. Ratio = Limen / peer (below 1 is better for latency, CPU and memory;
above 1 is better for throughput). Where the run measured the floor (bench/webhook/floor: a
server that answers with a fixed patch and does no other work), its figures are in the last
column: the method's own cost on the machine, below which no webhook can be measured.
"""
import json
import statistics
import sys
from collections import defaultdict

LIMEN, PEER, FLOOR = "limen", "controller-runtime", "floor"


def load(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def med(rows, key):
    vals = [r[key] for r in rows if r.get(key) is not None]
    return statistics.median(vals) if vals else float("nan")


def ratio(a, b):
    return a / b if b else float("nan")


def main():
    results, idle = load(sys.argv[1]), load(sys.argv[2])
    groups = defaultdict(list)
    for r in results:
        groups[(r["mode"], r["concurrency"], r["target_rate"], r["label"])].append(r)
    cases = sorted({k[:3] for k in groups}, key=lambda k: (k[0] != "closed", k[1], k[2]))
    metrics = [("p50 ms", "p50_ms", 2), ("p99 ms", "p99_ms", 2), ("admissions/s", "per_second", 0),
               ("server CPU µs/admission", "cpu_us_per_admission", 0),
               ("RSS max under load MB", "rss_max_kb", 1)]
    print("| load | metric | limen-webhook | controller-runtime | ratio (Limen/peer) | floor |")
    print("|---|---|---:|---:|---:|---:|")
    for mode, conc, rate in cases:
        lim, peer = groups[(mode, conc, rate, LIMEN)], groups[(mode, conc, rate, PEER)]
        name = f"concurrency {conc}" if mode == "closed" else f"open loop {rate:g}/s, {conc} conns"
        lim = [r for r in lim if r["requests"] > 0]
        peer = [r for r in peer if r["requests"] > 0]
        floor = [r for r in groups[(mode, conc, rate, FLOOR)] if r["requests"] > 0]
        if not lim and not peer:
            continue  # a floor-only level
        for label, key, digits in metrics:
            scale = 1024 if key == "rss_max_kb" else 1
            f = f"{med(floor, key) / scale:.{digits}f}" if floor else ""
            if not lim or not peer:
                a = f"{med(lim, key) / scale:.{digits}f}" if lim else "no answer"
                b = f"{med(peer, key) / scale:.{digits}f}" if peer else "no answer"
                print(f"| {name} | {label} | {a} | {b} | | {f} |")
                continue
            a, b = med(lim, key) / scale, med(peer, key) / scale
            print(f"| {name} | {label} | {a:.{digits}f} | {b:.{digits}f} | {ratio(a, b):.2f} | {f} |")
        all_l = groups[(mode, conc, rate, LIMEN)]
        all_p = groups[(mode, conc, rate, PEER)]
        if any(r["errors"] for r in all_l + all_p):
            def errs(rows):
                return (f"{sum(r['errors'] for r in rows)} errors, "
                        f"{sum(1 for r in rows if r['requests'] == 0)}/{len(rows)} rounds unanswered")
            print(f"| {name} | failures (all rounds) | {errs(all_l)} | {errs(all_p)} | |")
    print()
    print(f"rounds: {max(len(v) for v in groups.values())}; "
          f"loadavg (1/5/15 min) seen during phases: "
          f"{min(float(r['loadavg'].split()[0]) for r in results):.1f}–"
          f"{max(float(r['loadavg'].split()[0]) for r in results):.1f} (1 min)")
    print()
    print("| memory | limen-webhook | controller-runtime | ratio |")
    print("|---|---:|---:|---:|")
    by = {(r["label"], r["mode"]): r for r in idle}
    for mode, key, what in [("idle", "rss_kb", "VmRSS idle (synced, before load) MB"),
                            ("end", "rss_kb", "VmRSS after all rounds MB"),
                            ("end", "hwm_kb", "VmHWM (peak) after all rounds MB")]:
        a, b = by[(LIMEN, mode)][key] / 1024, by[(PEER, mode)][key] / 1024
        print(f"| {what} | {a:.1f} | {b:.1f} | {ratio(a, b):.2f} |")
    a = max(r["rss_max_kb"] for r in results if r["label"] == LIMEN and r["requests"]) / 1024
    b = max(r["rss_max_kb"] for r in results if r["label"] == PEER and r["requests"]) / 1024
    print(f"| VmRSS max sampled under load (all phases) MB | {a:.1f} | {b:.1f} | {ratio(a, b):.2f} |")


if __name__ == "__main__":
    main()

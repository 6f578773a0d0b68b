#!/usr/bin/env python3
"""Markdown tables from a bench/bpf/bench.py result file (for docs/benchmarks.md)."""
import json
import sys

UPROBES = ("go.goroutine.create", "go.goroutine.exit", "go.chan.block")


def main(path):
    r = json.load(open(path))
    g = r["goals"]
    m = r["machine"]
    print(f"Run {r['date']}: kernel {m['kernel']}, {m['cpus']} × {m['cpu']}, "
          f"load average at the end {', '.join(f'{x:.1f}' for x in m['load_avg_at_end'])}; "
          f"{r['runs']} runs per probe.\n")
    print("| probe | kind | workload op | events/op | base ns/op | ns/event (median) | "
          "min–max | goal | traced/base | untraced overhead ns/op |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for probe, p in r["per_event"].items():
        up = probe in UPROBES
        goal = g["uprobe_ns"] if up else g["tracepoint_ns"]
        med = p["median_ns_per_event"]
        if med is None:
            print(f"| {probe} | no events counted | | | | | | ≤ {goal} | | |")
            continue
        verdict = f"{med / goal:.2f}× goal"
        print(f"| {probe} | {'uprobe' if up else 'tracepoint'} | {p['ops']} ops | "
              f"{p['events_per_op']:.2f} | {p['median_base_ns_per_op']:.0f} | "
              f"**{med:.0f}** ({verdict}) | {p['min_ns_per_event']:.0f}–{p['max_ns_per_event']:.0f} | "
              f"≤ {goal} | {p['median_traced_ratio']:.3f} | {p['median_untraced_ns_per_op']:.0f} |")
    rb = r["ring_buffer"]
    print("\n| sender threads | events/s offered | delivered/s | loss | loader peak RSS |")
    print("|---:|---:|---:|---:|---:|")
    for x in rb["runs"]:
        print(f"| {x['threads']} | {x['events_per_s']:,.0f} | {x['delivered_per_s']:,.0f} | "
              f"{x['loss_pct']:.4f} % | {x['loader_peak_rss_kb'] / 1024:.1f} MiB |")
    print(f"\nLoader RSS idle: {rb['idle_rss_kb'] / 1024:.1f} MiB (goal ≤ {g['rss_mb']} MB).")


if __name__ == "__main__":
    main(sys.argv[1])

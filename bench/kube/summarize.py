#!/usr/bin/env python3
"""Summarizes bench/kube/run.sh's results.jsonl: medians per variant and ratios to
client-go, as the Markdown tables of docs/benchmarks.md ("lib/kube informer")."""
import json
import statistics
import sys

ORDER = ["limen:none", "limen:drop", "limen:drop-filter", "limen:project",
         "limen:project-filter", "limen:project-filter+wl", "limen:project-filter+compact",
         "limen:project-filter+pb+compact", "client-go:none", "client-go:strip", "client-go:strip-proto"]
LABEL = {
    "limen:none": "Limen, no transform",
    "limen:drop": "Limen, DropManagedFields",
    "limen:drop-filter": "Limen, DropManagedFields + parse-time field filter",
    "limen:project": "Limen, projection (operator's ProjectPod fields)",
    "limen:project-filter": "Limen, projection + parse-time field filter (as limen-operator)",
    "limen:project-filter+wl": "Limen, projection + parse-time field filter, via watch-list",
    "limen:project-filter+compact": "Limen, projection + parse-time field filter, compact store",
    "limen:project-filter+pb+compact":
        "Limen, projection + parse-time field filter, compact store, LIST in protobuf",
    "client-go:none": "client-go, no transform",
    "client-go:strip": "client-go, TransformFunc stripping managedFields",
    "client-go:strip-proto": "client-go, strip + protobuf",
}


def med(xs):
    return statistics.median(xs) if xs else float("nan")


def main(path):
    runs, failed = {}, {}
    for line in open(path):
        rec = json.loads(line)
        if rec.get("failed"):
            failed.setdefault(rec["variant"], []).append(rec["round"])
        elif "variant" in rec:
            runs.setdefault(rec["variant"], []).append(rec)
    rows = {}
    for v, rs in runs.items():
        n = rs[0]["objects"]
        rows[v] = {
            "runs": len(rs),
            "objects": n,
            "sync_s": med([r["sync_ms"] / 1000 for r in rs]),
            "rss_mb": med([r["rss"] / 1e6 for r in rs]),
            "per_pod": med([(r["rss"] - r["rss_baseline"]) / r["objects"] for r in rs]),
            "per_pod_trim": med([(r["rss_trimmed"] - r["rss_baseline"]) / r["objects"] for r in rs]),
            "eps": med([r["events_per_s"] for r in rs]),
            "writer": med([r["writer_writes_per_s"] for r in rs]),
            "load": med([r["loadavg1"] for r in rs]),
            "all_sync": [round(r["sync_ms"] / 1000, 2) for r in rs],
            "all_eps": [round(r["events_per_s"]) for r in rs],
        }
    print()
    print("| variant | runs | Pods | initial sync (s) | RSS (MB) | RSS/Pod (B) | "
          "RSS/Pod after trim (B) | events/s (backlog drain) |")
    print("|---|---|---|---|---|---|---|---|")
    for v in ORDER:
        if v not in rows:
            continue
        r = rows[v]
        print(f"| {LABEL[v]} | {r['runs']} | {r['objects']} | {r['sync_s']:.2f} | "
              f"{r['rss_mb']:.0f} | {r['per_pod']:,.0f} | {r['per_pod_trim']:,.0f} | "
              f"{r['eps']:,.0f} |")
    print()
    print("Every run (sync s; events/s):")
    for v in ORDER:
        if v in rows:
            print(f"- {v}: sync {rows[v]['all_sync']}; events/s {rows[v]['all_eps']}; "
                  f"writer {rows[v]['writer']:.0f} patches/s; load {rows[v]['load']:.1f}")
    for v, rounds in failed.items():
        print(f"- {v}: FAILED (timed out) in rounds {rounds}")
    base = rows.get("client-go:none")
    strip = rows.get("client-go:strip")
    if base or strip:
        print()
        print("Ratios (Limen / client-go; < 1 means Limen is smaller or faster in time):")
        for v in ("limen:none", "limen:drop", "limen:drop-filter", "limen:project",
                  "limen:project-filter", "limen:project-filter+wl",
                  "limen:project-filter+compact", "limen:project-filter+pb+compact"):
            if v not in rows:
                continue
            r = rows[v]
            peer = strip if (v != "limen:none" or not base) and strip else base
            pname = "client-go strip" if peer is strip else "client-go none"
            print(f"- {v} vs {pname}: sync {r['sync_s'] / peer['sync_s']:.2f}x, "
                  f"RSS/Pod {r['per_pod'] / peer['per_pod']:.2f}x, "
                  f"events/s {r['eps'] / peer['eps']:.2f}x")


if __name__ == "__main__":
    main(sys.argv[1])

#!/usr/bin/env python3
"""Markdown tables from a bench/bpf/bench.py result file (for docs/benchmarks.md).
Usage: summarize.py RESULT.json"""
import json
import sys

UPROBES = ("go.goroutine.create", "go.goroutine.exit", "go.chan.block")


def fmt(x, spec=",.0f"):
    return "–" if x is None else format(x, spec)


def verdict(value, goal):
    if value is None:
        return "not measured"
    return "**met**" if value <= goal else f"**missed** ({value / goal:.1f}× goal)"


def hook_of(stats, uprobe):
    """The variant that ran, from the names of the programs the stats run saw (tp_btf
    programs are btf_*, raw_tp ones raw_*); raw_tp for results from before tp_btf."""
    if uprobe:
        return "uprobe"
    names = [n for n, v in (stats.get("programs") or {}).items() if v.get("run_cnt")]
    return "tp_btf" if any(n.startswith("btf_") for n in names) else "raw_tp"


def per_event_table(r, g):
    print("| probe | hook | events/op | hook runs/event | base CPU ns/op | CPU ns/event, "
          "median (min–max) | wall ns/event, median | BPF program ns/event | loader ns/event | "
          "untraced CPU ns/op | untraced program ns/run | goal | verdict |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
    for probe, p in r["per_event"].items():
        up = probe in UPROBES
        st = p.get("stats") or {}
        hook = hook_of(st, up)
        rpe = st.get("runs_per_event")
        prog = st.get("prog_ns_per_event")
        untraced_prog = fmt(st.get("untraced_prog_ns_per_run")) if not up else "–"
        if up:
            goal = g["uprobe_ns"]
            goal_s = f"≤ {goal} ns per uprobe hit"
        else:
            goal = g["tracepoint_ns"]
            goal_s = f"≤ {goal} ns per event"
        if not p["runs"]:  # bpf stats only (tcp.retransmit, or --runs 0)
            unmeasured = ("not measurable (timer-driven)" if probe == "tcp.retransmit"
                          else "not measured (--runs 0)")
            print(f"| {probe} | {hook} | {st.get('hits', 0) / max(st.get('ops', 1), 1):.2f} | "
                  f"{fmt(rpe, '.2f')} | – | {unmeasured} | – | {fmt(prog)} | – | "
                  f"– | {untraced_prog} | {goal_s} | program alone {verdict(prog, goal)} |")
            continue
        med = p["median_cpu_ns_per_event"]
        lo, hi = p["min_cpu_ns_per_event"], p["max_cpu_ns_per_event"]
        judged = med / rpe if (up and med is not None and rpe) else med
        per_hit = f"; {judged:,.0f} ns per uprobe hit" if up and rpe and judged is not None else ""
        # When the rounds disagree in sign or by more than twice the median, the probe's cost
        # is below what this machine's noise lets the difference resolve (fork + exec costs
        # ~0.6 ms and varies by more than the probe); the program's own time is then the
        # lower bound the verdict rests on.
        unresolved = med is None or lo < 0 or hi - lo > 2 * abs(med)
        if unresolved:
            per_hit += " — not resolved (noise)"
            v = f"program alone {verdict(prog, goal)}"
        else:
            v = verdict(judged, goal)
        print(f"| {probe} | {hook} | {p['events_per_op']:.2f} | "
              f"{fmt(rpe, '.2f')} | {fmt(p['median_base_cpu_ns_per_op'])} | "
              f"**{fmt(med)}** ({fmt(p['min_cpu_ns_per_event'])}–"
              f"{fmt(p['max_cpu_ns_per_event'])}){per_hit} | "
              f"{fmt(p['median_wall_ns_per_event'])} | {fmt(prog)} | "
              f"{fmt(p['median_loader_ns_per_event'])} | "
              f"{fmt(p['median_untraced_cpu_ns_per_op'])} | {untraced_prog} | {goal_s} | {v} |")


def floor_table(fl):
    if not fl:
        return
    if "error" in fl:
        print(f"\nHook alone: not measured ({fl['error']}).")
        return
    print("\n| hook alone, no BPF program (perf counting event) | CPU ns per hit, median "
          "(per round) |")
    print("|---|---:|")
    names = {"uprobe": "uprobe at runtime.newproc1's entry, a single-stepped `cmp` (goops spawn)",
             "uprobe_push": "uprobe at runtime.newproc1's `push %rbp`, emulated (goops spawn)",
             "tracepoint": "tracepoint sock:sock_send_length (ops send)"}
    for kind, v in fl.items():
        print(f"| {names.get(kind, kind)} | **{fmt(v['median_cpu_ns_per_hit'])}** "
              f"({', '.join(f'{x:,.0f}' for x in v['cpu_ns_per_hit'])}) |")


def empty_table(empty, per_event):
    if not empty:
        return
    if "error" in empty:
        print(f"\nEmpty programs: not measured ({empty['error']}).")
        return
    print("\n| tracepoint probe | empty BPF program ns/run | reading the cgroup id only | "
          "Limen's program, traced, ns/event | untraced, ns/run |")
    print("|---|---:|---:|---:|---:|")
    for probe, v in empty.items():
        st = (per_event.get(probe) or {}).get("stats") or {}

        def cell(kind):
            k = v.get(kind)
            if not k:
                return "–"
            return f"**{fmt(k['ns_per_run'])}** ({', '.join(f'{x:,.0f}' for x in k['all'])})"
        print(f"| {probe} | {cell('empty')} | {cell('cgid')} | {fmt(st.get('prog_ns_per_event'))} "
              f"| {fmt(st.get('untraced_prog_ns_per_run'))} |")


def ring_table(rb, g):
    if not rb:
        return
    print("\n| sender threads | target sends/s | offered events/s | delivered events/s | "
          "dropped | loss | loader CPU ns/event | loader peak VmRSS | loader VmHWM |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for x in rb["runs"]:
        print(f"| {x['threads']} | {x['target_rate'] or 'unpaced'} | {x['offered_per_s']:,.0f} | "
              f"{x['delivered_per_s']:,.0f} | {x['dropped']:,.0f} | {x['loss_pct']:.4f} % | "
              f"{fmt(x['loader_ns_per_event'])} | {x['loader_peak_vmrss_kb'] / 1024:.1f} MiB | "
              f"{x['loader_vmhwm_kb'] / 1024:.1f} MiB |")
    top = max(rb["runs"], key=lambda x: x["offered_per_s"])
    at_goal = [x for x in rb["runs"] if x["offered_per_s"] >= g["rate"]]
    if at_goal:
        worst = max(x["loss_pct"] for x in at_goal)
        v = "**met**" if worst <= g["loss_pct"] else "**missed**"
        print(f"\nLoss goal (≤ {g['loss_pct']} % at {g['rate']:,} events/s): {v} — worst loss "
              f"{worst:.4f} % over the runs at or above that rate (highest offered "
              f"{top['offered_per_s']:,.0f}/s).")
    else:
        print(f"\nLoss goal (≤ {g['loss_pct']} % at {g['rate']:,} events/s): **not tested** — "
              f"the highest rate reached was {top['offered_per_s']:,.0f} events/s "
              f"(loss {top['loss_pct']:.4f} %).")
    idle = rb["idle"]
    peak = max([x["loader_peak_vmrss_kb"] for x in rb["runs"]] + [idle["vmrss_kb"]])
    hwm = max([x["loader_vmhwm_kb"] for x in rb["runs"]] + [idle["vmhwm_kb"]])
    goal_kb = g["rss_mb"] * 1000 * 1000 / 1024
    print(f"\nLoader RSS idle (every probe loaded, 5 s after start): VmRSS "
          f"{idle['vmrss_kb'] / 1024:.1f} MiB, VmHWM {idle['vmhwm_kb'] / 1024:.1f} MiB; under "
          f"load: peak VmRSS {peak / 1024:.1f} MiB, VmHWM {hwm / 1024:.1f} MiB. Goal ≤ "
          f"{g['rss_mb']} MB: {'**met**' if hwm <= goal_kb else '**missed**'}.")


def main(path):
    r = json.load(open(path))
    g = r["goals"]
    m = r["machine"]
    loads = [x[1] for x in m["load_avg_1m"]]
    print(f"Run {r['date']} ({r['minutes']:.0f} min): kernel {m['kernel']}, {m['cpus']} × "
          f"{m['cpu']}; 1-minute load average {min(loads):.1f}–{max(loads):.1f} during the run; "
          f"{r['runs']} rounds per probe, scale {r['scale']}.\n")
    per_event_table(r, g)
    floor_table(r.get("kernel_floor"))
    empty_table(r.get("empty_programs"), r["per_event"])
    ring_table(r.get("ring_buffer"), g)


if __name__ == "__main__":
    main(sys.argv[1])

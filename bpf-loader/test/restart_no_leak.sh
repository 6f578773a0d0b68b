#!/bin/bash
# SIGKILL of limen-bpf-loader, then a restart, leave no BPF programs or links behind:
# nothing is pinned, so the kernel frees everything with the process's file descriptors.
# Usage: restart_no_leak.sh path/to/limen-bpf-loader
set -euo pipefail
loader=$1
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 0; }
command -v bpftool >/dev/null || PATH=$PATH:/usr/sbin

# Our program names (bpf/limen.bpf.c); other BPF users on the machine do not disturb the count.
ours='name (raw_exec|raw_exit|raw_fork|raw_send|raw_retransmit|raw_state|tp_exec|tp_exit|tp_fork|tp_send|tp_retransmit|tp_state|go_newproc1|go_goexit1|go_gopark|go_ready)( |$)'
count_progs() { bpftool prog list | grep -Ec "$ours" || true; }
count_links() { bpftool link list | grep -c '^[0-9]*:' || true; }

sleep 1000 & target=$!
pid=""
trap 'kill $target 2>/dev/null || true; [ -z "$pid" ] || kill -9 "$pid" 2>/dev/null || true' EXIT

progs_before=$(count_progs); links_before=$(count_links)
echo "before: programs=$progs_before links=$links_before"

for round in 1 2; do
  log=$(mktemp)
  "$loader" standalone --pid "$target" --metrics-addr 127.0.0.1:0 --log-format text \
    >/dev/null 2>"$log" &
  pid=$!
  for _ in $(seq 100); do grep -q 'metrics-port' "$log" && break; sleep 0.1; done
  grep -q 'metrics-port' "$log" || { cat "$log"; echo "FAIL: loader did not start"; exit 1; }
  port=$(sed -n 's/^metrics-port //p' "$log")
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null
  progs_during=$(count_progs); links_during=$(count_links)
  echo "round $round running: programs=$progs_during links=$links_during"
  [ "$progs_during" -gt "$progs_before" ] || { echo "FAIL: probes not loaded"; exit 1; }
  kill -9 "$pid"; wait "$pid" 2>/dev/null || true; pid=""
  rm -f "$log"
  # Program and link release is asynchronous (RCU); give it a moment.
  for _ in $(seq 50); do
    [ "$(count_progs)" -eq "$progs_before" ] && [ "$(count_links)" -le "$links_before" ] && break
    sleep 0.1
  done
  progs_after=$(count_progs); links_after=$(count_links)
  echo "round $round after SIGKILL: programs=$progs_after links=$links_after"
  [ "$progs_after" -eq "$progs_before" ] || { echo "FAIL: leaked programs"; exit 1; }
  [ "$links_after" -le "$links_before" ] || { echo "FAIL: leaked links"; exit 1; }
done
echo PASS

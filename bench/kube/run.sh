#!/usr/bin/env bash
# bench/kube/run.sh — the lib/kube informer benchmark, end to end (docs/benchmarks.md,
# section "lib/kube informer"): Limen's C++ Pod informer (no transform, DropManagedFields,
# the operator's projection) beside client-go's SharedInformerFactory (no transform, a
# TransformFunc stripping managedFields, and the latter over protobuf), in one run on one
# real local control plane.
#
# Steps: Release build of the two C++ programs and the Go peer; a control plane of its own
# (e2e/cluster/up); PODS realistic Pods (bench/kube/pod_body.h) created by parallel
# server-side apply; then ROUNDS rounds, each running every variant once in a rotated
# order, in a fresh process:
#   1. start the informer; it reports sync time (start → HasSynced) and VmRSS after a settle
#      period (and after returning free memory to the OS: malloc_trim / FreeOSMemory);
#   2. the writer patches BURST Pods (a new label value) — with STOP=1 while the informer
#      is SIGSTOPped, so that it then drains them as a backlog;
#   3. it reports the rate at which it saw those BURST update events.
# Results: OUT/results.jsonl (one line per measurement) and OUT/summary.md (medians, ratios,
# machine). The control plane is stopped at the end unless KEEP_CLUSTER=1.
#
# Environment: ROUNDS (3), PODS (10000), BURST (1000), WRITERS (8), TIMEOUT (180),
# LOG_LEVEL (info), STOP (1), BUILD
# (build/release-bench), CLUSTER (build/kbench-cluster), OUT (build/kbench-results).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
ROUNDS=${ROUNDS:-3}
PODS=${PODS:-10000}
BURST=${BURST:-1000}
WRITERS=${WRITERS:-8}
TIMEOUT=${TIMEOUT:-180}       # seconds an informer may take to sync or to see the burst
LOG_LEVEL=${LOG_LEVEL:-info}  # of the C++ informer (its logs share OUT/run-*.out)
# STOP=1 (default): SIGSTOP the informer during the burst, so that it then drains a backlog
# (its capacity). STOP=0: it runs during the burst, and its rate is bounded by the writer's.
STOP=${STOP:-1}
BUILD=${BUILD:-$ROOT/build/release-bench}
CLUSTER=${CLUSTER:-$ROOT/build/kbench-cluster}
OUT=${OUT:-$ROOT/build/kbench-results}
mkdir -p "$OUT"
log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }

# --- build ----------------------------------------------------------------------------
log "building (Release) in $BUILD"
[ -f "$BUILD/build.ninja" ] || cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
ninja -C "$BUILD" -j2 kube_informer_bench kube_bench_writer >/dev/null
INFORMER=$BUILD/bench/kube_informer_bench
WRITER=$BUILD/bench/kube_bench_writer
PEER=$BUILD/bench/client-go-informer
(cd bench/peers/client-go-informer &&
  GOTOOLCHAIN=local GOFLAGS=-mod=readonly go build -trimpath -o "$PEER" .)

# --- control plane and Pods -------------------------------------------------------------
# shellcheck source=/dev/null
source "$ROOT/e2e/cluster/lib.sh"
KUBECTL="$LIMEN_BIN/kubectl --kubeconfig $CLUSTER/kubeconfig"
if ! $KUBECTL get --raw /readyz >/dev/null 2>&1; then
  log "starting a control plane in $CLUSTER"
  "$ROOT/e2e/cluster/up" "$CLUSTER" >&2
fi
if [ "${KEEP_CLUSTER:-0}" != 1 ]; then
  trap '"$ROOT/e2e/cluster/down" "$CLUSTER" >&2 || true' EXIT
fi
K=$CLUSTER/kubeconfig
have=$($KUBECTL get pods -n limen-bench --no-headers 2>/dev/null | wc -l || true)
if [ "$have" -lt "$PODS" ]; then
  log "creating $PODS Pods ($WRITERS parallel writers, server-side apply)"
  "$WRITER" populate --kubeconfig="$K" --count="$PODS" --writers="$WRITERS" | tee "$OUT/populate.json"
fi
log "warm-up patch of $BURST Pods (so every round patches Pods of the same shape)"
"$WRITER" patch --kubeconfig="$K" --count="$BURST" --writers="$WRITERS" --round=warm >/dev/null

# --- measurements -------------------------------------------------------------------------
# A Limen variant ending in "+wl" syncs by watch-list (--sync=watchlist), the others by
# LIST then WATCH; "+compact" keeps its objects encoded (--store=compact); "+pb" asks for
# its LISTs in protobuf (--encoding=protobuf). Suffixes combine in this order: +pb+compact.
# VARIANTS (space-separated) overrides the list.
if [ -n "${VARIANTS:-}" ]; then
  read -r -a VARIANTS <<<"$VARIANTS"
else
  VARIANTS=(limen:none limen:drop limen:drop-filter limen:project limen:project-filter
    limen:project-filter+wl limen:project-filter+compact client-go:none client-go:strip
    client-go:strip-proto)
fi
command_of() {  # variant round → the informer command, in the array CMD
  local impl=${1%%:*} t=${1#*:} sync=list store=plain encoding=json
  if [ "$impl" = limen ]; then
    [ "${t%+wl}" != "$t" ] && sync=watchlist && t=${t%+wl}
    [ "${t%+compact}" != "$t" ] && store=compact && t=${t%+compact}
    [ "${t%+pb}" != "$t" ] && encoding=protobuf && t=${t%+pb}
    CMD=("$INFORMER" --kubeconfig="$K" --transform="$t" --sync="$sync" --store="$store"
      --encoding="$encoding" --expect="$BURST"
      --round="$2" --timeout-s="$TIMEOUT" --log-level="$LOG_LEVEL")
  elif [ "$t" = strip-proto ]; then
    CMD=("$PEER" -kubeconfig "$K" -transform strip -protobuf -expect "$BURST" -round "$2"
      -timeout "${TIMEOUT}s")
  else
    CMD=("$PEER" -kubeconfig "$K" -transform "$t" -expect "$BURST" -round "$2" -timeout "${TIMEOUT}s")
  fi
}

run_one() {  # variant round-id
  local out=$OUT/run-$2.out pid
  command_of "$1" "$2"
  "${CMD[@]}" >"$out" 2>"$out.err" &
  pid=$!
  for _ in $(seq 1 1200); do
    grep -q '^{"event":"ready"' "$out" && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  [ "$STOP" = 1 ] && kill -STOP "$pid"
  "$WRITER" patch --kubeconfig="$K" --count="$BURST" --writers="$WRITERS" --round="$2" \
    >"$out.writer"
  [ "$STOP" = 1 ] && kill -CONT "$pid"
  if ! wait "$pid"; then
    log "$1 failed: $(tail -3 "$out.err")"
    printf '{"variant":"%s","round":"%s","failed":true}\n' "$1" "$2" >>"$OUT/results.jsonl"
    return 0
  fi
  local load
  load=$(cut -d' ' -f1 /proc/loadavg)
  python3 - "$1" "$2" "$load" "$out" <<'PY' >>"$OUT/results.jsonl"
import json, sys
variant, rnd, load, path = sys.argv[1:5]
rec = {"variant": variant, "round": rnd, "loadavg1": float(load)}
for line in open(path):  # the C++ informer's spdlog lines share stdout with the results
    if line.startswith("{"):
        rec.update(json.loads(line))
rec.update({"writer_" + k: v for k, v in json.loads(open(path + ".writer").read()).items()})
print(json.dumps(rec))
PY
  log "$1 round $2: $(tail -1 "$OUT/results.jsonl" | cut -c1-200)"
}

: >"$OUT/results.jsonl.tmp" && mv "$OUT/results.jsonl.tmp" "$OUT/results.jsonl"
for r in $(seq 1 "$ROUNDS"); do
  n=${#VARIANTS[@]}
  for i in $(seq 0 $((n - 1))); do  # rotate the order each round, so drift hits all alike
    v=${VARIANTS[$(((i + r - 1) % n))]}
    # A label value of its own per run: a patch to the value already set is a no-op (no event).
    v_id=${v/:/-}
    run_one "$v" "r$r-$$-${v_id//+/-}"
  done
done

# --- summary ------------------------------------------------------------------------------
{
  echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), kernel $(uname -r)"
  free -g | sed 's/^/    /'
  echo "load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "Pod size as listed (compact JSON): $($KUBECTL get pods -n limen-bench -o json --show-managed-fields |
    python3 -c 'import json,sys; d=json.load(sys.stdin)["items"]; print(round(sum(len(json.dumps(p,separators=(",",":"))) for p in d)/len(d)), "bytes")')"
  python3 "$ROOT/bench/kube/summarize.py" "$OUT/results.jsonl"
} | tee "$OUT/summary.md"

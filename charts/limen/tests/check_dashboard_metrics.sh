#!/usr/bin/env bash
# check_dashboard_metrics.sh: every metric that the chart's Grafana dashboards
# (charts/limen/dashboards/*.json) and alert rules (charts/limen/rules/limen.rules.yaml)
# query exists in scrapes of Limen's binaries. The PromQL of every panel target, template
# variable (label_values(metric, label), query_result(expr)) and rule is parsed with
# Prometheus's own parser (promql-metrics, built here from ./promql-metrics with Go); the
# scrapes are parsed with prometheus/common/expfmt. A histogram's _bucket/_sum/_count map to
# its family. Fails, naming the dashboard, panel title and metric, when a metric has no
# sample in any scrape; also on invalid JSON, a panel without an expression, or PromQL
# that does not parse. Absent metrics are tolerated only when listed in
# metrics-allowlist.txt, and each listed name must be defined in Limen's sources.
#
# usage: check_dashboard_metrics.sh [--scrape FILE]... [--print] [-- FILE...]
#   --scrape FILE  a /metrics body (text format) of limen-operator, limen-webhook or
#                  limen-bpf-loader; without any, only parses and lints
#   --print        print FILE<TAB>PLACE<TAB>METRIC<TAB>LABELS for every reference
#   FILE...        dashboards (*.json) / rule files (*.yaml) instead of the chart's
# Env: PROMQL_METRICS=path of a built promql-metrics (else built into
#   $LIMEN_BUILD_DIR/charts/promql-metrics, or $TMPDIR, with $GO or go; GOPROXY etc. as
#   for `go build`); METRICS_ALLOWLIST=another allow-list file (tests).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
chart=$(cd "$here/.." && pwd)
root=$(cd "$chart/../.." && pwd)
fail() { echo "FAIL: $*" >&2; exit 1; }

scrapes=() files=() print=0
while [ $# -gt 0 ]; do
  case $1 in
    --scrape) [ $# -ge 2 ] || fail "--scrape needs a file"; [ -s "$2" ] || fail "scrape $2 is missing or empty"
              scrapes+=(-scrape "$2"); shift 2 ;;
    --print) print=1; shift ;;
    --) shift; files=("$@"); break ;;
    *) fail "unknown argument $1 (usage: $0 [--scrape FILE]... [--print] [-- FILE...])" ;;
  esac
done
[ ${#files[@]} -gt 0 ] || files=("$chart"/dashboards/*.json "$chart/rules/limen.rules.yaml")

tool=${PROMQL_METRICS:-}
if [ -z "$tool" ]; then
  out=${LIMEN_BUILD_DIR:-${TMPDIR:-/tmp}}/charts/promql-metrics
  mkdir -p "$out"
  # -mod=readonly: go.sum pins every module; missing ones come from GOPROXY into the cache.
  (cd "$here/promql-metrics" && GOTOOLCHAIN=local GOFLAGS=-mod=readonly \
     "${GO:-go}" build -trimpath -o "$out/promql-metrics" .) || fail "building promql-metrics (Go)"
  tool=$out/promql-metrics
fi

# The allow-list: each name must be defined in the sources (not in tests), so an entry
# cannot hide a metric that was renamed or never existed.
allow=()
while read -r name _; do
  family=$name
  for sfx in _bucket _sum _count; do family=${family%"$sfx"}; done
  grep -rqF --include='*.cc' --include='*.h' --exclude-dir=test --exclude-dir=tests \
    "\"$family\"" "$root/operator" "$root/webhooks" "$root/bpf-loader" "$root/lib" ||
    fail "allow-list: $name is not defined in operator/, webhooks/, bpf-loader/ or lib/"
  allow+=(-allow "$name")
done < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "${METRICS_ALLOWLIST:-$here/metrics-allowlist.txt}")

refs=$(mktemp)
trap 'rm -f "$refs"' EXIT
if ! "$tool" "${scrapes[@]}" "${allow[@]}" "${files[@]}" >"$refs"; then
  fail "dashboards/rules vs $((${#scrapes[@]} / 2)) scrape(s): see the lines above"
fi
[ -s "$refs" ] || fail "no metric found in ${files[*]}"
[ $print = 0 ] || cat "$refs"
for f in "${files[@]}"; do
  n=$(awk -F'\t' -v f="$f" '$1 == f {print $3}' "$refs" | sort -u | wc -l)
  echo "$(basename "$f"): $n metrics: $(awk -F'\t' -v f="$f" '$1 == f {print $3}' "$refs" | sort -u | tr '\n' ' ')"
done
echo "PASS: $(cut -f3 "$refs" | sort -u | wc -l) metrics in ${#files[@]} files$([ ${#scrapes[@]} = 0 ] || echo ", each present in the $((${#scrapes[@]} / 2)) scrape(s)")"

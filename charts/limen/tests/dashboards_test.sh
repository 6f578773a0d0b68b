#!/usr/bin/env bash
# chart.grafana_dashboards: the Grafana dashboards of charts/limen/dashboards.
#   1. Rendering: off by default; on, one ConfigMap per dashboard file carrying the
#      sidecar's label, the folder annotation, the namespace override, and the file's JSON
#      unchanged.
#   2. The dashboards parse and lint (check_dashboard_metrics.sh without scrapes: every
#      panel has PromQL that Prometheus's parser accepts, ${datasource} everywhere).
#   3. The checker fails when it should, naming file, dashboard, panel and metric: invalid
#      JSON, a panel without a query, PromQL that does not parse, a selector without a
#      metric name, a fixed datasource, a variable tied to no metric, a metric absent from
#      the scrapes, a bare histogram name, a bogus allow-list entry; and passes on a scrape
#      holding every metric referenced.
# The live check (every metric in real scrapes of the three binaries) runs in e2e_limen.
# shellcheck source=../../test/lib.sh disable=SC2016 # jq programs in single quotes
source "$(dirname "$0")/../../test/lib.sh"
TESTS=$CHART/tests
CHECK=$TESTS/check_dashboard_metrics.sh
NS=limen-system

# --- 1. rendering -----------------------------------------------------------------------
d=$(render $NS)
expect_eq 0 "$(jq '[.[] | select(.metadata.labels.grafana_dashboard != null)] | length' <<<"$d")" \
  "dashboards rendered with the defaults"

d=$(render $NS --set grafana.dashboards.enabled=true)
files=$(find "$CHART/dashboards" -maxdepth 1 -name '*.json' -printf '%f\n' | sort)
expect_eq 4 "$(wc -l <<<"$files")" "dashboard files in the chart"
cms=$(jq -c '[.[] | select(.kind == "ConfigMap" and .metadata.labels["app.kubernetes.io/component"] == "grafana-dashboard")]' <<<"$d")
expect_eq "limen-test-dashboard-node-probes limen-test-dashboard-overview limen-test-dashboard-webhook limen-test-dashboard-workloads" \
  "$(jq -r 'map(.metadata.name) | sort | join(" ")' <<<"$cms")" "one ConfigMap per dashboard"
expect_eq "1 Limen $NS" \
  "$(jq -r 'map("\(.metadata.labels.grafana_dashboard) \(.metadata.annotations.grafana_folder) \(.metadata.namespace)") | unique | join(",")' <<<"$cms")" \
  "sidecar label, folder annotation, namespace"
expect_eq 0 "$(jq 'map(select(.metadata.labels["app.kubernetes.io/instance"] != "limen-test" or .metadata.labels["app.kubernetes.io/part-of"] != "limen")) | length' <<<"$cms")" \
  "ConfigMaps without the instance/part-of labels"
for f in $files; do
  got=$(jq -r --arg f "$f" '.[] | .data[$f] // empty' <<<"$cms")
  [ -n "$got" ] || fail "no ConfigMap holds $f"
  expect_eq "$(jq -S . "$CHART/dashboards/$f")" "$(jq -S . <<<"$got")" "$f in its ConfigMap"
  expect_eq "$(jq -r .uid "$CHART/dashboards/$f")" "$(jq -r .uid <<<"$got")" "uid of $f"
done
expect_eq "limen-cluster-policy-overview limen-node-probes limen-webhook-admissions limen-workload-readiness" \
  "$(cd "$CHART/dashboards" && jq -r '.title | ascii_downcase | gsub("[ /]+"; "-")' ./*.json | sort | tr '\n' ' ' | sed 's/ $//')" \
  "the four dashboards (a) overview (b) workload readiness (c) node probes (d) webhook admissions"
expect_eq "39" "$(cd "$CHART/dashboards" && jq -r .schemaVersion ./*.json | sort -u | tr '\n' ' ' | sed 's/ $//')" "schemaVersion"
expect_eq "namespace workload" "$(jq -r '[.templating.list[] | select(.type == "query") | .name] | join(" ")' "$CHART/dashboards/limen-workloads.json")" \
  "workload readiness variables"

# Overrides: namespace, labels, no folder annotation, extra annotations.
d=$(render $NS --set grafana.dashboards.enabled=true --set grafana.dashboards.namespace=monitoring \
  --set grafana.dashboards.labels.team=obs --set grafana.dashboards.folder= \
  --set grafana.dashboards.annotations.note=x)
cms=$(jq -c '[.[] | select(.kind == "ConfigMap" and .metadata.labels["app.kubernetes.io/component"] == "grafana-dashboard")]' <<<"$d")
expect_eq "4 monitoring 1 obs null x" \
  "$(jq -r 'map("\(length) \(.metadata.namespace) \(.metadata.labels.grafana_dashboard) \(.metadata.labels.team) \(.metadata.annotations.grafana_folder) \(.metadata.annotations.note)") | unique | join(",")' <<<"$cms")" \
  "namespace, labels and annotation overrides"
d=$(render $NS --set grafana.dashboards.enabled=true --set grafana.dashboards.folderAnnotation=k8s-sidecar-target-directory --set grafana.dashboards.folder=/tmp/dashboards/limen)
expect_eq "/tmp/dashboards/limen" \
  "$(jq -r '[.[] | select(.kind == "ConfigMap") | .metadata.annotations["k8s-sidecar-target-directory"] // empty] | unique | join(",")' <<<"$d")" \
  "folder under another annotation name"
expect_fail "a bad folder annotation name" helm template x "$CHART" --set grafana.dashboards.folderAnnotation='a b'
expect_contains "$OUT" "/grafana/dashboards/folderAnnotation" "schema error names the value"

# --- 2. the chart's dashboards and rules parse and lint ----------------------------------
out=$("$CHECK" 2>&1) || fail "check_dashboard_metrics.sh (static): $out"
echo "$out"

# --- 3. the checker fails when it should ------------------------------------------------
expect_fail "invalid JSON" "$CHECK" -- "$TESTS/testdata/invalid.json"
expect_contains "$OUT" "invalid.json: not a valid dashboard JSON" "invalid JSON reported"

expect_fail "broken dashboard" "$CHECK" -- "$TESTS/testdata/broken.json"
for want in \
  'dashboard "Broken on purpose" panel "No query": no PromQL expression' \
  'dashboard "Broken on purpose" panel "Bad PromQL" target A: PromQL does not parse' \
  'dashboard "Broken on purpose" panel "Nameless selector" target A: selector {job="limen"} has no metric name' \
  'dashboard "Broken on purpose" panel "Fixed datasource": datasource must be ${datasource}' \
  'dashboard "Broken on purpose" variable "namespace": query "label_values(namespace)" names no metric'; do
  expect_contains "$OUT" "$want" "checker output"
done

# A scrape with one sample of every family referenced passes; histograms as histograms.
printed=$("$CHECK" --print | awk -F'\t' 'NF == 4')
refs=$(cut -f3 <<<"$printed" | sort -u)
# synth [METRIC-TO-LEAVE-OUT]: a text-format scrape with one sample of every referenced
# metric, carrying the labels the queries match on; histograms as histograms.
synth() {
  local m fam labels
  while read -r m; do
    [ "$m" != "${1:-}" ] || continue
    labels=$(awk -F'\t' -v m="$m" '$3 == m && $4 != "" {print $4}' <<<"$printed" | tr ',' '\n' |
      { grep -vx le || true; } | sort -u | sed 's/.*/&="x"/' | paste -sd, -)
    case $m in
      *_bucket|*_sum|*_count) fam=${m%_bucket}; fam=${fam%_sum}; fam=${fam%_count}
        grep -qx "${fam}_bucket" <<<"$refs" || { printf '# TYPE %s counter\n%s{%s} 1\n' "$m" "$m" "$labels"; continue; }
        printf '# TYPE %s histogram\n%s_bucket{%s} 1\n%s_sum{%s} 1\n%s_count{%s} 1\n' "$fam" \
          "$fam" "${labels:+$labels,}le=\"+Inf\"" "$fam" "$labels" "$fam" "$labels" ;;
      *) printf '# TYPE %s gauge\n%s{%s} 1\n' "$m" "$m" "$labels" ;;
    esac
  done <<<"$refs" | awk '!seen[$0]++'
}
synth >"$TEST_TMP/all.prom"
out=$("$CHECK" --scrape "$TEST_TMP/all.prom" 2>&1) || fail "a scrape with every metric fails: $out"
expect_contains "$out" "each present in the 1 scrape(s)" "checker summary"

# Without limen_workload_criterion_threshold: named with dashboard and panel title.
synth limen_workload_criterion_threshold >"$TEST_TMP/missing.prom"
expect_fail "a missing metric" "$CHECK" --scrape "$TEST_TMP/missing.prom"
expect_contains "$OUT" 'limen-workloads.json: dashboard "Limen / Workload readiness" panel "Criteria: value, threshold, met" target B: metric limen_workload_criterion_threshold is absent from every scrape' \
  "missing metric reported with dashboard, panel and metric"
expect_contains "$OUT" 'limen.rules.yaml: group "limen" alert "LimenCoverageBelowThreshold": metric limen_workload_criterion_threshold is absent' \
  "missing metric reported for the alert"

# The allow-listed metric absent: allowed, and said so. A family declared (HELP/TYPE)
# without samples, as prometheus-cpp never prints but a serializer might: absent.
# (The shipped allow-list is empty: the e2e suite causes every metric. Use one of its own.)
printf 'limen_webhook_rejected_requests_total  # a malformed AdmissionReview\n' >"$TEST_TMP/allow-one.txt"
synth limen_webhook_rejected_requests_total >"$TEST_TMP/allowed.prom"
out=$(METRICS_ALLOWLIST=$TEST_TMP/allow-one.txt "$CHECK" --scrape "$TEST_TMP/allowed.prom" 2>&1) ||
  fail "an allow-listed metric absent fails: $out"
expect_contains "$out" "allowed: " "the allow-list is not silent"
expect_fail "the same metric absent without the allow-list" "$CHECK" --scrape "$TEST_TMP/allowed.prom"
{ synth limen_workload_sustained; printf '# HELP limen_workload_sustained x\n# TYPE limen_workload_sustained gauge\n'; } >"$TEST_TMP/declared.prom"
expect_fail "a family without samples" "$CHECK" --scrape "$TEST_TMP/declared.prom"
expect_contains "$OUT" 'panel "Workloads" target A: metric limen_workload_sustained is absent from every scrape' "family without samples"

# A bare histogram name is not a series: reported even though the family is scraped.
expect_fail "bare histogram" "$CHECK" --scrape "$TEST_TMP/all.prom" -- "$TESTS/testdata/broken.json"
expect_contains "$OUT" 'panel "Bare histogram" target A: metric limen_webhook_admission_duration_seconds is a histogram family' "bare histogram"
expect_contains "$OUT" 'panel "Renamed metric" target A: metric limen_workload_ready is absent from every scrape' "renamed metric"
expect_contains "$OUT" 'panel "Renamed label" target A: metric limen_probe_state has no label "nodename" in the scrapes' "renamed label"

# An allow-list entry that the sources do not define fails.
printf 'limen_made_up_total  # never existed\n' >"$TEST_TMP/allow.txt"
METRICS_ALLOWLIST=$TEST_TMP/allow.txt expect_fail "bogus allow-list entry" "$CHECK"
expect_contains "$OUT" "allow-list: limen_made_up_total is not defined" "bogus allow-list entry"

echo "PASS: $(wc -l <<<"$files") dashboards render as ConfigMaps; $(wc -l <<<"$refs") metrics referenced; the checker fails on each broken input"

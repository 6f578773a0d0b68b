#!/usr/bin/env bash
# chart.grafana_rules: the alert rules of charts/limen/rules/limen.rules.yaml and the
# PrometheusRule the chart renders from them.
#   1. promtool check rules on the file; promtool test rules (rules/tests/*.yaml): every
#      alert fires on series that should fire it and stays silent on the others.
#   2. The PrometheusRule rendered with the defaults holds the same rules: promtool check
#      rules on its spec, and the same unit tests pass against it.
#   3. Values apply: threshold (in the expression), for, severity, alertLabels, enabled,
#      namespace, labels; an override still passes promtool, and changes what fires.
#   4. The single source of truth is enforced: an alert without its values entry, or a
#      threshold without its `# threshold` marker, fails the render with a clear message.
# shellcheck source=../../test/lib.sh disable=SC2016 # jq programs in single quotes
source "$(dirname "$0")/../../test/lib.sh"
command -v promtool >/dev/null || fail "promtool is not on PATH (Debian package prometheus; scripts/setup)"
RULES=$CHART/rules/limen.rules.yaml
NS=limen-system

# --- 1. the file ------------------------------------------------------------------------
out=$(promtool check rules "$RULES" 2>&1) || fail "promtool check rules: $out"
expect_contains "$out" "SUCCESS: 7 rules found" "promtool check rules"
tests=("$CHART"/rules/tests/*.yaml)
out=$(cd "$CHART/rules/tests" && promtool test rules "${tests[@]##*/}" 2>&1) || fail "promtool test rules: $out"
alerts=$(sed -n 's/^ *- alert: //p' "$RULES" | sort)
# Every alert has a case where it fires and one where it stays silent (promtool compares
# the exact set of alerts, so a firing case also proves the healthy neighbours silent).
for a in $alerts; do
  grep -h -A3 "alertname: $a$" "${tests[@]}" | grep -q 'exp_labels' || fail "no unit test where $a fires"
  grep -h -A2 "alertname: $a$" "${tests[@]}" | grep -q 'exp_alerts: \[\]' || fail "no unit test where $a stays silent"
done

# rules_of RENDER_JSON: the PrometheusRule's spec as a rule file (JSON is YAML).
rules_of() { jq '.[] | select(.kind == "PrometheusRule") | .spec' <<<"$1"; }
# unit_tests_against FILE: the unit tests of rules/tests with FILE as their rule file.
unit_tests_against() {
  local t
  for t in "${tests[@]}"; do
    sed "s|^  - \.\./limen\.rules\.yaml$|  - $1|" "$t" >"$TEST_TMP/$(basename "$t")"
    grep -q "  - $1" "$TEST_TMP/$(basename "$t")" || fail "$t does not name ../limen.rules.yaml"
  done
  (cd "$TEST_TMP" && promtool test rules "${tests[@]##*/}")
}

# --- 2. rendered with the defaults ------------------------------------------------------
d=$(render $NS)
expect_eq 0 "$(jq '[.[] | select(.kind == "PrometheusRule")] | length' <<<"$d")" "PrometheusRule with the defaults"
d=$(render $NS --set prometheusRule.enabled=true)
pr=$(jq -c '.[] | select(.kind == "PrometheusRule")' <<<"$d")
expect_eq "monitoring.coreos.com/v1 limen-test $NS alerts" \
  "$(jq -r '"\(.apiVersion) \(.metadata.name) \(.metadata.namespace) \(.metadata.labels["app.kubernetes.io/component"])"' <<<"$pr")" "PrometheusRule"
rules_of "$d" >"$TEST_TMP/rendered.json"
out=$(promtool check rules "$TEST_TMP/rendered.json" 2>&1) || fail "promtool check rules (rendered): $out"
expect_contains "$out" "SUCCESS: 7 rules found" "promtool check rules (rendered)"
expect_eq "$alerts" "$(jq -r '.groups[].rules[].alert' "$TEST_TMP/rendered.json" | sort)" "alerts rendered"
# Same rules as the file, field by field (the file as JSON through kubectl, offline).
src=$({ printf 'apiVersion: v1\nkind: RuleFile\nmetadata: {name: r}\nspec:\n'; sed 's/^/  /' "$RULES"; } | yaml_to_json | jq -S '.[0].spec')
expect_eq "$src" "$(jq -S . "$TEST_TMP/rendered.json")" "the rendered rules equal rules/limen.rules.yaml with the default values"
out=$(unit_tests_against "$TEST_TMP/rendered.json" 2>&1) || fail "unit tests against the rendered rules: $out"

# --- 3. values apply --------------------------------------------------------------------
cat >"$TEST_TMP/values.yaml" <<'EOF'
prometheusRule:
  enabled: true
  namespace: monitoring
  labels: {release: prom}
  alertLabels: {team: platform}
  alerts:
    LimenEventCoverageLow: {threshold: 0.4, for: 30m, severity: critical}
    LimenWebhookCertificateExpiresSoon: {threshold: 7}
    LimenNodeProbesFailing: {enabled: false}
EOF
d=$(render $NS -f "$TEST_TMP/values.yaml")
pr=$(jq -c '.[] | select(.kind == "PrometheusRule")' <<<"$d")
expect_eq "monitoring prom" "$(jq -r '"\(.metadata.namespace) \(.metadata.labels.release)"' <<<"$pr")" "namespace and labels"
rules_of "$d" >"$TEST_TMP/custom.json"
promtool check rules "$TEST_TMP/custom.json" >/dev/null 2>&1 || fail "promtool check rules (overrides): $(promtool check rules "$TEST_TMP/custom.json" 2>&1)"
r() { jq -r --arg a "$1" ".groups[].rules[] | select(.alert == \$a) | $2" "$TEST_TMP/custom.json"; }
expect_contains "$(r LimenEventCoverageLow .expr)" "< 0.4 # threshold" "threshold in the expression"
expect_eq "30m critical platform" "$(r LimenEventCoverageLow '"\(.for) \(.labels.severity) \(.labels.team)"')" "for, severity, alertLabels"
expect_contains "$(r LimenWebhookCertificateExpiresSoon .expr)" "< 86400 * 7 # threshold" "days threshold"
expect_eq "5m warning platform" "$(r LimenWorkloadLostSustained '"\(.for) \(.labels.severity) \(.labels.team)"')" "defaults kept"
expect_eq "" "$(r LimenNodeProbesFailing .alert)" "a disabled alert is not rendered"
expect_eq 6 "$(jq '[.groups[].rules[]] | length' "$TEST_TMP/custom.json")" "rules rendered with one disabled"
# The threshold changes what fires: at 0.4 a container at 50 % coverage is fine.
cat >"$TEST_TMP/threshold.test.yaml" <<EOF
rule_files: [$TEST_TMP/custom.json]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'limen_event_coverage_ratio{node="n1", namespace="shop", pod="cart-1", container="app"}'
        values: '0.5x60'
    alert_rule_test:
      - {alertname: LimenEventCoverageLow, eval_time: 45m, exp_alerts: []}
EOF
out=$(promtool test rules "$TEST_TMP/threshold.test.yaml" 2>&1) || fail "threshold 0.4 still fires at 50 %: $out"
expect_fail "the default threshold fires at 50 % (the override test is not vacuous)" \
  promtool test rules <(sed "s|$TEST_TMP/custom.json|$TEST_TMP/rendered.json|" "$TEST_TMP/threshold.test.yaml")
expect_contains "$OUT" 'Labels:{alertname="LimenEventCoverageLow", container="app"' "the default threshold fires"

expect_fail "a threshold that is not a ratio" helm template x "$CHART" --set prometheusRule.alerts.LimenEventCoverageLow.threshold=2
expect_contains "$OUT" "/prometheusRule/alerts/LimenEventCoverageLow/threshold" "schema error"
expect_fail "a bad duration" helm template x "$CHART" --set prometheusRule.alerts.LimenWorkloadLostSustained.for=soon
expect_contains "$OUT" "/prometheusRule/alerts/LimenWorkloadLostSustained/for" "schema error"
expect_fail "an alert values.yaml does not know" helm template x "$CHART" --set prometheusRule.alerts.LimenMadeUp.enabled=true
expect_contains "$OUT" "additional properties 'LimenMadeUp' not allowed" "schema error"

# --- 4. the file and values.yaml stay in sync -------------------------------------------
cp -r "$CHART" "$TEST_TMP/chart"
cat >>"$TEST_TMP/chart/rules/limen.rules.yaml" <<'EOF'
      - alert: LimenNewAlert
        expr: vector(1)
EOF
expect_fail "an alert without values" helm template x "$TEST_TMP/chart" --set prometheusRule.enabled=true
expect_contains "$OUT" "alert LimenNewAlert has no prometheusRule.alerts.LimenNewAlert in values.yaml" "render error"
cp "$RULES" "$TEST_TMP/chart/rules/limen.rules.yaml"
sed -i 's/< 0.9 # threshold/< 0.9/' "$TEST_TMP/chart/rules/limen.rules.yaml"
expect_fail "a threshold without its marker" helm template x "$TEST_TMP/chart" --set prometheusRule.enabled=true
expect_contains "$OUT" "alert LimenEventCoverageLow has no \"<number> # threshold\"" "render error"

echo "PASS: $(wc -l <<<"$alerts") alerts: promtool check + unit tests on the file and on the rendered PrometheusRule; values apply"

#!/usr/bin/env bash
# chart.grafana_dry_run: the dashboard ConfigMaps and the PrometheusRule, rendered with
# overrides, applied to the real apiserver with `kubectl apply --dry-run=server
# --validate=strict`. The PrometheusRule is validated against the stand-in CRD of
# testdata/ (upstream's group/kind and the fields the chart renders), not upstream's CRD.
# shellcheck source=../../test/lib.sh
source "$(dirname "$0")/../../test/lib.sh"
need_cluster
kubectl apply --server-side --force-conflicts --field-manager=limen-chart-test \
  -f "$CHART/tests/testdata/prometheusrules.monitoring.coreos.com.yaml" >/dev/null
kubectl wait --for=condition=Established --timeout=60s crd/prometheusrules.monitoring.coreos.com >/dev/null
retry 30 kubectl get prometheusrules.monitoring.coreos.com -A -o name >/dev/null 2>&1 ||
  fail "the PrometheusRule stand-in CRD is not served"
NS=chart-grafana-$(random_suffix)
make_namespace "$NS"
helm template limen-graf "$CHART" --namespace "$NS" --show-only templates/grafana/dashboards.yaml \
  --show-only templates/grafana/prometheusrule.yaml --set grafana.dashboards.enabled=true \
  --set prometheusRule.enabled=true --set prometheusRule.labels.release=prom \
  --set prometheusRule.alertLabels.team=platform >"$TEST_TMP/grafana.yaml" || fail "helm template"
expect_eq "ConfigMap ConfigMap ConfigMap ConfigMap PrometheusRule" \
  "$(sed -n 's/^kind: //p' "$TEST_TMP/grafana.yaml" | sort | tr '\n' ' ' | sed 's/ $//')" "objects rendered"
out=$(kubectl apply --dry-run=server --validate=strict -f "$TEST_TMP/grafana.yaml" 2>&1) ||
  fail "server dry-run: $out"
expect_eq 5 "$(grep -c 'created (server dry run)' <<<"$out")" "objects accepted: $out"
grep -qi warning <<<"$out" && fail "the apiserver warned: $out"
# Not vacuous: a misspelled rule field is refused.
sed 's/^        for: 5m/        forr: 5m/' "$TEST_TMP/grafana.yaml" >"$TEST_TMP/bad.yaml"
expect_fail "a misspelled field" kubectl apply --dry-run=server --validate=strict -f "$TEST_TMP/bad.yaml"
expect_contains "$OUT" 'unknown field "spec.groups[0].rules[0].forr"' "strict field validation"
echo "PASS: 4 dashboard ConfigMaps and the PrometheusRule accepted by the apiserver (server dry-run)"

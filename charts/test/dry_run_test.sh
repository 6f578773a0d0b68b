#!/usr/bin/env bash
# chart.dry_run: `helm template` with the defaults and with each option, applied to the real
# apiserver with `kubectl apply --dry-run=server --validate=strict`: every object passes the
# apiserver's validation and admission (unknown fields are errors), CRDs installed first.
# The ServiceMonitor and cert-manager kinds are validated against the stand-in CRDs of
# testdata/ (the fields the chart uses, upstream's names and types), not the upstream CRDs.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
need_cluster
install_crds
NS=chart-dry-$(random_suffix)
make_namespace "$NS"

total=0
for spec in "${OPTION_SETS[@]}"; do
  name=${spec%%|*}; option_flags "$spec"
  helm template "limen-$name" "$CHART" --namespace "$NS" "${FLAGS[@]}" >"$TEST_TMP/$name.yaml" ||
    fail "helm template ($name)"
  n=$(grep -c '^kind:' "$TEST_TMP/$name.yaml")
  out=$(kubectl apply --dry-run=server --validate=strict -f "$TEST_TMP/$name.yaml" 2>&1) ||
    fail "server dry-run of option set '$name' failed: $out"
  created=$(grep -c 'created (server dry run)' <<<"$out" || true)
  expect_eq "$n" "$created" "objects accepted by the apiserver ($name): $out"
  grep -qi warning <<<"$out" && fail "the apiserver warned for '$name': $out"
  total=$((total + n))
done

# The dry run is not vacuous: a field the apiserver does not know, and a value it refuses,
# fail it (strict field validation; apiserver validation).
helm template limen-bad "$CHART" --namespace "$NS" >"$TEST_TMP/bad.yaml"
sed 's/^    reinvocationPolicy: IfNeeded/    reinvocationPolicy: IfNeeded\n    reinvocationPolicyy: Never/' "$TEST_TMP/bad.yaml" >"$TEST_TMP/bad1.yaml"
expect_fail "dry-run of an unknown field" kubectl apply --dry-run=server --validate=strict -f "$TEST_TMP/bad1.yaml"
expect_contains "$OUT" 'unknown field "webhooks[0].reinvocationPolicyy"' "strict field validation"
sed 's/^    timeoutSeconds: 3/    timeoutSeconds: 31/' "$TEST_TMP/bad.yaml" >"$TEST_TMP/bad2.yaml"
expect_fail "dry-run of timeoutSeconds 31" kubectl apply --dry-run=server -f "$TEST_TMP/bad2.yaml"
expect_contains "$OUT" "timeoutSeconds" "apiserver validation"
echo "PASS: ${#OPTION_SETS[@]} option sets, $total objects accepted by the apiserver (server dry-run)"

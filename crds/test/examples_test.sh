#!/usr/bin/env bash
# crds.examples: every example in crds/examples is accepted by the real apiserver (server-side
# dry-run, then a real create; status through the status subresource), reads back with
# nothing lost, and with every schema default filled in — including DESIGN.md's values.
# shellcheck source=lib.sh disable=SC2016 # jq programs are single-quoted on purpose
source "$(dirname "$0")/lib.sh"
install_crds
use_namespace crds-examples
JQ=(jq -L "$CRDS_DIR/test")

for plural in "${KINDS[@]}"; do
  file=$CRDS_DIR/examples/$plural.yaml
  [ -f "$file" ] || fail "missing example $file"
  obj=$(namespaced "$(to_json "$file")")
  expect_eq "$(kubectl get crd "$plural.limen.dev" -o jsonpath='{.spec.names.kind}')" \
    "$(jq -r .kind <<<"$obj")" "kind of the example $file"
  name=$(jq -r .metadata.name <<<"$obj")
  ns_flag=(); [ "$(jq -r '.metadata.namespace // ""' <<<"$obj")" = "" ] || ns_flag=(-n "$TEST_NS")
  schema=$(kubectl get crd "$plural.limen.dev" -o json | jq '.spec.versions[0].schema.openAPIV3Schema')

  # 1. Server-side dry-run: accepted, and the apiserver's answer already carries the defaults.
  dry=$(kubectl create --dry-run=server -o json -f - <<<"$obj" 2>&1) || fail "$plural example rejected by server-side dry-run: $dry"
  bad=$("${JQ[@]}" -r --argjson s "$schema" --argjson sent "$obj" 'include "schema"; missing_defaults($s; $sent; "")' <<<"$dry")
  [ -z "$bad" ] || fail "$plural dry-run: defaults not applied: $bad"

  # 2. A real create (status, which create ignores, goes through the status subresource).
  out=$(kubectl create -f - <<<"$obj" 2>&1) || fail "$plural example rejected on create: $out"
  if jq -e 'has("status")' <<<"$obj" >/dev/null; then
    out=$(kubectl replace --subresource=status -f - <<<"$obj" 2>&1) || fail "$plural example status rejected: $out"
  fi

  # 3. Read back: nothing pruned or rewritten, every default present.
  got=$(kubectl get "$plural.limen.dev" "$name" "${ns_flag[@]}" -o json)
  bad=$("${JQ[@]}" -r --argjson sent "$obj" 'include "schema"; lost($sent)' <<<"$got")
  [ -z "$bad" ] || fail "$plural read back differs from the example: $bad"
  bad=$("${JQ[@]}" -r --argjson s "$schema" --argjson sent "$obj" 'include "schema"; missing_defaults($s; $sent; "")' <<<"$got")
  [ -z "$bad" ] || fail "$plural read back: defaults not applied: $bad"
  echo "ok: $plural example accepted and read back with its defaults"
done

# The defaults DESIGN.md fixes (the examples leave these fields out on purpose).
check_default() { # plural jq-path want
  local got
  got=$(kubectl get "$1.limen.dev" checkout -n "$TEST_NS" -o json | jq -c "$2")
  expect_eq "$3" "$got" "default $1 $2"
}
check_default observabilitypolicies .spec.readiness.startupMillis 12
check_default observabilitypolicies .spec.readiness.memory '"3.2M"'
check_default observabilitypolicies .spec.readiness.coveragePercent 92
check_default observabilitypolicies .spec.readiness.requiredCriteria 2
check_default observabilitypolicies .spec.readiness.sustainFor '"2160h"'
check_default resiliencepolicies '.spec.circuitBreakers[0].thresholdPercent' 60
check_default resiliencepolicies '.spec.circuitBreakers[0].minRequestAmount' 20
check_default resiliencepolicies '.spec.circuitBreakers[0].statIntervalSeconds' 10
check_default resiliencepolicies .spec.healthCheck.timeout '"3s"'
check_default resiliencepolicies .spec.degradedResponse.status 503
echo "PASS: ${#KINDS[@]} examples accepted, DESIGN.md defaults applied"

#!/usr/bin/env bash
# crds.invalid: every object in crds/testdata/invalid breaks exactly one rule of the CRDs, and
# the real apiserver rejects it with the text its `# expect:` line declares (see
# crds/README.md). Objects marked `# subresource: status` are created first (create ignores
# status), and their status is then written through the status subresource.
# Then the transition rules: InstrumentedWorkload.spec.workloadRef is immutable.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
install_crds
use_namespace crds-invalid

shopt -s nullglob
files=("$CRDS_DIR"/testdata/invalid/*.yaml)
[ ${#files[@]} -ge 30 ] || fail "want at least 30 invalid objects in crds/testdata/invalid, found ${#files[@]}"
failures=0
for f in "${files[@]}"; do
  case=$(basename "$f" .yaml)
  [ "$(grep -c '^# expect: ' "$f")" = 1 ] || fail "$case: needs exactly one '# expect: ' line"
  want=$(sed -n 's/^# expect: //p' "$f")
  obj=$(namespaced "$(to_json "$f")")
  if grep -qx '# subresource: status' "$f"; then
    out=$(kubectl create -f - <<<"$obj" 2>&1) || fail "$case: creating the object (without status) failed: $out"
    status_ok=0
    out=$(kubectl replace --subresource=status -f - <<<"$obj" 2>&1) && status_ok=1
    kubectl delete -f - <<<"$obj" >/dev/null
    if [ $status_ok = 1 ]; then
      echo "FAIL: $case: status accepted, want rejection with: $want" >&2; failures=$((failures + 1)); continue
    fi
  else
    if out=$(kubectl create -f - <<<"$obj" 2>&1); then
      echo "FAIL: $case: accepted, want rejection with: $want" >&2; failures=$((failures + 1)); continue
    fi
  fi
  if [[ "$out" != *"$want"* ]]; then
    printf 'FAIL: %s: rejected with another message.\n  want: %s\n  got:  %s\n' "$case" "$want" "$out" >&2
    failures=$((failures + 1)); continue
  fi
  # One broken rule each: a single cause (the apiserver's note that it skipped CEL rules after
  # a schema error is not a cause).
  causes=$(grep '^\* ' <<<"$out" | grep -vc 'some validation rules were not checked' || true)
  if [ "$causes" -gt 1 ]; then
    printf 'FAIL: %s: breaks more than one rule:\n%s\n' "$case" "$out" >&2
    failures=$((failures + 1)); continue
  fi
  echo "ok: $case"
done

# Transition rule: workloadRef is immutable once created.
obj=$(namespaced "$(to_json "$CRDS_DIR/examples/instrumentedworkloads.yaml")")
kubectl create -f - <<<"$(jq 'del(.status)' <<<"$obj")" >/dev/null
expect_fail "changing workloadRef" kubectl patch instrumentedworkloads.limen.dev deployment-checkout -n "$TEST_NS" \
  --type=merge -p '{"spec":{"workloadRef":{"name":"checkout-v2"}}}'
expect_contains "$OUT" 'spec.workloadRef: Invalid value: workloadRef is immutable' "rejection of a workloadRef change"
echo "ok: workloadRef is immutable"

[ "$failures" = 0 ] || fail "$failures of ${#files[@]} invalid objects were not rejected as expected"
echo "PASS: ${#files[@]} invalid objects rejected with their expected messages"

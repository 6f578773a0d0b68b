#!/usr/bin/env bash
# crds.printer_columns: `kubectl get` of each kind shows the columns issue 4 asks for, filled
# from status; short names and the `limen` category resolve; api-resources lists them.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
install_crds
use_namespace crds-columns

for plural in "${KINDS[@]}"; do
  obj=$(namespaced "$(to_json "$CRDS_DIR/examples/$plural.yaml")")
  kubectl create -f - <<<"$obj" >/dev/null
  if jq -e 'has("status")' <<<"$obj" >/dev/null; then kubectl replace --subresource=status -f - <<<"$obj" >/dev/null; fi
done
# The policies' and the filter's examples carry no status: write what the operator would.
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
ready() { printf '{"type":"%s","status":"True","reason":"%s","message":"","lastTransitionTime":"%s"}' "$1" "$2" "$now"; }
kubectl patch observabilitypolicies.limen.dev checkout -n "$TEST_NS" --subresource=status --type=merge -p \
  "{\"status\":{\"matchedWorkloads\":1,\"workloadsSustained\":0,\"coverage\":\"95.2%\",\"conditions\":[$(ready Ready ProbesLoaded)]}}" >/dev/null
kubectl patch resiliencepolicies.limen.dev checkout -n "$TEST_NS" --subresource=status --type=merge -p \
  "{\"status\":{\"matchedWorkloads\":1,\"injectedPods\":3,\"renderedConfig\":{\"name\":\"limen-checkout-sidecar\",\"hash\":\"5f2c9a\"},\"conditions\":[$(ready Ready Rendered)]}}" >/dev/null
kubectl patch wasmfilters.limen.dev authz -n "$TEST_NS" --subresource=status --type=merge -p \
  "{\"status\":{\"abi\":\"proxy-wasm\",\"size\":48213,\"conditions\":[$(ready Validated Valid)]}}" >/dev/null

# check_table WHAT WANT_HEADER WANT_ROW_PREFIX kubectl-get-args...: compares the header and the
# first row (whitespace squeezed; the AGE column is cut off the row).
check_table() {
  local what=$1 header=$2 row=$3; shift 3
  local out
  out=$(kubectl get "$@") || fail "$what: kubectl get $* failed"
  expect_eq "$header" "$(head -1 <<<"$out" | tr -s ' ' | sed 's/ $//')" "$what: header"
  local got_row
  got_row=$(sed -n 2p <<<"$out" | tr -s ' ')
  [[ "$got_row" == "$row "* ]] || fail "$what: row: want '$row ...', got '$got_row'"
}
nps=$TEST_NS-worker-1
check_table obspol "NAME WORKLOADS READY AGE" "checkout 1 True" obspol -n "$TEST_NS"
check_table "obspol -o wide" "NAME WORKLOADS READY SUSTAINED COVERAGE AGE" "checkout 1 True 0 95.2%" obspol -n "$TEST_NS" -o wide
check_table respol "NAME WORKLOADS READY AGE" "checkout 1 True" respol -n "$TEST_NS"
check_table "respol -o wide" "NAME WORKLOADS READY INJECTED CONFIG AGE" "checkout 1 True 3 limen-checkout-sidecar" respol -n "$TEST_NS" -o wide
check_table wasmf "NAME ABI SIZE VALIDATED AGE" "authz proxy-wasm 48213 True" wasmf -n "$TEST_NS"
check_table iwl "NAME STARTUP MEMORY COVERAGE CRITERIA READY AGE" "deployment-checkout 8.2ms 2.9M 95.2% 3/3 False" iwl -n "$TEST_NS"
check_table "iwl -o wide" "NAME STARTUP MEMORY COVERAGE CRITERIA READY KIND WORKLOAD PODS AGE" \
  "deployment-checkout 8.2ms 2.9M 95.2% 3/3 False Deployment checkout 3" iwl -n "$TEST_NS" -o wide
check_table nps "NAME KERNEL PROBES PODS AGE" "$nps 6.1.0-27-cloud-amd64 8/8 2" nps "$nps"
echo "ok: printer columns"

# api-resources: the category lists exactly the five kinds, with their short names.
got=$(kubectl api-resources --categories=limen --no-headers | awk '{print $1, $2, $NF}' | sort | tr '\n' ';')
expect_eq "instrumentedworkloads iwl InstrumentedWorkload;nodeprobestates nps NodeProbeState;observabilitypolicies obspol ObservabilityPolicy;resiliencepolicies respol ResiliencePolicy;wasmfilters wasmf WasmFilter;" \
  "$got" "kubectl api-resources --categories=limen"

# Short names and the category resolve in kubectl get.
got=$(kubectl get obspol,respol,wasmf,iwl -n "$TEST_NS" -o name | sort | tr '\n' ' ')
expect_eq "instrumentedworkload.limen.dev/deployment-checkout observabilitypolicy.limen.dev/checkout resiliencepolicy.limen.dev/checkout wasmfilter.limen.dev/authz " \
  "$got" "kubectl get by short names"
expect_eq "nodeprobestate.limen.dev/$nps" "$(kubectl get nps "$nps" -o name)" "kubectl get nps"
got=$(kubectl get limen -n "$TEST_NS" -o name | grep -v '^nodeprobestate' | sort | tr '\n' ' ')
expect_eq "instrumentedworkload.limen.dev/deployment-checkout observabilitypolicy.limen.dev/checkout resiliencepolicy.limen.dev/checkout wasmfilter.limen.dev/authz " \
  "$got" "kubectl get limen (category)"
echo "PASS: printer columns, short names and the limen category"

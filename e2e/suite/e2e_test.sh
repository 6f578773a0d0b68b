#!/usr/bin/env bash
# The end-to-end suite (ctest label e2e, cluster fixture, root): Limen installed with its
# chart on the real local control plane, its three binaries running as local processes (the
# webhook reached by URL), and e2e/suite/kubelet playing kubelet for one Node with real
# processes in real cgroups. One workload goes from policy to Sustained:
#   - ObservabilityPolicy (sustainFor 10s), a Validated WasmFilter and a ResiliencePolicy,
#     then a Deployment in an enabled namespace;
#   - its Pods are injected by the real apiserver calling the webhook; the sidecar config
#     ConfigMap exists and its hash is the one stamped into the Pods;
#   - the kubelet starts the Go workload for each Pod; the bpf-loader attributes the
#     processes and loads the probes; NodeProbeState shows them;
#   - the InstrumentedWorkload reports startup, memory and coverage and becomes Sustained;
#     `kubectl get iwl` shows the columns;
#   - every binary's /metrics passes `promtool check metrics`;
#   - deleting the Deployment removes everything Limen created for it.
# usage: e2e_test.sh WEBHOOK OPERATOR LOADER WORKLOAD FILTER.wasm
source "$(dirname "$0")/../testing/lib.sh"
source "$LIMEN_ROOT/e2e/suite/lib.sh"
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root (BPF, cgroups)"; exit 0; }
[ -n "${KUBECONFIG:-}" ] || fail "KUBECONFIG is not set (ctest fixture cluster)"
export LIMEN_WEBHOOK_BIN=$1 LIMEN_OPERATOR_BIN=$2 LIMEN_LOADER_BIN=$3
WORKLOAD=$4 FILTER=$5

suffix=$(head -c3 /dev/urandom | od -An -tx1 | tr -d ' \n')
NS=e2e-$suffix NODE=e2e-node-$suffix
export LIMEN_RUN
LIMEN_RUN=$(mktemp -d "${TMPDIR:-/tmp}/limen-e2e.XXXXXX")
KUBELET_PID=""
cleanup() {
  local rc=$?
  set +e
  [ -z "$KUBELET_PID" ] || { kill -TERM "$KUBELET_PID"; wait "$KUBELET_PID"; }
  limen_stop
  if [ $rc -ne 0 ]; then
    for f in "$LIMEN_RUN"/logs/*.log; do echo "--- $(basename "$f") (tail)" >&2; tail -n 25 "$f" >&2; done
  fi
  kubectl delete namespace "$NS" --wait=false >/dev/null 2>&1
  kubectl delete node "$NODE" nodeprobestate/"$NODE" --ignore-not-found --wait=false >/dev/null 2>&1
  helm uninstall "$LIMEN_RELEASE" -n "$LIMEN_NAMESPACE" >/dev/null 2>&1
  if [ "${KEEP_RUN:-0}" = 1 ]; then echo "run dir: $LIMEN_RUN" >&2; else rm -rf "$LIMEN_RUN"; fi
}
trap cleanup EXIT

step() { echo "== $*"; }

step "Limen: webhook, chart (URL mode), operator, bpf-loader for node $NODE"
limen_install_crds
limen_start_webhook
limen_install_chart
limen_start_operator
"$LIMEN_ROOT/e2e/suite/kubelet" --node "$NODE" --namespace "$NS" --workload "$WORKLOAD" \
  --dir "$LIMEN_RUN/kubelet" >"$LIMEN_RUN/logs/kubelet.log" 2>&1 &
KUBELET_PID=$!
retry 30 kubectl get node "$NODE" >/dev/null 2>&1 || fail "the kubelet did not register node $NODE"
limen_start_loader "$NODE"

step "policies in $NS: ObservabilityPolicy (sustainFor 10s, startup ≤ 1 s), WasmFilter, ResiliencePolicy"
# Startup threshold 1 s, not 12 ms: the suite checks Limen's logic, and a loaded CI machine
# can take longer than 12 ms to start even a small Go program (seen: 16 ms). Memory (a Go
# program's ≈ 5 MB RSS > 3.2M) stays unmet, so the workload is Sustained on 2 of 3.
limen_apply_samples "$NS" 10s "$FILTER" 1000
limen_filter_validated "$NS" hello-headers || fail "WasmFilter not Validated"
limen_policy_rendered "$NS" hello || fail "ResiliencePolicy not rendered"
cm=$(kubectl -n "$NS" get resiliencepolicy hello -o jsonpath='{.status.renderedConfig.name}')
hash=$(kubectl -n "$NS" get resiliencepolicy hello -o jsonpath='{.status.renderedConfig.hash}')
kubectl -n "$NS" get configmap "$cm" >/dev/null || fail "rendered ConfigMap $cm missing"

step "Deployment hello: Pods injected by the apiserver calling the webhook"
limen_apply_workload "$NS"
two_pods() { [ "$(kubectl -n "$NS" get pods -l app=hello -o name | wc -l)" -eq 2 ]; }
retry 60 two_pods || fail "no 2 Pods: $(kubectl -n "$NS" get rs,pods 2>&1)"
pods=$(kubectl -n "$NS" get pods -l app=hello -o json)
expect_eq "hello@$hash hello@$hash" \
  "$(jq -r '[.items[].metadata.annotations["limen.dev/injected"]] | join(" ")' <<<"$pods")" "injected annotations"
expect_eq "limen-sidecar limen-sidecar" \
  "$(jq -r '[.items[].spec.initContainers[]?.name] | join(" ")' <<<"$pods")" "native sidecars"
expect_eq "2" "$(jq '[.items[].spec.volumes[]? | select(.configMap.name == "hello-filter")] | length' <<<"$pods")" \
  "the Validated WasmFilter's module volume (ConfigMap hello-filter) in both Pods"
expect_eq "$hash" "$(kubectl -n "$NS" get configmap "$cm" -o jsonpath='{.metadata.annotations.limen\.dev/config-hash}')" \
  "the sidecar ConfigMap's hash is the injected one"

step "kubelet runs the Pods; the bpf-loader attributes them (NodeProbeState)"
nps() { kubectl get nodeprobestate "$NODE" -o json 2>/dev/null; }
attributed() {
  nps | jq -e '[.status.pods[]? | select(.namespace != null and .startupNanos > 0 and .rssBytes > 0)] | length == 2' >/dev/null
}
retry 90 attributed || { nps | jq .status; cat "$LIMEN_RUN/logs/kubelet.log"; fail "pods not measured in NodeProbeState $NODE"; }
# Traffic for the tcp.* and go.* probes.
for f in "$LIMEN_RUN"/kubelet/*/port; do
  port=$(cat "$f")
  for _ in $(seq 20); do curl -sf "http://127.0.0.1:$port/" >/dev/null || fail "workload on $port"; done
done
echo "NodeProbeState: $(nps | jq -c '{probesSummary: .status.probesSummary, pods: [.status.pods[] | {name, startupNanos, rssBytes, events}]}')"

step "InstrumentedWorkload: startup, memory, coverage, then Sustained"
iwl_name=$(kubectl -n "$NS" get iwl -o jsonpath='{.items[0].metadata.name}')
[ -n "$iwl_name" ] || fail "no InstrumentedWorkload in $NS"
iwl() { kubectl -n "$NS" get iwl "$iwl_name" -o json; }
sustained() { iwl | jq -e '.status.conditions[]? | select(.type == "Ready" and .status == "True" and .reason == "Sustained")' >/dev/null; }
retry 120 sustained || { iwl | jq .status; fail "InstrumentedWorkload $iwl_name never became Sustained"; }
state=$(iwl)
echo "status: $(jq -c '.status | {criteria, pods}' <<<"$state")"
jq -e '[.status.criteria[] | select(.met == "True") | .name] | index("Startup") != null and index("Coverage") != null' \
  <<<"$state" >/dev/null || fail "Startup and Coverage should hold: $(jq -c .status.criteria <<<"$state")"
jq -e '.status.pods.total == 2 and .status.pods.injected == 2 and .status.pods.instrumented == 2' <<<"$state" >/dev/null ||
  fail "pod counts: $(jq -c .status.pods <<<"$state")"
expect_eq "Deployment/hello" "$(jq -r '.metadata.ownerReferences[0] | .kind + "/" + .name' <<<"$state")" "IWL owner"
table=$(kubectl -n "$NS" get iwl)
echo "$table"
expect_eq "NAME STARTUP MEMORY COVERAGE CRITERIA READY AGE" "$(head -1 <<<"$table" | tr -s ' ')" "iwl columns"
expect_eq True "$(tail -1 <<<"$table" | awk '{print $6}')" "READY column"

step "a malformed admission request gets a 4xx, not a crash"
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$LIMEN_RUN/certs/ca.crt" -X POST \
  -H 'Content-Type: text/plain' --data 'not an AdmissionReview' "$WEBHOOK_URL/mutate-pods")
expect_eq 415 "$code" "webhook answer to a text/plain body"

step "promtool check metrics on every binary"
while read -r name url; do
  extra=(); [ "$name" != webhook ] || extra=(--cacert "$LIMEN_RUN/certs/ca.crt")
  body=$(curl -sf "${extra[@]}" "$url") || fail "scrape $name $url"
  out=$(promtool check metrics <<<"$body" 2>&1) || fail "promtool check metrics on $name: $out"
  [ -z "$out" ] || echo "promtool on $name (lint): $(head -3 <<<"$out")"
  printf '%s\n' "$body" >"$LIMEN_RUN/scrape-$name.txt"
done <"$LIMEN_RUN/urls"
expect_contains "$(curl -sf "$OPERATOR_URL/metrics")" "limen_workload_sustained{namespace=\"$NS\"" "operator metrics"
# The chart's Grafana dashboards and alert rules query only metrics these scrapes have.
scrapes=(); for f in "$LIMEN_RUN"/scrape-*.txt; do scrapes+=(--scrape "$f"); done
expect_eq 6 "${#scrapes[@]}" "scrapes of the three binaries"
"$LIMEN_ROOT/charts/limen/tests/check_dashboard_metrics.sh" "${scrapes[@]}" ||
  fail "the chart's dashboards or alerts query metrics that the binaries do not export"

step "deleting the Deployment removes what Limen created for it"
kubectl -n "$NS" delete deployment hello >/dev/null
gone() {
  [ -z "$(kubectl -n "$NS" get iwl -o name)" ] && [ -z "$(kubectl -n "$NS" get pods -o name)" ] &&
    nps | jq -e '(.status.pods | length) == 0' >/dev/null
}
retry 90 gone || fail "left behind: $(kubectl -n "$NS" get iwl,pods -o name) $(nps | jq -c '.status.pods')"
[[ "$(curl -sf "$OPERATOR_URL/metrics")" != *"workload=\"$iwl_name\""* ]] || fail "operator still exports $iwl_name"
echo PASS

#!/usr/bin/env bash
# The built-in dashboard in a real browser (ctest label e2e, cluster fixture): two
# limen-operator replicas (leader and follower) on the local control plane; the test plays
# kubelet (bare Pods bound to a node, Running) and bpf-loader (a NodeProbeState written
# through the status subresource), so that the operator's own controllers produce the status
# the page shows:
#   ns A  ObservabilityPolicy web-obs (sustainFor 10s)   → pod-web   Sustained
#         ResiliencePolicy web-res (tier=front)          → pod-cache Unknown (no thresholds)
#   ns B  ObservabilityPolicy api-obs (sustainFor 1h)    → pod-api   ThresholdsMet (3/3)
#         ObservabilityPolicy batch-obs (a Failed probe) → pod-batch NotMet (0/3)
# dashboard.test.js then drives headless Debian chromium through playwright-core: the page
# lists these, its numbers equal `kubectl get -o json`, filters and sorting work, it updates
# without a reload when the NodeProbeState changes, /api/v1/summary (leader and follower)
# validates against summary.schema.json (ajv), and it saves screenshots under the build tree.
# usage: dashboard_test.sh OPERATOR_BIN
source "$(dirname "$0")/../testing/lib.sh"
source "$LIMEN_ROOT/e2e/dashboard/npm.sh"
[ -n "${KUBECONFIG:-}" ] || fail "KUBECONFIG is not set (ctest fixture cluster)"
OPERATOR_BIN=$1
export LIMEN_CHROMIUM=${LIMEN_CHROMIUM:-/usr/bin/chromium}
# Missing tools fail the test (CI must have them: scripts/setup installs both).
[ -x "$LIMEN_CHROMIUM" ] || fail "$LIMEN_CHROMIUM not found: run scripts/setup (Debian's chromium)"
command -v node >/dev/null || fail "node not found"
export NODE_PATH
NODE_PATH=$(dashboard_npm_dir)/node_modules
if [ ! -d "$NODE_PATH/playwright-core" ] || [ ! -d "$NODE_PATH/ajv" ]; then
  fail "playwright-core/ajv not in $NODE_PATH: run scripts/setup"
fi

suffix=$(head -c3 /dev/urandom | od -An -tx1 | tr -d ' \n')
export NS_A=dash-a-$suffix NS_B=dash-b-$suffix NODE=dash-node-$suffix
export ARTIFACTS=${LIMEN_BUILD_DIR:-/tmp}/e2e/dashboard
mkdir -p "$ARTIFACTS"
RUN=$(mktemp -d "${TMPDIR:-/tmp}/limen-dashboard.XXXXXX")
PIDS=()
cleanup() {
  local rc=$?
  set +e
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
  if [ $rc -ne 0 ]; then
    for f in "$RUN"/*.log; do echo "--- $(basename "$f") (tail)" >&2; tail -n 20 "$f" >&2; done
  fi
  kubectl delete namespace "$NS_A" "$NS_B" --wait=false >/dev/null 2>&1
  kubectl delete nodeprobestate "$NODE" --ignore-not-found --wait=false >/dev/null 2>&1
  rm -rf "$RUN"
}
trap cleanup EXIT
step() { echo "== $*"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

step "CRDs, namespaces $NS_A $NS_B"
kubectl apply --server-side --force-conflicts --field-manager=limen-dashboard-test \
  -f "$LIMEN_ROOT/crds/" >/dev/null
kubectl wait --for=condition=Established --timeout=60s crd \
  observabilitypolicies.limen.dev resiliencepolicies.limen.dev wasmfilters.limen.dev \
  instrumentedworkloads.limen.dev nodeprobestates.limen.dev >/dev/null
kubectl create namespace "$NS_A" >/dev/null
kubectl create namespace "$NS_B" >/dev/null

# start_operator NAME: a replica contending for the Lease in $NS_A; sets PORT.
start_operator() {
  local name=$1 port
  port=$(free_port)
  # Samples stay fresh for 3 x 60 s: longer than the test, so no criterion turns Unknown.
  "$OPERATOR_BIN" --kubeconfig "$KUBECONFIG" --metrics-addr "127.0.0.1:$port" \
    --lease-namespace "$NS_A" --identity "$name" --report-interval 60s --log-format text \
    </dev/null >"$RUN/$name.log" 2>&1 &
  PIDS+=($!)
  retry 60 curl -sf "http://127.0.0.1:$port/readyz" >/dev/null || fail "$name not ready"
  PORT=$port
}
leader_of() { curl -sf "http://127.0.0.1:$1/api/v1/summary" | jq -e '.operator.leader' >/dev/null; }

step "operators: dash-leader, then dash-follower"
start_operator dash-leader
export LEADER_URL=http://127.0.0.1:$PORT
retry 30 leader_of "$PORT" || fail "dash-leader did not take the Lease"
start_operator dash-follower
export FOLLOWER_URL=http://127.0.0.1:$PORT

step "policies"
kubectl apply -f - >/dev/null <<EOF
apiVersion: limen.dev/v1alpha1
kind: ObservabilityPolicy
metadata: {name: web-obs, namespace: $NS_A}
spec:
  selector: {matchLabels: {app: web}}
  probes: [process.exec]
  readiness: {startupMillis: 12, sustainFor: 10s}
---
apiVersion: limen.dev/v1alpha1
kind: ResiliencePolicy
metadata: {name: web-res, namespace: $NS_A}
spec:
  selector: {matchLabels: {tier: front}}
  upstreams: [{name: api, host: api.$NS_B.svc.cluster.local, port: 8080}]
---
apiVersion: limen.dev/v1alpha1
kind: ObservabilityPolicy
metadata: {name: api-obs, namespace: $NS_B}
spec:
  selector: {matchLabels: {app: api}}
  probes: [process.exec, tcp.state]
  readiness: {sustainFor: 1h}
---
apiVersion: limen.dev/v1alpha1
kind: ObservabilityPolicy
metadata: {name: batch-obs, namespace: $NS_B}
spec:
  selector: {matchLabels: {app: batch}}
  probes: [process.exec, tcp.retransmit]
EOF

step "Pods on $NODE (the test plays kubelet)"
pod() {  # pod NS NAME LABELS-JSON
  kubectl apply -f - >/dev/null <<EOF
{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "$2", "namespace": "$1", "labels": $3},
 "spec": {"nodeName": "$NODE", "containers": [{"name": "app", "image": "app:1"}]}}
EOF
  kubectl patch pod "$2" -n "$1" --subresource=status --type=merge -p \
    '{"status": {"phase": "Running", "containerStatuses": [{"name": "app", "image": "app:1", "imageID": "", "ready": true, "restartCount": 0, "containerID": "containerd://'"$2"'"}]}}' >/dev/null
}
pod "$NS_A" web '{"app": "web", "tier": "front"}'
pod "$NS_A" cache '{"app": "cache", "tier": "front"}'
pod "$NS_B" api '{"app": "api"}'
pod "$NS_B" batch '{"app": "batch"}'

step "NodeProbeState $NODE (the test plays bpf-loader)"
kubectl create -f - >/dev/null <<EOF
{"apiVersion": "limen.dev/v1alpha1", "kind": "NodeProbeState", "metadata": {"name": "$NODE"}}
EOF
entry() {  # entry NS NAME STARTUP_MS RSS DELIVERED DROPPED
  local uid
  uid=$(kubectl get pod "$2" -n "$1" -o jsonpath='{.metadata.uid}')
  printf '{"namespace": "%s", "name": "%s", "uid": "%s", "startupNanos": %d, "rssBytes": %d, "events": {"hits": %d, "delivered": %d, "dropped": %d}}' \
    "$1" "$2" "$uid" "$(($3 * 1000000))" "$4" "$(($5 + $6))" "$5" "$6"
}
cat >"$ARTIFACTS/nps-status.json" <<EOF
{"status": {
  "kernel": {"release": "6.1.0-limen-e2e", "btf": true, "ringBuffer": true, "tracepoints": true,
             "uprobes": true, "kprobes": false, "fentry": false},
  "probes": [
    {"name": "process.exec", "state": "Attached", "attachedAt": "$(date -u +%FT%TZ)"},
    {"name": "tcp.state", "state": "Attached", "attachedAt": "$(date -u +%FT%TZ)"},
    {"name": "tcp.retransmit", "state": "Failed", "error": "kprobe tcp_retransmit_skb: not supported by this kernel"}],
  "probesSummary": "2/3",
  "pods": [$(entry "$NS_A" web 8 5000000 950 50), $(entry "$NS_B" api 8 2000000 990 10),
           $(entry "$NS_B" batch 50 5000000 800 200)],
  "podCount": 3,
  "reportedAt": "$(date -u +%FT%TZ)"}}
EOF
kubectl patch nodeprobestate "$NODE" --subresource=status --type=merge \
  --patch-file "$ARTIFACTS/nps-status.json" >/dev/null

step "waiting for the operator's status"
cond() {  # cond KIND NS NAME TYPE → status
  kubectl get "$1" -n "$2" "$3" -o jsonpath="{.status.conditions[?(@.type==\"$4\")].status}" 2>/dev/null
}
is() { [ "$(cond "$@")" = "${*: -1}" ]; }
want() { retry "$1" is "${@:2}" || fail "$2 $4 $5: want ${*: -1}, got '$(cond "${@:2:4}")'"; }
want 60 iwl "$NS_A" pod-web Ready True
want 30 iwl "$NS_B" pod-api ThresholdsMet True
want 30 iwl "$NS_B" pod-batch ThresholdsMet False
want 30 observabilitypolicy "$NS_A" web-obs Ready True
want 30 observabilitypolicy "$NS_B" batch-obs Ready False
want 30 resiliencepolicy "$NS_A" web-res Ready True
retry 30 kubectl get iwl -n "$NS_A" pod-cache >/dev/null 2>&1 || fail "no InstrumentedWorkload pod-cache"

step "the page in headless chromium"
node "$LIMEN_ROOT/e2e/dashboard/dashboard.test.js"

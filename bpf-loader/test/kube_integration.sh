#!/bin/bash
# limen-bpf-loader in kube mode against the real apiserver and the real kernel (ctest labels
# integration and bpf, cluster fixture, root). The test plays kubelet: it creates a Node
# object, an ObservabilityPolicy and a Pod bound to that node whose
# status.containerStatuses[].containerID names a real cgroup (cri-containerd-<id>.scope)
# with a real process in it. Then, with the loader running as a subprocess:
#   - the NodeProbeState appears (owned by the Node) with the pod's measurements and
#     counters and the policy's probes attached;
#   - a process started later in the container's cgroup gives a startup measurement;
#   - /readyz is ready and /metrics carries the pod's series;
#   - deleting the Pod removes it from the next report.
# Usage: kube_integration.sh path/to/limen-bpf-loader path/to/listen_after
set -euo pipefail
loader=$1
workload=$2
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root (cgroups and BPF)"; exit 0; }
# shellcheck source=../../e2e/testing/lib.sh
source "${LIMEN_ROOT:-$(dirname "$0")/../..}/e2e/testing/lib.sh"
[ -n "${KUBECONFIG:-}" ] || fail "KUBECONFIG is not set (set LIMEN_CLUSTER_DIR to a cluster from e2e/cluster/up)"

suffix=$(head -c4 /dev/urandom | od -An -tx1 | tr -d ' \n')
ns=limen-bpf-$suffix
node=limen-bpf-node-$suffix
id=$(head -c32 /dev/urandom | od -An -tx1 | tr -d ' \n')  # a containerd container ID
tmp=$(mktemp -d)
export KUBECACHEDIR=$tmp/kube-cache

# The container's cgroup, nested under this process's own cgroup (v2).
v2=$(awk '$9 == "cgroup2" {print $5; exit}' /proc/self/mountinfo)
[ -n "$v2" ] || fail "no cgroup v2 mount"
own=$(awk -F: '$1 == "0" {print $3}' /proc/self/cgroup)
parent=$v2${own%/}/limen-bpf-kube-$suffix
cg=$parent/cri-containerd-$id.scope
# On a hybrid host a runtime also places the container in the v1 memory hierarchy (which the
# loader matches as well); do the same, or the container would share this shell's memory
# cgroup and everything the test runs would be attributed to the pod.
mem=$(awk '$9 == "cgroup" && $NF ~ /(^|,)memory(,|$)/ {print $5; exit}' /proc/self/mountinfo)
cg1=""
if [ -n "$mem" ]; then
  own1=$(awk -F: '$2 ~ /(^|,)memory(,|$)/ {print $3}' /proc/self/cgroup)
  parent1=$mem${own1%/}/limen-bpf-kube-$suffix
  cg1=$parent1/cri-containerd-$id.scope
fi

pids=()
cleanup() {
  set +e
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  kubectl delete namespace "$ns" --ignore-not-found --wait=false >/dev/null 2>&1
  kubectl delete node "$node" --ignore-not-found --wait=false >/dev/null 2>&1
  kubectl delete nodeprobestate "$node" --ignore-not-found --wait=false >/dev/null 2>&1
  for _ in $(seq 50); do rmdir "$cg" "$parent" 2>/dev/null; [ -d "$parent" ] || break; sleep 0.1; done
  if [ -n "$cg1" ]; then
    for _ in $(seq 50); do rmdir "$cg1" "$parent1" 2>/dev/null; [ -d "$parent1" ] || break; sleep 0.1; done
  fi
  if [ -n "${KEEP_LOG:-}" ] || [ "${failed:-1}" = 1 ]; then
    echo "--- loader log (tail)"; tail -n 40 "$tmp/loader.log" 2>/dev/null
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

# start_in_cgroup OUT: runs `listen_after 0 0` inside the container's cgroup (it joins before
# exec, as a runtime does), stdin from a FIFO this shell holds open; sets last_pid. (Not
# called through $(...): the FIFO's write end must stay open in this shell.)
last_pid=""
start_in_cgroup() {
  local fifo=$tmp/in.$RANDOM fd
  mkfifo "$fifo"
  (echo "$BASHPID" >"$cg/cgroup.procs"
   [ -z "$cg1" ] || echo "$BASHPID" >"$cg1/cgroup.procs"
   exec "$workload" 0 0 <"$fifo" >"$1") &
  last_pid=$!
  # shellcheck disable=SC2034 # fd is held open on purpose: the workload runs until EOF
  exec {fd}>"$fifo"
  pids+=("$last_pid")
}

nps() { kubectl get nodeprobestate "$node" -o json 2>/dev/null; }

echo "== CRDs"
kubectl apply --server-side --force-conflicts --field-manager=limen-bpf-test -f "$LIMEN_ROOT/crds/" >/dev/null
kubectl wait --for=condition=Established --timeout=60s crd -l app.kubernetes.io/part-of=limen >/dev/null
retry 30 kubectl get nodeprobestates.limen.dev -o name >/dev/null 2>&1 || fail "CRDs not served"

echo "== Node $node, namespace $ns, policy"
kubectl create namespace "$ns" >/dev/null
kubectl create -f - >/dev/null <<YAML
apiVersion: v1
kind: Node
metadata: {name: $node, labels: {limen.dev/test: bpf-kube}}
YAML
kubectl apply -n "$ns" -f - >/dev/null <<YAML
apiVersion: limen.dev/v1alpha1
kind: ObservabilityPolicy
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  probes: [process.exec, process.exit, tcp.state, tcp.send]
YAML

echo "== the container's first process, in $cg"
mkdir -p "$cg"
[ -z "$cg1" ] || mkdir -p "$cg1"
start_in_cgroup "$tmp/first.out"; first=$last_pid
retry 10 grep -q listening "$tmp/first.out" || fail "workload did not start"

echo "== Pod on $node (the test plays kubelet)"
create_pod() {
  kubectl create -n "$ns" -f - >/dev/null 2>&1 <<YAML
apiVersion: v1
kind: Pod
metadata: {name: web, labels: {app: web}}
spec:
  nodeName: $node
  automountServiceAccountToken: false
  containers: [{name: app, image: registry.invalid/limen/none:0}]
YAML
}
retry 30 create_pod || fail "cannot create the Pod"
uid=$(kubectl get pod web -n "$ns" -o jsonpath='{.metadata.uid}')
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
kubectl patch pod web -n "$ns" --subresource=status --type=merge -p "$(cat <<JSON
{"status": {"phase": "Running", "startTime": "$now",
  "conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": "$now"}],
  "containerStatuses": [{"name": "app", "image": "registry.invalid/limen/none:0",
    "imageID": "", "containerID": "containerd://$id", "ready": true, "started": true,
    "restartCount": 0, "state": {"running": {"startedAt": "$now"}}}]}}
JSON
)" >/dev/null

echo "== limen-bpf-loader kube --node-name $node"
"$loader" kube --node-name "$node" --kubeconfig "$KUBECONFIG" --report-interval-ms 1000 \
  --resync-interval-ms 200 --metrics-addr 127.0.0.1:0 --log-format text 2>"$tmp/loader.log" &
loader_pid=$!
pids+=("$loader_pid")
retry 30 grep -q '^metrics-port' "$tmp/loader.log" || fail "loader did not start"
port=$(sed -n 's/^metrics-port //p' "$tmp/loader.log")
retry 30 curl -fs "http://127.0.0.1:$port/readyz" >/dev/null || {
  curl -sS "http://127.0.0.1:$port/readyz?verbose" || true
  fail "/readyz not ready"
}
curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null || fail "/healthz"

echo "== NodeProbeState with the pod"
has_pod() {
  nps | jq -e --arg uid "$uid" '.status.pods | length == 1 and .[0].name == "web"
    and .[0].uid == $uid and .[0].rssBytes > 0' >/dev/null
}
retry 30 has_pod || { nps | jq .status; fail "pod web not in NodeProbeState $node"; }
state=$(nps)
expect_eq "$ns" "$(jq -r '.status.pods[0].namespace' <<<"$state")" "pod namespace"
expect_eq "4/4" "$(jq -r '.status.probesSummary' <<<"$state")" "probesSummary (the policy's probes)"
expect_eq "Node" "$(jq -r '.metadata.ownerReferences[0].kind' <<<"$state")" "owner kind"
expect_eq "$(kubectl get node "$node" -o jsonpath='{.metadata.uid}')" \
  "$(jq -r '.metadata.ownerReferences[0].uid' <<<"$state")" "owner uid"
expect_eq "limen" "$(jq -r '.metadata.labels["app.kubernetes.io/managed-by"]' <<<"$state")" "label"
[ "$(jq -r '.status.kernel.btf' <<<"$state")" = true ] || fail "kernel.btf"
jq -e '[.status.probes[].name] | sort == ["process.exec","process.exit","tcp.send","tcp.state"]' \
  <<<"$state" >/dev/null || fail "probes: $(jq -c .status.probes <<<"$state")"

echo "== Kubernetes Events: one ProbeAttached per attached probe, regarding the NodeProbeState"
attached_notes() {
  kubectl get events.events.k8s.io -n default -o json | jq -r --arg node "$node" \
    '[.items[] | select(.regarding.kind == "NodeProbeState" and .regarding.name == $node
       and .reason == "ProbeAttached" and .reportingController == "limen.dev/bpf-loader")
     | .note] | sort | join(";")'
}
four_attached() { [ "$(attached_notes | tr ';' '\n' | grep -c attached)" -eq 4 ]; }
retry 15 four_attached || fail "want 4 ProbeAttached Events for NodeProbeState $node, got: $(attached_notes)"
expect_contains "$(attached_notes)" "tcp.send attached (" "ProbeAttached notes"

echo "== a new process in the container: exec → listen() is its startup, events are counted"
start_in_cgroup "$tmp/second.out"; second=$last_pid
retry 10 grep -q listening "$tmp/second.out" || fail "second workload did not start"
measured() {
  nps | jq -e '.status.pods[0] | .startupNanos > 0 and .events.hits > 0
    and .events.delivered > 0' >/dev/null
}
retry 30 measured || { nps | jq .status.pods; fail "no startup / event counters for web"; }
state=$(nps)
echo "pod status: $(jq -c '.status.pods[0]' <<<"$state")"
startup=$(jq '.status.pods[0].startupNanos' <<<"$state")
[ "$startup" -lt 1000000000 ] || fail "startup $startup ns is implausible for listen_after 0"
metrics=$(curl -fsS "http://127.0.0.1:$port/metrics")
expect_contains "$metrics" "limen_probe_events_total{node=\"$node\",namespace=\"$ns\",pod=\"web\",pod_uid=\"$uid\",container=\"app\",probe=\"process.exec\"}" "metrics"
expect_contains "$metrics" "limen_startup_seconds{node=\"$node\",namespace=\"$ns\",pod=\"web\"" "startup metric"

echo "== heartbeat: reportedAt advances although nothing changes"
before=$(jq -r .status.reportedAt <<<"$state")
kill "$first" "$second" 2>/dev/null || true
retry 10 bash -c "! kill -0 $first 2>/dev/null && ! kill -0 $second 2>/dev/null"
sleep 1
advanced() { [ "$(nps | jq -r .status.reportedAt)" != "$before" ]; }
retry 10 advanced || fail "reportedAt did not advance"

echo "== deleting the Pod removes it from the next report"
kubectl delete pod web -n "$ns" --grace-period=0 --force >/dev/null 2>&1
gone() { nps | jq -e '.status.podCount == 0 and (.status.pods | length) == 0' >/dev/null; }
retry 15 gone || { nps | jq .status; fail "pod web still reported after deletion"; }
metrics=$(curl -fsS "http://127.0.0.1:$port/metrics")
[[ "$metrics" != *"pod=\"web\""* ]] || fail "/metrics still has the deleted pod"

echo "== SIGTERM: graceful shutdown"
kill -TERM "$loader_pid"
for _ in $(seq 50); do kill -0 "$loader_pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$loader_pid" 2>/dev/null && fail "loader ignored SIGTERM"
wait "$loader_pid" || fail "loader exited with $?"
failed=0
echo PASS

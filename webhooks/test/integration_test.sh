#!/usr/bin/env bash
# Integration test of limen-webhook on the real local control plane (ctest fixture
# `cluster`): the binary runs on 127.0.0.1 with a CA it generates; Mutating and Validating
# WebhookConfigurations point at it by URL (the apiserver runs on the same host).
#   - a Deployment's Pod (created by kube-controller-manager's ReplicaSet controller) in an
#     opted-in namespace that enforces Pod Security "restricted" gets the sidecar, volumes,
#     env and annotations — and is admitted, so the sidecar passes "restricted";
#   - a bare Pod there is injected too; an opted-out Pod and a Pod in a namespace that is
#     not opted in are untouched;
#   - /validate-limen warns (kubectl prints it) about a ResiliencePolicy referencing a
#     WasmFilter that does not exist;
#   - with the webhook down (failurePolicy Ignore), Pods are admitted uninjected.
# usage: integration_test.sh LIMEN_WEBHOOK_BINARY
# shellcheck disable=SC1091 # sourced from $LIMEN_ROOT at run time
source "$LIMEN_ROOT/e2e/testing/lib.sh"
BIN=$1
WORK=$(mktemp -d)
RUN=wh$$
NS_ON=$RUN-on
NS_OFF=$RUN-off
WEBHOOK_PID=
cleanup() {
  [ -n "$WEBHOOK_PID" ] && kill "$WEBHOOK_PID" 2>/dev/null && wait "$WEBHOOK_PID" 2>/dev/null
  kubectl delete mutatingwebhookconfiguration "$RUN" --ignore-not-found --wait=false >/dev/null 2>&1
  kubectl delete validatingwebhookconfiguration "$RUN" --ignore-not-found --wait=false >/dev/null 2>&1
  kubectl delete namespace "$NS_ON" "$NS_OFF" --ignore-not-found --wait=false >/dev/null 2>&1
  if [ "${KEEP_WORK:-0}" = 1 ]; then echo "work dir: $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
IMAGE=registry.example/envoy@sha256:1111111111111111111111111111111111111111111111111111111111111111
"$BIN" certs --out "$WORK/certs" --ip 127.0.0.1 >/dev/null

kubectl apply -f "$LIMEN_ROOT/crds/resiliencepolicies.yaml" -f "$LIMEN_ROOT/crds/wasmfilters.yaml" >/dev/null
kubectl wait --for=condition=Established --timeout=60s \
  crd/resiliencepolicies.limen.dev crd/wasmfilters.limen.dev >/dev/null

"$BIN" serve --host 127.0.0.1 --port "$PORT" --kubeconfig "$KUBECONFIG" \
  --tls-cert-file "$WORK/certs/tls.crt" --tls-key-file "$WORK/certs/tls.key" \
  --sidecar-image "$IMAGE" --locator limen-operator.limen-system.svc:8443 \
  --log-format text >"$WORK/webhook.log" 2>&1 &
WEBHOOK_PID=$!
URL=https://127.0.0.1:$PORT
ready() { curl -sf --cacert "$WORK/certs/ca.crt" "$URL/readyz" >/dev/null; }
retry 60 ready || { cat "$WORK/webhook.log" >&2; fail "webhook never became ready"; }
echo "webhook ready on $URL" >&2

CA_BUNDLE=$(base64 -w0 <"$WORK/certs/ca.crt")
kubectl apply -f - >/dev/null <<YAML
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata: {name: $RUN}
webhooks:
  - name: pods.limen.dev
    clientConfig: {url: "$URL/mutate-pods", caBundle: "$CA_BUNDLE"}
    rules:
      - {apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods], scope: Namespaced}
    namespaceSelector:
      matchLabels: {limen.dev/injection: enabled}
    objectSelector:
      matchExpressions:
        - {key: limen.dev/inject, operator: NotIn, values: ["false"]}
    sideEffects: None
    failurePolicy: Ignore
    timeoutSeconds: 3
    admissionReviewVersions: [v1]
    reinvocationPolicy: IfNeeded
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: $RUN}
webhooks:
  - name: crs.limen.dev
    clientConfig: {url: "$URL/validate-limen", caBundle: "$CA_BUNDLE"}
    rules:
      - {apiGroups: [limen.dev], apiVersions: [v1alpha1], operations: [CREATE, UPDATE], resources: [resiliencepolicies, wasmfilters]}
    sideEffects: None
    failurePolicy: Ignore
    timeoutSeconds: 3
    admissionReviewVersions: [v1]
YAML

for ns in "$NS_ON" "$NS_OFF"; do
  kubectl create namespace "$ns" >/dev/null
  kubectl label namespace "$ns" pod-security.kubernetes.io/enforce=restricted >/dev/null
done
kubectl label namespace "$NS_ON" limen.dev/injection=enabled >/dev/null
# Pods need the namespace's default ServiceAccount (kube-controller-manager creates it).
for ns in "$NS_ON" "$NS_OFF"; do retry 60 kubectl -n "$ns" get serviceaccount default >/dev/null 2>&1; done

policy() {
  cat <<YAML
apiVersion: limen.dev/v1alpha1
kind: ResiliencePolicy
metadata: {name: web, namespace: $1}
spec:
  selector:
    matchLabels: {app: web}
  upstreams:
    - {name: payments, host: payments.example.svc.cluster.local, port: 8080}
  wasmFilters:
    - name: ghost
YAML
}
# /validate-limen: the missing WasmFilter is a warning kubectl prints; the object is admitted.
OUT=$(policy "$NS_ON" | kubectl apply -f - 2>&1)
expect_contains "$OUT" 'spec.wasmFilters[0]: WasmFilter "ghost" does not exist' "validate-limen warning"
policy "$NS_OFF" | kubectl apply -f - >/dev/null 2>&1
# The operator is not running here: write what it would, the rendered config's status.
for ns in "$NS_ON" "$NS_OFF"; do
  kubectl -n "$ns" patch resiliencepolicy web --subresource=status --type=merge \
    -p '{"status":{"renderedConfig":{"name":"limen-web-sidecar","hash":"abc123"}}}' >/dev/null
done

# A restricted-compliant Pod template.
pod_spec() {
  cat <<YAML
      securityContext:
        runAsNonRoot: true
        runAsUser: 1000
        seccompProfile: {type: RuntimeDefault}
      containers:
        - name: app
          image: registry.example/app:1.0
          env: [{name: PORT, value: "8080"}]
          securityContext:
            allowPrivilegeEscalation: false
            capabilities: {drop: [ALL]}
YAML
}
bare_pod() {  # NAME NAMESPACE EXTRA_LABEL
  cat <<YAML
apiVersion: v1
kind: Pod
metadata:
  name: $1
  namespace: $2
  labels: {app: web${3:+, $3}}
spec:
$(pod_spec | sed 's/^    //')
YAML
}

# Wait until the webhook's informer has the policy's status (dry-run goes through admission).
injected_dry_run() {
  bare_pod probe "$NS_ON" | kubectl create --dry-run=server -o jsonpath='{.metadata.annotations.limen\.dev/injected}' -f - 2>/dev/null | grep -q 'web@abc123'
}
retry 30 injected_dry_run || fail "the webhook never injected a dry-run Pod"

kubectl apply -f - >/dev/null <<YAML
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: $NS_ON}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
$(pod_spec)
YAML
deployment_pod() { kubectl -n "$NS_ON" get pods -l app=web -o name 2>/dev/null | grep -q .; }
retry 60 deployment_pod || { kubectl -n "$NS_ON" get events >&2; fail "the ReplicaSet created no Pod"; }
POD=$(kubectl -n "$NS_ON" get pods -l app=web -o jsonpath='{.items[0].metadata.name}')
get() { kubectl -n "$1" get pod "$2" -o jsonpath="$3"; }
expect_eq "web@abc123" "$(get "$NS_ON" "$POD" '{.metadata.annotations.limen\.dev/injected}')" "Deployment Pod limen.dev/injected"
expect_eq "injected" "$(get "$NS_ON" "$POD" '{.metadata.annotations.limen\.dev/injection-status}')" "injection-status"
expect_eq "limen-sidecar" "$(get "$NS_ON" "$POD" '{.spec.initContainers[0].name}')" "native sidecar"
expect_eq "Always" "$(get "$NS_ON" "$POD" '{.spec.initContainers[0].restartPolicy}')" "sidecar restartPolicy"
expect_eq "$IMAGE" "$(get "$NS_ON" "$POD" '{.spec.initContainers[0].image}')" "sidecar image"
expect_eq "limen-web-sidecar" "$(get "$NS_ON" "$POD" '{.spec.volumes[?(@.name=="limen-config")].configMap.name}')" "config volume"
expect_contains "$(get "$NS_ON" "$POD" '{.spec.volumes[?(@.name=="limen-socket")]}')" "emptyDir" "socket volume"
expect_eq "/var/run/limen/outbound.sock" "$(get "$NS_ON" "$POD" '{.spec.containers[0].env[?(@.name=="LIMEN_SOCKET")].value}')" "LIMEN_SOCKET"
expect_eq "limen-operator.limen-system.svc:8443" "$(get "$NS_ON" "$POD" '{.spec.containers[0].env[?(@.name=="LIMEN_LOCATOR")].value}')" "LIMEN_LOCATOR"
expect_eq "8080" "$(get "$NS_ON" "$POD" '{.spec.containers[0].env[?(@.name=="PORT")].value}')" "existing env kept"
expect_eq "/var/run/limen" "$(get "$NS_ON" "$POD" '{.spec.containers[0].volumeMounts[?(@.name=="limen-socket")].mountPath}')" "socket mount"
echo "Deployment Pod $POD injected and admitted under Pod Security restricted" >&2

# A bare Pod is injected too, and Pod Security really is enforced here: a privileged
# (opted-out, so untouched) Pod is rejected by the apiserver.
bare_pod bare "$NS_ON" | kubectl create -f - >/dev/null
expect_eq "web@abc123" "$(get "$NS_ON" bare '{.metadata.annotations.limen\.dev/injected}')" "bare Pod injected"
expect_fail "privileged Pod under restricted" kubectl -n "$NS_ON" run priv --image=x \
  --labels=limen.dev/inject=false --overrides='{"spec":{"containers":[{"name":"priv","image":"x","securityContext":{"privileged":true}}]}}'
expect_contains "$OUT" "violates PodSecurity" "restricted enforcement"

# Opted out, and not opted in: untouched.
bare_pod optout "$NS_ON" "limen.dev/inject: \"false\"" | kubectl create -f - >/dev/null
expect_eq "" "$(get "$NS_ON" optout '{.metadata.annotations.limen\.dev/injection-status}')" "opted-out Pod annotations"
expect_eq "" "$(get "$NS_ON" optout '{.spec.initContainers}')" "opted-out Pod initContainers"
bare_pod plain "$NS_OFF" | kubectl create -f - >/dev/null
expect_eq "" "$(get "$NS_OFF" plain '{.metadata.annotations.limen\.dev/injection-status}')" "disabled-namespace Pod annotations"
expect_eq "" "$(get "$NS_OFF" plain '{.spec.initContainers}')" "disabled-namespace Pod initContainers"

METRICS=$(curl -sf --cacert "$WORK/certs/ca.crt" "$URL/metrics")
expect_contains "$METRICS" 'limen_webhook_admissions_total{operation="CREATE",reason="Injected",result="injected",webhook="mutate-pods"}' "admission metric"
expect_contains "$METRICS" 'limen_webhook_certificate_expiry_timestamp_seconds' "certificate expiry metric"
INJECTED=$(echo "$METRICS" | grep -E '^limen_webhook_admissions_total\{operation="CREATE",reason="Injected"' | awk '{print $2}')
echo "admissions injected so far: $INJECTED" >&2

# Webhook down + failurePolicy Ignore: the Pod is admitted, uninjected.
kill "$WEBHOOK_PID"; wait "$WEBHOOK_PID" 2>/dev/null || true; WEBHOOK_PID=
bare_pod down "$NS_ON" | kubectl create -f - >/dev/null
expect_eq "" "$(get "$NS_ON" down '{.spec.initContainers}')" "Pod admitted uninjected while the webhook is down"
# ... and the apiserver's metric says so (the webhook itself is down and cannot count it).
fail_open=$(kubectl get --raw /metrics | awk '/^apiserver_admission_webhook_fail_open_count\{/ && /name="pods.limen.dev"/ {n += $NF} END {print n + 0}')
[ "$fail_open" -ge 1 ] || fail "apiserver_admission_webhook_fail_open_count for pods.limen.dev is $fail_open"
grep -q "shutting down" "$WORK/webhook.log" || fail "no graceful shutdown log line"
echo "PASS" >&2

#!/usr/bin/env bash
# Certificate management on the real local control plane (ctest fixture `cluster`).
#   1. Two limen-webhook replicas (A, B) start at the same moment with --cert-secret and no
#      certificate files: they must converge on ONE CA (exactly one Bootstrap between them,
#      both serving the Secret's certificate), and every webhook entry's caBundle is set.
#   2. With validities of seconds (CA 60 s, rotation 30 s before expiry; serving cert 20 s,
#      renewed 10 s before), Pods are created through a MutatingWebhookConfiguration with
#      two entries — one per replica, both failurePolicy Fail, so a TLS failure anywhere is a
#      failed creation — while serving-certificate renewals, CA switches and CA retirements
#      happen. 500+ Pods, 0 failures, every Pod injected; the rotations are asserted from
#      the replicas' metrics and from the Secret (the CA changed; the first CA is gone from
#      the bundle and no longer verifies the served certificate).
# usage: cert_rotation_test.sh LIMEN_WEBHOOK_BINARY
# shellcheck disable=SC1091 # sourced from $LIMEN_ROOT at run time
source "$LIMEN_ROOT/e2e/testing/lib.sh"
BIN=$1
WORK=$(mktemp -d)
RUN=wc$$
NS=$RUN-on
SYS=$RUN-sys
SECRET=limen-webhook-certs
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
  kubectl delete mutatingwebhookconfiguration "$RUN" --ignore-not-found --wait=false >/dev/null 2>&1
  kubectl delete validatingwebhookconfiguration "$RUN" --ignore-not-found --wait=false >/dev/null 2>&1
  kubectl delete namespace "$NS" "$SYS" --ignore-not-found --wait=false >/dev/null 2>&1
  if [ "${KEEP_WORK:-0}" = 1 ]; then echo "work dir: $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PORT_A=$(free_port)
PORT_B=$(free_port)
[ "$PORT_A" != "$PORT_B" ] || PORT_B=$(free_port)
IMAGE=registry.example/envoy@sha256:1111111111111111111111111111111111111111111111111111111111111111

kubectl apply -f "$LIMEN_ROOT/crds/resiliencepolicies.yaml" -f "$LIMEN_ROOT/crds/wasmfilters.yaml" >/dev/null
kubectl wait --for=condition=Established --timeout=60s \
  crd/resiliencepolicies.limen.dev crd/wasmfilters.limen.dev >/dev/null
kubectl create namespace "$SYS" >/dev/null

# The configurations exist before the webhooks (as a chart installs them), with no caBundle:
# the replicas fill it in. Only this run's namespace is selected, so a failurePolicy=Fail
# entry never affects other tests sharing the cluster.
entry() {  # NAME PORT
  cat <<YAML
  - name: $1
    clientConfig: {url: "https://127.0.0.1:$2/mutate-pods"}
    rules:
      - {apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods], scope: Namespaced}
    namespaceSelector:
      matchLabels: {limen.dev/injection: enabled, limen.dev/test-run: "$RUN"}
    sideEffects: None
    failurePolicy: Fail
    timeoutSeconds: 10
    admissionReviewVersions: [v1]
    reinvocationPolicy: Never
YAML
}
kubectl apply -f - >/dev/null <<YAML
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata: {name: $RUN}
webhooks:
$(entry a.pods.limen.dev "$PORT_A")
$(entry b.pods.limen.dev "$PORT_B")
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: $RUN}
webhooks:
  - name: crs.limen.dev
    clientConfig: {url: "https://127.0.0.1:$PORT_A/validate-limen"}
    rules:
      - {apiGroups: [limen.dev], apiVersions: [v1alpha1], operations: [CREATE, UPDATE], resources: [resiliencepolicies, wasmfilters]}
    namespaceSelector:
      matchLabels: {limen.dev/test-run: "$RUN"}
    sideEffects: None
    failurePolicy: Ignore
    timeoutSeconds: 5
    admissionReviewVersions: [v1]
YAML

start_replica() {  # NAME PORT
  "$BIN" serve --host 127.0.0.1 --port "$2" --kubeconfig "$KUBECONFIG" \
    --cert-secret "$SYS/$SECRET" --webhook-config "$RUN" --cert-ip 127.0.0.1 \
    --cert-dns limen-webhook."$SYS".svc \
    --ca-validity 60s --ca-renew-before 30s --cert-validity 20s --renew-before 10s \
    --ca-propagation-delay 5s --cert-sync-interval 1s \
    --sidecar-image "$IMAGE" --locator limen-operator.limen-system.svc:8443 \
    --log-format text >"$WORK/$1.log" 2>&1 &
  PIDS+=($!)
}
# 1. Concurrent bootstrap: both replicas start at the same moment.
start_replica a "$PORT_A"
start_replica b "$PORT_B"
secret_key() { kubectl -n "$SYS" get secret "$SECRET" -o jsonpath="{.data.${1//./\\.}}" 2>/dev/null | base64 -d; }
secret_ca() { secret_key ca.crt; }
bundle_of() {  # KIND INDEX
  kubectl get "$1" "$RUN" -o jsonpath="{.webhooks[$2].clientConfig.caBundle}" | base64 -d
}
ready() {  # PORT
  bundle_of mutatingwebhookconfiguration 0 >"$WORK/bundle.pem" 2>/dev/null &&
    curl -sf --cacert "$WORK/bundle.pem" "https://127.0.0.1:$1/readyz" >/dev/null
}
for p in "$PORT_A" "$PORT_B"; do
  retry 90 ready "$p" || { tail -n 30 "$WORK"/a.log "$WORK"/b.log >&2; fail "replica on $p never became ready"; }
done
echo "both replicas ready" >&2

served_fingerprint() {  # PORT
  openssl s_client -connect "127.0.0.1:$1" </dev/null 2>/dev/null | openssl x509 -noout -fingerprint -sha256
}
metric() {  # PORT NAME_WITH_LABELS  → value (0 when absent)
  { curl -sfk --retry 3 "https://127.0.0.1:$1/metrics" || true; } |
    awk -v m="$2" '$1 == m {print $2; found=1} END {if (!found) print 0}' | head -n1
}
metric_sum() { echo $(( $(metric "$PORT_A" "$1" | cut -d. -f1) + $(metric "$PORT_B" "$1" | cut -d. -f1) )); }
rotations() { metric_sum "limen_webhook_certificate_rotations_total{step=\"$1\"}"; }

CA0=$(secret_ca)
[ -n "$CA0" ] || fail "the Secret has no ca.crt"
secret_key tls.crt >"$WORK/tls0.crt"
FP_SECRET=$(openssl x509 -noout -fingerprint -sha256 -in "$WORK/tls0.crt")
same_cert() { [ "$(served_fingerprint "$PORT_A")" = "$FP_SECRET" ] && [ "$(served_fingerprint "$PORT_B")" = "$FP_SECRET" ]; }
# B may have adopted A's Secret moments ago: allow it a sync interval to serve it.
retry 10 same_cert || fail "the replicas do not both serve the Secret's certificate ($FP_SECRET)"
expect_eq 1 "$(rotations Bootstrap)" "Bootstrap count across both replicas (one CA)"
CONFLICTS=$(metric_sum limen_webhook_certificate_secret_conflicts_total)
for kind in mutatingwebhookconfiguration:0 mutatingwebhookconfiguration:1 validatingwebhookconfiguration:0; do
  expect_eq "$CA0" "$(bundle_of "${kind%:*}" "${kind#*:}")" "caBundle of $kind"
done
echo "converged on one CA (Secret write conflicts lost by the other replica: $CONFLICTS)" >&2

# 2. Pods under rotation. An opted-in namespace and a policy whose rendered config the
# operator would have published (it is not running here).
kubectl create namespace "$NS" >/dev/null
kubectl label namespace "$NS" limen.dev/injection=enabled "limen.dev/test-run=$RUN" >/dev/null
retry 60 kubectl -n "$NS" get serviceaccount default >/dev/null 2>&1 || fail "no default ServiceAccount"
kubectl apply -f - >/dev/null <<YAML
apiVersion: limen.dev/v1alpha1
kind: ResiliencePolicy
metadata: {name: web, namespace: $NS}
spec:
  selector:
    matchLabels: {app: web}
  upstreams:
    - {name: payments, host: payments.example.svc.cluster.local, port: 8080}
YAML
kubectl -n "$NS" patch resiliencepolicy web --subresource=status --type=merge \
  -p '{"status":{"renderedConfig":{"name":"limen-web-sidecar","hash":"abc123"}}}' >/dev/null

pod_yaml() {  # NAME
  cat <<YAML
---
apiVersion: v1
kind: Pod
metadata: {name: $1, namespace: $NS, labels: {app: web}}
spec:
  containers:
    - {name: app, image: registry.example/app:1.0}
YAML
}
injected_dry_run() {
  pod_yaml probe | kubectl create --dry-run=server -o jsonpath='{.metadata.annotations.limen\.dev/injected}' -f - 2>/dev/null | grep -q 'web@abc123'
}
retry 30 injected_dry_run || fail "the webhooks never injected a dry-run Pod"

BASE_ISSUE=$(rotations IssueServing)
BASE_SWITCH=$(rotations SwitchCa)
BASE_RETIRE=$(rotations RetirePreviousCa)
# Pace the creations over ~85 s (two CA lifetimes' worth of switches and retirements at
# these validities); keep going past 500 Pods, up to 150 s, until both rotations were seen.
TOTAL=500 BATCH=20 PERIOD_MS=3400
START=$SECONDS
START_MS=$(($(date +%s%N) / 1000000))
created=0 failed=0 batch=0
while :; do
  done_pods=$([ "$created" -ge "$TOTAL" ] && echo 1 || echo 0)
  switched=$(( $(rotations SwitchCa) - BASE_SWITCH ))
  retired=$(( $(rotations RetirePreviousCa) - BASE_RETIRE ))
  if [ "$done_pods" = 1 ] && [ "$switched" -ge 1 ] && [ "$retired" -ge 1 ]; then break; fi
  [ $((SECONDS - START)) -lt 150 ] || break
  : >"$WORK/batch.yaml"
  for i in $(seq 1 "$BATCH"); do pod_yaml "p-$batch-$i" >>"$WORK/batch.yaml"; done
  if OUT=$(kubectl create -f "$WORK/batch.yaml" 2>&1); then :; fi
  ok=$(grep -c ' created$' <<<"$OUT" || true)
  created=$((created + ok))
  if [ "$ok" -ne "$BATCH" ]; then
    failed=$((failed + BATCH - ok))
    echo "batch $batch at +$((SECONDS - START))s: $((BATCH - ok)) failed:" >&2
    grep -v ' created$' <<<"$OUT" | head -n 5 >&2
  fi
  batch=$((batch + 1))
  # Sleep until this batch's slot ends.
  left_ms=$((START_MS + batch * PERIOD_MS - $(date +%s%N) / 1000000))
  [ "$left_ms" -le 0 ] || sleep "$((left_ms / 1000)).$(printf '%03d' $((left_ms % 1000)))"
done
ELAPSED=$((SECONDS - START))
ISSUED=$(( $(rotations IssueServing) - BASE_ISSUE ))
SWITCHED=$(( $(rotations SwitchCa) - BASE_SWITCH ))
RETIRED=$(( $(rotations RetirePreviousCa) - BASE_RETIRE ))
echo "created $created Pods in ${ELAPSED}s ($failed failed); during them: $ISSUED serving certificates issued, $SWITCHED CA switches, $RETIRED CA retirements" >&2
expect_eq 0 "$failed" "failed Pod creations"
[ "$created" -ge "$TOTAL" ] || fail "only $created Pods were created"
[ "$ISSUED" -ge 2 ] || fail "no serving-certificate rotation happened during the creations ($ISSUED)"
[ "$SWITCHED" -ge 1 ] || fail "no CA switch happened during the creations"
[ "$RETIRED" -ge 1 ] || fail "no CA retirement happened during the creations"

# Every Pod went through the webhook (injected), and the state matches the metrics.
INJECTED=$(kubectl -n "$NS" get pods -o jsonpath='{range .items[*]}{.metadata.annotations.limen\.dev/injected}{"\n"}{end}' | grep -c 'web@abc123' || true)
expect_eq "$created" "$INJECTED" "injected Pods"
CA_NOW=$(secret_ca)
[ "$CA_NOW" != "$CA0" ] || fail "the Secret's CA never changed"
bundle_of mutatingwebhookconfiguration 0 >"$WORK/bundle.pem"
grep -qF "$(sed -n 2p <<<"$CA0")" "$WORK/bundle.pem" && fail "the first CA is still in the bundle"
printf '%s\n' "$CA0" >"$WORK/ca0.pem"
curl -sf --cacert "$WORK/ca0.pem" "https://127.0.0.1:$PORT_A/healthz" >/dev/null &&
  fail "the served certificate still verifies with the first CA"
# The managers keep rotating after the creations (short lifetimes), so each comparison reads
# its bundles at one time: both entries of the mutating configuration in one read (one
# object, patched whole: they must always agree), and the two configurations (two objects,
# patched one after the other) until a read of both falls between two rotation steps.
ENTRIES=$(kubectl get mutatingwebhookconfiguration "$RUN" \
  -o jsonpath='{range .webhooks[*]}{.clientConfig.caBundle}{"\n"}{end}')
expect_eq "$(sed -n 1p <<<"$ENTRIES")" "$(sed -n 2p <<<"$ENTRIES")" "second entry caBundle"
for _ in $(seq 50); do
  M=$(bundle_of mutatingwebhookconfiguration 0)
  V=$(bundle_of validatingwebhookconfiguration 0)
  [ "$M" = "$(bundle_of mutatingwebhookconfiguration 0)" ] && [ "$M" = "$V" ] && break
  sleep 0.2
done
expect_eq "$M" "$V" "validating caBundle"
ERRORS=$(metric_sum 'limen_webhook_admissions_total{operation="CREATE",reason="InternalError",result="error",webhook="mutate-pods"}')
expect_eq 0 "$ERRORS" "admission internal errors"
EVENTS=$(kubectl -n "$SYS" get events.events.k8s.io -o jsonpath='{range .items[*]}{.reason}{"\n"}{end}' | sort | uniq -c | tr '\n' ' ')
expect_contains "$EVENTS" "CASwitched" "Events on the Secret"
echo "Events: $EVENTS" >&2

for p in "${PIDS[@]}"; do kill "$p"; wait "$p" 2>/dev/null || true; done
PIDS=()
grep -q "shutting down" "$WORK/a.log" || fail "no graceful shutdown log line"
echo "PASS" >&2

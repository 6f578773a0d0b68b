# Limen's three binaries as local processes against the local control plane, for the e2e
# suite (e2e/suite/e2e_test.sh) and scripts/demo. The cluster side (CRDs, RBAC, webhook
# configurations pointing at the local webhook by URL) is installed with the real chart;
# its in-cluster operator (replicas 0) and node agent (disabled) are replaced by the local
# processes, since this control plane has no container runtime to run their images.
#
# Binaries come from LIMEN_WEBHOOK_BIN, LIMEN_OPERATOR_BIN, LIMEN_LOADER_BIN. State lives in
# $LIMEN_RUN (logs/, certs/, pids/, urls). Source e2e/testing/lib.sh first.
# shellcheck shell=bash

LIMEN_NAMESPACE=${LIMEN_NAMESPACE:-limen-system}
LIMEN_RELEASE=${LIMEN_RELEASE:-limen}
# The sidecar image is pinned by digest (the webhook refuses anything else). Nothing pulls it
# here: there is no container runtime on the local control plane.
LIMEN_SIDECAR_IMAGE=${LIMEN_SIDECAR_IMAGE:-docker.io/envoyproxy/envoy@sha256:0000000000000000000000000000000000000000000000000000000000000000}
LIMEN_REPORT_INTERVAL_MS=${LIMEN_REPORT_INTERVAL_MS:-2000}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# limen_spawn NAME CMD...: starts CMD in the background, logging to $LIMEN_RUN/logs/NAME.log.
limen_spawn() {
  local name=$1; shift
  mkdir -p "$LIMEN_RUN/logs" "$LIMEN_RUN/pids"
  "$@" </dev/null >>"$LIMEN_RUN/logs/$name.log" 2>&1 &
  echo $! >"$LIMEN_RUN/pids/$name"
}

limen_alive() { kill -0 "$(cat "$LIMEN_RUN/pids/$1" 2>/dev/null || echo 0)" 2>/dev/null; }

# limen_wait_ready NAME URL: polls URL/readyz; fails with the log tail if NAME exits.
limen_wait_ready() {
  local name=$1 url=$2 deadline=$((SECONDS + 90))
  shift 2
  until curl -sf "$@" "$url/readyz" >/dev/null 2>&1; do
    limen_alive "$name" || { tail -n 30 "$LIMEN_RUN/logs/$name.log" >&2; fail "$name exited"; }
    [ $SECONDS -lt $deadline ] || { tail -n 30 "$LIMEN_RUN/logs/$name.log" >&2; fail "$name not ready at $url"; }
    sleep 0.3
  done
}

# limen_install_crds: the chart's CRDs first, so the webhook's informers find their kinds
# (helm install keeps CRDs that already exist).
limen_install_crds() {
  kubectl apply --server-side --force-conflicts --field-manager=helm -f "$LIMEN_ROOT/charts/limen/crds/" >/dev/null
  kubectl wait --for=condition=Established --timeout=60s crd -l app.kubernetes.io/part-of=limen >/dev/null
}

# limen_start_webhook: serving certificate for 127.0.0.1, then the webhook on a free port.
limen_start_webhook() {
  local port
  "$LIMEN_WEBHOOK_BIN" certs --out "$LIMEN_RUN/certs" --ip 127.0.0.1 >/dev/null
  port=$(free_port)
  WEBHOOK_URL=https://127.0.0.1:$port
  limen_spawn webhook "$LIMEN_WEBHOOK_BIN" serve --host 127.0.0.1 --port "$port" \
    --kubeconfig "$KUBECONFIG" --tls-cert-file "$LIMEN_RUN/certs/tls.crt" \
    --tls-key-file "$LIMEN_RUN/certs/tls.key" --sidecar-image "$LIMEN_SIDECAR_IMAGE" \
    --log-format text
  limen_wait_ready webhook "$WEBHOOK_URL" --cacert "$LIMEN_RUN/certs/ca.crt"
  echo "webhook $WEBHOOK_URL/metrics" >>"$LIMEN_RUN/urls"
}

# limen_install_chart: CRDs, RBAC and the webhook configurations (URL mode) from charts/limen.
limen_install_chart() {
  kubectl create namespace "$LIMEN_NAMESPACE" --dry-run=client -o yaml | kubectl apply -f - >/dev/null
  helm upgrade --install "$LIMEN_RELEASE" "$LIMEN_ROOT/charts/limen" -n "$LIMEN_NAMESPACE" --wait=false \
    --set webhook.url="$WEBHOOK_URL" \
    --set webhook.caBundle="$(base64 -w0 <"$LIMEN_RUN/certs/ca.crt")" \
    --set operator.replicas=0 --set bpfLoader.enabled=false >"$LIMEN_RUN/logs/helm.log" 2>&1 ||
    { cat "$LIMEN_RUN/logs/helm.log" >&2; fail "helm install failed"; }
  kubectl wait --for=condition=Established --timeout=60s crd -l app.kubernetes.io/part-of=limen >/dev/null
}

limen_start_operator() {
  local port
  port=$(free_port)
  OPERATOR_URL=http://127.0.0.1:$port
  limen_spawn operator "$LIMEN_OPERATOR_BIN" --kubeconfig "$KUBECONFIG" \
    --metrics-addr "127.0.0.1:$port" --lease-namespace "$LIMEN_NAMESPACE" \
    --report-interval "$((LIMEN_REPORT_INTERVAL_MS / 1000))s" --log-format text
  limen_wait_ready operator "$OPERATOR_URL"
  echo "operator $OPERATOR_URL/metrics" >>"$LIMEN_RUN/urls"
}

# limen_start_loader NODE: the node agent for NODE (needs root: BPF and cgroups).
limen_start_loader() {
  local node=$1 port
  port=$(free_port)
  LOADER_URL=http://127.0.0.1:$port
  limen_spawn loader "$LIMEN_LOADER_BIN" kube --node-name "$node" --kubeconfig "$KUBECONFIG" \
    --metrics-addr "127.0.0.1:$port" --report-interval-ms "$LIMEN_REPORT_INTERVAL_MS" \
    --resync-interval-ms 500 --log-format text
  limen_wait_ready loader "$LOADER_URL"
  echo "bpf-loader $LOADER_URL/metrics" >>"$LIMEN_RUN/urls"
}

# limen_stop: SIGTERM to everything limen_spawn started, then wait.
limen_stop() {
  local f pid
  for f in "$LIMEN_RUN"/pids/*; do
    [ -f "$f" ] || continue
    pid=$(cat "$f")
    kill -TERM "$pid" 2>/dev/null || true
  done
  for f in "$LIMEN_RUN"/pids/*; do
    [ -f "$f" ] || continue
    pid=$(cat "$f")
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$f"
  done
}

# limen_apply_samples NS SUSTAIN_FOR WASM [STARTUP_MILLIS]: the sample policies and filter
# module (the startup threshold defaults to DESIGN.md's 12 ms).
limen_apply_samples() {
  local ns=$1 sustain=$2 wasm=$3 startup=${4:-12}
  kubectl create namespace "$ns" --dry-run=client -o yaml | kubectl apply -f - >/dev/null
  kubectl label namespace "$ns" --overwrite limen.dev/injection=enabled \
    pod-security.kubernetes.io/enforce=restricted >/dev/null
  kubectl -n "$ns" create configmap hello-filter --from-file=filter.wasm="$wasm" \
    --dry-run=client -o yaml | kubectl apply -f - >/dev/null
  # The WasmFilter first: the ResiliencePolicy that references it is then admitted without
  # a "not Validated yet" warning, and Pods created afterwards get its module.
  sed -e "s/NAMESPACE/$ns/g" -e "s/SUSTAIN_FOR/$sustain/g" -e "s/STARTUP_MILLIS/$startup/g" \
    "$LIMEN_ROOT/e2e/suite/manifests/policies.yaml" \
    >"$LIMEN_RUN/policies.yaml"
  kubectl apply -f "$LIMEN_RUN/policies.yaml" --selector='!limen.dev/references-filters' >/dev/null 2>&1 || true
  retry 60 limen_filter_validated "$ns" hello-headers ||
    fail "WasmFilter hello-headers not Validated: $(kubectl -n "$ns" get wasmfilter hello-headers -o jsonpath='{.status}')"
  kubectl apply -f "$LIMEN_RUN/policies.yaml" >/dev/null
  retry 60 limen_policy_rendered "$ns" hello ||
    fail "ResiliencePolicy hello not rendered: $(kubectl -n "$ns" get resiliencepolicy hello -o jsonpath='{.status}')"
}

limen_filter_validated() {  # NS NAME
  [ "$(kubectl -n "$1" get wasmfilter "$2" -o jsonpath='{.status.conditions[?(@.type=="Validated")].status}' 2>/dev/null)" = True ]
}
limen_policy_rendered() {  # NS NAME
  [ -n "$(kubectl -n "$1" get resiliencepolicy "$2" -o jsonpath='{.status.renderedConfig.hash}' 2>/dev/null)" ]
}

limen_apply_workload() {
  local ns=$1
  retry 60 kubectl -n "$ns" get serviceaccount default >/dev/null 2>&1 || fail "no default ServiceAccount in $ns"
  sed -e "s/NAMESPACE/$ns/g" "$LIMEN_ROOT/e2e/suite/manifests/hello.yaml" | kubectl apply -f - >/dev/null
}

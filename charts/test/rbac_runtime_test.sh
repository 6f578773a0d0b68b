#!/usr/bin/env bash
# chart.rbac_runtime: the real binaries run with the chart's ServiceAccounts, RBAC and
# rendered configuration — as in the cluster, but as local processes (there is no kubelet):
#  - limen-operator (token of the operator ServiceAccount, the rendered config file and
#    args): every informer syncs (/readyz), it takes the chart's Lease, writes an
#    ObservabilityPolicy's status and creates the InstrumentedWorkload of a selected
#    Deployment;
#  - limen-webhook in self-managed certificate mode (token of the webhook ServiceAccount,
#    the rendered args): it fills the chart's Secret, patches the caBundle of the chart's
#    two webhook configurations, and becomes ready;
#  - neither logs a single RBAC denial ("forbidden: User ... cannot ...").
# So the RBAC is not only least privilege (chart.security) but enough.
# usage: rbac_runtime_test.sh LIMEN_OPERATOR LIMEN_WEBHOOK
# shellcheck source=lib.sh disable=SC2016 # jq programs in single quotes
source "$(dirname "$0")/lib.sh"
need_cluster
OPERATOR=$1 WEBHOOK=$2
for b in "$OPERATOR" "$WEBHOOK"; do [ -x "$b" ] || fail "$b is not built"; done
install_crds
RUN=limen-rt-$(random_suffix)   # contains "limen": the full name prefix is the release name
NS=$RUN
APP=$RUN-app
on_exit "kubectl delete namespace $NS $APP --ignore-not-found --wait=false"
on_exit "helm uninstall $RUN -n $NS --ignore-not-found --wait=false"
helm install "$RUN" "$CHART" -n "$NS" --create-namespace --set bpfLoader.enabled=false \
  --set webhook.validating.onlyOptedInNamespaces=true >/dev/null || fail "helm install"
j=$(helm get manifest "$RUN" -n "$NS" | yaml_to_json)

# kubeconfig_for SA: a kubeconfig with a short-lived token of the ServiceAccount.
server=$(kubectl config view --minify --flatten -o jsonpath='{.clusters[0].cluster.server}')
ca=$(kubectl config view --minify --flatten -o jsonpath='{.clusters[0].cluster.certificate-authority-data}')
kubeconfig_for() {
  local token
  token=$(kubectl create token "$1" -n "$NS" --duration=20m) || fail "token for $1"
  cat >"$TEST_TMP/$1.kubeconfig" <<KC
apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "$server", certificate-authority-data: "$ca"}}]
users: [{name: u, user: {token: "$token"}}]
contexts: [{name: c, context: {cluster: c, user: u}}]
current-context: c
KC
  echo "$TEST_TMP/$1.kubeconfig"
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
args_of() { jq -r --arg n "$1" '.[] | select(.kind == "Deployment" and .metadata.name == $n) | .spec.template.spec.containers[0].args[]' <<<"$j"; }
config_of() { jq -r --arg n "$1" '.[] | select(.kind == "ConfigMap" and .metadata.name == $n) | .data["config.yaml"]' <<<"$j" >"$2"; }
pids=()
# wait_ready NAME PID SECONDS CURL-ARGS...: until /readyz answers 2xx (informers synced,
# certificate loaded); fails at once when the process exits.
wait_ready() {
  local name=$1 pid=$2 secs=$3 deadline=$((SECONDS + $3)); shift 3
  until curl -sf "$@" >/dev/null; do
    kill -0 "$pid" 2>/dev/null || { tail -30 "$TEST_TMP/$name.log" >&2; fail "limen-$name exited (log above)"; }
    [ $SECONDS -lt "$deadline" ] || { tail -30 "$TEST_TMP/$name.log" >&2; fail "limen-$name not ready after $secs s with the chart's RBAC"; }
    sleep 0.5
  done
}
on_exit 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait'

# --- operator ----------------------------------------------------------------------------
config_of "$RUN-operator" "$TEST_TMP/operator.yaml"
mapfile -t oargs < <(args_of "$RUN-operator" |
  sed -e "s|^--config=.*|--config=$TEST_TMP/operator.yaml|" -e "s|\$(POD_NAME)|$RUN-operator-0|")
OPORT=$(free_port)
"$OPERATOR" "${oargs[@]}" --kubeconfig "$(kubeconfig_for "$RUN-operator")" --metrics-addr "127.0.0.1:$OPORT" \
  --log-format text >"$TEST_TMP/operator.log" 2>&1 &
pids+=($!)
wait_ready operator $! 90 "http://127.0.0.1:$OPORT/readyz"
holder() { kubectl get lease limen-operator -n "$NS" -o jsonpath='{.spec.holderIdentity}' 2>/dev/null; }
has_lease() { [ "$(holder)" = "$RUN-operator-0" ]; }
retry 60 has_lease || { tail -30 "$TEST_TMP/operator.log" >&2; fail "the operator did not take the chart's Lease (holder '$(holder)')"; }

# A policy and a Deployment it selects, in a namespace of their own.
kubectl create namespace "$APP" >/dev/null
kubectl apply -n "$APP" -f - >/dev/null <<YAML
apiVersion: limen.dev/v1alpha1
kind: ObservabilityPolicy
metadata: {name: demo}
spec:
  selector: {matchLabels: {app: demo}}
  probes: [process.exec]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: demo}
spec:
  replicas: 1
  selector: {matchLabels: {app: demo}}
  template:
    metadata: {labels: {app: demo}}
    spec:
      containers: [{name: app, image: registry.example/demo@sha256:3333333333333333333333333333333333333333333333333333333333333333}]
YAML
obs_status() { [ "$(kubectl get obspol demo -n "$APP" -o jsonpath='{.status.observedGeneration}')" = 1 ]; }
retry 60 obs_status || { tail -30 "$TEST_TMP/operator.log" >&2; fail "the operator did not write the ObservabilityPolicy's status"; }
iwl() { kubectl get instrumentedworkloads.limen.dev deployment-demo -n "$APP" -o name >/dev/null 2>&1; }
retry 60 iwl || { tail -30 "$TEST_TMP/operator.log" >&2; fail "the operator did not create the InstrumentedWorkload"; }

# --- webhook (self-managed certificates) --------------------------------------------------
config_of "$RUN-webhook" "$TEST_TMP/webhook.yaml"
mkdir -p "$TEST_TMP/webhook-run"
mapfile -t wargs < <(args_of "$RUN-webhook" | sed -e "s|^/etc/limen/webhook/config/config.yaml$|$TEST_TMP/webhook.yaml|" \
  -e "s|^/var/run/limen-webhook$|$TEST_TMP/webhook-run|")
WPORT=$(free_port)
POD_NAME=$RUN-webhook-0 POD_NAMESPACE=$NS "$WEBHOOK" "${wargs[@]}" --host 127.0.0.1 --port "$WPORT" \
  --kubeconfig "$(kubeconfig_for "$RUN-webhook")" --log-format text >"$TEST_TMP/webhook.log" 2>&1 &
pids+=($!)
wait_ready webhook $! 120 -k "https://127.0.0.1:$WPORT/readyz"
secret_keys=$(kubectl get secret "$RUN-webhook-tls" -n "$NS" -o json | jq -r '.data // {} | keys | join(" ")')
for k in ca.crt tls.crt tls.key; do [[ " $secret_keys " == *" $k "* ]] || fail "Secret lacks $k: $secret_keys"; done
ca_b64=$(kubectl get secret "$RUN-webhook-tls" -n "$NS" -o jsonpath='{.data.ca\.crt}')
bundles() { kubectl get mutatingwebhookconfiguration,validatingwebhookconfiguration "$RUN-webhook" -o json | jq -r '[.items[].webhooks[0].clientConfig.caBundle // ""] | join(" ")'; }
has_bundles() {
  local b; b=$(bundles)
  for one in $b; do base64 -d <<<"$one" | grep -qF "$(base64 -d <<<"$ca_b64" | sed -n 2p)" || return 1; done
  [ "$(wc -w <<<"$b")" = 2 ]
}
retry 60 has_bundles || fail "caBundle of the webhook configurations does not carry the Secret's CA: $(bundles | cut -c1-80)"
# The served certificate chains to that CA, for the Service's DNS name.
base64 -d <<<"$ca_b64" >"$TEST_TMP/webhook-ca.crt"
curl -sf --cacert "$TEST_TMP/webhook-ca.crt" --resolve "$RUN-webhook.$NS.svc:$WPORT:127.0.0.1" \
  "https://$RUN-webhook.$NS.svc:$WPORT/readyz" >/dev/null || fail "the served certificate does not verify for $RUN-webhook.$NS.svc"

for log in operator webhook; do
  # An RBAC denial reads 'is forbidden: User "system:serviceaccount:..." cannot VERB ...'.
  # (Other 403s — e.g. "unable to create new content in namespace X because it is being
  # terminated", from other tests' namespaces on the shared cluster — are not about RBAC.)
  if grep -qiE 'forbidden: User .* cannot ' "$TEST_TMP/$log.log"; then
    grep -iE 'forbidden: User .* cannot ' "$TEST_TMP/$log.log" | head -5 >&2
    fail "limen-$log was forbidden something with the chart's RBAC"
  fi
done
echo "PASS: operator ready, leading, status and InstrumentedWorkload written; webhook certificates bootstrapped, caBundles patched, ready — with the chart's RBAC, no forbidden"

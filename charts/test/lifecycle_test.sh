#!/usr/bin/env bash
# chart.lifecycle: `helm install`, `helm upgrade` and `helm uninstall` on the real local
# control plane. There is no kubelet, so Pods stay Pending: the test checks the objects
# (and that kube-controller-manager acted on them), not running Pods.
#  - install: every object of the defaults exists, with the release's labels; the
#    Deployments' ReplicaSets create 2 + 2 Pods bound to the chart's ServiceAccounts;
#  - the webhook's certificate manager is played by the test: it fills the Secret and
#    patches caBundle with a field manager of its own, as limen-webhook does;
#  - upgrade with changed values: the new values reach the objects (operator config file,
#    a rolled Pod template, the webhook timeout) and the webhook's caBundle and Secret
#    data survive it;
#  - uninstall: nothing with the release's label remains (namespaced or cluster-scoped,
#    Pods and ReplicaSets included once the garbage collector ran), no release record —
#    only the CRDs.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
need_cluster
RUN=limen-life-$(random_suffix)   # contains "limen": the full name prefix is the release name
NS=$RUN
on_exit "kubectl delete namespace $NS --ignore-not-found --wait=false"
on_exit "helm uninstall $RUN -n $NS --ignore-not-found --wait=false"
sel="app.kubernetes.io/instance=$RUN"

# --- install ---------------------------------------------------------------------------------
out=$(helm install "$RUN" "$CHART" --namespace "$NS" --create-namespace 2>&1) || fail "helm install: $out"
expect_contains "$out" "STATUS: deployed" "helm install output"
expect_contains "$out" "kubectl label namespace <ns> limen.dev/injection=enabled" "NOTES"
expect_eq "deployed 1" "$(helm status "$RUN" -n "$NS" -o json | jq -r '"\(.info.status) \(.version)"')" "release status"

for crd in observabilitypolicies resiliencepolicies wasmfilters instrumentedworkloads nodeprobestates; do
  kubectl wait --for=condition=Established --timeout=60s "crd/$crd.limen.dev" >/dev/null || fail "CRD $crd not established"
done
ns_kinds=deployments.apps,daemonsets.apps,services,serviceaccounts,configmaps,secrets,roles.rbac.authorization.k8s.io,rolebindings.rbac.authorization.k8s.io,poddisruptionbudgets.policy
cl_kinds=clusterroles.rbac.authorization.k8s.io,clusterrolebindings.rbac.authorization.k8s.io,mutatingwebhookconfigurations.admissionregistration.k8s.io,validatingwebhookconfigurations.admissionregistration.k8s.io
installed() {
  { kubectl get "$ns_kinds" -n "$NS" -l "$sel" -o json; kubectl get "$cl_kinds" -l "$sel" -o json; } |
    jq -rs '[.[].items[] | "\(.kind)/\(.metadata.name)"] | sort | .[]'
}
want="ClusterRole/$RUN-bpf-loader
ClusterRole/$RUN-operator
ClusterRole/$RUN-webhook
ClusterRoleBinding/$RUN-bpf-loader
ClusterRoleBinding/$RUN-operator
ClusterRoleBinding/$RUN-webhook
ConfigMap/$RUN-operator
ConfigMap/$RUN-webhook
DaemonSet/$RUN-bpf-loader
Deployment/$RUN-operator
Deployment/$RUN-webhook
MutatingWebhookConfiguration/$RUN-webhook
PodDisruptionBudget/$RUN-webhook
Role/$RUN-operator-lease
Role/$RUN-webhook-certs
RoleBinding/$RUN-operator-lease
RoleBinding/$RUN-webhook-certs
Secret/$RUN-webhook-tls
Service/$RUN-bpf-loader
Service/$RUN-operator
Service/$RUN-webhook
ServiceAccount/$RUN-bpf-loader
ServiceAccount/$RUN-operator
ServiceAccount/$RUN-webhook
ValidatingWebhookConfiguration/$RUN-webhook"
expect_eq "$want" "$(installed)" "objects after helm install"
expect_eq "$RUN $NS" "$(kubectl get deploy "$RUN-operator" -n "$NS" -o jsonpath='{.metadata.annotations.meta\.helm\.sh/release-name} {.metadata.annotations.meta\.helm\.sh/release-namespace}')" "Helm ownership annotations"

# kube-controller-manager acts on them: ReplicaSets create the Pods (Pending: no nodes).
pods_of() { kubectl get pods -n "$NS" -l "$sel,app.kubernetes.io/component=$1" -o json; }
count_pods() { [ "$(pods_of "$1" | jq '.items | length')" = "$2" ]; }
retry 60 count_pods operator 2 || fail "the operator's ReplicaSet did not create 2 Pods: $(pods_of operator | jq -c '[.items[].metadata.name]')"
retry 60 count_pods webhook 2 || fail "the webhook's ReplicaSet did not create 2 Pods"
expect_eq "$RUN-operator Pending" "$(pods_of operator | jq -r '[.items[] | "\(.spec.serviceAccountName) \(.status.phase)"] | unique | join(";")')" "operator Pods"
expect_eq "$RUN-webhook" "$(pods_of webhook | jq -r '[.items[].spec.serviceAccountName] | unique | join(";")')" "webhook Pods' ServiceAccount"
expect_eq "0" "$(kubectl get ds "$RUN-bpf-loader" -n "$NS" -o jsonpath='{.status.desiredNumberScheduled}')" "DaemonSet desired (no nodes)"

# --- the webhook's certificate manager, played by the test ------------------------------------
CA=$(base64 -w0 <"$TEST_TMP/ca.crt")
kubectl patch secret "$RUN-webhook-tls" -n "$NS" --type merge --field-manager limen-webhook \
  -p "{\"data\":{\"ca.crt\":\"$CA\",\"tls.crt\":\"$CA\",\"tls.key\":\"$(base64 -w0 <"$TEST_TMP/ca.key")\"}}" >/dev/null
for kind in mutatingwebhookconfiguration validatingwebhookconfiguration; do
  kubectl patch "$kind" "$RUN-webhook" --type json --field-manager limen-webhook \
    -p "[{\"op\":\"add\",\"path\":\"/webhooks/0/clientConfig/caBundle\",\"value\":\"$CA\"}]" >/dev/null
done

# --- upgrade ---------------------------------------------------------------------------------
before_hash=$(kubectl get deploy "$RUN-operator" -n "$NS" -o jsonpath='{.spec.template.metadata.annotations.checksum/config}')
out=$(helm upgrade "$RUN" "$CHART" --namespace "$NS" --reuse-values \
  --set operator.logLevel=debug --set webhook.timeoutSeconds=5 --set operator.replicas=3 2>&1) || fail "helm upgrade: $out"
expect_eq "deployed 2" "$(helm status "$RUN" -n "$NS" -o json | jq -r '"\(.info.status) \(.version)"')" "release after upgrade"
kubectl get configmap "$RUN-operator" -n "$NS" -o jsonpath='{.data.config\.yaml}' | grep -qx 'logLevel: debug' ||
  fail "operator config after upgrade: $(kubectl get configmap "$RUN-operator" -n "$NS" -o jsonpath='{.data.config\.yaml}')"
after_hash=$(kubectl get deploy "$RUN-operator" -n "$NS" -o jsonpath='{.spec.template.metadata.annotations.checksum/config}')
[ "$before_hash" != "$after_hash" ] || fail "the operator's Pod template did not change with its config"
expect_eq 3 "$(kubectl get deploy "$RUN-operator" -n "$NS" -o jsonpath='{.spec.replicas}')" "operator replicas after upgrade"
count_rs() { [ "$(kubectl get rs -n "$NS" -l "$sel,app.kubernetes.io/component=operator" -o name | wc -l)" = 2 ]; }
retry 60 count_rs || fail "no new ReplicaSet rolled out for the operator's new config"
expect_eq "5 5" "$(kubectl get mutatingwebhookconfiguration,validatingwebhookconfiguration "$RUN-webhook" -o jsonpath='{range .items[*]}{.webhooks[0].timeoutSeconds}{" "}{end}' | xargs)" "webhook timeouts after upgrade"
expect_eq "$CA $CA" "$(kubectl get mutatingwebhookconfiguration,validatingwebhookconfiguration "$RUN-webhook" -o jsonpath='{range .items[*]}{.webhooks[0].clientConfig.caBundle}{" "}{end}' | xargs)" \
  "caBundle written by the webhook survives helm upgrade"
expect_eq "ca.crt tls.crt tls.key" "$(kubectl get secret "$RUN-webhook-tls" -n "$NS" -o json | jq -r '.data | keys | join(" ")')" \
  "certificate Secret data survives helm upgrade"
expect_eq "$want" "$(installed)" "objects after helm upgrade"

# --- uninstall -------------------------------------------------------------------------------
out=$(helm uninstall "$RUN" --namespace "$NS" --wait --timeout 120s 2>&1) || fail "helm uninstall: $out"
expect_eq "" "$(installed)" "objects left after helm uninstall"
gone() {
  [ "$(kubectl get pods,replicasets.apps,controllerrevisions.apps,endpointslices.discovery.k8s.io,leases.coordination.k8s.io -n "$NS" -l "$sel" -o name | wc -l)" = 0 ]
}
retry 90 gone || fail "left after the garbage collector: $(kubectl get pods,replicasets.apps,controllerrevisions.apps,endpointslices.discovery.k8s.io -n "$NS" -l "$sel" -o name | xargs)"
# Every listable namespaced kind, not only the ones the chart renders.
kinds=$(kubectl api-resources --namespaced --verbs=list -o name | grep -v '^events' | paste -sd,)
expect_eq "" "$(kubectl get "$kinds" -n "$NS" -l "$sel" -o name 2>/dev/null)" "namespaced objects with the release label"
expect_eq "" "$(kubectl get secrets -n "$NS" -l "owner=helm,name=$RUN" -o name)" "Helm release records"
clkinds=$(kubectl api-resources --namespaced=false --verbs=list -o name | paste -sd,)
expect_eq "" "$(kubectl get "$clkinds" -l "$sel" -o name 2>/dev/null)" "cluster-scoped objects with the release label"
expect_eq 5 "$(kubectl get crd -l app.kubernetes.io/part-of=limen -o name | wc -l)" "CRDs left after uninstall"
echo "PASS: install (25 objects, 4 Pods created by the controllers), upgrade (config, replicas, timeout changed; caBundle and Secret kept), uninstall (only the CRDs remain)"

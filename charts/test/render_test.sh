#!/usr/bin/env bash
# chart.render: `helm template` with the defaults and with each option renders the objects
# that option promises, wired together (names, selectors, ports, flags, config files).
# Offline: no cluster (the dry_run and lifecycle tests take the same renderings to the
# apiserver).
# shellcheck source=lib.sh disable=SC2016 # jq programs in single quotes
source "$(dirname "$0")/lib.sh"
NS=limen-system
P=limen-test                # the full name prefix of release "limen-test" (it contains "limen")

# obj JSON KIND NAME: the object, or fails.
obj() {
  local o
  o=$(jq -c --arg k "$2" --arg n "$3" '.[] | select(.kind == $k and .metadata.name == $n)' <<<"$1")
  [ -n "$o" ] || fail "no $2/$3 rendered"
  echo "$o"
}
# q JSON FILTER: jq -r on JSON.
q() { jq -r "$2" <<<"$1"; }
# cfg CONFIGMAP_JSON: its config.yaml as JSON (offline, as yaml_to_json does).
cfg() {
  { printf 'apiVersion: v1\nkind: ConfigFile\nmetadata: {name: c}\nspec:\n'
    q "$1" '.data["config.yaml"]' | sed 's/^/  /'; } | yaml_to_json | jq '.[0].spec'
}

# --- defaults ------------------------------------------------------------------------
d=$(render $NS)
expect_eq "ClusterRole/$P-bpf-loader
ClusterRole/$P-operator
ClusterRole/$P-webhook
ClusterRoleBinding/$P-bpf-loader
ClusterRoleBinding/$P-operator
ClusterRoleBinding/$P-webhook
ConfigMap/$P-operator
ConfigMap/$P-webhook
CustomResourceDefinition/instrumentedworkloads.limen.dev
CustomResourceDefinition/nodeprobestates.limen.dev
CustomResourceDefinition/observabilitypolicies.limen.dev
CustomResourceDefinition/resiliencepolicies.limen.dev
CustomResourceDefinition/wasmfilters.limen.dev
DaemonSet/$P-bpf-loader
Deployment/$P-operator
Deployment/$P-webhook
MutatingWebhookConfiguration/$P-webhook
PodDisruptionBudget/$P-webhook
Role/$P-operator-lease
Role/$P-webhook-certs
RoleBinding/$P-operator-lease
RoleBinding/$P-webhook-certs
Secret/$P-webhook-tls
Service/$P-bpf-loader
Service/$P-operator
Service/$P-webhook
ServiceAccount/$P-bpf-loader
ServiceAccount/$P-operator
ServiceAccount/$P-webhook
ValidatingWebhookConfiguration/$P-webhook" "$(kinds "$d")" "objects rendered with the defaults"
expect_eq "$NS" "$(q "$d" '[.[] | select(.kind != "CustomResourceDefinition" and (.kind | test("^Cluster|WebhookConfiguration$") | not)) | .metadata.namespace] | unique | join(",")')" \
  "namespace of every namespaced object"
expect_eq 0 "$(q "$d" '[.[] | select(.kind != "CustomResourceDefinition") | select(.metadata.labels["app.kubernetes.io/instance"] != "limen-test" or .metadata.labels["app.kubernetes.io/part-of"] != "limen")] | length')" \
  "objects without the instance/part-of labels"

# Operator: 2 replicas, config file mounted and passed, identity = Pod name, probes.
op=$(obj "$d" Deployment $P-operator)
expect_eq 2 "$(q "$op" .spec.replicas)" "operator replicas"
expect_eq "--config=/etc/limen/operator/config.yaml --identity=\$(POD_NAME)" "$(q "$op" '.spec.template.spec.containers[0].args | join(" ")')" "operator args"
expect_eq "/etc/limen/operator $P-operator" "$(q "$op" '.spec.template.spec as $s | ($s.containers[0].volumeMounts[] | select(.name == "config") | .mountPath) + " " + ($s.volumes[] | select(.name == "config") | .configMap.name)')" "operator config volume"
expect_eq "/healthz /readyz http" "$(q "$op" '.spec.template.spec.containers[0] | "\(.livenessProbe.httpGet.path) \(.readinessProbe.httpGet.path) \(.ports[0].name)"')" "operator probes"
expect_eq "ghcr.io/limen-dev/limen-operator:0.1.0" "$(q "$op" '.spec.template.spec.containers[0].image')" "operator image (tag = appVersion)"
expect_eq "$P-operator" "$(q "$op" .spec.template.spec.serviceAccountName)" "operator ServiceAccount"
ocfg=$(cfg "$(obj "$d" ConfigMap $P-operator)")
expect_eq "0.0.0.0:8080 true $NS limen-operator 15s 10s 2s 2 info json 15s limen-operator" \
  "$(q "$ocfg" '"\(.metricsAddr) \(.leaderElection.enabled) \(.leaderElection.namespace) \(.leaderElection.leaseName) \(.leaderElection.leaseDuration) \(.leaderElection.renewDeadline) \(.leaderElection.retryPeriod) \(.workers) \(.logLevel) \(.logFormat) \(.reportInterval) \(.fieldManager)"')" \
  "operator config file"
svc=$(obj "$d" Service $P-operator)
expect_eq "http 8080 http operator" "$(q "$svc" '"\(.spec.ports[0].name) \(.spec.ports[0].port) \(.spec.ports[0].targetPort) \(.spec.selector["app.kubernetes.io/component"])"')" "operator Service"
expect_eq "$(q "$op" '.spec.selector.matchLabels | tostring')" "$(q "$svc" '.spec.selector | tostring')" "operator Service selects the Deployment's Pods"
lease=$(obj "$d" Role $P-operator-lease)
expect_eq '[{"apiGroups":["coordination.k8s.io"],"resources":["leases"],"verbs":["create"]},{"apiGroups":["coordination.k8s.io"],"resourceNames":["limen-operator"],"resources":["leases"],"verbs":["get","update"]}]' \
  "$(q "$lease" '.rules | tostring')" "leader-election Role"

# Webhook: 2 replicas, PDB, anti-affinity, self-managed certificate flags, Service 443→https.
wh=$(obj "$d" Deployment $P-webhook)
expect_eq 2 "$(q "$wh" .spec.replicas)" "webhook replicas"
expect_eq "0" "$(q "$wh" .spec.strategy.rollingUpdate.maxUnavailable)" "webhook maxUnavailable"
expect_eq "kubernetes.io/hostname webhook" "$(q "$wh" '.spec.template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm | "\(.topologyKey) \(.labelSelector.matchLabels["app.kubernetes.io/component"])"')" "webhook anti-affinity"
args=$(q "$wh" '.spec.template.spec.containers[0].args | join(" ")')
for a in serve "--port 8443" "--tls-runtime-dir /var/run/limen-webhook" "--config /etc/limen/webhook/config/config.yaml" \
         "--cert-secret $NS/$P-webhook-tls" "--webhook-config $P-webhook" "--cert-dns $P-webhook.$NS.svc" \
         "--cert-dns $P-webhook.$NS.svc.cluster.local" "--ca-validity 8760h" "--renew-before 240h"; do
  [[ " $args " == *" $a "* ]] || fail "webhook args lack $a: $args"
done
[[ $args != *--tls-cert-file* ]] || fail "self-managed mode passes --tls-cert-file: $args"
expect_eq "/var/run/limen-webhook Memory" "$(q "$wh" '.spec.template.spec as $s | ($s.containers[0].volumeMounts[] | select(.name == "runtime") | .mountPath) + " " + ($s.volumes[] | select(.name == "runtime") | .emptyDir.medium)')" "webhook runtime dir"
pdb=$(obj "$d" PodDisruptionBudget $P-webhook)
expect_eq "1 $(q "$wh" '.spec.selector.matchLabels | tostring')" "$(q "$pdb" '"\(.spec.minAvailable) \(.spec.selector.matchLabels | tostring)"')" "webhook PDB"
expect_eq "https 443 https" "$(q "$(obj "$d" Service $P-webhook)" '.spec.ports[0] | "\(.name) \(.port) \(.targetPort)"')" "webhook Service"
expect_eq "https 8443" "$(q "$wh" '.spec.template.spec.containers[0].ports[0] | "\(.name) \(.containerPort)"')" "webhook container port"
expect_eq "" "$(q "$(obj "$d" Secret $P-webhook-tls)" '.data // empty')" "self-managed Secret is rendered empty"
icfg=$(cfg "$(obj "$d" ConfigMap $P-webhook)")
expect_eq "limen-sidecar docker.io/envoyproxy/envoy@sha256:eb2c01c13125d1629637cb4e4cce7207009fb7cc2c8027f9742758549d15b6f4 101 true $P-operator.$NS.svc:8080 $NS" \
  "$(q "$icfg" '.injector | "\(.sidecarName) \(.sidecarImage) \(.runAsUser) \(.nativeSidecar) \(.locator) \(.limenNamespace)"')" "injector config"
expect_eq "number boolean string" "$(q "$icfg" '.injector | "\(.runAsUser | type) \(.nativeSidecar | type) \(.cpuLimit | type)"')" "injector config value types"

# Admission: paths, selectors, policies; no caBundle (the webhook owns it in this mode).
mwc=$(obj "$d" MutatingWebhookConfiguration $P-webhook)
expect_eq 1 "$(q "$mwc" '.webhooks | length')" "mutating webhooks"
expect_eq "$P-webhook $NS /mutate-pods 443 null" "$(q "$mwc" '.webhooks[0].clientConfig | "\(.service.name) \(.service.namespace) \(.service.path) \(.service.port) \(.caBundle)"')" "mutating clientConfig"
expect_eq '{"matchExpressions":[{"key":"limen.dev/injection","operator":"In","values":["enabled"]},{"key":"kubernetes.io/metadata.name","operator":"NotIn","values":["kube-system","kube-node-lease","limen-system"]}]}' \
  "$(q "$mwc" '.webhooks[0].namespaceSelector | tostring')" "mutating namespaceSelector"
expect_eq '{"matchExpressions":[{"key":"limen.dev/inject","operator":"NotIn","values":["false"]}]}' "$(q "$mwc" '.webhooks[0].objectSelector | tostring')" "mutating objectSelector"
expect_eq "Ignore 3 IfNeeded None v1 CREATE pods" "$(q "$mwc" '.webhooks[0] | "\(.failurePolicy) \(.timeoutSeconds) \(.reinvocationPolicy) \(.sideEffects) \(.admissionReviewVersions | join(",")) \(.rules[0].operations | join(",")) \(.rules[0].resources | join(","))"')" "mutating policies"
vwc=$(obj "$d" ValidatingWebhookConfiguration $P-webhook)
expect_eq "/validate-limen limen.dev resiliencepolicies,wasmfilters CREATE,UPDATE Ignore 3 None" "$(q "$vwc" '.webhooks[0] | "\(.clientConfig.service.path) \(.rules[0].apiGroups[0]) \(.rules[0].resources | join(",")) \(.rules[0].operations | join(",")) \(.failurePolicy) \(.timeoutSeconds) \(.sideEffects)"')" "validating webhook"
expect_eq '{"matchExpressions":[{"key":"kubernetes.io/metadata.name","operator":"NotIn","values":["kube-system","kube-node-lease","limen-system"]}]}' \
  "$(q "$vwc" '.webhooks[0].namespaceSelector | tostring')" "validating namespaceSelector (every namespace but the protected ones)"

# Node agent.
ds=$(obj "$d" DaemonSet $P-bpf-loader)
expect_eq "true kube --metrics-addr 0.0.0.0:9464 --report-interval-ms 15000 --resync-interval-ms 1000 --log-level info --log-format json spec.nodeName" \
  "$(q "$ds" '.spec.template.spec | "\(.hostPID) \(.containers[0].args | join(" ")) \(.containers[0].env[] | select(.name == "NODE_NAME") | .valueFrom.fieldRef.fieldPath)"')" "bpf-loader"
expect_eq "btf:/sys/kernel/btf:/sys/kernel/btf:true cgroup:/sys/fs/cgroup:/sys/fs/cgroup:true tracefs:/sys/kernel/tracing:/sys/kernel/tracing:true" \
  "$(q "$ds" '.spec.template.spec as $s | [$s.volumes[] | select(.hostPath) | .name as $n | "\($n):\(.hostPath.path):\($s.containers[0].volumeMounts[] | select(.name == $n) | "\(.mountPath):\(.readOnly)")"] | sort | join(" ")')" \
  "bpf-loader host paths (read-only)"
expect_eq "None metrics 9464" "$(q "$(obj "$d" Service $P-bpf-loader)" '"\(.spec.clusterIP) \(.spec.ports[0].name) \(.spec.ports[0].port)"')" "bpf-loader headless Service"

# --- cert-manager ------------------------------------------------------------------------
cm=$(render $NS --set webhook.certificates.mode=cert-manager)
for k in "Certificate/$P-webhook" "Certificate/$P-webhook-ca" "Issuer/$P-webhook-ca" "Issuer/$P-webhook-selfsigned"; do
  grep -qx "$k" <<<"$(kinds "$cm")" || fail "cert-manager mode lacks $k"
done
grep -q "^Secret/" <<<"$(kinds "$cm")" && fail "cert-manager mode renders a Secret (cert-manager writes it)"
grep -q "^Role/$P-webhook-certs" <<<"$(kinds "$cm")" && fail "cert-manager mode grants the webhook Secret access"
cert=$(obj "$cm" Certificate $P-webhook)
expect_eq "$P-webhook-tls $P-webhook.$NS.svc,$P-webhook.$NS.svc.cluster.local $P-webhook-ca Issuer" \
  "$(q "$cert" '.spec | "\(.secretName) \(.dnsNames | join(",")) \(.issuerRef.name) \(.issuerRef.kind)"')" "serving Certificate"
expect_eq "true $P-webhook-ca" "$(q "$(obj "$cm" Certificate $P-webhook-ca)" '.spec | "\(.isCA) \(.secretName)"')" "CA Certificate"
for kind in MutatingWebhookConfiguration ValidatingWebhookConfiguration; do
  expect_eq "$NS/$P-webhook" "$(q "$(obj "$cm" $kind $P-webhook)" '.metadata.annotations["cert-manager.io/inject-ca-from"]')" "cainjector annotation on $kind"
done
cwh=$(obj "$cm" Deployment $P-webhook)
cargs=$(q "$cwh" '.spec.template.spec.containers[0].args | join(" ")')
[[ $cargs == *"--tls-cert-file /etc/limen/webhook/tls/tls.crt --tls-key-file /etc/limen/webhook/tls/tls.key"* ]] || fail "cert-manager args: $cargs"
[[ $cargs != *--cert-secret* ]] || fail "cert-manager mode also self-manages: $cargs"
expect_eq "$P-webhook-tls /etc/limen/webhook/tls" "$(q "$cwh" '.spec.template.spec as $s | ($s.volumes[] | select(.name == "tls") | .secret.secretName) + " " + ($s.containers[0].volumeMounts[] | select(.name == "tls") | .mountPath)')" "cert-manager Secret mounted"
expect_eq 0 "$(q "$(obj "$cm" ClusterRole $P-webhook)" '[.rules[] | select(.apiGroups[0] == "admissionregistration.k8s.io")] | length')" "cert-manager mode: no webhook-configuration access"

ci=$(render $NS --set webhook.certificates.mode=cert-manager --set webhook.certificates.certManager.issuerRef.name=corp-ca --set webhook.certificates.certManager.issuerRef.kind=ClusterIssuer)
expect_eq "Certificate/$P-webhook" "$(kinds "$ci" | grep -E '^(Certificate|Issuer)/')" "with an issuerRef only the serving Certificate"
expect_eq "corp-ca ClusterIssuer cert-manager.io" "$(q "$(obj "$ci" Certificate $P-webhook)" '.spec.issuerRef | "\(.name) \(.kind) \(.group)"')" "issuerRef"

# --- out-of-cluster URL ------------------------------------------------------------------
url=$(render $NS --set webhook.url=https://127.0.0.1:9443/ --set "webhook.caBundle=$TEST_CA_BUNDLE")
left=$(kinds "$url" | grep -- "-webhook" | grep -Ev '^(Mutating|Validating)WebhookConfiguration/' || true)
expect_eq "" "$left" "webhook objects rendered in URL mode"
expect_eq "https://127.0.0.1:9443/mutate-pods $TEST_CA_BUNDLE null" "$(q "$(obj "$url" MutatingWebhookConfiguration $P-webhook)" '.webhooks[0].clientConfig | "\(.url) \(.caBundle) \(.service)"')" "mutating URL"
expect_eq "https://127.0.0.1:9443/validate-limen $TEST_CA_BUNDLE" "$(q "$(obj "$url" ValidatingWebhookConfiguration $P-webhook)" '.webhooks[0].clientConfig | "\(.url) \(.caBundle)"')" "validating URL"
grep -q "^Deployment/$P-operator" <<<"$(kinds "$url")" || fail "URL mode dropped the operator"

# --- NetworkPolicy, ServiceMonitor ----------------------------------------------------------
np=$(render $NS --set networkPolicy.enabled=true)
expect_eq "NetworkPolicy/$P-bpf-loader
NetworkPolicy/$P-operator
NetworkPolicy/$P-webhook" "$(kinds "$np" | grep ^NetworkPolicy/)" "NetworkPolicies"
for c in operator:http webhook:https bpf-loader:metrics; do
  n=$(obj "$np" NetworkPolicy "$P-${c%%:*}")
  expect_eq "${c%%:*} ${c#*:} Ingress" "$(q "$n" '"\(.spec.podSelector.matchLabels["app.kubernetes.io/component"]) \(.spec.ingress[0].ports[0].port) \(.spec.policyTypes | join(","))"')" "NetworkPolicy of ${c%%:*}"
done
sm=$(render $NS --set serviceMonitor.enabled=true --set serviceMonitor.labels.release=prom)
expect_eq "ServiceMonitor/$P-bpf-loader
ServiceMonitor/$P-operator
ServiceMonitor/$P-webhook" "$(kinds "$sm" | grep ^ServiceMonitor/)" "ServiceMonitors"
expect_eq "https $P-webhook-tls ca.crt $P-webhook.$NS.svc prom" "$(q "$(obj "$sm" ServiceMonitor $P-webhook)" '"\(.spec.endpoints[0].scheme) \(.spec.endpoints[0].tlsConfig.ca.secret.name) \(.spec.endpoints[0].tlsConfig.ca.secret.key) \(.spec.endpoints[0].tlsConfig.serverName) \(.metadata.labels.release)"')" "webhook ServiceMonitor"
for k in NetworkPolicy ServiceMonitor; do
  grep -q "^$k/" <<<"$(kinds "$d")" && fail "$k rendered without being enabled"
done

# --- other options --------------------------------------------------------------------------
st=$(render $NS --set webhook.failurePolicy=Fail --set webhook.timeoutSeconds=10 --set webhook.antiAffinity=hard \
  --set webhook.validating.onlyOptedInNamespaces=true --set 'webhook.excludedNamespaces={monitoring}')
expect_eq "Fail 10" "$(q "$(obj "$st" MutatingWebhookConfiguration $P-webhook)" '.webhooks[0] | "\(.failurePolicy) \(.timeoutSeconds)"')" "failurePolicy/timeout values"
expect_eq "limen.dev/injection kube-system,kube-node-lease,limen-system,monitoring" "$(q "$(obj "$st" ValidatingWebhookConfiguration $P-webhook)" '.webhooks[0].namespaceSelector.matchExpressions | "\(.[0].key) \(.[1].values | join(","))"')" "validating opt-in and extra exclusions"
expect_eq "kubernetes.io/hostname" "$(q "$(obj "$st" Deployment $P-webhook)" '.spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey')" "hard anti-affinity"

nb=$(render $NS --set bpfLoader.enabled=false)
expect_eq "" "$(kinds "$nb" | grep -- -bpf-loader || true)" "objects of a disabled bpf-loader"

dg=$(render $NS --set "operator.image.digest=sha256:$(printf '%064d' 1)" --set operator.image.tag=ignored --set 'imagePullSecrets={regcred}')
expect_eq "ghcr.io/limen-dev/limen-operator@sha256:$(printf '%064d' 1) regcred" "$(q "$(obj "$dg" Deployment $P-operator)" '.spec.template.spec | "\(.containers[0].image) \(.imagePullSecrets[0].name)"')" "image by digest, pull secret"

nv=$(render $NS --set webhook.validating.enabled=false)
grep -q "^ValidatingWebhookConfiguration/" <<<"$(kinds "$nv")" && fail "validating webhook rendered while disabled"
nvargs=$(q "$(obj "$nv" Deployment $P-webhook)" '.spec.template.spec.containers[0].args | join(" ")')
[[ $nvargs == *"--mutating-webhook-config $P-webhook"* && $nvargs != *"--webhook-config "* ]] || fail "args without a validating configuration: $nvargs"

ol=$(render $NS --set webhook.olderCluster=true --set injector.locator=limen.example:1234 --set operator.leaderElection.enabled=false)
expect_eq "false limen.example:1234" "$(q "$(cfg "$(obj "$ol" ConfigMap $P-webhook)")" '.injector | "\(.nativeSidecar) \(.locator)"')" "olderCluster and locator"
expect_eq false "$(q "$(cfg "$(obj "$ol" ConfigMap $P-operator)")" '.leaderElection.enabled')" "leader election off"
grep -q "^Role/$P-operator-lease" <<<"$(kinds "$ol")" && fail "Lease Role rendered without leader election"

# A config change rolls the Pods: the checksum annotation follows the ConfigMap.
a=$(q "$(obj "$d" Deployment $P-operator)" '.spec.template.metadata.annotations["checksum/config"]')
b=$(q "$(obj "$(render $NS --set operator.logLevel=debug)" Deployment $P-operator)" '.spec.template.metadata.annotations["checksum/config"]')
{ [ -n "$a" ] && [ "$a" != "$b" ]; } || fail "operator config checksum did not change with logLevel ($a / $b)"

# Names stay within 63 characters for a long release name.
long=$(helm template a-very-long-release-name-for-limen-in-production "$CHART" -n $NS | yaml_to_json)
expect_eq 0 "$(q "$long" '[.[] | select((.metadata.name | length) > 63)] | length')" "names longer than 63 characters"
echo "PASS: $(q "$d" length) objects with the defaults; 12 option sets checked"

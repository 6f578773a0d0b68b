# Helpers shared by the chart tests (charts/test/*_test.sh). Source it first thing: it
# sources e2e/testing/lib.sh (pinned helm/kubectl on PATH, KUBECONFIG of the fixture's
# cluster when there is one, fail / expect_* helpers) and gives each test a scratch dir.
# shellcheck shell=bash
CHARTS_TEST_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CHART=$(cd "$CHARTS_TEST_DIR/../limen" && pwd)
# shellcheck source=../../e2e/testing/lib.sh
source "$CHARTS_TEST_DIR/../../e2e/testing/lib.sh"
command -v helm >/dev/null || fail "helm is not on PATH (run scripts/setup)"
TEST_TMP=$(mktemp -d)
_chart_cleanups=()
# on_exit CMD: runs CMD (eval'd) at exit, last registered first.
on_exit() { _chart_cleanups=("$1" "${_chart_cleanups[@]}"); }
_chart_exit() {
  local c
  for c in "${_chart_cleanups[@]}"; do eval "$c" >/dev/null 2>&1 || true; done
  rm -rf "$TEST_TMP"
}
trap _chart_exit EXIT
export KUBECACHEDIR=$TEST_TMP/kube-cache

# A CA for the out-of-cluster URL option (the apiserver only needs a well-formed bundle).
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
  -subj /CN=limen-chart-test -keyout "$TEST_TMP/ca.key" -out "$TEST_TMP/ca.crt" 2>/dev/null ||
  fail "openssl could not create a test CA"
TEST_CA_BUNDLE=$(base64 -w0 <"$TEST_TMP/ca.crt")

# The option sets every render/dry-run test covers: NAME|helm flags. The defaults first.
# shellcheck disable=SC2034 # used by the scripts that source this file
OPTION_SETS=(
  "defaults|"
  "cert-manager|--set webhook.certificates.mode=cert-manager"
  "cert-manager-issuer|--set webhook.certificates.mode=cert-manager --set webhook.certificates.certManager.issuerRef.name=corp-ca --set webhook.certificates.certManager.issuerRef.kind=ClusterIssuer"
  "network-policy|--set networkPolicy.enabled=true"
  "service-monitor|--set serviceMonitor.enabled=true --set serviceMonitor.labels.release=prom"
  "external-url|--set webhook.url=https://127.0.0.1:9443 --set webhook.caBundle=$TEST_CA_BUNDLE"
  "no-bpf-loader|--set bpfLoader.enabled=false"
  "strict|--set webhook.failurePolicy=Fail --set webhook.validating.failurePolicy=Fail --set webhook.timeoutSeconds=10 --set webhook.antiAffinity=hard --set webhook.validating.onlyOptedInNamespaces=true --set webhook.excludedNamespaces={monitoring}"
  "digests|--set operator.image.digest=sha256:$(printf '%064d' 1) --set webhook.image.digest=sha256:$(printf '%064d' 2) --set bpfLoader.image.digest=sha256:$(printf '%064d' 3) --set imagePullSecrets={regcred}"
  "everything|--set operator.watchNamespace=apps --set operator.reconcilers.wasmFilter.allowImageTags=true --set operator.reconcilers.wasmFilter.maxModuleSize=4Mi --set networkPolicy.enabled=true --set serviceMonitor.enabled=true --set webhook.certificates.mode=cert-manager --set operator.leaderElection.enabled=false --set operator.replicas=1 --set webhook.validating.enabled=false --set webhook.podDisruptionBudget.enabled=false --set webhook.olderCluster=true"
)

# render NAMESPACE [helm flags...]: the chart's manifests (CRDs included) as one JSON array.
render() {
  local ns=$1; shift
  helm template limen-test "$CHART" --namespace "$ns" --include-crds "$@" >"$TEST_TMP/render.yaml" ||
    fail "helm template $*"
  yaml_to_json <"$TEST_TMP/render.yaml"
}

# yaml_to_json: multi-document YAML on stdin → a JSON array, offline. kubectl's --local
# mode converts without contacting a server; it needs an annotation to set, which is removed.
yaml_to_json() {
  KUBECONFIG=/dev/null kubectl annotate --local -f - -o json limen.dev/chart-test=x |
    jq -s 'map(del(.metadata.annotations["limen.dev/chart-test"])
               | if .metadata.annotations == {} then del(.metadata.annotations) else . end)'
}

# kinds JSON: "Kind/name" lines.
kinds() { jq -r '.[] | "\(.kind)/\(.metadata.name)"' <<<"$1" | sort; }

# option_flags "NAME|flags": the flags, word-split into the array FLAGS.
option_flags() {
  local spec=$1
  # shellcheck disable=SC2206,SC2034 # deliberate word splitting (no value above contains spaces); FLAGS is read by the caller
  FLAGS=(${spec#*|})
}

# --- cluster helpers (integration tests) ---------------------------------------------------
need_cluster() {
  [ -n "${KUBECONFIG:-}" ] || fail "KUBECONFIG is not set (set LIMEN_CLUSTER_DIR to a cluster from e2e/cluster/up)"
}
# random_suffix: 8 hex characters.
random_suffix() { head -c4 /dev/urandom | od -An -tx1 | tr -d ' \n'; }

# install_crds: the chart's CRDs (server-side apply: concurrent tests do not race), and the
# test stand-ins for the ServiceMonitor and cert-manager kinds; waits until they are served.
install_crds() {
  kubectl apply --server-side --force-conflicts --field-manager=limen-chart-test \
    -f "$CHART/crds/" -f "$CHARTS_TEST_DIR/testdata/" >/dev/null
  kubectl wait --for=condition=Established --timeout=60s crd -l app.kubernetes.io/part-of=limen >/dev/null
  kubectl wait --for=condition=Established --timeout=60s crd -l limen.dev/test-stand-in=true >/dev/null
  retry 30 kubectl get servicemonitors.monitoring.coreos.com,certificates.cert-manager.io,nodeprobestates.limen.dev -A -o name >/dev/null 2>&1 ||
    fail "CRDs not served 30 s after Established"
}

# make_namespace NAME [LABEL=VALUE...]: creates it (deleted at exit).
make_namespace() {
  local ns=$1; shift
  kubectl create namespace "$ns" >/dev/null
  on_exit "kubectl delete namespace $ns --ignore-not-found --wait=false"
  [ $# -eq 0 ] || kubectl label namespace "$ns" "$@" >/dev/null
}

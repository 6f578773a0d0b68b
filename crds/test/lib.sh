# Helpers shared by the CRD tests (crds/test/*_test.sh). Source it first thing: it sources
# e2e/testing/lib.sh (pinned kubectl on PATH, KUBECONFIG of the fixture's cluster, fail /
# expect_* helpers) and gives each test a private kubectl cache and its own namespace.
# shellcheck shell=bash
CRDS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../../e2e/testing/lib.sh
source "$CRDS_DIR/../e2e/testing/lib.sh"
# shellcheck disable=SC2034 # used by the scripts that source this file
CRD_FILES=("$CRDS_DIR"/*.yaml)
# shellcheck disable=SC2034
KINDS=(observabilitypolicies resiliencepolicies wasmfilters instrumentedworkloads nodeprobestates)

[ -n "${KUBECONFIG:-}" ] || fail "KUBECONFIG is not set (set LIMEN_CLUSTER_DIR to a cluster from e2e/cluster/up)"
TEST_TMP=$(mktemp -d)
# A discovery cache of our own: CRDs appear and change under other tests' feet.
export KUBECACHEDIR=$TEST_TMP/kube-cache
TEST_NS=""
_crds_cleanup() {
  if [ -n "$TEST_NS" ]; then
    kubectl delete nodeprobestates -l "limen.dev/test-namespace=$TEST_NS" --ignore-not-found --wait=false >/dev/null 2>&1 || true
    kubectl delete namespace "$TEST_NS" --ignore-not-found --wait=false >/dev/null 2>&1 || true
  fi
  rm -rf "$TEST_TMP"
}
trap _crds_cleanup EXIT

# use_namespace PREFIX: creates a fresh namespace PREFIX-<random> for this test (deleted on
# exit) and sets TEST_NS.
use_namespace() {
  TEST_NS="$1-$(head -c4 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  kubectl create namespace "$TEST_NS" >/dev/null
}

# install_crds: applies every CRD in crds/ and waits until the apiserver serves them.
install_crds() {
  # Server-side apply: atomic create-or-update, so tests running in parallel do not race.
  kubectl apply --server-side --force-conflicts --field-manager=limen-crds-test -f "$CRDS_DIR/" >/dev/null
  kubectl wait --for=condition=Established --timeout=60s crd -l app.kubernetes.io/part-of=limen >/dev/null
  # Discovery may lag Established by a moment; resolving a short name proves it is there.
  retry 30 kubectl get nodeprobestates.limen.dev -o name >/dev/null 2>&1 ||
    fail "limen.dev resources are not served 30 s after Established"
}

# to_json FILE: the object in FILE as JSON (client-side conversion; needs discovery only).
to_json() { kubectl create --dry-run=client --validate=false -o json -f "$1"; }

# namespaced OBJ_JSON: the object moved into TEST_NS; a cluster-scoped object is renamed
# <TEST_NS>-<name> and labelled so that cleanup finds it.
# The managed-by label is dropped: a limen-operator running against the same cluster (another
# test) deletes the InstrumentedWorkloads it manages whose workload does not exist.
namespaced() {
  jq --arg ns "$TEST_NS" 'del(.metadata.labels["app.kubernetes.io/managed-by"]) |
    if .kind == "NodeProbeState" then
      .metadata.name = ($ns + "-" + .metadata.name) | del(.metadata.namespace)
      | .metadata.labels["limen.dev/test-namespace"] = $ns
    else .metadata.namespace = $ns end' <<<"$1"
}

#!/usr/bin/env bash
# crds.install: every CRD in crds/ installs on the real apiserver and becomes Established,
# with the names, scope, subresources, categories and labels DESIGN.md and scripts/demo rely on.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

expect_eq 5 "${#CRD_FILES[@]}" "number of CRD files in crds/"
install_crds

# kind plural shortName scope
while read -r kind plural short scope; do
  crd=$(kubectl get crd "$plural.limen.dev" -o json) || fail "CRD $plural.limen.dev is not installed"
  got=$(jq -r '[.spec.names.kind, .spec.names.plural, (.spec.names.shortNames | join(",")), .spec.scope,
               (.spec.names.categories | join(",")), .metadata.labels["app.kubernetes.io/part-of"]] | join(" ")' <<<"$crd")
  expect_eq "$kind $plural $short $scope limen limen" "$got" "names/scope/categories/label of $plural"
  expect_eq "v1alpha1 true true true" \
    "$(jq -r '.spec.versions | map(select(.name == "v1alpha1"))[0] | [.name, .served, .storage, (.subresources.status != null)] | join(" ")' <<<"$crd")" \
    "version v1alpha1 (served, storage, status subresource) of $plural"
  expect_eq "1" "$(jq '.spec.versions | length' <<<"$crd")" "versions of $plural"
  for c in Established NamesAccepted; do
    expect_eq True "$(jq -r --arg c "$c" '.status.conditions[] | select(.type == $c) | .status' <<<"$crd")" "$c of $plural"
  done
done <<'TABLE'
ObservabilityPolicy observabilitypolicies obspol Namespaced
ResiliencePolicy resiliencepolicies respol Namespaced
WasmFilter wasmfilters wasmf Namespaced
InstrumentedWorkload instrumentedworkloads iwl Namespaced
NodeProbeState nodeprobestates nps Cluster
TABLE

# Re-applying is a no-op: the apiserver stores the files as they are (no generation bump).
generations() { kubectl get crd -l app.kubernetes.io/part-of=limen -o jsonpath='{range .items[*]}{.metadata.name}={.metadata.generation} {end}'; }
before=$(generations)
install_crds
expect_eq "$before" "$(generations)" "CRD generations after re-applying the same files"

# scripts/demo finds the CRDs by this label.
expect_eq 5 "$(kubectl get crd -l app.kubernetes.io/part-of=limen -o name | wc -l)" "CRDs labelled part-of=limen"
echo "PASS: 5 CRDs established"

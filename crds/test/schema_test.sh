#!/usr/bin/env bash
# crds.schema: conventions every CRD schema follows, checked on the schemas as the apiserver
# stores them, naming each offending node:
#  - every node (list items and map values included) has a description, except metadata;
#  - every list declares x-kubernetes-list-type and maxItems; lists of objects with a `name`
#    are maps keyed by it (server-side apply merges them by name);
#  - every string (but apiVersion and kind) has maxLength, an enum or a format (bounds the
#    cost of CEL rules);
#  - the blocks shared between kinds (conditions, selector) are identical, so they cannot drift.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
install_crds

problems=()
for plural in "${KINDS[@]}"; do
  schema=$(kubectl get crd "$plural.limen.dev" -o json | jq '.spec.versions[0].schema.openAPIV3Schema')
  while IFS= read -r line; do problems+=("$plural: $line"); done < <(jq -L "$CRDS_DIR/test" -r '
    include "schema";
    nodes("") | select(.path != ".metadata" and .path != ".apiVersion" and .path != ".kind") | .path as $p | .node as $n
    | (if ($n.description // "") == "" then "\($p): no description" else empty end),
      (if $n.type == "array" then
         (if $n["x-kubernetes-list-type"] == null then "\($p): list without x-kubernetes-list-type" else empty end),
         (if $n.maxItems == null then "\($p): list without maxItems" else empty end),
         (if ($n.items.properties.name != null) and ($n.items.required // [] | index("name"))
             and (($n["x-kubernetes-list-type"] != "map") or ($n["x-kubernetes-list-map-keys"] | index("name") | not))
          then "\($p): items have a name but the list is not a map keyed by name" else empty end)
       else empty end),
      (if $n.type == "string" and $n.maxLength == null and $n.enum == null and $n.format == null
       then "\($p): string without maxLength, enum or format" else empty end)
  ' <<<"$schema")
done

# Shared blocks: one definition, five copies.
shared() { # plural jq-path
  kubectl get crd "$1.limen.dev" -o json | jq -S ".spec.versions[0].schema.openAPIV3Schema$2 | del(.description)"
}
conditions=$(shared observabilitypolicies .properties.status.properties.conditions)
for plural in "${KINDS[@]}"; do
  [ "$(shared "$plural" .properties.status.properties.conditions)" = "$conditions" ] ||
    problems+=("$plural: status.conditions differs from observabilitypolicies' (keep the copies identical)")
done
[ "$(shared resiliencepolicies .properties.spec.properties.selector)" = "$(shared observabilitypolicies .properties.spec.properties.selector)" ] ||
  problems+=("resiliencepolicies: spec.selector differs from observabilitypolicies' (keep the copies identical)")

if [ ${#problems[@]} -gt 0 ]; then
  printf 'FAIL: schema conventions:\n' >&2
  printf '  %s\n' "${problems[@]}" >&2
  exit 1
fi
echo "PASS: the ${#KINDS[@]} schemas follow the conventions"

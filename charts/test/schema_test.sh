#!/usr/bin/env bash
# chart.schema: values.schema.json closes every object (additionalProperties: false) but the
# documented free-form ones; its keys are exactly those of values.yaml; every value in
# values.yaml is documented by a comment; unknown keys are rejected at every level, and
# bad values with a message naming them.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
SCHEMA=$CHART/values.schema.json
jq empty "$SCHEMA" || fail "values.schema.json is not JSON"

# 1. Every object schema is closed, or deliberately open: a string map
#    (additionalProperties: {type: string}) or a free-form Kubernetes structure whose
#    description says so. Listed by path, so a new open object fails here until named.
open=$(jq -r '
  paths(objects) as $p | getpath($p) as $s
  | select(($s | type) == "object" and $s.type == "object")
  | select($s.additionalProperties != false)
  | ($p | map(select(. != "properties" and . != "items")) | join("."))
    + " " + (if ($s.additionalProperties | type) == "object" then "map-of-" + $s.additionalProperties.type
             elif ($s.description // "" | test("free-form")) then "free-form" else "OPEN" end)' "$SCHEMA" | sort)
want_open="bpfLoader.affinity.nodeAffinity free-form
bpfLoader.affinity.podAffinity free-form
bpfLoader.affinity.podAntiAffinity free-form
bpfLoader.nodeSelector map-of-string
bpfLoader.podAnnotations map-of-string
bpfLoader.podLabels map-of-string
bpfLoader.serviceAccount.annotations map-of-string
bpfLoader.tolerations free-form
commonLabels map-of-string
grafana.dashboards.annotations map-of-string
grafana.dashboards.labels map-of-string
networkPolicy.metricsFrom free-form
operator.affinity.nodeAffinity free-form
operator.affinity.podAffinity free-form
operator.affinity.podAntiAffinity free-form
operator.nodeSelector map-of-string
operator.podAnnotations map-of-string
operator.podLabels map-of-string
operator.reconcilers free-form
operator.serviceAccount.annotations map-of-string
operator.tolerations free-form
prometheusRule.alertLabels map-of-string
prometheusRule.labels map-of-string
serviceMonitor.labels map-of-string
webhook.affinity.nodeAffinity free-form
webhook.affinity.podAffinity free-form
webhook.affinity.podAntiAffinity free-form
webhook.nodeSelector map-of-string
webhook.podAnnotations map-of-string
webhook.podLabels map-of-string
webhook.serviceAccount.annotations map-of-string
webhook.tolerations free-form"
expect_eq "$want_open" "$open" "objects of values.schema.json without additionalProperties: false"
grep -q OPEN <<<"$open" && fail "undocumented open objects: $(grep OPEN <<<"$open")"
closed=$(jq '[paths(objects) as $p | getpath($p) | select(type == "object" and .type == "object" and .additionalProperties == false)] | length' "$SCHEMA")
[ "$closed" -ge 30 ] || fail "only $closed closed objects in the schema"

# 2. The schema's leaf keys are exactly values.yaml's (no undocumented value, no dead
#    schema entry). values.yaml as JSON: wrapped into an object kubectl can convert offline.
values_json=$({ printf 'apiVersion: v1\nkind: ValuesFile\nmetadata: {name: values}\nspec:\n'
                sed 's/^/  /' "$CHART/values.yaml"; } | yaml_to_json | jq '.[0].spec')
# Key paths on both sides; below an open structure (Kubernetes types, string maps, the
# free-form reconcilers, issuerRef whose keys are optional) nothing is compared.
below_open='^(.*\.)?(resources|tolerations|metricsFrom|affinity|reconcilers|nodeSelector|podAnnotations|podLabels|annotations|labels|commonLabels|issuerRef)\.'
value_paths=$(jq -r '[paths | select(all(.[]; type == "string")) | join(".")] | .[]' <<<"$values_json" |
  grep -Ev "$below_open" | sort -u)
schema_paths=$(jq -r '
  def keys_of($prefix): (.properties // {}) | to_entries[] |
    ($prefix + [.key]) as $p | ($p | join(".")), (.value | keys_of($p));
  keys_of([])' "$SCHEMA" | grep -Ev "$below_open" | sort -u)
expect_eq "$schema_paths" "$value_paths" "keys of values.schema.json vs values.yaml"

# 3. Every value in values.yaml is documented: each key that carries a value (or opens a
#    list/map a user sets) is preceded by a comment line at its indentation. Keys inside
#    Kubernetes structures (resources, tolerations, metricsFrom) are exempt.
undocumented=$(awk '
  function indent(s) { match(s, /^ */); return RLENGTH }
  /^[[:space:]]*$/ { next }
  /^[[:space:]]*#/ { last_comment_indent = indent($0); had_comment = 1; next }
  {
    ind = indent($0)
    while (depth > 0 && stack_ind[depth] >= ind) depth--
    line = $0; sub(/^ */, "", line)
    if (line ~ /^- /) { had_comment = 0; next }
    key = line; sub(/:.*/, "", key)
    exempt = 0
    for (d = 1; d <= depth; d++) if (stack_key[d] ~ /^(resources|tolerations|metricsFrom)$/) exempt = 1
    value = line; sub(/^[^:]*:[ ]*/, "", value)
    is_parent = (value == "")
    documented = had_comment && last_comment_indent == ind
    if (!exempt && !documented && !is_parent) printf "%s (line %d)\n", key, NR
    depth++; stack_ind[depth] = ind; stack_key[depth] = key
    had_comment = 0
  }' "$CHART/values.yaml")
[ -z "$undocumented" ] || fail "values.yaml keys without a comment: $undocumented"

# 4. An unknown key is rejected at every closed level of the schema.
levels=$(jq -r '
  paths(objects) as $p | getpath($p) as $s
  | select(($s | type) == "object" and $s.type == "object" and $s.additionalProperties == false)
  | $p | map(select(. != "properties")) | join(".")' "$SCHEMA")
n=0
while read -r level; do
  [[ $level == *items* ]] && continue
  key=${level:+$level.}zzTypo
  expect_fail "unknown key $key" helm template x "$CHART" --set "$key=1"
  expect_contains "$OUT" "additional properties 'zzTypo' not allowed" "error for unknown key $key"
  n=$((n + 1))
done <<<"$levels"
[ "$n" -ge 30 ] || fail "only $n levels checked"

# 5. Bad values fail with a message naming the value. flag|text the error must contain
while IFS='|' read -r flag want; do
  [ -n "$flag" ] || continue
  expect_fail "$flag" helm template x "$CHART" --set "$flag"
  expect_contains "$OUT" "$want" "error for $flag"
done <<'TABLE'
injector.sidecarImage.digest=latest|/injector/sidecarImage/digest
injector.sidecarImage.digest=|/injector/sidecarImage/digest
webhook.failurePolicy=Sometimes|/webhook/failurePolicy
webhook.timeoutSeconds=31|/webhook/timeoutSeconds
webhook.url=http://127.0.0.1:9443|/webhook/url
webhook.certificates.mode=vault|/webhook/certificates/mode
operator.logLevel=loud|/operator/logLevel
operator.leaderElection.leaseDuration=15|/operator/leaderElection/leaseDuration
operator.replicas=-1|/operator/replicas
bpfLoader.seccompProfile=Localhost|/bpfLoader/seccompProfile
injector.runAsUser=0|/injector/runAsUser
operator.image.digest=sha256:abc|/operator/image/digest
webhook.validating.resources={pods}|/webhook/validating/resources
webhook.url=https://127.0.0.1:9443|webhook.caBundle is required with webhook.url
TABLE

# The defaults are valid (the checks above are not failing for every input).
helm template x "$CHART" >/dev/null || fail "the defaults do not render"
echo "PASS: $closed closed objects, $n levels reject unknown keys, $(wc -l <<<"$value_paths") keys in values.yaml and the schema"

#!/usr/bin/env bash
# crds.explain: `kubectl explain` documents the whole API. The test walks each CRD's schema as
# the apiserver stores it, runs `kubectl explain <plural>.<path>` for every field, and fails
# naming each field whose explanation lacks its description. (metadata is the exception: the
# apiserver forbids a description there and explains it as ObjectMeta.)
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
install_crds

# description of `kubectl explain` output: the lines after DESCRIPTION: up to FIELDS:,
# whitespace squeezed (explain re-wraps text at 80 columns).
explained() { awk '/^DESCRIPTION:/ {on=1; next} /^FIELDS:/ {on=0} on' | tr -s ' \n\t' ' ' | sed 's/^ //; s/ $//'; }
squeeze() { tr -s ' \n\t' ' ' | sed 's/^ //; s/ $//'; }

missing=()
count=0
for plural in "${KINDS[@]}"; do
  schema=$(kubectl get crd "$plural.limen.dev" -o json | jq '.spec.versions[0].schema.openAPIV3Schema')
  top=$(kubectl explain "$plural" | explained)
  want=$(jq -r '.description // ""' <<<"$schema" | squeeze)
  [ -n "$want" ] && [[ "$top" == *"$want"* ]] || missing+=("$plural (the kind itself)")
  while IFS=$'\t' read -r path desc; do
    [ "$path" = metadata ] && continue
    count=$((count + 1))
    got=$(kubectl explain "$plural.$path" 2>&1 | explained) || { missing+=("$plural.$path (explain failed: $got)"); continue; }
    want=$(squeeze <<<"$desc")
    if [ -z "$want" ] || [ -z "$got" ] || [[ "$got" != *"$want"* ]]; then
      missing+=("$plural.$path")
    fi
  done < <(jq -L "$CRDS_DIR/test" -r 'include "schema"; fields("") | [.path, (.node.description // "" | gsub("[\t\n]"; " "))] | @tsv' <<<"$schema")
done
[ "$count" -gt 150 ] || fail "walked only $count fields: the schema walk is broken"
if [ ${#missing[@]} -gt 0 ]; then
  printf 'FAIL: kubectl explain shows no (or another) description for:\n' >&2
  printf '  %s\n' "${missing[@]}" >&2
  exit 1
fi
echo "PASS: kubectl explain documents all $count fields of ${#KINDS[@]} kinds"

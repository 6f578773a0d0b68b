#!/usr/bin/env bash
# Renders every corpus policy with limen-envoy-render into a temp dir and runs envoy-validate
# (go-control-plane: strict protojson + ValidateAll) on all of them. Every one must pass.
# Usage: validate_corpus.sh RENDER_TOOL ENVOY_VALIDATE POLICY_DIR
set -euo pipefail
render=$1 validate=$2 dir=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
for f in "$dir"/*.yaml; do
  name=$(basename "$f" .yaml)
  "$render" --out "$tmp/$name.json" "$f"
  n=$((n + 1))
done
if (( n < 20 )); then
  echo "corpus has only $n policies (need >= 20)" >&2
  exit 1
fi
"$validate" "$tmp"/*.json
echo "validated $n rendered configs"

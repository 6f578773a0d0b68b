#!/usr/bin/env bash
# Cross-check with the real `wasm-tools validate` (pinned, built by scripts/setup): on every
# module of the corpus and both sample filters, Limen's verdict on well-formedness
# (limen-wasm-validate without --abi) agrees with wasm-tools'. The one deliberate difference
# — a component-model binary, well formed for wasm-tools, refused by Limen's policy — is
# declared in the manifest and checked as such.
# Usage: wasm_tools_crosscheck.sh CORPUS_GEN VALIDATE SAMPLES_DIR
source "$(dirname "$0")/../../../e2e/testing/lib.sh"
gen=$1 validate=$2 samples=$3
command -v wasm-tools >/dev/null || fail "wasm-tools is not installed (scripts/setup installs it)"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$gen" "$dir"

checked=0
verdict() { if "$@" >/dev/null 2>&1; then echo 1; else echo 0; fi; }
while IFS=$'\t' read -r name _abi wasm_tools_wf limen_wf _reason; do
  got_tools=$(verdict wasm-tools validate "$dir/$name.wasm")
  got_limen=$(verdict "$validate" --max-size 67108864 "$dir/$name.wasm")
  expect_eq "$wasm_tools_wf" "$got_tools" "wasm-tools on $name"
  expect_eq "$limen_wf" "$got_limen" "Limen on $name"
  if [ "$wasm_tools_wf" != "$limen_wf" ]; then
    expect_contains "$("$validate" "$dir/$name.wasm")" "components are not supported" "declared difference on $name"
  fi
  checked=$((checked + 1))
done <"$dir/manifest.tsv"
for s in go-reactor c-proxy-wasm; do
  expect_eq 1 "$(verdict wasm-tools validate "$samples/$s.wasm")" "wasm-tools on sample $s"
  expect_eq 1 "$(verdict "$validate" "$samples/$s.wasm")" "Limen on sample $s"
  checked=$((checked + 1))
done
echo "PASS: $checked modules, verdicts agree with $(wasm-tools --version)"

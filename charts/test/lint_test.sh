#!/usr/bin/env bash
# chart.lint: `helm lint` and `helm lint --strict` pass for the defaults and every option
# set; the packaged chart (what a repository serves) holds the five CRDs and renders the
# same manifests as the directory.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

for spec in "${OPTION_SETS[@]}"; do
  name=${spec%%|*}; option_flags "$spec"
  for strict in "" --strict; do
    out=$(helm lint $strict "$CHART" --namespace limen-system "${FLAGS[@]}" 2>&1) ||
      fail "helm lint $strict ($name): $out"
    expect_contains "$out" "1 chart(s) linted, 0 chart(s) failed" "helm lint $strict ($name)"
    # --strict turns warnings into failures; also refuse warnings without it.
    if grep -q '^\[WARNING\]' <<<"$out"; then fail "helm lint ($name) warns: $out"; fi
  done
done

# A broken value fails lint (the schema is part of lint): proves lint is not vacuous.
expect_fail "helm lint with an unknown value" helm lint --strict "$CHART" --set operator.replica=3
expect_contains "$OUT" "additional properties 'replica' not allowed" "lint error for a typo"

helm package "$CHART" --destination "$TEST_TMP" >/dev/null
pkg=$(ls "$TEST_TMP"/limen-*.tgz)
expect_eq "limen-$(helm show chart "$CHART" | sed -n 's/^version: //p').tgz" "$(basename "$pkg")" "package name"
expect_eq "$(cd "$CHART/crds" && printf '%s\n' ./*.yaml | sed 's|^\./|limen/crds/|' | sort)" \
  "$(tar tzf "$pkg" | grep '^limen/crds/' | sort)" "CRDs in the package"
listing=$(tar tzf "$pkg")
for f in values.schema.json templates/NOTES.txt README.md; do
  grep -qx "limen/$f" <<<"$listing" || fail "package lacks $f"
done
helm lint --strict "$pkg" >/dev/null || fail "the packaged chart does not lint"
diff <(helm template x "$CHART" -n limen-system --include-crds) \
     <(helm template x "$pkg" -n limen-system --include-crds) >/dev/null ||
  fail "the packaged chart renders differently from the directory"
echo "PASS: lint clean for ${#OPTION_SETS[@]} option sets; package has $(grep -c '^limen/crds/' <<<"$listing") CRDs"

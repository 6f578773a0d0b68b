#!/usr/bin/env bash
# chart.crds_sync: the chart's crds/ is an exact copy of the repository's crds/*.yaml (the
# single source of truth): same files, same bytes — and `helm template --include-crds`
# renders exactly those CRDs. After editing crds/, run: cp crds/*.yaml charts/limen/crds/
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
SRC=$(cd "$CHART/../../crds" && pwd)

want=$(cd "$SRC" && printf '%s\n' ./*.yaml | sort)
got=$(cd "$CHART/crds" && printf '%s\n' ./*.yaml | sort)
expect_eq "$want" "$got" "CRD files in charts/limen/crds (cp crds/*.yaml charts/limen/crds/)"
for f in "$SRC"/*.yaml; do
  cmp -s "$f" "$CHART/crds/$(basename "$f")" ||
    fail "charts/limen/crds/$(basename "$f") differs from crds/$(basename "$f") (cp crds/*.yaml charts/limen/crds/)"
done
# Copies, not symlinks: Helm warns on every command for symlinks and GitOps tools (Argo CD)
# refuse links that leave the chart directory.
for f in "$CHART"/crds/*; do [ -L "$f" ] && fail "$f is a symlink"; done

json=$(render limen-system)
expect_eq "$(for f in "$SRC"/*.yaml; do sed -n 's/^  name: \(.*\)$/\1/p' "$f" | head -1; done | sort)" \
  "$(jq -r '.[] | select(.kind == "CustomResourceDefinition") | .metadata.name' <<<"$json" | sort)" \
  "CRDs rendered with --include-crds"
echo "PASS: $(wc -w <<<"$want") CRDs identical to crds/"

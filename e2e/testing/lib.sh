# Helpers for script tests (limen_script_test) against the local control plane.
# Source it first thing: it sets PATH to the pinned tools, KUBECONFIG to the fixture's
# cluster, and defines small assertions that print what differed.
# shellcheck shell=bash
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib.sh"
export PATH="$LIMEN_BIN:$PATH"
if [ -n "${LIMEN_CLUSTER_DIR:-}" ] && [ -f "$LIMEN_CLUSTER_DIR/env" ]; then
  set -a; source "$LIMEN_CLUSTER_DIR/env"; set +a
fi

fail() { echo "FAIL: $*" >&2; exit 1; }
# expect_eq WANT GOT WHAT
expect_eq() { [ "$1" = "$2" ] || fail "$3: want '$1', got '$2'"; }
# expect_contains HAYSTACK NEEDLE WHAT
expect_contains() { [[ "$1" == *"$2"* ]] || fail "$3: '$2' not found in: $1"; }
# expect_fail WHAT CMD...: CMD must exit non-zero; its combined output is left in $OUT.
expect_fail() {
  local what=$1; shift
  if OUT=$("$@" 2>&1); then fail "$what: expected failure, got success: $OUT"; fi
}
# retry SECONDS CMD...: runs CMD until it succeeds or SECONDS pass.
retry() {
  local deadline=$((SECONDS + $1)); shift
  until "$@"; do [ $SECONDS -lt $deadline ] || return 1; sleep 0.5; done
}

# Shared helpers for scripts/*. Source it; it defines paths and small functions only.
# shellcheck shell=bash
LIMEN_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=versions.env
source "$LIMEN_ROOT/scripts/versions.env"
LIMEN_CACHE=${LIMEN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/limen}
# The cache key covers the pins only, not comments: editing prose never rebuilds tools.
LIMEN_TOOLS_KEY=$(grep -E "^[A-Z_]+=" "$LIMEN_ROOT/scripts/versions.env" | sha256sum | cut -c1-12)
# shellcheck disable=SC2034 # used by the scripts that source this file
LIMEN_BIN=$LIMEN_CACHE/$LIMEN_TOOLS_KEY/bin
export GOTOOLCHAIN=${GOTOOLCHAIN:-local}
export GOFLAGS=${GOFLAGS:--mod=mod}

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

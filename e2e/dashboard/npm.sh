# Where scripts/setup installs the browser test's npm packages (playwright-core, ajv): outside
# the repo, in a directory keyed by a hash of package-lock.json, so a changed pin installs
# once and an unchanged one never again. Sourced by scripts/setup and by dashboard_test.sh
# (after scripts/lib.sh, which defines LIMEN_ROOT and LIMEN_CACHE).
# shellcheck shell=bash
dashboard_npm_dir() {
  local key
  key=$(sha256sum "$LIMEN_ROOT/e2e/dashboard/package-lock.json" | cut -c1-12)
  echo "$LIMEN_CACHE/npm/dashboard/$key"
}

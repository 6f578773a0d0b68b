#!/usr/bin/env bash
# `limen-operator wasm validate FILE [--abi ...]` — the offline check of issue 9, on the
# sample filters built from Go and C: exit 0 and "valid" for their own ABI, exit 1 with the
# reason for the other ABI, exit 2 on usage errors.
# Usage: wasm_validate_command_test.sh LIMEN_OPERATOR SAMPLES_DIR
source "$(dirname "$0")/../../e2e/testing/lib.sh"
op=$1 samples=$2

out=$("$op" wasm validate "$samples/go-reactor.wasm" --abi wasi) || fail "go reactor as wasi: exit $?: $out"
expect_contains "$out" "valid (wasi)" "go reactor as wasi"
out=$("$op" wasm validate "$samples/c-proxy-wasm.wasm" --abi proxy-wasm) || fail "C filter as proxy-wasm: $out"
expect_contains "$out" "valid (proxy-wasm)" "C filter as proxy-wasm"

set +e
out=$("$op" wasm validate "$samples/go-reactor.wasm" --abi proxy-wasm); rc=$?
set -e
expect_eq 1 "$rc" "exit code for the wrong ABI"
expect_contains "$out" "exports neither proxy_abi_version_0_2_0 nor proxy_abi_version_0_2_1" "reason"
set +e
out=$("$op" wasm validate "$samples/c-proxy-wasm.wasm" --abi wasi); rc=$?
set -e
expect_eq 1 "$rc" "exit code for the C filter as wasi"
expect_contains "$out" "outside the allowed list" "reason"
set +e
"$op" wasm validate >/dev/null 2>&1; rc=$?
set -e
expect_eq 2 "$rc" "exit code without FILE"
echo PASS

#!/usr/bin/env bash
# chart.config: the real binaries accept what the chart renders for them, offline.
#  - limen-operator loads the rendered config file with the Deployment's rendered args
#    (`--help` after them: it loads and validates, then exits 0; a bad file exits 2);
#  - limen-webhook parses the Deployment's rendered `serve` args (every flag must be known:
#    `--help` last exits 0, an unknown flag exits 2) and injects a Pod with the rendered
#    injector config: the sidecar image is the pinned one, LIMEN_LOCATOR the operator
#    Service, the user and resources those of values.yaml;
#  - limen-bpf-loader parses the DaemonSet's rendered args (a parse error exits 2; with
#    an unreadable kubeconfig it gets past parsing and exits 1).
# usage: config_test.sh LIMEN_OPERATOR LIMEN_WEBHOOK LIMEN_BPF_LOADER
# shellcheck source=lib.sh disable=SC2016 # jq programs in single quotes
source "$(dirname "$0")/lib.sh"
OPERATOR=$1 WEBHOOK=$2 LOADER=$3
for b in "$OPERATOR" "$WEBHOOK" "$LOADER"; do [ -x "$b" ] || fail "$b is not built"; done
NS=limen-system
P=limen-test

# config_of JSON CONFIGMAP FILE: writes the ConfigMap's config.yaml to FILE.
config_of() { jq -r --arg n "$2" '.[] | select(.kind == "ConfigMap" and .metadata.name == $n) | .data["config.yaml"]' <<<"$1" >"$3"; }
# args_of JSON KIND NAME: the container's args, one per line.
args_of() { jq -r --arg k "$2" --arg n "$3" '.[] | select(.kind == $k and .metadata.name == $n) | .spec.template.spec.containers[0].args[]' <<<"$1"; }

runs=0
for spec in "${OPTION_SETS[@]}"; do
  name=${spec%%|*}; option_flags "$spec"
  j=$(render $NS "${FLAGS[@]}")

  # Operator: its args with the config path moved to the local copy of the file.
  config_of "$j" "$P-operator" "$TEST_TMP/operator.yaml"
  mapfile -t oargs < <(args_of "$j" Deployment "$P-operator" |
    sed -e "s|^--config=.*|--config=$TEST_TMP/operator.yaml|" -e 's|\$(POD_NAME)|limen-operator-0|')
  out=$("$OPERATOR" "${oargs[@]}" --help 2>&1) || fail "($name) limen-operator refuses the chart's config/args: $out"
  expect_contains "$out" "usage: limen-operator" "($name) limen-operator --help"

  if jq -e '.[] | select(.kind == "Deployment" and .metadata.name == "'$P-webhook'")' <<<"$j" >/dev/null; then
    config_of "$j" "$P-webhook" "$TEST_TMP/webhook.yaml"
    mapfile -t wargs < <(args_of "$j" Deployment "$P-webhook" | sed "s|^/etc/limen/webhook/config/config.yaml$|$TEST_TMP/webhook.yaml|")
    out=$("$WEBHOOK" "${wargs[@]}" --help 2>&1) || fail "($name) limen-webhook refuses the chart's args: $out"
    expect_contains "$out" "usage:" "($name) limen-webhook serve --help"
    pod=$("$WEBHOOK" inject -f "$CHARTS_TEST_DIR/testdata/injection/pod.yaml" \
      --policy "$CHARTS_TEST_DIR/testdata/injection/policy.yaml" --namespace-labels limen.dev/injection=enabled \
      --config "$TEST_TMP/webhook.yaml" 2>"$TEST_TMP/inject.err") ||
      fail "($name) limen-webhook inject with the chart's config: $(cat "$TEST_TMP/inject.err")"
    expect_contains "$(cat "$TEST_TMP/inject.err")" '"result":"injected"' "($name) injection decision"
    side=$(jq -c '[(.spec.initContainers // []) + .spec.containers | .[] | select(.name == "limen-sidecar")][0]' <<<"$pod")
    want_img=$(jq -r '.[] | select(.kind == "ConfigMap" and .metadata.name == "'$P-webhook'") | .data["config.yaml"]' <<<"$j" |
      sed -n 's/^  sidecarImage: "\(.*\)"$/\1/p')
    expect_eq "$want_img 101 32Mi" "$(jq -r '"\(.image) \(.securityContext.runAsUser) \(.resources.requests.memory)"' <<<"$side")" "($name) injected sidecar"
    want_loc=$P-operator.$NS.svc:8080
    expect_eq "$want_loc" "$(jq -r '.spec.containers[] | select(.name == "app") | .env[] | select(.name == "LIMEN_LOCATOR") | .value' <<<"$pod")" "($name) LIMEN_LOCATOR"
  fi

  if jq -e '.[] | select(.kind == "DaemonSet")' <<<"$j" >/dev/null; then
    mapfile -t largs < <(args_of "$j" DaemonSet "$P-bpf-loader")
    rc=0; out=$(NODE_NAME=node-1 timeout 20 "$LOADER" "${largs[@]}" --kubeconfig "$TEST_TMP/absent" 2>&1) || rc=$?
    expect_eq 1 "$rc" "($name) limen-bpf-loader exit code with the chart's args and no kubeconfig (2 = args refused): $out"
  fi
  runs=$((runs + 1))
done

# The checks can fail: a typo in the operator's file, an unknown webhook flag, a bad loader flag.
printf 'logLevel: info\nlogLevle: debug\n' >"$TEST_TMP/bad.yaml"
expect_fail "operator with a typo in its file" "$OPERATOR" --config "$TEST_TMP/bad.yaml" --help
expect_contains "$OUT" "logLevle" "operator names the bad key"
expect_fail "webhook with an unknown flag" "$WEBHOOK" serve --cert-secrett x/y --help
rc=0; NODE_NAME=node-1 "$LOADER" kube --metrics-addrr 0.0.0.0:1 --kubeconfig "$TEST_TMP/absent" >/dev/null 2>&1 || rc=$?
expect_eq 2 "$rc" "bpf-loader exit code for an unknown flag"
echo "PASS: the operator, webhook and bpf-loader accept the chart's config and args in $runs option sets"

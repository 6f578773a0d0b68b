#!/usr/bin/env bash
# chart.security: the rendered manifests are least-privilege, checked two ways.
#  Static, over every option set: no `*` in any RBAC rule; no Secret rule in any
#  ClusterRole; Secret reads/writes only by name, never list/watch; webhook-configuration
#  writes only by resourceNames; operator/webhook containers restricted with a read-only
#  root filesystem; the bpf-loader not privileged, exactly CAP_BPF, CAP_PERFMON and
#  CAP_SYS_RESOURCE added, everything else dropped, host paths read-only.
#  On the real apiserver: the operator and webhook Pods are admitted (server dry-run) in a
#  namespace that enforces Pod Security "restricted" — and the apiserver rejects the
#  bpf-loader Pod and a weakened operator Pod there (the enforcement is real); the chart's
#  RBAC, created for real, grants each ServiceAccount exactly what its binary calls
#  (`kubectl auth can-i` for every needed call, and for calls that must be denied).
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
need_cluster

# --- static ------------------------------------------------------------------------------
rules_checked=0
for spec in "${OPTION_SETS[@]}"; do
  name=${spec%%|*}; option_flags "$spec"
  j=$(render limen-system "${FLAGS[@]}")
  roles=$(jq -c '[.[] | select(.kind == "ClusterRole" or .kind == "Role")]' <<<"$j")
  rules_checked=$((rules_checked + $(jq '[.[].rules[]] | length' <<<"$roles")))
  bad=$(jq -r '.[] | .metadata.name as $n | .rules[] | select([.apiGroups[]?, .resources[]?, .verbs[]?, .resourceNames[]?, .nonResourceURLs[]?] | any(test("\\*"))) | "\($n): \(tostring)"' <<<"$roles")
  [ -z "$bad" ] || fail "($name) wildcard in RBAC: $bad"
  bad=$(jq -r '.[] | select(.kind == "ClusterRole") | .metadata.name as $n | .rules[] | select(.resources | any(startswith("secrets"))) | "\($n): \(tostring)"' <<<"$roles")
  [ -z "$bad" ] || fail "($name) a ClusterRole grants Secrets: $bad"
  bad=$(jq -r '.[] | .metadata.name as $n | .rules[] | select(.resources | any(startswith("secrets")))
               | select((.verbs | any(. == "list" or . == "watch" or . == "delete" or . == "deletecollection" or . == "patch"))
                        or ((.verbs | any(. != "create")) and ((.resourceNames // []) | length) == 0))
               | "\($n): \(tostring)"' <<<"$roles")
  [ -z "$bad" ] || fail "($name) Secret access beyond get/update by name and create: $bad"
  bad=$(jq -r '.[] | .metadata.name as $n | .rules[] | select(.apiGroups | any(. == "admissionregistration.k8s.io"))
               | select((.verbs | any(. != "get" and . != "list" and . != "watch")) and ((.resourceNames // []) | length) == 0 or (.verbs | any(. == "create" or . == "delete" or . == "deletecollection")))
               | "\($n): \(tostring)"' <<<"$roles")
  [ -z "$bad" ] || fail "($name) webhook-configuration writes not limited by resourceNames: $bad"
  if jq -e '.[] | select(.kind == "ClusterRoleBinding" or .kind == "RoleBinding") | select(.roleRef.name == "cluster-admin" or .roleRef.name == "admin" or .roleRef.name == "edit")' <<<"$j" >/dev/null; then
    fail "($name) binds a built-in broad role"
  fi

  # Operator and webhook: restricted, read-only root, no host anything.
  bad=$(jq -r '.[] | select(.kind == "Deployment") | .metadata.name as $n | .spec.template.spec as $s
    | ($s.containers + ($s.initContainers // []))[] | .securityContext as $c
    | select(($c.readOnlyRootFilesystem != true) or ($c.allowPrivilegeEscalation != false) or ($c.privileged == true)
             or ($c.runAsNonRoot != true and $s.securityContext.runAsNonRoot != true)
             or ($c.capabilities.drop != ["ALL"]) or (($c.capabilities.add // []) | length > 0)
             or (($c.seccompProfile.type // $s.securityContext.seccompProfile.type) != "RuntimeDefault")
             or $s.hostPID == true or $s.hostNetwork == true or $s.hostIPC == true
             or ([$s.volumes[]? | select(.hostPath)] | length > 0))
    | "\($n)/\(.name)"' <<<"$j")
  [ -z "$bad" ] || fail "($name) containers not restricted with a read-only root: $bad"

  # The node agent.
  if jq -e '.[] | select(.kind == "DaemonSet")' <<<"$j" >/dev/null; then
    got=$(jq -r '.[] | select(.kind == "DaemonSet") | .spec.template.spec as $s | $s.containers[0].securityContext as $c
      | "privileged=\($c.privileged) escalation=\($c.allowPrivilegeEscalation) readOnlyRoot=\($c.readOnlyRootFilesystem) add=\($c.capabilities.add | sort | join(",")) drop=\($c.capabilities.drop | join(",")) hostPID=\($s.hostPID) hostNetwork=\($s.hostNetwork) hostIPC=\($s.hostIPC // false) containers=\($s.containers | length) init=\($s.initContainers // [] | length)"' <<<"$j")
    expect_eq "privileged=false escalation=false readOnlyRoot=true add=BPF,PERFMON,SYS_RESOURCE drop=ALL hostPID=true hostNetwork=false hostIPC=false containers=1 init=0" \
      "$got" "($name) bpf-loader security context"
    bad=$(jq -r '.[] | select(.kind == "DaemonSet") | .spec.template.spec as $s | $s.volumes[] | select(.hostPath) | .name as $v
      | select([$s.containers[].volumeMounts[] | select(.name == $v) | .readOnly] | all(. == true) | not) | $v' <<<"$j")
    [ -z "$bad" ] || fail "($name) host paths mounted writable: $bad"
  fi
done

# --- Pod Security "restricted", enforced by the apiserver -------------------------------
install_crds
RUN=limen-sec-$(random_suffix)   # contains "limen": the full name prefix is the release name
NS=$RUN
make_namespace "$NS" pod-security.kubernetes.io/enforce=restricted pod-security.kubernetes.io/enforce-version=latest
helm template "$RUN" "$CHART" --namespace "$NS" >"$TEST_TMP/defaults.yaml"
helm template "$RUN" "$CHART" --namespace "$NS" --set webhook.certificates.mode=cert-manager >"$TEST_TMP/cm.yaml"
j=$(yaml_to_json <"$TEST_TMP/defaults.yaml")
jcm=$(yaml_to_json <"$TEST_TMP/cm.yaml")

# The chart's ServiceAccounts and RBAC, for real (the Pods name their ServiceAccounts).
jq '.[] | select(.kind | test("^(ServiceAccount|ClusterRole|ClusterRoleBinding|Role|RoleBinding)$"))' <<<"$j" >"$TEST_TMP/rbac.json"
on_exit "kubectl delete -f $TEST_TMP/rbac.json --ignore-not-found --wait=false"
kubectl apply -f "$TEST_TMP/rbac.json" >/dev/null

# pod_of JSON KIND NAME [JQ-EDIT]: the workload's Pod template as a Pod.
pod_of() {
  jq --arg k "$2" --arg n "$3" --arg ns "$NS" '.[] | select(.kind == $k and .metadata.name == $n)
    | {apiVersion: "v1", kind: "Pod", metadata: {name: ($n + "-pod"), namespace: $ns, labels: .spec.template.metadata.labels},
       spec: .spec.template.spec} | '"${4:-.}" <<<"$1"
}
admitted=0
for pod in "$(pod_of "$j" Deployment "$RUN-operator")" "$(pod_of "$j" Deployment "$RUN-webhook")" \
           "$(pod_of "$jcm" Deployment "$RUN-webhook")"; do
  out=$(kubectl create --dry-run=server -o name -f - <<<"$pod" 2>&1) ||
    fail "Pod Security restricted rejected $(jq -r .metadata.name <<<"$pod"): $out"
  admitted=$((admitted + 1))
done
# Negative controls: the enforcement is on.
expect_fail "bpf-loader Pod in a restricted namespace" kubectl create --dry-run=server -f - <<<"$(pod_of "$j" DaemonSet "$RUN-bpf-loader")"
expect_contains "$OUT" 'violates PodSecurity "restricted' "restricted rejects the bpf-loader"
expect_fail "weakened operator Pod" kubectl create --dry-run=server -f - \
  <<<"$(pod_of "$j" Deployment "$RUN-operator" '.spec.containers[0].securityContext.allowPrivilegeEscalation = true')"
expect_contains "$OUT" "allowPrivilegeEscalation != false" "restricted rejects allowPrivilegeEscalation"
# The node agent's Pod is valid where the namespace allows privileged Pods (the release
# namespace must: Pod Security "baseline" already refuses hostPID, hostPath and CAP_BPF).
PRIV=$RUN-priv
make_namespace "$PRIV" pod-security.kubernetes.io/enforce=privileged
kubectl create serviceaccount -n "$PRIV" "$RUN-bpf-loader" >/dev/null
kubectl create --dry-run=server -o name -f - <<<"$(pod_of "$j" DaemonSet "$RUN-bpf-loader" ".metadata.namespace = \"$PRIV\"")" >/dev/null ||
  fail "the bpf-loader Pod is not valid in a privileged namespace"

# --- RBAC: exactly what the binaries call ---------------------------------------------------
# who verb resource [namespace|-A] [--subresource=x]: allowed? (yes/no)
can() {
  local who=$1 verb=$2 res=$3 ns=${4:--A}; shift 4 2>/dev/null || shift $#
  local nsflag=(-n "$ns"); [ "$ns" = "-A" ] && nsflag=(-A)
  [ "$ns" = "-" ] && nsflag=()
  kubectl auth can-i "$verb" "$res" "${nsflag[@]}" "$@" --as="system:serviceaccount:$NS:$RUN-$who" 2>/dev/null || true
}
checked=0
# want who verb resource namespace [subresource]   (namespace: -A all, - cluster-scoped)
while read -r want who verb res ns sub; do
  { [ -n "$want" ] && [[ $want != \#* ]]; } || continue
  extra=(); [ -n "${sub:-}" ] && extra=(--subresource="$sub")
  res=${res//@RUN@/$RUN}; ns=${ns//@NS@/$NS}
  got=$(can "$who" "$verb" "$res" "$ns" "${extra[@]}")
  expect_eq "$want" "$got" "can-i $who $verb $res ${sub:+($sub) }in $ns"
  checked=$((checked + 1))
done <<'TABLE'
# operator: informers
yes operator list pods -A
yes operator watch pods -A
yes operator watch deployments.apps -A
yes operator list replicasets.apps -A
yes operator watch statefulsets.apps -A
yes operator watch daemonsets.apps -A
yes operator watch configmaps -A
yes operator watch nodeprobestates.limen.dev -
yes operator watch observabilitypolicies.limen.dev -A
yes operator watch instrumentedworkloads.limen.dev -A
# operator: writes
yes operator create instrumentedworkloads.limen.dev default
yes operator delete instrumentedworkloads.limen.dev default
yes operator update instrumentedworkloads.limen.dev default status
yes operator update observabilitypolicies.limen.dev default status
yes operator update resiliencepolicies.limen.dev default status
yes operator update wasmfilters.limen.dev default status
yes operator create configmaps default
yes operator update configmaps default
yes operator get wasmfilters.limen.dev default
yes operator create events.events.k8s.io default
yes operator patch events.events.k8s.io default
yes operator create leases.coordination.k8s.io @NS@
yes operator get leases.coordination.k8s.io/limen-operator @NS@
yes operator update leases.coordination.k8s.io/limen-operator @NS@
yes operator update deployments.apps default finalizers
# operator: denied
no operator get secrets -A
no operator list secrets @NS@
no operator create pods default
no operator patch pods default
no operator delete configmaps default
no operator update instrumentedworkloads.limen.dev default
no operator update observabilitypolicies.limen.dev default
no operator update leases.coordination.k8s.io/other @NS@
no operator create leases.coordination.k8s.io default
no operator patch mutatingwebhookconfigurations.admissionregistration.k8s.io -
no operator update deployments.apps default
no operator update nodeprobestates.limen.dev - status
# webhook: informers
yes webhook list namespaces -
yes webhook watch namespaces -
yes webhook watch resiliencepolicies.limen.dev -A
yes webhook watch wasmfilters.limen.dev -A
# webhook: its certificates
yes webhook get secrets/@RUN@-webhook-tls @NS@
yes webhook update secrets/@RUN@-webhook-tls @NS@
yes webhook create secrets @NS@
yes webhook get mutatingwebhookconfigurations.admissionregistration.k8s.io/@RUN@-webhook -
yes webhook patch mutatingwebhookconfigurations.admissionregistration.k8s.io/@RUN@-webhook -
yes webhook patch validatingwebhookconfigurations.admissionregistration.k8s.io/@RUN@-webhook -
yes webhook create events.events.k8s.io @NS@
# webhook: denied
no webhook list secrets @NS@
no webhook watch secrets @NS@
no webhook get secrets/other @NS@
no webhook delete secrets/@RUN@-webhook-tls @NS@
no webhook get secrets -A
no webhook create secrets default
no webhook patch mutatingwebhookconfigurations.admissionregistration.k8s.io/other -
no webhook update mutatingwebhookconfigurations.admissionregistration.k8s.io/@RUN@-webhook -
no webhook delete validatingwebhookconfigurations.admissionregistration.k8s.io/@RUN@-webhook -
no webhook create mutatingwebhookconfigurations.admissionregistration.k8s.io -
no webhook list mutatingwebhookconfigurations.admissionregistration.k8s.io -
no webhook list pods -A
no webhook create pods default
# bpf-loader
yes bpf-loader get nodes -
yes bpf-loader list pods -A
yes bpf-loader watch pods -A
yes bpf-loader watch observabilitypolicies.limen.dev -A
yes bpf-loader get nodeprobestates.limen.dev -
yes bpf-loader create nodeprobestates.limen.dev -
yes bpf-loader patch nodeprobestates.limen.dev - status
yes bpf-loader create events.events.k8s.io default
no bpf-loader list nodes -
no bpf-loader update nodeprobestates.limen.dev -
no bpf-loader delete nodeprobestates.limen.dev -
no bpf-loader get secrets -A
no bpf-loader list configmaps -A
no bpf-loader create pods default
no bpf-loader update instrumentedworkloads.limen.dev default status
TABLE
echo "PASS: $rules_checked RBAC rules in ${#OPTION_SETS[@]} option sets; $admitted Pods admitted under restricted, 2 rejected; $checked can-i checks"

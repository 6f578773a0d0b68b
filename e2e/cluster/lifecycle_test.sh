#!/usr/bin/env bash
# The local control plane's own contract (e2e/cluster/{up,down,restart}):
#   - up serves /readyz, and a Deployment produces a ReplicaSet and Pods (controller-manager);
#   - a second cluster in another directory runs beside the first on other ports;
#   - a crashed run's leftovers (processes still running, no down) are cleaned by the next up;
#   - restart --kill brings the apiserver back with the same endpoint;
#   - down stops exactly its own processes and leaves nothing running.
source "$(dirname "$0")/../testing/lib.sh"

root=$(mktemp -d "${TMPDIR:-/tmp}/limen-lifecycle.XXXXXX")
a=$root/a b=$root/b
# The scripts' own output goes to a log that is shown when the test fails.
cleanup() {
  local rc=$?
  [ $rc -eq 0 ] || { echo "--- e2e/cluster output (exit $rc):" >&2; cat "$root/log" >&2; }
  e2e_down "$a"; e2e_down "$b"; rm -rf "$root"
}
e2e_down() { "$LIMEN_ROOT/e2e/cluster/down" "$1" >/dev/null 2>&1 || true; }
trap cleanup EXIT
running() { pgrep -f "$1/" >/dev/null; }

"$LIMEN_ROOT/e2e/cluster/up" "$a" 2>>"$root/log"
expect_eq ok "$(kubectl --kubeconfig "$a/kubeconfig" get --raw /readyz)" "readyz of cluster a"

kubectl --kubeconfig "$a/kubeconfig" create deployment web --image=registry.k8s.io/pause:3.10 --replicas=2 >/dev/null
retry 60 bash -c "[ \$(kubectl --kubeconfig '$a/kubeconfig' get pods -l app=web -o name | wc -l) -eq 2 ]" ||
  fail "the Deployment did not produce 2 Pods: $(kubectl --kubeconfig "$a/kubeconfig" get all 2>&1)"

"$LIMEN_ROOT/e2e/cluster/up" "$b" 2>>"$root/log"
port_a=$(grep LIMEN_CLUSTER_API_PORT "$a/env" | cut -d= -f2)
port_b=$(grep LIMEN_CLUSTER_API_PORT "$b/env" | cut -d= -f2)
[ "$port_a" != "$port_b" ] || fail "two clusters share apiserver port $port_a"
expect_eq ok "$(kubectl --kubeconfig "$b/kubeconfig" get --raw /readyz)" "readyz of cluster b"
expect_eq "" "$(kubectl --kubeconfig "$b/kubeconfig" get deployments -o name)" "cluster b is separate"

# A crash of the caller: processes of b keep running without down; up must replace them.
old_pids=$(cat "$b"/pids/* | sort)
"$LIMEN_ROOT/e2e/cluster/up" "$b" 2>>"$root/log"
for pid in $old_pids; do
  [ ! -e "/proc/$pid" ] || fail "leftover process $pid of the previous run in $b is still alive"
done
expect_eq ok "$(kubectl --kubeconfig "$b/kubeconfig" get --raw /readyz)" "readyz of cluster b after re-up"

"$LIMEN_ROOT/e2e/cluster/restart" "$a" kube-apiserver --kill 2>>"$root/log"
expect_eq ok "$(kubectl --kubeconfig "$a/kubeconfig" get --raw /readyz)" "readyz after apiserver restart"
expect_eq deployment.apps/web "$(kubectl --kubeconfig "$a/kubeconfig" get deployment web -o name)" "state survives restart"

"$LIMEN_ROOT/e2e/cluster/down" "$b" 2>>"$root/log"
running "$b" && fail "processes of $b still running after down: $(pgrep -af "$b/")"
running "$a" || fail "down of b stopped cluster a"
"$LIMEN_ROOT/e2e/cluster/down" "$a" 2>>"$root/log"
running "$a" && fail "processes of $a still running after down"
echo "PASS"

# Functions shared by e2e/cluster/{up,down,restart}. A cluster lives entirely in one
# directory: certificates, kubeconfigs, etcd data, logs, each component's command line
# (cmd/<name>) and the PIDs it started (pids/<name>). Nothing outside it is touched, so
# two clusters in two directories never collide.
# shellcheck shell=bash
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib.sh"

# Components in start order; stop order is the reverse.
CLUSTER_COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler)

cluster_dir() { mkdir -p "$1" && cd "$1" && pwd; }

# pid_is_ours DIR PID: the process exists and was started with DIR on its command line,
# so a recycled PID of some other program is never signalled.
pid_is_ours() {
  local dir=$1 pid=$2
  [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$dir/"
}

# pid_exiting PID: the process is inside exit(): its memory (and so its command line) is
# gone, but some thread is not a zombie yet. Until the last thread has exited, its open
# files — the listening sockets — are still held, so a restart could not bind the port.
pid_exiting() {
  [ -d "/proc/$1" ] && [ ! -s "/proc/$1/cmdline" ] &&
    awk '/^State:/ && $2 != "Z" { found = 1 } END { exit !found }' "/proc/$1"/task/*/status 2>/dev/null
}

# wait_exited DIR PID TENTHS: waits up to TENTHS × 0.1 s until PID has fully exited (its
# sockets closed), so a restart can bind the same port. Returns 1 if it is still ours.
wait_exited() {
  local dir=$1 pid=$2 _
  for _ in $(seq 1 "$3"); do
    pid_is_ours "$dir" "$pid" || pid_exiting "$pid" || return 0
    sleep 0.1
  done
  ! pid_is_ours "$dir" "$pid"
}

stop_component() {
  local dir=$1 name=$2 pidfile="$1/pids/$2" pid
  [ -f "$pidfile" ] || return 0
  pid=$(cat "$pidfile")
  if pid_is_ours "$dir" "$pid"; then
    kill -TERM "$pid" 2>/dev/null || true
    if ! wait_exited "$dir" "$pid" 100; then
      log "$name (pid $pid) ignored SIGTERM for 10 s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      wait_exited "$dir" "$pid" 50 || true
    fi
  fi
  rm -f "$pidfile"
}

stop_all() {
  local dir=$1 i
  for ((i = ${#CLUSTER_COMPONENTS[@]} - 1; i >= 0; i--)); do
    stop_component "$dir" "${CLUSTER_COMPONENTS[i]}"
  done
}

# write_command DIR NAME ARGV...: records how NAME is started, as an executable script,
# so restart runs exactly the same command line.
write_command() {
  local dir=$1 name=$2; shift 2
  mkdir -p "$dir/cmd"
  { echo '#!/bin/sh'; printf 'exec'; printf ' %q' "$@"; echo; } >"$dir/cmd/$name"
  chmod +x "$dir/cmd/$name"
}

# start_component DIR NAME: runs cmd/NAME detached (own session, no inherited fds, so
# ctest and shells do not wait on it), appending to logs/NAME.log.
start_component() {
  local dir=$1 name=$2
  mkdir -p "$dir/logs" "$dir/pids"
  setsid "$dir/cmd/$name" </dev/null >>"$dir/logs/$name.log" 2>&1 9>&- &
  local pid=$!
  echo "$pid" >"$dir/pids/$name"
  # Until the forked shell has exec'd, /proc/PID/cmdline is still this script's, so
  # pid_is_ours would call a starting component dead. Wait for the exec (or a real exit).
  local _
  for _ in $(seq 1 100); do
    pid_is_ours "$dir" "$pid" && return 0
    process_alive "$pid" || return 0
    sleep 0.05
  done
}

# process_alive PID: the process exists and is not a zombie.
process_alive() {
  local state
  state=$(awk '/^State:/ {print $2}' "/proc/$1/status" 2>/dev/null) || return 1
  [ -n "$state" ] && [ "$state" != Z ]
}

# free_ports N: prints N distinct TCP ports that are free on 127.0.0.1 right now, chosen
# BELOW the kernel's ephemeral range (ip_local_port_range). A port from that range could be
# taken by any outgoing connection while its component is down (e.g. during a restart of
# the apiserver), and the restarted component would fail with "address already in use".
free_ports() {
  python3 - "$1" <<'PY'
import random, socket, sys
low = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
hi = max(low - 1, 12000)
picked = []
while len(picked) < int(sys.argv[1]):
    port = random.randint(10000, hi)
    if port in picked:
        continue
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port))
        picked.append(port)
    except OSError:
        pass
    finally:
        s.close()
print(" ".join(map(str, picked)))
PY
}

# wait_for DESC SECONDS COMPONENT DIR CMD...: polls CMD until it succeeds; fails early,
# with the component's log tail, if that component died.
wait_for() {
  local desc=$1 timeout=$2 comp=$3 dir=$4; shift 4
  local deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    if [ -n "$comp" ] && ! pid_is_ours "$dir" "$(cat "$dir/pids/$comp" 2>/dev/null || echo 0)"; then
      tail -n 30 "$dir/logs/$comp.log" >&2 || true
      die "$comp exited while waiting for $desc (log: $dir/logs/$comp.log)"
    fi
    [ $SECONDS -lt $deadline ] || { tail -n 30 "$dir/logs/$comp.log" >&2 || true; die "timed out after ${timeout}s waiting for $desc"; }
    sleep 0.2
  done
}

cluster_kubectl() { "$LIMEN_BIN/kubectl" --kubeconfig "$1/kubeconfig" "${@:2}"; }

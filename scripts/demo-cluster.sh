#!/usr/bin/env bash
# Starts and stops a demo cluster on this machine: one origin and two edges, each its own
# process, all on loopback. With --standby, a second origin for failover demos.
#
#   scripts/demo-cluster.sh start [--standby]   build the jar if missing, start, wait until ready
#   scripts/demo-cluster.sh status              which nodes run
#   scripts/demo-cluster.sh kill NODE           SIGKILL one node, as in a crash (e.g. origin-1)
#   scripts/demo-cluster.sh stop                stop every node (SIGTERM, then SIGKILL)
#
# Logs and pid files go to $DEMO_DIR (default: demo-cluster/ in the repository).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEMO_DIR="${DEMO_DIR:-$ROOT/demo-cluster}"
JAR="${JAR:-$ROOT/server/target/rtmp-cluster.jar}"
JAVA="${JAVA:-java}"
CLUSTER_NAME="${CLUSTER_NAME:-rtmp-demo}"
# A node that is not ready by then has failed (a cold JVM joins the cluster in a few seconds).
READY_TIMEOUT_S="${READY_TIMEOUT_S:-60}"
# Between SIGTERM and SIGKILL at stop: a node closes its cluster membership in about a second.
STOP_TIMEOUT_S="${STOP_TIMEOUT_S:-10}"

# name roles rtmp-port hazelcast-port
NODES=(
  "origin-1 origin 1935 5701"
  "edge-1 edge 1936 5702"
  "edge-2 edge 1937 5703"
)
STANDBY="origin-2 origin 1938 5704"

usage() {
  sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
  exit 2
}

log_file() { echo "$DEMO_DIR/logs/$1.log"; }
pid_file() { echo "$DEMO_DIR/$1.pid"; }

# The pid of a running node started by this script, or nothing. A pid is only trusted while
# it is still a java process running our jar, so a recycled pid is never signalled.
node_pid() {
  local file pid
  file="$(pid_file "$1")"
  [[ -f "$file" ]] || return 0
  pid="$(cat "$file")"
  if [[ -n "$pid" ]] && ps -p "$pid" -o args= 2>/dev/null | grep -q -- "rtmp-cluster.jar.*--node-name $1"; then
    echo "$pid"
  fi
}

all_nodes() {
  printf '%s\n' "${NODES[@]}" "$STANDBY"
}

members() {
  all_nodes | awk '{printf "%s127.0.0.1:%s", (NR > 1 ? "," : ""), $4}'
}

start_node() {
  local name="$1" roles="$2" rtmp="$3" hz="$4"
  if [[ -n "$(node_pid "$name")" ]]; then
    echo "$name already runs (pid $(node_pid "$name"))"
    return
  fi
  : > "$(log_file "$name")"
  # Every node lists every member: any of them can (re)join whichever is up.
  nohup "$JAVA" -jar "$JAR" --cluster --cluster-name "$CLUSTER_NAME" --node-name "$name" \
    --roles "$roles" --rtmp-port "$rtmp" --cluster-host 127.0.0.1 --cluster-port "$hz" \
    --members "$(members)" >> "$(log_file "$name")" 2>&1 < /dev/null &
  echo $! > "$(pid_file "$name")"
  echo "started $name ($roles, RTMP $rtmp, cluster $hz), pid $!, log $(log_file "$name")"
}

await_ready() {
  local name="$1" waited=0
  until grep -q "node ready" "$(log_file "$name")" 2>/dev/null; do
    if [[ -z "$(node_pid "$name")" ]]; then
      echo "$name exited before it was ready; its log ends with:" >&2
      tail -n 20 "$(log_file "$name")" >&2
      return 1
    fi
    if (( waited >= READY_TIMEOUT_S * 10 )); then
      echo "$name not ready after ${READY_TIMEOUT_S}s; see $(log_file "$name")" >&2
      return 1
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
  echo "$name is ready"
}

cmd_start() {
  local standby=false
  for arg in "$@"; do
    case "$arg" in
      --standby) standby=true ;;
      *) usage ;;
    esac
  done
  command -v "$JAVA" > /dev/null || { echo "java not found: install JDK 17" >&2; exit 1; }
  if [[ ! -f "$JAR" ]]; then
    echo "building $JAR (mvn -q -DskipTests package)..."
    (cd "$ROOT" && mvn -q -DskipTests package)
  fi
  mkdir -p "$DEMO_DIR/logs"
  local nodes=("${NODES[@]}")
  $standby && nodes+=("$STANDBY")
  # The first origin starts the cluster; the rest join it, started together.
  read -r name roles rtmp hz <<< "${nodes[0]}"
  start_node "$name" "$roles" "$rtmp" "$hz"
  await_ready "$name" || { cmd_stop; exit 1; }
  for node in "${nodes[@]:1}"; do
    read -r name roles rtmp hz <<< "$node"
    start_node "$name" "$roles" "$rtmp" "$hz"
  done
  for node in "${nodes[@]:1}"; do
    read -r name _ <<< "$node"
    await_ready "$name" || { cmd_stop; exit 1; }
  done
  cat <<EOF

The cluster is up. Publish to the origin (demo key 'demo-key' publishes stream 'demo'):

  ffmpeg -re -f lavfi -i testsrc2=size=1280x720:rate=30 -f lavfi -i sine=frequency=440 \\
    -c:v libx264 -preset veryfast -tune zerolatency -g 60 -pix_fmt yuv420p -c:a aac \\
    -f flv rtmp://localhost:1935/live/demo-key

Play from either edge:

  ffplay rtmp://localhost:1936/live/demo
  ffplay rtmp://localhost:1937/live/demo
EOF
  if $standby; then
    cat <<EOF

Failover: publish the same key to the second origin too (it waits on standby), then crash the
first one; the players stay connected and continue with the standby's stream:

  ffmpeg ... -f flv rtmp://localhost:1938/live/demo-key
  $0 kill origin-1
EOF
  fi
  echo
  echo "Stop it with: $0 stop"
}

cmd_stop() {
  local name pid pids=() names=()
  while read -r name _; do
    pid="$(node_pid "$name")"
    if [[ -n "$pid" ]]; then
      kill -TERM "$pid" 2> /dev/null || true
      pids+=("$pid")
      names+=("$name")
    fi
    rm -f "$(pid_file "$name")"
  done < <(all_nodes)
  local waited=0
  for i in "${!pids[@]}"; do
    while kill -0 "${pids[$i]}" 2> /dev/null && (( waited < STOP_TIMEOUT_S * 10 )); do
      sleep 0.1
      waited=$((waited + 1))
    done
    if kill -0 "${pids[$i]}" 2> /dev/null; then
      echo "${names[$i]} did not stop within ${STOP_TIMEOUT_S}s: SIGKILL"
      kill -KILL "${pids[$i]}" 2> /dev/null || true
    fi
    echo "stopped ${names[$i]}"
  done
  (( ${#pids[@]} > 0 )) || echo "no demo node runs"
}

cmd_kill() {
  local name="${1:-}" pid
  [[ -n "$name" ]] || usage
  pid="$(node_pid "$name")"
  [[ -n "$pid" ]] || { echo "$name does not run" >&2; exit 1; }
  kill -KILL "$pid"
  rm -f "$(pid_file "$name")"
  echo "killed $name (pid $pid) with SIGKILL"
}

cmd_status() {
  local name roles rtmp hz pid running=0
  while read -r name roles rtmp hz; do
    pid="$(node_pid "$name")"
    if [[ -n "$pid" ]]; then
      printf '%-9s %-7s RTMP %-5s cluster %-5s running, pid %s\n' "$name" "$roles" "$rtmp" "$hz" "$pid"
      running=$((running + 1))
    elif [[ -f "$(log_file "$name")" ]]; then
      printf '%-9s %-7s RTMP %-5s cluster %-5s not running\n' "$name" "$roles" "$rtmp" "$hz"
    fi
  done < <(all_nodes)
  (( running > 0 )) || { echo "no demo node runs"; return 3; }
}

case "${1:-}" in
  start) shift; cmd_start "$@" ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  kill) shift; cmd_kill "$@" ;;
  *) usage ;;
esac

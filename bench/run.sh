#!/usr/bin/env bash
# Load benchmark: nginx-rtmp against rtmp-cluster, same machine, same run, same file.
#
# MODE=players (the default), the edge's side: starts an nginx-rtmp origin and pull edge (two
# nginx instances) and an rtmp-cluster origin and edge (two java processes in one cluster), all on
# loopback, publishes one real-time 720p stream (or STREAMS of them) to both origins, then loads
# each edge in turn with the same players, and prints one table with the ratios.
#
# MODE=publishers, the origin's side: starts only the two origins, publishes PUBLISHERS real-time
# streams of the same file to one origin at a time (rtmp-bench publish-load), and prints what each
# origin spends per publisher, with the ratios.
#
# Everything it starts is stopped on exit. See docs/performance.md.
#
# Environment (defaults in brackets):
#   MODE [players]         players: load the edges with players; publishers: the origins with publishers
#   PLAYERS ["1000 2000"]  player counts, one run per count and server
#   PROTOCOL [rtmp]        what the players play over, one or more of rtmp, http-flv and hls
#                            (e.g. "rtmp http-flv hls": a run per protocol, taking turns like the
#                            servers). http-flv and hls turn on our edge's play-http listener (port
#                            BASE+23) and load only our edge: viewers GET /live/bench.flv, or read
#                            /live/bench/index.m3u8 and its segments (see HlsPlayer); nginx-rtmp is
#                            loaded with rtmp only (Debian's module has no HTTP-FLV, and its HLS
#                            is not comparable here, see docs/performance.md). Runs are named
#                            <server>-<protocol>-<players> (rtmp: <server>-<players>, as before)
#   STREAMS [1]            streams the players are spread over; with K > 1 both origins get K
#                            streams (nginx: bench0 .., ours: keys bench-key0 .. for bench0 ..)
#                            and player i plays stream i % K
#   PUBLISHERS [100]       MODE=publishers: publisher counts (one stream each), one run per count
#                            and server
#   DURATION [30]          measurement window, seconds
#   RAMP [200]             players started per second
#   SETTLE [5]             seconds between the last player's (or publisher's) start and the window
#   COOLDOWN [8]           seconds between runs (longer than the edges' 5 s linger, so each run starts cold)
#   SERVERS ["nginx ours"] which servers to load. With many streams both stacks at once do not
#                            fit on a small machine: run them one at a time into the same OUT
#                            (SERVERS=nginx OUT=d ...; SERVERS=ours OUT=d ...); the table of the
#                            last run has both, since it also reads the results already in OUT
#   REPEAT [1]             rounds: the whole set of runs REPEAT times, the servers taking turns
#                            to go first (round 1 in SERVERS order, round 2 reversed, ..). A run's
#                            files get the first free round suffix (nginx-1000.json, then
#                            nginx-1000-r2.json, ..), so rounds and later runs into the same OUT
#                            add to the results; with more than one run of a kind the table gives
#                            the median over all of them in OUT, its min-max in brackets, and
#                            ratios of the medians
#   FLV [bench/target/bench-720p.flv]  input; made with ffmpeg when missing
#   OUT [bench/target/run-<time>]      logs, configs and the JSON of every run
#   NODE_JAVA_OPTS []      extra JVM flags for the rtmp-cluster nodes
#   EVENT_LOOPS [0]        rtmp.event-loops of the rtmp-cluster nodes (0: one per core)
#   WRITE_COALESCE_MS []   rtmp.write-coalesce-ms of the rtmp-cluster nodes (empty: the default)
#   NATIVE_TRANSPORT []    rtmp.native-transport of the rtmp-cluster nodes: epoll, io_uring or nio
#                            (empty: the default, epoll)
#   SERVER_CPUS []         with CLIENT_CPUS, pin servers and clients to separate CPUs (taskset -c
#   CLIENT_CPUS []           lists, e.g. 0 and 1), so that the load client does not take the
#                            servers' CPU and add to the delay it measures
#   BASE_PORT [19350]      ports BASE+1.. are used (RTMP 1-4, Hazelcast 11-12, our HTTP APIs 21-22,
#                            our edge's play-http 23)
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
MODE=${MODE:-players}
PLAYERS=${PLAYERS:-"1000 2000"}
STREAMS=${STREAMS:-1}
PUBLISHERS=${PUBLISHERS:-100}
DURATION=${DURATION:-30}
RAMP=${RAMP:-200}
SETTLE=${SETTLE:-5}
COOLDOWN=${COOLDOWN:-8}
SERVERS=${SERVERS:-"nginx ours"}
PROTOCOL=${PROTOCOL:-rtmp}
REPEAT=${REPEAT:-1}
FLV=${FLV:-$ROOT/bench/target/bench-720p.flv}
OUT=${OUT:-$ROOT/bench/target/run-$(date +%Y%m%d-%H%M%S)}
NODE_JAVA_OPTS=${NODE_JAVA_OPTS:-}
EVENT_LOOPS=${EVENT_LOOPS:-0}
WRITE_COALESCE_MS=${WRITE_COALESCE_MS:-}
NATIVE_TRANSPORT=${NATIVE_TRANSPORT:-}
SERVER_CPUS=${SERVER_CPUS:-}
CLIENT_CPUS=${CLIENT_CPUS:-}
if [ -n "$SERVER_CPUS" ] && [ -n "$CLIENT_CPUS" ]; then
  ON_SERVER_CPUS=(taskset -c "$SERVER_CPUS")
  ON_CLIENT_CPUS=(taskset -c "$CLIENT_CPUS")
else
  ON_SERVER_CPUS=()
  ON_CLIENT_CPUS=()
fi
BASE_PORT=${BASE_PORT:-19350}
case $MODE in
  players | publishers) ;;
  *) echo "run.sh: MODE is players or publishers, not $MODE" >&2; exit 2 ;;
esac
[ "$STREAMS" -ge 1 ] 2>/dev/null || { echo "run.sh: STREAMS must be a positive number, not $STREAMS" >&2; exit 2; }
[ "$REPEAT" -ge 1 ] 2>/dev/null || { echo "run.sh: REPEAT must be a positive number, not $REPEAT" >&2; exit 2; }
for protocol in $PROTOCOL; do
  case $protocol in
    rtmp | http-flv | hls) ;;
    *) echo "run.sh: PROTOCOL is one or more of rtmp, http-flv and hls, not $protocol" >&2; exit 2 ;;
  esac
done

NGINX_ORIGIN_PORT=$((BASE_PORT + 1))
NGINX_EDGE_PORT=$((BASE_PORT + 2))
OUR_ORIGIN_PORT=$((BASE_PORT + 3))
OUR_EDGE_PORT=$((BASE_PORT + 4))
OUR_ORIGIN_CLUSTER_PORT=$((BASE_PORT + 11))
OUR_EDGE_CLUSTER_PORT=$((BASE_PORT + 12))
OUR_ORIGIN_HTTP_PORT=$((BASE_PORT + 21))
OUR_EDGE_HTTP_PORT=$((BASE_PORT + 22))
OUR_EDGE_PLAY_PORT=$((BASE_PORT + 23))
NODE_JAR=$ROOT/server/target/rtmp-cluster.jar
BENCH_JAR=$ROOT/bench/target/rtmp-bench.jar
RTMP_MODULE=/usr/lib/nginx/modules/ngx_rtmp_module.so

log() { echo "[run.sh $(date +%H:%M:%S)] $*" >&2; }


# Waits until something listens on 127.0.0.1:$1, or fails after $2 seconds.
wait_port() {
  local port=$1 limit=$2
  for _ in $(seq 1 $((limit * 10))); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      return 0
    fi
    sleep 0.1
  done
  log "nothing listens on port $port after ${limit}s"
  return 1
}

# Fails when something already listens on 127.0.0.1:$1: it would be measured instead of our server.
port_free() {
  if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
    log "port $1 is already in use (a server left from an earlier run?); set BASE_PORT to move"
    exit 1
  fi
}

# ---- rounds -----------------------------------------------------------------------------------
# The runs of round $1 in their order: the list $2 (SERVERS, or the players' targets) in odd
# rounds, reversed in even ones, so that none always goes first (and gets the machine freshest).
round_order() {
  local servers=($2) i
  if [ $(($1 % 2)) -eq 1 ]; then
    echo "${servers[*]}"
  else
    for ((i = ${#servers[@]} - 1; i >= 0; i--)); do printf '%s ' "${servers[i]}"; done
    echo
  fi
}

# The suffix for the next run named $1 (its log: $2.log): none for the first, then -r2, -r3 ..,
# the first whose JSON and log are not in OUT yet, so that no run overwrites an earlier one.
next_round() {
  local base=$1 log=$2 r=1 suffix=""
  while [ -e "$OUT/$base$suffix.json" ] || [ -e "$OUT/$log$suffix.log" ]; do
    r=$((r + 1))
    suffix=-r$r
  done
  echo "$suffix"
}

# ", round 2/3" for the log, when there are rounds.
round_note() {
  [ "$REPEAT" -gt 1 ] && echo ", round $1/$REPEAT"
  return 0
}

# Moves the log $1 that an earlier invocation left in OUT aside ($1.1, $1.2 ..) before it is rewritten.
keep_earlier() {
  local n=1
  [ -e "$1" ] || return 0
  while [ -e "$1.$n" ]; do n=$((n + 1)); done
  mv "$1" "$1.$n"
}

# ---- tools and inputs -------------------------------------------------------------------------
# 2000 players plus their server-side sockets.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
[ "$(ulimit -n)" = unlimited ] || [ "$(ulimit -n)" -ge 8192 ] || log "open-file limit $(ulimit -n) is low for 2000 players"
if ! command -v nginx >/dev/null || [ ! -f "$RTMP_MODULE" ]; then
  log "installing nginx and libnginx-mod-rtmp"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx libnginx-mod-rtmp >/dev/null
fi
for tool in ffmpeg java python3; do
  command -v "$tool" >/dev/null || { log "$tool is needed (apt-get install ffmpeg default-jdk-headless python3)"; exit 1; }
done
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
trap stop_started EXIT
ensure_jars
mkdir -p "$OUT"
ensure_flv

# ---- servers ----------------------------------------------------------------------------------
# nginx-rtmp: two instances, so that the edge's CPU (master + worker) is its own.
start_nginx() {
  local name=$1 port=$2 app=$3 dir=$OUT/$1
  mkdir -p "$dir"
  cat >"$dir/nginx.conf" <<EOF
load_module $RTMP_MODULE;
daemon off;
master_process on;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 16384; }
rtmp {
  server {
    listen 127.0.0.1:$port;
    chunk_size 4096;
    application live {
      live on;
      $app
    }
  }
}
EOF
  port_free "$port"
  keep_earlier "$dir/stdout.log"
  "${ON_SERVER_CPUS[@]}" nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" >"$dir/stdout.log" 2>&1 &
  STARTED+=($!)
  echo $! >"$dir/master.pid"
  wait_port "$port" 10
  kill -0 "$(cat "$dir/master.pid")" 2>/dev/null || { log "$name exited:"; cat "$dir/error.log" >&2; exit 1; }
}

# The publish keys of our nodes, as node.yaml lines: bench-key -> bench, and for more than one
# stream also bench-key0 -> bench0 .. bench-key<N-1> -> bench<N-1>, the names --streams N uses.
node_keys() {
  local streams=$1 i
  printf '    - key: bench-key\n      name: bench\n'
  if [ "$streams" -gt 1 ]; then
    for i in $(seq 0 $((streams - 1))); do
      printf '    - key: bench-key%d\n      name: bench%d\n' "$i" "$i"
    done
  fi
}

# rtmp-cluster: a cluster node with the given roles, cluster members, number of stream keys and
# HTTP API port (sampled during each run for the event loops' lag, see sample_node), and the port
# of its play-http listener (HTTP-FLV and HLS), or none.
start_node() {
  local name=$1 roles=$2 port=$3 cluster_port=$4 members=$5 streams=$6 http_port=$7 play_port=${8:-} dir=$OUT/$1
  port_free "$port"
  port_free "$cluster_port"
  port_free "$http_port"
  [ -n "$play_port" ] && port_free "$play_port"
  mkdir -p "$dir"
  cat >"$dir/node.yaml" <<EOF
http:
  enabled: true
  port: $http_port
rtmp:
  event-loops: $EVENT_LOOPS
$([ -n "$WRITE_COALESCE_MS" ] && echo "  write-coalesce-ms: $WRITE_COALESCE_MS")
$([ -n "$NATIVE_TRANSPORT" ] && echo "  native-transport: $NATIVE_TRANSPORT")
  max-connections: 20000
  max-connections-per-ip: 20000     # every player comes from 127.0.0.1
streams:
  max-streams: $((streams + 1000))   # the default 1000, and room for every bench key
  keys:
$(node_keys "$streams")
$([ -n "$play_port" ] && printf 'play-http:\n  enabled: true\n  host: 127.0.0.1\n  port: %s\n' "$play_port")
EOF
  keep_earlier "$dir/node.log"
  # shellcheck disable=SC2086
  "${ON_SERVER_CPUS[@]}" java $NODE_JAVA_OPTS -jar "$NODE_JAR" --config "$dir/node.yaml" --cluster --cluster-name bench \
    --node-name "$name" --roles "$roles" --rtmp-port "$port" --cluster-port "$cluster_port" \
    --members "$members" >"$dir/node.log" 2>&1 &
  STARTED+=($!)
  echo $! >"$dir/pid"
}

# Samples a node's /api/node once a second into $2 (JSON lines) until killed: the event loops' lag
# and the memory budgets over the run.
sample_node() {
  local port=$1 into=$2
  while true; do
    # The API indents its JSON; one line per sample.
    curl -s --max-time 1 "http://127.0.0.1:$port/api/node" 2>/dev/null | tr -d '\n' >>"$into" && echo >>"$into"
    sleep 1
  done
}

wait_ready() {
  local dir=$OUT/$1
  for _ in $(seq 1 600); do
    grep -q "node ready" "$dir/node.log" 2>/dev/null && return 0
    kill -0 "$(cat "$dir/pid")" 2>/dev/null || { log "$1 died:"; tail -20 "$dir/node.log" >&2; return 1; }
    sleep 0.1
  done
  log "$1 not ready after 60 s"; tail -20 "$dir/node.log" >&2; return 1
}

# ---- the report's header ----------------------------------------------------------------------
write_header() {
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'),"\
    "$(free -g | awk '/Mem:/ {print $2}') GB RAM, kernel $(uname -r)"
  echo "java: $(java -version 2>&1 | head -1); nginx: $(nginx -v 2>&1 | sed 's/.*nginx\///'),"\
    "libnginx-mod-rtmp $(dpkg-query -W -f='${Version}' libnginx-mod-rtmp 2>/dev/null || echo '?')"
  if [ "$MODE" = publishers ]; then
    echo "stream: $(basename "$FLV"), looped, once per publisher; window ${DURATION}s, settle ${SETTLE}s"
  else
    echo "stream: $(basename "$FLV"), looped, $STREAMS stream(s); window ${DURATION}s, ramp ${RAMP}/s, settle ${SETTLE}s"
  fi
  echo "rtmp-cluster event loops: $EVENT_LOOPS (0: one per core); write-coalesce-ms: ${WRITE_COALESCE_MS:-default}; transport: ${NATIVE_TRANSPORT:-default};"\
    "CPUs: ${SERVER_CPUS:-any} for servers, ${CLIENT_CPUS:-any} for clients"
  echo
}

# ---- MODE=players: players on the edges -------------------------------------------------------
# A run's files are named <target>-<players>[-<K>streams], so runs with and without STREAMS can
# share OUT; a target is a server and the protocol its players play over: nginx, ours (rtmp, the
# names of before PROTOCOL), ours-http-flv, ours-hls.
run_name() {
  if [ "$STREAMS" -gt 1 ]; then echo "$1-$2-${STREAMS}streams"; else echo "$1-$2"; fi
}

# The targets of SERVERS and PROTOCOL: each server with each protocol it is loaded with.
player_targets() {
  local server protocol targets=()
  for server in $SERVERS; do
    for protocol in $PROTOCOL; do
      if [ "$protocol" = rtmp ]; then
        targets+=("$server")
      elif [ "$server" = ours ]; then
        targets+=("$server-$protocol")
      else
        log "nginx-rtmp is loaded with rtmp players only: no $protocol runs for it"
      fi
    done
  done
  echo "${targets[*]}"
}

run_players() {
  local publish_urls=() players server edge reference edge_pid pid_flags name publisher round target protocol
  local targets play_port=""
  targets=$(player_targets)
  [ -n "$targets" ] || { log "nothing to load: SERVERS=$SERVERS, PROTOCOL=$PROTOCOL"; exit 2; }
  [[ " $PROTOCOL " == *" http-flv "* || " $PROTOCOL " == *" hls "* ]] && play_port=$OUR_EDGE_PLAY_PORT
  if [[ " $targets " == *" nginx "* ]]; then
    log "starting nginx-rtmp origin :$NGINX_ORIGIN_PORT and pull edge :$NGINX_EDGE_PORT"
    start_nginx nginx-origin "$NGINX_ORIGIN_PORT" ""
    start_nginx nginx-edge "$NGINX_EDGE_PORT" "pull rtmp://127.0.0.1:$NGINX_ORIGIN_PORT/live;"
    publish_urls+=("rtmp://127.0.0.1:$NGINX_ORIGIN_PORT/live/bench")
  fi
  if [[ " $targets " == *" ours"* ]]; then
    # The origin also has the edge role, so that the reference player can play there.
    local members=127.0.0.1:$OUR_ORIGIN_CLUSTER_PORT,127.0.0.1:$OUR_EDGE_CLUSTER_PORT
    log "starting rtmp-cluster origin :$OUR_ORIGIN_PORT and edge :$OUR_EDGE_PORT"
    start_node ours-origin origin,edge "$OUR_ORIGIN_PORT" "$OUR_ORIGIN_CLUSTER_PORT" "$members" "$STREAMS" \
      "$OUR_ORIGIN_HTTP_PORT"
    wait_ready ours-origin
    start_node ours-edge edge "$OUR_EDGE_PORT" "$OUR_EDGE_CLUSTER_PORT" "$members" "$STREAMS" "$OUR_EDGE_HTTP_PORT" \
      "$play_port"
    wait_ready ours-edge
    publish_urls+=("rtmp://127.0.0.1:$OUR_ORIGIN_PORT/live/bench-key")
  fi

  log "publishing $FLV to ${publish_urls[*]}, $STREAMS stream(s) each"
  keep_earlier "$OUT/publisher.log"
  "${ON_CLIENT_CPUS[@]}" java -jar "$BENCH_JAR" publish "$FLV" "${publish_urls[@]}" --streams "$STREAMS" \
    >"$OUT/publisher.log" 2>&1 &
  publisher=$!
  STARTED+=("$publisher")
  sleep 5
  kill -0 "$publisher" 2>/dev/null || { log "the publisher exited:"; tail -5 "$OUT/publisher.log" >&2; exit 1; }

  for round in $(seq 1 "$REPEAT"); do
    for players in $PLAYERS; do
      for target in $(round_order "$round" "$targets"); do
        server=${target%%-*}
        protocol=rtmp
        [ "$target" != "$server" ] && protocol=${target#*-}
        case $server in
          nginx)
            edge=rtmp://127.0.0.1:$NGINX_EDGE_PORT/live/bench
            reference=rtmp://127.0.0.1:$NGINX_ORIGIN_PORT/live/bench
            pid_flags=(--server-pid "$(cat "$OUT/nginx-edge/master.pid")") ;;
          ours)
            edge=rtmp://127.0.0.1:$OUR_EDGE_PORT/live/bench
            [ "$protocol" != rtmp ] && edge=http://127.0.0.1:$OUR_EDGE_PLAY_PORT/live/bench
            reference=rtmp://127.0.0.1:$OUR_ORIGIN_PORT/live/bench
            edge_pid=$(cat "$OUT/ours-edge/pid")
            pid_flags=(--server-pid "$edge_pid" --jvm-pid "$edge_pid") ;;
          *) log "unknown server $server"; exit 2 ;;
        esac
        name=$(run_name "$target" "$players")
        name=$name$(next_round "$name" "load-$name")
        log "$server: $players $protocol players over $STREAMS stream(s) at $RAMP/s, ${DURATION}s window$(round_note "$round")"
        local samplers=()
        if [ "$server" = ours ]; then
          sample_node "$OUR_EDGE_HTTP_PORT" "$OUT/$name.edge-api.jsonl" &
          samplers+=($!)
          sample_node "$OUR_ORIGIN_HTTP_PORT" "$OUT/$name.origin-api.jsonl" &
          samplers+=($!)
        fi
        "${ON_CLIENT_CPUS[@]}" java -Djava.net.preferIPv4Stack=true -jar "$BENCH_JAR" load "$edge" --reference "$reference" \
          --protocol "$protocol" --streams "$STREAMS" --players "$players" --ramp "$RAMP" --settle "$SETTLE" \
          --duration "$DURATION" "${pid_flags[@]}" --json "$OUT/$name.json" 2>"$OUT/load-$name.log" | tail -1 >&2
        [ ${#samplers[@]} -gt 0 ] && kill "${samplers[@]}" 2>/dev/null
        sleep "$COOLDOWN"
      done
    done
  done
}

# ---- MODE=publishers: publishers on the origins -----------------------------------------------
# Our origin is a cluster node with the origin role alone, as in production, alone in its cluster:
# a standalone node would leave out what a cluster origin does per publisher (it registers each
# stream in the cluster and publishes every frame on the event bus, even with no edge listening),
# and the edge role would add nothing without players. nginx-rtmp's origin is the same plain
# `live on` instance as in MODE=players.
run_publishers() {
  local most=0 n server url pid_flags name suffix round
  for n in $PUBLISHERS; do
    [ "$n" -gt "$most" ] && most=$n
  done
  if [[ " $SERVERS " == *" nginx "* ]]; then
    log "starting nginx-rtmp origin :$NGINX_ORIGIN_PORT"
    start_nginx nginx-origin "$NGINX_ORIGIN_PORT" ""
  fi
  if [[ " $SERVERS " == *" ours "* ]]; then
    log "starting rtmp-cluster origin :$OUR_ORIGIN_PORT"
    start_node ours-origin origin "$OUR_ORIGIN_PORT" "$OUR_ORIGIN_CLUSTER_PORT" \
      "127.0.0.1:$OUR_ORIGIN_CLUSTER_PORT" "$most" "$OUR_ORIGIN_HTTP_PORT"
    wait_ready ours-origin
  fi

  for round in $(seq 1 "$REPEAT"); do
    for n in $PUBLISHERS; do
      for server in $(round_order "$round" "$SERVERS"); do
        case $server in
          nginx)
            url=rtmp://127.0.0.1:$NGINX_ORIGIN_PORT/live/bench
            pid_flags=(--server-pid "$(cat "$OUT/nginx-origin/master.pid")") ;;
          ours)
            url=rtmp://127.0.0.1:$OUR_ORIGIN_PORT/live/bench-key
            pid_flags=(--server-pid "$(cat "$OUT/ours-origin/pid")" --jvm-pid "$(cat "$OUT/ours-origin/pid")") ;;
          *) log "unknown server $server"; exit 2 ;;
        esac
        suffix=$(next_round "publishers-$server-$n" "publish-load-$server-$n")
        name=publishers-$server-$n$suffix
        log "$server: $n publishers, ${DURATION}s window$(round_note "$round")"
        "${ON_CLIENT_CPUS[@]}" java -jar "$BENCH_JAR" publish-load "$FLV" "$url" --streams "$n" \
          --settle "$SETTLE" --duration "$DURATION" "${pid_flags[@]}" --json "$OUT/$name.json" \
          2>"$OUT/publish-load-$server-$n$suffix.log" | tail -1 >&2
        sleep "$COOLDOWN"
      done
    done
  done
}

# ---- the table --------------------------------------------------------------------------------
# One table per player (or publisher) count, a column per server, and ours / nginx where lower is better.
# With more than one run of a kind in OUT (REPEAT, or runs into the same OUT), a cell is the median
# over those runs with their min-max in brackets, and the ratio is that of the medians.
report() {
  local requested=$SERVERS
  [ "$MODE" = players ] && requested=$(player_targets 2>/dev/null)
  python3 - "$MODE" "$OUT" "$requested" "$PLAYERS" "$STREAMS" "$PUBLISHERS" <<'EOF'
import json, os, re, statistics, sys
mode, out, requested = sys.argv[1], sys.argv[2], sys.argv[3].split()
# Also the other servers' (and protocols') results if an earlier run left them in this OUT: they
# can then be run one at a time, each with the whole machine, and the last run's table compares them.
left = os.listdir(out)
known = ("nginx", "ours", "ours-http-flv", "ours-hls")
def ran(s):
    pattern = re.compile(("publishers-" if mode == "publishers" else "") + re.escape(s) + r"-\d+(-\d+streams)?(-r\d+)?\.json")
    return any(pattern.fullmatch(f) for f in left)
servers = [s for s in known if s in requested or ran(s)]
servers += [s for s in requested if s not in servers]
players, streams, publishers = sys.argv[4].split(), int(sys.argv[5]), sys.argv[6].split()

def get(d, *keys):
    for k in keys:
        if d is None:
            return None
        d = d.get(k)
    return d

def fmt(v, digits=1):
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.{digits}f}"
    return str(v)

# (label, value, digits, whether the ratio column applies)
player_rows = [
    ("players connected", lambda d: get(d, "connected"), 0, False),
    ("failed / dropped", lambda d: None if d is None else (d["failed"], d["dropped"]), 0, False),
    ("starved (>1 s behind)", lambda d: get(d, "starved"), 0, False),
    ("streams without frames", lambda d: get(d, "framesPerStream", "streamsWithoutFrames"), 0, False),
    ("stream rate, kbit/s", lambda d: None if d is None else d["streamBitsPerSecond"] / 1000, 0, False),
    ("receive rate p5, % of stream", lambda d: None if d is None else d["receiveRateP5Ratio"] * 100, 1, False),
    ("delivered to all players, Mbit/s", lambda d: None if get(d, "deliveredBitsPerSecond") is None
        else d["deliveredBitsPerSecond"] / 1e6, 0, False),
    ("HTTP requests per player-second", lambda d: None if get(d, "protocol") in (None, "rtmp")
        else d["requestsPerPlayerSecond"], 3, False),
    ("HTTP viewer errors (failed requests, missed segments)", lambda d: None if get(d, "protocol") in (None, "rtmp")
        else d["viewerErrors"], 0, False),
    ("edge CPU, us per player-second", lambda d: get(d, "server", "cpuMicrosPerPlayerSecond"), 1, True),
    ("edge CPU, us per Mbit delivered", lambda d: None if not get(d, "deliveredBitsPerSecond") or get(d, "server", "cpuCores") is None
        else d["server"]["cpuCores"] * 1e12 / d["deliveredBitsPerSecond"], 1, True),
    ("edge CPU, cores", lambda d: get(d, "server", "cpuCores"), 2, True),
    ("added delay p50, ms", lambda d: get(d, "addedDelayMs", "p50"), 2, True),
    ("added delay p99, ms", lambda d: get(d, "addedDelayMs", "p99"), 2, True),
    ("first frame p95 warm, ms", lambda d: get(d, "firstFrameMs", "p95"), 0, True),
    ("first key frame p95 warm, ms", lambda d: get(d, "firstKeyframeMs", "p95"), 0, True),
    ("first frame cold (1st player), ms", lambda d: get(d, "coldFirstFrameMs"), 0, True),
    ("first frame cold p95 (1st player of each stream), ms", lambda d: get(d, "coldStreamsFirstFrameMs", "p95"), 0, True),
    ("edge RSS per player, KB", lambda d: get(d, "server", "rssPerPlayerKb"), 1, True),
    ("edge RSS at the end, MB", lambda d: None if get(d, "server", "rssAfterKb") is None else d["server"]["rssAfterKb"] / 1024, 0, True),
    ("edge event-loop lag, max ms (ours: /api/node)", lambda d: get(d, "edgeApi", "maxLagMs"), 0, False),
    ("edge direct memory, max MB (ours: /api/node)", lambda d: get(d, "edgeApi", "maxQueuedMb"), 1, False),
    ("players refused over the memory budget", lambda d: get(d, "edgeApi", "refused"), 0, False),
    ("edge live heap per player, KB", lambda d: get(d, "server", "heapPerPlayerKb"), 1, False),
    ("load client CPU, cores", lambda d: get(d, "clientCpuCores"), 2, False),
]
if streams == 1:
    # One stream: the table as it was before STREAMS.
    player_rows = [r for r in player_rows if not r[0].startswith(("streams without", "first frame cold p95"))]
publisher_rows = [
    ("publishers publishing", lambda d: None if d is None else (d["publishing"], d["publishers"]), 0, False),
    ("stream rate per publisher, kbit/s", lambda d: None if d is None else d["streamBitsPerSecond"] / 1000, 0, False),
    ("origin CPU, us per publisher-second", lambda d: get(d, "server", "cpuMicrosPerPublisherSecond"), 1, True),
    ("origin CPU, cores", lambda d: get(d, "server", "cpuCores"), 2, True),
    ("origin CPU idle before, cores", lambda d: get(d, "server", "idleCpuCores"), 2, True),
    ("origin CPU above idle, us per publisher-second",
        lambda d: get(d, "server", "cpuMicrosPerPublisherSecondAboveIdle"), 1, True),
    ("origin RSS per publisher, KB", lambda d: get(d, "server", "rssPerPublisherKb"), 1, True),
    ("origin RSS with all publishing, MB",
        lambda d: None if get(d, "server", "rssAfterKb") is None else d["server"]["rssAfterKb"] / 1024, 1, True),
    ("origin live heap per publisher, KB", lambda d: get(d, "server", "heapPerPublisherKb"), 1, False),
    ("unread in origin sockets, max KB", lambda d: get(d, "unreadKb", "max"), 1, False),
    ("all publishing after, s", lambda d: get(d, "connectSeconds"), 2, False),
    ("publisher client CPU, cores", lambda d: get(d, "clientCpuCores"), 2, False),
]

if mode == "publishers":
    counts, rows = publishers, publisher_rows
    name = lambda server, n: f"publishers-{server}-{n}"
    title = lambda n: f"### {n} publishers on one origin"
else:
    counts, rows = players, player_rows
    name = lambda server, n: f"{server}-{n}-{streams}streams" if streams > 1 else f"{server}-{n}"
    title = lambda n: f"### {n} players over {streams} streams" if streams > 1 else f"### {n} players"

# Every run of a server at a count in OUT: <name>.json, then the later rounds' <name>-r2.json ..
def runs(server, n):
    pattern = re.compile(re.escape(name(server, n)) + r"(?:-r(\d+))?\.json")
    found = sorted((int(m.group(1) or 1), f[:-len(".json")]) for f in left if (m := pattern.fullmatch(f)))
    return [load(run) for _, run in found]

def load(run):
    d = json.load(open(os.path.join(out, run + ".json")))
    # Our edge's own view, sampled once a second from /api/node during the run (see sample_node).
    samples = os.path.join(out, run + ".edge-api.jsonl")
    if os.path.exists(samples):
        nodes = [json.loads(l) for l in open(samples) if l.strip().startswith("{")]
        lags = [loop["maxLagMs10s"] for node in nodes for loop in node.get("loops", [])]
        queued = [get(node, "memory", "directForPlayers", "usedBytes") or 0 for node in nodes]
        d["edgeApi"] = {"maxLagMs": max(lags) if lags else None,
                        "maxQueuedMb": max(queued) / 1048576 if queued else None,
                        "refused": max((get(node, "memory", "directForPlayers", "playersRefused") or 0) for node in nodes)
                                   if nodes else None}
    return d

def median(values):
    values = [v for v in values if isinstance(v, (int, float))]
    return statistics.median(values) if values else None

# One cell: a metric's value in each run; the median (min-max) when there is more than one.
def cell(values, digits):
    values = [v for v in values if v is not None]
    if not values:
        return "-"
    if isinstance(values[0], tuple):
        return " / ".join(cell([v[i] for v in values], digits) for i in range(len(values[0])))
    if len(values) == 1 or not all(isinstance(v, (int, float)) for v in values):
        return fmt(values[0], digits)
    low, high = fmt(min(values), digits), fmt(max(values), digits)
    m = fmt(median(values), digits)
    if low == high:
        return m
    return f"{m} ({low}{' to ' if min(values) < 0 else '-'}{high})"

names = {"nginx": "nginx-rtmp", "ours": "rtmp-cluster", "ours-http-flv": "rtmp-cluster HTTP-FLV",
         "ours-hls": "rtmp-cluster HLS"}
for n in counts:
    data = {s: runs(s, n) for s in servers}
    # Ratios of medians: ours to nginx-rtmp, and our browser formats to our RTMP.
    ratios = [(label, a, b) for label, a, b in (("ours / nginx", "ours", "nginx"),
                                                ("HTTP-FLV / RTMP", "ours-http-flv", "ours"),
                                                ("HLS / RTMP", "ours-hls", "ours"))
              if data.get(a) and data.get(b)]
    print(title(n) + "\n")
    if any(len(r) > 1 for r in data.values()):
        print("median (min-max) over the runs in OUT: "
              + ", ".join(f"{names.get(s, s)} {len(data[s])}" for s in servers) + "\n")
    header = "| metric | " + " | ".join(names.get(s, s) for s in servers) + " |" \
        + "".join(f" {label} |" for label, _, _ in ratios)
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    for label, f, digits, ratio in rows:
        cells = [cell([f(d) for d in data[s]], digits) for s in servers]
        line = f"| {label} | " + " | ".join(cells) + " |"
        for _, x, y in ratios:
            a, b = median(f(d) for d in data[x]), median(f(d) for d in data[y])
            r = f"{a / b:.2f}x" if ratio and isinstance(a, (int, float)) and isinstance(b, (int, float)) and b else ""
            line += f" {r} |"
        print(line)
    print()
EOF
}

# ---- run and report ---------------------------------------------------------------------------
if [ "$MODE" = publishers ]; then
  run_publishers
else
  run_players
fi
{ write_header; report; } >"$OUT/table.md"
echo >&2
cat "$OUT/table.md"
log "results in $OUT"

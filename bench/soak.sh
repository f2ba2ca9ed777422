#!/usr/bin/env bash
# Soak: one standalone node under churn for MINUTES, its memory sampled each minute.
#
# Players join and leave in waves, publishers drop and come back, and hostile peers (rtmp-bench
# hostile: length-declaring peers, an amplifying publisher, a player that stops reading, garbage)
# come every minute. Each minute the node's live heap (after a full GC, jcmd), its RSS, and what
# /api/node says of direct memory and the players' chunk pool are written to OUT/soak.csv; a
# summary table goes to OUT/soak.md. Memory that is bounded stays flat; a leak climbs.
#
# Environment (defaults in brackets):
#   MINUTES [60]           how long
#   STREAMS [4]            streams published (each publisher drops every PUBLISH_SECONDS)
#   PLAYERS [60]           players per wave, spread over the streams
#   PUBLISH_SECONDS [110]  a publisher's life before it drops (10 s later it is back)
#   WAVE_SECONDS [40]      a wave's life (10 s later the next wave comes)
#   NODE_JAVA_OPTS [-Xms512m -Xmx512m -XX:MaxDirectMemorySize=512m]
#   FLV [bench/target/bench-720p.flv]  (made by bench/run.sh; made here with ffmpeg when missing)
#   OUT [bench/target/soak-<time>]
#   BASE_PORT [19450]      RTMP on BASE+1, HTTP API on BASE+2
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
MINUTES=${MINUTES:-60}
STREAMS=${STREAMS:-4}
PLAYERS=${PLAYERS:-60}
PUBLISH_SECONDS=${PUBLISH_SECONDS:-110}
WAVE_SECONDS=${WAVE_SECONDS:-40}
NODE_JAVA_OPTS=${NODE_JAVA_OPTS:--Xms512m -Xmx512m -XX:MaxDirectMemorySize=512m}
FLV=${FLV:-$ROOT/bench/target/bench-720p.flv}
OUT=${OUT:-$ROOT/bench/target/soak-$(date +%Y%m%d-%H%M%S)}
BASE_PORT=${BASE_PORT:-19450}
RTMP_PORT=$((BASE_PORT + 1))
HTTP_PORT=$((BASE_PORT + 2))
NODE_JAR=$ROOT/server/target/rtmp-cluster.jar
BENCH_JAR=$ROOT/bench/target/rtmp-bench.jar

log() { echo "[soak.sh $(date +%H:%M:%S)] $*" >&2; }


for tool in java jcmd curl python3; do
  command -v "$tool" >/dev/null || { log "$tool is needed"; exit 1; }
done
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
trap stop_started EXIT
ensure_jars
mkdir -p "$OUT"
ensure_flv

{
  echo "http: {enabled: true, port: $HTTP_PORT}"
  echo "rtmp: {port: $RTMP_PORT}"
  echo "streams:"
  echo "  keys:"
  for i in $(seq 0 $((STREAMS - 1))); do
    printf '    - {key: soak-key%d, name: soak%d}\n' "$i" "$i"
  done
  echo "    - {key: soak-hostile-key, name: soak-hostile}   # the amplifying publisher's"
} >"$OUT/node.yaml"
# shellcheck disable=SC2086
java $NODE_JAVA_OPTS -jar "$NODE_JAR" --config "$OUT/node.yaml" >"$OUT/node.log" 2>&1 &
NODE=$!
STARTED+=("$NODE")
for _ in $(seq 1 300); do
  grep -q "node ready" "$OUT/node.log" 2>/dev/null && break
  sleep 0.2
done
grep -q "node ready" "$OUT/node.log" || { log "the node did not start"; tail "$OUT/node.log" >&2; exit 1; }
log "node $NODE ready; $MINUTES minutes, logs in $OUT"

# Churn, each in a loop of its own until the end.
END=$(( $(date +%s) + MINUTES * 60 ))
publishers() {
  while [ "$(date +%s)" -lt "$END" ]; do
    java -jar "$BENCH_JAR" publish "$FLV" "rtmp://127.0.0.1:$RTMP_PORT/live/soak-key" --streams "$STREAMS" \
      --seconds "$PUBLISH_SECONDS" >>"$OUT/publisher.log" 2>&1 || true
    sleep 10
  done
}
players() {
  local wave=0
  while [ "$(date +%s)" -lt "$END" ]; do
    wave=$((wave + 1))
    java -jar "$BENCH_JAR" load "rtmp://127.0.0.1:$RTMP_PORT/live/soak" --streams "$STREAMS" \
      --players "$PLAYERS" --ramp 20 --settle 1 --duration "$((WAVE_SECONDS - 4))" --delay-samples 0 \
      2>>"$OUT/players.log" | tail -1 >>"$OUT/waves.log" || true
    sleep 10
  done
}
publishers & STARTED+=($!)
players & STARTED+=($!)
java -jar "$BENCH_JAR" hostile "rtmp://127.0.0.1:$RTMP_PORT/live/soak0" --key soak-hostile-key --every 60 \
  --seconds $((MINUTES * 60)) >>"$OUT/hostile.log" 2>&1 &
STARTED+=($!)

echo "minute,live_heap_mb,rss_mb,direct_used_mb,chunk_pool_mb,log_blocks,connections,protocol_errors,players_cut" >"$OUT/soak.csv"
minute=0
while [ "$(date +%s)" -lt "$END" ]; do
  sleep 60
  minute=$((minute + 1))
  jcmd "$NODE" GC.run >/dev/null 2>&1 || true
  heap_kb=$(jcmd "$NODE" GC.heap_info 2>/dev/null | grep -o 'used [0-9]*K' | head -1 | tr -dc '0-9')
  rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$NODE/status")
  api=$(curl -s --max-time 5 "http://127.0.0.1:$HTTP_PORT/api/node" || echo '{}')
  python3 - "$minute" "${heap_kb:-0}" "${rss_kb:-0}" "$api" >>"$OUT/soak.csv" <<'PY'
import json, sys
minute, heap, rss, api = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), json.loads(sys.argv[4] or "{}")
m = api.get("memory", {})
mb = lambda b: round((b or 0) / 1048576, 1)
print(",".join(str(v) for v in [minute, round(heap / 1024, 1), round(rss / 1024, 1),
    mb(m.get("directUsedBytes")), mb(m.get("playerChunks", {}).get("poolBytes")),
    m.get("playerChunks", {}).get("logBlocks", ""), api.get("connections", ""),
    api.get("protocolErrors", ""), api.get("slowPlayers", {}).get("playersCut", "")]))
PY
  log "minute $minute: $(tail -1 "$OUT/soak.csv")"
done

python3 - "$OUT/soak.csv" >"$OUT/soak.md" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
cols = ["minute", "live_heap_mb", "rss_mb", "direct_used_mb", "chunk_pool_mb", "log_blocks", "connections"]
print("| " + " | ".join(cols) + " |")
print("|" + "---|" * len(cols))
for r in rows:
    print("| " + " | ".join(r[c] for c in cols) + " |")
PY
cat "$OUT/soak.md"
log "results in $OUT"

# Shared by bench/run.sh and bench/soak.sh (sourced; set ROOT, NODE_JAR, BENCH_JAR, FLV and log first).

# Builds the node and bench jars when either is missing.
ensure_jars() {
  if [ ! -f "$NODE_JAR" ] || [ ! -f "$BENCH_JAR" ]; then
    log "building the node and bench jars"
    (cd "$ROOT" && mvn -q -DskipTests -pl server,bench -am package)
  fi
}

# Makes $FLV when it is missing: 30 s of 720p30 H.264 at ~2.5 Mbit/s (key frame every 2 s) with
# 128 kbit/s AAC; the publishers loop it.
ensure_flv() {
  mkdir -p "$(dirname "$FLV")"
  if [ ! -f "$FLV" ]; then
    log "making $FLV with ffmpeg"
    ffmpeg -nostdin -hide_banner -loglevel error -y \
      -f lavfi -i testsrc2=size=1280x720:rate=30 -f lavfi -i sine=frequency=440:sample_rate=44100 \
      -t 30 -c:v libx264 -preset veryfast -b:v 2500k -maxrate 2500k -bufsize 5000k \
      -g 60 -keyint_min 60 -sc_threshold 0 -pix_fmt yuv420p -c:a aac -b:a 128k -ac 2 \
      -f flv "$FLV.tmp" && mv "$FLV.tmp" "$FLV"
  fi
}

# Processes a script started (append their pids); stop_started is the scripts' EXIT trap:
# SIGTERM to all, then up to 10 s for each to exit before SIGKILL.
STARTED=()
stop_started() {
  local pid
  for pid in "${STARTED[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${STARTED[@]}"; do
    for _ in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
  done
}

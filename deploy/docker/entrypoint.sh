#!/bin/sh
# Starts a node in a container with memory flags sized from the container's limit: the heap
# takes MaxRAMPercentage of it (JAVA_HEAP_PERCENT, default 45) and direct memory, where the
# players' bytes live, DIRECT_MEMORY_PERCENT (default 25); the rest is for metaspace, threads
# and native buffers. Without a limit the JVM's own defaults apply. JAVA_OPTS comes last, so a
# flag given there wins. Arguments go to the node (see --help).
set -eu

heap_percent="${JAVA_HEAP_PERCENT:-45}"
direct_percent="${DIRECT_MEMORY_PERCENT:-25}"

# cgroup v2, then v1; "max" or an absurd number means no limit.
limit=""
if [ -r /sys/fs/cgroup/memory.max ]; then
  limit="$(cat /sys/fs/cgroup/memory.max)"
elif [ -r /sys/fs/cgroup/memory/memory.limit_in_bytes ]; then
  limit="$(cat /sys/fs/cgroup/memory/memory.limit_in_bytes)"
fi
memory_flags="-XX:MaxRAMPercentage=${heap_percent} -XX:InitialRAMPercentage=${heap_percent}"
case "$limit" in
  '' | max | *[!0-9]*) ;;
  *)
    # Above 1 PiB is cgroup v1's way of saying "no limit".
    if [ "$limit" -lt 1125899906842624 ]; then
      memory_flags="$memory_flags -XX:MaxDirectMemorySize=$((limit * direct_percent / 100))"
    fi
    ;;
esac

# A node that runs out of memory exits (and is restarted) rather than limping on.
# shellcheck disable=SC2086 # the flags are words on purpose
exec java $memory_flags -XX:+ExitOnOutOfMemoryError ${JAVA_OPTS:-} -jar "${RTMP_CLUSTER_JAR:-/opt/rtmp-cluster/rtmp-cluster.jar}" "$@"

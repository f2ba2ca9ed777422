package org.rtmpcluster.bench;

import io.vertx.core.buffer.Buffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Added delay of an edge against its origin: a reference player on the origin notes when each
 * video frame arrives, sampled players on the edge note when the same frame arrives there, and the
 * difference is the delay the edge adds. Frames are matched by a hash of their payload, not their
 * timestamp, because a server may rebase each player's timeline (this project starts every player
 * at 0). Both sides stamp System.nanoTime() in this one process.
 *
 * <p>Matching happens at the end, not on arrival: on a busy machine the reference's thread may
 * itself be late, and an edge frame that arrives before the reference has noted it must still be
 * matched (to a small negative delay) rather than lost. A looping publisher repeats each frame once
 * per loop, so an edge arrival is matched to the nearest arrival of that frame at the origin.
 */
final class DelayProbe {

  /** Number of bytes sampled from a payload for its key: enough that two frames differ. */
  private static final int SAMPLES = 64;

  private final Map<Long, long[]> originArrivals = new HashMap<>();
  private long[] edgeKeys = new long[4096];
  private long[] edgeNanos = new long[4096];
  private int edgeCount;
  private volatile boolean recording;

  static long key(Buffer payload) {
    int length = payload.length();
    long h = length;
    int step = Math.max(1, length / SAMPLES);
    for (int i = 0; i < length; i += step) {
      h = h * 1_000_003L + payload.getByte(i);
    }
    for (int i = Math.max(0, length - 16); i < length; i++) {
      h = h * 31 + payload.getByte(i);
    }
    return h;
  }

  /** Every arrival at the origin is kept (a run holds a few thousand), also before the window. */
  synchronized void originArrival(Buffer payload, long nanos) {
    originArrivals.merge(key(payload), new long[] {nanos}, (old, one) -> {
      long[] grown = Arrays.copyOf(old, old.length + 1);
      grown[old.length] = one[0];
      return grown;
    });
  }

  void edgeArrival(Buffer payload, long nanos) {
    if (!recording) {
      return;
    }
    long key = key(payload);
    synchronized (this) {
      if (edgeCount == edgeKeys.length) {
        edgeKeys = Arrays.copyOf(edgeKeys, edgeCount * 2);
        edgeNanos = Arrays.copyOf(edgeNanos, edgeCount * 2);
      }
      edgeKeys[edgeCount] = key;
      edgeNanos[edgeCount++] = nanos;
    }
  }

  /** Only frames that arrive at the edge while recording (the measurement window) count. */
  void recording(boolean on) {
    recording = on;
  }

  /** Delay of every matched edge arrival, unsorted. */
  synchronized long[] delaysNanos() {
    long[] delays = new long[edgeCount];
    int matched = 0;
    for (int i = 0; i < edgeCount; i++) {
      long[] origin = originArrivals.get(edgeKeys[i]);
      if (origin == null) {
        continue;
      }
      long best = Long.MAX_VALUE;
      for (long o : origin) {
        long d = edgeNanos[i] - o;
        if (Math.abs(d) < Math.abs(best)) {
          best = d;
        }
      }
      delays[matched++] = best;
    }
    return Arrays.copyOf(delays, matched);
  }

  /** Edge arrivals of frames the reference never got. */
  synchronized long unmatched() {
    return edgeCount - delaysNanos().length;
  }
}

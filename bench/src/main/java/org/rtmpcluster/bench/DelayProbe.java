package org.rtmpcluster.bench;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Added delay of an edge against its origin: a reference player on the origin notes when each
 * video frame arrives, sampled players on the edge note when the same frame arrives there, and the
 * difference is the delay the edge adds. Frames are matched by a hash of their payload, not their
 * timestamp, because a server may rebase each player's timeline (this project starts every player
 * at 0). Both sides stamp System.nanoTime() in this one process.
 */
final class DelayProbe {

  /** A looping publisher repeats a frame after one loop; arrivals older than this are forgotten. */
  static final long KEEP_NANOS = 15_000_000_000L;
  /** Matches further apart than this are a repeated frame from another loop, not a delay. */
  static final long MAX_DELAY_NANOS = 10_000_000_000L;

  private final ConcurrentHashMap<Long, Long> originArrivals = new ConcurrentHashMap<>();
  /** Keys in arrival order, for forgetting; touched only by the reference player's event loop. */
  private final ArrayDeque<long[]> order = new ArrayDeque<>();
  private volatile boolean recording;
  private long[] delays = new long[4096];
  private int count;
  private long unmatched;

  /** Number of bytes sampled from a payload for its key: enough that two frames differ. */
  private static final int SAMPLES = 64;

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

  void originArrival(Buffer payload, long nanos) {
    long key = key(payload);
    originArrivals.put(key, nanos);
    order.addLast(new long[] {key, nanos});
    while (!order.isEmpty() && nanos - order.peekFirst()[1] > KEEP_NANOS) {
      long[] old = order.pollFirst();
      originArrivals.remove(old[0], old[1]);
    }
  }

  void edgeArrival(Buffer payload, long nanos) {
    if (!recording) {
      return;
    }
    Long origin = originArrivals.get(key(payload));
    long delay = origin == null ? Long.MIN_VALUE : nanos - origin;
    synchronized (this) {
      if (origin == null || Math.abs(delay) > MAX_DELAY_NANOS) {
        unmatched++;
        return;
      }
      if (count == delays.length) {
        delays = Arrays.copyOf(delays, count * 2);
      }
      delays[count++] = delay;
    }
  }

  /** Only frames that arrive while recording (the measurement window) count. */
  void recording(boolean on) {
    recording = on;
  }

  synchronized long[] delaysNanos() {
    return Arrays.copyOf(delays, count);
  }

  synchronized long unmatched() {
    return unmatched;
  }
}

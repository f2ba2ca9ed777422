package org.rtmpcluster.common.stream;

/**
 * A rate over a sliding window of whole buckets (one second each by default): how many bytes or
 * frames per second a stream brought in over the last few seconds. Amounts go into the bucket of
 * their time; a query divides the sum of the buckets in the window by the time they cover (from
 * the window's oldest bucket, or from the first sample if that is later, up to now).
 *
 * <p>Not thread-safe: one event loop records and reads it. Time comes from the caller, so tests
 * drive it with a fake clock.
 */
public final class RateMeter {
  /** Five one-second buckets: smooths a GOP's keyframe burst, yet follows a change within seconds. */
  public static final int DEFAULT_BUCKETS = 5;
  public static final long DEFAULT_BUCKET_MS = 1_000;

  private final long bucketMs;
  private final long[] buckets;
  /** Index (time / bucketMs) of the newest bucket; meaningless until the first sample. */
  private long newest;
  private long firstSampleAtMs = -1;

  public RateMeter() {
    this(DEFAULT_BUCKETS, DEFAULT_BUCKET_MS);
  }

  public RateMeter(int bucketCount, long bucketMs) {
    if (bucketCount < 1 || bucketMs < 1) {
      throw new IllegalArgumentException("a rate meter needs at least one bucket of at least 1 ms");
    }
    this.bucketMs = bucketMs;
    this.buckets = new long[bucketCount];
  }

  /** Counts {@code amount} at {@code nowMs}. */
  public void add(long nowMs, long amount) {
    if (firstSampleAtMs < 0) {
      firstSampleAtMs = nowMs;
      newest = nowMs / bucketMs;
    }
    advance(nowMs);
    buckets[slot(newest)] += amount;
  }

  /**
   * The amount per second over the window ending at {@code nowMs}; 0 before the first sample and
   * once the window has passed without one. The time covered is at least one bucket, so that the
   * first few samples do not read as a huge rate.
   */
  public double perSecond(long nowMs) {
    if (firstSampleAtMs < 0) {
      return 0;
    }
    advance(nowMs);
    long sum = 0;
    for (long amount : buckets) {
      sum += amount;
    }
    long windowStartMs = (newest - buckets.length + 1) * bucketMs;
    long coveredMs = Math.max(bucketMs, nowMs - Math.max(windowStartMs, firstSampleAtMs));
    return sum * 1000.0 / coveredMs;
  }

  /** Forgets everything (a new publisher starts a new measurement). */
  public void reset() {
    java.util.Arrays.fill(buckets, 0);
    firstSampleAtMs = -1;
  }

  /** Moves the window to {@code nowMs}, emptying the buckets it passed. A clock that steps back counts into the newest. */
  private void advance(long nowMs) {
    long index = nowMs / bucketMs;
    if (index <= newest) {
      return;
    }
    long steps = Math.min(index - newest, buckets.length);
    for (long i = 1; i <= steps; i++) {
      buckets[slot(newest + i)] = 0;
    }
    newest = index;
  }

  private int slot(long index) {
    return (int) Math.floorMod(index, (long) buckets.length);
  }
}

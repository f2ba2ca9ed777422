package org.rtmpcluster.origin.replay;

import java.util.function.LongSupplier;

/**
 * Real-time pacing of a replay: the first tag after a start, seek or unpause sets an anchor (its
 * timestamp at the time it is sent), and each later tag is due when as much time has passed as its
 * timestamp is past the anchor's, less the lead. A jump in the file's time of more than
 * {@value #MAX_GAP_MS} ms sets a new anchor, so that a hole in a recording is not waited out.
 */
final class ReplayClock {
  static final long MAX_GAP_MS = 5_000;

  private final LongSupplier nowMs;
  private final long leadMs;
  private boolean anchored;
  private long anchorTimestamp;
  private long anchorTime;
  private long lastTimestamp;

  ReplayClock(LongSupplier nowMs, long leadMs) {
    this.nowMs = nowMs;
    this.leadMs = leadMs;
  }

  /** The next tag sets a new anchor: after a seek, or when play goes on after a pause. */
  void reanchor() {
    anchored = false;
  }

  /** Milliseconds until the tag at {@code timestamp} may be sent: 0 when it may be sent now. */
  long waitMs(long timestamp) {
    long now = nowMs.getAsLong();
    if (!anchored || timestamp - lastTimestamp > MAX_GAP_MS) {
      anchored = true;
      anchorTimestamp = timestamp;
      anchorTime = now;
      lastTimestamp = timestamp;
    }
    lastTimestamp = Math.max(lastTimestamp, timestamp);
    long due = anchorTime + (timestamp - anchorTimestamp) - leadMs;
    return Math.max(0, due - now);
  }
}

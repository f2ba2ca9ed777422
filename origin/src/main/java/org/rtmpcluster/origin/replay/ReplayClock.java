package org.rtmpcluster.origin.replay;

import java.util.function.LongSupplier;

/**
 * Real-time pacing of a replay: the first tag after a start or seek sets an anchor (its timestamp
 * at the time it is sent), and each later tag is due when as much time has passed as its
 * timestamp is past the anchor's, less the lead. A pause moves the anchor on by its length, so the
 * player is owed neither the pause nor a second lead. A jump in the file's time of more than
 * {@value #MAX_GAP_MS} ms, forwards or back, sets a new anchor, so that a hole in a recording is
 * not waited out.
 */
final class ReplayClock {
  static final long MAX_GAP_MS = 5_000;

  private final LongSupplier nowMs;
  private final long leadMs;
  private boolean anchored;
  private long anchorTimestamp;
  private long anchorTime;
  private long lastTimestamp;
  private long pausedAt = -1;

  ReplayClock(LongSupplier nowMs, long leadMs) {
    this.nowMs = nowMs;
    this.leadMs = leadMs;
  }

  /** The next tag sets a new anchor: after a seek. */
  void reanchor() {
    anchored = false;
    pausedAt = -1;
  }

  void pause() {
    if (pausedAt < 0) {
      pausedAt = nowMs.getAsLong();
    }
  }

  /** Play goes on where it paused: the anchor moves on by the pause. */
  void resume() {
    if (pausedAt >= 0) {
      anchorTime += nowMs.getAsLong() - pausedAt;
      pausedAt = -1;
    }
  }

  /** Milliseconds until the tag at {@code timestamp} may be sent: 0 when it may be sent now. */
  long waitMs(long timestamp) {
    long now = nowMs.getAsLong();
    if (!anchored || Math.abs(timestamp - lastTimestamp) > MAX_GAP_MS) {
      anchored = true;
      anchorTimestamp = timestamp;
      anchorTime = now;
      lastTimestamp = timestamp;
    }
    lastTimestamp = timestamp;
    long due = anchorTime + (timestamp - anchorTimestamp) - leadMs;
    return Math.max(0, due - now);
  }
}

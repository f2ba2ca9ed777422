package org.rtmpcluster.origin.replay;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** The node's replays, for /metrics, counted as they start and end on the players' event loops. */
public final class ReplayCounters {
  private final AtomicInteger active = new AtomicInteger();
  private final AtomicLong started = new AtomicLong();
  private final AtomicLong bytesRead = new AtomicLong();

  void replayStarted() {
    active.incrementAndGet();
    started.incrementAndGet();
  }

  void ended() {
    active.decrementAndGet();
  }

  void read(long bytes) {
    bytesRead.addAndGet(bytes);
  }

  /** Players replaying a recording now. */
  public int active() {
    return active.get();
  }

  public long started() {
    return started.get();
  }

  /** Bytes of recordings read for replays. */
  public long bytesRead() {
    return bytesRead.get();
  }
}

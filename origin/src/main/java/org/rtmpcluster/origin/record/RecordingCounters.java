package org.rtmpcluster.origin.record;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** What a node's recorders did, for /metrics: counted where a file opens or closes, or a frame is skipped. */
public final class RecordingCounters {
  private final AtomicInteger active = new AtomicInteger();
  private final AtomicLong finished = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong framesSkipped = new AtomicLong();

  void opened() {
    active.incrementAndGet();
  }

  void closed(boolean written) {
    active.decrementAndGet();
    (written ? finished : failed).incrementAndGet();
  }

  void skipped() {
    framesSkipped.incrementAndGet();
  }

  /** Files being written now. */
  public int active() {
    return active.get();
  }

  /** Files written and closed, each told to the record-done webhook. */
  public long finished() {
    return finished.get();
  }

  /** Files a write or the close failed on (a full or failing disk). */
  public long failed() {
    return failed.get();
  }

  /** Frames not written because the disk was behind (record.max-queued-bytes). */
  public long framesSkipped() {
    return framesSkipped.get();
  }
}

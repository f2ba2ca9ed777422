package org.rtmpcluster.edge.cluster;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What a node's stream pullers met on the event bus, all streams together and for the node's
 * life (a puller's own counts go with its stream), for operators' metrics.
 */
public final class PullCounters {
  /** Frames the pullers that stopped had received; live pullers tell their own. */
  private final AtomicLong retiredFrames = new AtomicLong();
  private final AtomicLong gaps = new AtomicLong();
  private final AtomicLong resyncs = new AtomicLong();
  private final AtomicLong droppedWhileSyncing = new AtomicLong();

  void retired(long framesReceived) {
    retiredFrames.addAndGet(framesReceived);
  }

  void gap() {
    gaps.incrementAndGet();
  }

  void resync() {
    resyncs.incrementAndGet();
  }

  void droppedWhileSyncing() {
    droppedWhileSyncing.incrementAndGet();
  }

  /** Frames received by pullers that have stopped (add the live ones' {@code framesReceived}). */
  public long retiredFramesReceived() {
    return retiredFrames.get();
  }

  /** Frames that did not arrive in sequence (lost on the bus, or the origin stalled between). */
  public long gaps() {
    return gaps.get();
  }

  /** Snapshots asked of an origin: at a new epoch, after a gap, after a stall. */
  public long resyncs() {
    return resyncs.get();
  }

  /** Frames let go over the hold bound while a snapshot was on its way. */
  public long framesDroppedWhileSyncing() {
    return droppedWhileSyncing.get();
  }
}

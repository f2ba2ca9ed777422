package org.rtmpcluster.edge;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What happened to slow players, and to players turned away under load, on this node, and how many
 * HTTP viewers play now, for operators.
 */
public final class PlayerCounters {
  private final AtomicLong framesSkipped = new AtomicLong();
  private final AtomicLong playersCut = new AtomicLong();
  private final AtomicLong playersRefusedOverBudget = new AtomicLong();
  private final AtomicLong httpFlvViewers = new AtomicLong();
  private final AtomicLong webSocketFlvViewers = new AtomicLong();

  /** Counted by RTMP and HTTP-FLV players alike. */
  public void framesSkipped(long frames) {
    framesSkipped.addAndGet(frames);
  }

  public void playerCut() {
    playersCut.incrementAndGet();
  }

  public void playerRefusedOverBudget() {
    playersRefusedOverBudget.incrementAndGet();
  }

  /** An HTTP viewer began to play over {@code protocol} (http-flv or ws-flv). */
  public void viewerJoined(String protocol) {
    (protocol.equals("ws-flv") ? webSocketFlvViewers : httpFlvViewers).incrementAndGet();
  }

  public void viewerLeft(String protocol) {
    (protocol.equals("ws-flv") ? webSocketFlvViewers : httpFlvViewers).decrementAndGet();
  }

  /** Viewers playing HTTP-FLV now, every event loop. */
  public long httpFlvViewers() {
    return httpFlvViewers.get();
  }

  /** Viewers playing WebSocket-FLV now. */
  public long webSocketFlvViewers() {
    return webSocketFlvViewers.get();
  }

  /** Frames (and headers) players did not get because they fell behind and went on from a later keyframe. */
  public long framesSkipped() {
    return framesSkipped.get();
  }

  /** Players turned away because the node was over its budget of direct memory. */
  public long playersRefusedOverBudget() {
    return playersRefusedOverBudget.get();
  }

  /** Players disconnected over their hard queue limit. */
  public long playersCut() {
    return playersCut.get();
  }
}

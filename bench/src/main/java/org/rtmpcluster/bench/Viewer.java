package org.rtmpcluster.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * One viewer of the load client, whatever it plays over: an RTMP {@link Player}, an
 * {@link HttpFlvPlayer} or an {@link HlsPlayer}. Its counters are written on one event loop and
 * read through {@link #snapshot} on that loop.
 */
interface Viewer {

  /** Connects and plays {@code url}'s app and stream; call from a thread that is not an event loop. */
  Future<Void> start(Vertx vertx, RtmpUrl url);

  /** What it received so far, read on its event loop; null when it never connected. */
  Future<Player.Snapshot> snapshot();

  Future<Void> close();

  /** Completes on the first audio or video frame (HLS: the first whole segment). */
  Future<Void> firstFrame();

  Player.State state();

  String failure();

  /** When {@link #start} was called, System.nanoTime(). */
  long startNanos();

  /**
   * Media time that may arrive late without the viewer being starved, on top of the load client's
   * {@code --starved-ms}: none for a stream of frames; an HLS viewer gets its media a segment at a
   * time, so over a window it may have a segment less than wall time without missing anything.
   */
  default long starvedSlackMs() {
    return 0;
  }
}

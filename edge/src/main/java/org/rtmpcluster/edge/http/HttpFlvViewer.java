package org.rtmpcluster.edge.http;

import io.vertx.core.buffer.Buffer;
import org.rtmpcluster.common.config.StreamSettings;
import org.rtmpcluster.edge.PlayerCounters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HTTP-FLV or WebSocket-FLV viewer: a {@link FlvSink} that gets FLV tags. The slow-viewer policy is the RTMP
 * players': past {@code streams.player-queue-soft-limit-bytes} written and not yet taken by the
 * socket, video is skipped until a keyframe finds it under the limit; past the hard limit the
 * response is cut. Event loop only.
 */
final class HttpFlvViewer {
  private static final Logger log = LoggerFactory.getLogger(HttpFlvViewer.class);

  private final FlvSink sink;
  private final String remote;
  private final StreamSettings settings;
  private final PlayerCounters counters;
  /** Bytes handed to the response whose write has not completed. */
  private long queuedBytes;
  /** Until a keyframe: at the start, after a new publisher, and after video was skipped. */
  private boolean waitingForKeyframe = true;
  private boolean closed;
  /** What a joiner may queue above the hard limit: the GOP it is given at once. */
  private long joinAllowance;
  private final Runnable onGone;
  private boolean gone;

  /** @param onGone told once, when the viewer is gone whichever way */
  HttpFlvViewer(FlvSink sink, String remote, StreamSettings settings, PlayerCounters counters, Runnable onGone) {
    this.sink = sink;
    this.onGone = onGone;
    this.remote = remote;
    this.settings = settings;
    this.counters = counters;
  }

  String remote() {
    return remote;
  }

  boolean closed() {
    return closed;
  }

  /** Bytes written from now on until {@link #joined} are the join's burst, allowed above the hard limit. */
  void joining() {
    joinAllowance = -queuedBytes;
  }

  void joined() {
    joinAllowance += queuedBytes;
  }

  /** The viewer left, or was ended or cut: the admission hears it once. */
  void gone() {
    if (!gone) {
      gone = true;
      onGone.run();
    }
  }

  /** A new publisher: its video starts on its first keyframe. */
  void awaitKeyframe() {
    waitingForKeyframe = true;
  }

  /** Whether a video frame goes to this viewer; a keyframe ends a wait if the viewer keeps up. */
  boolean takesVideo(boolean keyframe) {
    if (waitingForKeyframe) {
      if (!keyframe || queuedBytes > settings.playerQueueSoftLimitBytes()) {
        return false;
      }
      waitingForKeyframe = false;
      return true;
    }
    if (queuedBytes > settings.playerQueueSoftLimitBytes()) {
      waitingForKeyframe = true;
      counters.framesSkipped(1);
      return false;
    }
    return true;
  }

  void write(Buffer bytes) {
    if (closed) {
      return;
    }
    if (queuedBytes > settings.playerQueueHardLimitBytes() + Math.max(0, joinAllowance)) {
      counters.playerCut();
      log.info("closing HTTP-FLV viewer {}: {} bytes queued, more than {}", remote, queuedBytes,
          settings.playerQueueHardLimitBytes());
      close();
      return;
    }
    int length = bytes.length();
    queuedBytes += length;
    sink.write(bytes).onComplete(done -> queuedBytes -= length);
  }

  /** The stream is over: the response ends, and the viewer's player sees the end of the file. */
  void end() {
    if (!closed) {
      closed = true;
      sink.end();
    }
    gone();
  }

  void close() {
    if (!closed) {
      closed = true;
      sink.abort();
    }
    gone();
  }
}

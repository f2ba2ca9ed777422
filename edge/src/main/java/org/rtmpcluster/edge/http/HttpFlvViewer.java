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

  HttpFlvViewer(FlvSink sink, String remote, StreamSettings settings, PlayerCounters counters) {
    this.sink = sink;
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
    if (queuedBytes > settings.playerQueueHardLimitBytes()) {
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
  }

  void close() {
    if (!closed) {
      closed = true;
      sink.abort();
    }
  }
}

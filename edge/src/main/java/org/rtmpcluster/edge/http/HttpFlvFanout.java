package org.rtmpcluster.edge.http;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import org.rtmpcluster.common.media.FlvTags;
import org.rtmpcluster.common.stream.LiveStream;
import org.rtmpcluster.common.media.FlvTags;
import org.rtmpcluster.common.stream.MediaFrame;
import org.rtmpcluster.common.stream.StreamListener;

/**
 * The HTTP-FLV viewers of one stream on one event loop: one listener of the stream, which makes
 * each frame's FLV tag once and writes the same bytes to every viewer. Tags carry the stream's own
 * timeline (every viewer the same timestamps), which never goes backwards, across publishers too.
 * A viewer that joins gets the file header, then metadata, the latest sequence headers and the
 * GOP from its keyframe, then live tags. Event loop only.
 */
public final class HttpFlvFanout implements StreamListener {
  private final LiveStream stream;
  private final List<HttpFlvViewer> viewers = new ArrayList<>();
  private final Runnable onEmpty;

  /** @param onEmpty called when the last viewer left, after the fan-out left its stream */
  HttpFlvFanout(LiveStream stream, Runnable onEmpty) {
    this.stream = stream;
    this.onEmpty = onEmpty;
  }

  /** Adds a viewer: the file header, what a joiner needs, then it gets live tags. */
  void add(HttpFlvViewer viewer) {
    viewer.joining();
    viewer.write(FlvTags.header(stream.audioCodec() != null || !stream.isLive(),
        stream.videoCodec() != null || !stream.isLive()));
    boolean first = viewers.isEmpty();
    viewers.add(viewer);
    if (first) {
      stream.addListener(this); // the stream hands this listener its join frames at once
    } else {
      for (MediaFrame frame : stream.primingFrames()) {
        sendTo(viewer, frame, FlvTags.tag(frame, frame.playTimestamp()));
      }
    }
    viewer.joined();
  }

  void remove(HttpFlvViewer viewer) {
    viewer.gone();
    if (viewers.remove(viewer) && viewers.isEmpty()) {
      stream.removeListener(this);
      onEmpty.run();
    }
  }

  @Override
  public void onFrame(MediaFrame frame) {
    Buffer tag = null;
    for (HttpFlvViewer viewer : List.copyOf(viewers)) {
      if (frame.isVideo() && !frame.isSequenceHeader() && !viewer.takesVideo(frame.isKeyframe())) {
        continue;
      }
      if (tag == null) {
        tag = FlvTags.tag(frame, frame.playTimestamp());
      }
      viewer.write(tag);
      if (viewer.closed()) {
        remove(viewer);
      }
    }
  }

  private static void sendTo(HttpFlvViewer viewer, MediaFrame frame, Buffer tag) {
    if (frame.isVideo() && !frame.isSequenceHeader() && !viewer.takesVideo(frame.isKeyframe())) {
      return;
    }
    viewer.write(tag);
  }

  @Override
  public void onPublisherStarted(long epoch) {
    for (HttpFlvViewer viewer : viewers) {
      viewer.awaitKeyframe();
    }
  }

  @Override
  public void onPublisherGone() {
  }

  @Override
  public void onStreamEnded() {
    for (HttpFlvViewer viewer : List.copyOf(viewers)) {
      viewer.end();
    }
    viewers.clear();
    onEmpty.run();
  }

  @Override
  public int players() {
    return viewers.size();
  }
}

package org.rtmpcluster.common.stream;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The frames since the latest video keyframe, so that a player who joins starts decoding at once.
 * Bounded in duration and bytes: a GOP that outgrows either bound is dropped whole (a player could
 * not start decoding it without its keyframe), and caching resumes at the next keyframe. For a
 * stream without video the most recent audio within the bounds is kept. Durations are measured on
 * the players' timeline, which does not wrap as a publisher's 32-bit timestamps do.
 */
public final class GopCache {
  private final long maxDurationMs;
  private final long maxBytes;
  private final ArrayDeque<MediaFrame> frames = new ArrayDeque<>();
  private long bytes;
  private boolean hasVideo;
  private boolean collecting;

  public GopCache(long maxDurationMs, long maxBytes) {
    this.maxDurationMs = maxDurationMs;
    this.maxBytes = maxBytes;
  }

  public void add(MediaFrame frame) {
    if (frame.isSequenceHeader() || frame.isMetadata() || !(frame.isAudio() || frame.isVideo())) {
      return;
    }
    if (frame.isVideo()) {
      hasVideo = true;
      if (frame.isKeyframe()) {
        clear();
        collecting = true;
      }
    }
    if (hasVideo && !collecting) {
      return;
    }
    if (!hasVideo) {
      collecting = true;
    }
    frames.addLast(frame);
    bytes += frame.size();
    enforceBounds(frame.playTimestamp());
  }

  private void enforceBounds(long newest) {
    if (hasVideo) {
      if (bytes > maxBytes || newest - frames.peekFirst().playTimestamp() > maxDurationMs) {
        clear();
        collecting = false;
      }
      return;
    }
    while (!frames.isEmpty()
        && (bytes > maxBytes || newest - frames.peekFirst().playTimestamp() > maxDurationMs)) {
      bytes -= frames.removeFirst().size();
    }
  }

  public void clear() {
    frames.clear();
    bytes = 0;
  }

  /** Forgets everything, also whether the stream has video: for a new publisher. */
  public void reset() {
    clear();
    hasVideo = false;
    collecting = false;
  }

  public List<MediaFrame> frames() {
    return new ArrayList<>(frames);
  }

  public long bytes() {
    return bytes;
  }

  public int size() {
    return frames.size();
  }
}

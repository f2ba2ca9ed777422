package org.rtmpcluster.edge.hls;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.rtmpcluster.common.stream.LiveStream;
import org.rtmpcluster.common.stream.MediaFrame;
import org.rtmpcluster.common.stream.StreamListener;

/**
 * One stream as HLS with fMP4 segments (RFC 8216bis): one listener of the stream on its event
 * loop that cuts its frames into segments at keyframes, each at least the target duration, and
 * keeps a sliding window of them, bounded in segments and bytes. It starts from the stream's GOP
 * cache, so its first segment is complete one GOP after the first request. Event loop only.
 */
final class HlsStream implements StreamListener {
  /** A finished segment: its number, its duration and its bytes (one moof and mdat). */
  record Segment(long number, long durationMs, boolean discontinuity, Buffer bytes) {
  }

  private final LiveStream stream;
  private final long targetMs;
  private final int maxSegments;
  private final long maxBytes;
  private final ArrayDeque<Segment> window = new ArrayDeque<>();
  private long windowBytes;
  private long nextNumber;
  private long discontinuities;
  private AvcConfig video;
  private AacConfig audio;
  private Buffer init;
  /** The segment being cut: from a keyframe on. */
  private final List<MediaFrame> videoFrames = new ArrayList<>();
  private final List<MediaFrame> audioFrames = new ArrayList<>();
  private boolean discontinuityNext;
  private long lastRequestMs;
  private final Runnable onSegment;

  /** @param onSegment told each time a segment is finished */
  HlsStream(LiveStream stream, long targetMs, int maxSegments, long maxBytes, long nowMs, Runnable onSegment) {
    this.stream = stream;
    this.onSegment = onSegment;
    this.targetMs = targetMs;
    this.maxSegments = maxSegments;
    this.maxBytes = maxBytes;
    this.lastRequestMs = nowMs;
  }

  void start() {
    stream.addListener(this);
  }

  void stop() {
    stream.removeListener(this);
    window.clear();
  }

  void requested(long nowMs) {
    lastRequestMs = nowMs;
  }

  long lastRequestMs() {
    return lastRequestMs;
  }

  Buffer init() {
    return init;
  }

  boolean ready() {
    return init != null && !window.isEmpty();
  }

  Segment segment(long number) {
    for (Segment segment : window) {
      if (segment.number == number) {
        return segment;
      }
    }
    return null;
  }

  /** The media playlist (RFC 8216bis 4.4); {@code query} goes on every URI, for tokens. */
  String playlist(String query) {
    String suffix = query == null || query.isEmpty() ? "" : "?" + query;
    long longest = targetMs;
    for (Segment segment : window) {
      longest = Math.max(longest, segment.durationMs);
    }
    StringBuilder m3u8 = new StringBuilder(256 + 64 * window.size())
        .append("#EXTM3U\n#EXT-X-VERSION:7\n")
        .append("#EXT-X-TARGETDURATION:").append((longest + 999) / 1000).append('\n')
        .append("#EXT-X-MEDIA-SEQUENCE:").append(window.isEmpty() ? nextNumber : window.peekFirst().number).append('\n')
        .append("#EXT-X-DISCONTINUITY-SEQUENCE:").append(discontinuitiesBefore()).append('\n')
        .append("#EXT-X-INDEPENDENT-SEGMENTS\n")
        .append("#EXT-X-MAP:URI=\"init.mp4").append(suffix).append("\"\n");
    for (Segment segment : window) {
      if (segment.discontinuity) {
        m3u8.append("#EXT-X-DISCONTINUITY\n");
      }
      m3u8.append(String.format(Locale.ROOT, "#EXTINF:%.3f,\n", segment.durationMs / 1000.0))
          .append(segment.number).append(".m4s").append(suffix).append('\n');
    }
    return m3u8.toString();
  }

  /** Discontinuities of segments that already left the window (4.4.3.3). */
  private long discontinuitiesBefore() {
    long inWindow = window.stream().filter(Segment::discontinuity).count();
    return discontinuities - inWindow;
  }

  @Override
  public void onFrame(MediaFrame frame) {
    if (frame.isMetadata()) {
      return;
    }
    if (frame.isSequenceHeader()) {
      onSequenceHeader(frame);
      return;
    }
    if (frame.isVideo()) {
      if (frame.isKeyframe()) {
        if (!videoFrames.isEmpty() && frame.playTimestamp() - videoFrames.get(0).playTimestamp() >= targetMs) {
          finishSegment(frame.playTimestamp());
        }
        if (videoFrames.isEmpty()) {
          audioFrames.clear(); // a segment starts at its keyframe, with the audio from there
        }
      }
      if (!videoFrames.isEmpty() || frame.isKeyframe()) {
        videoFrames.add(frame);
      }
    } else if (frame.isAudio() && !videoFrames.isEmpty()) {
      audioFrames.add(frame);
    }
  }

  private void onSequenceHeader(MediaFrame frame) {
    try {
      if (frame.isVideo()) {
        video = AvcConfig.fromSequenceHeader(frame.payload());
      } else if (frame.isAudio()) {
        audio = AacConfig.fromSequenceHeader(frame.payload());
      }
    } catch (RuntimeException e) {
      return; // not H.264 or AAC: this slice serves those only
    }
    Buffer renewed = video == null ? null : Fmp4.init(video, audio);
    if (nextNumber > 0 && init != null && renewed != null && !renewed.equals(init)) {
      discontinuityNext = true; // new codec settings: a new init segment, after a discontinuity
    }
    init = renewed;
  }

  private void finishSegment(long endMs) {
    if (init == null || videoFrames.isEmpty()) {
      videoFrames.clear();
      audioFrames.clear();
      return;
    }
    List<Fmp4.Sample> videoSamples = new ArrayList<>(videoFrames.size());
    for (int i = 0; i < videoFrames.size(); i++) {
      MediaFrame frame = videoFrames.get(i);
      long next = i + 1 < videoFrames.size() ? videoFrames.get(i + 1).playTimestamp() : endMs;
      Buffer payload = frame.payload();
      if (payload.length() < 5) {
        continue;
      }
      int cts = (payload.getMedium(2) << 8) >> 8;
      videoSamples.add(new Fmp4.Sample(frame.playTimestamp() * 90, (int) Math.max(1, (next - frame.playTimestamp()) * 90),
          cts * 90, i == 0, payload.getBuffer(5, payload.length())));
    }
    List<Fmp4.Sample> audioSamples = new ArrayList<>(audioFrames.size());
    if (audio != null) {
      for (int i = 0; i < audioFrames.size(); i++) {
        MediaFrame frame = audioFrames.get(i);
        if (frame.payload().length() < 3) {
          continue;
        }
        long at = frame.playTimestamp() * audio.sampleRate() / 1000;
        long next = i + 1 < audioFrames.size() ? audioFrames.get(i + 1).playTimestamp() * audio.sampleRate() / 1000
            : at + 1024;
        audioSamples.add(new Fmp4.Sample(at, (int) Math.max(1, next - at), 0, true,
            frame.payload().getBuffer(2, frame.payload().length())));
      }
    }
    long durationMs = endMs - videoFrames.get(0).playTimestamp();
    Buffer bytes = Fmp4.fragment(nextNumber + 1, videoSamples, audioSamples);
    boolean discontinuity = discontinuityNext;
    discontinuityNext = false;
    if (discontinuity) {
      discontinuities++;
    }
    window.addLast(new Segment(nextNumber++, durationMs, discontinuity, bytes));
    windowBytes += bytes.length();
    while (window.size() > maxSegments || windowBytes > maxBytes && window.size() > 1) {
      windowBytes -= window.removeFirst().bytes.length();
    }
    videoFrames.clear();
    audioFrames.clear();
    onSegment.run();
  }

  @Override
  public void onPublisherStarted(long epoch) {
    // The next publisher's segments start on its first keyframe; what was being cut is dropped.
    videoFrames.clear();
    audioFrames.clear();
    if (!window.isEmpty()) {
      discontinuityNext = true;
    }
  }

  @Override
  public void onPublisherGone() {
  }

  @Override
  public void onStreamEnded() {
    window.clear();
  }

  @Override
  public int players() {
    return 1; // its viewers are requests, not connections; it keeps the stream (and an edge's pull) alive
  }
}

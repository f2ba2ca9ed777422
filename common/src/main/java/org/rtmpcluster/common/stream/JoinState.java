package org.rtmpcluster.common.stream;

import java.util.ArrayList;
import java.util.List;
import org.rtmpcluster.common.config.StreamSettings;
import org.rtmpcluster.common.media.AudioTag;
import org.rtmpcluster.common.media.VideoTag;

/**
 * What a player joining a live stream gets before its live frames, so that it starts decoding at
 * once: the latest metadata, the latest video and audio sequence headers, and the frames since the
 * latest keyframe (the {@link GopCache}). The home stream and each of its copies keep one, from
 * the same frames. Single event loop.
 */
final class JoinState {
  private final GopCache gop;
  private MediaFrame metadata;
  private MediaFrame videoSequenceHeader;
  private MediaFrame audioSequenceHeader;

  JoinState(StreamSettings settings) {
    this.gop = new GopCache(settings.gopCacheMaxDurationMs(), settings.gopCacheMaxBytes());
  }

  /** Takes in a frame of the stream: the latest metadata and headers replace earlier ones. */
  void keep(MediaFrame frame) {
    if (frame.isMetadata()) {
      metadata = frame;
    } else if (frame.isSequenceHeader()) {
      if (frame.isVideo()) {
        videoSequenceHeader = frame;
      } else if (frame.isAudio()) {
        audioSequenceHeader = frame;
      }
    } else {
      gop.add(frame);
    }
  }

  /** The publisher left: its GOP is no start for the next one, whose headers may still fit. */
  void forgetGop() {
    gop.reset();
  }

  /** A new publisher sends its own metadata and headers first; the old ones may not fit it. */
  void forget() {
    metadata = null;
    videoSequenceHeader = null;
    audioSequenceHeader = null;
    gop.reset();
  }

  /** Metadata, the latest sequence headers, then the cached GOP: a joiner's first frames. */
  List<MediaFrame> frames() {
    List<MediaFrame> frames = new ArrayList<>(gop.size() + 3);
    if (metadata != null) {
      frames.add(metadata);
    }
    if (videoSequenceHeader != null) {
      frames.add(videoSequenceHeader);
    }
    if (audioSequenceHeader != null) {
      frames.add(audioSequenceHeader);
    }
    frames.addAll(gop.frames());
    return frames;
  }

  /** The codec of the latest video sequence header ("avc1", "hvc1", ...), or null. */
  String videoCodec() {
    return videoSequenceHeader == null ? null : VideoTag.codec(videoSequenceHeader.payload());
  }

  /** The codec of the latest audio sequence header ("mp4a", ...), or null. */
  String audioCodec() {
    return audioSequenceHeader == null ? null : AudioTag.codec(audioSequenceHeader.payload());
  }
}

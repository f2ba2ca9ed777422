package org.rtmpcluster.common.stream;

import io.vertx.core.buffer.Buffer;
import org.rtmpcluster.common.rtmp.message.MessageType;

/**
 * One unit of a live stream as players receive it: audio (8), video (9) or data (18, AMF0) with
 * its timestamp and the facts the stream logic needs, worked out once when it arrives. The
 * stream numbers its frames from 1 in each publisher's epoch ({@code sequence}, 0 until then).
 */
public record MediaFrame(int type, long timestamp, Buffer payload, int flags, long sequence) {
  public static final int KEYFRAME = 1;
  public static final int SEQUENCE_HEADER = 2;
  public static final int METADATA = 4;

  public MediaFrame(int type, long timestamp, Buffer payload, int flags) {
    this(type, timestamp, payload, flags, 0);
  }

  public MediaFrame withSequence(long newSequence) {
    return new MediaFrame(type, timestamp, payload, flags, newSequence);
  }

  public boolean isVideo() {
    return type == MessageType.VIDEO;
  }

  public boolean isAudio() {
    return type == MessageType.AUDIO;
  }

  public boolean isKeyframe() {
    return (flags & KEYFRAME) != 0;
  }

  public boolean isSequenceHeader() {
    return (flags & SEQUENCE_HEADER) != 0;
  }

  public boolean isMetadata() {
    return (flags & METADATA) != 0;
  }

  public int size() {
    return payload.length();
  }
}

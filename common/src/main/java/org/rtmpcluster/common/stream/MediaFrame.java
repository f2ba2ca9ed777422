package org.rtmpcluster.common.stream;

import io.vertx.core.buffer.Buffer;
import org.rtmpcluster.common.rtmp.message.ChunkStreams;
import org.rtmpcluster.common.rtmp.message.MessageType;

/**
 * One unit of a live stream as players receive it: audio (8), video (9) or data (18, AMF0) with
 * its timestamp and the facts the stream logic needs, worked out once when it arrives. Immutable.
 *
 * <p>When the stream takes it in, it gets its place in the stream: a {@code sequence} number
 * (from 1 in each publisher's epoch) and a {@code playTimestamp} on the stream's player timeline,
 * which starts at 0 and never goes backwards across publishers. Because every player of the stream
 * sees the same timestamps, each event loop's {@link StreamLog} chunks the frame once and writes
 * the same bytes to all of its players. The payload is heap memory the garbage collector frees;
 * players' bytes are the logs' pooled blocks, so a frame needs no reference counting.
 *
 * <p>A frame also has a {@code mediaTime}: milliseconds on a clock the whole cluster shares, set
 * once by the origin the publisher sends to (wall-clock time at the publisher's first frame, then
 * the publisher's own clock) and carried unchanged to every edge. Whatever must come out the same
 * on every node, such as HLS segment boundaries and names, is cut on it.
 */
public final class MediaFrame {
  public static final int KEYFRAME = 1;
  public static final int SEQUENCE_HEADER = 2;
  public static final int METADATA = 4;

  private final int type;
  private final long timestamp;
  private final Buffer payload;
  private final int flags;
  private final long sequence;
  private final long playTimestamp;
  private final long mediaTime;

  public MediaFrame(int type, long timestamp, Buffer payload, int flags) {
    this(type, timestamp, payload, flags, 0);
  }

  /** A frame that crossed the cluster, with the media time its origin gave it (0: none yet). */
  public MediaFrame(int type, long timestamp, Buffer payload, int flags, long mediaTime) {
    this(type, timestamp, payload, flags, 0, timestamp, mediaTime);
  }

  private MediaFrame(int type, long timestamp, Buffer payload, int flags, long sequence, long playTimestamp,
      long mediaTime) {
    this.type = type;
    this.timestamp = timestamp;
    this.payload = payload;
    this.flags = flags;
    this.sequence = sequence;
    this.playTimestamp = playTimestamp;
    this.mediaTime = mediaTime;
  }

  /** The frame at its place in a stream: a new frame. */
  public MediaFrame inStream(long newSequence, long newPlayTimestamp, long newMediaTime) {
    return new MediaFrame(type, timestamp, payload, flags, newSequence, newPlayTimestamp, newMediaTime);
  }

  public int type() {
    return type;
  }

  /** The publisher's timestamp. */
  public long timestamp() {
    return timestamp;
  }

  public Buffer payload() {
    return payload;
  }

  public int flags() {
    return flags;
  }

  public long sequence() {
    return sequence;
  }

  /** The timestamp players get (see the class comment). */
  public long playTimestamp() {
    return playTimestamp;
  }

  /** Milliseconds on the cluster's shared clock (see the class comment); 0 before an origin set it. */
  public long mediaTime() {
    return mediaTime;
  }

  public int chunkStreamId() {
    return isAudio() ? ChunkStreams.AUDIO : isVideo() ? ChunkStreams.VIDEO : ChunkStreams.DATA;
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

  @Override
  public String toString() {
    return "MediaFrame[type=" + type + ", timestamp=" + timestamp + ", play=" + playTimestamp
        + ", sequence=" + sequence + ", flags=" + flags + ", size=" + payload.length() + "]";
  }
}

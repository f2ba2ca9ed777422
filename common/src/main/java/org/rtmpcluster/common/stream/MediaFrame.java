package org.rtmpcluster.common.stream;

import io.vertx.core.buffer.Buffer;
import java.util.concurrent.atomic.AtomicInteger;
import org.rtmpcluster.common.rtmp.chunk.ChunkEncoder;
import org.rtmpcluster.common.rtmp.chunk.RtmpMessage;
import org.rtmpcluster.common.rtmp.message.ChunkStreams;
import org.rtmpcluster.common.rtmp.message.MessageType;

/**
 * One unit of a live stream as players receive it: audio (8), video (9) or data (18, AMF0) with
 * its timestamp and the facts the stream logic needs, worked out once when it arrives.
 *
 * <p>When the stream takes it in, it gets its place in the stream: a {@code sequence} number
 * (from 1 in each publisher's epoch) and a {@code playTimestamp} on the stream's player timeline,
 * which starts at 0 and never goes backwards across publishers. Because every player of the stream
 * sees the same timestamps, each event loop's {@link StreamLog} chunks the frame once and writes
 * the same bytes to all of its players. Immutable but for the {@link #wire} cache.
 *
 * <p>Holders {@link #retain} and {@link #release} it (the stream handing it out, a GOP cache, a
 * stream's latest metadata or sequence header, a hop to another event loop). Only chunks made by
 * {@link #wire}, which players no longer use (tools and tests do), live as long as the holds;
 * players' bytes are the logs' blocks.
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

  /**
   * The message stream the shared chunks are made for. Clients call createStream once and play
   * on stream 1; a player on another stream gets the same chunks behind a header of its own
   * (see {@link ChunkEncoder#firstHeaderFor}).
   */
  public static final int WIRE_MESSAGE_STREAM = 1;

  /** Chunks for one chunk size; a record, so that loops see it whole. */
  private record Wire(Buffer bytes, int chunkSize) {
  }

  private volatile Wire wire;
  private final AtomicInteger holds = new AtomicInteger(1);

  public MediaFrame(int type, long timestamp, Buffer payload, int flags) {
    this(type, timestamp, payload, flags, 0, timestamp);
  }

  private MediaFrame(int type, long timestamp, Buffer payload, int flags, long sequence, long playTimestamp) {
    this.type = type;
    this.timestamp = timestamp;
    this.payload = payload;
    this.flags = flags;
    this.sequence = sequence;
    this.playTimestamp = playTimestamp;
  }

  /** Another holder of the frame (see the class comment); returns the frame. */
  public MediaFrame retain() {
    holds.incrementAndGet();
    return this;
  }

  /** A holder lets go; the last one gives the chunks back to the pool. */
  public void release() {
    int left = holds.decrementAndGet();
    if (left == 0) {
      Wire made = wire;
      wire = null;
      if (made != null) {
        WireBuffers.release(made.bytes);
      }
    } else if (left < 0) {
      throw new IllegalStateException("frame released more often than held: " + this);
    }
  }

  /** The frame at its place in a stream: a new frame, held by the caller. */
  public MediaFrame inStream(long newSequence, long newPlayTimestamp) {
    return new MediaFrame(type, timestamp, payload, flags, newSequence, newPlayTimestamp);
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

  public int chunkStreamId() {
    return isAudio() ? ChunkStreams.AUDIO : isVideo() ? ChunkStreams.VIDEO : ChunkStreams.DATA;
  }

  /**
   * The frame as RTMP chunks at its play timestamp, on {@link #WIRE_MESSAGE_STREAM}: made on first
   * use, in pooled direct memory, and then shared by every player. Only a holder of the frame may
   * ask (the chunks live as long as the holds); a socket write takes a reference of its own. A
   * node sends with one chunk size, so there is one such buffer per frame; asked for another chunk
   * size, or for a frame no one holds, the frame is chunked for that caller alone, on the heap.
   */
  public Buffer wire(int chunkSize) {
    Wire cached = wire;
    if (cached != null && cached.chunkSize == chunkSize) {
      return cached.bytes;
    }
    return chunk(chunkSize);
  }

  /** Two loops may ask first at once: the one that comes second finds the other's chunks. */
  private synchronized Buffer chunk(int chunkSize) {
    Wire cached = wire;
    if (cached != null && cached.chunkSize == chunkSize) {
      return cached.bytes;
    }
    RtmpMessage message = new RtmpMessage(chunkStreamId(), type, playTimestamp, WIRE_MESSAGE_STREAM, payload);
    if (cached != null || holds.get() <= 0) {
      Buffer own = Buffer.buffer(ChunkEncoder.sizeHint(message, chunkSize));
      ChunkEncoder.encodeStandalone(message, chunkSize, own);
      return own;
    }
    Buffer bytes = WireBuffers.allocate(ChunkEncoder.sizeHint(message, chunkSize));
    ChunkEncoder.encodeStandalone(message, chunkSize, bytes);
    wire = new Wire(bytes, chunkSize);
    return bytes;
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

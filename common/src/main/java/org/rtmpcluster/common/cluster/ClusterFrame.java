package org.rtmpcluster.common.cluster;

import io.vertx.core.buffer.Buffer;
import org.rtmpcluster.common.stream.MediaFrame;

/**
 * A frame of a live stream as it crosses the cluster: the publisher's epoch (a new publisher,
 * anywhere in the cluster, gets a higher one), a sequence number that counts the frames of the
 * epoch with no gaps (so a receiver can tell loss), and the frame itself. Control frames carry
 * no media and no sequence of their own: {@link #START_OF_EPOCH} announces a new publisher
 * (edges fetch its snapshot at once rather than waiting for its next frame), {@link #HEARTBEAT}
 * says the origin is alive while its publisher sends nothing, {@link #END_OF_EPOCH} says the
 * publisher stopped.
 *
 * <p>Wire layout (big-endian): epoch 8, sequence 8, type 1, flags 1, timestamp 4, media time 8,
 * length 4, payload. The media time is the origin's {@link MediaFrame#mediaTime}.
 */
public record ClusterFrame(long epoch, long sequence, int type, int flags, long timestamp, long mediaTime,
    Buffer payload) {
  public static final int END_OF_EPOCH = 0;
  public static final int START_OF_EPOCH = 1;
  public static final int HEARTBEAT = 2;
  static final int HEADER_LENGTH = 8 + 8 + 1 + 1 + 4 + 8 + 4;

  public static ClusterFrame of(long epoch, long sequence, MediaFrame frame) {
    return new ClusterFrame(epoch, sequence, frame.type(), frame.flags(), frame.timestamp(), frame.mediaTime(),
        frame.payload());
  }

  public static ClusterFrame endOfEpoch(long epoch, long sequence) {
    return new ClusterFrame(epoch, sequence, END_OF_EPOCH, 0, 0, 0, Buffer.buffer(0));
  }

  public static ClusterFrame startOfEpoch(long epoch, long sequence) {
    return new ClusterFrame(epoch, sequence, START_OF_EPOCH, 0, 0, 0, Buffer.buffer(0));
  }

  public static ClusterFrame heartbeat(long epoch, long sequence) {
    return new ClusterFrame(epoch, sequence, HEARTBEAT, 0, 0, 0, Buffer.buffer(0));
  }

  /** Start, heartbeat and end frames: no media, not counted in the sequence. */
  public boolean isControl() {
    return type == START_OF_EPOCH || type == HEARTBEAT || type == END_OF_EPOCH;
  }

  public boolean isHeartbeat() {
    return type == HEARTBEAT;
  }

  public boolean isEndOfEpoch() {
    return type == END_OF_EPOCH;
  }

  public MediaFrame toMediaFrame() {
    return new MediaFrame(type, timestamp, payload, flags, mediaTime);
  }

  public int encodedLength() {
    return HEADER_LENGTH + payload.length();
  }

  public void writeTo(Buffer out) {
    out.appendLong(epoch).appendLong(sequence).appendUnsignedByte((short) type)
        .appendUnsignedByte((short) flags).appendUnsignedInt(timestamp).appendLong(mediaTime).appendInt(payload.length())
        .appendBuffer(payload);
  }

  /** Reads a frame at {@code position}; the payload is a slice of {@code in}, not a copy. */
  public static ClusterFrame readFrom(Buffer in, int position) {
    if (in.length() - position < HEADER_LENGTH) {
      throw new IllegalArgumentException("truncated cluster frame at " + position);
    }
    long epoch = in.getLong(position);
    long sequence = in.getLong(position + 8);
    int type = in.getUnsignedByte(position + 16);
    int flags = in.getUnsignedByte(position + 17);
    long timestamp = in.getUnsignedInt(position + 18);
    long mediaTime = in.getLong(position + 22);
    int length = in.getInt(position + 30);
    int start = position + HEADER_LENGTH;
    if (length < 0 || length > in.length() - start) {
      throw new IllegalArgumentException("cluster frame length " + length + " past the end at " + position);
    }
    return new ClusterFrame(epoch, sequence, type, flags, timestamp, mediaTime, in.slice(start, start + length));
  }
}

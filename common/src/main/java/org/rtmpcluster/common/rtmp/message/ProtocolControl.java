package org.rtmpcluster.common.rtmp.message;

import io.vertx.core.buffer.Buffer;
import org.rtmpcluster.common.rtmp.chunk.RtmpMessage;

/** Protocol control messages (spec 5.4); they travel on chunk stream 2, message stream 0. */
public final class ProtocolControl {
  public static final int CHUNK_STREAM = ChunkStreams.CONTROL;

  /** Set Peer Bandwidth limit types (spec 5.4.5). */
  public static final int LIMIT_HARD = 0;
  public static final int LIMIT_SOFT = 1;
  public static final int LIMIT_DYNAMIC = 2;

  private ProtocolControl() {
  }

  public static RtmpMessage setChunkSize(int size) {
    return control(MessageType.SET_CHUNK_SIZE, Buffer.buffer(4).appendInt(size & 0x7FFFFFFF));
  }

  public static RtmpMessage abort(int chunkStreamId) {
    return control(MessageType.ABORT, Buffer.buffer(4).appendInt(chunkStreamId));
  }

  public static RtmpMessage acknowledgement(long sequenceNumber) {
    return control(MessageType.ACKNOWLEDGEMENT, Buffer.buffer(4).appendUnsignedInt(sequenceNumber & 0xFFFFFFFFL));
  }

  public static RtmpMessage windowAckSize(int size) {
    return control(MessageType.WINDOW_ACK_SIZE, Buffer.buffer(4).appendInt(size));
  }

  public static RtmpMessage setPeerBandwidth(int size, int limitType) {
    return control(MessageType.SET_PEER_BANDWIDTH,
        Buffer.buffer(5).appendInt(size).appendUnsignedByte((short) limitType));
  }

  private static RtmpMessage control(int type, Buffer payload) {
    return new RtmpMessage(CHUNK_STREAM, type, 0, 0, payload);
  }
}

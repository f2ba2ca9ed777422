package org.rtmpcluster.common.rtmp.chunk;

import io.vertx.core.buffer.Buffer;

/**
 * One RTMP message as the chunk stream carries it (spec 5.3): the chunk stream it travelled on,
 * its type id, its absolute 32-bit timestamp, its message stream id and its payload.
 *
 * @param chunkStreamId   2..65599
 * @param typeId          message type (see {@link org.rtmpcluster.common.rtmp.message.MessageType})
 * @param timestamp       absolute timestamp in milliseconds, unsigned 32 bits
 * @param messageStreamId the stream the message belongs to; 0 for the NetConnection
 * @param payload         the message body
 */
public record RtmpMessage(int chunkStreamId, int typeId, long timestamp, int messageStreamId, Buffer payload) {

  public RtmpMessage {
    timestamp &= 0xFFFFFFFFL;
  }

  public int length() {
    return payload.length();
  }
}

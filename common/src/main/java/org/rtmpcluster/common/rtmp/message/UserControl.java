package org.rtmpcluster.common.rtmp.message;

import io.vertx.core.buffer.Buffer;
import org.rtmpcluster.common.rtmp.chunk.RtmpMessage;

/** User control messages (spec 6.2, 7.1.7): a 2-byte event type and its data. */
public final class UserControl {
  public static final int STREAM_BEGIN = 0;
  public static final int STREAM_EOF = 1;
  public static final int STREAM_DRY = 2;
  public static final int SET_BUFFER_LENGTH = 3;
  public static final int STREAM_IS_RECORDED = 4;
  public static final int PING_REQUEST = 6;
  public static final int PING_RESPONSE = 7;

  private UserControl() {
  }

  /** A parsed event; {@code value2} is only meaningful for SetBufferLength (the buffer in ms). */
  public record Event(int type, long value, long value2) {
  }

  /** Null when the payload is too short for the event it names. */
  public static Event parse(Buffer payload) {
    if (payload.length() < 2) {
      return null;
    }
    int type = payload.getUnsignedShort(0);
    if (type == SET_BUFFER_LENGTH) {
      return payload.length() < 10 ? null
          : new Event(type, payload.getUnsignedInt(2), payload.getUnsignedInt(6));
    }
    return payload.length() < 6 ? new Event(type, 0, 0) : new Event(type, payload.getUnsignedInt(2), 0);
  }

  public static RtmpMessage streamBegin(int streamId) {
    return event(STREAM_BEGIN, streamId);
  }

  public static RtmpMessage streamEof(int streamId) {
    return event(STREAM_EOF, streamId);
  }

  public static RtmpMessage streamDry(int streamId) {
    return event(STREAM_DRY, streamId);
  }

  public static RtmpMessage streamIsRecorded(int streamId) {
    return event(STREAM_IS_RECORDED, streamId);
  }

  public static RtmpMessage setBufferLength(int streamId, int millis) {
    return message(Buffer.buffer(10).appendUnsignedShort(SET_BUFFER_LENGTH).appendInt(streamId).appendInt(millis));
  }

  public static RtmpMessage pingRequest(long timestamp) {
    return event(PING_REQUEST, timestamp);
  }

  public static RtmpMessage pingResponse(long timestamp) {
    return event(PING_RESPONSE, timestamp);
  }

  private static RtmpMessage event(int type, long value) {
    return message(Buffer.buffer(6).appendUnsignedShort(type).appendUnsignedInt(value & 0xFFFFFFFFL));
  }

  private static RtmpMessage message(Buffer payload) {
    return new RtmpMessage(ProtocolControl.CHUNK_STREAM, MessageType.USER_CONTROL, 0, 0, payload);
  }
}

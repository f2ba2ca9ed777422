package org.rtmpcluster.common.media;

import io.vertx.core.buffer.Buffer;

/**
 * Splits an RTMP aggregate message (type 22, RTMP spec 7.1.6): a run of sub-messages, each laid
 * out like an FLV tag: an 11-byte header (type 1 byte, body size 3, timestamp 3 plus 1 extended
 * byte holding bits 24-31, stream id 3), the body, and a 4-byte back pointer (the previous
 * sub-message's size; read past, not checked, as nginx-rtmp does).
 *
 * <p>The first sub-message's timestamp maps to the aggregate's own timestamp; the others keep
 * their offset from the first (spec 7.1.6, nginx-rtmp), in 32-bit RTMP time. The sub-message
 * stream id is ignored: the parts belong to the aggregate's message stream.
 */
public final class AggregateMessage {

  /** Receives each part; {@code body} is a slice sharing the aggregate payload's memory. */
  public interface PartHandler {
    void part(int messageType, long timestamp, Buffer body);
  }

  static final int TAG_HEADER_LENGTH = 11;
  static final int BACK_POINTER_LENGTH = 4;

  /** Sub-message types accepted: audio, video, and data (AMF0 18, AMF3 15), what FLV tags hold. */
  static final int TYPE_AUDIO = 8;
  static final int TYPE_VIDEO = 9;
  static final int TYPE_DATA_AMF3 = 15;
  static final int TYPE_DATA_AMF0 = 18;

  private static final long TIMESTAMP_MASK = 0xFFFF_FFFFL;

  private AggregateMessage() {}

  /**
   * Checks the whole payload first, then hands every part to {@code handler} in order. Returns
   * null on success, or an error saying what is wrong (empty payload, truncated header, body or
   * back pointer, unknown sub-message type, more than {@code maxParts} parts); on error the
   * handler is not called at all, so a malformed aggregate is dropped whole. Never throws on any
   * payload; exceptions thrown by the handler are the handler's own and pass through.
   */
  public static String split(Buffer payload, long aggregateTimestamp, int maxParts, PartHandler handler) {
    String error = validate(payload, maxParts);
    if (error != null) {
      return error;
    }
    long firstTimestamp = timestamp(payload, 0);
    int offset = 0;
    while (offset < payload.length()) {
      int type = payload.getUnsignedByte(offset);
      int size = payload.getUnsignedMedium(offset + 1);
      long rebased = (aggregateTimestamp + timestamp(payload, offset) - firstTimestamp) & TIMESTAMP_MASK;
      int bodyStart = offset + TAG_HEADER_LENGTH;
      handler.part(type, rebased, payload.slice(bodyStart, bodyStart + size));
      offset = bodyStart + size + BACK_POINTER_LENGTH;
    }
    return null;
  }

  private static String validate(Buffer payload, int maxParts) {
    if (payload == null || payload.length() == 0) {
      return "empty aggregate message";
    }
    int length = payload.length();
    int offset = 0;
    int parts = 0;
    while (offset < length) {
      if (length - offset < TAG_HEADER_LENGTH) {
        return "aggregate part " + parts + " at offset " + offset + ": header truncated, "
            + (length - offset) + " of " + TAG_HEADER_LENGTH + " bytes";
      }
      int type = payload.getUnsignedByte(offset);
      if (type != TYPE_AUDIO && type != TYPE_VIDEO && type != TYPE_DATA_AMF0 && type != TYPE_DATA_AMF3) {
        return "aggregate part " + parts + " at offset " + offset + ": unknown message type " + type;
      }
      int size = payload.getUnsignedMedium(offset + 1);
      // long arithmetic: a 24-bit size near the int limit of offset must not wrap.
      long end = (long) offset + TAG_HEADER_LENGTH + size + BACK_POINTER_LENGTH;
      if (end > length) {
        return "aggregate part " + parts + " at offset " + offset + ": body of " + size
            + " bytes and back pointer run past the end (" + length + " bytes)";
      }
      parts++;
      if (parts > maxParts) {
        return "aggregate message has more than " + maxParts + " parts";
      }
      offset = (int) end;
    }
    return null;
  }

  /** The 3-byte timestamp with the extended byte as bits 24-31, as in an FLV tag header. */
  private static long timestamp(Buffer payload, int offset) {
    return ((long) payload.getUnsignedByte(offset + 7) << 24) | payload.getUnsignedMedium(offset + 4);
  }
}

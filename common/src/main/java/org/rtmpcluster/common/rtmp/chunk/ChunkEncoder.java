package org.rtmpcluster.common.rtmp.chunk;

import io.vertx.core.buffer.Buffer;
import java.util.HashMap;
import java.util.Map;

/**
 * Splits messages into chunks (spec 5.3), using the shortest header the previous message on the
 * same chunk stream allows: type 0 for a new message stream or a timestamp going backwards, type 1
 * when length or type change, type 2 when only the delta changes, type 3 when nothing does.
 *
 * <p>A type-3 chunk that starts a new message after a type-0 header would repeat that header's
 * absolute timestamp as a delta (spec 5.3.1.2.4, and what ffmpeg decodes), so that form is only
 * used after a type 1 or 2 header. Extended timestamps are repeated in continuation chunks.
 */
public final class ChunkEncoder {

  private static final long MAX_TIMESTAMP_FIELD = 0xFFFFFF;

  private static final class LastHeader {
    long timestamp;
    long delta;
    int length;
    int typeId;
    int messageStreamId;
    boolean deltaValid;
  }

  private final Map<Integer, LastHeader> last = new HashMap<>();
  private int chunkSize = ChunkDecoder.DEFAULT_CHUNK_SIZE;

  public int chunkSize() {
    return chunkSize;
  }

  /** Takes effect for the next message; send Set Chunk Size to the peer first. */
  public void setChunkSize(int chunkSize) {
    if (chunkSize < 1) {
      throw new IllegalArgumentException("chunk size " + chunkSize);
    }
    this.chunkSize = chunkSize;
  }

  /**
   * Chunks a message into {@code out} with a type-0 header and type-3 continuations, using no
   * state of any connection, so that the same bytes can go to many connections that send with
   * this chunk size.
   */
  public static void encodeStandalone(RtmpMessage message, int chunkSize, Buffer out) {
    ChunkEncoder fresh = new ChunkEncoder();
    fresh.setChunkSize(chunkSize);
    fresh.encode(message, out);
  }

  /**
   * Length of the type-0 header that begins {@code chunks} as {@link #encodeStandalone} makes
   * them: the basic header (1 to 3 bytes, spec 5.3.1.1) and the 11-byte message header, whose
   * last four bytes are the message stream id (5.3.1.2.1). An extended timestamp follows it.
   */
  public static int firstHeaderLength(Buffer chunks) {
    int basicLength = switch (chunks.getUnsignedByte(0) & 0x3F) {
      case 0 -> 2;
      case 1 -> 3;
      default -> 1;
    };
    return basicLength + 11;
  }

  /** The message stream id in the type-0 header that begins {@code chunks}. */
  public static int messageStreamIdOf(Buffer chunks) {
    return chunks.getIntLE(firstHeaderLength(chunks) - 4);
  }

  /**
   * A copy of the type-0 header that begins {@code chunks}, for another message stream. Only
   * that header names the stream (continuation chunks do not), so this header followed by the
   * rest of the chunks is the same message on the other stream, at the cost of a dozen bytes.
   */
  public static Buffer firstHeaderFor(Buffer chunks, int messageStreamId) {
    int length = firstHeaderLength(chunks);
    Buffer header = chunks.getBuffer(0, length);
    header.setIntLE(length - 4, messageStreamId);
    return header;
  }

  /** Room for a message's chunks in the usual case; a buffer grows past it when needed. */
  public static int sizeHint(RtmpMessage message, int chunkSize) {
    return message.length() + 18 + message.length() / chunkSize * 5;
  }

  /**
   * Forgets what was last sent on a chunk stream, because bytes made elsewhere were written to
   * it; the next message there gets a full type-0 header.
   */
  public void forget(int chunkStreamId) {
    last.remove(chunkStreamId);
  }

  public Buffer encode(RtmpMessage message) {
    Buffer out = Buffer.buffer(sizeHint(message, chunkSize));
    encode(message, out);
    return out;
  }

  public void encode(RtmpMessage message, Buffer out) {
    int csid = message.chunkStreamId();
    LastHeader previous = last.get(csid);
    long timestamp = message.timestamp();
    int fmt;
    long timestampField;
    if (previous == null || previous.messageStreamId != message.messageStreamId()
        || timestamp < previous.timestamp) {
      fmt = 0;
      timestampField = timestamp;
    } else {
      long delta = timestamp - previous.timestamp;
      timestampField = delta;
      if (previous.length != message.length() || previous.typeId != message.typeId()) {
        fmt = 1;
      } else if (previous.deltaValid && previous.delta == delta) {
        fmt = 3;
      } else {
        fmt = 2;
      }
    }
    if (previous == null) {
      previous = new LastHeader();
      last.put(csid, previous);
    }
    previous.deltaValid = fmt != 0;
    previous.delta = timestampField;
    previous.timestamp = timestamp;
    previous.length = message.length();
    previous.typeId = message.typeId();
    previous.messageStreamId = message.messageStreamId();

    boolean extended = timestampField >= MAX_TIMESTAMP_FIELD;
    writeBasicHeader(out, fmt, csid);
    if (fmt <= 2) {
      out.appendMedium((int) Math.min(timestampField, MAX_TIMESTAMP_FIELD));
    }
    if (fmt <= 1) {
      out.appendMedium(message.length());
      out.appendUnsignedByte((short) message.typeId());
    }
    if (fmt == 0) {
      out.appendIntLE(message.messageStreamId());
    }
    if (extended) {
      out.appendUnsignedInt(timestampField);
    }
    Buffer payload = message.payload();
    int length = payload.length();
    for (int offset = 0; ; ) {
      int size = Math.min(chunkSize, length - offset);
      out.appendBuffer(payload, offset, size);
      offset += size;
      if (offset >= length) {
        break;
      }
      writeBasicHeader(out, 3, csid);
      if (extended) {
        out.appendUnsignedInt(timestampField);
      }
    }
  }

  static void writeBasicHeader(Buffer out, int fmt, int csid) {
    if (csid < 2 || csid > 65599) {
      throw new IllegalArgumentException("chunk stream id " + csid + " outside 2..65599");
    }
    if (csid <= 63) {
      out.appendUnsignedByte((short) ((fmt << 6) | csid));
    } else if (csid <= 319) {
      out.appendUnsignedByte((short) (fmt << 6));
      out.appendUnsignedByte((short) (csid - 64));
    } else {
      out.appendUnsignedByte((short) ((fmt << 6) | 1));
      out.appendUnsignedByte((short) ((csid - 64) & 0xFF));
      out.appendUnsignedByte((short) ((csid - 64) >>> 8));
    }
  }
}

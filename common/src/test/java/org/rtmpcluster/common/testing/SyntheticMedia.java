package org.rtmpcluster.common.testing;

import io.vertx.core.buffer.Buffer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.rtmpcluster.common.amf.Amf0Writer;

/**
 * FLV tag bodies shaped like an H.264 + AAC encoder's, for in-JVM tests. Each payload carries
 * a marker so that tests can tell which frame a player received; the bytes are not decodable.
 */
public final class SyntheticMedia {

  private SyntheticMedia() {
  }

  /** AVC sequence header: keyframe + codec 7, packet type 0, then a decoder configuration record. */
  public static Buffer avcSequenceHeader(int version) {
    return Buffer.buffer().appendUnsignedByte((short) 0x17).appendUnsignedByte((short) 0)
        .appendMedium(0).appendBytes(new byte[] {1, 0x42, 0, 0x1E, (byte) 0xFF, (byte) version});
  }

  public static Buffer aacSequenceHeader() {
    return Buffer.buffer().appendUnsignedByte((short) 0xAF).appendUnsignedByte((short) 0)
        .appendBytes(new byte[] {0x12, 0x10});
  }

  /** A video frame: keyframe or inter frame, with {@code marker} as its first NALU bytes. */
  public static Buffer videoFrame(boolean keyframe, int marker, int size) {
    Buffer b = Buffer.buffer(Math.max(9, size)).appendUnsignedByte((short) (keyframe ? 0x17 : 0x27))
        .appendUnsignedByte((short) 1).appendMedium(0).appendInt(marker);
    while (b.length() < size) {
      b.appendByte((byte) 0x55);
    }
    return b;
  }

  public static Buffer aacFrame(int marker) {
    return Buffer.buffer().appendUnsignedByte((short) 0xAF).appendUnsignedByte((short) 1).appendInt(marker);
  }

  /** {@code @setDataFrame onMetaData {...}} as encoders send it. */
  public static Buffer setDataFrameMetadata(String title) {
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("width", 320.0);
    meta.put("height", 180.0);
    meta.put("framerate", 30.0);
    meta.put("videocodecid", 7.0);
    meta.put("audiocodecid", 10.0);
    meta.put("title", title);
    return Amf0Writer.encode("@setDataFrame", "onMetaData", meta);
  }

  /** The marker of a frame made by {@link #videoFrame} or {@link #aacFrame}. */
  public static int marker(Buffer payload) {
    return payload.length() >= 6 && (payload.getUnsignedByte(0) & 0x0F) == 7 ? payload.getInt(5)
        : payload.length() >= 6 ? payload.getInt(2) : -1;
  }
}

package org.rtmpcluster.common.amf;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/** Builds test vectors from hex fields written one per line, like a spec table. */
final class Hex {

  private Hex() {}

  /** Concatenates hex fields; spaces inside a field are ignored. */
  static Buffer hex(String... fields) {
    StringBuilder all = new StringBuilder();
    for (String field : fields) {
      all.append(field.replace(" ", ""));
    }
    return Buffer.buffer(HexFormat.of().parseHex(all.toString()));
  }

  /** The UTF-8 bytes of {@code text} as hex, so vectors can show names as text. */
  static String utf8(String text) {
    return HexFormat.of().formatHex(text.getBytes(StandardCharsets.UTF_8));
  }

  static String hexOf(Buffer buffer) {
    return HexFormat.of().formatHex(buffer.getBytes());
  }

  /** Copy of the first {@code length} bytes, so a reader sees a buffer that really ends there. */
  static Buffer prefix(Buffer buffer, int length) {
    return buffer.getBuffer(0, length);
  }
}

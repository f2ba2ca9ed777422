package org.rtmpcluster.common.media;

import io.vertx.core.buffer.Buffer;

/** Builds test payloads from annotated byte lists. */
final class Bytes {

  private Bytes() {}

  static Buffer of(int... values) {
    Buffer buffer = Buffer.buffer(values.length);
    for (int value : values) {
      buffer.appendByte((byte) value);
    }
    return buffer;
  }
}

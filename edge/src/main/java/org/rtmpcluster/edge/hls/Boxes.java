package org.rtmpcluster.edge.hls;

import io.vertx.core.buffer.Buffer;

/** ISO BMFF boxes (ISO/IEC 14496-12, 4.2) written into one buffer: a size, a type, the content. */
final class Boxes {
  private final Buffer out;

  Boxes(Buffer out) {
    this.out = out;
  }

  Buffer buffer() {
    return out;
  }

  /** Opens a box; {@link #close} writes its size once its content is written. */
  int open(String type) {
    int start = out.length();
    out.appendInt(0);
    appendType(type);
    return start;
  }

  /** Opens a full box (4.2): version and flags after the type. */
  int openFull(String type, int version, int flags) {
    int start = open(type);
    out.appendInt((version << 24) | (flags & 0xFFFFFF));
    return start;
  }

  void close(int start) {
    out.setInt(start, out.length() - start);
  }

  private void appendType(String type) {
    for (int i = 0; i < 4; i++) {
      out.appendByte((byte) type.charAt(i));
    }
  }

  Boxes u8(int value) {
    out.appendByte((byte) value);
    return this;
  }

  Boxes u16(int value) {
    out.appendShort((short) value);
    return this;
  }

  Boxes u24(int value) {
    out.appendMedium(value);
    return this;
  }

  Boxes u32(long value) {
    out.appendInt((int) value);
    return this;
  }

  Boxes u64(long value) {
    out.appendLong(value);
    return this;
  }

  Boxes bytes(Buffer bytes) {
    out.appendBuffer(bytes);
    return this;
  }

  Boxes zeros(int count) {
    for (int i = 0; i < count; i++) {
      out.appendByte((byte) 0);
    }
    return this;
  }

  Boxes fourcc(String type) {
    appendType(type);
    return this;
  }

  /** The unity matrix of mvhd and tkhd (8.2.2, 8.3.2). */
  Boxes unityMatrix() {
    return u32(0x00010000).u32(0).u32(0).u32(0).u32(0x00010000).u32(0).u32(0).u32(0).u32(0x40000000);
  }
}

package org.rtmpcluster.common.amf;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;

/**
 * A bounds-checked cursor over {@code buffer[start, end)}, shared by the AMF0 reader and the AMF3
 * reader it switches to, so both advance the same position. Every read first checks that the
 * bytes are there; offsets in messages are absolute buffer indexes.
 */
final class AmfInput {

  private final Buffer buffer;
  private final int end;
  private final AmfLimits limits;
  private int position;

  AmfInput(Buffer buffer, int start, int end, AmfLimits limits) {
    if (buffer == null || limits == null) {
      throw new IllegalArgumentException("buffer and limits are required");
    }
    if (start < 0 || start > end || end > buffer.length()) {
      throw new IllegalArgumentException(
          "range [" + start + ", " + end + ") outside buffer of " + buffer.length() + " bytes");
    }
    this.buffer = buffer;
    this.position = start;
    this.end = end;
    this.limits = limits;
  }

  AmfLimits limits() {
    return limits;
  }

  int position() {
    return position;
  }

  int remaining() {
    return end - position;
  }

  AmfException error(String message, int offset) {
    return new AmfException(message + " at offset " + offset);
  }

  private void require(int count, String what) throws AmfException {
    if (count > end - position) {
      throw error("truncated " + what, position);
    }
  }

  int readUnsignedByte(String what) throws AmfException {
    require(1, what);
    return buffer.getUnsignedByte(position++);
  }

  int readUnsignedShort(String what) throws AmfException {
    require(2, what);
    int value = buffer.getUnsignedShort(position);
    position += 2;
    return value;
  }

  short readShort(String what) throws AmfException {
    require(2, what);
    short value = buffer.getShort(position);
    position += 2;
    return value;
  }

  long readUnsignedInt(String what) throws AmfException {
    require(4, what);
    long value = buffer.getUnsignedInt(position);
    position += 4;
    return value;
  }

  int readInt(String what) throws AmfException {
    require(4, what);
    int value = buffer.getInt(position);
    position += 4;
    return value;
  }

  double readDouble(String what) throws AmfException {
    require(8, what);
    double value = buffer.getDouble(position);
    position += 8;
    return value;
  }

  /**
   * Reads {@code length} bytes of UTF-8. The length comes from the wire, so it is checked against
   * the string limit and the bytes left before any allocation. {@code lengthOffset} is where the
   * length field started, for the error message.
   */
  String readUtf8(long length, String what, int lengthOffset) throws AmfException {
    byte[] bytes = readBytes(length, what, lengthOffset);
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /** Reads {@code length} raw bytes, capped like a string (AMF3 ByteArray, spec 3.14). */
  byte[] readBytes(long length, String what, int lengthOffset) throws AmfException {
    if (length > limits.maxStringLength()) {
      throw error(what + " of " + length + " bytes exceeds limit "
          + limits.maxStringLength(), lengthOffset);
    }
    require((int) length, what);
    byte[] bytes = buffer.getBytes(position, position + (int) length);
    position += (int) length;
    return bytes;
  }

  /**
   * Checks a count read from the wire against the element limit and against the bytes left,
   * given that each element takes at least {@code minBytesEach} bytes. Returns it as an int that
   * is safe to pre-size a collection with.
   */
  int checkCount(long count, int minBytesEach, String what, int countOffset) throws AmfException {
    if (count > limits.maxElements()) {
      throw error(what + " of " + count + " elements exceeds limit "
          + limits.maxElements(), countOffset);
    }
    if (count * minBytesEach > end - position) {
      throw error("truncated " + what + " (" + count + " elements need at least "
          + count * minBytesEach + " bytes, " + (end - position) + " left)", countOffset);
    }
    return (int) count;
  }

  /** For containers counted while reading (objects, ECMA arrays, dynamic members). */
  void checkMemberCount(int countSoFar, String what, int containerOffset) throws AmfException {
    if (countSoFar > limits.maxElements()) {
      throw error(what + " has more than " + limits.maxElements() + " members",
          containerOffset);
    }
  }

  /** Called on entering a container; {@code depth} counts it. */
  void checkDepth(int depth, int containerOffset) throws AmfException {
    if (depth > limits.maxDepth()) {
      throw error("AMF nesting deeper than " + limits.maxDepth(), containerOffset);
    }
  }
}

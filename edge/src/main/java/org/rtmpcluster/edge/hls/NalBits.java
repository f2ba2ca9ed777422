package org.rtmpcluster.edge.hls;

/**
 * A bit reader over a NAL unit's payload or an OBU: fixed-width fields and the Exp-Golomb codes
 * of H.264 and H.265 (ITU-T H.264 9.1, H.265 9.2). Reading past the end throws
 * {@link IndexOutOfBoundsException}, which parsers turn into "size unknown".
 */
final class NalBits {
  private final byte[] data;
  private int bit;

  NalBits(byte[] data, int startByte) {
    this.data = data;
    this.bit = startByte * 8;
  }

  /** H.264 7.4.1 and H.265 7.4.2: drops emulation prevention bytes (0x000003 stands for 0x0000). */
  static byte[] unescape(byte[] nal) {
    byte[] out = new byte[nal.length];
    int length = 0;
    int zeros = 0;
    for (byte b : nal) {
      if (zeros >= 2 && b == 3) {
        zeros = 0;
        continue;
      }
      zeros = b == 0 ? zeros + 1 : 0;
      out[length++] = b;
    }
    return java.util.Arrays.copyOf(out, length);
  }

  /** An unsigned field of up to 32 bits. */
  long bits(int count) {
    long value = 0;
    for (int i = 0; i < count; i++) {
      if (bit >> 3 >= data.length) {
        throw new IndexOutOfBoundsException("past the end of the unit");
      }
      int b = (data[bit >> 3] >> (7 - (bit & 7))) & 1;
      value = (value << 1) | b;
      bit++;
    }
    return value;
  }

  int u(int count) {
    return (int) bits(count);
  }

  void skip(int count) {
    bits(count);
  }

  int ue() {
    int zeros = 0;
    while (u(1) == 0) {
      if (++zeros > 31) {
        throw new IndexOutOfBoundsException("Exp-Golomb code too long");
      }
    }
    return (int) ((1L << zeros) - 1 + (zeros == 0 ? 0 : bits(zeros)));
  }

  int se() {
    int k = ue();
    return (k & 1) == 1 ? (k + 1) / 2 : -(k / 2);
  }
}

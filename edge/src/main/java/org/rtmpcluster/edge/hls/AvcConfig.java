package org.rtmpcluster.edge.hls;

import io.vertx.core.buffer.Buffer;

/**
 * An AVC sequence header as fMP4 needs it: the AVCDecoderConfigurationRecord (ISO/IEC 14496-15,
 * 5.3.3.1) for the avcC box, and the picture size from its first SPS (ITU-T H.264, 7.3.2.1.1).
 */
record AvcConfig(Buffer record, int width, int height) {

  /** From an FLV/RTMP AVC sequence header: frame type and codec, packet type 0, composition time, the record. */
  static AvcConfig fromSequenceHeader(Buffer payload) {
    if (payload.length() < 5 + 7 || payload.getUnsignedByte(1) != 0) {
      throw new IllegalArgumentException("not an AVC sequence header");
    }
    Buffer record = payload.getBuffer(5, payload.length());
    int spsCount = record.getUnsignedByte(5) & 0x1F;
    if (spsCount == 0 || record.length() < 8) {
      return new AvcConfig(record, 0, 0);
    }
    int spsLength = record.getUnsignedShort(6);
    if (8 + spsLength > record.length()) {
      throw new IllegalArgumentException("AVC sequence header: SPS past its end");
    }
    int[] size = pictureSize(record.getBytes(8, 8 + spsLength));
    return new AvcConfig(record, size[0], size[1]);
  }

  /** Width and height in pixels, after cropping; {0, 0} when the SPS cannot be read. */
  static int[] pictureSize(byte[] nal) {
    try {
      Bits bits = new Bits(unescape(nal), 1);
      int profile = bits.u(8);
      bits.u(16); // constraint flags, level
      bits.ue(); // seq_parameter_set_id
      int chroma = 1;
      if (profile == 100 || profile == 110 || profile == 122 || profile == 244 || profile == 44 || profile == 83
          || profile == 86 || profile == 118 || profile == 128 || profile == 138 || profile == 139
          || profile == 134 || profile == 135) {
        chroma = bits.ue();
        if (chroma == 3) {
          bits.u(1);
        }
        bits.ue();
        bits.ue();
        bits.u(1);
        if (bits.u(1) == 1) {
          for (int i = 0; i < (chroma == 3 ? 12 : 8); i++) {
            if (bits.u(1) == 1) {
              skipScalingList(bits, i < 6 ? 16 : 64);
            }
          }
        }
      }
      bits.ue(); // log2_max_frame_num_minus4
      int pocType = bits.ue();
      if (pocType == 0) {
        bits.ue();
      } else if (pocType == 1) {
        bits.u(1);
        bits.se();
        bits.se();
        int cycle = bits.ue();
        for (int i = 0; i < cycle; i++) {
          bits.se();
        }
      }
      bits.ue(); // max_num_ref_frames
      bits.u(1);
      int widthMbs = bits.ue() + 1;
      int heightMapUnits = bits.ue() + 1;
      int frameMbsOnly = bits.u(1);
      if (frameMbsOnly == 0) {
        bits.u(1);
      }
      bits.u(1);
      int cropLeft = 0;
      int cropRight = 0;
      int cropTop = 0;
      int cropBottom = 0;
      if (bits.u(1) == 1) {
        cropLeft = bits.ue();
        cropRight = bits.ue();
        cropTop = bits.ue();
        cropBottom = bits.ue();
      }
      int subWidth = chroma == 1 || chroma == 2 ? 2 : 1;
      int subHeight = chroma == 1 ? 2 : 1;
      int cropX = chroma == 0 ? 1 : subWidth;
      int cropY = (chroma == 0 ? 1 : subHeight) * (2 - frameMbsOnly);
      int width = widthMbs * 16 - cropX * (cropLeft + cropRight);
      int height = (2 - frameMbsOnly) * heightMapUnits * 16 - cropY * (cropTop + cropBottom);
      return new int[] {Math.max(0, width), Math.max(0, height)};
    } catch (IndexOutOfBoundsException e) {
      return new int[] {0, 0};
    }
  }

  private static void skipScalingList(Bits bits, int size) {
    int last = 8;
    int next = 8;
    for (int j = 0; j < size; j++) {
      if (next != 0) {
        next = (last + bits.se() + 256) % 256;
      }
      last = next == 0 ? last : next;
    }
  }

  /** Drops emulation prevention bytes (7.4.1: 0x000003 stands for 0x0000). */
  private static byte[] unescape(byte[] nal) {
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

  /** An Exp-Golomb bit reader (9.1). */
  private static final class Bits {
    private final byte[] data;
    private int bit;

    Bits(byte[] data, int startByte) {
      this.data = data;
      this.bit = startByte * 8;
    }

    int u(int count) {
      int value = 0;
      for (int i = 0; i < count; i++) {
        int b = (data[bit >> 3] >> (7 - (bit & 7))) & 1;
        value = (value << 1) | b;
        bit++;
      }
      return value;
    }

    int ue() {
      int zeros = 0;
      while (u(1) == 0) {
        if (++zeros > 31) {
          throw new IndexOutOfBoundsException("Exp-Golomb code too long");
        }
      }
      return (int) ((1L << zeros) - 1 + (zeros == 0 ? 0 : Integer.toUnsignedLong(u(zeros))));
    }

    int se() {
      int k = ue();
      return (k & 1) == 1 ? (k + 1) / 2 : -(k / 2);
    }
  }
}

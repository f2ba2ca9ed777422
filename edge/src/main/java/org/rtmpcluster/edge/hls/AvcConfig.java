package org.rtmpcluster.edge.hls;

import io.vertx.core.buffer.Buffer;

/**
 * H.264 for fMP4: the AVCDecoderConfigurationRecord (ISO/IEC 14496-15, 5.3.3.1) goes into the
 * avcC box as it is; the picture size comes from its first SPS (ITU-T H.264, 7.3.2.1.1).
 */
final class AvcConfig {
  private AvcConfig() {
  }

  static VideoConfig fromRecord(Buffer record) {
    if (record.length() < 7 || record.getUnsignedByte(0) != 1) {
      throw new IllegalArgumentException("not an AVCDecoderConfigurationRecord");
    }
    // RFC 6381 3.3: avc1.PPCCLL, profile, constraint flags and level from the record.
    String codecs = String.format("avc1.%02x%02x%02x", record.getUnsignedByte(1), record.getUnsignedByte(2),
        record.getUnsignedByte(3));
    int spsCount = record.getUnsignedByte(5) & 0x1F;
    if (spsCount == 0 || record.length() < 8) {
      return new VideoConfig("avc1", "avcC", record, 0, 0, codecs);
    }
    int spsLength = record.getUnsignedShort(6);
    if (8 + spsLength > record.length()) {
      throw new IllegalArgumentException("AVC sequence header: SPS past its end");
    }
    int[] size = pictureSize(record.getBytes(8, 8 + spsLength));
    return new VideoConfig("avc1", "avcC", record, size[0], size[1], codecs);
  }

  /** Width and height in pixels, after cropping; {0, 0} when the SPS cannot be read. */
  static int[] pictureSize(byte[] nal) {
    try {
      NalBits bits = new NalBits(NalBits.unescape(nal), 1);
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

  private static void skipScalingList(NalBits bits, int size) {
    int last = 8;
    int next = 8;
    for (int j = 0; j < size; j++) {
      if (next != 0) {
        next = (last + bits.se() + 256) % 256;
      }
      last = next == 0 ? last : next;
    }
  }
}

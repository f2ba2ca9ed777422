package org.rtmpcluster.edge.hls;

import io.vertx.core.buffer.Buffer;

/**
 * H.265 for fMP4: the HEVCDecoderConfigurationRecord (ISO/IEC 14496-15, 8.3.3.1) goes into the
 * hvcC box of an hvc1 sample entry as it is (parameter sets in the record, as hvc1 wants); the
 * picture size comes from its SPS (ITU-T H.265, 7.3.2.2.1) and the codecs string from the
 * record's profile, tier and level (ISO/IEC 14496-15, E.3).
 */
final class HevcConfig {
  private static final int SPS_NAL_TYPE = 33;
  private static final int RECORD_HEADER = 23;

  private HevcConfig() {
  }

  static VideoConfig fromRecord(Buffer record) {
    if (record.length() < RECORD_HEADER || record.getUnsignedByte(0) != 1) {
      throw new IllegalArgumentException("not an HEVCDecoderConfigurationRecord");
    }
    byte[] sps = null;
    int at = RECORD_HEADER;
    int arrays = record.getUnsignedByte(22);
    for (int i = 0; i < arrays && sps == null; i++) {
      if (at + 3 > record.length()) {
        throw new IllegalArgumentException("HEVC record: arrays past its end");
      }
      int type = record.getUnsignedByte(at) & 0x3F;
      int units = record.getUnsignedShort(at + 1);
      at += 3;
      for (int j = 0; j < units; j++) {
        if (at + 2 > record.length() || at + 2 + record.getUnsignedShort(at) > record.length()) {
          throw new IllegalArgumentException("HEVC record: a parameter set past its end");
        }
        int length = record.getUnsignedShort(at);
        if (type == SPS_NAL_TYPE && sps == null) {
          sps = record.getBytes(at + 2, at + 2 + length);
        }
        at += 2 + length;
      }
    }
    int[] size = sps == null ? new int[] {0, 0} : pictureSize(sps);
    return new VideoConfig("hvc1", "hvcC", record, size[0], size[1], codecs(record));
  }

  /** E.3: hvc1.[space]profile.compatibility.tier+level.constraints. */
  static String codecs(Buffer record) {
    int first = record.getUnsignedByte(1);
    int space = first >> 6;
    StringBuilder codecs = new StringBuilder("hvc1.");
    if (space > 0) {
      codecs.append((char) ('A' + space - 1));
    }
    codecs.append(first & 0x1F).append('.')
        .append(Integer.toHexString(Integer.reverse((int) record.getUnsignedInt(2)))).append('.')
        .append((first & 0x20) != 0 ? 'H' : 'L').append(record.getUnsignedByte(12));
    int last = 11;
    while (last >= 6 && record.getUnsignedByte(last) == 0) {
      last--;
    }
    for (int i = 6; i <= last; i++) {
      codecs.append('.').append(Integer.toHexString(record.getUnsignedByte(i)).toUpperCase(java.util.Locale.ROOT));
    }
    return codecs.toString();
  }

  /** Width and height in pixels after the conformance window; {0, 0} when the SPS cannot be read. */
  static int[] pictureSize(byte[] nal) {
    try {
      NalBits bits = new NalBits(NalBits.unescape(nal), 2); // after the two-byte NAL unit header
      bits.skip(4); // sps_video_parameter_set_id
      int maxSubLayersMinus1 = bits.u(3);
      bits.skip(1);
      // profile_tier_level (7.3.3): the general part, then per sub-layer what it says is present.
      bits.skip(2 + 1 + 5 + 32 + 4 + 43 + 1 + 8);
      boolean[] profilePresent = new boolean[maxSubLayersMinus1];
      boolean[] levelPresent = new boolean[maxSubLayersMinus1];
      for (int i = 0; i < maxSubLayersMinus1; i++) {
        profilePresent[i] = bits.u(1) == 1;
        levelPresent[i] = bits.u(1) == 1;
      }
      if (maxSubLayersMinus1 > 0) {
        bits.skip(2 * (8 - maxSubLayersMinus1));
      }
      for (int i = 0; i < maxSubLayersMinus1; i++) {
        bits.skip((profilePresent[i] ? 88 : 0) + (levelPresent[i] ? 8 : 0));
      }
      bits.ue(); // sps_seq_parameter_set_id
      int chroma = bits.ue();
      if (chroma == 3) {
        bits.skip(1);
      }
      int width = bits.ue();
      int height = bits.ue();
      if (bits.u(1) == 1) {
        int subWidth = chroma == 1 || chroma == 2 ? 2 : 1;
        int subHeight = chroma == 1 ? 2 : 1;
        width -= subWidth * (bits.ue() + bits.ue());
        height -= subHeight * (bits.ue() + bits.ue());
      }
      return new int[] {Math.max(0, width), Math.max(0, height)};
    } catch (IndexOutOfBoundsException e) {
      return new int[] {0, 0};
    }
  }
}

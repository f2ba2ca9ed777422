package org.rtmpcluster.edge.hls;

import io.vertx.core.buffer.Buffer;

/**
 * AV1 for fMP4 (AV1 Codec ISO Media File Format Binding, 2.3): the AV1CodecConfigurationRecord
 * goes into the av1C box of an av01 sample entry as it is; the picture size comes from the
 * sequence header OBU among its configOBUs (AV1 spec 5.5), the codecs string from the record
 * (binding, "Codecs Parameter String": av01.P.LLT.DD).
 */
final class Av1Config {
  private static final int OBU_SEQUENCE_HEADER = 1;

  private Av1Config() {
  }

  static VideoConfig fromRecord(Buffer record) {
    if (record.length() < 4 || record.getUnsignedByte(0) != 0x81) {
      throw new IllegalArgumentException("not an AV1CodecConfigurationRecord");
    }
    int profile = record.getUnsignedByte(1) >> 5;
    int level = record.getUnsignedByte(1) & 0x1F;
    int flags = record.getUnsignedByte(2);
    boolean highTier = (flags & 0x80) != 0;
    int bitDepth = (flags & 0x40) == 0 ? 8 : (flags & 0x20) != 0 ? 12 : 10;
    String codecs = String.format("av01.%d.%02d%s.%02d", profile, level, highTier ? "H" : "M", bitDepth);
    int[] size = pictureSize(record.getBytes(4, record.length()));
    return new VideoConfig("av01", "av1C", record, size[0], size[1], codecs);
  }

  /** The frame size the first sequence header OBU allows at most; {0, 0} when there is none to read. */
  static int[] pictureSize(byte[] obus) {
    try {
      int at = 0;
      while (at < obus.length) {
        int header = obus[at] & 0xFF;
        int type = (header >> 3) & 0x0F;
        boolean extension = (header & 0x04) != 0;
        boolean hasSize = (header & 0x02) != 0;
        at += 1 + (extension ? 1 : 0);
        long size = obus.length - at;
        if (hasSize) {
          size = 0;
          for (int i = 0; i < 8; i++) { // leb128 (4.10.5)
            int b = obus[at++] & 0xFF;
            size |= (long) (b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0) {
              break;
            }
          }
        }
        if (size < 0 || size > obus.length - at) {
          break; // an OBU that says it runs past the record: nothing more to read
        }
        if (type == OBU_SEQUENCE_HEADER) {
          return sequenceHeaderSize(new NalBits(java.util.Arrays.copyOfRange(obus, at, at + (int) size), 0));
        }
        at += (int) size;
      }
    } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
      // fall through
    }
    return new int[] {0, 0};
  }

  /** sequence_header_obu (5.5.1) as far as max_frame_height_minus_1. */
  private static int[] sequenceHeaderSize(NalBits bits) {
    bits.skip(3); // seq_profile
    bits.skip(1); // still_picture
    boolean reduced = bits.u(1) == 1;
    if (reduced) {
      bits.skip(5);
    } else {
      boolean timingInfo = bits.u(1) == 1;
      boolean decoderModelInfo = false;
      int bufferDelayLength = 0;
      if (timingInfo) {
        bits.skip(32 + 32);
        if (bits.u(1) == 1) { // equal_picture_interval: num_ticks_per_picture_minus_1, uvlc (4.10.3)
          int zeros = 0;
          while (bits.u(1) == 0) {
            if (++zeros >= 32) {
              throw new IndexOutOfBoundsException("uvlc too long");
            }
          }
          bits.skip(zeros);
        }
        decoderModelInfo = bits.u(1) == 1;
        if (decoderModelInfo) {
          bufferDelayLength = bits.u(5) + 1;
          bits.skip(32 + 5 + 5);
        }
      }
      boolean initialDisplayDelay = bits.u(1) == 1;
      int operatingPoints = bits.u(5) + 1;
      for (int i = 0; i < operatingPoints; i++) {
        bits.skip(12);
        int levelIdx = bits.u(5);
        if (levelIdx > 7) {
          bits.skip(1);
        }
        if (decoderModelInfo && bits.u(1) == 1) {
          bits.skip(2 * bufferDelayLength + 1);
        }
        if (initialDisplayDelay && bits.u(1) == 1) {
          bits.skip(4);
        }
      }
    }
    int widthBits = bits.u(4) + 1;
    int heightBits = bits.u(4) + 1;
    int width = (int) bits.bits(widthBits) + 1;
    int height = (int) bits.bits(heightBits) + 1;
    return new int[] {width, height};
  }
}

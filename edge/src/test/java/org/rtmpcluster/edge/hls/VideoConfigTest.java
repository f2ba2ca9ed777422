package org.rtmpcluster.edge.hls;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

/** The RFC 6381 codecs strings a master playlist's CODECS attribute carries, from sequence headers. */
class VideoConfigTest {

  /** A legacy FLV AVC sequence header: keyframe + codec 7, packet type 0, composition time 0. */
  private static Buffer avcHeader(int profile, int constraints, int level) {
    return Buffer.buffer(new byte[] {0x17, 0, 0, 0, 0, 1, (byte) profile, (byte) constraints, (byte) level,
        (byte) 0xFF, (byte) 0xE0, 0});
  }

  /** An Enhanced RTMP SequenceStart for av01 with an AV1CodecConfigurationRecord and no OBUs. */
  private static Buffer av1Header(int profile, int level, boolean highTier, boolean highBitDepth, boolean twelveBit) {
    int flags = (highTier ? 0x80 : 0) | (highBitDepth ? 0x40 : 0) | (twelveBit ? 0x20 : 0) | 0x0C;
    return Buffer.buffer(new byte[] {(byte) 0x90, 'a', 'v', '0', '1', (byte) 0x81, (byte) (profile << 5 | level),
        (byte) flags, 0});
  }

  @Test
  void avcCodecsAreProfileConstraintsAndLevelInTwoLowerCaseHexDigitsEach() {
    assertEquals("avc1.64001f", VideoConfig.fromSequenceHeader(avcHeader(0x64, 0x00, 0x1F)).codecs());
    assertEquals("avc1.42e00a", VideoConfig.fromSequenceHeader(avcHeader(0x42, 0xE0, 0x0A)).codecs());
  }

  @Test
  void av1CodecsAreProfileTwoDigitLevelTierAndTwoDigitBitDepth() {
    assertEquals("av01.0.08M.08", VideoConfig.fromSequenceHeader(av1Header(0, 8, false, false, false)).codecs());
    assertEquals("av01.1.13H.10", VideoConfig.fromSequenceHeader(av1Header(1, 13, true, true, false)).codecs());
    assertEquals("av01.2.31M.12", VideoConfig.fromSequenceHeader(av1Header(2, 31, false, true, true)).codecs());
  }
}

package org.rtmpcluster.common.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.vertx.core.buffer.Buffer;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.rtmpcluster.common.rtmp.message.MessageType;
import org.rtmpcluster.common.stream.MediaFrame;

/** The FLV bytes of HTTP-FLV, against the layout of FLV specification 10, annex E. */
class FlvTagsTest {
  private static byte[] hex(String text) {
    return HexFormat.of().parseHex(text.replace(" ", ""));
  }

  @Test
  void theHeaderFlagsTheTracksAndEndsWithAZeroPreviousTagSize() {
    assertArrayEquals(hex("464c5601 05 00000009 00000000"), FlvTags.header(true, true).getBytes());
    assertArrayEquals(hex("464c5601 01 00000009 00000000"), FlvTags.header(false, true).getBytes());
    assertArrayEquals(hex("464c5601 04 00000009 00000000"), FlvTags.header(true, false).getBytes());
  }

  @Test
  void aTagCarriesThePayloadAsItIsWithTheTimestampsHighByteLastAndItsOwnSizeAfter() {
    MediaFrame video = new MediaFrame(MessageType.VIDEO, 0, Buffer.buffer(hex("1701000000aabb")), MediaFrame.KEYFRAME);
    // type 9, size 7, timestamp 0x123456 with extension 0x78, stream id 0, payload, 11 + 7 = 18
    assertArrayEquals(hex("09 000007 123456 78 000000 1701000000aabb 00000012"),
        FlvTags.tag(video, 0x78123456L).getBytes());
  }

  @Test
  void aTimelinePast2To32GoesOutModulo2To32() {
    MediaFrame audio = new MediaFrame(MessageType.AUDIO, 0, Buffer.buffer(hex("af01")), 0);
    assertArrayEquals(hex("08 000002 000001 00 000000 af01 0000000d"), FlvTags.tag(audio, (1L << 32) + 1).getBytes());
  }
}

package org.rtmpcluster.common.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AggregateMessageTest {

  private record Part(int type, long timestamp, Buffer body) {}

  /** Three sub-messages with FLV timestamps 1000, 1033 and 1040 ms. */
  private static final Buffer THREE_PARTS = Bytes.of(
      // part 0: video
      0x09,             // type 9 video
      0x00, 0x00, 0x02, // body size 2
      0x00, 0x03, 0xe8, // timestamp 1000 (low 24 bits)
      0x00,             // timestamp extended (bits 24-31)
      0x00, 0x00, 0x00, // stream id 0
      0x17, 0x01,       // body: AVC key frame NALU (cut)
      0x00, 0x00, 0x00, 0x0d, // back pointer: 11 + 2
      // part 1: audio
      0x08,             // type 8 audio
      0x00, 0x00, 0x03, // body size 3
      0x00, 0x04, 0x09, // timestamp 1033
      0x00,             // timestamp extended
      0x00, 0x00, 0x00, // stream id 0
      0xaf, 0x01, 0x21, // body: AAC raw
      0x00, 0x00, 0x00, 0x0e, // back pointer: 11 + 3
      // part 2: video
      0x09,             // type 9 video
      0x00, 0x00, 0x01, // body size 1
      0x00, 0x04, 0x10, // timestamp 1040
      0x00,             // timestamp extended
      0x00, 0x00, 0x00, // stream id 0
      0x27,             // body: inter frame (cut)
      0x00, 0x00, 0x00, 0x0c); // back pointer: 11 + 1

  private static List<Part> split(Buffer payload, long timestamp, int maxParts) {
    List<Part> parts = new ArrayList<>();
    String error = AggregateMessage.split(payload, timestamp, maxParts,
        (type, ts, body) -> parts.add(new Part(type, ts, body)));
    assertNull(error);
    return parts;
  }

  @Test
  void threePartsAreRebasedOntoTheAggregateTimestamp() {
    List<Part> parts = split(THREE_PARTS, 5000, 16);
    assertEquals(3, parts.size());
    assertEquals(new Part(9, 5000, Bytes.of(0x17, 0x01)), parts.get(0));
    assertEquals(new Part(8, 5033, Bytes.of(0xaf, 0x01, 0x21)), parts.get(1));
    assertEquals(new Part(9, 5040, Bytes.of(0x27)), parts.get(2));
  }

  @Test
  void extendedTimestampByteHoldsBits24To31() {
    Buffer payload = Bytes.of(
        0x08,             // type 8 audio
        0x00, 0x00, 0x01, // body size 1
        0x00, 0x00, 0x10, // timestamp low 24 bits 16
        0x01,             // timestamp extended: bit 24 set, 0x01000010
        0x00, 0x00, 0x00, // stream id
        0xaf,             // body
        0x00, 0x00, 0x00, 0x0c, // back pointer
        0x08,             // type 8 audio
        0x00, 0x00, 0x01, // body size 1
        0x00, 0x00, 0x20, // timestamp low 24 bits 32
        0x01,             // timestamp extended: 0x01000020, 16 ms after the first
        0x00, 0x00, 0x00, // stream id
        0xaf,             // body
        0x00, 0x00, 0x00, 0x0c); // back pointer
    List<Part> parts = split(payload, 0xFFFF_FFF8L, 4);
    assertEquals(0xFFFF_FFF8L, parts.get(0).timestamp());
    assertEquals(8, parts.get(1).timestamp()); // 32-bit RTMP time wraps
  }

  @Test
  void truncationAtEveryLengthIsAnErrorNotAnException() {
    // Cutting exactly after part 0 (17 bytes) or part 1 (35 bytes) leaves a well-formed, shorter
    // aggregate; every other length cuts a part and must be refused whole.
    List<Integer> partBoundaries = List.of(17, 35);
    for (int length = 0; length < THREE_PARTS.length(); length++) {
      List<Part> parts = new ArrayList<>();
      String error = AggregateMessage.split(THREE_PARTS.getBuffer(0, length), 0, 16,
          (type, ts, body) -> parts.add(new Part(type, ts, body)));
      if (partBoundaries.contains(length)) {
        assertNull(error, "length " + length);
        assertEquals(partBoundaries.indexOf(length) + 1, parts.size(), "length " + length);
      } else {
        assertNotNull(error, "length " + length);
        assertTrue(parts.isEmpty(), "no part delivered from a malformed aggregate, length " + length);
      }
    }
  }

  @Test
  void sizePastTheEndIsAnError() {
    Buffer payload = Bytes.of(
        0x09,             // type 9 video
        0xff, 0xff, 0xff, // body size 16777215: far past the end
        0x00, 0x00, 0x00, // timestamp
        0x00,             // timestamp extended
        0x00, 0x00, 0x00, // stream id
        0x17, 0x01,       // body (2 bytes present)
        0x00, 0x00, 0x00, 0x0d); // back pointer
    String error = AggregateMessage.split(payload, 0, 16, (type, ts, body) -> { });
    assertNotNull(error);
    assertTrue(error.contains("past the end"), error);
  }

  @Test
  void unknownSubMessageTypeIsAnError() {
    Buffer payload = Bytes.of(
        0x14,             // type 20: a command, not an FLV tag type
        0x00, 0x00, 0x01, // body size 1
        0x00, 0x00, 0x00, // timestamp
        0x00,             // timestamp extended
        0x00, 0x00, 0x00, // stream id
        0x05,             // body
        0x00, 0x00, 0x00, 0x0c); // back pointer
    String error = AggregateMessage.split(payload, 0, 16, (type, ts, body) -> { });
    assertNotNull(error);
    assertTrue(error.contains("unknown message type 20"), error);
  }

  @Test
  void morePartsThanMaxPartsIsAnError() {
    String error = AggregateMessage.split(THREE_PARTS, 0, 2, (type, ts, body) -> { });
    assertNotNull(error);
    assertTrue(error.contains("more than 2 parts"), error);
    assertNull(AggregateMessage.split(THREE_PARTS, 0, 3, (type, ts, body) -> { }));
  }

  @Test
  void emptyAndNullPayloadsAreErrors() {
    assertNotNull(AggregateMessage.split(Buffer.buffer(), 0, 16, (type, ts, body) -> { }));
    assertNotNull(AggregateMessage.split(null, 0, 16, (type, ts, body) -> { }));
  }
}

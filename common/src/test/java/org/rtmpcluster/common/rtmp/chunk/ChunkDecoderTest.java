package org.rtmpcluster.common.rtmp.chunk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.rtmpcluster.common.memory.ByteBudget;
import org.rtmpcluster.common.testing.HostileInput;

class ChunkDecoderTest {

  /** Collects what the decoder emits. */
  static final class Collector implements ChunkDecoder.Listener {
    final List<RtmpMessage> messages = new ArrayList<>();
    String error;

    @Override
    public void onMessage(RtmpMessage message) {
      messages.add(message);
    }

    @Override
    public void onProtocolError(String reason) {
      assertNull(error, "errors are reported once");
      error = reason;
    }
  }

  static byte[] bytes(int... values) {
    byte[] out = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (byte) values[i];
    }
    return out;
  }

  static byte[] concat(byte[]... parts) {
    Buffer b = Buffer.buffer();
    for (byte[] p : parts) {
      b.appendBytes(p);
    }
    return b.getBytes();
  }

  static byte[] filled(int length, int value) {
    byte[] out = new byte[length];
    java.util.Arrays.fill(out, (byte) value);
    return out;
  }

  static Collector decode(byte[] stream) {
    return decode(stream, ChunkLimits.DEFAULT);
  }

  static Collector decode(byte[] stream, ChunkLimits limits) {
    Collector c = new Collector();
    new ChunkDecoder(limits, c).feed(Buffer.buffer(stream));
    return c;
  }

  /** Decodes the stream split in two at every position and one byte at a time; all must agree. */
  static Collector decodeAtEverySplit(byte[] stream) {
    Collector whole = decode(stream);
    for (int split = 1; split < stream.length; split++) {
      Collector c = new Collector();
      ChunkDecoder decoder = new ChunkDecoder(ChunkLimits.DEFAULT, c);
      decoder.feed(Buffer.buffer(java.util.Arrays.copyOfRange(stream, 0, split)));
      decoder.feed(Buffer.buffer(java.util.Arrays.copyOfRange(stream, split, stream.length)));
      assertSame(whole, c, "split at " + split);
    }
    Collector bytewise = new Collector();
    ChunkDecoder decoder = new ChunkDecoder(ChunkLimits.DEFAULT, bytewise);
    for (byte b : stream) {
      decoder.feed(Buffer.buffer(new byte[] {b}));
    }
    assertSame(whole, bytewise, "one byte at a time");
    assertEquals(stream.length, decoder.bytesReceived());
    return whole;
  }

  static void assertSame(Collector expected, Collector actual, String where) {
    assertEquals(expected.error, actual.error, where);
    assertEquals(expected.messages, actual.messages, where);
  }

  @Test
  void typeZeroHeaderCarriesEverything() {
    Collector c = decodeAtEverySplit(bytes(
        0x03,                   // fmt 0, csid 3
        0x00, 0x03, 0xE8,       // timestamp 1000
        0x00, 0x00, 0x04,       // length 4
        0x14,                   // type 20 command AMF0
        0x01, 0x00, 0x00, 0x00, // message stream id 1, little-endian
        0xDE, 0xAD, 0xBE, 0xEF  // payload
    ));
    assertEquals(1, c.messages.size());
    RtmpMessage m = c.messages.get(0);
    assertEquals(3, m.chunkStreamId());
    assertEquals(1000, m.timestamp());
    assertEquals(20, m.typeId());
    assertEquals(1, m.messageStreamId());
    assertEquals(Buffer.buffer(bytes(0xDE, 0xAD, 0xBE, 0xEF)), m.payload());
  }

  @Test
  void compressedHeadersFollowSpecExampleOne() {
    // Spec 5.3.2.1: four audio messages of 32 bytes, 20 ms apart, on chunk stream 3.
    Collector c = decodeAtEverySplit(concat(
        bytes(0x03, 0x00, 0x03, 0xE8, 0x00, 0x00, 0x20, 0x08, 0x0C, 0x00, 0x00, 0x00),
        filled(32, 1),
        bytes(0x83, 0x00, 0x00, 0x14),                 // fmt 2, delta 20
        filled(32, 2),
        bytes(0xC3),                                  // fmt 3: same delta
        filled(32, 3),
        bytes(0xC3),
        filled(32, 4)));
    assertEquals(4, c.messages.size());
    long[] expected = {1000, 1020, 1040, 1060};
    for (int i = 0; i < 4; i++) {
      RtmpMessage m = c.messages.get(i);
      assertEquals(expected[i], m.timestamp());
      assertEquals(8, m.typeId());
      assertEquals(12, m.messageStreamId());
      assertEquals(Buffer.buffer(filled(32, i + 1)), m.payload());
    }
  }

  @Test
  void messageLongerThanChunkSizeIsReassembledFromTypeThreeChunks() {
    // Spec 5.3.2.2: a 307-byte video message in chunks of 128.
    Collector c = decodeAtEverySplit(concat(
        bytes(0x04, 0x00, 0x03, 0xE8, 0x00, 0x01, 0x33, 0x09, 0x01, 0x00, 0x00, 0x00),
        filled(128, 7),
        bytes(0xC4),
        filled(128, 7),
        bytes(0xC4),
        filled(51, 7)));
    assertEquals(1, c.messages.size());
    assertEquals(Buffer.buffer(filled(307, 7)), c.messages.get(0).payload());
  }

  @Test
  void typeOneHeaderChangesLengthAndTypeAndAddsDelta() {
    Collector c = decodeAtEverySplit(concat(
        bytes(0x06, 0x00, 0x00, 0x0A, 0x00, 0x00, 0x01, 0x09, 0x01, 0x00, 0x00, 0x00), bytes(0x17),
        bytes(0x46, 0x00, 0x00, 0x21, 0x00, 0x00, 0x02, 0x08), // fmt 1, delta 33, length 2, audio
        bytes(0xAF, 0x01)));
    assertEquals(2, c.messages.size());
    RtmpMessage second = c.messages.get(1);
    assertEquals(43, second.timestamp());
    assertEquals(8, second.typeId());
    assertEquals(1, second.messageStreamId());
    assertEquals(2, second.length());
  }

  @Test
  void typeThreeChunkAfterTypeZeroReusesItsTimestampAsDelta() {
    // Spec 5.3.1.2.4: a type 3 chunk after a type 0 takes the type 0's timestamp as its delta.
    Collector c = decodeAtEverySplit(concat(
        bytes(0x05, 0x00, 0x00, 0x64, 0x00, 0x00, 0x01, 0x08, 0x01, 0x00, 0x00, 0x00), bytes(0xAA),
        bytes(0xC5), bytes(0xBB)));
    assertEquals(100, c.messages.get(0).timestamp());
    assertEquals(200, c.messages.get(1).timestamp());
  }

  @Test
  void twoByteBasicHeaderCoversChunkStreams64To319() {
    for (int csid : new int[] {64, 65, 200, 319}) {
      Collector c = decodeAtEverySplit(concat(
          bytes(0x00, csid - 64),
          bytes(0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x00, 0x00, 0x00), bytes(0x11),
          bytes(0xC0, csid - 64), bytes(0x22)));
      assertEquals(2, c.messages.size(), "csid " + csid);
      assertEquals(csid, c.messages.get(0).chunkStreamId());
      assertEquals(csid, c.messages.get(1).chunkStreamId());
    }
  }

  @Test
  void threeByteBasicHeaderCoversChunkStreams320To65599() {
    for (int csid : new int[] {320, 321, 4000, 65599}) {
      int low = (csid - 64) & 0xFF;
      int high = (csid - 64) >>> 8;
      Collector c = decodeAtEverySplit(concat(
          bytes(0x01, low, high),
          bytes(0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x00, 0x00, 0x00), bytes(0x11)));
      assertEquals(csid, c.messages.get(0).chunkStreamId(), "csid " + csid);
    }
  }

  @Test
  void oneByteBasicHeaderCoversChunkStreams2To63() {
    for (int csid = 2; csid <= 63; csid++) {
      Collector c = decode(concat(
          bytes(csid),
          bytes(0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x00, 0x00, 0x00), bytes(0x11)));
      assertEquals(csid, c.messages.get(0).chunkStreamId());
    }
  }

  @Test
  void extendedTimestampFollowsTheMessageHeader() {
    Collector c = decodeAtEverySplit(concat(
        bytes(0x04, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x02, 0x09, 0x01, 0x00, 0x00, 0x00),
        bytes(0x01, 0x02, 0x03, 0x04), // extended timestamp 0x01020304
        bytes(0x17, 0x00)));
    assertEquals(0x01020304L, c.messages.get(0).timestamp());
    assertEquals(Buffer.buffer(bytes(0x17, 0x00)), c.messages.get(0).payload());
  }

  @Test
  void typeThreeContinuationChunkRepeatsExtendedTimestamp() {
    Collector c = decodeAtEverySplit(concat(
        bytes(0x04, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0xC8, 0x09, 0x01, 0x00, 0x00, 0x00),
        bytes(0x80, 0x00, 0x00, 0x00), // extended timestamp 2^31
        filled(128, 5),
        bytes(0xC4),
        bytes(0x80, 0x00, 0x00, 0x00), // repeated in the continuation, as Flash and ffmpeg do
        filled(72, 5)));
    assertEquals(1, c.messages.size());
    assertEquals(0x80000000L, c.messages.get(0).timestamp());
    assertEquals(Buffer.buffer(filled(200, 5)), c.messages.get(0).payload());
  }

  @Test
  void typeThreeContinuationWithoutRepeatedExtendedTimestampIsTolerated() {
    Collector c = decodeAtEverySplit(concat(
        bytes(0x04, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0xC8, 0x09, 0x01, 0x00, 0x00, 0x00),
        bytes(0x80, 0x00, 0x00, 0x00),
        filled(128, 5),
        bytes(0xC4),
        filled(72, 5)));
    assertEquals(Buffer.buffer(filled(200, 5)), c.messages.get(0).payload());
  }

  @Test
  void typeThreeChunkStartingMessageAfterExtendedDeltaReadsTheDeltaAgain() {
    Collector c = decodeAtEverySplit(concat(
        bytes(0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x09, 0x01, 0x00, 0x00, 0x00), bytes(0x01),
        bytes(0x84, 0xFF, 0xFF, 0xFF), bytes(0x01, 0x00, 0x00, 0x00), bytes(0x02), // fmt 2, delta 2^24
        bytes(0xC4), bytes(0x01, 0x00, 0x00, 0x00), bytes(0x03)));                  // fmt 3, same delta
    assertEquals(0L, c.messages.get(0).timestamp());
    assertEquals(0x01000000L, c.messages.get(1).timestamp());
    assertEquals(0x02000000L, c.messages.get(2).timestamp());
  }

  @Test
  void setChunkSizeAppliesToTheNextChunk() {
    Collector c = decodeAtEverySplit(concat(
        bytes(0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00),
        bytes(0x00, 0x00, 0x01, 0x00), // chunk size 256
        bytes(0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0xC8, 0x09, 0x01, 0x00, 0x00, 0x00),
        filled(200, 9)));             // one chunk now
    assertEquals(1, c.messages.size(), "Set Chunk Size is consumed by the decoder");
    assertEquals(Buffer.buffer(filled(200, 9)), c.messages.get(0).payload());
  }

  @Test
  void abortDiscardsThePartialMessage() {
    Collector c = decodeAtEverySplit(concat(
        bytes(0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0xC8, 0x09, 0x01, 0x00, 0x00, 0x00),
        filled(128, 1),
        bytes(0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x02, 0x00, 0x00, 0x00, 0x00),
        bytes(0x00, 0x00, 0x00, 0x04), // abort chunk stream 4
        bytes(0x44, 0x00, 0x00, 0x0A, 0x00, 0x00, 0x01, 0x09), bytes(0x27)));
    assertEquals(1, c.messages.size());
    assertEquals(10, c.messages.get(0).timestamp());
    assertEquals(1, c.messages.get(0).length());
  }

  @Test
  void zeroLengthMessageIsDelivered() {
    Collector c = decodeAtEverySplit(
        bytes(0x03, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x12, 0x00, 0x00, 0x00, 0x00));
    assertEquals(1, c.messages.size());
    assertEquals(0, c.messages.get(0).length());
  }

  @Test
  void chunkWithCompressedHeaderAndNoPriorHeaderIsAnError() {
    for (int first : new int[] {0x43, 0x83, 0xC3}) {
      Collector c = decode(bytes(first, 0, 0, 0, 0, 0, 1, 8, 0));
      assertTrue(c.messages.isEmpty());
      assertTrue(c.error.contains("no prior header"), c.error);
    }
  }

  @Test
  void chunkSizeZeroIsAnError() {
    Collector c = decode(concat(
        bytes(0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00),
        bytes(0x00, 0x00, 0x00, 0x00)));
    assertTrue(c.error.contains("chunk size 0"), c.error);
  }

  @Test
  void chunkSizeAboveTheLimitIsAnError() {
    Collector c = decode(concat(
        bytes(0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00),
        bytes(0x7F, 0xFF, 0xFF, 0xFF)),
        ChunkLimits.DEFAULT.withSizes(4096, 1 << 20, 8));
    assertTrue(c.error.contains("chunk size 2147483647 outside 1..4096"), c.error);
  }

  @Test
  void messageLengthAboveTheLimitIsAnErrorBeforeAnyAllocation() {
    Collector c = decode(
        bytes(0x04, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0x09, 0x01, 0x00, 0x00, 0x00),
        ChunkLimits.DEFAULT.withSizes(4096, 1 << 20, 8));
    assertTrue(c.error.contains("16777215 bytes"), c.error);
  }

  @Test
  void tooManyChunkStreamsIsAnError() {
    Buffer stream = Buffer.buffer();
    for (int csid = 3; csid < 3 + 9; csid++) {
      stream.appendBytes(bytes(csid, 0, 0, 0, 0, 0, 1, 8, 0, 0, 0, 0, 0x11));
    }
    Collector c = decode(stream.getBytes(), ChunkLimits.DEFAULT.withSizes(4096, 1 << 20, 8));
    assertEquals(8, c.messages.size());
    assertTrue(c.error.contains("more than 8 chunk streams"), c.error);
  }

  @Test
  void inputAfterAnErrorIsIgnored() {
    Collector c = new Collector();
    ChunkDecoder decoder = new ChunkDecoder(ChunkLimits.DEFAULT, c);
    decoder.feed(Buffer.buffer(bytes(0xC3)));
    decoder.feed(Buffer.buffer(bytes(0x03, 0, 0, 0, 0, 0, 1, 8, 0, 0, 0, 0, 0x11)));
    assertTrue(decoder.isStopped());
    assertTrue(c.messages.isEmpty());
  }

  /**
   * The attack of issue 8: chunk size 1, then one type-0 header per chunk stream declaring a
   * message just under the length limit, and one byte of each. The decoder must hold what was
   * sent, not what was declared. Measured as the heap this thread allocates while decoding (the
   * old decoder allocated each declared length up front: 60 x 8 MiB here).
   */
  @Test
  void declaredLengthsAreNeverAllocated() {
    Buffer attack = Buffer.buffer(bytes(0x02, 0, 0, 0, 0, 0, 4, 0x01, 0, 0, 0, 0, 0, 0, 0, 1));
    int streams = 60;
    for (int csid = 3; csid < 3 + streams; csid++) {
      attack.appendBytes(bytes(csid, 0, 0, 0, 0x7F, 0xFF, 0xF0, 0x09, 1, 0, 0, 0, 0x17));
    }
    Collector c = new Collector();
    ChunkDecoder decoder = new ChunkDecoder(ChunkLimits.DEFAULT, c);
    long before = HostileInput.allocatedBytes();
    decoder.feed(attack);
    long allocated = HostileInput.allocatedBytes() - before;

    assertNull(c.error);
    assertTrue(allocated < 1 << 20, "decoding " + attack.length() + " bytes allocated " + allocated);
    assertTrue(decoder.incompleteBytes() <= streams * 256L, "holds " + decoder.incompleteBytes());
  }

  @Test
  void aMessageThatArrivesWholeIsAllocatedAtItsLength() {
    Buffer stream = Buffer.buffer(bytes(0x04, 0, 0, 0, 0, 0x10, 0, 0x09, 1, 0, 0, 0));
    stream.appendBytes(filled(4096, 5));
    ByteBudget node = new ByteBudget("test", 1 << 20);
    Collector c = new Collector();
    ChunkDecoder decoder = new ChunkDecoder(ChunkLimits.DEFAULT, node, c);
    decoder.allowMediaMessages();
    decoder.feed(Buffer.buffer(bytes(0x02, 0, 0, 0, 0, 0, 4, 0x01, 0, 0, 0, 0, 0, 0, 0x10, 0)));
    decoder.feed(stream);
    assertEquals(1, c.messages.size());
    assertEquals(Buffer.buffer(filled(4096, 5)), c.messages.get(0).payload());
    assertEquals(0, node.used(), "a finished message is no longer held");
    assertEquals(0, decoder.incompleteBytes());
  }

  @Test
  void bytesInProgressPastTheConnectionsLimitAreAnError() {
    ChunkLimits limits = ChunkLimits.DEFAULT.withSizes(4096, 1 << 16, 8).withIncompleteBytes(64 << 10, 1000);
    Collector c = new Collector();
    ChunkDecoder decoder = new ChunkDecoder(limits, ByteBudget.unlimited("node"), c);
    // One command of 2000 bytes, more than may be in progress before publishing.
    Buffer command = Buffer.buffer(bytes(0x03, 0, 0, 0, 0, 0x07, 0xD0, 0x14, 0, 0, 0, 0));
    command.appendBytes(filled(128, 0));
    for (int i = 0; i < 15; i++) {
      command.appendBytes(bytes(0xC3)).appendBytes(filled(128, 0));
    }
    decoder.feed(command);
    assertTrue(c.error.contains("more than this connection's limit of 1000"), c.error);
    assertTrue(decoder.isStopped());
    assertEquals(0, decoder.incompleteBytes(), "a stopped decoder holds nothing");
  }

  @Test
  void aPublisherMayHoldUpToTheLargerLimit() {
    ChunkLimits limits = ChunkLimits.DEFAULT.withSizes(4096, 1 << 16, 8).withIncompleteBytes(64 << 10, 1000);
    Collector c = new Collector();
    ChunkDecoder decoder = new ChunkDecoder(limits, ByteBudget.unlimited("node"), c);
    decoder.allowMediaMessages();
    Buffer video = Buffer.buffer(bytes(0x04, 0, 0, 0, 0, 0x07, 0xD0, 0x09, 1, 0, 0, 0));
    video.appendBytes(filled(128, 0));
    for (int i = 0; i < 15; i++) {
      video.appendBytes(bytes(0xC4)).appendBytes(filled(i == 14 ? 80 : 128, 0));
    }
    decoder.feed(video);
    assertNull(c.error);
    assertEquals(1, c.messages.size());
    assertEquals(2000, c.messages.get(0).length());
  }

  @Test
  void theNodesBudgetIsSharedAndGivenBack() {
    ByteBudget node = new ByteBudget("node", 600);
    Collector first = new Collector();
    Collector second = new Collector();
    ChunkDecoder a = new ChunkDecoder(ChunkLimits.DEFAULT, node, first);
    ChunkDecoder b = new ChunkDecoder(ChunkLimits.DEFAULT, node, second);
    // Each begins a 1000-byte message and sends 300 bytes of it (chunk size 128: three chunks).
    Buffer begin = Buffer.buffer(bytes(0x03, 0, 0, 0, 0, 0x03, 0xE8, 0x14, 0, 0, 0, 0));
    begin.appendBytes(filled(128, 0)).appendBytes(bytes(0xC3)).appendBytes(filled(128, 0))
        .appendBytes(bytes(0xC3)).appendBytes(filled(44, 0));
    a.feed(begin);
    assertNull(first.error);
    assertEquals(a.incompleteBytes(), node.used());
    b.feed(begin);
    assertTrue(second.error.contains("the node's budget for messages in progress is spent"), second.error);
    assertNull(first.error, "only the connection that asked is refused");
    assertEquals(a.incompleteBytes(), node.used(), "the refused one gave back what it held");
    a.stop();
    assertEquals(0, node.used());
  }

  @Test
  void anAbortedMessageGivesBackWhatItHeld() {
    ByteBudget node = new ByteBudget("node", 1 << 20);
    Collector c = new Collector();
    ChunkDecoder decoder = new ChunkDecoder(ChunkLimits.DEFAULT, node, c);
    decoder.feed(Buffer.buffer(concat(
        bytes(0x04, 0, 0, 0, 0, 0x03, 0xE8, 0x09, 1, 0, 0, 0), filled(128, 0),
        // Abort (type 2) of chunk stream 4.
        bytes(0x02, 0, 0, 0, 0, 0, 4, 0x02, 0, 0, 0, 0, 0, 0, 0, 4))));
    assertNull(c.error);
    assertEquals(0, node.used());
    assertEquals(0, decoder.incompleteBytes());
  }

  @Test
  void timestampDeltasCarryAcrossTheExtendedTimestampBoundary() {
    Collector c = decodeAtEverySplit(concat(
        bytes(0x06, 0xFF, 0xFF, 0xF0, 0, 0, 2, 0x08, 1, 0, 0, 0), bytes(0xAF, 1), // fmt 0 at 0xFFFFF0
        bytes(0x86, 0, 0, 0x20), bytes(0xAF, 1),                                  // fmt 2, delta 32
        bytes(0xC6), bytes(0xAF, 1)));                                            // fmt 3: delta 32 again
    assertEquals(List.of(0xFFFFF0L, 0x1000010L, 0x1000030L),
        c.messages.stream().map(RtmpMessage::timestamp).toList());
  }

  /** Issue 8, defect 6, on ingest: a timestamp past 2^32 - 1 wraps to the low 32 bits. */
  @Test
  void timestampDeltasWrapAt2To32() {
    Collector c = decodeAtEverySplit(concat(
        bytes(0x06, 0xFF, 0xFF, 0xFF, 0, 0, 2, 0x08, 1, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xF0), bytes(0xAF, 1),
        bytes(0x86, 0, 0, 0x20), bytes(0xAF, 1),
        bytes(0xC6), bytes(0xAF, 1)));
    assertEquals(List.of(0xFFFFFFF0L, 0x10L, 0x30L), c.messages.stream().map(RtmpMessage::timestamp).toList());
  }
}

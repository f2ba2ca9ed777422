package org.rtmpcluster.common.rtmp.chunk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.rtmpcluster.common.rtmp.chunk.ChunkDecoderTest.bytes;
import static org.rtmpcluster.common.rtmp.chunk.ChunkDecoderTest.concat;
import static org.rtmpcluster.common.rtmp.chunk.ChunkDecoderTest.filled;

import io.vertx.core.buffer.Buffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChunkEncoderTest {

  private static RtmpMessage message(int csid, int type, long timestamp, int msid, byte[] payload) {
    return new RtmpMessage(csid, type, timestamp, msid, Buffer.buffer(payload));
  }

  @Test
  void firstMessageOnAChunkStreamGetsATypeZeroHeader() {
    Buffer out = new ChunkEncoder().encode(message(3, 20, 1000, 1, bytes(0xDE, 0xAD)));
    assertEquals(Buffer.buffer(bytes(
        0x03, 0x00, 0x03, 0xE8, 0x00, 0x00, 0x02, 0x14, 0x01, 0x00, 0x00, 0x00, 0xDE, 0xAD)), out);
  }

  @Test
  void headersShrinkAsInSpecExampleOne() {
    ChunkEncoder encoder = new ChunkEncoder();
    Buffer out = Buffer.buffer();
    for (int i = 0; i < 4; i++) {
      encoder.encode(message(3, 8, 1000 + 20L * i, 12, filled(32, i + 1)), out);
    }
    Buffer expected = Buffer.buffer(concat(
        bytes(0x03, 0x00, 0x03, 0xE8, 0x00, 0x00, 0x20, 0x08, 0x0C, 0x00, 0x00, 0x00), filled(32, 1),
        bytes(0x83, 0x00, 0x00, 0x14), filled(32, 2),
        bytes(0xC3), filled(32, 3),
        bytes(0xC3), filled(32, 4)));
    assertEquals(expected, out);
  }

  @Test
  void lengthOrTypeChangeUsesTypeOneHeader() {
    ChunkEncoder encoder = new ChunkEncoder();
    encoder.encode(message(6, 9, 10, 1, bytes(0x17)));
    Buffer second = encoder.encode(message(6, 8, 43, 1, bytes(0xAF, 0x01)));
    assertEquals(Buffer.buffer(bytes(0x46, 0x00, 0x00, 0x21, 0x00, 0x00, 0x02, 0x08, 0xAF, 0x01)), second);
  }

  @Test
  void timestampGoingBackwardsOrNewMessageStreamUsesTypeZero() {
    ChunkEncoder encoder = new ChunkEncoder();
    encoder.encode(message(6, 9, 100, 1, bytes(0x17)));
    assertEquals(0x06, encoder.encode(message(6, 9, 50, 1, bytes(0x17))).getUnsignedByte(0));
    assertEquals(0x06, encoder.encode(message(6, 9, 60, 2, bytes(0x17))).getUnsignedByte(0));
  }

  @Test
  void longMessageIsSplitAtTheChunkSizeWithTypeThreeContinuations() {
    ChunkEncoder encoder = new ChunkEncoder();
    Buffer out = encoder.encode(message(4, 9, 1000, 1, filled(307, 7)));
    Buffer expected = Buffer.buffer(concat(
        bytes(0x04, 0x00, 0x03, 0xE8, 0x00, 0x01, 0x33, 0x09, 0x01, 0x00, 0x00, 0x00),
        filled(128, 7), bytes(0xC4), filled(128, 7), bytes(0xC4), filled(51, 7)));
    assertEquals(expected, out);
  }

  @Test
  void extendedTimestampIsRepeatedInContinuationChunks() {
    ChunkEncoder encoder = new ChunkEncoder();
    Buffer out = encoder.encode(message(4, 9, 0x80000000L, 1, filled(200, 5)));
    Buffer expected = Buffer.buffer(concat(
        bytes(0x04, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0xC8, 0x09, 0x01, 0x00, 0x00, 0x00),
        bytes(0x80, 0x00, 0x00, 0x00), filled(128, 5),
        bytes(0xC4), bytes(0x80, 0x00, 0x00, 0x00), filled(72, 5)));
    assertEquals(expected, out);
  }

  @Test
  void theFirstHeaderOfSharedChunksIsReaddressedForAnotherMessageStream() {
    Buffer chunks = new ChunkEncoder().encode(message(4, 9, 0x80000000L, 1, filled(200, 5)));
    assertEquals(12, ChunkEncoder.firstHeaderLength(chunks));
    assertEquals(1, ChunkEncoder.messageStreamIdOf(chunks));
    assertEquals(Buffer.buffer(bytes(0x04, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0xC8, 0x09, 0x02, 0x01, 0x00, 0x00)),
        ChunkEncoder.firstHeaderFor(chunks, 0x102), "message stream 0x102, little-endian");
    assertEquals(1, ChunkEncoder.messageStreamIdOf(chunks), "the shared chunks are not touched");

    Buffer onAnother = ChunkEncoder.firstHeaderFor(chunks, 7).appendBuffer(chunks.slice(12, chunks.length()));
    ChunkDecoderTest.Collector decoded = new ChunkDecoderTest.Collector();
    new ChunkDecoder(ChunkLimits.DEFAULT, decoded).feed(onAnother);
    assertEquals(List.of(message(4, 9, 0x80000000L, 7, filled(200, 5))), decoded.messages);
  }

  @Test
  void theFirstHeaderOfAChunkStreamAbove63IsTwoOrThreeBytesLonger() {
    assertEquals(13, ChunkEncoder.firstHeaderLength(new ChunkEncoder().encode(message(64, 9, 0, 1, filled(1, 0)))));
    assertEquals(14, ChunkEncoder.firstHeaderLength(new ChunkEncoder().encode(message(320, 9, 0, 1, filled(1, 0)))));
  }

  @Test
  void basicHeaderFormsMatchChunkStreamIdRanges() {
    assertBasicHeader(2, bytes(0x02));
    assertBasicHeader(63, bytes(0x3F));
    assertBasicHeader(64, bytes(0x00, 0x00));
    assertBasicHeader(319, bytes(0x00, 0xFF));
    assertBasicHeader(320, bytes(0x01, 0x00, 0x01));
    assertBasicHeader(65599, bytes(0x01, 0xFF, 0xFF));
  }

  private static void assertBasicHeader(int csid, byte[] expected) {
    Buffer out = Buffer.buffer();
    ChunkEncoder.writeBasicHeader(out, 0, csid);
    assertEquals(Buffer.buffer(expected), out, "csid " + csid);
  }

  @Test
  void decoderReadsBackWhatTheEncoderWroteForAMixedSequence() {
    ChunkEncoder encoder = new ChunkEncoder();
    encoder.setChunkSize(60);
    List<RtmpMessage> sent = List.of(
        message(3, 20, 0, 0, filled(150, 1)),
        message(4, 9, 0, 1, filled(61, 2)),
        message(4, 9, 33, 1, filled(61, 3)),
        message(4, 9, 66, 1, filled(61, 4)),
        message(5, 8, 0x1000000L, 1, filled(130, 5)),
        message(5, 8, 0x1000017L, 1, filled(130, 6)),
        message(300, 18, 5, 1, filled(10, 7)),
        message(4, 9, 20, 1, filled(5, 8)));
    Buffer wire = Buffer.buffer();
    // The peer has to be told of the chunk size first, as a session would do.
    wire.appendBytes(bytes(0x02, 0, 0, 0, 0, 0, 4, 1, 0, 0, 0, 0, 0, 0, 0, 60));
    for (RtmpMessage m : sent) {
      encoder.encode(m, wire);
    }
    ChunkDecoderTest.Collector c = ChunkDecoderTest.decodeAtEverySplit(wire.getBytes());
    assertEquals(sent, c.messages);
  }
}

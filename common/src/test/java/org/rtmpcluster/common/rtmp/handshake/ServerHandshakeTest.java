package org.rtmpcluster.common.rtmp.handshake;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rtmpcluster.common.rtmp.handshake.Captures.HANDSHAKE_END;
import static org.rtmpcluster.common.rtmp.handshake.Captures.after;
import static org.rtmpcluster.common.rtmp.handshake.Captures.buf;
import static org.rtmpcluster.common.rtmp.handshake.Captures.first;
import static org.rtmpcluster.common.rtmp.handshake.Captures.hex;
import static org.rtmpcluster.common.rtmp.handshake.Captures.read;

import io.vertx.core.buffer.Buffer;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ServerHandshakeTest {

  private static final int PACKET = ServerHandshake.PACKET_SIZE;

  /** What one run produced: the bytes sent, the final state, the remainder. */
  private record Run(byte[] sent, HandshakeState state, byte[] remainder, boolean digest) {}

  private static Run feedInPieces(byte[] input, int... cuts) {
    ServerHandshake server = new ServerHandshake(new Random(42));
    Captures.Sent sent = new Captures.Sent();
    int from = 0;
    for (int cut : cuts) {
      server.feed(buf(input, from, cut), sent);
      from = cut;
    }
    HandshakeState state = server.feed(buf(input, from, input.length), sent);
    return new Run(sent.all(), state, server.takeRemainder().getBytes(), server.clientUsedDigest());
  }

  private static byte[] answerTo(byte[] c0c1) {
    ServerHandshake server = new ServerHandshake();
    Captures.Sent sent = new Captures.Sent();
    assertEquals(HandshakeState.AWAITING_C2, server.feed(Buffer.buffer(c0c1), sent));
    assertEquals(1, sent.writes.size(), "S0+S1+S2 go out as one write");
    byte[] answer = sent.all();
    assertEquals(1 + 2 * PACKET, answer.length);
    assertEquals(3, answer[0]);
    return answer;
  }

  @Test
  void detectsDigestFirstLayoutInFfmpegC1() {
    ServerHandshake server = new ServerHandshake();
    byte[] capture = read(Captures.FFMPEG_PUBLISH_CLIENT);
    server.feed(buf(capture, 0, 1 + PACKET), new Captures.Sent());
    assertTrue(server.clientUsedDigest());
    assertEquals(DigestLayout.DIGEST_FIRST, server.clientDigestLayout());
  }

  @Test
  void findsNoDigestInRtmpdumpC1AndEchoesItExactlyAsS2() {
    ServerHandshake server = new ServerHandshake();
    byte[] capture = read(Captures.RTMPDUMP_PLAY_CLIENT);
    Captures.Sent sent = new Captures.Sent();
    server.feed(buf(capture, 0, 1 + PACKET), sent);
    assertFalse(server.clientUsedDigest());
    assertNull(server.clientDigestLayout());
    byte[] answer = sent.all();
    assertArrayEquals(first(capture), Arrays.copyOfRange(answer, 1 + PACKET, 1 + 2 * PACKET));
    assertEquals("00000000", hex(Arrays.copyOfRange(answer, 5, 9)), "plain S1 claims version 0");
  }

  @Test
  void answersFfmpegC1WithFmsDigestInS1AndS2SignedWithFfmpegsDigest() {
    byte[] c1 = first(read(Captures.FFMPEG_PUBLISH_CLIENT));
    byte[] answer = answerTo(buf(read(Captures.FFMPEG_PUBLISH_CLIENT), 0, 1 + PACKET).getBytes());
    byte[] s1 = Arrays.copyOfRange(answer, 1, 1 + PACKET);
    byte[] s2 = Arrays.copyOfRange(answer, 1 + PACKET, 1 + 2 * PACKET);

    assertEquals("0d0e0a0d", hex(Arrays.copyOfRange(s1, 4, 8)));
    assertTrue(HandshakeDigest.hasDigest(s1, DigestLayout.DIGEST_FIRST,
        HandshakeDigest.FMS_KEY_OPEN_PART));
    byte[] ffmpegDigest = HandshakeDigest.digestBytes(c1, DigestLayout.DIGEST_FIRST);
    assertTrue(HandshakeDigest.isSigned(s2, ffmpegDigest, HandshakeDigest.FMS_KEY));

    // And the client-side checks (the ones ffmpeg applies) accept the whole answer.
    ClientHandshake ffmpeg = new ClientHandshake(c1, new Random(1));
    ffmpeg.start();
    assertEquals(HandshakeState.DONE, ffmpeg.feed(Buffer.buffer(answer), new Captures.Sent()),
        ffmpeg.failureReason());
    assertTrue(ffmpeg.serverUsedDigest());
  }

  @Test
  void answersKeyFirstC1WithS1DigestInKeyFirstLayout() {
    ClientHandshake client = new ClientHandshake(true, DigestLayout.KEY_FIRST, new Random(3));
    byte[] c0c1 = client.start().getBytes();
    ServerHandshake server = new ServerHandshake();
    Captures.Sent sent = new Captures.Sent();
    server.feed(Buffer.buffer(c0c1), sent);
    assertEquals(DigestLayout.KEY_FIRST, server.clientDigestLayout());
    byte[] s1 = Arrays.copyOfRange(sent.all(), 1, 1 + PACKET);
    assertEquals(DigestLayout.KEY_FIRST,
        HandshakeDigest.findDigest(s1, HandshakeDigest.FMS_KEY_OPEN_PART));
  }

  @Test
  void answersPlainlyWhenC1ClaimsAVersionButItsDigestIsBroken() {
    byte[] c0c1 = buf(read(Captures.FFMPEG_PUBLISH_CLIENT), 0, 1 + PACKET).getBytes();
    c0c1[1 + 494] ^= 0x01; // first byte of ffmpeg's digest
    ServerHandshake server = new ServerHandshake();
    Captures.Sent sent = new Captures.Sent();
    server.feed(Buffer.buffer(c0c1), sent);
    assertFalse(server.clientUsedDigest());
    byte[] answer = sent.all();
    assertArrayEquals(Arrays.copyOfRange(c0c1, 1, 1 + PACKET),
        Arrays.copyOfRange(answer, 1 + PACKET, 1 + 2 * PACKET));
    assertEquals("00000000", hex(Arrays.copyOfRange(answer, 5, 9)));
  }

  @Test
  void wholeFfmpegPublishCaptureReachesDoneWithChunkStreamAsRemainder() {
    byte[] capture = read(Captures.FFMPEG_PUBLISH_CLIENT);
    ServerHandshake server = new ServerHandshake();
    assertEquals(HandshakeState.DONE, server.feed(Buffer.buffer(capture), new Captures.Sent()));
    assertNull(server.failureReason());
    Buffer remainder = server.takeRemainder();
    assertEquals(capture.length - 3073, remainder.length());
    // Byte 3073 opens ffmpeg's chunk stream: fmt 0 on csid 3, length 140, type 20 (connect).
    assertEquals("0300000000008c14", hex(remainder.getBytes(0, 8)));
    assertArrayEquals(after(capture), remainder.getBytes());
    assertEquals(0, server.takeRemainder().length(), "the remainder is handed over once");
    // That C2 echoes nginx's S1, not ours: accepted anyway, only not recognised.
    assertFalse(server.c2Recognized());
  }

  @Test
  void bytesFedAfterDoneAreAppendedToTheRemainder() {
    byte[] capture = read(Captures.RTMPDUMP_PLAY_CLIENT);
    ServerHandshake server = new ServerHandshake();
    server.feed(Buffer.buffer(capture), new Captures.Sent());
    assertEquals(HandshakeState.DONE, server.state());
    assertEquals(0, server.takeRemainder().length());
    server.feed(Buffer.buffer(new byte[] {1, 2}), new Captures.Sent());
    server.feed(Buffer.buffer(new byte[] {3}), new Captures.Sent());
    assertEquals("010203", hex(server.takeRemainder().getBytes()));
  }

  @Test
  void waitsForAllOfC1BeforeAnsweringAndForAllOfC2BeforeDone() {
    byte[] capture = read(Captures.RTMPDUMP_PLAY_CLIENT);
    ServerHandshake server = new ServerHandshake();
    Captures.Sent sent = new Captures.Sent();
    assertEquals(HandshakeState.AWAITING_C0C1, server.feed(buf(capture, 0, PACKET), sent));
    assertTrue(sent.writes.isEmpty());
    assertEquals(HandshakeState.AWAITING_C2, server.feed(buf(capture, PACKET, PACKET + 1), sent));
    assertEquals(1, sent.writes.size());
    assertEquals(HandshakeState.AWAITING_C2,
        server.feed(buf(capture, PACKET + 1, HANDSHAKE_END - 1), sent));
    assertEquals(HandshakeState.DONE,
        server.feed(buf(capture, HANDSHAKE_END - 1, HANDSHAKE_END), sent));
    assertEquals(1, sent.writes.size());
  }

  @Test
  void acceptsAllZeroC2() {
    byte[] input = Arrays.copyOf(buf(read(Captures.RTMPDUMP_PLAY_CLIENT), 0, 1 + PACKET).getBytes(),
        HANDSHAKE_END);
    ServerHandshake server = new ServerHandshake();
    assertEquals(HandshakeState.DONE, server.feed(Buffer.buffer(input), new Captures.Sent()));
    assertFalse(server.c2Recognized());
  }

  @Test
  void everySplitOfFfmpegCaptureGivesTheSameAnswerStateAndRemainder() {
    byte[] capture = read(Captures.FFMPEG_PUBLISH_CLIENT);
    assertSplitInvariant(Arrays.copyOf(capture, HANDSHAKE_END + 64), true);
  }

  @Test
  void everySplitOfRtmpdumpCaptureGivesTheSameAnswerStateAndRemainder() {
    assertSplitInvariant(read(Captures.RTMPDUMP_PLAY_CLIENT), false);
  }

  private static void assertSplitInvariant(byte[] input, boolean digest) {
    Run whole = feedInPieces(input);
    assertEquals(HandshakeState.DONE, whole.state());
    assertEquals(digest, whole.digest());
    assertEquals(input.length - HANDSHAKE_END, whole.remainder().length);
    for (int cut = 0; cut <= input.length; cut++) {
      Run split = feedInPieces(input, cut);
      assertEquals(whole.state(), split.state(), "cut at " + cut);
      assertEquals(whole.digest(), split.digest(), "cut at " + cut);
      assertArrayEquals(whole.sent(), split.sent(), "cut at " + cut);
      assertArrayEquals(whole.remainder(), split.remainder(), "cut at " + cut);
    }
    int[] everyByte = new int[input.length - 1];
    Arrays.setAll(everyByte, i -> i + 1);
    Run oneByteAtATime = feedInPieces(input, everyByte);
    assertEquals(whole.state(), oneByteAtATime.state());
    assertArrayEquals(whole.sent(), oneByteAtATime.sent());
    assertArrayEquals(whole.remainder(), oneByteAtATime.remainder());
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 6, 0xFF})
  void rejectsVersionByteOtherThanThreeAndSendsNothing(int version) {
    byte[] input = buf(read(Captures.FFMPEG_PUBLISH_CLIENT), 0, HANDSHAKE_END).getBytes();
    input[0] = (byte) version;
    ServerHandshake server = new ServerHandshake();
    Captures.Sent sent = new Captures.Sent();
    assertEquals(HandshakeState.FAILED, server.feed(Buffer.buffer(input), sent));
    assertEquals(HandshakeState.FAILED, server.state());
    assertTrue(sent.writes.isEmpty());
    assertTrue(server.failureReason().startsWith("unsupported RTMP version " + version + " "),
        server.failureReason());
    assertEquals(0, server.takeRemainder().length());
    // Once failed, later input is ignored.
    assertEquals(HandshakeState.FAILED, server.feed(Buffer.buffer(input), sent));
    assertTrue(sent.writes.isEmpty());
  }

  @Test
  void rtmpeVersionSixIsRejectedAsEncryptedAsSoonAsC0Arrives() {
    ServerHandshake server = new ServerHandshake();
    assertEquals(HandshakeState.FAILED,
        server.feed(Buffer.buffer(new byte[] {6}), new Captures.Sent()));
    assertEquals("unsupported RTMP version 6 (RTMPE, encrypted RTMP, is not supported)",
        server.failureReason());
  }

  @Test
  void tlsAndHttpOnTheRtmpPortAreNamedInTheReason() {
    ServerHandshake tls = new ServerHandshake();
    tls.feed(Buffer.buffer(new byte[] {0x16, 0x03, 0x01}), new Captures.Sent());
    assertTrue(tls.failureReason().contains("TLS"), tls.failureReason());
    ServerHandshake http = new ServerHandshake();
    http.feed(Buffer.buffer("GET / HTTP/1.1\r\n"), new Captures.Sent());
    assertTrue(http.failureReason().contains("HTTP"), http.failureReason());
  }

  @Test
  void emptyAndNullInputChangeNothing() {
    ServerHandshake server = new ServerHandshake();
    Captures.Sent sent = new Captures.Sent();
    assertEquals(HandshakeState.AWAITING_C0C1, server.feed(Buffer.buffer(), sent));
    assertEquals(HandshakeState.AWAITING_C0C1, server.feed(null, sent));
    assertTrue(sent.writes.isEmpty());
    assertNull(server.failureReason());
  }

  @Test
  void answersDifferToEachConnection() {
    byte[] c0c1 = buf(read(Captures.FFMPEG_PUBLISH_CLIENT), 0, 1 + PACKET).getBytes();
    assertNotEquals(hex(answerTo(c0c1)), hex(answerTo(c0c1)));
  }
}

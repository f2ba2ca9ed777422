package org.rtmpcluster.common.rtmp.handshake;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rtmpcluster.common.rtmp.handshake.Captures.HANDSHAKE_END;
import static org.rtmpcluster.common.rtmp.handshake.Captures.after;
import static org.rtmpcluster.common.rtmp.handshake.Captures.buf;
import static org.rtmpcluster.common.rtmp.handshake.Captures.first;
import static org.rtmpcluster.common.rtmp.handshake.Captures.hex;
import static org.rtmpcluster.common.rtmp.handshake.Captures.read;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ClientHandshakeTest {

  private static final int PACKET = ServerHandshake.PACKET_SIZE;

  /** A client replaying ffmpeg's recorded C1, as if it were ffmpeg. */
  private static ClientHandshake ffmpegReplay() {
    ClientHandshake client = new ClientHandshake(first(read(Captures.FFMPEG_PUBLISH_CLIENT)),
        new Random(5));
    assertArrayEquals(buf(read(Captures.FFMPEG_PUBLISH_CLIENT), 0, 1 + PACKET).getBytes(),
        client.start().getBytes());
    return client;
  }

  @ParameterizedTest
  @CsvSource({Captures.FFMPEG_PUBLISH_SERVER, Captures.FFMPEG_PLAY_SERVER})
  void nginxDigestAnswerToFfmpegC1PassesVerificationAndGetsSignedC2(String serverCapture) {
    byte[] nginx = read(serverCapture);
    ClientHandshake client = ffmpegReplay();
    Captures.Sent sent = new Captures.Sent();
    assertEquals(HandshakeState.DONE, client.feed(Buffer.buffer(nginx), sent),
        client.failureReason());
    assertTrue(client.serverUsedDigest());
    assertEquals(1, sent.writes.size());
    byte[] c2 = sent.all();
    assertEquals(PACKET, c2.length);
    byte[] nginxS1Digest = HandshakeDigest.digestBytes(first(nginx), DigestLayout.DIGEST_FIRST);
    assertTrue(HandshakeDigest.isSigned(c2, nginxS1Digest, HandshakeDigest.FLASH_PLAYER_KEY));
    assertArrayEquals(after(nginx), client.takeRemainder().getBytes());
  }

  @Test
  void everySplitOfNginxAnswerGivesTheSameC2AndRemainder() {
    byte[] nginx = read(Captures.FFMPEG_PUBLISH_SERVER);
    byte[] wholeC2 = null;
    for (int cut = 0; cut <= nginx.length; cut++) {
      ClientHandshake client = ffmpegReplay();
      Captures.Sent sent = new Captures.Sent();
      client.feed(buf(nginx, 0, cut), sent);
      assertEquals(HandshakeState.DONE, client.feed(buf(nginx, cut, nginx.length), sent),
          "cut at " + cut);
      if (wholeC2 == null) {
        wholeC2 = sent.all();
      }
      assertArrayEquals(wholeC2, sent.all(), "cut at " + cut);
      assertArrayEquals(after(nginx), client.takeRemainder().getBytes(), "cut at " + cut);
    }
    ClientHandshake bytewise = ffmpegReplay();
    Captures.Sent sent = new Captures.Sent();
    for (int i = 0; i < nginx.length; i++) {
      bytewise.feed(buf(nginx, i, i + 1), sent);
    }
    assertEquals(HandshakeState.DONE, bytewise.state());
    assertArrayEquals(wholeC2, sent.all());
    assertArrayEquals(after(nginx), bytewise.takeRemainder().getBytes());
  }

  @Test
  void tamperedS1DigestFailsAndSendsNoC2() {
    byte[] nginx = read(Captures.FFMPEG_PUBLISH_SERVER);
    nginx[1 + 492] ^= 0x40; // inside nginx's S1 digest
    ClientHandshake client = ffmpegReplay();
    Captures.Sent sent = new Captures.Sent();
    assertEquals(HandshakeState.FAILED, client.feed(Buffer.buffer(nginx), sent));
    assertEquals("server S1 claims version 13.14.10.13 but carries no valid digest",
        client.failureReason());
    assertTrue(sent.writes.isEmpty());
  }

  @Test
  void tamperedS2SignatureFailsAndSendsNoC2() {
    byte[] nginx = read(Captures.FFMPEG_PUBLISH_SERVER);
    nginx[HANDSHAKE_END - 1] ^= 0x01; // last signature byte
    ClientHandshake client = ffmpegReplay();
    Captures.Sent sent = new Captures.Sent();
    assertEquals(HandshakeState.FAILED, client.feed(Buffer.buffer(nginx), sent));
    assertEquals("server S2 signature does not match our C1 digest", client.failureReason());
    assertTrue(sent.writes.isEmpty());
  }

  @Test
  void digestClientTakesVersionZeroServerAsPlainAndEchoesS1() {
    byte[] answer = new byte[HANDSHAKE_END];
    new Random(9).nextBytes(answer);
    answer[0] = 3;
    Arrays.fill(answer, 5, 9, (byte) 0); // S1 version 0: a plain server
    ClientHandshake client = new ClientHandshake(true);
    client.start();
    Captures.Sent sent = new Captures.Sent();
    assertEquals(HandshakeState.DONE, client.feed(Buffer.buffer(answer), sent));
    assertFalse(client.serverUsedDigest());
    assertArrayEquals(Arrays.copyOfRange(answer, 1, 1 + PACKET), sent.all());
  }

  @Test
  void plainClientSendsVersionZeroC1AndEchoesS1EvenToADigestServer() {
    ClientHandshake client = new ClientHandshake(false);
    byte[] c0c1 = client.start().getBytes();
    assertEquals(1 + PACKET, c0c1.length);
    assertEquals(3, c0c1[0]);
    assertEquals("0000000000000000", hex(Arrays.copyOfRange(c0c1, 1, 9)));
    byte[] nginx = read(Captures.FFMPEG_PUBLISH_SERVER);
    Captures.Sent sent = new Captures.Sent();
    assertEquals(HandshakeState.DONE, client.feed(Buffer.buffer(nginx), sent));
    assertArrayEquals(first(nginx), sent.all());
  }

  @ParameterizedTest
  @CsvSource({"DIGEST_FIRST", "KEY_FIRST"})
  void digestClientC1ClaimsFlash9AndCarriesFlashPlayerDigest(DigestLayout layout) {
    ClientHandshake client = new ClientHandshake(true, layout, null);
    byte[] c1 = Arrays.copyOfRange(client.start().getBytes(), 1, 1 + PACKET);
    assertEquals("0000000009007c02", hex(Arrays.copyOf(c1, 8)));
    assertEquals(layout,
        HandshakeDigest.findDigest(c1, HandshakeDigest.FLASH_PLAYER_KEY_OPEN_PART));
  }

  @ParameterizedTest
  @CsvSource({"0", "6", "255"})
  void serverVersionOtherThanThreeFailsAndSendsNothing(int version) {
    byte[] nginx = read(Captures.FFMPEG_PUBLISH_SERVER);
    nginx[0] = (byte) version;
    ClientHandshake client = ffmpegReplay();
    Captures.Sent sent = new Captures.Sent();
    assertEquals(HandshakeState.FAILED, client.feed(Buffer.buffer(nginx), sent));
    assertEquals("server answered with RTMP version " + version + " (expected 3)",
        client.failureReason());
    assertTrue(sent.writes.isEmpty());
  }

  @Test
  void serverBytesBeforeStartFail() {
    ClientHandshake client = new ClientHandshake(true);
    assertEquals(HandshakeState.FAILED,
        client.feed(Buffer.buffer(new byte[] {3}), new Captures.Sent()));
    assertTrue(client.failureReason().contains("start()"));
  }

  @ParameterizedTest
  @CsvSource({"false, DIGEST_FIRST, 1", "true, DIGEST_FIRST, 1", "true, KEY_FIRST, 1",
      "false, DIGEST_FIRST, 100000", "true, DIGEST_FIRST, 100000", "true, KEY_FIRST, 7"})
  void clientAndServerInMemoryBothReachDone(boolean digest, DigestLayout layout, int pieceSize) {
    ClientHandshake client = new ClientHandshake(digest, layout, null);
    ServerHandshake server = new ServerHandshake();
    Deque<Buffer> toServer = new ArrayDeque<>();
    Deque<Buffer> toClient = new ArrayDeque<>();
    toServer.add(client.start());
    while (!toServer.isEmpty() || !toClient.isEmpty()) {
      if (!toServer.isEmpty()) {
        deliver(toServer.poll(), pieceSize, piece -> server.feed(piece, toClient::add));
      }
      if (!toClient.isEmpty()) {
        deliver(toClient.poll(), pieceSize, piece -> client.feed(piece, toServer::add));
      }
    }
    assertEquals(HandshakeState.DONE, server.state(), server.failureReason());
    assertEquals(HandshakeState.DONE, client.state(), client.failureReason());
    assertNull(client.failureReason());
    assertEquals(digest, server.clientUsedDigest());
    assertEquals(digest, client.serverUsedDigest());
    assertEquals(digest ? layout : null, server.clientDigestLayout());
    assertTrue(server.c2Recognized(), "C2 echoes S1 or is signed with S1's digest");
    assertEquals(0, server.takeRemainder().length());
    assertEquals(0, client.takeRemainder().length());
  }

  private static void deliver(Buffer data, int pieceSize,
      java.util.function.Consumer<Buffer> feed) {
    for (int from = 0; from < data.length(); from += pieceSize) {
      feed.accept(data.getBuffer(from, Math.min(data.length(), from + pieceSize)));
    }
  }
}

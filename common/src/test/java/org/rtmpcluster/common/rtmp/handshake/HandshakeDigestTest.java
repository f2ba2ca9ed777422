package org.rtmpcluster.common.rtmp.handshake;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rtmpcluster.common.rtmp.handshake.Captures.first;
import static org.rtmpcluster.common.rtmp.handshake.Captures.hex;
import static org.rtmpcluster.common.rtmp.handshake.Captures.read;
import static org.rtmpcluster.common.rtmp.handshake.Captures.second;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class HandshakeDigestTest {

  // Values read off the captures: ffmpeg 5.1's C1 (it seeds its PRNG with a constant, so the same
  // C1 appears in both ffmpeg captures) and nginx-rtmp's S1/S2 answers.
  private static final String FFMPEG_C1_DIGEST =
      "650bfb9b65f953d848e3456965d0d76b627a84e35e9ddabd8b43f0fadaee458c";
  private static final String NGINX_PUBLISH_S1_DIGEST =
      "d8aa5eb713ba8ad118080cbbedc825eb39cc3eb50643de13f5da17c643c3e57f";
  private static final String NGINX_PLAY_S1_DIGEST =
      "9129b013033bff08ddb7dd68b45caf44c7b5e69e386612e0b8bfc998f705c889";
  private static final String NGINX_PUBLISH_S2_SIGNATURE =
      "f857cca54b1896312c264204c8e79d862ab1d241397cb35b1a84315b94eba91f";

  @Test
  void keysAreTheDocumentedTextPlusTheSharedThirtyTwoByteTail() {
    String tail = "f0eec24a8068bee82e00d0d1029e7e576eec5d2d29806fab93b8e636cfeb31ae";
    assertEquals(30, HandshakeDigest.FLASH_PLAYER_KEY_OPEN_PART.length);
    assertEquals(62, HandshakeDigest.FLASH_PLAYER_KEY.length);
    assertEquals(36, HandshakeDigest.FMS_KEY_OPEN_PART.length);
    assertEquals(68, HandshakeDigest.FMS_KEY.length);
    assertEquals(
        hex("Genuine Adobe Flash Player 001".getBytes(StandardCharsets.US_ASCII)) + tail,
        hex(HandshakeDigest.FLASH_PLAYER_KEY));
    assertEquals(
        hex("Genuine Adobe Flash Media Server 001".getBytes(StandardCharsets.US_ASCII)) + tail,
        hex(HandshakeDigest.FMS_KEY));
  }

  @Test
  void digestOffsetIsFourBytesSummedModulo728PastTheOffsetField() {
    byte[] packet = new byte[HandshakeDigest.PACKET_SIZE];
    assertEquals(12, HandshakeDigest.digestOffset(packet, DigestLayout.DIGEST_FIRST));
    assertEquals(776, HandshakeDigest.digestOffset(packet, DigestLayout.KEY_FIRST));

    // 255+255+217+0 = 727, the largest offset: the digest still ends inside the packet.
    setOffsetBytes(packet, 8, 255, 255, 217, 0);
    setOffsetBytes(packet, 772, 255, 255, 217, 0);
    assertEquals(8 + 4 + 727, HandshakeDigest.digestOffset(packet, DigestLayout.DIGEST_FIRST));
    assertEquals(772 + 4 + 727, HandshakeDigest.digestOffset(packet, DigestLayout.KEY_FIRST));
    assertEquals(1535, HandshakeDigest.digestOffset(packet, DigestLayout.KEY_FIRST) + 32);

    // 728 wraps to 0; 4 * 255 = 1020 wraps to 292.
    setOffsetBytes(packet, 8, 255, 255, 218, 0);
    assertEquals(12, HandshakeDigest.digestOffset(packet, DigestLayout.DIGEST_FIRST));
    setOffsetBytes(packet, 772, 255, 255, 255, 255);
    assertEquals(776 + 292, HandshakeDigest.digestOffset(packet, DigestLayout.KEY_FIRST));
  }

  @Test
  void ffmpegC1CarriesDigestFirstDigestAtOffset494KeyedWithFlashPlayerKey() {
    byte[] c1 = first(read(Captures.FFMPEG_PUBLISH_CLIENT));
    // Offset bytes f7 78 55 1e: 247+120+85+30 = 482, + 12.
    assertEquals(494, HandshakeDigest.digestOffset(c1, DigestLayout.DIGEST_FIRST));
    assertEquals(FFMPEG_C1_DIGEST, hex(HandshakeDigest.digestBytes(c1, DigestLayout.DIGEST_FIRST)));
    assertEquals(
        FFMPEG_C1_DIGEST,
        hex(HandshakeDigest.packetDigest(c1, 494, HandshakeDigest.FLASH_PLAYER_KEY_OPEN_PART)));
    assertEquals(DigestLayout.DIGEST_FIRST,
        HandshakeDigest.findDigest(c1, HandshakeDigest.FLASH_PLAYER_KEY_OPEN_PART));
    assertFalse(HandshakeDigest.hasDigest(c1, DigestLayout.KEY_FIRST,
        HandshakeDigest.FLASH_PLAYER_KEY_OPEN_PART));
    // The digest is keyed with the 30 text bytes only, not the full 62-byte key.
    assertFalse(HandshakeDigest.hasDigest(c1, DigestLayout.DIGEST_FIRST,
        HandshakeDigest.FLASH_PLAYER_KEY));
  }

  @Test
  void ffmpegC1DigestMatchesAnIndependentHmacOfTheRestOfThePacket() throws Exception {
    byte[] c1 = first(read(Captures.FFMPEG_PUBLISH_CLIENT));
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(
        "Genuine Adobe Flash Player 001".getBytes(StandardCharsets.US_ASCII), "HmacSHA256"));
    mac.update(Arrays.copyOfRange(c1, 0, 494));
    mac.update(Arrays.copyOfRange(c1, 494 + 32, 1536));
    assertEquals(FFMPEG_C1_DIGEST, hex(mac.doFinal()));
  }

  @Test
  void nginxS1DigestsAreKeyedWithTheFmsKeyOpenPartInTheClientsLayout() {
    byte[] publishS1 = first(read(Captures.FFMPEG_PUBLISH_SERVER));
    assertEquals(492, HandshakeDigest.digestOffset(publishS1, DigestLayout.DIGEST_FIRST));
    assertEquals(DigestLayout.DIGEST_FIRST,
        HandshakeDigest.findDigest(publishS1, HandshakeDigest.FMS_KEY_OPEN_PART));
    assertEquals(NGINX_PUBLISH_S1_DIGEST,
        hex(HandshakeDigest.digestBytes(publishS1, DigestLayout.DIGEST_FIRST)));

    byte[] playS1 = first(read(Captures.FFMPEG_PLAY_SERVER));
    assertEquals(106, HandshakeDigest.digestOffset(playS1, DigestLayout.DIGEST_FIRST));
    assertEquals(DigestLayout.DIGEST_FIRST,
        HandshakeDigest.findDigest(playS1, HandshakeDigest.FMS_KEY_OPEN_PART));
    assertEquals(NGINX_PLAY_S1_DIGEST,
        hex(HandshakeDigest.digestBytes(playS1, DigestLayout.DIGEST_FIRST)));
  }

  @Test
  void nginxS2IsSignedWithKeyDerivedFromFfmpegC1DigestAndFullFmsKey() {
    byte[] s2 = second(read(Captures.FFMPEG_PUBLISH_SERVER));
    byte[] clientDigest = Captures.unhex(FFMPEG_C1_DIGEST);
    assertEquals(NGINX_PUBLISH_S2_SIGNATURE,
        hex(HandshakeDigest.signature(s2, clientDigest, HandshakeDigest.FMS_KEY)));
    assertEquals(NGINX_PUBLISH_S2_SIGNATURE, hex(Arrays.copyOfRange(s2, 1504, 1536)));
    assertTrue(HandshakeDigest.isSigned(s2, clientDigest, HandshakeDigest.FMS_KEY));
    assertFalse(HandshakeDigest.isSigned(s2, clientDigest, HandshakeDigest.FMS_KEY_OPEN_PART));
  }

  @Test
  void ffmpegPlayC2IsSignedWithKeyDerivedFromNginxS1DigestAndFullFlashPlayerKey() {
    byte[] c2 = second(read(Captures.FFMPEG_PLAY_CLIENT));
    byte[] serverDigest = Captures.unhex(NGINX_PLAY_S1_DIGEST);
    assertTrue(HandshakeDigest.isSigned(c2, serverDigest, HandshakeDigest.FLASH_PLAYER_KEY));
  }

  @Test
  void rtmpdumpPlainC1HasNoDigestInEitherLayout() {
    byte[] c1 = first(read(Captures.RTMPDUMP_PLAY_CLIENT));
    assertNull(HandshakeDigest.findDigest(c1, HandshakeDigest.FLASH_PLAYER_KEY_OPEN_PART));
  }

  @Test
  void imprintedDigestVerifiesOnlyInItsOwnLayoutAndOnlyUntouched() {
    for (DigestLayout layout : DigestLayout.values()) {
      byte[] packet = new byte[HandshakeDigest.PACKET_SIZE];
      new Random(7).nextBytes(packet);
      int offset = HandshakeDigest.imprint(packet, layout, HandshakeDigest.FMS_KEY_OPEN_PART);
      assertEquals(HandshakeDigest.digestOffset(packet, layout), offset);
      assertEquals(layout, HandshakeDigest.findDigest(packet, HandshakeDigest.FMS_KEY_OPEN_PART));
      assertNull(HandshakeDigest.findDigest(packet, HandshakeDigest.FLASH_PLAYER_KEY_OPEN_PART));
      byte[] tampered = packet.clone();
      tampered[0] ^= 1; // the time field: outside every digest, covered by it
      assertNull(HandshakeDigest.findDigest(tampered, HandshakeDigest.FMS_KEY_OPEN_PART));
    }
  }

  @Test
  void signatureCoversFirst1504BytesAndSitsInTheLast32() {
    byte[] packet = new byte[HandshakeDigest.PACKET_SIZE];
    new Random(11).nextBytes(packet);
    byte[] peerDigest = Arrays.copyOf(packet, 32);
    HandshakeDigest.sign(packet, peerDigest, HandshakeDigest.FMS_KEY);
    assertArrayEquals(
        HandshakeDigest.signature(packet, peerDigest, HandshakeDigest.FMS_KEY),
        Arrays.copyOfRange(packet, 1504, 1536));
    assertTrue(HandshakeDigest.isSigned(packet, peerDigest, HandshakeDigest.FMS_KEY));
    packet[1503] ^= 1;
    assertFalse(HandshakeDigest.isSigned(packet, peerDigest, HandshakeDigest.FMS_KEY));
  }

  private static void setOffsetBytes(byte[] packet, int at, int a, int b, int c, int d) {
    packet[at] = (byte) a;
    packet[at + 1] = (byte) b;
    packet[at + 2] = (byte) c;
    packet[at + 3] = (byte) d;
  }
}

package org.rtmpcluster.common.rtmp.handshake;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HMAC-SHA256 arithmetic of the digest ("complex") RTMP handshake, shared by both sides.
 *
 * <p>The scheme, as Flash Player, FMS, ffmpeg and nginx-rtmp implement it:
 *
 * <ul>
 *   <li>C1 carries {@code HMAC(FLASH_PLAYER_KEY[0..30], C1 without its 32 digest bytes)} at the
 *       position given by its {@link DigestLayout}; S1 does the same with {@code FMS_KEY[0..36]}.
 *   <li>S2 is 1504 random bytes followed by {@code HMAC(HMAC(FMS_KEY, c1Digest), S2[0..1504])}.
 *   <li>C2 mirrors it: 1504 random bytes and {@code HMAC(HMAC(FLASH_PLAYER_KEY, s1Digest),
 *       C2[0..1504])}.
 * </ul>
 *
 * <p>The keys are public knowledge (they are in every open-source RTMP implementation); the
 * handshake proves nothing about identity, but ffmpeg and Flash-era clients check it.
 */
final class HandshakeDigest {

  /** Size of C1, S1, C2 and S2. */
  static final int PACKET_SIZE = 1536;

  /** An HMAC-SHA256 output. */
  static final int DIGEST_SIZE = 32;

  /** Where the S2/C2 signature starts: the last 32 bytes of the packet. */
  static final int SIGNATURE_OFFSET = PACKET_SIZE - DIGEST_SIZE;

  /**
   * The digest offset is the sum of 4 bytes modulo this: 764-byte block, minus 4 offset bytes,
   * minus 32 digest bytes, so the digest always fits inside its block.
   */
  static final int OFFSET_MODULUS = 728;

  /** The 32 bytes both keys end with. */
  private static final byte[] KEY_TAIL = {
    (byte) 0xF0, (byte) 0xEE, (byte) 0xC2, (byte) 0x4A, (byte) 0x80, (byte) 0x68, (byte) 0xBE,
    (byte) 0xE8, (byte) 0x2E, (byte) 0x00, (byte) 0xD0, (byte) 0xD1, (byte) 0x02, (byte) 0x9E,
    (byte) 0x7E, (byte) 0x57, (byte) 0x6E, (byte) 0xEC, (byte) 0x5D, (byte) 0x2D, (byte) 0x29,
    (byte) 0x80, (byte) 0x6F, (byte) 0xAB, (byte) 0x93, (byte) 0xB8, (byte) 0xE6, (byte) 0x36,
    (byte) 0xCF, (byte) 0xEB, (byte) 0x31, (byte) 0xAE
  };

  /** Text part of the client key; C1 digests use exactly these 30 bytes as the HMAC key. */
  static final String FLASH_PLAYER_KEY_TEXT = "Genuine Adobe Flash Player 001";

  /** Text part of the server key; S1 digests use exactly these 36 bytes as the HMAC key. */
  static final String FMS_KEY_TEXT = "Genuine Adobe Flash Media Server 001";

  /** Key for C1 digests: the 30 text bytes. */
  static final byte[] FLASH_PLAYER_KEY_OPEN_PART = ascii(FLASH_PLAYER_KEY_TEXT);

  /** Full 62-byte client key (text + tail): derives the C2 signing key from the S1 digest. */
  static final byte[] FLASH_PLAYER_KEY = concat(FLASH_PLAYER_KEY_OPEN_PART, KEY_TAIL);

  /** Key for S1 digests: the 36 text bytes. */
  static final byte[] FMS_KEY_OPEN_PART = ascii(FMS_KEY_TEXT);

  /** Full 68-byte server key (text + tail): derives the S2 signing key from the C1 digest. */
  static final byte[] FMS_KEY = concat(FMS_KEY_OPEN_PART, KEY_TAIL);

  /** One Mac per thread: Mac.getInstance walks the provider list, too slow per handshake. */
  private static final ThreadLocal<Mac> MAC =
      ThreadLocal.withInitial(
          () -> {
            try {
              return Mac.getInstance("HmacSHA256");
            } catch (GeneralSecurityException e) {
              // Every Java SE runtime must provide HmacSHA256.
              throw new IllegalStateException("HmacSHA256 unavailable", e);
            }
          });

  private HandshakeDigest() {}

  /** Position of the 32-byte digest inside {@code packet} under {@code layout}. */
  static int digestOffset(byte[] packet, DigestLayout layout) {
    int field = layout.offsetField();
    int sum =
        (packet[field] & 0xFF)
            + (packet[field + 1] & 0xFF)
            + (packet[field + 2] & 0xFF)
            + (packet[field + 3] & 0xFF);
    return field + 4 + sum % OFFSET_MODULUS;
  }

  /** HMAC of the whole packet except the 32 bytes at {@code digestOffset}. */
  static byte[] packetDigest(byte[] packet, int digestOffset, byte[] key) {
    Mac mac = macFor(key);
    mac.update(packet, 0, digestOffset);
    int after = digestOffset + DIGEST_SIZE;
    mac.update(packet, after, PACKET_SIZE - after);
    return mac.doFinal();
  }

  /** Writes the digest for {@code layout} into {@code packet} and returns its offset. */
  static int imprint(byte[] packet, DigestLayout layout, byte[] key) {
    int offset = digestOffset(packet, layout);
    System.arraycopy(packetDigest(packet, offset, key), 0, packet, offset, DIGEST_SIZE);
    return offset;
  }

  /** True when {@code packet} carries a valid digest under {@code layout} and {@code key}. */
  static boolean hasDigest(byte[] packet, DigestLayout layout, byte[] key) {
    int offset = digestOffset(packet, layout);
    return MessageDigest.isEqual(
        packetDigest(packet, offset, key),
        Arrays.copyOfRange(packet, offset, offset + DIGEST_SIZE));
  }

  /**
   * The layout under which {@code packet} carries a valid digest, or null. Tries digest-first
   * (what ffmpeg and most Flash players send) before key-first.
   */
  static DigestLayout findDigest(byte[] packet, byte[] key) {
    for (DigestLayout layout : DigestLayout.values()) {
      if (hasDigest(packet, layout, key)) {
        return layout;
      }
    }
    return null;
  }

  /** The 32 digest bytes of {@code packet} under {@code layout}. */
  static byte[] digestBytes(byte[] packet, DigestLayout layout) {
    int offset = digestOffset(packet, layout);
    return Arrays.copyOfRange(packet, offset, offset + DIGEST_SIZE);
  }

  /**
   * The S2/C2 signature: {@code HMAC(HMAC(fullKey, peerDigest), packet[0..1504])}, where
   * peerDigest is the digest from the other side's C1/S1.
   */
  static byte[] signature(byte[] packet, byte[] peerDigest, byte[] fullKey) {
    byte[] signingKey = hmac(fullKey, peerDigest);
    Mac mac = macFor(signingKey);
    mac.update(packet, 0, SIGNATURE_OFFSET);
    return mac.doFinal();
  }

  /** Writes the signature into the last 32 bytes of {@code packet}. */
  static void sign(byte[] packet, byte[] peerDigest, byte[] fullKey) {
    byte[] sig = signature(packet, peerDigest, fullKey);
    System.arraycopy(sig, 0, packet, SIGNATURE_OFFSET, DIGEST_SIZE);
  }

  /** True when the last 32 bytes of {@code packet} are its signature. */
  static boolean isSigned(byte[] packet, byte[] peerDigest, byte[] fullKey) {
    return MessageDigest.isEqual(
        signature(packet, peerDigest, fullKey),
        Arrays.copyOfRange(packet, SIGNATURE_OFFSET, PACKET_SIZE));
  }

  static byte[] hmac(byte[] key, byte[] data) {
    return macFor(key).doFinal(data);
  }

  private static Mac macFor(byte[] key) {
    Mac mac = MAC.get();
    try {
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
    } catch (GeneralSecurityException e) {
      // Only thrown for an empty key, which this class never passes.
      throw new IllegalStateException("cannot initialise HmacSHA256", e);
    }
    return mac;
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}

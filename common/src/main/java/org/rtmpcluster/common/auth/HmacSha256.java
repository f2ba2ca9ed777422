package org.rtmpcluster.common.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** HMAC-SHA256 (RFC 2104) of signed tokens and of webhook bodies. */
final class HmacSha256 {
  private static final String ALGORITHM = "HmacSHA256";

  private HmacSha256() {
  }

  /** A secret as the key, its UTF-8 bytes. */
  static SecretKeySpec key(String secret) {
    return new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), ALGORITHM);
  }

  static byte[] of(SecretKeySpec key, byte[] data) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(key);
      return mac.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }

  /** Lowercase hex, as tokens and X-Signature carry it. */
  static String hex(String secret, byte[] data) {
    return HexFormat.of().formatHex(of(key(secret), data));
  }
}

package org.rtmpcluster.common.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.function.LongSupplier;
import javax.crypto.spec.SecretKeySpec;
import org.rtmpcluster.common.config.AuthAction;
import org.rtmpcluster.common.config.TokenSettings;

/**
 * Checks the signed, expiring tokens of {@link TokenSettings}: {@code expires}, {@code kid} and
 * {@code token} in the query string of a stream name, the token being the lowercase hex
 * HMAC-SHA256 of {@code <action>:<app>/<name>:<expires>}. A refusal says what is missing or
 * wrong, never what the right token or a secret would be. Thread-safe.
 */
public final class SignedTokens {
  /** A hex HMAC-SHA256 is 64 characters; anything longer is not one and is not hashed. */
  private static final int TOKEN_HEX_LENGTH = 64;
  /** Unix seconds fit in 12 digits for the next 30,000 years. */
  private static final int MAX_EXPIRES_DIGITS = 12;

  private final TokenSettings settings;
  private final Map<String, SecretKeySpec> keys = new HashMap<>();
  private final LongSupplier nowMs;

  /** @param nowMs wall-clock milliseconds (tokens carry Unix time) */
  public SignedTokens(TokenSettings settings, LongSupplier nowMs) {
    this.settings = settings;
    this.nowMs = nowMs;
    for (TokenSettings.SigningKey key : settings.keys()) {
      keys.put(key.id(), HmacSha256.key(key.secret()));
    }
  }

  /** Whether {@code action} needs a token at all. */
  public boolean required(AuthAction action) {
    return settings.requiredFor(action);
  }

  /**
   * Null when {@code query} carries a valid token for {@code action} on {@code app}/{@code name},
   * or the reason it does not.
   */
  public String refusal(AuthAction action, String app, String name, String query) {
    Map<String, String> params = QueryString.parse(query);
    String expires = params.get("expires");
    String kid = params.get("kid");
    String token = params.get("token");
    if (expires == null || kid == null || token == null) {
      return action.label() + " needs a signed token: add ?expires=<unix seconds>&kid=<key id>&token=<hmac> "
          + "to the stream name";
    }
    if (expires.isEmpty() || expires.length() > MAX_EXPIRES_DIGITS || !expires.chars().allMatch(Character::isDigit)) {
      return "the token's expires is not a time in Unix seconds";
    }
    long expiresMs = Long.parseLong(expires) * 1000;
    if (expiresMs + settings.clockSkewMs() < nowMs.getAsLong()) {
      return "the token expired at " + java.time.Instant.ofEpochMilli(expiresMs);
    }
    SecretKeySpec key = keys.get(kid);
    if (key == null) {
      return "the token's key id is not one this node knows";
    }
    if (token.length() != TOKEN_HEX_LENGTH) {
      return "the token does not match this stream";
    }
    byte[] expected = HmacSha256.of(key, signedText(action, app, name, expires).getBytes(StandardCharsets.UTF_8));
    byte[] given = token.toLowerCase(java.util.Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
    byte[] expectedHex = HexFormat.of().formatHex(expected).getBytes(StandardCharsets.US_ASCII);
    if (!MessageDigest.isEqual(expectedHex, given)) {
      return "the token does not match this stream";
    }
    return null;
  }

  /** What the token signs. */
  public static String signedText(AuthAction action, String app, String name, String expires) {
    return action.label() + ":" + app + "/" + name + ":" + expires;
  }

  /** The token for {@code action} on {@code app}/{@code name} until {@code expiresSeconds}: for tools and tests. */
  public static String sign(String secret, AuthAction action, String app, String name, long expiresSeconds) {
    return HmacSha256.hex(secret,
        signedText(action, app, name, Long.toString(expiresSeconds)).getBytes(StandardCharsets.UTF_8));
  }
}

package org.rtmpcluster.common.config;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Signed, expiring tokens (config section {@code auth.tokens}): a player appends
 * {@code ?expires=<unix seconds>&kid=<id>&token=<hex>} to the stream name, where the token is the
 * lowercase hex HMAC-SHA256 of {@code <action>:<app>/<name>:<expires>} with that key's secret.
 *
 * @param requiredFor  the actions that need a valid token: play, publish, or both
 * @param keys         the keys tokens may be signed with; several at once so that a new key can be
 *                     rolled out before the old one is retired
 * @param clockSkewMs  how long after its expiry a token is still taken, for clocks that differ
 */
public record TokenSettings(Set<AuthAction> requiredFor, List<SigningKey> keys, int clockSkewMs) {
  /** Key id of the key given with {@code --play-token-secret}. */
  public static final String DEFAULT_KEY_ID = "default";
  /** NTP keeps servers within milliseconds; 30 s covers a signer whose clock is not. */
  public static final int DEFAULT_CLOCK_SKEW_MS = 30_000;
  public static final TokenSettings DEFAULT = new TokenSettings(Set.of(), List.of(), DEFAULT_CLOCK_SKEW_MS);
  /** An HMAC-SHA256 key shorter than this is guessable offline from one token. */
  public static final int MIN_SECRET_LENGTH = 16;

  /** A key tokens are signed with; its secret never appears in logs or the API. */
  public record SigningKey(String id, String secret) {
    public SigningKey {
      if (id == null || id.isBlank() || !id.matches("[A-Za-z0-9._-]{1,64}")) {
        throw new ConfigException("auth.tokens.keys[].id must be 1-64 letters, digits, '.', '_' or '-'");
      }
      if (secret == null || secret.length() < MIN_SECRET_LENGTH) {
        throw new ConfigException("the token key '" + id + "' needs a secret of at least "
            + MIN_SECRET_LENGTH + " characters (try: openssl rand -hex 32)");
      }
    }

    @Override
    public String toString() {
      return "SigningKey[id=" + id + ", secret=(hidden)]";
    }
  }

  public TokenSettings {
    requiredFor = requiredFor.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(requiredFor));
    keys = List.copyOf(keys);
    Set<String> ids = new HashSet<>();
    for (SigningKey key : keys) {
      if (!ids.add(key.id())) {
        throw new ConfigException("auth.tokens.keys has the id '" + key.id() + "' twice");
      }
    }
    if (!requiredFor.isEmpty() && keys.isEmpty()) {
      throw new ConfigException("auth.tokens.required-for needs at least one key in auth.tokens.keys "
          + "(or --play-token-secret)");
    }
  }

  static TokenSettings read(ConfigReader r) {
    Set<AuthAction> required = AuthAction.readSet(r, "required-for");
    List<SigningKey> keys = new ArrayList<>();
    for (Object entry : r.array("keys")) {
      if (!(entry instanceof JsonObject key)) {
        throw new ConfigException(r.name("keys") + " entries need 'id' and 'secret'");
      }
      ConfigReader k = new ConfigReader(r.name("keys[]"), key);
      keys.add(new SigningKey(k.string("id", null), k.string("secret", null)));
      k.rejectUnknownKeys();
    }
    TokenSettings settings = new TokenSettings(required, keys,
        r.integer("clock-skew-ms", DEFAULT.clockSkewMs, 0, 3_600_000));
    r.rejectUnknownKeys();
    return settings;
  }

  public boolean requiredFor(AuthAction action) {
    return requiredFor.contains(action);
  }

  /** {@code --play-token-secret}: every play needs a token signed with this secret, key id "default". */
  public TokenSettings withPlaySecret(String secret) {
    List<SigningKey> all = new ArrayList<>();
    for (SigningKey key : keys) {
      if (!key.id().equals(DEFAULT_KEY_ID)) {
        all.add(key);
      }
    }
    all.add(new SigningKey(DEFAULT_KEY_ID, secret));
    Set<AuthAction> required = requiredFor.isEmpty() ? EnumSet.noneOf(AuthAction.class) : EnumSet.copyOf(requiredFor);
    required.add(AuthAction.PLAY);
    return new TokenSettings(required, all, clockSkewMs);
  }
}

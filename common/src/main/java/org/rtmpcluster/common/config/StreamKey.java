package org.rtmpcluster.common.config;

/**
 * A publish key: whoever publishes with the secret {@code key} publishes the stream that players
 * play as {@code name}, so the secret never appears in a player URL.
 */
public record StreamKey(String key, String name) {

  public StreamKey {
    if (key == null || key.isBlank() || name == null || name.isBlank()) {
      throw new ConfigException("a stream key needs a non-empty key and name");
    }
    if (key.contains("?") || name.contains("?") || key.contains("/") || name.contains("/")) {
      throw new ConfigException("stream keys and names may not contain '?' or '/': " + name);
    }
  }

  /** Parses the command-line form SECRET:NAME. */
  public static StreamKey parse(String text) {
    int colon = text.lastIndexOf(':');
    if (colon <= 0 || colon == text.length() - 1) {
      throw new ConfigException("--key takes SECRET:NAME, not '" + text + "'");
    }
    return new StreamKey(text.substring(0, colon), text.substring(colon + 1));
  }

  /** The key with all but its first two characters hidden, for log lines. */
  public static String mask(String key) {
    if (key == null) {
      return "(none)";
    }
    return key.length() <= 2 ? "**" : key.substring(0, 2) + "*".repeat(Math.min(8, key.length() - 2));
  }
}

package org.rtmpcluster.common.config;

/**
 * A publish key: whoever publishes with the secret {@code key} publishes the stream that players
 * play as {@code name}, so the secret never appears in a player URL. A key bound to an {@code app}
 * publishes only there (rtmp://host/APP/KEY); one with a null app publishes in whichever app the
 * encoder connected to.
 */
public record StreamKey(String key, String name, String app) {

  public StreamKey {
    if (key == null || key.isBlank() || name == null || name.isBlank()) {
      throw new ConfigException("a stream key needs a non-empty key and name");
    }
    if (key.contains("?") || name.contains("?") || key.contains("/") || name.contains("/")) {
      throw new ConfigException("stream keys and names may not contain '?' or '/': " + name);
    }
    if (app != null && !isValidApp(app)) {
      throw new ConfigException("the key for '" + name + "' is bound to '" + app
          + "', which is not an app name (letters, digits, '.', '_', '-')");
    }
  }

  /** A key for whichever app the encoder connects to. */
  public StreamKey(String key, String name) {
    this(key, name, null);
  }

  /** Parses the command-line form SECRET:NAME, or SECRET:APP/NAME for a key bound to an app. */
  public static StreamKey parse(String text) {
    int colon = text.lastIndexOf(':');
    if (colon <= 0 || colon == text.length() - 1) {
      throw new ConfigException("--key takes SECRET:NAME or SECRET:APP/NAME, not '" + StreamKey.mask(text) + "'");
    }
    String key = text.substring(0, colon);
    String target = text.substring(colon + 1);
    int slash = target.indexOf('/');
    return slash < 0 ? new StreamKey(key, target) : new StreamKey(key, target.substring(slash + 1), target.substring(0, slash));
  }

  /** Whether a key bound to an app may publish in {@code connectedApp}. */
  public boolean publishesIn(String connectedApp) {
    return app == null || app.equals(connectedApp);
  }

  /** App names as URLs carry them: letters, digits, '.', '_' and '-'. */
  public static boolean isValidApp(String app) {
    return app != null && app.matches("[A-Za-z0-9._-]{1,128}");
  }

  /** Never prints the secret. */
  @Override
  public String toString() {
    return "StreamKey[key=" + mask(key) + ", name=" + name + (app == null ? "" : ", app=" + app) + "]";
  }

  /** The key with all but its first two characters hidden, for log lines. */
  public static String mask(String key) {
    if (key == null) {
      return "(none)";
    }
    return key.length() <= 2 ? "**" : key.substring(0, 2) + "*".repeat(Math.min(8, key.length() - 2));
  }
}

package org.rtmpcluster.common.config;

/**
 * The HTTP API for operators and tests (config section {@code http}): /health, /api/node and
 * /api/streams as JSON.
 *
 * @param enabled  whether the node serves it
 * @param host     address to listen on
 * @param port     TCP port (0: any free port)
 * @param apiToken when set, every /api/ request must carry {@code Authorization: Bearer <token>};
 *                 /health stays open for load balancers and Kubernetes probes
 */
public record HttpSettings(boolean enabled, String host, int port, String apiToken) {
  public static final int DEFAULT_PORT = 8080;
  public static final HttpSettings DEFAULT = new HttpSettings(false, "127.0.0.1", DEFAULT_PORT, null);
  /** Shorter tokens are guessable; 16 characters of a random token are 80 bits or more. */
  public static final int MIN_API_TOKEN_LENGTH = 16;

  public HttpSettings {
    if (apiToken != null && apiToken.length() < MIN_API_TOKEN_LENGTH) {
      throw new ConfigException("http.api-token must be at least " + MIN_API_TOKEN_LENGTH
          + " characters (try: openssl rand -hex 24)");
    }
  }

  static HttpSettings read(ConfigReader r) {
    HttpSettings settings = new HttpSettings(r.bool("enabled", DEFAULT.enabled),
        r.string("host", DEFAULT.host), r.integer("port", DEFAULT.port, 0, 65535),
        r.string("api-token", null));
    r.rejectUnknownKeys();
    return settings;
  }

  public HttpSettings withPort(int newPort) {
    return new HttpSettings(true, host, newPort, apiToken);
  }

  public HttpSettings withApiToken(String newApiToken) {
    return new HttpSettings(enabled, host, port, newApiToken);
  }

  /** Never prints the token. */
  @Override
  public String toString() {
    return "HttpSettings[enabled=" + enabled + ", host=" + host + ", port=" + port
        + ", apiToken=" + (apiToken == null ? "none" : "(set)") + "]";
  }
}

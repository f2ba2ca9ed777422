package org.rtmpcluster.common.config;

/**
 * The HTTP API for operators and tests (config section {@code http}): /health, /api/node and
 * /api/streams as JSON.
 *
 * @param enabled whether the node serves it
 * @param host    address to listen on
 * @param port    TCP port (0: any free port)
 */
public record HttpSettings(boolean enabled, String host, int port) {
  public static final int DEFAULT_PORT = 8080;
  public static final HttpSettings DEFAULT = new HttpSettings(false, "127.0.0.1", DEFAULT_PORT);

  static HttpSettings read(ConfigReader r) {
    HttpSettings settings = new HttpSettings(r.bool("enabled", DEFAULT.enabled),
        r.string("host", DEFAULT.host), r.integer("port", DEFAULT.port, 0, 65535));
    r.rejectUnknownKeys();
    return settings;
  }

  public HttpSettings withPort(int newPort) {
    return new HttpSettings(true, host, newPort);
  }
}

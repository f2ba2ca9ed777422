package org.rtmpcluster.common.config;

import java.util.ArrayList;
import java.util.List;

/**
 * The public playback listener of edges (config section {@code play-http}), apart from the
 * operators' API: HTTP-FLV and WebSocket-FLV at {@code /<app>/<name>.flv}, HLS at
 * {@code /<app>/<name>/index.m3u8}.
 *
 * @param enabled     whether the node serves it (with the edge role; with record.replay only, just
 *                    recordings for download)
 * @param host        address to listen on
 * @param port        TCP port (0: any free port)
 * @param corsOrigins origins whose pages may play ({@code Access-Control-Allow-Origin}); "*" any
 * @param hls         HLS and LL-HLS at {@code /<app>/<name>/index.m3u8}
 * @param tls         HTTPS (and WSS) with the certificate of {@code rtmps.cert} and {@code rtmps.key},
 *                    renewed with it, offering HTTP/2 by ALPN: pages served over HTTPS may only
 *                    play streams served over HTTPS
 */
public record PlayHttpSettings(boolean enabled, String host, int port, List<String> corsOrigins, HlsSettings hls,
    boolean tls) {
  public static final int DEFAULT_PORT = 8088;
  public static final PlayHttpSettings DEFAULT = new PlayHttpSettings(false, RtmpSettings.DEFAULT_HOST,
      DEFAULT_PORT, List.of("*"), HlsSettings.DEFAULT, false);

  public PlayHttpSettings {
    corsOrigins = List.copyOf(corsOrigins);
  }

  static PlayHttpSettings read(ConfigReader r) {
    List<String> origins = new ArrayList<>();
    for (Object origin : r.array("cors-origins")) {
      origins.add(String.valueOf(origin));
    }
    PlayHttpSettings settings = new PlayHttpSettings(r.bool("enabled", DEFAULT.enabled),
        r.string("host", DEFAULT.host), r.integer("port", DEFAULT.port, 0, 65535),
        origins.isEmpty() ? DEFAULT.corsOrigins : origins, HlsSettings.read(r.section("hls")),
        r.bool("tls", DEFAULT.tls));
    r.rejectUnknownKeys();
    return settings;
  }

  /** {@code --play-http-port N} turns it on. */
  public PlayHttpSettings withPort(int newPort) {
    return new PlayHttpSettings(true, host, newPort, corsOrigins, hls, tls);
  }

  public PlayHttpSettings withHost(String newHost) {
    return new PlayHttpSettings(enabled, newHost, port, corsOrigins, hls, tls);
  }

  /** {@code --play-http-tls}: HTTPS with the RTMPS certificate. */
  public PlayHttpSettings withTls(boolean newTls) {
    return new PlayHttpSettings(enabled, host, port, corsOrigins, hls, newTls);
  }
}

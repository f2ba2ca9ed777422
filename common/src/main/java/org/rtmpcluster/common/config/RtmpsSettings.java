package org.rtmpcluster.common.config;

import java.util.ArrayList;
import java.util.List;

/**
 * The RTMPS listener: RTMP inside TLS (config section {@code rtmps}), beside the plain one or
 * instead of it ({@code rtmp.enabled: false}). The same sessions, limits and timeouts apply; the
 * TLS handshake must end within {@code rtmp.handshake-timeout-ms} too.
 *
 * @param enabled       whether the node listens for RTMPS
 * @param host          address to listen on
 * @param port          TCP port; 443 is what {@code rtmps://host/...} means without one
 * @param certPath      the certificate chain, PEM, the node's own certificate first
 * @param keyPath       its private key, PEM (PKCS#8, or PKCS#1 for RSA)
 * @param reloadCheckMs how often the two files are looked at; a change is loaded without a
 *                      restart, and a new pair that does not load leaves the old one in use
 * @param protocols     the TLS versions taken. rtmpdump 2.4 (librtmp with GnuTLS, as Debian builds
 *                      it) fails its RTMP handshake once TLS 1.3 is agreed with this node, where
 *                      ffmpeg does not; for such players, TLSv1.2 only
 */
public record RtmpsSettings(boolean enabled, String host, int port, String certPath, String keyPath,
    int reloadCheckMs, List<String> protocols) {
  public static final int DEFAULT_PORT = 443;
  /** A renewed certificate is in use within seconds; looking costs two stat calls. */
  public static final int DEFAULT_RELOAD_CHECK_MS = 5_000;
  /** TLS 1.0 and 1.1 are deprecated (RFC 8996); every encoder that speaks RTMPS has 1.2. */
  public static final List<String> DEFAULT_PROTOCOLS = List.of("TLSv1.2", "TLSv1.3");
  public static final RtmpsSettings DEFAULT = new RtmpsSettings(false, RtmpSettings.DEFAULT_HOST,
      DEFAULT_PORT, null, null, DEFAULT_RELOAD_CHECK_MS, DEFAULT_PROTOCOLS);

  public RtmpsSettings {
    protocols = List.copyOf(protocols);
    if (protocols.isEmpty() || !DEFAULT_PROTOCOLS.containsAll(protocols)) {
      throw new ConfigException("rtmps.protocols takes TLSv1.2 and TLSv1.3, not " + protocols);
    }
    if (enabled && (certPath == null || keyPath == null)) {
      throw new ConfigException("rtmps needs a certificate and its key: set rtmps.cert and rtmps.key "
          + "(or --tls-cert and --tls-key) to PEM files");
    }
  }

  static RtmpsSettings read(ConfigReader r) {
    String cert = r.string("cert", null);
    String key = r.string("key", null);
    RtmpsSettings settings = new RtmpsSettings(r.bool("enabled", cert != null || key != null),
        r.string("host", DEFAULT.host), r.integer("port", DEFAULT.port, 0, 65535), cert, key,
        r.integer("reload-check-ms", DEFAULT.reloadCheckMs, 100, 86_400_000), readProtocols(r));
    r.rejectUnknownKeys();
    return settings;
  }

  private static List<String> readProtocols(ConfigReader r) {
    List<String> protocols = new ArrayList<>();
    for (Object protocol : r.array("protocols")) {
      protocols.add(String.valueOf(protocol));
    }
    return protocols.isEmpty() ? DEFAULT_PROTOCOLS : protocols;
  }

  /** Listens on {@code newPort}: the flag {@code --rtmps-port} turns RTMPS on. */
  public RtmpsSettings withPort(int newPort) {
    return new RtmpsSettings(true, host, newPort, certPath, keyPath, reloadCheckMs, protocols);
  }

  public RtmpsSettings withHost(String newHost) {
    return new RtmpsSettings(enabled, newHost, port, certPath, keyPath, reloadCheckMs, protocols);
  }

  /** A certificate and key given as flags turn RTMPS on. */
  public RtmpsSettings withCertificate(String newCertPath, String newKeyPath) {
    return new RtmpsSettings(true, host, port, newCertPath, newKeyPath, reloadCheckMs, protocols);
  }

  public RtmpsSettings withReloadCheckMs(int newReloadCheckMs) {
    return new RtmpsSettings(enabled, host, port, certPath, keyPath, newReloadCheckMs, protocols);
  }

  public RtmpsSettings withProtocols(List<String> newProtocols) {
    return new RtmpsSettings(enabled, host, port, certPath, keyPath, reloadCheckMs, newProtocols);
  }
}

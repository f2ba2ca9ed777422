package org.rtmpcluster.common.config;

/**
 * Mutual TLS on the event bus between nodes (config section {@code cluster.tls}): every node
 * presents its certificate and takes only peers whose certificate the cluster's CA signed, so a
 * machine without one gets no frames and can send none. Hazelcast's own traffic (membership, the
 * stream registry) is not covered: the open-source edition has no TLS (docs/operations.md).
 *
 * @param certPath this node's certificate, PEM, signed by the CA
 * @param keyPath  its private key, PEM
 * @param caPath   the CA certificate(s) peers must be signed by, PEM
 */
public record ClusterTlsSettings(String certPath, String keyPath, String caPath) {
  public static final ClusterTlsSettings NONE = new ClusterTlsSettings(null, null, null);

  public ClusterTlsSettings {
    int given = (certPath == null ? 0 : 1) + (keyPath == null ? 0 : 1) + (caPath == null ? 0 : 1);
    if (given != 0 && given != 3) {
      throw new ConfigException("cluster.tls needs all of cert, key and ca (or --cluster-tls-cert, "
          + "--cluster-tls-key and --cluster-tls-ca)");
    }
  }

  static ClusterTlsSettings read(ConfigReader r) {
    ClusterTlsSettings settings = new ClusterTlsSettings(r.string("cert", null), r.string("key", null),
        r.string("ca", null));
    r.rejectUnknownKeys();
    return settings;
  }

  public boolean enabled() {
    return certPath != null;
  }
}

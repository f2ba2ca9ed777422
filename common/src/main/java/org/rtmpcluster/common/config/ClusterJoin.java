package org.rtmpcluster.common.config;

/**
 * How a node finds the other members of its cluster (config {@code cluster.join} and
 * {@code cluster.kubernetes}): from the seed list {@code cluster.members}, or from the addresses
 * of a Kubernetes headless Service, looked up in DNS by Hazelcast's built-in Kubernetes discovery
 * (no API access, so no RBAC).
 *
 * @param mode               {@link Mode#MEMBERS} or {@link Mode#KUBERNETES}
 * @param serviceDns         kubernetes: the headless Service's name,
 *                           {@code <service>.<namespace>.svc.cluster.local}
 * @param servicePort        kubernetes: the Hazelcast port on the pods it resolves to; 0: this
 *                           node's {@code cluster.port} (every pod uses the same)
 * @param dnsTimeoutSeconds  kubernetes: how long one DNS lookup may take
 */
public record ClusterJoin(Mode mode, String serviceDns, int servicePort, int dnsTimeoutSeconds) {
  /** Where members come from. */
  public enum Mode { MEMBERS, KUBERNETES }

  public static final int DEFAULT_DNS_TIMEOUT_SECONDS = 5;
  public static final ClusterJoin MEMBERS = new ClusterJoin(Mode.MEMBERS, null, 0, DEFAULT_DNS_TIMEOUT_SECONDS);

  public ClusterJoin {
    if (mode == Mode.KUBERNETES && (serviceDns == null || serviceDns.isBlank())) {
      throw new ConfigException("cluster.join: kubernetes needs cluster.kubernetes.service-dns, the headless "
          + "Service's DNS name (e.g. rtmp-cluster-hz.live.svc.cluster.local)");
    }
  }

  /** A Kubernetes join through the headless Service {@code dns}. */
  public static ClusterJoin kubernetes(String dns, int port) {
    return new ClusterJoin(Mode.KUBERNETES, dns, port, DEFAULT_DNS_TIMEOUT_SECONDS);
  }

  static ClusterJoin read(String join, ConfigReader kubernetes) {
    Mode mode = switch (join) {
      case "members" -> Mode.MEMBERS;
      case "kubernetes" -> Mode.KUBERNETES;
      default -> throw new ConfigException("cluster.join must be members or kubernetes, not '" + join + "'");
    };
    ClusterJoin joined = new ClusterJoin(mode, kubernetes.string("service-dns", null),
        kubernetes.integer("service-port", 0, 0, 65535),
        kubernetes.integer("dns-timeout-s", DEFAULT_DNS_TIMEOUT_SECONDS, 1, 300));
    kubernetes.rejectUnknownKeys();
    return joined;
  }
}

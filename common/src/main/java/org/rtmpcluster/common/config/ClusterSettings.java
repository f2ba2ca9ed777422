package org.rtmpcluster.common.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Clustering (config section {@code cluster}): whether the node joins a cluster, where its
 * Hazelcast member and event bus listen, whom it asks to join, and how fast failures are seen.
 *
 * @param enabled              false: a standalone node, plain Vert.x, nothing but RTMP exposed
 * @param name                 cluster name: nodes join only a cluster of the same name
 * @param host                 address Hazelcast and the event bus bind to and announce
 * @param port                 Hazelcast member port
 * @param eventBusPort         event bus port (0: any free port)
 * @param members              TCP-IP seed members, host:port; multicast is never used
 * @param heartbeatIntervalMs  how often members send heartbeats
 * @param memberTimeoutMs      a member silent this long is taken for dead
 * @param streamStallMs        an edge treats a stream with no frames for this long as stalled
 * @param edgeLingerMs         an edge keeps pulling a stream this long after its last player left
 * @param registryLeaseMs      a stream registry entry not renewed for this long expires
 * @param standbyRetryMs       a standby publisher tries to take over this often
 * @param snapshotTimeoutMs    an edge that asked an origin for a stream's snapshot asks again
 *                             after this long without an answer
 * @param resyncHoldBytes      frames an edge holds per stream while its snapshot is on its way;
 *                             past this the oldest go, and the edge resyncs once more
 * @param tls                  mutual TLS on the event bus, or {@link ClusterTlsSettings#NONE}
 * @param join                 how members are found: {@code members}, or a Kubernetes headless Service
 */
public record ClusterSettings(boolean enabled, String name, String host, int port, int eventBusPort,
    List<String> members, int heartbeatIntervalMs, int memberTimeoutMs, int streamStallMs,
    int edgeLingerMs, int registryLeaseMs, int standbyRetryMs, int snapshotTimeoutMs, int resyncHoldBytes,
    ClusterTlsSettings tls, ClusterJoin join) {

  public static final String DEFAULT_NAME = "rtmp-cluster";
  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 5701;
  /** Hazelcast's default is 5 s; 1 s lets a dead member be noticed in seconds. */
  public static final int DEFAULT_HEARTBEAT_INTERVAL_MS = 1_000;
  /** Hazelcast's default is 60 s, far too slow for live video; 5 s tolerates a GC pause. */
  public static final int DEFAULT_MEMBER_TIMEOUT_MS = 5_000;
  /** Several frame intervals even at low frame rates, well below the players' grace period. */
  public static final int DEFAULT_STREAM_STALL_MS = 3_000;
  /** A player that reconnects or zaps back within this time finds the stream still flowing. */
  public static final int DEFAULT_EDGE_LINGER_MS = 5_000;
  /** Renewed every third of it, so two missed renewals are tolerated. */
  public static final int DEFAULT_REGISTRY_LEASE_MS = 6_000;
  public static final int DEFAULT_STANDBY_RETRY_MS = 500;
  /** An origin answers in milliseconds; 2 s covers a busy one without leaving players waiting long. */
  public static final int DEFAULT_SNAPSHOT_TIMEOUT_MS = 2_000;
  /** About 30 s of a 4 Mbit/s stream: a snapshot that takes longer than that is not coming. */
  public static final int DEFAULT_RESYNC_HOLD_BYTES = 16 << 20;

  public static final ClusterSettings DEFAULT = new ClusterSettings(false, DEFAULT_NAME, DEFAULT_HOST,
      DEFAULT_PORT, 0, List.of(), DEFAULT_HEARTBEAT_INTERVAL_MS, DEFAULT_MEMBER_TIMEOUT_MS,
      DEFAULT_STREAM_STALL_MS, DEFAULT_EDGE_LINGER_MS, DEFAULT_REGISTRY_LEASE_MS, DEFAULT_STANDBY_RETRY_MS,
      DEFAULT_SNAPSHOT_TIMEOUT_MS, DEFAULT_RESYNC_HOLD_BYTES, ClusterTlsSettings.NONE, ClusterJoin.MEMBERS);

  public ClusterSettings {
    members = List.copyOf(members);
    for (String member : members) {
      int colon = member.lastIndexOf(':');
      if (member.isBlank() || colon == 0 || colon == member.length() - 1) {
        throw new ConfigException("cluster member '" + member + "' must be host or host:port");
      }
    }
    if (join.mode() == ClusterJoin.Mode.KUBERNETES && !members.isEmpty()) {
      throw new ConfigException("cluster.members is for cluster.join: members; with join: kubernetes the "
          + "members are the pods behind cluster.kubernetes.service-dns");
    }
    if (memberTimeoutMs <= heartbeatIntervalMs) {
      throw new ConfigException("cluster.member-timeout-ms must exceed cluster.heartbeat-interval-ms");
    }
  }

  static ClusterSettings read(ConfigReader r) {
    ClusterSettings d = DEFAULT;
    List<String> members = new ArrayList<>();
    for (Object member : r.array("members")) {
      members.add(String.valueOf(member));
    }
    ClusterSettings settings = new ClusterSettings(
        r.bool("enabled", d.enabled),
        r.string("name", d.name),
        r.string("host", d.host),
        r.integer("port", d.port, 1, 65535),
        r.integer("event-bus-port", d.eventBusPort, 0, 65535),
        members,
        r.integer("heartbeat-interval-ms", d.heartbeatIntervalMs, 100, 60_000),
        r.integer("member-timeout-ms", d.memberTimeoutMs, 500, 600_000),
        r.integer("stream-stall-ms", d.streamStallMs, 100, 600_000),
        r.integer("edge-linger-ms", d.edgeLingerMs, 0, 3_600_000),
        r.integer("registry-lease-ms", d.registryLeaseMs, 300, 3_600_000),
        r.integer("standby-retry-ms", d.standbyRetryMs, 50, 60_000),
        r.integer("snapshot-timeout-ms", d.snapshotTimeoutMs, 100, 60_000),
        r.integer("resync-hold-bytes", d.resyncHoldBytes, 64 << 10, 1 << 30),
        ClusterTlsSettings.read(r.section("tls")),
        ClusterJoin.read(r.string("join", "members"), r.section("kubernetes")));
    r.rejectUnknownKeys();
    return settings;
  }

  public ClusterSettings withTls(ClusterTlsSettings newTls) {
    return new ClusterSettings(enabled, name, host, port, eventBusPort, members, heartbeatIntervalMs,
        memberTimeoutMs, streamStallMs, edgeLingerMs, registryLeaseMs, standbyRetryMs, snapshotTimeoutMs,
        resyncHoldBytes, newTls, join);
  }

  public ClusterSettings withEnabled(boolean on) {
    return new ClusterSettings(on, name, host, port, eventBusPort, members, heartbeatIntervalMs,
        memberTimeoutMs, streamStallMs, edgeLingerMs, registryLeaseMs, standbyRetryMs, snapshotTimeoutMs,
        resyncHoldBytes, tls, join);
  }

  public ClusterSettings withName(String newName) {
    return new ClusterSettings(enabled, newName, host, port, eventBusPort, members, heartbeatIntervalMs,
        memberTimeoutMs, streamStallMs, edgeLingerMs, registryLeaseMs, standbyRetryMs, snapshotTimeoutMs,
        resyncHoldBytes, tls, join);
  }

  public ClusterSettings withHost(String newHost) {
    return new ClusterSettings(enabled, name, newHost, port, eventBusPort, members, heartbeatIntervalMs,
        memberTimeoutMs, streamStallMs, edgeLingerMs, registryLeaseMs, standbyRetryMs, snapshotTimeoutMs,
        resyncHoldBytes, tls, join);
  }

  public ClusterSettings withPort(int newPort) {
    return new ClusterSettings(enabled, name, host, newPort, eventBusPort, members, heartbeatIntervalMs,
        memberTimeoutMs, streamStallMs, edgeLingerMs, registryLeaseMs, standbyRetryMs, snapshotTimeoutMs,
        resyncHoldBytes, tls, join);
  }

  public ClusterSettings withMembers(List<String> newMembers) {
    return new ClusterSettings(enabled, name, host, port, eventBusPort, newMembers, heartbeatIntervalMs,
        memberTimeoutMs, streamStallMs, edgeLingerMs, registryLeaseMs, standbyRetryMs, snapshotTimeoutMs,
        resyncHoldBytes, tls, join);
  }

  public ClusterSettings withResync(int newSnapshotTimeoutMs, int newResyncHoldBytes) {
    return new ClusterSettings(enabled, name, host, port, eventBusPort, members, heartbeatIntervalMs,
        memberTimeoutMs, streamStallMs, edgeLingerMs, registryLeaseMs, standbyRetryMs, newSnapshotTimeoutMs,
        newResyncHoldBytes, tls, join);
  }

  public ClusterSettings withTimings(int heartbeatMs, int memberTimeout, int stallMs, int lingerMs,
      int leaseMs, int standbyMs) {
    return new ClusterSettings(enabled, name, host, port, eventBusPort, members, heartbeatMs,
        memberTimeout, stallMs, lingerMs, leaseMs, standbyMs, snapshotTimeoutMs, resyncHoldBytes, tls, join);
  }

  public ClusterSettings withJoin(ClusterJoin newJoin) {
    return new ClusterSettings(enabled, name, host, port, eventBusPort, members, heartbeatIntervalMs,
        memberTimeoutMs, streamStallMs, edgeLingerMs, registryLeaseMs, standbyRetryMs, snapshotTimeoutMs,
        resyncHoldBytes, tls, newJoin);
  }
}

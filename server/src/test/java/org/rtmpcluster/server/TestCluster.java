package org.rtmpcluster.server;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.rtmpcluster.client.RtmpClient;
import org.rtmpcluster.common.config.ClusterSettings;
import org.rtmpcluster.common.config.ClusterTlsSettings;
import org.rtmpcluster.common.config.HttpSettings;
import org.rtmpcluster.common.config.NodeConfig;
import org.rtmpcluster.common.config.Role;
import org.rtmpcluster.common.config.StreamKey;
import org.rtmpcluster.common.config.StreamSettings;
import org.rtmpcluster.common.testing.Await;

/**
 * Clustered nodes in one JVM on loopback: a cluster name of its own, free ports, fast failure
 * detection. Nodes start one after another; the first is the seed the others join.
 */
final class TestCluster implements AutoCloseable {
  static final List<StreamKey> KEYS = List.of(new StreamKey("key-a", "a"), new StreamKey("key-b", "b"),
      new StreamKey("key-c", "c"), new StreamKey("key-d", "d"), new StreamKey("key-e", "e"),
      new StreamKey("key-f", "f"), new StreamKey("key-g", "g"), new StreamKey("key-h", "h"));

  /** One member: its clustered Vert.x and RTMP node. */
  record Member(String name, ClusterBootstrap.Clustered clustered, RtmpNode node) {
    RtmpClient connect() {
      return Await.result(RtmpClient.connect(clustered.vertx(), "127.0.0.1", node.port(), "live"));
    }

    void close() {
      Await.result(clustered.vertx().close(), java.time.Duration.ofSeconds(30));
    }
  }

  private final String clusterName = "test-" + UUID.randomUUID();
  private final List<Member> members = new ArrayList<>();
  private String seed;

  static ClusterSettings fastSettings() {
    // Heartbeats each second, a member dead after 3 s; streams stall after 1 s.
    return ClusterSettings.DEFAULT.withEnabled(true).withTimings(1_000, 3_000, 1_000, 300, 2_000, 200);
  }

  Member start(String name, Set<Role> roles) {
    return start(name, roles, ClusterTlsSettings.NONE);
  }

  /** A member whose event bus uses {@code tls}. */
  Member start(String name, Set<Role> roles, ClusterTlsSettings tls) {
    return start(name, roles, tls, config -> config);
  }

  /** A member whose config the test changes. */
  Member start(String name, Set<Role> roles, ClusterTlsSettings tls, UnaryOperator<NodeConfig> changes) {
    int hazelcastPort = freePort();
    ClusterSettings cluster = fastSettings().withName(clusterName).withHost("127.0.0.1").withPort(hazelcastPort)
        .withMembers(seed == null ? List.of() : List.of(seed)).withTls(tls);
    NodeConfig config = NodeConfig.DEFAULT.withNodeName(name).withRoles(roles).withCluster(cluster)
        .withRtmp(NodeConfig.DEFAULT.rtmp().withHost("127.0.0.1").withPort(0).withEventLoops(2))
        .withStreams(StreamSettings.DEFAULT.toBuilder().maxStreams(100).publisherTakeoverMs(1_000)
            .playerGraceMs(5_000).keys(KEYS).build())
        // Every member serves the HTTP API on a free port, for tests that read it.
        .withHttp(new HttpSettings(true, "127.0.0.1", 0, null));
    config = changes.apply(config);
    ClusterBootstrap.Clustered clustered = Await.result(ClusterBootstrap.start(config.cluster()),
        java.time.Duration.ofSeconds(60));
    RtmpNode node = Await.result(RtmpNode.deploy(clustered.vertx(), config, clustered.identity(name)));
    clustered.attach(node);
    if (seed == null) {
      seed = "127.0.0.1:" + hazelcastPort;
    }
    Member member = new Member(name, clustered, node);
    members.add(member);
    return member;
  }

  Member origin(String name) {
    return start(name, EnumSet.of(Role.ORIGIN));
  }

  Member edge(String name) {
    return start(name, EnumSet.of(Role.EDGE));
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    for (int i = members.size() - 1; i >= 0; i--) {
      try {
        members.get(i).close();
      } catch (RuntimeException | AssertionError e) {
        // Closing the rest matters more.
      }
    }
  }
}

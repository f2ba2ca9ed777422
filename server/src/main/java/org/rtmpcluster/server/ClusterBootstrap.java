package org.rtmpcluster.server;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.transport.Transport;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.TimeUnit;
import io.vertx.core.spi.cluster.NodeListener;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.rtmpcluster.common.cluster.NodeIdentity;
import org.rtmpcluster.common.config.ClusterJoin;
import org.rtmpcluster.common.config.ClusterSettings;
import org.rtmpcluster.common.config.ClusterTlsSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a clustered Vert.x on Hazelcast, configured from the node config: TCP-IP join with the
 * given members, or the pods of a Kubernetes headless Service (multicast and auto-detection off,
 * so a new node never joins a stranger's cluster on the LAN), bound to one address, with heartbeats tuned so a dead member is noticed in
 * seconds rather than Hazelcast's default minute. The event bus may run mutual TLS ({@code
 * cluster.tls}).
 */
public final class ClusterBootstrap {
  private static final Logger log = LoggerFactory.getLogger(ClusterBootstrap.class);

  /** A clustered Vert.x and what the node needs of its cluster manager. */
  public record Clustered(Vertx vertx, HazelcastClusterManager clusterManager) {
    public NodeIdentity identity(String nodeName) {
      return new NodeIdentity(clusterManager.getNodeId(), nodeName);
    }

    /** Makes {@code node} a member: it hears of members that leave, and counts them. */
    public void attach(RtmpNode node) {
      onNodeLeft(node::onNodeLeft);
      node.clusterMembers(() -> clusterManager.getNodes().size());
    }

    /** Tells the listener of members that leave (crashed or closed). Vert.x HA is off, so the hook is free. */
    public void onNodeLeft(java.util.function.Consumer<String> listener) {
      clusterManager.nodeListener(new NodeListener() {
        @Override
        public void nodeAdded(String nodeId) {
        }

        @Override
        public void nodeLeft(String nodeId) {
          listener.accept(nodeId);
        }
      });
    }
  }

  private ClusterBootstrap() {
  }

  public static Future<Clustered> start(ClusterSettings settings) {
    return start(settings, new VertxOptions());
  }

  public static Future<Clustered> start(ClusterSettings settings, VertxOptions base) {
    Transport preferred = Transport.nativeTransport();
    boolean nativeWanted = base.getPreferNativeTransport() && preferred != null && preferred.available();
    return start(settings, base, nativeWanted ? preferred : Transport.NIO);
  }

  public static Future<Clustered> start(ClusterSettings settings, VertxOptions base, Transport transport) {
    warnIfExposed(settings);
    HazelcastClusterManager clusterManager = new HazelcastClusterManager(hazelcastConfig(settings));
    VertxOptions options = new VertxOptions(base).setEventBusOptions(eventBusOptions(settings));
    return Vertx.builder().with(options).withTransport(transport).withClusterManager(clusterManager).buildClustered()
        .map(vertx -> new Clustered(vertx, clusterManager));
  }

  /**
   * The event bus carries every frame between nodes. With {@code cluster.tls} it is mutual TLS:
   * each node presents its certificate, as server and as client, and takes only peers signed by
   * the cluster's CA; a node without such a certificate cannot connect either way.
   */
  static EventBusOptions eventBusOptions(ClusterSettings settings) {
    EventBusOptions options = new EventBusOptions().setHost(settings.host()).setPort(settings.eventBusPort());
    ClusterTlsSettings tls = settings.tls();
    if (tls.enabled()) {
      options.setSsl(true)
          .setKeyCertOptions(new PemKeyCertOptions().setCertPath(tls.certPath()).setKeyPath(tls.keyPath()))
          .setTrustOptions(new PemTrustOptions().addCertPath(tls.caPath()))
          .setClientAuth(ClientAuth.REQUIRED)
          .setSslHandshakeTimeout(settings.memberTimeoutMs())
          .setSslHandshakeTimeoutUnit(TimeUnit.MILLISECONDS);
    }
    return options;
  }

  /** Hazelcast's open-source edition has no TLS: say so when a node clusters beyond loopback. */
  private static void warnIfExposed(ClusterSettings settings) {
    boolean loopback;
    try {
      loopback = InetAddress.getByName(settings.host()).isLoopbackAddress();
    } catch (UnknownHostException e) {
      loopback = false;
    }
    if (loopback) {
      return;
    }
    if (!settings.tls().enabled()) {
      log.warn("cluster on {} without cluster.tls: frames between nodes go over the event bus in clear "
          + "text, and Hazelcast (membership, the stream registry) has no TLS in its open-source edition; "
          + "use a private network or a firewall (docs/operations.md, \"Securing a cluster\")", settings.host());
    } else {
      log.info("cluster on {}: the event bus uses mutual TLS; Hazelcast's own traffic on port {} has none in "
          + "its open-source edition: keep it on a private network (docs/operations.md)", settings.host(),
          settings.port());
    }
  }

  static Config hazelcastConfig(ClusterSettings settings) {
    // Vert.x's default config declares the maps and multimap the clustered event bus needs.
    Config config = new HazelcastClusterManager().loadConfig();
    if (config == null) {
      config = new Config();
    }
    config.setClusterName(settings.name());
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.logging.type", "slf4j");
    config.setProperty("hazelcast.socket.bind.any", "false");
    config.setProperty("hazelcast.local.localAddress", settings.host());
    config.setProperty("hazelcast.wait.seconds.before.join", "0");
    config.setProperty("hazelcast.heartbeat.interval.seconds",
        String.valueOf(Math.max(1, settings.heartbeatIntervalMs() / 1000)));
    config.setProperty("hazelcast.max.no.heartbeat.seconds",
        String.valueOf(Math.max(2, (settings.memberTimeoutMs() + 999) / 1000)));
    // An operation on a partition whose owner just died is retried until the partition has a new
    // owner, by default every 500 ms: right after a crash that delayed a failover's first event
    // bus lookups and registry calls by up to half a second.
    config.setProperty("hazelcast.invocation.retry.pause.millis", "100");
    // A member that left gracefully is dropped at once; these bound how long joining may take.
    config.setProperty("hazelcast.max.join.seconds", "10");
    config.setProperty("hazelcast.merge.first.run.delay.seconds", "5");
    config.setProperty("hazelcast.merge.next.run.delay.seconds", "5");

    NetworkConfig network = config.getNetworkConfig();
    network.setPort(settings.port()).setPortAutoIncrement(false);
    network.setPublicAddress(settings.host() + ":" + settings.port());
    network.getInterfaces().setEnabled(true).setInterfaces(java.util.List.of(settings.host()));
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    ClusterJoin how = settings.join();
    if (how.mode() == ClusterJoin.Mode.KUBERNETES) {
      // Hazelcast's built-in Kubernetes discovery in DNS lookup mode: the members are the
      // addresses the headless Service resolves to, ready or not (publishNotReadyAddresses), so
      // pods find each other before their readiness probe passes. No Kubernetes API, no RBAC.
      join.getTcpIpConfig().setEnabled(false);
      join.getKubernetesConfig().setEnabled(true)
          .setProperty("service-dns", how.serviceDns())
          .setProperty("service-dns-timeout", String.valueOf(how.dnsTimeoutSeconds()))
          .setProperty("service-port", String.valueOf(how.servicePort() == 0 ? settings.port() : how.servicePort()));
    } else {
      join.getTcpIpConfig().setEnabled(true).setMembers(new java.util.ArrayList<>(settings.members()))
          .setConnectionTimeoutSeconds(2);
    }
    return config;
  }
}

package org.rtmpcluster.server;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import org.rtmpcluster.common.cluster.ClusterFrame;
import org.rtmpcluster.common.cluster.ClusterFrameCodec;
import org.rtmpcluster.common.cluster.NodeIdentity;
import org.rtmpcluster.common.cluster.StreamRegistry;
import org.rtmpcluster.common.config.ClusterSettings;
import org.rtmpcluster.common.config.NodeConfig;
import org.rtmpcluster.common.config.Role;
import org.rtmpcluster.common.rtmp.session.ConnectionRegistry;
import org.rtmpcluster.common.rtmp.session.PlayService;
import org.rtmpcluster.common.rtmp.session.PublishService;
import org.rtmpcluster.common.rtmp.session.RtmpConnection;
import org.rtmpcluster.common.rtmp.session.ServerSession;
import org.rtmpcluster.common.stream.LiveStream;
import org.rtmpcluster.common.stream.StreamHub;
import org.rtmpcluster.edge.EdgePlayService;
import org.rtmpcluster.edge.cluster.StreamPuller;
import org.rtmpcluster.origin.OriginPublishService;
import org.rtmpcluster.origin.cluster.ClusterRelay;
import org.rtmpcluster.server.http.HttpApi;
import org.rtmpcluster.server.stats.NodeStats;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's RTMP listener with the roles it was given, standalone or as a cluster member. All its
 * connections and streams live on the one event loop of this verticle, so stream state needs no
 * locks; spreading players over event loops per core is the fan-out engine's job.
 */
public final class RtmpNode extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(RtmpNode.class);

  private final NodeConfig config;
  private final NodeIdentity identity;
  private NetServer server;
  private ConnectionRegistry registry;
  private StreamHub originHub;
  private StreamHub edgeHub;
  private StreamRegistry streamRegistry;
  private PublishService publishService;
  private PlayService playService;
  private NodeStats stats;
  private HttpApi httpApi;
  private boolean draining;

  /**
   * @param identity the node in its cluster, or null for a standalone node
   */
  public RtmpNode(NodeConfig config, NodeIdentity identity) {
    this.config = config;
    this.identity = identity;
  }

  /** Deploys a standalone node on the given Vert.x; completes once it listens. */
  public static Future<RtmpNode> deploy(Vertx vertx, NodeConfig config) {
    return deploy(vertx, config, null);
  }

  /** Deploys a node; with an identity it works as a member of the cluster {@code vertx} is in. */
  public static Future<RtmpNode> deploy(Vertx vertx, NodeConfig config, NodeIdentity identity) {
    RtmpNode node = new RtmpNode(config, identity);
    return vertx.deployVerticle(node).map(id -> node);
  }

  @Override
  public Future<?> start() {
    registry = new ConnectionRegistry(vertx, config.rtmp());
    stats = new NodeStats(vertx, this);
    if (identity == null) {
      // Standalone: players read the publishers' streams directly.
      originHub = new StreamHub(vertx, config.streams());
      edgeHub = originHub;
      if (config.hasRole(Role.ORIGIN)) {
        publishService = new OriginPublishService(originHub, config.streams(), config.rtmp().amfLimits());
      }
      if (config.hasRole(Role.EDGE)) {
        playService = new EdgePlayService(edgeHub, config.streams());
      }
    } else {
      startClustered();
    }
    registry.start();
    server = vertx.createNetServer(new NetServerOptions().setTcpNoDelay(true));
    server.connectHandler(this::accept);
    return server.listen(config.rtmp().port(), config.rtmp().host()).compose(listening -> startObservability());
  }

  /** Once RTMP listens: share this node's stats with the cluster, and serve the HTTP API if enabled. */
  private Future<?> startObservability() {
    stats.start();
    if (!config.http().enabled()) {
      return Future.succeededFuture();
    }
    httpApi = new HttpApi(vertx, config.http(), stats);
    return httpApi.start();
  }

  private void accept(NetSocket socket) {
    if (draining) {
      socket.close();
      return;
    }
    RtmpConnection connection = new RtmpConnection(socket, config.rtmp(), registry, System.currentTimeMillis());
    String refusal = registry.admit(connection);
    if (refusal != null) {
      log.warn("refusing connection from {}: {}", connection.remote(), refusal);
      socket.close();
      return;
    }
    connection.start(new ServerSession(connection, publishService, playService));
  }

  /**
   * In a cluster the origin's streams and the edge's are apart even on a node with both roles:
   * published streams go onto the event bus, and players always read what the bus brings, so a
   * player sees the same thing whichever node it is on.
   */
  private void startClustered() {
    ClusterSettings cluster = config.cluster();
    vertx.eventBus().registerDefaultCodec(ClusterFrame.class, new ClusterFrameCodec());
    streamRegistry = new StreamRegistry(vertx, cluster.registryLeaseMs());
    if (config.hasRole(Role.ORIGIN)) {
      originHub = new StreamHub(vertx, config.streams());
      publishService = new OriginPublishService(originHub, config.streams(), config.rtmp().amfLimits(),
          stream -> {
            if (stream.publishObserver() == null) {
              stream.observePublishing(new ClusterRelay(vertx, stream, streamRegistry, identity, cluster));
            }
          });
    }
    if (config.hasRole(Role.EDGE)) {
      edgeHub = new StreamHub(vertx, config.streams());
      playService = new EdgePlayService(edgeHub, config.streams(), stream -> {
        if (stream.audienceWatcher() == null) {
          StreamPuller puller = new StreamPuller(vertx, stream, cluster);
          stream.watchAudience(puller);
          puller.start();
        }
      });
    }
  }

  /** A member left the cluster: free the names its origins held, so standbys take over now. */
  public void onNodeLeft(String nodeId) {
    if (streamRegistry == null) {
      return;
    }
    context.runOnContext(v -> stats.onNodeLeft(nodeId));
    context.runOnContext(v -> streamRegistry.removeNode(nodeId).onSuccess(removed -> {
      if (removed > 0) {
        log.info("node {} left the cluster: released {} stream(s) it published", nodeId, removed);
      }
      if (originHub != null) {
        for (LiveStream stream : originHub.streams()) {
          if (stream.publishObserver() instanceof ClusterRelay relay) {
            relay.retryNow();
          }
        }
      }
    }));
  }

  /**
   * Leaves gracefully: stops accepting connections, ends every play (UnpublishNotify, StreamEOF)
   * and publish (a status; in a cluster the edges learn the epoch ended and their players wait for
   * a standby), then waits up to {@code timeoutMs} for the connections to flush and close.
   */
  public Future<Void> drain(long timeoutMs) {
    Promise<Void> drained = Promise.promise();
    context.runOnContext(v -> {
      // Closing the NetServer would cut its connections at once, so new ones are turned away
      // here instead, and the server is closed once the existing ones are done.
      draining = true;
      log.info("draining: ending {} connection(s)", registry.size());
      registry.drainAll("node is shutting down");
      long deadline = System.currentTimeMillis() + timeoutMs;
      vertx.setPeriodic(20, id -> {
        if (registry.size() == 0 || System.currentTimeMillis() > deadline) {
          vertx.cancelTimer(id);
          server.close().onComplete(closed -> drained.tryComplete());
        }
      });
    });
    return drained.future();
  }

  @Override
  public Future<?> stop() {
    if (registry != null) {
      registry.stop();
    }
    if (stats != null) {
      stats.stop();
    }
    if (httpApi != null) {
      httpApi.stop();
    }
    return server == null ? Future.succeededFuture() : server.close();
  }

  /** Whether the node's Vert.x runs on the native (epoll) transport. */
  public boolean nativeTransport() {
    return vertx.isNativeTransportEnabled();
  }

  /** True once {@link #drain} began: the node turns new connections away. */
  public boolean isDraining() {
    return draining;
  }

  /** The port the listener is bound to (the real one when configured as 0). */
  public int port() {
    return server.actualPort();
  }

  public NodeConfig nodeConfig() {
    return config;
  }

  /** Streams published on this node (in a standalone node, also the ones played). */
  public StreamHub hub() {
    return originHub != null ? originHub : edgeHub;
  }

  /** Streams played on this node. */
  public StreamHub edgeHub() {
    return edgeHub;
  }

  /** Streams published on this node, or null on an edge-only node. */
  public StreamHub originHub() {
    return originHub;
  }

  /** The cluster's stream registry, or null when standalone. */
  public StreamRegistry streamRegistry() {
    return streamRegistry;
  }

  public NodeIdentity identity() {
    return identity;
  }

  /** The edge role's service, or null on an origin-only node. */
  public PlayService playService() {
    return playService;
  }

  public ConnectionRegistry connections() {
    return registry;
  }

  /** The HTTP API, or null when {@code http.enabled} is off. */
  public HttpApi httpApi() {
    return httpApi;
  }
}

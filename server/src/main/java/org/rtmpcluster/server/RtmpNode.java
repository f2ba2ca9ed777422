package org.rtmpcluster.server;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import org.rtmpcluster.common.config.NodeConfig;
import org.rtmpcluster.common.config.Role;
import org.rtmpcluster.common.rtmp.session.ConnectionRegistry;
import org.rtmpcluster.common.rtmp.session.PlayService;
import org.rtmpcluster.common.rtmp.session.PublishService;
import org.rtmpcluster.common.rtmp.session.RtmpConnection;
import org.rtmpcluster.common.rtmp.session.ServerSession;
import org.rtmpcluster.common.stream.StreamHub;
import org.rtmpcluster.edge.EdgePlayService;
import org.rtmpcluster.origin.OriginPublishService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's RTMP listener with the roles it was given. All its connections and streams live on
 * the one event loop of this verticle, so stream state needs no locks; spreading players over
 * event loops per core is the fan-out engine's job.
 */
public final class RtmpNode extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(RtmpNode.class);

  private final NodeConfig config;
  private NetServer server;
  private ConnectionRegistry registry;
  private StreamHub hub;
  private PublishService publishService;
  private PlayService playService;

  public RtmpNode(NodeConfig config) {
    this.config = config;
  }

  /** Deploys a node on the given Vert.x; completes once it listens. */
  public static Future<RtmpNode> deploy(Vertx vertx, NodeConfig config) {
    RtmpNode node = new RtmpNode(config);
    return vertx.deployVerticle(node).map(id -> node);
  }

  @Override
  public Future<?> start() {
    registry = new ConnectionRegistry(vertx, config.rtmp());
    hub = new StreamHub(vertx, config.streams());
    if (config.hasRole(Role.ORIGIN)) {
      publishService = new OriginPublishService(hub, config.streams(), config.rtmp().amfLimits());
    }
    if (config.hasRole(Role.EDGE)) {
      playService = new EdgePlayService(hub, config.streams());
    }
    registry.start();
    server = vertx.createNetServer(new NetServerOptions().setTcpNoDelay(true));
    server.connectHandler(this::accept);
    return server.listen(config.rtmp().port(), config.rtmp().host());
  }

  private void accept(NetSocket socket) {
    RtmpConnection connection = new RtmpConnection(socket, config.rtmp(), registry, System.currentTimeMillis());
    String refusal = registry.admit(connection);
    if (refusal != null) {
      log.warn("refusing connection from {}: {}", connection.remote(), refusal);
      socket.close();
      return;
    }
    connection.start(new ServerSession(connection, publishService, playService));
  }

  @Override
  public Future<?> stop() {
    if (registry != null) {
      registry.stop();
    }
    return server == null ? Future.succeededFuture() : server.close();
  }

  /** The port the listener is bound to (the real one when configured as 0). */
  public int port() {
    return server.actualPort();
  }

  public NodeConfig nodeConfig() {
    return config;
  }

  public StreamHub hub() {
    return hub;
  }

  /** The edge role's service, or null on an origin-only node. */
  public PlayService playService() {
    return playService;
  }

  public ConnectionRegistry connections() {
    return registry;
  }
}

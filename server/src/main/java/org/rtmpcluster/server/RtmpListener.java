package org.rtmpcluster.server;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.util.function.BooleanSupplier;
import org.rtmpcluster.common.config.NodeConfig;
import org.rtmpcluster.common.rtmp.session.ConnectionRegistry;
import org.rtmpcluster.common.rtmp.session.LoopPublishService;
import org.rtmpcluster.common.rtmp.session.NodeConnections;
import org.rtmpcluster.common.rtmp.session.PlayService;
import org.rtmpcluster.common.rtmp.session.PublishService;
import org.rtmpcluster.common.rtmp.session.RtmpConnection;
import org.rtmpcluster.common.rtmp.session.ServerSession;
import org.rtmpcluster.common.stream.LoopFeed;
import org.rtmpcluster.common.stream.StreamCopy;
import org.rtmpcluster.common.stream.StreamHub;
import org.rtmpcluster.edge.EdgePlayService;
import org.rtmpcluster.edge.PlayerCounters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One event loop's share of the node's RTMP connections. Every loop listens on the node's port
 * (Vert.x hands new connections to the loops in turn); a loop's players read copies of the streams
 * that live on the home loop, and its publishers publish to the home loop. Deployed as a verticle
 * for each extra loop; the home loop's own listener is started by the node on its context.
 */
final class RtmpListener extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(RtmpListener.class);

  private final NodeConfig config;
  private final int port;
  private final Context home;
  private final NodeConnections connections;
  private final PublishService homePublishing;
  private final LoopFeed.Home homeStreams;
  private final PlayerCounters playerCounters;
  private final BooleanSupplier draining;
  private ConnectionRegistry registry;
  private PublishService publishService;
  private PlayService playService;
  private StreamHub<StreamCopy> copies;
  private NetServer server;

  /**
   * @param home           the node's home loop, where its streams live
   * @param homePublishing the home loop's publish service, or null without the origin role
   * @param homeStreams    the home loop's played streams, or null without the edge role
   */
  RtmpListener(NodeConfig config, int port, Context home, NodeConnections connections,
      PublishService homePublishing, LoopFeed.Home homeStreams, PlayerCounters playerCounters,
      BooleanSupplier draining) {
    this.config = config;
    this.port = port;
    this.home = home;
    this.connections = connections;
    this.homePublishing = homePublishing;
    this.homeStreams = homeStreams;
    this.playerCounters = playerCounters;
    this.draining = draining;
  }

  @Override
  public Future<?> start() {
    registry = new ConnectionRegistry(vertx, connections);
    if (homePublishing != null) {
      publishService = new LoopPublishService(home, homePublishing,
          config.streams().playerQueueSoftLimitBytes());
    }
    if (homeStreams != null) {
      copies = StreamHub.copies(config.streams());
      playService = new EdgePlayService(copies, config.streams(), playerCounters,
          stream -> LoopFeed.connect(stream, homeStreams, config.streams().playerQueueSoftLimitBytes()),
          connections::overDirectBudget);
    }
    registry.start();
    server = vertx.createNetServer(new NetServerOptions().setTcpNoDelay(true));
    server.connectHandler(this::accept);
    return server.listen(port, config.rtmp().host());
  }

  private void accept(NetSocket socket) {
    if (draining.getAsBoolean()) {
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

  /** The port this loop listens on (the real one when configured as 0). */
  int port() {
    return server.actualPort();
  }

  /** Stops accepting; connections already open are cut. */
  Future<Void> closeServer() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  /** Players of that stream on this loop (its copy's), read on the loop. */
  Future<Integer> playersOf(String streamName) {
    return Future.future(promise -> context.runOnContext(v -> {
      StreamCopy copy = copies == null ? null : copies.get(streamName);
      promise.complete(copy == null ? 0 : copy.playerCount());
    }));
  }

  @Override
  public Future<?> stop() {
    if (registry != null) {
      registry.stop();
    }
    return closeServer();
  }
}

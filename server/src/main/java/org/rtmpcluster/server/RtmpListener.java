package org.rtmpcluster.server;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.ServerSSLOptions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.rtmpcluster.common.config.NodeConfig;
import org.rtmpcluster.common.rtmp.session.Admission;
import org.rtmpcluster.common.rtmp.session.ConnectionRegistry;
import org.rtmpcluster.common.rtmp.session.LoopPublishService;
import org.rtmpcluster.common.rtmp.session.NodeConnections;
import org.rtmpcluster.common.rtmp.session.PlayService;
import org.rtmpcluster.common.rtmp.session.PublishService;
import org.rtmpcluster.common.rtmp.session.RtmpConnection;
import org.rtmpcluster.common.rtmp.session.ServerSession;
import org.rtmpcluster.common.rtmp.session.Status;
import org.rtmpcluster.common.stream.LiveStream;
import org.rtmpcluster.common.stream.LoopFeed;
import org.rtmpcluster.common.stream.StreamCopy;
import org.rtmpcluster.common.stream.StreamHub;
import org.rtmpcluster.edge.EdgePlayService;
import org.rtmpcluster.origin.replay.RecordingDownloads;
import org.rtmpcluster.origin.replay.ReplayCounters;
import org.rtmpcluster.origin.replay.ReplayService;
import org.rtmpcluster.edge.PlayerCounters;
import org.rtmpcluster.edge.hls.HlsService;
import org.rtmpcluster.edge.http.HttpFlvService;
import org.rtmpcluster.server.tls.ServerCertificate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One event loop's share of the node's RTMP connections. Every loop listens on the node's port,
 * and on its RTMPS port when it has one (Vert.x hands new connections to the loops in turn); both
 * lead to the same sessions. A loop's players read copies of the streams that live on the home
 * loop, and its publishers publish to the home loop. Deployed as a verticle
 * for each extra loop; the home loop's own listener is started by the node on its context.
 */
final class RtmpListener extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(RtmpListener.class);

  private final NodeConfig config;
  private final int port;
  private final int tlsPort;
  private final int playPort;
  private HttpServer playServer;
  private final ServerCertificate certificate;
  private final AuthClients auth;
  private final HlsService hls;
  private Admission admission;
  private final Context home;
  private final NodeConnections connections;
  private final PublishService homePublishing;
  private final LoopFeed.Home homeStreams;
  private final PlayerCounters playerCounters;
  private final ReplayCounters replayCounters;
  private final BooleanSupplier draining;
  private ConnectionRegistry registry;
  private PublishService publishService;
  private PlayService playService;
  private ReplayService replay;
  /** HTTP playback connections refused and not yet closed; this loop's only. */
  private final java.util.Set<io.vertx.core.http.HttpConnection> refusedHttp =
      java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
  private StreamHub<StreamCopy> copies;
  private NetServer server;
  private NetServer tlsServer;

  /**
   * @param home           the node's home loop, where its streams live
   * @param homePublishing the home loop's publish service, or null without the origin role
   * @param homeStreams    the home loop's played streams, or null without the edge role
   * @param port           the plain RTMP port, when {@code rtmp.enabled}
   * @param tlsPort        the RTMPS port, when {@code rtmps.enabled}
   * @param playPort       the HTTP playback port, when {@code play-http.enabled} (edges only)
   * @param certificate    the RTMPS certificate in use, or null without RTMPS
   * @param auth           what the node's admissions share: the webhook's HTTP client, the node's name
   * @param hls            the node's HLS segmenters (on the home loop), or null without HTTP playback
   */
  RtmpListener(NodeConfig config, int port, int tlsPort, int playPort, ServerCertificate certificate,
      AuthClients auth, HlsService hls, Context home, NodeConnections connections,
      PublishService homePublishing, LoopFeed.Home homeStreams, PlayerCounters playerCounters,
      ReplayCounters replayCounters, BooleanSupplier draining) {
    this.replayCounters = replayCounters;
    this.config = config;
    this.port = port;
    this.tlsPort = tlsPort;
    this.playPort = playPort;
    this.certificate = certificate;
    this.auth = auth;
    this.hls = hls;
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
    admission = auth.admissionForThisLoop();
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
    if (config.record().replay().enabled()) {
      replay = new ReplayService(vertx, config.record(), config.rtmp().chunkLimits().maxMessageLength(),
          config.streams().playerQueueSoftLimitBytes(), () -> System.nanoTime() / 1_000_000, replayCounters);
      playService = new ReplayOrLive(replay, playService, connections::overDirectBudget);
      if (publishService != null) {
        PublishService live = publishService;
        // The replay app is served for replay only, unless streams.apps names it for live streams too.
        publishService = request -> replay.serves(request.app()) && !config.streams().servesApp(request.app())
            ? Future.succeededFuture(PublishService.PublishResult.refused(Status.PUBLISH_DENIED,
                "app '" + request.app() + "' plays recordings back; publish to a live app"))
            : live.publish(request);
      }
    }
    registry.start();
    Future<?> plain = startPlayHttp();
    if (config.rtmp().enabled()) {
      server = vertx.createNetServer(new NetServerOptions().setTcpNoDelay(true));
      server.connectHandler(this::accept);
      plain = server.listen(port, config.rtmp().host());
    }
    if (!config.rtmps().enabled()) {
      return plain;
    }
    // Vert.x calls the connect handler once the TLS handshake is done; until then it is bounded
    // by the same timeout as the RTMP handshake that follows.
    tlsServer = vertx.createNetServer(new NetServerOptions().setTcpNoDelay(true).setSsl(true)
        .setEnabledSecureTransportProtocols(new java.util.LinkedHashSet<>(config.rtmps().protocols()))
        .setKeyCertOptions(certificate.keyCertOptions())
        .setSslHandshakeTimeout(config.rtmp().handshakeTimeoutMs())
        .setSslHandshakeTimeoutUnit(TimeUnit.MILLISECONDS));
    tlsServer.connectHandler(this::accept);
    tlsServer.exceptionHandler(e -> log.debug("rtmps: a connection failed before its session: {}", e.toString()));
    return plain.compose(v -> tlsServer.listen(tlsPort, config.rtmps().host()));
  }

  /**
   * HTTP-FLV and WebSocket-FLV players on this loop read its copies of the streams, as its RTMP
   * players do: the same GOP cache and pull, one hop per loop.
   */
  private Future<?> startPlayHttp() {
    boolean downloads = config.record().replay().enabled();
    if (!config.playHttp().enabled() || copies == null && !downloads) {
      return Future.succeededFuture();
    }
    HttpFlvService flv = null;
    if (copies != null) {
      Function<String, LiveStream> fed = name -> {
        StreamCopy copy = copies.getOrCreate(name);
        if (copy != null) {
          LoopFeed.connect(copy, homeStreams, config.streams().playerQueueSoftLimitBytes());
        }
        return copy;
      };
      // HLS is the home loop's (one set of segments for all of a viewer's connections), FLV each loop's.
      flv = new HttpFlvService(config.streams(), fed, admission, config.playHttp().corsOrigins(),
          playerCounters, draining, connections::overDirectBudget, connections.refusals()).withHls(hls);
    }
    RecordingDownloads recordings = downloads ? new RecordingDownloads(vertx, config.record(), admission,
        config.playHttp().corsOrigins(), draining) : null;
    // A connection that sends no request, or a viewer waiting for a stream nobody publishes, is
    // closed after rtmp.idle-timeout-ms without traffic; a playing viewer is never idle.
    HttpServerOptions options = new HttpServerOptions().setTcpNoDelay(true)
        .setIdleTimeout(config.rtmp().idleTimeoutMs()).setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
    if (config.playHttp().tls()) {
      // HTTP/2 by ALPN for HLS (many requests, one connection); WebSockets stay on HTTP/1.1.
      options.setSsl(true).setKeyCertOptions(certificate.keyCertOptions()).setUseAlpn(true)
          .setAlpnVersions(List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1))
          .setSslHandshakeTimeout(config.rtmp().handshakeTimeoutMs()).setSslHandshakeTimeoutUnit(TimeUnit.MILLISECONDS);
    }
    playServer = vertx.createHttpServer(options);
    // HTTP viewers count toward rtmp.max-connections and the per-address limit as RTMP ones do.
    playServer.connectionHandler(connection -> {
      String host = connection.remoteAddress() == null ? "unknown" : connection.remoteAddress().hostAddress();
      String refusal = connections.admit(host);
      if (refusal != null) {
        log.warn("refusing HTTP playback connection from {}: {}", host, refusal);
        // The close takes a moment, and a request read with the connection would be served meanwhile.
        refusedHttp.add(connection);
        connection.closeHandler(v -> refusedHttp.remove(connection));
        connection.close();
        return;
      }
      connection.closeHandler(v -> connections.release(host));
    });
    HttpFlvService live = flv;
    playServer.requestHandler(request -> {
      if (refusedHttp.contains(request.connection())) {
        return; // closing: answered by the close
      }
      if (recordings != null && recordings.serves(request.path())) {
        recordings.handle(request);
      } else if (live != null) {
        live.handle(request);
      } else {
        request.response().setStatusCode(404).putHeader("Content-Type", "text/plain; charset=utf-8")
            .end("this node is an origin only: it serves recordings under /" + config.record().replay().app()
                + "/; play live streams from an edge node\n");
      }
    });
    return playServer.listen(playPort, config.playHttp().host());
  }

  /** The HTTP playback port this loop listens on, or 0 without it. */
  int playHttpPort() {
    return playServer == null ? 0 : playServer.actualPort();
  }

  /** Puts a renewed certificate to use for new RTMPS and HTTPS connections; open ones keep theirs. */
  Future<Boolean> useCertificate(ServerCertificate renewed) {
    // All of the listener's TLS settings, not just the pair: the update replaces them whole.
    Future<Boolean> rtmps = tlsServer == null ? Future.succeededFuture(false)
        : tlsServer.updateSSLOptions(new ServerSSLOptions().setKeyCertOptions(renewed.keyCertOptions())
            .setEnabledSecureTransportProtocols(new java.util.LinkedHashSet<>(config.rtmps().protocols()))
            .setSslHandshakeTimeout(config.rtmp().handshakeTimeoutMs())
            .setSslHandshakeTimeoutUnit(TimeUnit.MILLISECONDS));
    if (playServer == null || !config.playHttp().tls()) {
      return rtmps;
    }
    Future<Boolean> https = playServer.updateSSLOptions(new ServerSSLOptions().setKeyCertOptions(renewed.keyCertOptions())
        .setUseAlpn(true).setApplicationLayerProtocols(List.of("h2", "http/1.1"))
        .setSslHandshakeTimeout(config.rtmp().handshakeTimeoutMs()).setSslHandshakeTimeoutUnit(TimeUnit.MILLISECONDS));
    return Future.all(rtmps, https).map(done -> rtmps.result() || https.result());
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
    connection.start(new ServerSession(connection, publishService, playService, admission,
        app -> replay != null && replay.serves(app) || config.streams().servesApp(app)));
  }

  /** The RTMP port this loop listens on (the real one when configured as 0), or 0 without plain RTMP. */
  int port() {
    return server == null ? 0 : server.actualPort();
  }

  /** The RTMPS port this loop listens on (the real one when configured as 0), or 0 without RTMPS. */
  int tlsPort() {
    return tlsServer == null ? 0 : tlsServer.actualPort();
  }

  /** Stops accepting; connections already open are cut. */
  Future<Void> closeServer() {
    Future<Void> plain = server == null ? Future.succeededFuture() : server.close();
    Future<Void> tls = tlsServer == null ? Future.succeededFuture() : tlsServer.close();
    Future<Void> play = playServer == null ? Future.succeededFuture() : playServer.close();
    return Future.join(plain, tls, play).mapEmpty();
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

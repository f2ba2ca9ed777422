package org.rtmpcluster.server;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.Context;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.IntSupplier;
import org.rtmpcluster.common.cluster.ClusterFrame;
import org.rtmpcluster.common.cluster.ClusterFrameCodec;
import org.rtmpcluster.common.cluster.NodeIdentity;
import org.rtmpcluster.common.cluster.StreamRegistry;
import org.rtmpcluster.common.config.ClusterSettings;
import org.rtmpcluster.common.config.NodeConfig;
import org.rtmpcluster.common.config.Role;
import org.rtmpcluster.common.memory.ByteBudget;
import org.rtmpcluster.common.memory.MemoryLimits;
import org.rtmpcluster.common.rtmp.session.NodeConnections;
import org.rtmpcluster.common.rtmp.session.PublishService;
import org.rtmpcluster.common.stream.HomeStream;
import org.rtmpcluster.common.stream.LoopFeed;
import org.rtmpcluster.common.stream.StreamHub;
import org.rtmpcluster.common.stream.WireBuffers;
import org.rtmpcluster.edge.hls.HlsService;
import org.rtmpcluster.server.tls.CertificateWatcher;
import org.rtmpcluster.edge.PlayerCounters;
import org.rtmpcluster.edge.cluster.PullCounters;
import org.rtmpcluster.edge.cluster.StreamPuller;
import org.rtmpcluster.origin.OriginPublishService;
import org.rtmpcluster.origin.cluster.ClusterRelay;
import org.rtmpcluster.origin.record.RecordingCounters;
import org.rtmpcluster.origin.replay.ReplayCounters;
import org.rtmpcluster.server.http.HttpApi;
import org.rtmpcluster.server.stats.NodeMetrics;
import org.rtmpcluster.server.stats.NodeStats;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node with the roles it was given, standalone or as a cluster member. Its streams live on the
 * home event loop of this verticle, so stream state needs no locks; its connections are spread
 * over {@code rtmp.event-loops} {@link RtmpListener listeners} (the first on the home loop), whose
 * players read per-loop copies of the streams (see {@link LoopFeed}) and whose publishers publish
 * to the home loop.
 */
public final class RtmpNode extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(RtmpNode.class);

  private final NodeConfig config;
  private final NodeIdentity identity;
  private final List<RtmpListener> listeners = new ArrayList<>();
  private RtmpListener homeListener;
  private NodeConnections connections;
  private StreamHub<HomeStream> originHub;
  private StreamHub<HomeStream> edgeHub;
  private StreamRegistry streamRegistry;
  private PublishService publishService;
  private LoopFeed.Home homeStreams;
  private CertificateWatcher certificates;
  private AuthClients auth;
  private HlsService hls;
  private final PlayerCounters playerCounters = new PlayerCounters();
  private final PullCounters pullCounters = new PullCounters();
  private final ReplayCounters replayCounters = new ReplayCounters();
  private volatile IntSupplier clusterMembers = () -> 1;
  private NodeStats stats;
  private HttpApi httpApi;
  private NodeMetrics metrics;
  private Recordings recordings;
  private volatile boolean draining;

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
    connections = new NodeConnections(config.rtmp(),
        new ByteBudget("messages in progress", config.memory().effectiveIncompleteBytes()),
        config.memory().effectiveDirectBytes(), RtmpNode::directHeldForPlayers);
    stats = new NodeStats(vertx, this);
    auth = new AuthClients(vertx, config.auth(), this::nodeName);
    recordings = new Recordings(vertx, config.record(), auth);
    if (identity == null) {
      // Standalone: players read the publishers' streams.
      originHub = StreamHub.home(vertx, config.streams());
      edgeHub = originHub;
      if (config.hasRole(Role.ORIGIN)) {
        publishService = new OriginPublishService(originHub, config.streams(), config.rtmp().amfLimits(),
            recordings::onPublish);
      }
      if (config.hasRole(Role.EDGE)) {
        homeStreams = homeStreams(edgeHub::getOrCreate);
      }
    } else {
      startClustered();
    }
    return loadCertificate().compose(loaded -> startListeners()).compose(listening -> startObservability());
  }

  private LoopFeed.Home homeStreams(Function<String, HomeStream> open) {
    Context home = context;
    return new LoopFeed.Home() {
      @Override
      public Context context() {
        return home;
      }

      @Override
      public HomeStream open(String name) {
        return open.apply(name);
      }
    };
  }

  /**
   * One listener per event loop, all on the node's ports. The first runs on the home loop itself,
   * so that its connections reach the streams without a hop between threads (and a node with one
   * event loop has none at all); the others are verticles of their own, each on its own loop.
   * Vert.x shares a port between servers that listen on the same number; for a random port
   * (configured as 0) that number is -1, and only one kind of server may use it: for RTMPS and
   * HTTP playback on port 0 (tests) a free port is picked first.
   */
  private Future<?> startListeners() {
    int loops = config.rtmp().effectiveEventLoops();
    if (config.playHttp().enabled() && homeStreams != null) {
      hls = new HlsService(vertx, context, homeStreams::open, () -> System.nanoTime() / 1_000_000,
          config.streams(), config.playHttp().hls());
    }
    int port = config.rtmp().port() == 0 ? -1 : config.rtmp().port();
    int tlsPort = config.rtmps().enabled() && config.rtmps().port() == 0
        ? freePort(config.rtmps().host()) : config.rtmps().port();
    int playPort = config.playHttp().enabled() && config.playHttp().port() == 0
        ? freePort(config.playHttp().host()) : config.playHttp().port();
    RtmpListener onHome = newListener(port, tlsPort, playPort);
    onHome.init(vertx, context);
    homeListener = onHome;
    Future<?> started = onHome.start().onSuccess(listening -> listeners.add(onHome));
    for (int i = 1; i < loops; i++) {
      started = started.compose(previous -> deployListener(port, tlsPort, playPort));
    }
    if (certificates != null) {
      started = started.onSuccess(listening -> certificates.start());
    }
    return started;
  }

  private static int freePort(String host) {
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName(host))) {
      return probe.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on " + host + " for rtmps", e);
    }
  }

  private RtmpListener newListener(int port, int tlsPort, int playPort) {
    return new RtmpListener(config, port, tlsPort, playPort, certificates == null ? null : certificates.current(),
        auth, hls, context, connections, publishService, homeStreams, playerCounters, replayCounters, () -> draining);
  }

  private Future<String> deployListener(int port, int tlsPort, int playPort) {
    RtmpListener listener = newListener(port, tlsPort, playPort);
    return vertx.deployVerticle(listener).onSuccess(id -> listeners.add(listener));
  }

  /** With RTMPS or HTTPS playback, the certificate must load before any listener starts; a bad one fails the start. */
  private Future<?> loadCertificate() {
    config.requireAListener();
    if (!config.usesCertificate()) {
      return Future.succeededFuture();
    }
    certificates = new CertificateWatcher(vertx, config.rtmps(), renewed ->
        Future.all(listeners.stream().map(listener -> listener.useCertificate(renewed)).toList()));
    return certificates.load();
  }

  /** Once RTMP listens: share this node's stats with the cluster, and serve the HTTP API if enabled. */
  private Future<?> startObservability() {
    stats.start();
    if (!config.http().enabled()) {
      return Future.succeededFuture();
    }
    metrics = new NodeMetrics(this);
    httpApi = new HttpApi(vertx, config.http(), stats, metrics);
    return httpApi.start();
  }

  /** The HTTP playback port (the real one when configured as 0), or 0 without it. */
  public int playHttpPort() {
    return listeners.isEmpty() ? 0 : listeners.get(0).playHttpPort();
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
      originHub = StreamHub.home(vertx, config.streams());
      publishService = new OriginPublishService(originHub, config.streams(), config.rtmp().amfLimits(),
          stream -> {
            if (stream.publishObserver() == null) {
              stream.observePublishing(new ClusterRelay(vertx, stream, streamRegistry, identity, cluster));
            }
            recordings.onPublish(stream);
          });
    }
    if (config.hasRole(Role.EDGE)) {
      edgeHub = StreamHub.home(vertx, config.streams());
      homeStreams = homeStreams(name -> {
        HomeStream stream = edgeHub.getOrCreate(name);
        if (stream != null && stream.audienceWatcher() == null) {
          StreamPuller puller = new StreamPuller(vertx, stream, cluster, pullCounters);
          stream.watchAudience(puller);
          puller.start();
        }
        return stream;
      });
    }
  }

  /**
   * The direct memory the node holds for what it sends, as its budget counts it: of the players'
   * chunk pool what is in use (a pool keeps memory it no longer uses, ready to be used again), and
   * all other direct memory, Netty's socket buffers among it.
   */
  static long directHeldForPlayers() {
    return MemoryLimits.directUsedBytes() - WireBuffers.poolBytes() + WireBuffers.activeBytes();
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
        for (HomeStream stream : originHub.streams()) {
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
      log.info("draining: ending {} connection(s)", connections.size());
      connections.drainAll("node is shutting down");
      long deadline = System.currentTimeMillis() + timeoutMs;
      vertx.setPeriodic(20, id -> {
        if (connections.size() == 0 || System.currentTimeMillis() > deadline) {
          vertx.cancelTimer(id);
          Future.join(listeners.stream().map(RtmpListener::closeServer).toList())
              .onComplete(closed -> drained.tryComplete());
        }
      });
    });
    return drained.future();
  }

  /** The other listeners, deployed by this verticle, are undeployed with it. */
  @Override
  public Future<?> stop() {
    if (stats != null) {
      stats.stop();
    }
    if (certificates != null) {
      certificates.stop();
    }
    if (auth != null) {
      auth.close();
    }
    if (httpApi != null) {
      httpApi.stop();
    }
    if (metrics != null) {
      metrics.close();
    }
    return homeListener == null ? Future.succeededFuture() : homeListener.stop();
  }


  /** True once {@link #drain} began: the node turns new connections away. */
  public boolean isDraining() {
    return draining;
  }

  /**
   * The RTMP port the node is bound to (the real one when configured as 0); on a node that takes
   * RTMPS only, its RTMPS port.
   */
  public int port() {
    if (listeners.isEmpty()) {
      return 0;
    }
    RtmpListener first = listeners.get(0);
    return config.rtmp().enabled() ? first.port() : first.tlsPort();
  }

  /** The node's name in logs, the API and webhooks: its cluster name, or its configured or host:port name. */
  public String nodeName() {
    return identity != null ? identity.nodeName() : config.displayName(port());
  }

  /** What the node reports of itself (/api/node). */
  public NodeStats stats() {
    return stats;
  }

  /** The RTMPS certificate files, or null without RTMPS. */
  public CertificateWatcher certificates() {
    return certificates;
  }

  /** The RTMPS port the node is bound to, or 0 without RTMPS. */
  public int rtmpsPort() {
    return listeners.isEmpty() ? 0 : listeners.get(0).tlsPort();
  }

  /** The event loop the node's streams live on. */
  Context homeContext() {
    return context;
  }

  /** The node's listeners, one per event loop. */
  List<RtmpListener> listeners() {
    return List.copyOf(listeners);
  }

  /** How many event loops hold the node's connections. */
  public int eventLoops() {
    return listeners.size();
  }

  public NodeConfig nodeConfig() {
    return config;
  }

  /** Streams published on this node (in a standalone node, also the ones played). */
  public StreamHub<HomeStream> hub() {
    return originHub != null ? originHub : edgeHub;
  }

  /** Streams played on this node, as the home loop holds them (players read per-loop copies). */
  public StreamHub<HomeStream> edgeHub() {
    return edgeHub;
  }

  /** Streams published on this node, or null on an edge-only node. */
  public StreamHub<HomeStream> originHub() {
    return originHub;
  }

  /** The cluster's stream registry, or null when standalone. */
  public StreamRegistry streamRegistry() {
    return streamRegistry;
  }

  public NodeIdentity identity() {
    return identity;
  }

  /** Slow players on every event loop of the node. */
  public PlayerCounters playerCounters() {
    return playerCounters;
  }

  public NodeConnections connections() {
    return connections;
  }

  /** What this edge's stream pullers met on the event bus, all streams together. */
  public PullCounters pullCounters() {
    return pullCounters;
  }

  /** The node's recorders' counts (files open, finished, failed, frames skipped). */
  public RecordingCounters recordingCounters() {
    return recordings.counters();
  }

  /** Heap the node's recordings hold for the disk, within record.max-node-queued-bytes. */
  public ByteBudget recordingQueue() {
    return recordings.queued();
  }

  public ReplayCounters replayCounters() {
    return replayCounters;
  }

  /** The HLS segmenters, or null without HTTP playback or the edge role. */
  public HlsService hls() {
    return hls;
  }

  /** Tells the node how to count its cluster's members (Hazelcast's member list). */
  public void clusterMembers(IntSupplier members) {
    this.clusterMembers = members;
  }

  /** Members of this node's cluster, itself included; 1 when standalone. */
  public int clusterMemberCount() {
    return clusterMembers.getAsInt();
  }

  /** The HTTP API, or null when {@code http.enabled} is off. */
  public HttpApi httpApi() {
    return httpApi;
  }
}

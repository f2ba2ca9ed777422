package org.rtmpcluster.server.stats;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.rtmpcluster.common.cluster.StreamRegistry;
import org.rtmpcluster.common.config.Role;
import org.rtmpcluster.common.memory.ByteBudget;
import org.rtmpcluster.common.memory.MemoryLimits;
import org.rtmpcluster.common.rtmp.session.ConnectionRegistry;
import org.rtmpcluster.common.rtmp.session.NodeConnections;
import org.rtmpcluster.common.rtmp.session.Sessions;
import org.rtmpcluster.common.config.PlayHttpSettings;
import org.rtmpcluster.common.stream.HomeStream;
import org.rtmpcluster.common.stream.StreamHub;
import org.rtmpcluster.common.stream.WireBuffers;
import org.rtmpcluster.edge.PlayerCounters;
import org.rtmpcluster.edge.cluster.StreamPuller;
import org.rtmpcluster.origin.cluster.ClusterRelay;
import org.rtmpcluster.server.RtmpNode;
import org.rtmpcluster.server.tls.CertificateWatcher;

/**
 * What a node tells operators about itself and its streams, read from the node's own state. Every
 * method runs on the node's event loop (the hubs and registries have no locks); the cluster-wide
 * stream list is assembled from the stream registry and the {@link NodeStatsBoard}, asynchronously.
 */
public final class NodeStats {
  private final Vertx vertx;
  private final RtmpNode node;
  private final long startedAtMs;
  private NodeStatsBoard board;

  public NodeStats(Vertx vertx, RtmpNode node) {
    this.vertx = vertx;
    this.node = node;
    this.startedAtMs = System.currentTimeMillis();
  }

  /** Starts sharing this node's stream stats with the cluster (clustered nodes only). */
  public void start() {
    if (node.identity() != null) {
      board = new NodeStatsBoard(vertx, node.identity().nodeId(), this::boardEntry);
      board.start();
    }
  }

  public void stop() {
    if (board != null) {
      board.stop();
    }
  }

  /** A member left: its stats must not show any more. */
  public void onNodeLeft(String nodeId) {
    if (board != null) {
      board.removeNode(nodeId);
    }
  }

  public String nodeName() {
    return node.nodeName();
  }

  private boolean clustered() {
    return node.identity() != null;
  }

  /** GET /health: up while the node listens and, clustered, can write to the cluster's maps. */
  public Health health() {
    long now = System.currentTimeMillis();
    JsonObject body = new JsonObject().put("node", nodeName()).put("uptimeMs", now - startedAtMs)
        .put("cluster", clusterName());
    String down = null;
    if (node.isDraining()) {
      // A load balancer takes a draining node out of rotation before it is gone.
      down = "draining: the node is shutting down";
    } else if (node.connections() == null || node.port() <= 0) {
      down = "RTMP listener not bound";
    } else if (board != null) {
      long lastWrite = board.lastWriteAtMs();
      body.put("clusterStatsAgeMs", lastWrite == 0 ? null : now - lastWrite);
      if (!board.healthy(now)) {
        down = lastWrite == 0 ? "not yet written to the cluster" : "cluster unreachable for "
            + (now - lastWrite) + " ms";
      }
    }
    body.put("status", down == null ? "up" : node.isDraining() ? "draining" : "down");
    if (down != null) {
      body.put("reason", down);
    }
    return new Health(down == null, body);
  }

  /** The result of a health check and the JSON that says it. */
  public record Health(boolean up, JsonObject body) {
  }

  private String clusterName() {
    return clustered() ? node.nodeConfig().cluster().name() : "standalone";
  }

  private JsonArray roles() {
    return new JsonArray(node.nodeConfig().roles().stream().map(Role::label).sorted().toList());
  }

  /** GET /api/node. */
  public JsonObject node() {
    long now = System.currentTimeMillis();
    NodeConnections connections = node.connections();
    PlayerCounters slow = node.playerCounters();
    int published = 0;
    if (node.originHub() != null) {
      for (HomeStream stream : node.originHub().streams()) {
        published += stream.isLive() ? 1 : 0;
      }
    }
    int played = 0;
    int players = 0;
    if (node.edgeHub() != null) {
      for (HomeStream stream : node.edgeHub().streams()) {
        played += stream.playerCount() > 0 ? 1 : 0;
        players += stream.playerCount();
      }
    }
    return new JsonObject()
        .put("node", nodeName())
        .put("nodeId", clustered() ? node.identity().nodeId() : null)
        .put("roles", roles())
        .put("cluster", clusterName())
        .put("startedAt", startedAtMs)
        .put("uptimeMs", now - startedAtMs)
        .put("rtmpPort", node.nodeConfig().rtmp().enabled() ? node.port() : 0)
        .put("rtmpsPort", node.rtmpsPort())
        .put("eventLoops", node.eventLoops())
        .put("connections", connections.size())
        .put("bytesIn", connections.bytesIn())
        .put("bytesOut", connections.bytesOut())
        .put("protocolErrors", connections.protocolErrors())
        .put("timeouts", connections.timeouts())
        .put("refusedConnections", connections.refused())
        .put("slowPlayers", new JsonObject()
            .put("framesSkipped", slow.framesSkipped())
            .put("playersCut", slow.playersCut()))
        .put("loops", loops(connections))
        .put("memory", memory(connections, slow))
        .put("streamsPublished", published)
        .put("streamsPlayed", played)
        .put("players", players)
        .put("rtmps", rtmps(node.certificates()));
  }

  /** The RTMPS certificate in use and how its reloads went; null without RTMPS. */
  private static JsonObject rtmps(CertificateWatcher certificates) {
    if (certificates == null || certificates.current() == null) {
      return null;
    }
    return new JsonObject().put("certificate", certificates.current().describe())
        .put("notAfter", certificates.current().notAfter().toString())
        .put("reloads", certificates.reloads())
        .put("failedReloads", certificates.failedReloads());
  }

  /** Each event loop's load: its connections, the bytes queued for them, and how late it runs. */
  private static JsonArray loops(NodeConnections connections) {
    JsonArray loops = new JsonArray();
    for (ConnectionRegistry loop : connections.registries()) {
      loops.add(new JsonObject().put("connections", loop.size()).put("queuedBytes", loop.queuedBytes())
          .put("lagMs", loop.lagMs()).put("maxLagMs10s", loop.maxLagMs())
          .put("writeWaitMs", loop.writeWaitMs()));
    }
    return loops;
  }

  /** The JVM's limits and the node's budgets, with what is in use. */
  private static JsonObject memory(NodeConnections connections, PlayerCounters players) {
    Runtime runtime = Runtime.getRuntime();
    ByteBudget incomplete = connections.incompleteMessages();
    return new JsonObject()
        .put("heapMaxBytes", MemoryLimits.maxHeapBytes())
        .put("heapUsedBytes", runtime.totalMemory() - runtime.freeMemory())
        .put("directMaxBytes", MemoryLimits.maxDirectBytes())
        .put("directUsedBytes", MemoryLimits.directUsedBytes())
        .put("playerChunks", new JsonObject().put("poolBytes", WireBuffers.poolBytes())
            .put("logBlocks", WireBuffers.heldByLogs()))
        .put("incompleteMessages", new JsonObject().put("usedBytes", incomplete.used())
            .put("budgetBytes", incomplete.limit()).put("refusals", incomplete.refusals()))
        .put("directForPlayers", new JsonObject().put("usedBytes", connections.directUsedBytes())
            .put("budgetBytes", connections.directBudgetBytes())
            .put("overBudget", connections.overDirectBudget())
            .put("queuedForSocketsBytes", connections.queuedBytes())
            .put("playersRefused", players.playersRefusedOverBudget()));
  }

  /** GET /api/streams: clustered, every node's view merged; standalone, this node's streams. */
  public Future<JsonObject> streams() {
    if (!clustered()) {
      return Future.succeededFuture(StreamsReport.merge(localRegistryEntries(), List.of(boardEntry())));
    }
    StreamRegistry registry = node.streamRegistry();
    Future<List<StreamRegistry.Entry>> live = registry.all();
    Future<List<JsonObject>> nodes = board.fresh();
    return Future.all(live, nodes).map(all -> StreamsReport.merge(live.result(), nodes.result()));
  }

  /** A standalone node has no registry: its live streams stand in for the entries. */
  private List<StreamRegistry.Entry> localRegistryEntries() {
    String name = nodeName();
    return node.originHub().streams().stream().filter(HomeStream::isLive)
        .map(s -> new StreamRegistry.Entry(s.name(), name, name, null, s.epoch(), s.publishedAtMs(),
            s.videoCodec(), s.audioCodec(), 0))
        .toList();
  }

  /**
   * This node's entry on the board (see {@link NodeStatsBoard} for its shape): per stream, the
   * publisher here if any, and the players here with what arrived over the event bus.
   */
  JsonObject boardEntry() {
    JsonObject streams = new JsonObject();
    StreamHub<HomeStream> origin = node.originHub();
    if (origin != null) {
      for (HomeStream stream : origin.streams()) {
        if (!stream.isLive()) {
          continue;
        }
        JsonObject publisher = new JsonObject().put("inputBitrate", stream.inputBitrate())
            .put("fps", round2(stream.inputFps()));
        if (stream.publishObserver() instanceof ClusterRelay relay) {
          publisher.put("state", relay.state().name().toLowerCase(java.util.Locale.ROOT))
              .put("epoch", relay.clusterEpoch()).put("framesSent", relay.framesSent());
        } else {
          publisher.put("state", "active").put("epoch", stream.epoch());
        }
        entryOf(streams, stream.name()).put("publisher", publisher);
      }
    }
    StreamHub<HomeStream> edge = node.edgeHub();
    if (edge != null) {
      for (HomeStream stream : edge.streams()) {
        JsonObject entry = entryOf(streams, stream.name()).put("players", stream.playerCount());
        if (stream.audienceWatcher() instanceof StreamPuller puller) {
          entry.put("framesReceived", puller.framesReceived()).put("epoch", puller.epoch())
              .put("gaps", puller.gaps()).put("framesLetGoWhileResyncing", puller.droppedWhileSyncing());
        }
      }
    }
    return new JsonObject().put("nodeId", clustered() ? node.identity().nodeId() : nodeName())
        .put("node", nodeName()).put("roles", roles()).put("updatedAt", System.currentTimeMillis())
        .put("connections", node.connections().size()).put("players", playersByProtocol())
        .put("playHttp", playHttp()).put("streams", streams);
  }

  /** Players on this node now, by protocol; HLS viewers hold no connection, so its streams are counted. */
  private JsonObject playersByProtocol() {
    Sessions sessions = node.connections().sessions();
    PlayerCounters http = node.playerCounters();
    return new JsonObject().put("rtmp", sessions.count(Sessions.Role.PLAY, false))
        .put("rtmps", sessions.count(Sessions.Role.PLAY, true))
        .put("http-flv", http.httpFlvViewers()).put("ws-flv", http.webSocketFlvViewers())
        .put("hlsStreams", node.hls() == null ? 0 : node.hls().streamCount());
  }

  /**
   * Where this edge serves browsers, for the status page's preview: the port, whether it is
   * HTTPS, and a host other nodes' pages can reach (the bound address, or for a wildcard bind the
   * cluster address; null standalone, where the page uses its own host). Null without HTTP playback.
   */
  private JsonObject playHttp() {
    PlayHttpSettings play = node.nodeConfig().playHttp();
    if (!play.enabled() || node.hls() == null) {
      return null;
    }
    boolean wildcard = play.host().equals("0.0.0.0") || play.host().equals("::");
    String host = !wildcard ? play.host() : clustered() ? node.nodeConfig().cluster().host() : null;
    return new JsonObject().put("host", host).put("port", node.playHttpPort())
        .put("tls", play.tls());
  }

  private static JsonObject entryOf(JsonObject streams, String name) {
    JsonObject entry = streams.getJsonObject(name);
    if (entry == null) {
      entry = new JsonObject();
      streams.put(name, entry);
    }
    return entry;
  }

  private static double round2(double value) {
    return Math.round(value * 100) / 100.0;
  }
}

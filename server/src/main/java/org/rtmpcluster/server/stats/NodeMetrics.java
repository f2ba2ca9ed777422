package org.rtmpcluster.server.stats;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.ToDoubleFunction;
import org.rtmpcluster.common.config.Role;
import org.rtmpcluster.common.memory.ByteBudget;
import org.rtmpcluster.common.memory.MemoryLimits;
import org.rtmpcluster.common.rtmp.session.ConnectionRegistry;
import org.rtmpcluster.common.rtmp.session.NodeConnections;
import org.rtmpcluster.common.rtmp.session.Refusals;
import org.rtmpcluster.common.rtmp.session.Sessions;
import org.rtmpcluster.common.stream.HomeStream;
import org.rtmpcluster.common.stream.StreamHub;
import org.rtmpcluster.common.stream.StreamNames;
import org.rtmpcluster.edge.PlayerCounters;
import org.rtmpcluster.edge.cluster.PullCounters;
import org.rtmpcluster.edge.cluster.StreamPuller;
import org.rtmpcluster.edge.hls.HlsService;
import org.rtmpcluster.origin.record.RecordingCounters;
import org.rtmpcluster.origin.replay.ReplayCounters;
import org.rtmpcluster.origin.cluster.ClusterRelay;
import org.rtmpcluster.server.RtmpNode;
import org.rtmpcluster.server.tls.CertificateWatcher;

/**
 * GET /metrics: the node's counters in Prometheus's text format (docs/operations.md, "Metrics").
 * Every meter reads a counter or state the node already keeps, when scraped: nothing is added to
 * the path of a frame. A scrape runs on the node's home event loop, where the hubs may be read
 * without locks; the other loops' figures are atomics or volatiles.
 *
 * <p>Label values are this code's own constants, except {@code stream}: stream names are bounded
 * by {@code streams.max-streams}, and a stream's series go when the stream does.
 */
public final class NodeMetrics {
  private final RtmpNode node;
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final JvmGcMetrics gc = new JvmGcMetrics();
  private final Set<Refusals.Kind> refusalsRegistered = new HashSet<>();
  private final Set<Integer> loopsRegistered = new HashSet<>();
  private final MultiGauge streamPlayers;
  private final MultiGauge streamInputBitrate;

  public NodeMetrics(RtmpNode node) {
    this.node = node;
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    bindNode();
    bindConnections(node.connections());
    bindPlayers(node.playerCounters());
    bindStreams();
    bindCluster();
    bindMemory(node.connections());
    bindHls(node.hls());
    bindRecordings(node.recordingCounters(), node.replayCounters());
    budget("recording-queue", node.recordingQueue(), ByteBudget::used, ByteBudget::limit);
    bindCertificate(node.certificates());
    streamPlayers = MultiGauge.builder("rtmpcluster.stream.players")
        .description("Players of a stream on this edge, over every protocol").register(registry);
    streamInputBitrate = MultiGauge.builder("rtmpcluster.stream.input.bitrate")
        .description("What the publisher of a stream sends this origin, in bits per second").register(registry);
  }

  /** The exposition, in Prometheus's text format 0.0.4; on the node's home loop. */
  public String scrape() {
    bindLoops(node.connections());
    bindRefusals(node.connections().refusals());
    updateStreams();
    return registry.scrape();
  }

  /** The text format's media type. */
  public static String contentType() {
    return "text/plain; version=0.0.4; charset=utf-8";
  }

  /** Lets go of the JVM's GC notifications. */
  public void close() {
    gc.close();
    registry.close();
  }

  private void bindNode() {
    String roles = String.join(",", node.nodeConfig().roles().stream().map(Role::label).sorted().toList());
    String cluster = node.identity() == null ? "standalone" : node.nodeConfig().cluster().name();
    Gauge.builder("rtmpcluster.node.info", () -> 1)
        .description("This node: its name, roles and cluster, in labels; always 1")
        .tags("node", node.nodeName(), "roles", roles, "cluster", cluster, "version", version())
        .strongReference(true).register(registry);
    gauge("rtmpcluster.node.draining", "1 while the node drains for shutdown and turns new connections away",
        node, n -> n.isDraining() ? 1 : 0);
  }

  private static String version() {
    String version = NodeMetrics.class.getPackage().getImplementationVersion();
    return version == null ? "dev" : version;
  }

  private void bindConnections(NodeConnections connections) {
    gauge("rtmpcluster.connections", "Open connections: RTMP, RTMPS and HTTP playback", connections,
        NodeConnections::size);
    Sessions sessions = connections.sessions();
    for (boolean tls : new boolean[] {false, true}) {
      String protocol = tls ? "rtmps" : "rtmp";
      Gauge.builder("rtmpcluster.publishers", sessions, s -> s.count(Sessions.Role.PUBLISH, tls))
          .description("Publishes going on now, by protocol").tag("protocol", protocol).register(registry);
      players(protocol, sessions, s -> s.count(Sessions.Role.PLAY, tls));
    }
    counter("rtmpcluster.received.bytes", "Bytes read from RTMP and RTMPS connections, handshakes included",
        connections, NodeConnections::bytesIn);
    counter("rtmpcluster.sent.bytes", "Bytes written to RTMP and RTMPS connections", connections,
        NodeConnections::bytesOut);
    counter("rtmpcluster.protocol.errors", "Connections closed for breaking the RTMP protocol", connections,
        NodeConnections::protocolErrors);
    counter("rtmpcluster.timeouts", "Connections closed for a handshake or idle timeout", connections,
        NodeConnections::timeouts);
    counter("rtmpcluster.connections.refused", "Connections refused for rtmp.max-connections or the per-address "
        + "limit, or while draining", connections, NodeConnections::refused);
  }

  private void bindPlayers(PlayerCounters players) {
    players("http-flv", players, PlayerCounters::httpFlvViewers);
    players("ws-flv", players, PlayerCounters::webSocketFlvViewers);
    counter("rtmpcluster.frames.skipped", "Frames slow players did not get: they went on from a later keyframe",
        players, PlayerCounters::framesSkipped);
    counter("rtmpcluster.players.cut", "Players disconnected for staying too far behind (streams.slow-player)",
        players, PlayerCounters::playersCut);
    counter("rtmpcluster.players.refused.over.budget", "Players turned away while the node was over "
        + "memory.direct-bytes", players, PlayerCounters::playersRefusedOverBudget);
  }

  private void bindStreams() {
    gauge("rtmpcluster.streams.published", "Streams live on this origin, active or hot standby", node,
        n -> published(n, null));
    for (ClusterRelay.State state : new ClusterRelay.State[] {ClusterRelay.State.ACTIVE, ClusterRelay.State.STANDBY}) {
      Gauge.builder("rtmpcluster.streams.published.by.state", node, n -> published(n, state))
          .description("Streams live on this origin by their claim: active sends to the cluster, standby waits")
          .tag("state", state.name().toLowerCase(Locale.ROOT)).register(registry);
    }
    gauge("rtmpcluster.streams.played", "Streams with players on this edge", node, NodeMetrics::played);
    PullCounters pulls = node.pullCounters();
    counter("rtmpcluster.bus.frames.received", "Frames this edge received over the event bus", node,
        n -> n.pullCounters().retiredFramesReceived() + livePullers(n));
    counter("rtmpcluster.bus.gaps", "Frames that did not arrive in sequence over the event bus", pulls,
        PullCounters::gaps);
    counter("rtmpcluster.bus.resyncs", "Snapshots this edge asked of an origin: a new epoch, a gap, a stall",
        pulls, PullCounters::resyncs);
    counter("rtmpcluster.bus.frames.dropped.syncing", "Frames let go over cluster.resync-hold-bytes while a "
        + "snapshot was on its way", pulls, PullCounters::framesDroppedWhileSyncing);
  }

  /** Live streams of the origin hub; with a state, those whose claim is in it (standalone: all are active). */
  private static double published(RtmpNode node, ClusterRelay.State state) {
    StreamHub<HomeStream> origin = node.originHub();
    if (origin == null) {
      return 0;
    }
    int count = 0;
    for (HomeStream stream : origin.streams()) {
      if (!stream.isLive()) {
        continue;
      }
      ClusterRelay.State actual = stream.publishObserver() instanceof ClusterRelay relay ? relay.state()
          : ClusterRelay.State.ACTIVE;
      count += state == null || state == actual ? 1 : 0;
    }
    return count;
  }

  private static double played(RtmpNode node) {
    StreamHub<HomeStream> edge = node.edgeHub();
    if (edge == null) {
      return 0;
    }
    int count = 0;
    for (HomeStream stream : edge.streams()) {
      count += stream.playerCount() > 0 ? 1 : 0;
    }
    return count;
  }

  private static double livePullers(RtmpNode node) {
    StreamHub<HomeStream> edge = node.edgeHub();
    long frames = 0;
    if (edge != null && node.identity() != null) {
      for (HomeStream stream : edge.streams()) {
        if (stream.audienceWatcher() instanceof StreamPuller puller) {
          frames += puller.framesReceived();
        }
      }
    }
    return frames;
  }

  private void bindCluster() {
    gauge("rtmpcluster.cluster.members", "Members of this node's cluster, itself included (1 standalone)", node,
        RtmpNode::clusterMemberCount);
  }

  private void bindMemory(NodeConnections connections) {
    budget("players-direct", connections, NodeConnections::directUsedBytes, NodeConnections::directBudgetBytes);
    ByteBudget incomplete = connections.incompleteMessages();
    budget("incomplete-messages", incomplete, ByteBudget::used, ByteBudget::limit);
    gauge("rtmpcluster.memory.over.budget", "1 while the players' direct memory is over memory.direct-bytes "
        + "and new players are turned away", connections, c -> c.overDirectBudget() ? 1 : 0);
    counter("rtmpcluster.memory.incomplete.messages.refused", "Messages refused because "
        + "memory.incomplete-bytes was spent: their connection was closed", incomplete, ByteBudget::refusals);
    Gauge.builder("rtmpcluster.memory.direct.used", MemoryLimits::directUsedBytes).baseUnit("bytes")
        .description("Direct memory the JVM's buffers use now").register(registry);
  }

  private <T> void budget(String name, T owner, ToDoubleFunction<T> used, ToDoubleFunction<T> limit) {
    Gauge.builder("rtmpcluster.memory.budget.used", owner, used).baseUnit("bytes").tag("budget", name)
        .description("What a memory budget holds now").register(registry);
    Gauge.builder("rtmpcluster.memory.budget.limit", owner, limit).baseUnit("bytes").tag("budget", name)
        .description("A memory budget's limit (memory.direct-bytes, memory.incomplete-bytes, "
            + "play-http.hls.max-bytes)").register(registry);
  }

  private void bindRecordings(RecordingCounters recordings, ReplayCounters replays) {
    gauge("rtmpcluster.recordings.active", "Recordings this origin writes now (record)", recordings,
        RecordingCounters::active);
    counter("rtmpcluster.recordings.finished", "Recordings written and closed, each told to the record-done webhook",
        recordings, RecordingCounters::finished);
    counter("rtmpcluster.recordings.failed", "Recordings a write or the close failed on (the disk)", recordings,
        RecordingCounters::failed);
    counter("rtmpcluster.recording.frames.skipped",
        "Frames not recorded because the disk was behind (record.max-queued-bytes)", recordings,
        RecordingCounters::framesSkipped);
    gauge("rtmpcluster.replays.active", "Players replaying a recording now (record.replay)", replays,
        ReplayCounters::active);
    counter("rtmpcluster.replays.started", "Replays started", replays, ReplayCounters::started);
    FunctionCounter.builder("rtmpcluster.replay.read", replays, ReplayCounters::bytesRead).baseUnit("bytes")
        .description("Bytes of recordings read for replays").register(registry);
  }

  private void bindHls(HlsService hls) {
    if (hls == null) {
      return;
    }
    gauge("rtmpcluster.hls.streams", "Streams this edge cuts into HLS segments now", hls, HlsService::streamCount);
    gauge("rtmpcluster.hls.waiting.requests", "HLS requests held for a part yet to be cut (play-http.hls.max-waiting)",
        hls, HlsService::waitingRequests);
    budget("hls-segments", hls, HlsService::heldBytes,
        h -> node.nodeConfig().playHttp().hls().effectiveMaxBytes());
  }

  private void bindCertificate(CertificateWatcher certificates) {
    if (certificates == null) {
      return;
    }
    Gauge.builder("rtmpcluster.tls.certificate.expiry", certificates,
            c -> c.current() == null ? Double.NaN : c.current().notAfter().getEpochSecond())
        .baseUnit("seconds").description("When the RTMPS and HTTPS certificate in use expires, in Unix time")
        .register(registry);
    counter("rtmpcluster.tls.certificate.reloads", "Renewed certificates taken into use", certificates,
        CertificateWatcher::reloads);
    counter("rtmpcluster.tls.certificate.reload.failures", "Changed certificate files that could not be used",
        certificates, CertificateWatcher::failedReloads);
  }

  /** Listeners start after the node's constructor ran, so their loops are bound at the first scrape. */
  private void bindLoops(NodeConnections connections) {
    List<ConnectionRegistry> loops = connections.registries();
    for (int i = 0; i < loops.size(); i++) {
      if (!loopsRegistered.add(i)) {
        continue;
      }
      ConnectionRegistry loop = loops.get(i);
      String index = String.valueOf(i);
      Gauge.builder("rtmpcluster.event.loop.lag", loop, l -> l.lagMs() / 1000.0).baseUnit("seconds")
          .tag("loop", index).description("How late an event loop ran a timer, last sample").register(registry);
      Gauge.builder("rtmpcluster.event.loop.lag.max", loop, l -> l.maxLagMs() / 1000.0).baseUnit("seconds")
          .tag("loop", index).description("How late an event loop ran a timer, worst of the last 10 s")
          .register(registry);
      Gauge.builder("rtmpcluster.event.loop.connections", loop, ConnectionRegistry::size)
          .tag("loop", index).description("RTMP connections on an event loop").register(registry);
      Gauge.builder("rtmpcluster.event.loop.queued", loop, ConnectionRegistry::queuedBytes).baseUnit("bytes")
          .tag("loop", index).description("Bytes queued for an event loop's sockets").register(registry);
    }
  }

  /** A reason first seen gets its series at the next scrape; reasons are this code's constants. */
  private void bindRefusals(Refusals refusals) {
    for (Refusals.Kind kind : refusals.snapshot().keySet()) {
      if (refusalsRegistered.add(kind)) {
        FunctionCounter.builder("rtmpcluster.refusals", refusals, r -> r.count(kind))
            .description("Connects, publishes and plays turned down, by protocol and reason "
                + "(an RTMP status code or an HTTP status)")
            .tags("protocol", kind.protocol(), "reason", kind.reason()).register(registry);
      }
    }
  }

  private void updateStreams() {
    List<MultiGauge.Row<?>> players = new ArrayList<>();
    StreamHub<HomeStream> edge = node.edgeHub();
    if (edge != null) {
      for (HomeStream stream : edge.streams()) {
        players.add(MultiGauge.Row.of(Tags.of("stream", StreamNames.printable(stream.name())),
            stream.playerCount()));
      }
    }
    streamPlayers.register(players, true);
    List<MultiGauge.Row<?>> bitrates = new ArrayList<>();
    StreamHub<HomeStream> origin = node.originHub();
    if (origin != null) {
      for (HomeStream stream : origin.streams()) {
        if (stream.isLive()) {
          bitrates.add(MultiGauge.Row.of(Tags.of("stream", StreamNames.printable(stream.name())),
              stream.inputBitrate()));
        }
      }
    }
    streamInputBitrate.register(bitrates, true);
  }

  /** One protocol's series of rtmpcluster_players. */
  private <T> void players(String protocol, T owner, ToDoubleFunction<T> count) {
    Gauge.builder("rtmpcluster.players", owner, count)
        .description("Players playing now, by protocol (HLS viewers hold no connection: see rtmpcluster_hls_streams)")
        .tag("protocol", protocol).register(registry);
  }

  private <T> void gauge(String name, String description, T owner, ToDoubleFunction<T> value) {
    Gauge.builder(name, owner, value).description(description).register(registry);
  }

  private <T> void counter(String name, String description, T owner, ToDoubleFunction<T> value) {
    FunctionCounter.builder(name, owner, value).description(description).register(registry);
  }
}

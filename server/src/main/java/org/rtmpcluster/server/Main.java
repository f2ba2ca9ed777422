package org.rtmpcluster.server;

import io.vertx.core.Vertx;
import io.vertx.core.transport.Transport;
import io.vertx.core.VertxOptions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.rtmpcluster.common.config.ConfigException;
import org.rtmpcluster.common.config.NodeConfig;
import org.rtmpcluster.common.config.Role;
import org.rtmpcluster.common.config.StreamKey;
import org.rtmpcluster.common.config.ClusterJoin;
import org.rtmpcluster.common.config.StreamSettings;
import org.rtmpcluster.common.memory.MemoryLimits;

/** Entry point of rtmp-cluster.jar. Exit codes: 0 normal, 1 could not start, 2 bad flags or config. */
public final class Main {
  private Main() {
  }

  public static void main(String[] args) {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel",
        System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "info"));
    System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
    System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSS");
    System.setProperty("org.slf4j.simpleLogger.showShortLogName", "true");
    // Hazelcast narrates every join and partition move at INFO; its warnings are what matter.
    System.setProperty("org.slf4j.simpleLogger.log.com.hazelcast",
        System.getProperty("org.slf4j.simpleLogger.log.com.hazelcast", "warn"));
    NodeConfig config;
    try {
      CommandLine commandLine = CommandLine.parse(args);
      if (commandLine.help()) {
        System.out.print(CommandLine.USAGE);
        return;
      }
      config = commandLine.config();
    } catch (ConfigException e) {
      System.err.println("rtmp-cluster: " + e.getMessage());
      System.err.println("Run with --help for the options.");
      System.exit(2);
      return;
    }
    org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Main.class);
    Vertx vertx;
    ClusterBootstrap.Clustered clustered = null;
    Transport transport = Transports.choose(config.rtmp().transport(), log);
    if (config.cluster().enabled()) {
      try {
        clustered = ClusterBootstrap.start(config.cluster(), vertxOptions(config), transport)
            .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      } catch (Exception e) {
        Throwable cause = e.getCause() == null ? e : e.getCause();
        log.error("could not join the cluster: {}", cause.toString());
        System.exit(1);
        return;
      }
      vertx = clustered.vertx();
    } else {
      vertx = Vertx.builder().with(vertxOptions(config)).withTransport(transport).build();
    }
    AtomicReference<RtmpNode> running = new AtomicReference<>();
    long drainTimeoutMs = config.drainTimeoutMs();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      // Players and publishers are told before the node leaves the cluster, then Vert.x closes
      // (and with it Hazelcast, whose own hook the cluster manager turns off).
      RtmpNode node = running.get();
      try {
        if (node != null) {
          node.drain(drainTimeoutMs).toCompletionStage().toCompletableFuture()
              .get(drainTimeoutMs + 1000, TimeUnit.MILLISECONDS);
        }
      } catch (Exception e) {
        // Closing anyway.
      }
      CompletableFuture<Void> closed = vertx.close().toCompletionStage().toCompletableFuture();
      try {
        closed.get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        // Exiting anyway.
      }
    }, "rtmp-cluster-shutdown"));
    try {
      String nodeName = config.displayName(config.rtmp().port());
      RtmpNode node = RtmpNode.deploy(vertx, config, clustered == null ? null : clustered.identity(nodeName))
          .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      running.set(node);
      if (clustered != null) {
        clustered.attach(node);
      }
      logStarted(log, node, transport);
    } catch (Exception e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      log.error("could not start: {}", cause.getMessage());
      vertx.close();
      System.exit(1);
    }
  }

  /** Enough event loops that each RTMP loop (the node's home loop is the first) gets a thread. */
  private static VertxOptions vertxOptions(NodeConfig config) {
    VertxOptions options = new VertxOptions();
    int needed = config.rtmp().effectiveEventLoops();
    if (options.getEventLoopPoolSize() < needed) {
      options.setEventLoopPoolSize(needed);
    }
    return options;
  }

  /**
   * The memory the node runs with, and the budgets sized from it. Players' chunks live in direct
   * memory, which the JVM frees only when a garbage collection finds them unused; without
   * -XX:MaxDirectMemorySize it may hold as much as the heap before it collects.
   */
  private static void logMemory(org.slf4j.Logger log, RtmpNode node) {
    long heap = MemoryLimits.maxHeapBytes();
    long direct = MemoryLimits.maxDirectBytes();
    log.info("memory: heap up to {}, direct memory up to {}{}; budgets: {} for messages in progress, "
            + "{} of direct memory for players", MemoryLimits.describe(heap), MemoryLimits.describe(direct),
        MemoryLimits.directMemorySet() ? "" : " (as much as the heap: -XX:MaxDirectMemorySize is not set)",
        MemoryLimits.describe(node.connections().incompleteMessages().limit()),
        MemoryLimits.describe(node.connections().directBudgetBytes()));
    if (!MemoryLimits.directMemorySet()) {
      log.info("for a node of its own, set both: java -Xmx2g -XX:MaxDirectMemorySize=1g -jar rtmp-cluster.jar "
          + "(see the README's memory section)");
    }
  }

  private static void logStarted(org.slf4j.Logger log, RtmpNode node, Transport transport) {
    NodeConfig config = node.nodeConfig();
    String roles = config.roles().stream().map(Role::label).sorted().reduce((a, b) -> a + "," + b).orElse("");
    String host = config.rtmp().host().equals("0.0.0.0") ? "localhost" : config.rtmp().host();
    String listening = (config.rtmp().enabled() ? "RTMP on " + config.rtmp().host() + ":" + node.port() : "")
        + (config.rtmp().enabled() && config.rtmps().enabled() ? ", " : "")
        + (config.rtmps().enabled() ? "RTMPS on " + config.rtmps().host() + ":" + node.rtmpsPort() : "");
    log.info("rtmp-cluster node ready: roles {}, {} ({} transport, {} event loop(s))", roles,
        listening, Transports.describe(transport), node.eventLoops());
    logMemory(log, node);
    if (node.httpApi() != null) {
      log.info("HTTP API on http://{}:{}/ (/health, /metrics, /api/node, /api/streams)", config.http().host(),
          node.httpApi().port());
    }
    if (node.identity() != null) {
      log.info("node {} is in cluster '{}' on {}:{}, joining {}", node.identity().nodeName(),
          config.cluster().name(), config.cluster().host(), config.cluster().port(),
          config.cluster().join().mode() == ClusterJoin.Mode.KUBERNETES
              ? "the pods of " + config.cluster().join().serviceDns() + " (Kubernetes DNS)"
              : config.cluster().members().isEmpty() ? "no one (first node)" : config.cluster().members());
    }
    StreamSettings streams = config.streams();
    if (streams.usesDemoKey()) {
      StreamKey demo = StreamSettings.DEMO_KEY;
      log.warn("no stream keys configured: accepting only the demo key '{}' for stream '{}'. "
          + "Configure streams.keys or --key SECRET:NAME before going live.", demo.key(), demo.name());
      String scheme = config.rtmp().enabled() ? "rtmp" : "rtmps";
      if (config.hasRole(Role.ORIGIN)) {
        log.info("publish: ffmpeg -re -i input.flv -c copy -f flv {}://{}:{}/live/{}", scheme, host, node.port(),
            demo.key());
      }
      if (config.hasRole(Role.EDGE)) {
        log.info("play:    ffplay {}://{}:{}/live/{}", scheme, host, node.port(), demo.name());
      }
    } else {
      log.info("{} publish key(s) configured", streams.keys().size());
    }
  }
}

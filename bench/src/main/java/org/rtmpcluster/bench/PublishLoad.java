package org.rtmpcluster.bench;

import static org.rtmpcluster.bench.Figures.round;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * The publisher side of a server: many real-time publishers on one origin, all sending the same
 * file's tags at the same moment, and what the server process spends on them. Before the first
 * publisher connects, the server's memory is read and its CPU over an idle window: a JVM in a
 * cluster spends some while it serves nobody, which at a few publishers is most of what it
 * spends, so the summary gives the cost per publisher with and without it. Once all publish and a
 * settle time has passed, a window of {@code duration} seconds measures the server's CPU (from
 * /proc, as {@link LoadClient} does for players) per publisher-second, and every second how many
 * bytes the server left unread in its sockets, which says whether it kept up. Memory is read again
 * with the publishers still publishing. See docs/performance.md.
 */
public final class PublishLoad {

  /**
   * @param file            the FLV file every publisher sends, looped
   * @param targets         one URL per publisher
   * @param idleSeconds     the idle window before the first publisher connects, or 0 for none
   * @param settleSeconds   wait after all publish before measuring: the servers' first GOPs
   *                        and any lazy set-up per stream are done by then
   * @param durationSeconds the measurement window
   * @param serverPids      server processes (with their descendants) whose CPU and memory to read
   * @param jvmPid          a server JVM whose live heap to read with jcmd before and after, or 0
   */
  public record Options(Path file, List<RtmpUrl> targets, double idleSeconds, double settleSeconds,
      double durationSeconds, List<Long> serverPids, long jvmPid) {

    public static Options defaults(Path file, List<RtmpUrl> targets) {
      return new Options(file, targets, 5, 5, 30, List.of(), 0);
    }
  }

  private final Options options;

  public PublishLoad(Options options) {
    this.options = options;
  }

  /** Publishes, measures, stops publishing and returns the summary (see {@link #humanLine}). */
  public JsonObject run() throws Exception {
    ProcessProbe server = new ProcessProbe(options.serverPids());
    // The baseline: the server before any publisher.
    long heapBeforeKb = options.jvmPid() > 0 ? ProcessProbe.liveHeapKb(options.jvmPid()) : -1;
    double idleCores = -1;
    if (!server.isEmpty() && options.idleSeconds() > 0) {
      double cpuBefore = server.cpuSeconds();
      long idleStart = System.nanoTime();
      TimeUnit.MILLISECONDS.sleep((long) (options.idleSeconds() * 1000));
      idleCores = (server.cpuSeconds() - cpuBefore) / ((System.nanoTime() - idleStart) / 1e9);
    }
    long rssBeforeKb = server.rssKb();
    Set<Integer> ports = new TreeSet<>();
    for (RtmpUrl target : options.targets()) {
      ports.add(target.port());
    }

    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    try (Publisher publisher = new Publisher(vertx, options.file(), options.targets())) {
      long connectStart = System.nanoTime();
      publisher.start();
      double connectSeconds = (System.nanoTime() - connectStart) / 1e9;
      TimeUnit.MILLISECONDS.sleep((long) (options.settleSeconds() * 1000));

      double serverCpuBefore = server.cpuSeconds();
      long clientCpuBefore = Figures.ownCpuNanos();
      long bytesBefore = publisher.bytesSentPerTarget();
      long windowStart = System.nanoTime();
      long windowEnd = windowStart + (long) (options.durationSeconds() * 1e9);
      long unreadMax = 0;
      long unreadEnd = 0;
      for (long now = windowStart; now < windowEnd; now = System.nanoTime()) {
        TimeUnit.NANOSECONDS.sleep(Math.min(1_000_000_000L, windowEnd - now));
        if (!server.isEmpty()) {
          unreadEnd = UnreadBytes.onPorts(ports);
          unreadMax = Math.max(unreadMax, unreadEnd);
        }
      }
      double serverCpu = server.cpuSeconds() - serverCpuBefore;
      long clientCpu = Figures.ownCpuNanos() - clientCpuBefore;
      double window = (System.nanoTime() - windowStart) / 1e9;
      long bytesPerTarget = publisher.bytesSentPerTarget() - bytesBefore;
      int publishing = publisher.publishing();
      long rssAfterKb = server.rssKb();
      // With the publishers still publishing: a full GC in the server, then its live heap.
      long heapAfterKb = options.jvmPid() > 0 ? ProcessProbe.liveHeapKb(options.jvmPid()) : -1;

      int publishers = options.targets().size();
      double publisherSeconds = publishing * window;
      double streamRate = bytesPerTarget * 8 / window;
      JsonObject summary = new JsonObject()
          .put("url", options.targets().get(0).toString())
          .put("publishers", publishers)
          .put("publishing", publishing)
          .put("connectSeconds", round(connectSeconds, 2))
          .put("windowSeconds", round(window, 2))
          // What the publisher sent, per publisher and in all, over the window.
          .put("streamBitsPerSecond", Math.round(streamRate))
          .put("ingestBitsPerSecond", Math.round(streamRate * publishing))
          .put("clientCpuCores", round(clientCpu / 1e9 / window, 3));
      if (!server.isEmpty()) {
        summary.put("unreadKb", new JsonObject()
                .put("ports", new JsonArray(List.copyOf(ports)))
                .put("max", round(unreadMax / 1024.0, 1))
                .put("end", round(unreadEnd / 1024.0, 1)))
            .put("server", new JsonObject()
                .put("pids", new JsonArray(server.pids()))
                .put("cpuSeconds", round(serverCpu, 3))
                .put("cpuCores", round(serverCpu / window, 3))
                .put("cpuMicrosPerPublisherSecond", publisherSeconds == 0 ? null
                    : round(serverCpu * 1e6 / publisherSeconds, 1))
                .put("idleCpuCores", idleCores < 0 ? null : round(idleCores, 3))
                // What the publishers added to what the idle server spends anyway.
                .put("cpuMicrosPerPublisherSecondAboveIdle", publisherSeconds == 0 || idleCores < 0 ? null
                    : round((serverCpu - idleCores * window) * 1e6 / publisherSeconds, 1))
                .put("rssBeforeKb", rssBeforeKb)
                .put("rssAfterKb", rssAfterKb)
                .put("rssPerPublisherKb", publishing == 0 ? null : round((rssAfterKb - rssBeforeKb) / (double) publishing, 1))
                .put("heapBeforeKb", heapBeforeKb)
                .put("heapAfterKb", heapAfterKb)
                .put("heapPerPublisherKb", heapBeforeKb < 0 || heapAfterKb < 0 || publishing == 0 ? null
                    : round((heapAfterKb - heapBeforeKb) / (double) publishing, 1)));
      }
      return summary;
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  /** One line for people: the numbers that decide whether a run was good. */
  public static String humanLine(JsonObject s) {
    JsonObject server = s.getJsonObject("server");
    JsonObject unread = s.getJsonObject("unreadKb");
    return String.format(Locale.ROOT,
        "%s: %d/%d publishing at %.0f kbit/s each, server %s us/publisher-s (%s above idle), %s cores,"
            + " RSS %s KB/publisher,"
            + " heap %s KB/publisher, unread max %s KB, client %.2f cores",
        s.getString("url"), s.getInteger("publishing"), s.getInteger("publishers"),
        s.getLong("streamBitsPerSecond") / 1000.0,
        server == null ? "-" : server.getValue("cpuMicrosPerPublisherSecond"),
        server == null ? "-" : server.getValue("cpuMicrosPerPublisherSecondAboveIdle"),
        server == null ? "-" : server.getValue("cpuCores"),
        server == null ? "-" : server.getValue("rssPerPublisherKb"),
        server == null ? "-" : server.getValue("heapPerPublisherKb"),
        unread == null ? "-" : unread.getValue("max"), s.getDouble("clientCpuCores"));
  }

}

package org.rtmpcluster.bench;

import static org.rtmpcluster.bench.Figures.round;

import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Plays one stream, or several, with many connections and measures what they get. Players are
 * started at a fixed ramp rate; once all are started and a settle time has passed, a measurement
 * window of {@code duration} seconds begins, over which receive rates, starvation, added delay and
 * the CPU of both the server (from /proc) and this client are taken. See docs/performance.md.
 *
 * <p>With {@code streams} K above 1, player i plays stream {@code <name><i % K>}. The first player
 * of each stream finds the edge without that stream: these K cold starts come first (player 0
 * alone, then the others), and the memory baseline is taken after them, so that warm first frames
 * and memory per player are about players joining a stream the edge already has.
 *
 * <p>The players are RTMP players, or with {@link Protocol#HTTP_FLV} and {@link Protocol#HLS}
 * viewers of the edge's browser formats ({@link HttpFlvPlayer}, {@link HlsPlayer}), on one HTTP
 * client whose pool has a connection per viewer at most; the reference and the added delay are
 * still RTMP's (HLS viewers are not delay samples: their frames come a segment at a time).
 */
public final class LoadClient {

  /** What the players play over. */
  public enum Protocol {
    RTMP("rtmp"), HTTP_FLV("http-flv"), HLS("hls");

    final String label;

    Protocol(String label) {
      this.label = label;
    }

    public static Protocol parse(String label) {
      for (Protocol protocol : values()) {
        if (protocol.label.equals(label)) {
          return protocol;
        }
      }
      throw new IllegalArgumentException("--protocol is rtmp, http-flv or hls, not " + label);
    }

    /** The URL a player of this protocol asks for, for stream {@code url}'s app and name. */
    String url(RtmpUrl url) {
      String http = "http://" + url.host() + ":" + url.port() + "/" + url.app() + "/" + url.stream();
      return switch (this) {
        case RTMP -> url.toString();
        case HTTP_FLV -> http + ".flv";
        case HLS -> http + "/index.m3u8";
      };
    }
  }

  /**
   * @param url             the stream to load, usually on an edge; with several streams, the
   *                        name they are numbered from
   * @param reference       the same stream on the origin (stream 0 of several), for added delay
   *                        and the stream rate; or null
   * @param streams         streams the players are spread over, round robin
   * @param players         connections to open
   * @param rampPerSecond   connections started per second
   * @param settleSeconds   wait after the last start before measuring
   * @param durationSeconds the measurement window
   * @param starvedMs       a player whose media time advanced this much less than wall time over
   *                        the window is starved
   * @param delaySamples    edge players whose frames are matched against the reference; they
   *                        are players of stream 0, the one the reference plays
   * @param serverPids      server processes (with their descendants) whose CPU and memory to read
   * @param jvmPid          a server JVM whose live heap to read with jcmd before and after, or 0
   * @param eventLoops      the client's event loops; one per core keeps it off the server's back
   * @param protocol        what the players play over; for HTTP-FLV and HLS {@code url} names the
   *                        host and port of the edge's play-http listener
   */
  public record Options(RtmpUrl url, RtmpUrl reference, int streams, int players, double rampPerSecond,
      double settleSeconds, double durationSeconds, long starvedMs, int delaySamples,
      List<Long> serverPids, long jvmPid, int eventLoops, Protocol protocol) {

    public static Options defaults(RtmpUrl url) {
      return new Options(url, null, 1, 100, 200, 5, 30, 1000, 20, List.of(), 0,
          Runtime.getRuntime().availableProcessors(), Protocol.RTMP);
    }
  }

  /**
   * How long the first player (and then the first players of the other streams) may take to get a
   * frame before the ramp starts anyway.
   */
  static final int COLD_START_LIMIT_SECONDS = 15;

  private final Options options;
  /** HTTP viewers' client and the event loops they are spread over; null for RTMP. */
  private HttpClient http;
  private List<Context> loops;

  public LoadClient(Options options) {
    this.options = options;
  }

  /** Runs the whole load and returns its summary (see {@link #humanLine}). */
  public JsonObject run() throws Exception {
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(options.eventLoops())
        .setPreferNativeTransport(true));
    if (!vertx.isNativeTransportEnabled()) {
      System.err.println("load client: no native transport (" + vertx.unavailableNativeTransportCause()
          + "), using NIO");
    }
    // The reference has a loop of its own, so the load never delays its arrival times.
    Vertx referenceVertx = options.reference() == null ? null
        : Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
    try {
      if (options.protocol() != Protocol.RTMP) {
        // A connection per viewer at most (an HLS viewer has one request out at a time), and as
        // many waiting: nothing here queues without bound.
        http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true)
                .setConnectTimeout(10_000),
            new PoolOptions().setHttp1MaxSize(options.players()).setMaxWaitQueueSize(options.players()));
        loops = eventLoopContexts(vertx, options.eventLoops());
      }
      return measure(vertx, referenceVertx);
    } finally {
      await(vertx.close(), 10);
      if (referenceVertx != null) {
        await(referenceVertx.close(), 10);
      }
    }
  }

  private JsonObject measure(Vertx vertx, Vertx referenceVertx) throws Exception {
    DelayProbe probe = new DelayProbe();
    ProcessProbe server = new ProcessProbe(options.serverPids());
    Player reference = null;
    if (referenceVertx != null) {
      reference = new Player(-1, probe, true);
      await(reference.start(referenceVertx, options.reference().numbered(options.streams()).get(0)), 15);
    }
    int n = options.players();
    int k = options.streams();
    List<RtmpUrl> streams = options.url().numbered(k);
    // Only players of stream 0 can be matched against the reference; every sampleEvery-th of them is.
    int sampleEvery = options.delaySamples() <= 0 || reference == null ? Integer.MAX_VALUE
        : Math.max(1, ceilDiv(n, k) / options.delaySamples());
    List<Viewer> players = new ArrayList<>(n);
    Map<String, Integer> failures = new LinkedHashMap<>();

    // The first player alone, on an edge that does not have the stream yet: the cold start.
    Viewer first = viewer(0, null);
    players.add(first);
    first.start(vertx, streams.get(0));
    awaitFirstFrames(List.of(first));
    // Then the first player of each other stream, as cold as the first but no longer alone.
    startPlayers(players, 1, Math.min(k, n), System.nanoTime(), vertx, streams, probe, sampleEvery);
    awaitFirstFrames(players.subList(1, players.size()));
    // The baseline for memory per player: the edge now holds every stream, with one player each.
    long heapBeforeKb = options.jvmPid() > 0 ? ProcessProbe.liveHeapKb(options.jvmPid()) : -1;
    long rssBeforeKb = server.rssKb();
    int baselinePlayers = players.size();

    long rampStart = System.nanoTime();
    startPlayers(players, baselinePlayers, n, rampStart, vertx, streams, probe, sampleEvery);
    double rampSeconds = (System.nanoTime() - rampStart) / 1e9;
    TimeUnit.MILLISECONDS.sleep((long) (options.settleSeconds() * 1000));

    // The window.
    List<Player.Snapshot> before = snapshots(players);
    Player.Snapshot referenceBefore = reference == null ? null : await(reference.snapshot(), 5);
    double serverCpuBefore = server.cpuSeconds();
    long clientCpuBefore = Figures.ownCpuNanos();
    long windowStart = System.nanoTime();
    probe.recording(true);
    TimeUnit.MILLISECONDS.sleep((long) (options.durationSeconds() * 1000));
    probe.recording(false);
    double serverCpuAfter = server.cpuSeconds();
    long clientCpuAfter = Figures.ownCpuNanos();
    double window = (System.nanoTime() - windowStart) / 1e9;
    List<Player.Snapshot> after = snapshots(players);
    // Read before our own closes below, which would otherwise count as drops.
    List<Player.State> states = players.stream().map(Viewer::state).toList();
    Player.Snapshot referenceAfter = reference == null ? null : await(reference.snapshot(), 5);
    long rssAfterKb = server.rssKb();
    // With the players still connected: a full GC in the server, then its live heap.
    long heapAfterKb = options.jvmPid() > 0 ? ProcessProbe.liveHeapKb(options.jvmPid()) : -1;
    for (Viewer player : players) {
      player.close();
    }
    if (reference != null) {
      reference.close();
    }

    // Per player.
    int connected = 0;
    int starved = 0;
    int failed = 0;
    int dropped = 0;
    List<Double> rates = new ArrayList<>();
    List<Double> firstFrameWarm = new ArrayList<>();
    List<Double> firstKeyframeWarm = new ArrayList<>();
    List<Double> firstFrameColdStreams = new ArrayList<>();
    double coldFirstFrame = -1;
    double coldFirstKeyframe = -1;
    long framesReceived = 0;
    long mediaMsReceived = 0;
    long bytesInWindow = 0;
    long requestsInWindow = 0;
    long errorsInWindow = 0;
    long[] framesPerStream = new long[k];
    for (int i = 0; i < n; i++) {
      Viewer player = players.get(i);
      Player.Snapshot b = before.get(i);
      Player.Snapshot a = after.get(i);
      Player.State state = states.get(i);
      switch (state) {
        case FAILED -> {
          failed++;
          failures.merge(player.failure(), 1, Integer::sum);
        }
        case CLOSED -> dropped++;
        case PLAYING -> connected++;
        default -> { }
      }
      if (a != null) {
        framesReceived += a.frames();
        framesPerStream[i % k] += a.frames();
        mediaMsReceived += a.mediaDurationMs();
      }
      boolean playing = state == Player.State.PLAYING && a != null && b != null;
      if (playing) {
        // A player whose first frame came after the window opened is measured from that frame.
        boolean late = b.mediaTimestamp() < 0;
        double wall = (a.nanos() - (late ? a.firstFrameNanos() : b.nanos())) / 1e6;
        double media = a.mediaTimestamp() < 0 ? 0
            : a.mediaTimestamp() - (late ? a.firstMediaTimestamp() : b.mediaTimestamp());
        if (a.firstFrameNanos() < 0 || wall - media > options.starvedMs() + player.starvedSlackMs()) {
          starved++;
        }
        rates.add((a.bytes() - b.bytes()) * 8 / ((a.nanos() - b.nanos()) / 1e9));
        bytesInWindow += a.bytes() - b.bytes();
        requestsInWindow += a.requests() - b.requests();
        errorsInWindow += a.errors() - b.errors();
      } else {
        starved++;
        rates.add(0.0);
      }
      double firstFrame = a == null || a.firstFrameNanos() < 0 ? -1 : (a.firstFrameNanos() - player.startNanos()) / 1e6;
      double firstKey = a == null || a.firstKeyframeNanos() < 0 ? -1 : (a.firstKeyframeNanos() - player.startNanos()) / 1e6;
      if (i == 0) {
        // The first player finds the edge cold: it has to start pulling the stream.
        coldFirstFrame = firstFrame;
        coldFirstKeyframe = firstKey;
      }
      if (i < baselinePlayers) {
        firstFrameColdStreams.add(firstFrame < 0 ? Double.POSITIVE_INFINITY : firstFrame);
      } else {
        // Warm: the edge already had the stream when this player asked for it.
        firstFrameWarm.add(firstFrame < 0 ? Double.POSITIVE_INFINITY : firstFrame);
        firstKeyframeWarm.add(firstKey < 0 ? Double.POSITIVE_INFINITY : firstKey);
      }
    }

    double referenceRate = referenceBefore == null || referenceAfter == null ? -1
        : (referenceAfter.bytes() - referenceBefore.bytes()) * 8 / ((referenceAfter.nanos() - referenceBefore.nanos()) / 1e9);
    double[] rateArray = rates.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    double streamRate = referenceRate > 0 ? referenceRate : percentile(rateArray, 0.5);
    long[] delays = probe.delaysNanos();
    Arrays.sort(delays);
    double serverCpu = serverCpuAfter - serverCpuBefore;
    double playerSeconds = connected * window;
    long[] sortedStreamFrames = framesPerStream.clone();
    Arrays.sort(sortedStreamFrames);
    // Players added after the baseline, which already had the first player of each stream.
    int addedPlayers = connected - baselinePlayers;

    JsonObject summary = new JsonObject()
        .put("protocol", options.protocol().label)
        .put("url", options.protocol().url(options.url()))
        .put("reference", options.reference() == null ? null : options.reference().toString())
        .put("streams", k)
        .put("players", n)
        .put("rampPerSecond", options.rampPerSecond())
        .put("rampSeconds", round(rampSeconds, 2))
        .put("windowSeconds", round(window, 2))
        .put("connected", connected)
        .put("failed", failed)
        .put("dropped", dropped)
        .put("starved", starved)
        .put("failures", new JsonObject(new LinkedHashMap<>(failures)))
        .put("framesReceived", framesReceived)
        .put("mediaSecondsReceived", round(mediaMsReceived / 1000.0, 1))
        // Frames the players of each stream got together; a stream that fails shows as 0.
        .put("framesPerStream", new JsonObject()
            .put("min", sortedStreamFrames[0])
            .put("max", sortedStreamFrames[k - 1])
            .put("streamsWithoutFrames", Arrays.stream(framesPerStream).filter(f -> f == 0).count()))
        .put("streamBitsPerSecond", Math.round(streamRate))
        .put("receiveRateP5BitsPerSecond", Math.round(percentile(rateArray, 0.05)))
        .put("receiveRateP5Ratio", round(percentile(rateArray, 0.05) / streamRate, 4))
        .put("receiveRateP50Ratio", round(percentile(rateArray, 0.5) / streamRate, 4))
        .put("receiveRateP50BitsPerSecond", Math.round(percentile(rateArray, 0.5)))
        // All that the connected players received over the window (HTTP: bodies, headers not counted).
        .put("deliveredBitsPerSecond", Math.round(bytesInWindow * 8 / window))
        .put("requestsPerPlayerSecond", playerSeconds == 0 ? null : round(requestsInWindow / playerSeconds, 3))
        .put("viewerErrors", errorsInWindow)
        .put("firstFrameMs", distribution(firstFrameWarm))
        .put("firstKeyframeMs", distribution(firstKeyframeWarm))
        .put("coldFirstFrameMs", round(coldFirstFrame, 1))
        .put("coldFirstKeyframeMs", round(coldFirstKeyframe, 1))
        .put("coldStreamsFirstFrameMs", distribution(firstFrameColdStreams))
        .put("addedDelayMs", new JsonObject()
            .put("samples", delays.length)
            .put("unmatched", probe.unmatched())
            .put("p50", delays.length == 0 ? null : round(percentile(delays, 0.5) / 1e6, 2))
            .put("p99", delays.length == 0 ? null : round(percentile(delays, 0.99) / 1e6, 2))
            .put("max", delays.length == 0 ? null : round(delays[delays.length - 1] / 1e6, 2)))
        .put("clientCpuCores", round((clientCpuAfter - clientCpuBefore) / 1e9 / window, 3));
    if (!server.isEmpty()) {
      summary.put("server", new JsonObject()
          .put("pids", new JsonArray(server.pids()))
          .put("cpuSeconds", round(serverCpu, 3))
          .put("cpuCores", round(serverCpu / window, 3))
          .put("cpuMicrosPerPlayerSecond", playerSeconds == 0 ? null : round(serverCpu * 1e6 / playerSeconds, 1))
          .put("rssBeforeKb", rssBeforeKb)
          .put("rssAfterKb", rssAfterKb)
          .put("baselinePlayers", baselinePlayers)
          .put("rssPerPlayerKb", addedPlayers < 1 ? null : round((rssAfterKb - rssBeforeKb) / (double) addedPlayers, 1))
          .put("heapBeforeKb", heapBeforeKb)
          .put("heapAfterKb", heapAfterKb)
          .put("heapPerPlayerKb", heapBeforeKb < 0 || heapAfterKb < 0 || addedPlayers < 1 ? null
              : round((heapAfterKb - heapBeforeKb) / (double) addedPlayers, 1)));
    }
    return summary;
  }

  /** One line for people: the numbers that decide whether a run was good. */
  public static String humanLine(JsonObject s) {
    JsonObject server = s.getJsonObject("server");
    JsonObject delay = s.getJsonObject("addedDelayMs");
    return String.format(Locale.ROOT,
        "%s%s: %d/%d connected, %d starved, rate p5 %.1f%% of %.0f kbit/s, first frame p95 %s ms (cold %s ms),"
            + " added delay p50/p99 %s/%s ms, server %s us/player-s, heap %s KB/player, client %.2f cores",
        s.getString("url"), s.getInteger("streams", 1) > 1 ? " (" + s.getInteger("streams") + " streams)" : "",
        s.getInteger("connected"), s.getInteger("players"), s.getInteger("starved"),
        s.getDouble("receiveRateP5Ratio") * 100, s.getLong("streamBitsPerSecond") / 1000.0,
        s.getJsonObject("firstFrameMs").getValue("p95"), s.getValue("coldFirstFrameMs"),
        delay.getValue("p50"), delay.getValue("p99"),
        server == null ? "-" : server.getValue("cpuMicrosPerPlayerSecond"),
        server == null ? "-" : server.getValue("heapPerPlayerKb"), s.getDouble("clientCpuCores"))
        + ("rtmp".equals(s.getString("protocol", "rtmp")) ? ""
            : String.format(Locale.ROOT, ", %s requests/player-s, %d viewer errors",
                s.getValue("requestsPerPlayerSecond"), s.getLong("viewerErrors", 0L)));
  }

  /**
   * Starts players {@code from} until {@code to} (exclusive) at the ramp rate counted from
   * {@code start}; player i plays stream i % K, and is a delay sample when it is the right one of
   * stream 0's players.
   */
  private void startPlayers(List<Viewer> players, int from, int to, long start, Vertx vertx,
      List<RtmpUrl> streams, DelayProbe probe, int sampleEvery) throws InterruptedException {
    int k = streams.size();
    for (int i = from; i < to; i++) {
      long due = start + (long) ((i - from) * 1e9 / options.rampPerSecond());
      long wait = due - System.nanoTime();
      if (wait > 0) {
        TimeUnit.NANOSECONDS.sleep(wait);
      }
      int ofStream0 = i / k;
      boolean sampled = i % k == 0 && ofStream0 % sampleEvery == sampleEvery / 2;
      Viewer player = viewer(i, sampled ? probe : null);
      players.add(player);
      player.start(vertx, streams.get(i % k));
    }
  }

  /**
   * Waits, up to {@link #COLD_START_LIMIT_SECONDS} in all, for the started players' first frames
   * (a player that fails to connect fails its first frame too).
   */
  private static void awaitFirstFrames(List<Viewer> cold) throws InterruptedException {
    List<Future<Void>> frames = new ArrayList<>(cold.size());
    for (Viewer player : cold) {
      frames.add(player.firstFrame());
    }
    try {
      await(Future.join(frames), COLD_START_LIMIT_SECONDS);
    } catch (InterruptedException e) {
      throw e;
    } catch (Exception e) {
      // Counted below as players without frames.
    }
  }

  /** Player {@code i} of the protocol; HTTP viewers take the client loops in turn. */
  private Viewer viewer(int i, DelayProbe probe) {
    return switch (options.protocol()) {
      case RTMP -> new Player(i, probe, false);
      case HTTP_FLV -> new HttpFlvPlayer(probe, http, loops.get(i % loops.size()));
      case HLS -> new HlsPlayer(http, loops.get(i % loops.size()));
    };
  }

  /**
   * A context on each of the client's event loops, for the HTTP viewers to run on (an RTMP client
   * spreads its connections itself; a request made off the event loops would not be).
   */
  private static List<Context> eventLoopContexts(Vertx vertx, int count) throws Exception {
    List<Context> contexts = Collections.synchronizedList(new ArrayList<>());
    await(vertx.deployVerticle(() -> new VerticleBase() {
      @Override
      public Future<?> start() throws Exception {
        contexts.add(context);
        return super.start();
      }
    }, new DeploymentOptions().setInstances(count)), 10);
    return List.copyOf(contexts);
  }

  private static int ceilDiv(int a, int b) {
    return (a + b - 1) / b;
  }

  private static List<Player.Snapshot> snapshots(List<Viewer> players) throws Exception {
    List<Future<Player.Snapshot>> futures = new ArrayList<>(players.size());
    for (Viewer player : players) {
      futures.add(player.snapshot());
    }
    List<Player.Snapshot> result = new ArrayList<>(players.size());
    for (Future<Player.Snapshot> future : futures) {
      result.add(await(future, 10));
    }
    return result;
  }

  private static JsonObject distribution(List<Double> values) {
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return new JsonObject().put("count", sorted.length)
        .put("p50", sorted.length == 0 ? null : finite(percentile(sorted, 0.5)))
        .put("p95", sorted.length == 0 ? null : finite(percentile(sorted, 0.95)))
        .put("max", sorted.length == 0 ? null : finite(sorted[sorted.length - 1]));
  }

  /** Players that never got a frame sort last as infinity; JSON says null for them. */
  private static Double finite(double value) {
    return Double.isFinite(value) ? round(value, 1) : null;
  }

  /** Nearest-rank percentile of sorted values. */
  static double percentile(double[] sorted, double q) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
  }

  static double percentile(long[] sorted, double q) {
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
  }


  private static <T> T await(Future<T> future, int seconds) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
  }
}

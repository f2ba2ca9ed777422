package org.rtmpcluster.bench;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * rtmp-bench.jar: {@code load} (the load client), {@code publish} (a real-time FLV publisher),
 * {@code publish-load} (many publishers on one origin, measured), {@code hostile} (peers that try
 * to take a node down, for the soak) and {@code jmh} (the microbenchmarks). Exit code 2 for bad arguments.
 */
public final class BenchMain {

  static final String USAGE = """
      Usage: java -jar rtmp-bench.jar COMMAND [OPTIONS]

        load URL          play URL (rtmp://host:port/app/stream) with many connections
          --protocol P          rtmp (default), http-flv or hls: the players are RTMP players,
                                HTTP-FLV viewers (one GET of /app/stream.flv each) or HLS viewers
                                (/app/stream/index.m3u8 and its segments, blocking reloads where
                                the playlist allows them); for the HTTP ones URL is
                                http://host:port/app/stream, the edge's play-http listener
          --streams K           spread the players over K streams: player i plays <stream><i % K>
                                (default 1: the stream itself)
          --players N           connections (default 100)
          --ramp N              connections started per second (default 200)
          --settle S            seconds to wait after the last start (default 5)
          --duration S          measurement window, seconds (default 30)
          --reference URL       the same stream on the origin: added delay and stream rate
                                (with --streams, its stream 0)
          --delay-samples N     players whose frames are matched to the reference, all of
                                stream 0 (default 20)
          --starved-ms MS       media time behind wall time over the window that counts as starved (default 1000)
          --server-pid PID      server process to read CPU and memory of (with its children); repeatable
          --jvm-pid PID         server JVM to read the live heap of with jcmd, before and after
          --event-loops N       client event loops (default: one per core)
          --json FILE           also write the summary there

        publish FILE URL...     send an FLV file in real time, looped, to each URL
          --streams K           each URL stands for K streams <stream>0 .. <stream>K-1 (default 1:
                                the stream itself)
          --seconds S           stop after S seconds (default: until killed)

        publish-load FILE URL...  publish as above, then measure the server's cost per publisher
          --streams K           as for publish
          --idle S              seconds of the server's CPU to read before the first publisher
                                connects, its cost serving nobody (default 5; 0: none)
          --settle S            seconds to wait after all publish (default 5)
          --duration S          measurement window, seconds (default 30)
          --server-pid PID      server process to read CPU and memory of (with its children); repeatable
          --jvm-pid PID         server JVM to read the live heap of with jcmd, before and after
          --json FILE           also write the summary there

        hostile URL             peers that try to take the node down, in rounds (see bench/soak.sh):
                                length-declaring peers, an amplifying publisher, a player that
                                stops reading, garbage; URL is the stream the player plays
          --key KEY             the key the amplifying publisher publishes with (required)
          --peers N             length-declaring peers per round (default 10)
          --every S             seconds between rounds (default 60)
          --seconds S           stop after S seconds (default: until killed)

        jmh [JMH OPTIONS]       run the microbenchmarks (default: -f 1 -wi 3 -w 1s -i 3 -r 1s)
      """;

  private BenchMain() {
  }

  public static void main(String[] args) throws Exception {
    if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
      System.out.print(USAGE);
      return;
    }
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    try {
      switch (args[0]) {
        case "load" -> load(rest);
        case "publish" -> publish(rest);
        case "publish-load" -> publishLoad(rest);
        case "hostile" -> hostile(rest);
        case "jmh" -> jmh(rest);
        default -> throw new IllegalArgumentException("unknown command " + args[0]);
      }
    } catch (IllegalArgumentException e) {
      System.err.println("rtmp-bench: " + e.getMessage());
      System.err.print(USAGE);
      System.exit(2);
    }
  }

  private static void load(String[] args) throws Exception {
    Parsed p = Parsed.of(args, "--streams", "--players", "--ramp", "--settle", "--duration", "--reference",
        "--delay-samples", "--starved-ms", "--server-pid", "--jvm-pid", "--event-loops", "--json", "--protocol");
    if (p.positional.size() != 1) {
      throw new IllegalArgumentException("load needs one URL");
    }
    LoadClient.Protocol protocol = LoadClient.Protocol.parse(p.has("--protocol") ? p.one("--protocol") : "rtmp");
    String url = p.positional.get(0);
    LoadClient.Options d = LoadClient.Options.defaults(
        protocol == LoadClient.Protocol.RTMP ? RtmpUrl.parse(url) : RtmpUrl.parseHttp(url));
    LoadClient.Options options = new LoadClient.Options(d.url(),
        p.has("--reference") ? RtmpUrl.parse(p.one("--reference")) : null,
        p.integer("--streams", d.streams()),
        p.integer("--players", d.players()), p.number("--ramp", d.rampPerSecond()),
        p.number("--settle", d.settleSeconds()), p.number("--duration", d.durationSeconds()),
        p.integer("--starved-ms", (int) d.starvedMs()), p.integer("--delay-samples", d.delaySamples()),
        p.pids("--server-pid"), p.has("--jvm-pid") ? Long.parseLong(p.one("--jvm-pid")) : 0,
        p.integer("--event-loops", d.eventLoops()), protocol);
    if (options.players() < 1 || options.rampPerSecond() <= 0 || options.durationSeconds() <= 0) {
      throw new IllegalArgumentException("--players, --ramp and --duration must be positive");
    }
    if (options.streams() < 1 || options.streams() > options.players()) {
      throw new IllegalArgumentException("--streams must be between 1 and --players");
    }
    JsonObject summary = new LoadClient(options).run();
    writeSummary(p, summary, LoadClient.humanLine(summary));
  }

  private static void publish(String[] args) throws Exception {
    Parsed p = Parsed.of(args, "--streams", "--seconds");
    Path file = publishFile(p, "publish");
    List<RtmpUrl> urls = publishTargets(p, "publish");
    Vertx vertx = Vertx.vertx();
    Publisher publisher = new Publisher(vertx, file, urls);
    try {
      publisher.start();
    } catch (Exception e) {
      // Vert.x's threads would keep the JVM alive, and a script waiting on it would never know.
      vertx.close();
      System.err.println("rtmp-bench: " + e.getMessage());
      System.exit(1);
    }
    System.err.println("publishing " + file + " to " + (urls.size() <= 4 ? urls.toString()
        : urls.size() + " streams, " + urls.get(0) + " .. " + urls.get(urls.size() - 1)));
    Runtime.getRuntime().addShutdownHook(new Thread(publisher::close));
    double seconds = p.number("--seconds", Double.POSITIVE_INFINITY);
    long end = Double.isInfinite(seconds) ? Long.MAX_VALUE : System.nanoTime() + (long) (seconds * 1e9);
    while (System.nanoTime() < end) {
      Thread.sleep(Math.min(1000, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
    }
    publisher.close();
    vertx.close().toCompletionStage().toCompletableFuture().get();
  }

  private static void publishLoad(String[] args) throws Exception {
    Parsed p = Parsed.of(args, "--streams", "--idle", "--settle", "--duration", "--server-pid", "--jvm-pid",
        "--json");
    Path file = publishFile(p, "publish-load");
    PublishLoad.Options d = PublishLoad.Options.defaults(file, publishTargets(p, "publish-load"));
    PublishLoad.Options options = new PublishLoad.Options(file, d.targets(), p.number("--idle", d.idleSeconds()),
        p.number("--settle", d.settleSeconds()), p.number("--duration", d.durationSeconds()),
        p.pids("--server-pid"), p.has("--jvm-pid") ? Long.parseLong(p.one("--jvm-pid")) : 0);
    if (options.idleSeconds() < 0 || options.settleSeconds() < 0 || options.durationSeconds() <= 0) {
      throw new IllegalArgumentException("--duration must be positive, --idle and --settle not negative");
    }
    JsonObject summary = new PublishLoad(options).run();
    writeSummary(p, summary, PublishLoad.humanLine(summary));
  }

  private static void hostile(String[] args) throws Exception {
    Parsed p = Parsed.of(args, "--key", "--peers", "--every", "--seconds");
    if (p.positional.size() != 1 || !p.has("--key")) {
      throw new IllegalArgumentException("hostile needs one URL and --key");
    }
    Vertx vertx = Vertx.vertx();
    HostilePeers peers = new HostilePeers(vertx, RtmpUrl.parse(p.positional.get(0)), p.one("--key"),
        p.integer("--peers", 10));
    double seconds = p.number("--seconds", Double.POSITIVE_INFINITY);
    long end = Double.isInfinite(seconds) ? Long.MAX_VALUE : System.nanoTime() + (long) (seconds * 1e9);
    long everyMs = (long) (p.number("--every", 60) * 1000);
    int rounds = 0;
    while (System.nanoTime() < end) {
      try {
        peers.round();
        rounds++;
      } catch (Exception e) {
        // The node refusing or closing a hostile peer is what it should do; the next round tries again.
        System.err.println("hostile round: " + e);
      }
      Thread.sleep(Math.max(1, Math.min(everyMs, (end - System.nanoTime()) / 1_000_000)));
    }
    peers.closeHeld();
    System.err.println(rounds + " hostile rounds");
    vertx.close().toCompletionStage().toCompletableFuture().get();
  }

  private static Path publishFile(Parsed p, String command) {
    if (p.positional.size() < 2) {
      throw new IllegalArgumentException(command + " needs a file and at least one URL");
    }
    return Path.of(p.positional.get(0));
  }

  /** The URLs after the file, each expanded to --streams numbered streams. */
  private static List<RtmpUrl> publishTargets(Parsed p, String command) {
    int streams = p.integer("--streams", 1);
    if (streams < 1) {
      throw new IllegalArgumentException("--streams must be positive");
    }
    List<RtmpUrl> urls = new ArrayList<>();
    for (String url : p.positional.subList(1, p.positional.size())) {
      urls.addAll(RtmpUrl.parse(url).numbered(streams));
    }
    return urls;
  }

  /** The summary as one JSON line and one line for people on stdout, and pretty in --json's file. */
  private static void writeSummary(Parsed p, JsonObject summary, String humanLine) throws Exception {
    if (p.has("--json")) {
      Files.writeString(Path.of(p.one("--json")), summary.encodePrettily() + "\n");
    }
    System.out.println(summary.encode());
    System.out.println(humanLine);
  }

  private static void jmh(String[] args) throws Exception {
    String[] jmhArgs = args.length > 0 ? args
        : new String[] {"-f", "1", "-wi", "3", "-w", "1s", "-i", "3", "-r", "1s"};
    org.openjdk.jmh.Main.main(jmhArgs);
  }

  /** --name value options (some repeatable) and positional arguments. */
  private static final class Parsed {
    final List<String> positional = new ArrayList<>();
    final Map<String, List<String>> values = new HashMap<>();

    static Parsed of(String[] args, String... names) {
      Parsed p = new Parsed();
      List<String> known = List.of(names);
      for (int i = 0; i < args.length; i++) {
        String arg = args[i];
        if (arg.startsWith("--")) {
          if (!known.contains(arg) || i + 1 >= args.length) {
            throw new IllegalArgumentException(known.contains(arg) ? arg + " needs a value" : "unknown option " + arg);
          }
          p.values.computeIfAbsent(arg, k -> new ArrayList<>()).add(args[++i]);
        } else {
          p.positional.add(arg);
        }
      }
      return p;
    }

    boolean has(String name) {
      return values.containsKey(name);
    }

    String one(String name) {
      List<String> v = values.get(name);
      return v.get(v.size() - 1);
    }

    List<String> all(String name) {
      return values.getOrDefault(name, List.of());
    }

    int integer(String name, int fallback) {
      return has(name) ? Integer.parseInt(one(name)) : fallback;
    }

    double number(String name, double fallback) {
      return has(name) ? Double.parseDouble(one(name)) : fallback;
    }

    List<Long> pids(String name) {
      List<Long> pids = new ArrayList<>();
      for (String pid : all(name)) {
        pids.add(Long.parseLong(pid));
      }
      return pids;
    }
  }
}

package org.rtmpcluster.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rtmpcluster.common.config.HttpSettings;
import org.rtmpcluster.common.config.PlayHttpSettings;
import org.rtmpcluster.common.testing.Await;
import org.rtmpcluster.common.testing.FfmpegPublish;
import org.rtmpcluster.common.testing.RealClients;

/** GET /metrics as Prometheus scrapes it, while ffmpeg publishes and plays and an HTTP-FLV viewer watches. */
class MetricsTest {
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  /** A sample line of the text format: name, optional labels, value. */
  private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*\\})? (\\S+)");

  private TestNode node;

  @AfterEach
  void stop() {
    if (node != null) {
      node.close();
    }
  }

  private void startNode(String token) {
    node = TestNode.start(c -> c.withHttp(new HttpSettings(true, "127.0.0.1", 0, token))
        .withPlayHttp(PlayHttpSettings.DEFAULT.withHost("127.0.0.1").withPort(0)));
  }

  private HttpResponse<String> scrape(String authorization) {
    return scrape(node.node, authorization);
  }

  private static HttpResponse<String> scrape(RtmpNode of, String authorization) {
    HttpRequest.Builder request = HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + of.httpApi().port() + "/metrics")).timeout(Duration.ofSeconds(5));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    try {
      return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** Every sample of a scrape by its name and labels as written, e.g. {@code rtmpcluster_players{protocol="rtmp"}}. */
  private Map<String, Double> samples() {
    return samples(node.node);
  }

  private static Map<String, Double> samples(RtmpNode of) {
    HttpResponse<String> response = scrape(of, null);
    assertEquals(200, response.statusCode());
    assertEquals("text/plain; version=0.0.4; charset=utf-8",
        response.headers().firstValue("Content-Type").orElse(""));
    Map<String, Double> samples = new HashMap<>();
    for (String line : response.body().split("\n")) {
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      Matcher m = SAMPLE.matcher(line);
      assertTrue(m.matches(), "not a sample line: " + line);
      samples.put(m.group(1) + (m.group(2) == null ? "" : m.group(2)), Double.parseDouble(m.group(3)));
    }
    return samples;
  }

  private void awaitValue(String series, double expected) {
    awaitValue(node.node, series, expected);
  }

  private static void awaitValue(RtmpNode of, String series, double expected) {
    double[] last = {Double.NaN};
    try {
      Await.until(() -> (last[0] = samples(of).getOrDefault(series, Double.NaN)) == expected,
          Duration.ofSeconds(20), of.nodeName() + ": " + series + " = " + expected);
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; last " + last[0], e);
    }
  }

  @Test
  void everyFamilyHasHelpAndTypeAndTheNodesOwnStartWithThePrefix() {
    startNode(null);
    String body = scrape(null).body();
    Set<String> typed = new HashSet<>();
    Set<String> described = new HashSet<>();
    for (String line : body.split("\n")) {
      if (line.startsWith("# TYPE ")) {
        typed.add(line.split(" ")[2]);
      } else if (line.startsWith("# HELP ")) {
        described.add(line.split(" ")[2]);
      }
    }
    assertEquals(typed, described, "a HELP for every TYPE");
    // (Counters are written with _total; refusals have no series before the first one.)
    for (String family : new String[] {"rtmpcluster_connections", "rtmpcluster_players", "rtmpcluster_publishers",
        "rtmpcluster_received_bytes_total", "rtmpcluster_sent_bytes_total", "rtmpcluster_protocol_errors_total",
        "rtmpcluster_timeouts_total", "rtmpcluster_frames_skipped_total", "rtmpcluster_players_cut_total",
        "rtmpcluster_bus_gaps_total", "rtmpcluster_bus_resyncs_total", "rtmpcluster_event_loop_lag_seconds",
        "rtmpcluster_memory_budget_used_bytes", "rtmpcluster_memory_budget_limit_bytes", "rtmpcluster_cluster_members",
        "rtmpcluster_streams_published", "rtmpcluster_streams_played", "rtmpcluster_hls_streams",
        "rtmpcluster_recordings_active", "rtmpcluster_recording_frames_skipped_total", "rtmpcluster_replays_active",
        "rtmpcluster_replay_read_bytes_total", "jvm_memory_used_bytes", "process_cpu_usage"}) {
      assertTrue(typed.contains(family), family + " in\n" + body);
    }
    for (String family : typed) {
      assertTrue(family.matches("(rtmpcluster|jvm|process|system)_[a-z0-9_]+"), family);
    }
    Map<String, Double> samples = samples();
    assertEquals(1.0, samples.get("rtmpcluster_cluster_members"));
    assertTrue(samples.containsKey("rtmpcluster_event_loop_lag_seconds{loop=\"1\"}"),
        "one lag series per event loop (TestNode runs two)");
    assertEquals(1.0, samples.get("rtmpcluster_node_info{cluster=\"standalone\",node=\"" + node.node.nodeName()
        + "\",roles=\"edge,origin\",version=\"dev\"}"));
  }

  @Test
  void aPublisherTwoPlayersAndARefusedKeyShowInTheirSeries(@TempDir Path dir) throws Exception {
    startNode(null);
    String rtmp = "rtmp://127.0.0.1:" + node.port() + "/live/";
    try (FfmpegPublish publish = RealClients.publish(rtmp + TestNode.KEY.key(), 20, 25)) {
      awaitValue("rtmpcluster_publishers{protocol=\"rtmp\"}", 1);
      awaitValue("rtmpcluster_streams_published", 1);
      awaitValue("rtmpcluster_streams_published_by_state{state=\"active\"}", 1);

      CompletableFuture<org.rtmpcluster.common.testing.PlayResult> player = CompletableFuture.supplyAsync(() ->
          RealClients.playWithFfmpeg(rtmp + "show", Duration.ofSeconds(6), dir.resolve("played.flv")));
      HttpResponse<InputStream> flv = HTTP.send(HttpRequest.newBuilder(URI.create(
          "http://127.0.0.1:" + node.node.playHttpPort() + "/live/show.flv")).build(),
          HttpResponse.BodyHandlers.ofInputStream());
      assertEquals(200, flv.statusCode());
      AtomicLong flvBytes = new AtomicLong();
      Thread reader = new Thread(() -> {
        byte[] buffer = new byte[16384];
        try (InputStream in = flv.body()) {
          for (int n; (n = in.read(buffer)) >= 0; ) {
            flvBytes.addAndGet(n);
          }
        } catch (java.io.IOException closed) {
          // the test closed it
        }
      });
      reader.start();

      awaitValue("rtmpcluster_players{protocol=\"rtmp\"}", 1);
      awaitValue("rtmpcluster_players{protocol=\"http-flv\"}", 1);
      awaitValue("rtmpcluster_stream_players{stream=\"live/show\"}", 2);
      awaitValue("rtmpcluster_streams_played", 1);
      Map<String, Double> playing = samples();
      assertEquals(0.0, playing.get("rtmpcluster_players{protocol=\"rtmps\"}"));
      assertEquals(0.0, playing.get("rtmpcluster_players{protocol=\"ws-flv\"}"));
      assertTrue(playing.get("rtmpcluster_connections") >= 3, "publisher, RTMP player, HTTP viewer: " + playing);
      assertTrue(playing.get("rtmpcluster_received_bytes_total") > 10_000, playing.toString());
      assertTrue(playing.get("rtmpcluster_sent_bytes_total") > 3_073, playing.toString());
      assertTrue(playing.get("rtmpcluster_stream_input_bitrate{stream=\"live/show\"}") > 0, playing.toString());
      assertTrue(playing.get("rtmpcluster_event_loop_lag_seconds{loop=\"0\"}") >= 0);

      // A publisher with a key nobody configured is turned away, and counted by its status code.
      try (FfmpegPublish wrong = RealClients.publish(rtmp + "not-the-key", 3, 25)) {
        assertFalse(wrong.awaitExit(Duration.ofSeconds(30)).exitedCleanly(), "ffmpeg cannot publish with a bad key");
      }
      awaitValue("rtmpcluster_refusals_total{protocol=\"rtmp\",reason=\"NetStream.Publish.Denied\"}", 1);
      dashboardNamesOnlySeriesTheNodeWrites();

      assertTrue(player.get().process().exitedCleanly(), player.get().process().describe());
      awaitValue("rtmpcluster_players{protocol=\"rtmp\"}", 0);
      flv.body().close();
      reader.join(10_000);
      assertTrue(flvBytes.get() > 13, "the HTTP-FLV viewer got the stream");
      awaitValue("rtmpcluster_players{protocol=\"http-flv\"}", 0);
      assertTrue(Files.size(dir.resolve("played.flv")) > 0);
    }
    awaitValue("rtmpcluster_publishers{protocol=\"rtmp\"}", 0);
  }

  /** docs/grafana-dashboard.json must not drift from the names: each one it queries is scraped. */
  private void dashboardNamesOnlySeriesTheNodeWrites() throws java.io.IOException {
    String dashboard = Files.readString(Path.of("../docs/grafana-dashboard.json"));
    Set<String> written = new HashSet<>();
    for (String series : samples().keySet()) {
      written.add(series.replaceAll("\\{.*", ""));
    }
    Matcher names = Pattern.compile("\\b(?:rtmpcluster|jvm|process)_[a-z0-9_]+").matcher(dashboard);
    int queried = 0;
    while (names.find()) {
      String name = names.group();
      if (name.equals("rtmpcluster_tls_certificate_expiry_seconds")) {
        continue; // only on a node with a certificate (rtmps or play-http.tls)
      }
      queried++;
      assertTrue(written.contains(name), "the dashboard queries " + name + ", which no node writes");
    }
    assertTrue(queried > 20, "the dashboard's queries were found");
  }

  @Test
  void inAClusterTheEdgeCountsWhatTheBusBroughtAndAStandbyOriginShowsAsStandby(@TempDir Path dir)
      throws Exception {
    try (TestCluster cluster = new TestCluster()) {
      TestCluster.Member origin = cluster.origin("origin-1");
      TestCluster.Member standby = cluster.origin("origin-2");
      TestCluster.Member edge = cluster.edge("edge-1");
      awaitValue(edge.node(), "rtmpcluster_cluster_members", 3);
      String key = TestCluster.KEYS.get(0).key();
      try (FfmpegPublish active = RealClients.publish("rtmp://127.0.0.1:" + origin.node().port() + "/live/" + key, 20, 25)) {
        awaitValue(origin.node(), "rtmpcluster_streams_published_by_state{state=\"active\"}", 1);
        try (FfmpegPublish second = RealClients.publish(
            "rtmp://127.0.0.1:" + standby.node().port() + "/live/" + key, 20, 25)) {
          awaitValue(standby.node(), "rtmpcluster_streams_published_by_state{state=\"standby\"}", 1);
          CompletableFuture<org.rtmpcluster.common.testing.PlayResult> player = CompletableFuture.supplyAsync(() ->
              RealClients.playWithFfmpeg("rtmp://127.0.0.1:" + edge.node().port() + "/live/a", Duration.ofSeconds(4),
                  dir.resolve("edge.flv")));
          awaitValue(edge.node(), "rtmpcluster_players{protocol=\"rtmp\"}", 1);
          assertTrue(player.get().process().exitedCleanly(), player.get().process().describe());
          Map<String, Double> onEdge = samples(edge.node());
          assertTrue(onEdge.get("rtmpcluster_bus_frames_received_total") > 50, onEdge.toString());
          assertEquals(0.0, onEdge.get("rtmpcluster_streams_published"), "an edge publishes nothing");
          assertEquals(0.0, samples(origin.node()).get("rtmpcluster_players{protocol=\"rtmp\"}"));
        }
      }
    }
  }

  @Test
  void withAnApiTokenMetricsNeedItAsTheApiDoes() {
    String token = "0123456789abcdef-scraper";
    startNode(token);
    HttpResponse<String> none = scrape(null);
    assertEquals(401, none.statusCode());
    assertFalse(none.body().contains(token));
    assertEquals(401, scrape("Bearer wrong").statusCode());
    HttpResponse<String> with = scrape("Bearer " + token);
    assertEquals(200, with.statusCode());
    assertTrue(with.body().contains("rtmpcluster_connections "), with.body());
  }
}

package org.rtmpcluster.server;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.rtmpcluster.common.config.PlayHttpSettings;
import org.rtmpcluster.common.config.RenditionGroup;
import org.rtmpcluster.common.config.StreamKey;
import org.rtmpcluster.common.testing.Await;
import org.rtmpcluster.common.testing.HeadlessChromium;
import org.rtmpcluster.common.testing.RealClients;

/**
 * Renditions (issue 11): one ffmpeg publishes an event at two sizes, config groups them, and the
 * edge offers one multivariant playlist whose variants say their bitrate, size and codecs, with
 * segments that line up across renditions, so that hls.js switches between them and plays on.
 */
class HlsRenditionsTest {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static TestNode node;
  private static Process ffmpeg;
  private static BrowserPages pages;

  @BeforeAll
  static void start() throws Exception {
    RealClients.requireTools("ffmpeg", "chromium");
    node = TestNode.start(c -> c.withPlayHttp(PlayHttpSettings.DEFAULT.withHost("127.0.0.1").withPort(0))
        .withStreams(c.streams().toBuilder()
            .keys(List.of(new StreamKey("key-hi", "event_hi"), new StreamKey("key-lo", "event_lo")))
            .renditions(List.of(new RenditionGroup("live/event", List.of("live/event_hi", "live/event_lo"))))
            .build()));
    String rtmp = "rtmp://127.0.0.1:" + node.port() + "/live/";
    List<String> x264 = List.of("-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "30",
        "-keyint_min", "30", "-sc_threshold", "0", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "64k");
    List<String> command = new java.util.ArrayList<>(List.of("ffmpeg", "-hide_banner", "-loglevel", "error", "-re",
        "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
        "-t", "120", "-filter_complex", "[0:v]split=2[hi][in];[in]scale=320:180[lo]"));
    command.addAll(List.of("-map", "[hi]", "-map", "1:a"));
    command.addAll(x264);
    command.addAll(List.of("-b:v", "900k", "-f", "flv", rtmp + "key-hi", "-map", "[lo]", "-map", "1:a"));
    command.addAll(x264);
    command.addAll(List.of("-b:v", "300k", "-f", "flv", rtmp + "key-lo"));
    ffmpeg = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    Await.until(() -> live("live/event_hi") && live("live/event_lo"), Duration.ofSeconds(20), "both renditions live");
    pages = BrowserPages.start();
  }

  private static boolean live(String stream) {
    return node.node.hub().get(stream) != null && node.node.hub().get(stream).isLive();
  }

  @AfterAll
  static void stop() {
    if (ffmpeg != null) {
      ffmpeg.destroyForcibly();
    }
    if (node != null) {
      node.close();
    }
    if (pages != null) {
      pages.close();
    }
  }

  private static String get(String path) throws Exception {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
        + node.node.playHttpPort() + path)).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode(), path + ": " + response.body());
    return response.body();
  }

  private static List<String> segmentEntries(String playlist) {
    List<String> lines = playlist.lines().toList();
    List<String> entries = new java.util.ArrayList<>();
    for (int i = 0; i + 1 < lines.size(); i++) {
      if (lines.get(i).startsWith("#EXTINF:")) {
        entries.add(lines.get(i) + " " + lines.get(i + 1));
      }
    }
    return entries;
  }

  @Test
  void theMultivariantPlaylistListsEachRenditionWithItsBitrateSizeAndCodecs() throws Exception {
    String master = get("/live/event/master.m3u8?token=t");
    List<String> variants = master.lines().filter(line -> line.startsWith("#EXT-X-STREAM-INF:")).toList();
    assertAll(master,
        () -> assertEquals(2, variants.size()),
        () -> assertTrue(variants.get(0).contains("RESOLUTION=640x360"), variants.get(0)),
        () -> assertTrue(variants.get(1).contains("RESOLUTION=320x180"), variants.get(1)),
        () -> assertTrue(variants.stream().allMatch(v -> v.matches(".*CODECS=\"avc1\\.[0-9a-f]{6},mp4a\\.40\\.2\".*"))),
        () -> assertTrue(master.contains("\n/live/event_hi/index.m3u8?token=t\n")),
        () -> assertTrue(master.contains("\n/live/event_lo/index.m3u8?token=t\n")));
    long hiBandwidth = Long.parseLong(variants.get(0).replaceAll(".*[:,]BANDWIDTH=(\\d+).*", "$1"));
    long loBandwidth = Long.parseLong(variants.get(1).replaceAll(".*[:,]BANDWIDTH=(\\d+).*", "$1"));
    assertTrue(hiBandwidth > loBandwidth, hiBandwidth + " against " + loBandwidth);
  }

  @Test
  void theRenditionsSegmentsLineUp() throws Exception {
    get("/live/event/master.m3u8");
    String hi = get("/live/event_hi/index.m3u8");
    long last = segmentEntries(hi).size();
    String number = hi.lines().filter(line -> line.matches("\\d+\\.m4s")).reduce((a, b) -> b).orElseThrow();
    long msn = Long.parseLong(number.substring(0, number.length() - 4)) + 1;
    hi = get("/live/event_hi/index.m3u8?_HLS_msn=" + msn);
    String lo = get("/live/event_lo/index.m3u8?_HLS_msn=" + msn);
    List<String> common = segmentEntries(hi).stream().filter(segmentEntries(lo)::contains).toList();
    assertTrue(last > 0 && common.size() >= 2, "the same segments, with the same durations:\n" + hi + "\n" + lo);
  }

  @Test
  void hlsJsSwitchesBetweenTheRenditionsAndPlaysOn() throws Exception {
    try (HeadlessChromium chromium = HeadlessChromium.start()) {
      chromium.open(pages.page("hls.html", "http://127.0.0.1:" + node.node.playHttpPort() + "/live/event/master.m3u8"));
      JsonObject playing = BrowserPages.playedUntil(chromium, 3, Duration.ofSeconds(45), "hls.js playing the event");
      assertEquals(2, playing.getInteger("levels"), playing.encode());
      int other = playing.getInteger("level") == 0 ? 1 : 0;
      chromium.evaluate("hls.currentLevel = " + other);
      JsonObject switched = BrowserPages.playedUntil(chromium, playing.getDouble("time") + 6, Duration.ofSeconds(45),
          "hls.js after switching to level " + other);
      assertAll(switched.encode() + " " + chromium.errors(),
          () -> assertNull(switched.getString("fatal")),
          () -> assertEquals(other, switched.getInteger("level")),
          () -> assertEquals(List.of(), chromium.errors()));
    }
  }
}

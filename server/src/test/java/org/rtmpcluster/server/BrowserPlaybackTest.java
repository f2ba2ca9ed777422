package org.rtmpcluster.server;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.rtmpcluster.common.config.PlayHttpSettings;
import org.rtmpcluster.common.testing.Await;
import org.rtmpcluster.common.testing.FfmpegPublish;
import org.rtmpcluster.common.testing.HeadlessChromium;
import org.rtmpcluster.common.testing.RealClients;

/**
 * Browser playback (issue 11) in Debian's headless Chromium: hls.js in low-latency mode on the
 * LL-HLS playlist, and mpegts.js on HTTP-FLV and WebSocket-FLV. The pages come from a server of
 * the test's own on another port, so CORS is real. What is checked is what the viewer sees:
 * frames decoded, playback time going on, no fatal player error, nothing logged as an error.
 */
class BrowserPlaybackTest {
  /** The test's pages and the players npm installed (.ci/run: npm ci in src/test/browser). */
  private static final Path PAGES = Path.of("src/test/browser");
  private static final Map<String, Path> FILES = Map.of(
      "/hls.html", PAGES.resolve("hls.html"),
      "/flv.html", PAGES.resolve("flv.html"),
      "/lib/hls.js", PAGES.resolve("node_modules/hls.js/dist/hls.js"),
      "/lib/mpegts.js", PAGES.resolve("node_modules/mpegts.js/dist/mpegts.js"));
  private static final Duration PLAYING = Duration.ofSeconds(45);

  private static HttpServer pages;
  private static TestNode node;
  private static FfmpegPublish publish;
  private HeadlessChromium chromium;

  @BeforeAll
  static void start() throws IOException {
    RealClients.requireTools("ffmpeg", "chromium");
    for (Path file : FILES.values()) {
      if (!Files.isRegularFile(file)) {
        throw new AssertionError(file + " is missing: .ci/run installs it (npm ci --prefix server/src/test/browser)");
      }
    }
    pages = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    pages.createContext("/", exchange -> {
      Path file = FILES.get(exchange.getRequestURI().getPath());
      byte[] body = file == null ? new byte[0] : Files.readAllBytes(file);
      exchange.getResponseHeaders().add("Content-Type", file == null ? "text/plain"
          : file.toString().endsWith(".html") ? "text/html; charset=utf-8" : "text/javascript");
      exchange.sendResponseHeaders(file == null ? 404 : 200, body.length == 0 ? -1 : body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    pages.start();
    node = TestNode.start(c -> c.withPlayHttp(PlayHttpSettings.DEFAULT.withHost("127.0.0.1").withPort(0)));
    // Long enough for every test of the class; a keyframe each second.
    publish = RealClients.publish("rtmp://127.0.0.1:" + node.port() + "/live/" + TestNode.KEY.key(), 240, 30);
    Await.until(() -> node.node.hub().get(TestNode.STREAM) != null && node.node.hub().get(TestNode.STREAM).isLive(),
        Duration.ofSeconds(20), "the stream is live");
  }

  @AfterAll
  static void stop() {
    if (publish != null) {
      publish.close();
    }
    if (node != null) {
      node.close();
    }
    if (pages != null) {
      pages.stop(0);
    }
  }

  @BeforeEach
  void browser() throws Exception {
    chromium = HeadlessChromium.start();
  }

  @AfterEach
  void closeBrowser() {
    if (chromium != null) {
      chromium.close();
    }
  }

  private String page(String name, String src) {
    return "http://127.0.0.1:" + pages.getAddress().getPort() + "/" + name + "?src="
        + URLEncoder.encode(src, StandardCharsets.UTF_8);
  }

  private String stream(String scheme, String path) {
    return scheme + "://127.0.0.1:" + node.node.playHttpPort() + path;
  }

  private JsonObject report() {
    Object value = chromium.evaluate("window.report ? window.report() : null");
    return value instanceof JsonObject report ? report : new JsonObject();
  }

  /** Plays until four seconds are decoded, and returns what the page then reports. */
  private JsonObject playFourSeconds(String url) {
    chromium.open(url);
    Await.until(() -> {
      JsonObject report = report();
      return report.getString("fatal") != null
          || report.getInteger("frames", 0) >= 4 * RealClients.FPS && report.getDouble("time", 0.0) >= 4;
    }, PLAYING, "four seconds of video decoded in the browser: " + url);
    JsonObject report = report();
    // Time goes on: a second later the player is further.
    double time = report.getDouble("time");
    Await.until(() -> report().getDouble("time", 0.0) > time + 0.5, Duration.ofSeconds(10), "playback going on");
    System.out.println("browser " + url + ": " + report().encode());
    return report;
  }

  private void assertPlayed(JsonObject report) {
    assertAll(report.encode() + "\nerrors: " + chromium.errors(),
        () -> assertNull(report.getString("fatal"), "no fatal player error"),
        () -> assertTrue(report.getInteger("frames") >= 4 * RealClients.FPS, "frames decoded"),
        () -> assertEquals(java.util.List.of(), chromium.errors(), "nothing logged as an error"));
  }

  @Test
  void hlsJsPlaysTheLowLatencyPlaylist() {
    JsonObject report = playFourSeconds(page("hls.html", stream("http", "/live/show/index.m3u8")));
    assertPlayed(report);
  }

  @Test
  void mpegtsJsPlaysHttpFlv() {
    assertPlayed(playFourSeconds(page("flv.html", stream("http", "/live/show.flv"))));
  }

  @Test
  void mpegtsJsPlaysWebSocketFlv() {
    assertPlayed(playFourSeconds(page("flv.html", stream("ws", "/live/show.flv"))));
  }
}

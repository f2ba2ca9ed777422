package org.rtmpcluster.server;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.time.Duration;
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
  private static final Duration PLAYING = Duration.ofSeconds(45);

  private static BrowserPages pages;
  private static TestNode node;
  private static FfmpegPublish publish;
  private HeadlessChromium chromium;

  @BeforeAll
  static void start() throws IOException {
    RealClients.requireTools("ffmpeg", "chromium");
    pages = BrowserPages.start();
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
      pages.close();
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

  private String stream(String scheme, String path) {
    return scheme + "://127.0.0.1:" + node.node.playHttpPort() + path;
  }

  /** Plays until four seconds are decoded and a second more, and returns what the page then reports. */
  private JsonObject playFourSeconds(String url) {
    chromium.open(url);
    JsonObject report = BrowserPages.playedUntil(chromium, 4, PLAYING, "four seconds played in the browser: " + url);
    double time = report.getDouble("time", 0.0);
    if (report.getString("fatal") == null) {
      BrowserPages.playedUntil(chromium, time + 1, Duration.ofSeconds(10), "playback going on");
    }
    System.out.println("browser " + url + ": " + BrowserPages.report(chromium).encode());
    return report;
  }

  private void assertPlayed(JsonObject report) {
    assertAll(report.encode() + "\nerrors: " + chromium.errors(),
        () -> assertNull(report.getString("fatal"), "no fatal player error"),
        () -> assertTrue(report.getInteger("frames") >= 4 * RealClients.FPS - RealClients.FPS / 2, "frames decoded"),
        () -> assertEquals(java.util.List.of(), chromium.errors(), "nothing logged as an error"));
  }

  @Test
  void hlsJsPlaysTheLowLatencyPlaylist() {
    assertPlayed(playFourSeconds(pages.page("hls.html", stream("http", "/live/show/index.m3u8"))));
  }

  @Test
  void mpegtsJsPlaysHttpFlv() {
    assertPlayed(playFourSeconds(pages.page("flv.html", stream("http", "/live/show.flv"))));
  }

  @Test
  void mpegtsJsPlaysWebSocketFlv() {
    assertPlayed(playFourSeconds(pages.page("flv.html", stream("ws", "/live/show.flv"))));
  }
}

package org.rtmpcluster.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rtmpcluster.common.config.ClusterTlsSettings;
import org.rtmpcluster.common.config.PlayHttpSettings;
import org.rtmpcluster.common.config.Role;
import org.rtmpcluster.common.testing.Await;
import org.rtmpcluster.common.testing.FfmpegPublish;
import org.rtmpcluster.common.testing.HeadlessChromium;
import org.rtmpcluster.common.testing.PlayResult;
import org.rtmpcluster.common.testing.RealClients;

/**
 * The status page at / on the operator port, in headless Chromium: it lists the cluster's nodes
 * and a stream ffmpeg publishes, with its origin, codecs and players per edge, and its preview
 * decodes the stream from an edge. {@code -Dstatus.screenshot=FILE} keeps a screenshot (the one in
 * docs/ was made so).
 */
class StatusPageTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  void thePageListsAPublishedStreamAndItsPreviewDecodesFrames(@TempDir Path dir) throws Exception {
    try (TestCluster cluster = new TestCluster()) {
      TestCluster.Member origin = cluster.origin("origin-1");
      TestCluster.Member edge = cluster.start("edge-1", EnumSet.of(Role.EDGE), ClusterTlsSettings.NONE,
          c -> c.withPlayHttp(PlayHttpSettings.DEFAULT.withHost("127.0.0.1").withPort(0)));
      TestCluster.Member other = cluster.start("edge-2", EnumSet.of(Role.EDGE), ClusterTlsSettings.NONE,
          c -> c.withPlayHttp(PlayHttpSettings.DEFAULT.withHost("127.0.0.1").withPort(0)));
      String page = "http://127.0.0.1:" + edge.node().httpApi().port() + "/";
      HttpResponse<String> html = HTTP.send(HttpRequest.newBuilder(URI.create(page)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, html.statusCode());
      assertEquals("text/html; charset=utf-8", html.headers().firstValue("Content-Type").orElse(""));
      assertTrue(html.headers().firstValue("Content-Security-Policy").orElse("").contains("default-src 'self'"));

      String key = TestCluster.KEYS.get(0).key();
      try (FfmpegPublish publish = RealClients.publish("rtmp://127.0.0.1:" + origin.node().port() + "/live/" + key,
              60, 25);
          HeadlessChromium chromium = HeadlessChromium.start()) {
        CompletableFuture<PlayResult> player = CompletableFuture.supplyAsync(() -> RealClients.playWithFfmpeg(
            "rtmp://127.0.0.1:" + other.node().port() + "/live/a", Duration.ofSeconds(40), dir.resolve("edge-2.flv")));
        chromium.resize(1280, 900);
        chromium.open(page);
        Await.until(() -> rows(chromium, "nodes").size() == 3, Duration.ofSeconds(20), "the page lists three nodes");
        Await.until(() -> {
          JsonArray stream = row(chromium, "live/a");
          return stream != null && stream.getString(1).equals("live") && !stream.getString(4).equals("–")
              && stream.getString(7).contains("edge-2: 1");
        }, Duration.ofSeconds(30), "the page lists live/a, live from origin-1, its bitrate and edge-2's player");
        JsonArray stream = row(chromium, "live/a");
        assertEquals("origin-1", stream.getString(2));
        assertEquals("avc1 + mp4a", stream.getString(3));
        JsonArray edgeRow = nodeRow(chromium, "edge-2");
        assertEquals("1", edgeRow.getString(3), "edge-2's RTMP player: " + edgeRow);

        chromium.evaluate("document.querySelector('tr[data-stream=\"live/a\"] button.preview').click()");
        Await.until(() -> {
          JsonObject report = preview(chromium);
          return !report.getJsonArray("failures").isEmpty() || report.getInteger("frames") >= 50;
        }, Duration.ofSeconds(40), "the preview decodes frames");
        JsonObject report = preview(chromium);
        assertTrue(report.getJsonArray("failures").isEmpty(), report.encode());
        double playedTo = report.getDouble("time");
        Await.until(() -> preview(chromium).getDouble("time") > playedTo + 2, Duration.ofSeconds(20),
            "the preview plays on");
        assertTrue(preview(chromium).getString("state").contains("from http://127.0.0.1:" + edge.node().playHttpPort()),
            "this node, an edge, is the one previewed from: " + preview(chromium));
        String shot = System.getProperty("status.screenshot");
        if (shot != null) {
          chromium.screenshot(Path.of(shot));
        }
        assertEquals(java.util.List.of(), chromium.errors(), "no console error or exception");
        assertTrue(player.get().process().exitedCleanly() || player.get().process().stopped(),
            player.get().process().describe());
      }
    }
  }

  /** The text of each cell of the rows of table {@code id}. */
  private static JsonArray rows(HeadlessChromium chromium, String id) {
    Object rows = chromium.evaluate("Array.from(document.querySelectorAll('#" + id + " tbody tr'))"
        + ".map(r => Array.from(r.cells).map(c => c.textContent))");
    return rows instanceof JsonArray array ? array : new JsonArray();
  }

  private static JsonArray row(HeadlessChromium chromium, String stream) {
    for (Object row : rows(chromium, "streams")) {
      if (((JsonArray) row).getString(0).equals(stream)) {
        return (JsonArray) row;
      }
    }
    return null;
  }

  private static JsonArray nodeRow(HeadlessChromium chromium, String node) {
    for (Object row : rows(chromium, "nodes")) {
      if (((JsonArray) row).getString(0).startsWith(node)) {
        return (JsonArray) row;
      }
    }
    return new JsonArray();
  }

  private static JsonObject preview(HeadlessChromium chromium) {
    Object report = chromium.evaluate("window.previewReport ? window.previewReport() : null");
    return report instanceof JsonObject object ? object
        : new JsonObject().put("frames", 0).put("time", 0.0).put("failures", new JsonArray()).put("state", "");
  }
}

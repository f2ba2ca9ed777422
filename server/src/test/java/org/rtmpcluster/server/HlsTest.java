package org.rtmpcluster.server;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rtmpcluster.common.config.PlayHttpSettings;
import org.rtmpcluster.common.testing.Await;
import org.rtmpcluster.common.testing.FfmpegPublish;
import org.rtmpcluster.common.testing.MediaReport;
import org.rtmpcluster.common.testing.PlayResult;
import org.rtmpcluster.common.testing.RealClients;

/** Low-Latency HLS with fMP4 (issue 11): ffmpeg reads the playlist, and LL-HLS requests are held as the spec says. */
class HlsTest {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir
  Path dir;

  private TestNode node;

  @BeforeAll
  static void toolsAreInstalled() {
    RealClients.requireTools("ffmpeg", "ffprobe");
  }

  @AfterEach
  void stop() {
    if (node != null) {
      node.close();
    }
  }

  private String url(String path) {
    return "http://127.0.0.1:" + node.node.playHttpPort() + path;
  }

  @Test
  void ffmpegReadsTheLivePlaylistAndItsSegmentsDecode() throws Exception {
    node = TestNode.start(c -> c.withPlayHttp(PlayHttpSettings.DEFAULT.withHost("127.0.0.1").withPort(0)));
    try (FfmpegPublish publish = RealClients.publish("rtmp://127.0.0.1:" + node.port() + "/live/" + TestNode.KEY.key(), 14, 30)) {
      Await.until(() -> node.node.hub().get(TestNode.STREAM) != null && node.node.hub().get(TestNode.STREAM).isLive(),
          "the stream is live");
      HttpResponse<String> playlist = HTTP.send(HttpRequest.newBuilder(URI.create(url("/live/show/index.m3u8")))
          .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, playlist.statusCode(), playlist.body());
      assertEquals("application/vnd.apple.mpegurl", playlist.headers().firstValue("Content-Type").orElse(""));
      assertTrue(playlist.body().startsWith("#EXTM3U\n#EXT-X-VERSION:9\n"), playlist.body());
      assertTrue(playlist.body().matches("(?s).*#EXT-X-MAP:URI=\"init-[0-9a-f]{8}\\.mp4\".*"), playlist.body());
      assertTrue(playlist.body().contains("#EXT-X-PART:"), playlist.body());

      PlayResult play = RealClients.playWithFfmpeg(url("/live/show/index.m3u8"), Duration.ofSeconds(6),
          dir.resolve("hls.flv"));
      MediaReport report = play.analyze();
      assertAll(report + "\n" + play,
          () -> assertTrue(play.process().exitedCleanly(), "ffmpeg read the playlist to its -t"),
          () -> assertEquals("h264", report.videoCodec()),
          () -> assertEquals("aac", report.audioCodec()),
          () -> assertTrue(report.firstVideoFrameIsKeyframe(), "starts on a keyframe"),
          () -> assertTrue(report.decodesCleanly(), "decodes without errors"),
          () -> assertTrue(report.videoFrames() >= 90, "at least three seconds of video: " + report.videoFrames()));
      HttpResponse<String> missing = HTTP.send(HttpRequest.newBuilder(URI.create(url("/live/show/999999.m4s"))).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(404, missing.statusCode());
    }
  }

  private HttpResponse<byte[]> get(String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(20)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  private static String last(String playlist, String prefix) {
    return playlist.lines().filter(line -> line.startsWith(prefix)).reduce((a, b) -> b).orElseThrow(
        () -> new AssertionError("no " + prefix + " in\n" + playlist));
  }

  @Test
  void aBlockingReloadIsAnsweredWhenThePartItNamesIsCutAndThePreloadedPartComesWhole() throws Exception {
    node = TestNode.start(c -> c.withPlayHttp(PlayHttpSettings.DEFAULT.withHost("127.0.0.1").withPort(0)));
    try (FfmpegPublish publish = RealClients.publish("rtmp://127.0.0.1:" + node.port() + "/live/" + TestNode.KEY.key(), 30, 30)) {
      Await.until(() -> node.node.hub().get(TestNode.STREAM) != null && node.node.hub().get(TestNode.STREAM).isLive(),
          "the stream is live");
      String playlist = new String(get("/live/show/index.m3u8?token=abc").body());
      // The preload hint names the next part: asked for now, it comes once it is cut.
      String hint = last(playlist, "#EXT-X-PRELOAD-HINT:");
      assertTrue(hint.endsWith(".m4s?token=abc\""), "tokens go on every URI: " + hint);
      String hinted = hint.substring(hint.indexOf("URI=\"") + 5, hint.indexOf('?'));
      long msn = Long.parseLong(hinted.substring(0, hinted.indexOf('.')));
      int part = Integer.parseInt(hinted.substring(hinted.indexOf('.') + 1, hinted.lastIndexOf('.')));
      HttpResponse<byte[]> preloaded = get("/live/show/" + hinted);
      assertEquals(200, preloaded.statusCode(), new String(preloaded.body()));
      assertEquals("moof", new String(preloaded.body(), 4, 4), "a part is a fragment");
      // A reload asking for that part is answered with a playlist that lists it.
      HttpResponse<byte[]> blocked = get("/live/show/index.m3u8?_HLS_msn=" + msn + "&_HLS_part=" + part + "&token=abc");
      String reloaded = new String(blocked.body());
      assertEquals(200, blocked.statusCode(), reloaded);
      assertTrue(reloaded.contains("URI=\"" + hinted + "?token=abc\""), reloaded);
      assertTrue(!reloaded.contains("_HLS_"), "directives are not passed on: " + reloaded);
      // One asking three segments ahead is refused (RFC 8216bis 6.2.5.2).
      assertEquals(400, get("/live/show/index.m3u8?_HLS_msn=" + (msn + 3)).statusCode());
      // A segment's bytes are its parts' end to end.
      String segment = last(reloaded, "#EXTINF:");
      String segmentName = reloaded.lines().dropWhile(line -> !line.equals(segment)).skip(1).findFirst().orElseThrow();
      long number = Long.parseLong(segmentName.substring(0, segmentName.indexOf('.')));
      java.io.ByteArrayOutputStream joined = new java.io.ByteArrayOutputStream();
      for (int i = 0; ; i++) {
        HttpResponse<byte[]> partResponse = get("/live/show/" + number + "." + i + ".m4s");
        if (partResponse.statusCode() == 404) {
          break;
        }
        joined.write(partResponse.body());
      }
      assertTrue(java.util.Arrays.equals(get("/live/show/" + number + ".m4s").body(), joined.toByteArray()));
    }
  }
}

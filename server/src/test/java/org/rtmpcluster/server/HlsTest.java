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

/** HLS with fMP4 segments (issue 11, first slice): ffmpeg reads the playlist an edge serves. */
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
      assertTrue(playlist.body().startsWith("#EXTM3U\n#EXT-X-VERSION:7\n"), playlist.body());
      assertTrue(playlist.body().contains("#EXT-X-MAP:URI=\"init.mp4\""), playlist.body());
      assertTrue(playlist.body().contains(".m4s"), playlist.body());

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
}

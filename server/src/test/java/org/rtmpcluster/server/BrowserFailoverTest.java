package org.rtmpcluster.server;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.rtmpcluster.common.config.ClusterTlsSettings;
import org.rtmpcluster.common.config.PlayHttpSettings;
import org.rtmpcluster.common.config.Role;
import org.rtmpcluster.common.testing.Await;
import org.rtmpcluster.common.testing.FfmpegPublish;
import org.rtmpcluster.common.testing.HeadlessChromium;
import org.rtmpcluster.common.testing.RealClients;

/**
 * A publisher change under browser players (issue 11): an encoder that reconnects, and an origin
 * that leaves the cluster for a hot standby on another origin. hls.js and mpegts.js play on: the
 * playback time goes on well past the change, with no fatal error and nothing logged as one.
 */
class BrowserFailoverTest {
  private TestCluster cluster;
  private BrowserPages pages;
  private FfmpegPublish active;
  private FfmpegPublish standby;
  private HeadlessChromium hlsViewer;
  private HeadlessChromium flvViewer;

  @BeforeAll
  static void toolsAreInstalled() {
    RealClients.requireTools("ffmpeg", "chromium");
  }

  @AfterEach
  void stop() {
    for (AutoCloseable closeable : new AutoCloseable[] {hlsViewer, flvViewer, active, standby, cluster, pages}) {
      try {
        if (closeable != null) {
          closeable.close();
        }
      } catch (Exception e) {
        // The rest still has to close.
      }
    }
  }

  @Test
  void hlsJsAndMpegtsJsPlayOnAcrossAPublisherThatReconnects() throws Exception {
    pages = BrowserPages.start();
    try (TestNode node = TestNode.start(c -> c.withPlayHttp(PlayHttpSettings.DEFAULT.withHost("127.0.0.1").withPort(0)))) {
      String rtmp = "rtmp://127.0.0.1:" + node.port() + "/live/" + TestNode.KEY.key();
      active = RealClients.publish(rtmp, 120, 30);
      Await.until(() -> node.node.hub().get(TestNode.STREAM) != null && node.node.hub().get(TestNode.STREAM).isLive(),
          Duration.ofSeconds(20), "the stream is live");
      double[] at = playing("http://127.0.0.1:" + node.node.playHttpPort() + "/live/show");

      // The encoder drops and comes back: a new publisher of the same stream within the grace period.
      active.close();
      Await.until(() -> !node.node.hub().get(TestNode.STREAM).isLive(), "the publisher gone");
      standby = RealClients.publish(rtmp, 120, 30);
      assertPlayedOn(at[0], at[1], "reconnect");
    }
  }

  /**
   * Starts hls.js on {@code stream}'s playlist and mpegts.js on its HTTP-FLV, and returns the
   * playback time of each once both have played three seconds.
   */
  private double[] playing(String stream) throws Exception {
    hlsViewer = HeadlessChromium.start();
    hlsViewer.open(pages.page("hls.html", stream + "/index.m3u8"));
    flvViewer = HeadlessChromium.start();
    flvViewer.open(pages.page("flv.html", stream + ".flv"));
    return new double[] {
        BrowserPages.playedUntil(hlsViewer, 3, Duration.ofSeconds(45), "hls.js playing").getDouble("time"),
        BrowserPages.playedUntil(flvViewer, 3, Duration.ofSeconds(45), "mpegts.js playing").getDouble("time")};
  }

  private void assertPlayedOn(double hlsAt, double flvAt, String what) {
    JsonObject hls = BrowserPages.playedUntil(hlsViewer, hlsAt + 12, Duration.ofSeconds(60), "hls.js after the " + what);
    JsonObject flv = BrowserPages.playedUntil(flvViewer, flvAt + 12, Duration.ofSeconds(60), "mpegts.js after the " + what);
    System.out.println("browser " + what + ": hls.js " + hls.encode() + ", mpegts.js " + flv.encode());
    assertAll("hls.js " + hls.encode() + " " + hlsViewer.errors() + "\nmpegts.js " + flv.encode() + " " + flvViewer.errors(),
        () -> assertNull(hls.getString("fatal")),
        () -> assertNull(flv.getString("fatal")),
        () -> assertTrue(hls.getDouble("time") >= hlsAt + 12),
        () -> assertTrue(flv.getDouble("time") >= flvAt + 12),
        () -> assertEquals(List.of(), hlsViewer.errors()),
        () -> assertEquals(List.of(), flvViewer.errors()));
  }

  @Test
  void hlsJsAndMpegtsJsPlayOnWhenTheOriginFailsOverToItsStandby() throws Exception {
    pages = BrowserPages.start();
    cluster = new TestCluster();
    TestCluster.Member origin1 = cluster.origin("origin-1");
    TestCluster.Member origin2 = cluster.origin("origin-2");
    TestCluster.Member edge = cluster.start("edge-1", EnumSet.of(Role.EDGE), ClusterTlsSettings.NONE,
        config -> config.withPlayHttp(PlayHttpSettings.DEFAULT.withHost("127.0.0.1").withPort(0)));
    active = RealClients.publish("rtmp://127.0.0.1:" + origin1.node().port() + "/live/key-a", 120, 30);
    Await.until(() -> origin1.node().hub().get("live/a") != null && origin1.node().hub().get("live/a").isLive(),
        Duration.ofSeconds(20), "the stream is live on origin-1");
    standby = RealClients.publish("rtmp://127.0.0.1:" + origin2.node().port() + "/live/key-a", 120, 30);

    double[] at = playing("http://127.0.0.1:" + edge.node().playHttpPort() + "/live/a");

    origin1.close();
    assertPlayedOn(at[0], at[1], "failover");
  }
}

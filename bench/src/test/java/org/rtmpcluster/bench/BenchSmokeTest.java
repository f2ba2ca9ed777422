package org.rtmpcluster.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.rtmpcluster.common.config.NodeConfig;
import org.rtmpcluster.common.config.PlayHttpSettings;
import org.rtmpcluster.common.config.StreamKey;
import org.rtmpcluster.common.testing.Await;
import org.rtmpcluster.server.RtmpNode;

/**
 * The bench tools end to end on a small scale, so CI notices when they break: a standalone node
 * in this JVM, the real-time publisher looping a synthetic FLV file, the load client with a few
 * players, on one stream and on two, HTTP-FLV viewers, and the publisher-side measurement. Not a benchmark: it
 * checks that the tools work, not how fast anything is.
 */
class BenchSmokeTest {

  private Vertx vertx;
  private RtmpNode node;
  @TempDir
  Path dir;

  @BeforeEach
  void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void closeVertx() {
    Await.result(vertx.close());
  }

  /** A node with keys bench-key -> bench (one stream) or bench-key0.. -> bench0.. (several); its base URL. */
  private String startNode(int streams) {
    List<StreamKey> keys = new ArrayList<>();
    for (int i = 0; i < streams; i++) {
      String suffix = streams == 1 ? "" : Integer.toString(i);
      keys.add(new StreamKey("bench-key" + suffix, "bench" + suffix));
    }
    NodeConfig config = NodeConfig.DEFAULT
        .withRtmp(NodeConfig.DEFAULT.rtmp().withHost("127.0.0.1").withPort(0))
        .withStreams(NodeConfig.DEFAULT.streams().withKeys(keys))
        .withPlayHttp(PlayHttpSettings.DEFAULT.withHost("127.0.0.1").withPort(0));
    node = Await.result(RtmpNode.deploy(vertx, config));
    return "rtmp://127.0.0.1:" + node.port() + "/live/";
  }

  @Test
  @Timeout(30)
  void publisherAndLoadClientWorkAgainstANode() throws Exception {
    String base = startNode(1);
    Path flv = TestFlv.write(dir.resolve("synthetic.flv"), 2);

    try (Publisher publisher = new Publisher(vertx, flv, List.of(RtmpUrl.parse(base + "bench-key")))) {
      publisher.start();
      LoadClient.Options defaults = LoadClient.Options.defaults(RtmpUrl.parse(base + "bench"));
      LoadClient.Options options = new LoadClient.Options(defaults.url(), RtmpUrl.parse(base + "bench"),
          1, 5, 50, 1, 3, 1000, 2, List.of(ProcessHandle.current().pid()), 0, 1,
          LoadClient.Protocol.RTMP);
      JsonObject summary = new LoadClient(options).run();
      System.out.println(summary.encodePrettily());

      assertEquals(5, summary.getInteger("connected"), summary::encodePrettily);
      assertEquals(0, summary.getInteger("starved"), summary::encodePrettily);
      assertTrue(summary.getLong("framesReceived") > 5 * 30, summary::encodePrettily);
      assertTrue(summary.getDouble("receiveRateP5Ratio") > 0.9, summary::encodePrettily);
      assertTrue(summary.getJsonObject("addedDelayMs").getInteger("samples") > 0, summary::encodePrettily);
      assertTrue(publisher.loops() >= 1, "the 2 s file was looped within the run");
    }
  }

  @Test
  @Timeout(30)
  void httpFlvViewersGetTheStreamAndTheirDelayIsMatched() throws Exception {
    String base = startNode(1);
    Path flv = TestFlv.write(dir.resolve("synthetic.flv"), 2);

    try (Publisher publisher = new Publisher(vertx, flv, List.of(RtmpUrl.parse(base + "bench-key")))) {
      publisher.start();
      RtmpUrl viewers = RtmpUrl.parseHttp("http://127.0.0.1:" + node.playHttpPort() + "/live/bench");
      LoadClient.Options options = new LoadClient.Options(viewers, RtmpUrl.parse(base + "bench"),
          1, 5, 50, 1, 3, 1000, 2, List.of(ProcessHandle.current().pid()), 0, 1, LoadClient.Protocol.HTTP_FLV);
      JsonObject summary = new LoadClient(options).run();
      System.out.println(summary.encodePrettily());

      assertEquals("http://127.0.0.1:" + node.playHttpPort() + "/live/bench.flv", summary.getString("url"));
      assertEquals(5, summary.getInteger("connected"), summary::encodePrettily);
      assertEquals(0, summary.getInteger("starved"), summary::encodePrettily);
      assertTrue(summary.getLong("framesReceived") > 5 * 30, summary::encodePrettily);
      assertTrue(summary.getDouble("receiveRateP5Ratio") > 0.9, summary::encodePrettily);
      assertTrue(summary.getJsonObject("addedDelayMs").getInteger("samples") > 0, summary::encodePrettily);
      assertEquals(0, summary.getLong("viewerErrors"), summary::encodePrettily);
    }
  }

  @Test
  void anHlsViewerReadsWholeSegmentsOfALowLatencyPlaylist() {
    HlsPlayer.Playlist playlist = HlsPlayer.Playlist.parse("""
        #EXTM3U
        #EXT-X-VERSION:9
        #EXT-X-TARGETDURATION:2
        #EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.500,HOLD-BACK=6.000
        #EXT-X-PART-INF:PART-TARGET=0.500
        #EXT-X-MEDIA-SEQUENCE:41
        #EXT-X-MAP:URI="init-0a1b2c3d.mp4"
        #EXT-X-PROGRAM-DATE-TIME:2026-12-02T10:00:00Z
        #EXTINF:2.000,
        41.m4s
        #EXT-X-PART:DURATION=0.500,URI="42.0.m4s",INDEPENDENT=YES
        #EXT-X-PART:DURATION=0.500,URI="42.1.m4s"
        #EXTINF:1.967,
        42.m4s
        #EXT-X-PART:DURATION=0.500,URI="43.0.m4s",INDEPENDENT=YES
        #EXT-X-PRELOAD-HINT:TYPE=PART,URI="43.1.m4s"
        """);
    assertEquals(2000, playlist.targetMs());
    assertTrue(playlist.canBlockReload());
    assertEquals("init-0a1b2c3d.mp4", playlist.map());
    assertEquals(List.of(new HlsPlayer.Listed(41, 2000, "41.m4s"), new HlsPlayer.Listed(42, 1967, "42.m4s")),
        playlist.segments(), "whole segments only, not the open one's parts");
    // nginx-rtmp's playlists: no server control, so the viewer polls.
    HlsPlayer.Playlist plain = HlsPlayer.Playlist.parse(
        "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-MEDIA-SEQUENCE:7\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.000,\nbench-7.ts\n");
    assertTrue(!plain.canBlockReload());
    assertEquals(List.of(new HlsPlayer.Listed(7, 2000, "bench-7.ts")), plain.segments());
  }

  @Test
  @Timeout(30)
  void playersSpreadOverTwoStreamsAllGetFrames() throws Exception {
    String base = startNode(2);
    Path flv = TestFlv.write(dir.resolve("synthetic.flv"), 2);
    List<RtmpUrl> targets = RtmpUrl.parse(base + "bench-key").numbered(2);
    assertEquals(List.of(RtmpUrl.parse(base + "bench-key0"), RtmpUrl.parse(base + "bench-key1")), targets);

    try (Publisher publisher = new Publisher(vertx, flv, targets)) {
      publisher.start();
      // Players 0, 2, 4 on bench0 (the reference's; 2 and 4 are delay samples), 1, 3, 5 on bench1.
      // A 3 s window: samples count from 3 s after a player's first frame.
      LoadClient.Options defaults = LoadClient.Options.defaults(RtmpUrl.parse(base + "bench"));
      LoadClient.Options options = new LoadClient.Options(defaults.url(), RtmpUrl.parse(base + "bench"),
          2, 6, 50, 1, 3, 1000, 2, List.of(ProcessHandle.current().pid()), 0, 1,
          LoadClient.Protocol.RTMP);
      JsonObject summary = new LoadClient(options).run();
      System.out.println(summary.encodePrettily());

      assertEquals(2, summary.getInteger("streams"));
      assertEquals(6, summary.getInteger("connected"), summary::encodePrettily);
      assertEquals(0, summary.getInteger("starved"), summary::encodePrettily);
      JsonObject perStream = summary.getJsonObject("framesPerStream");
      assertEquals(0, perStream.getInteger("streamsWithoutFrames"), summary::encodePrettily);
      assertTrue(perStream.getLong("min") > 3 * 30, "each stream's 3 players got 1 s of video or more: " + perStream);
      assertEquals(2, summary.getJsonObject("coldStreamsFirstFrameMs").getInteger("count"), summary::encodePrettily);
      assertEquals(2, summary.getJsonObject("server").getInteger("baselinePlayers"), summary::encodePrettily);
      assertTrue(summary.getJsonObject("addedDelayMs").getInteger("samples") > 0, summary::encodePrettily);
    }
  }

  @Test
  @Timeout(30)
  void publishLoadMeasuresTheServerPerPublisher() throws Exception {
    String base = startNode(2);
    Path flv = TestFlv.write(dir.resolve("synthetic.flv"), 2);
    PublishLoad.Options options = new PublishLoad.Options(flv, RtmpUrl.parse(base + "bench-key").numbered(2),
        0.5, 0.5, 1.5, List.of(ProcessHandle.current().pid()), 0);

    JsonObject summary = new PublishLoad(options).run();
    System.out.println(summary.encodePrettily());

    assertEquals(2, summary.getInteger("publishers"), summary::encodePrettily);
    assertEquals(2, summary.getInteger("publishing"), summary::encodePrettily);
    assertTrue(summary.getLong("streamBitsPerSecond") > 0, summary::encodePrettily);
    JsonObject server = summary.getJsonObject("server");
    assertNotNull(server.getValue("cpuMicrosPerPublisherSecond"), summary::encodePrettily);
    assertNotNull(server.getValue("cpuMicrosPerPublisherSecondAboveIdle"), summary::encodePrettily);
    assertNotNull(server.getValue("rssPerPublisherKb"), summary::encodePrettily);
    assertNotNull(summary.getJsonObject("unreadKb").getValue("max"), summary::encodePrettily);
  }
}

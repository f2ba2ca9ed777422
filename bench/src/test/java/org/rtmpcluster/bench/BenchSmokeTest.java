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
import org.rtmpcluster.common.config.StreamKey;
import org.rtmpcluster.common.testing.Await;
import org.rtmpcluster.server.RtmpNode;

/**
 * The bench tools end to end on a small scale, so CI notices when they break: a standalone node
 * in this JVM, the real-time publisher looping a synthetic FLV file, the load client with a few
 * players, on one stream and on two, and the publisher-side measurement. Not a benchmark: it
 * checks that the tools work, not how fast anything is.
 */
class BenchSmokeTest {

  private Vertx vertx;
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
        .withStreams(NodeConfig.DEFAULT.streams().withKeys(keys));
    RtmpNode node = Await.result(RtmpNode.deploy(vertx, config));
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
          1, 5, 50, 1, 3, 1000, 2, List.of(ProcessHandle.current().pid()), 0, 1);
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
          2, 6, 50, 1, 3, 1000, 2, List.of(ProcessHandle.current().pid()), 0, 1);
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

package org.rtmpcluster.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.rtmpcluster.common.config.NodeConfig;
import org.rtmpcluster.common.config.StreamKey;
import org.rtmpcluster.common.testing.Await;
import org.rtmpcluster.server.RtmpNode;

/**
 * The bench tools end to end on a small scale, so CI notices when they break: a standalone node
 * in this JVM, the real-time publisher looping a synthetic FLV file, and the load client with five
 * players. Not a benchmark: it checks that the tools work, not how fast anything is.
 */
class BenchSmokeTest {

  @Test
  @Timeout(30)
  void publisherAndLoadClientWorkAgainstANode(@TempDir Path dir) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      NodeConfig config = NodeConfig.DEFAULT
          .withRtmp(NodeConfig.DEFAULT.rtmp().withHost("127.0.0.1").withPort(0))
          .withStreams(NodeConfig.DEFAULT.streams().withKeys(List.of(new StreamKey("bench-key", "bench"))));
      RtmpNode node = Await.result(RtmpNode.deploy(vertx, config));
      String base = "rtmp://127.0.0.1:" + node.port() + "/live/";
      Path flv = TestFlv.write(dir.resolve("synthetic.flv"), 2);

      try (Publisher publisher = new Publisher(vertx, flv, List.of(RtmpUrl.parse(base + "bench-key")))) {
        publisher.start();
        LoadClient.Options defaults = LoadClient.Options.defaults(RtmpUrl.parse(base + "bench"));
        LoadClient.Options options = new LoadClient.Options(defaults.url(), RtmpUrl.parse(base + "bench"),
            5, 50, 1, 3, 1000, 2, List.of(ProcessHandle.current().pid()), 0, 1);
        JsonObject summary = new LoadClient(options).run();
        System.out.println(summary.encodePrettily());

        assertEquals(5, summary.getInteger("connected"), summary::encodePrettily);
        assertEquals(0, summary.getInteger("starved"), summary::encodePrettily);
        assertTrue(summary.getLong("framesReceived") > 5 * 30, summary::encodePrettily);
        assertTrue(summary.getDouble("receiveRateP5Ratio") > 0.9, summary::encodePrettily);
        assertTrue(summary.getJsonObject("addedDelayMs").getInteger("samples") > 0, summary::encodePrettily);
        assertTrue(publisher.loops() >= 1, "the 2 s file was looped within the run");
      }
    } finally {
      Await.result(vertx.close());
    }
  }
}

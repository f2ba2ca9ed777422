package org.rtmpcluster.server;

import io.vertx.core.Vertx;
import java.util.List;
import java.util.function.UnaryOperator;
import org.rtmpcluster.client.RtmpClient;
import org.rtmpcluster.common.config.NodeConfig;
import org.rtmpcluster.common.config.StreamKey;
import org.rtmpcluster.common.testing.Await;

/** A node on a free loopback port with its own Vert.x, for one test class. */
final class TestNode implements AutoCloseable {
  static final StreamKey KEY = new StreamKey("secret-key", "show");
  /** The stream KEY publishes, as the node knows it: its app and name. */
  static final String STREAM = "live/show";

  final Vertx vertx;
  final RtmpNode node;

  private TestNode(Vertx vertx, RtmpNode node) {
    this.vertx = vertx;
    this.node = node;
  }

  static TestNode start(UnaryOperator<NodeConfig> tweak) {
    NodeConfig base = NodeConfig.DEFAULT
        // Two loops whatever the machine: connections then land on both, and every test crosses them.
        .withRtmp(NodeConfig.DEFAULT.rtmp().withHost("127.0.0.1").withPort(0).withEventLoops(2))
        .withStreams(NodeConfig.DEFAULT.streams().withKeys(List.of(KEY)));
    Vertx vertx = Vertx.vertx();
    RtmpNode node = Await.result(RtmpNode.deploy(vertx, tweak.apply(base)));
    return new TestNode(vertx, node);
  }

  static TestNode start() {
    return start(c -> c);
  }

  int port() {
    return node.port();
  }

  RtmpClient connect() {
    return Await.result(RtmpClient.connect(vertx, "127.0.0.1", port(), "live"));
  }

  @Override
  public void close() {
    Await.result(vertx.close());
  }
}

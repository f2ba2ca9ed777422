package org.rtmpcluster.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rtmpcluster.client.RtmpCallException;
import org.rtmpcluster.client.RtmpClient;
import org.rtmpcluster.client.RtmpStatusException;
import org.rtmpcluster.common.config.StreamKey;
import org.rtmpcluster.common.rtmp.session.Status;
import org.rtmpcluster.common.testing.Await;

/** Apps are namespaces (issue 10): a stream is known by its app and name, and apps are configured. */
class AppsTest {
  private TestNode node;

  @AfterEach
  void stop() {
    if (node != null) {
      node.close();
    }
  }

  private RtmpClient connect(String app) {
    return Await.result(RtmpClient.connect(node.vertx, "127.0.0.1", node.port(), app));
  }


  @Test
  void aConnectToAnAppTheNodeDoesNotServeIsRejectedSayingWhich() {
    node = TestNode.start();
    Throwable failure = Await.failure(RtmpClient.connect(node.vertx, "127.0.0.1", node.port(), "vod"));
    RtmpCallException rejected = assertInstanceOf(RtmpCallException.class, failure, String.valueOf(failure));
    Map<?, ?> info = (Map<?, ?>) rejected.error().argument(0);
    assertEquals(Status.CONNECT_REJECTED, info.get("code"));
    assertEquals("this node serves no app 'vod'", info.get("description"));
    assertNotNull(connect("live"), "the default app is served");
    assertNotNull(connect("live/"), "with a trailing slash too");
  }

  @Test
  void aStreamPublishedInOneAppIsNotPlayedInAnother() {
    node = TestNode.start(c -> c.withStreams(c.streams().toBuilder().apps(List.of("*")).build()));
    RtmpClient publisher = connect("live");
    Await.on(publisher.context(), () -> publisher.publish(TestNode.KEY.key()));
    RtmpClient elsewhere = connect("show");
    Await.on(elsewhere.context(), () -> elsewhere.play("show"));
    Await.until(() -> node.node.hub().get("show/show") != null, "the other app's player waits");
    assertTrue(node.node.hub().get(TestNode.STREAM).isLive(), "live/show is live");
    assertTrue(!node.node.hub().get("show/show").isLive(), "show/show is another stream, not live");
  }

  @Test
  void aKeyBoundToAnAppPublishesOnlyThere() {
    node = TestNode.start(c -> c.withStreams(c.streams().toBuilder().apps(List.of("live", "backstage"))
        .keys(List.of(new StreamKey("crew-secret-key", "crew", "backstage"))).build()));
    RtmpClient wrongApp = connect("live");
    Throwable refused = Await.failureOn(wrongApp.context(), () -> wrongApp.publish("crew-secret-key"));
    assertEquals(Status.PUBLISH_DENIED, assertInstanceOf(RtmpStatusException.class, refused).code());
    RtmpClient rightApp = connect("backstage");
    Await.on(rightApp.context(), () -> rightApp.publish("crew-secret-key"));
    Await.until(() -> node.node.hub().get("backstage/crew") != null && node.node.hub().get("backstage/crew").isLive(),
        "backstage/crew is live");
  }
}

package org.rtmpcluster.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rtmpcluster.client.RtmpClient;
import org.rtmpcluster.client.RtmpStatusException;
import org.rtmpcluster.common.config.WebhookSettings;
import org.rtmpcluster.common.rtmp.session.Status;
import org.rtmpcluster.common.testing.Await;

/**
 * A node with {@code --auth-webhook}: the hook decides who publishes, under which name, and who
 * plays, and hears when they stop.
 */
class AuthWebhookTest {
  private TestNode node;
  private io.vertx.core.Vertx hookVertx;
  private final List<JsonObject> calls = new CopyOnWriteArrayList<>();

  @AfterEach
  void stop() {
    if (node != null) {
      node.close();
    }
    if (hookVertx != null) {
      Await.result(hookVertx.close());
    }
  }

  /** The operator's backend: encoder-key goes live as main-stage; viewers need ?ticket=valid. */
  private int startHook() {
    hookVertx = io.vertx.core.Vertx.vertx();
    HttpServer hook = hookVertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
      JsonObject call = body.toJsonObject();
      calls.add(call);
      String action = call.getString("action");
      if ("on_publish".equals(action) && "encoder-key".equals(call.getString("stream"))) {
        request.response().end(new JsonObject().put("name", "main-stage").encode());
      } else if ("on_play".equals(action) && "?ticket=valid".equals(call.getString("param"))) {
        request.response().end("ok");
      } else if (action.equals("on_unpublish") || action.equals("on_stop")) {
        request.response().end();
      } else {
        request.response().setStatusCode(403).end();
      }
    }));
    return Await.result(hook.listen(0, "127.0.0.1")).actualPort();
  }


  @Test
  void theHookNamesThePublishedStreamAndAdmitsOnlyItsViewers() {
    int port = startHook();
    node = TestNode.start(c -> c.withAuth(c.auth().withWebhook(
        WebhookSettings.DEFAULT.withUrl("http://127.0.0.1:" + port + "/hook"))));

    RtmpClient stranger = node.connect();
    Throwable refused = Await.failureOn(stranger.context(), () -> stranger.publish("guessed-key"));
    assertEquals(Status.PUBLISH_BAD_NAME, assertInstanceOf(RtmpStatusException.class, refused).code());

    RtmpClient encoder = node.connect();
    Await.on(encoder.context(), () -> encoder.publish("encoder-key"));
    Await.until(() -> node.node.hub().get("live/main-stage") != null && node.node.hub().get("live/main-stage").isLive(),
        "the stream live under the hook's name");

    RtmpClient noTicket = node.connect();
    Throwable denied = Await.failureOn(noTicket.context(), () -> noTicket.play("main-stage"));
    RtmpStatusException status = assertInstanceOf(RtmpStatusException.class, denied);
    assertEquals(Status.PLAY_FAILED, status.code());
    assertEquals("not allowed to play this stream", status.status().get("description"));

    RtmpClient viewer = node.connect();
    Await.on(viewer.context(), () -> viewer.play("main-stage?ticket=valid"));
    Await.until(() -> node.node.hub().get("live/main-stage").playerCount() == 1, "the viewer admitted");

    Await.result(viewer.close());
    Await.result(encoder.close());
    Await.until(() -> calls.stream().anyMatch(c -> "on_stop".equals(c.getString("action")))
        && calls.stream().anyMatch(c -> "on_unpublish".equals(c.getString("action"))), "stop and unpublish told");
    JsonObject unpublish = calls.stream().filter(c -> "on_unpublish".equals(c.getString("action"))).findFirst().get();
    assertEquals("encoder-key", unpublish.getString("stream"));
    assertTrue(calls.stream().noneMatch(c -> "on_stop".equals(c.getString("action"))
        && !"main-stage".equals(c.getString("stream"))), "only the admitted play is told of");
  }

  @Test
  void aHookThatIsDownDeniesEveryone() {
    int port = startHook();
    Await.result(hookVertx.close());
    hookVertx = null;
    node = TestNode.start(c -> c.withAuth(c.auth().withWebhook(
        WebhookSettings.DEFAULT.withUrl("http://127.0.0.1:" + port + "/hook").withTimeoutMs(1_000))));
    RtmpClient encoder = node.connect();
    Throwable refused = Await.failureOn(encoder.context(), () -> encoder.publish("encoder-key"));
    RtmpStatusException status = assertInstanceOf(RtmpStatusException.class, refused);
    assertEquals(Status.PUBLISH_BAD_NAME, status.code());
    assertEquals("the node cannot check this publish now; try again", status.status().get("description"));
  }
}

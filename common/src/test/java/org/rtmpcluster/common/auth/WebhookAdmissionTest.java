package org.rtmpcluster.common.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rtmpcluster.common.config.AuthAction;
import org.rtmpcluster.common.config.WebhookSettings;
import org.rtmpcluster.common.rtmp.session.Admission;
import org.rtmpcluster.common.rtmp.session.Admission.Decision;
import org.rtmpcluster.common.testing.Await;
import org.rtmpcluster.common.testing.EventLoops;

/** The auth webhook against a real HTTP server: what it sends, and what each answer means. */
class WebhookAdmissionTest {
  private final Vertx vertx = Vertx.vertx();
  private final Context loop = EventLoops.newContext(vertx);
  private final HttpClient client = vertx.createHttpClient();
  private final AtomicLong clock = new AtomicLong(1_000);
  /** Each request the hook got: its headers' signature and its body. */
  private final List<Seen> seen = new CopyOnWriteArrayList<>();
  private final AtomicReference<Consumer<HttpServerRequest>> answer =
      new AtomicReference<>(request -> request.response().end("ok"));
  private HttpServer hook;

  record Seen(String contentType, String signature, String body) {
  }

  @AfterEach
  void tearDown() {
    Await.result(vertx.close());
  }

  private int startHook() {
    hook = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
      seen.add(new Seen(request.getHeader("Content-Type"), request.getHeader("X-Signature"), body.toString()));
      answer.get().accept(request);
    }));
    return Await.result(hook.listen(0, "127.0.0.1")).actualPort();
  }

  private WebhookSettings settings(int port) {
    return WebhookSettings.DEFAULT.withUrl("http://127.0.0.1:" + port + "/auth").withTimeoutMs(500);
  }

  private WebhookAdmission admission(WebhookSettings settings) {
    return Await.on(loop, () -> io.vertx.core.Future.succeededFuture(
        new WebhookAdmission(vertx, client, settings, () -> "edge-1", clock::get)));
  }

  private static Admission.Request play(String name, String query) {
    return new Admission.Request(AuthAction.PLAY, "live", name, query, "10.1.2.3:50000",
        "rtmp://edge/live", "rtmps");
  }

  private static Admission.Request publish(String key) {
    return new Admission.Request(AuthAction.PUBLISH, "live", key, "", "10.1.2.4:50001", "rtmp://origin/live", "rtmp");
  }

  private Decision ask(Admission admission, Admission.Request request) {
    return Await.on(loop, () -> admission.admit(request));
  }

  @Test
  void aTwoHundredAllowsAndTheBodyHasWhatSrsHooksSend() {
    WebhookAdmission admission = admission(settings(startHook()));
    Decision decision = ask(admission, play("show", "token=abc"));
    assertTrue(decision.allowed());
    assertNull(decision.name(), "a play plays what it asked for");
    JsonObject body = new JsonObject(seen.get(0).body());
    assertEquals(new JsonObject().put("action", "on_play").put("app", "live").put("stream", "show")
        .put("param", "?token=abc").put("ip", "10.1.2.3").put("client_id", "10.1.2.3:50000")
        .put("node", "edge-1").put("tcUrl", "rtmp://edge/live").put("protocol", "rtmps"), body);
    assertEquals("application/json", seen.get(0).contentType());
    assertNull(seen.get(0).signature(), "no secret, no signature");
  }

  @Test
  void anyOtherStatusDeniesWithAReasonThatSaysNothingOfTheHook() {
    WebhookAdmission admission = admission(settings(startHook()));
    answer.set(request -> request.response().setStatusCode(403).end("{\"error\":\"banned user 42\"}"));
    Decision decision = ask(admission, play("show", ""));
    assertFalse(decision.allowed());
    assertEquals("not allowed to play this stream", decision.reason());
  }

  @Test
  void aHookThatDoesNotAnswerInTimeOrIsDownDeniesByDefault() {
    int port = startHook();
    WebhookAdmission admission = admission(settings(port));
    answer.set(request -> { }); // never answers
    Decision late = ask(admission, play("show", ""));
    assertFalse(late.allowed());
    assertEquals("the node cannot check this play now; try again", late.reason());

    Await.result(hook.close());
    assertFalse(ask(admission, play("show", "")).allowed(), "a hook that is down denies");
    WebhookAdmission lenient = admission(settings(port).withAllowOnError(true));
    assertTrue(ask(lenient, play("show", "")).allowed(), "on-error: allow");
  }

  @Test
  void answersAreCachedForTheirTimeAndPerRequest() {
    WebhookAdmission admission = admission(settings(startHook()).withCache(10_000, 2_000));
    assertTrue(ask(admission, play("show", "t=1")).allowed());
    assertTrue(ask(admission, play("show", "t=1")).allowed());
    assertEquals(1, seen.size(), "the second ask came from the cache");
    assertTrue(ask(admission, play("show", "t=2")).allowed());
    assertEquals(2, seen.size(), "another query is another request");
    clock.addAndGet(10_001);
    ask(admission, play("show", "t=1"));
    assertEquals(3, seen.size(), "an expired answer is asked again");

    answer.set(request -> request.response().setStatusCode(401).end());
    assertFalse(ask(admission, play("backstage", "")).allowed());
    assertFalse(ask(admission, play("backstage", "")).allowed());
    assertEquals(4, seen.size(), "a denial is cached for cache-deny-ms");
    clock.addAndGet(2_001);
    ask(admission, play("backstage", ""));
    assertEquals(5, seen.size());
  }

  @Test
  void srsHooksThatAnswerTwoHundredWithANonZeroCodeDeny() {
    WebhookAdmission admission = admission(settings(startHook()));
    answer.set(request -> request.response().end("{\"code\": 403}"));
    assertFalse(ask(admission, play("show", "")).allowed());
    answer.set(request -> request.response().end("1"));
    assertFalse(ask(admission, play("show", "")).allowed());
    answer.set(request -> request.response().end("{\"code\": 0}"));
    assertTrue(ask(admission, play("show", "")).allowed());
    answer.set(request -> request.response().end("0"));
    assertTrue(ask(admission, play("show", "")).allowed());
  }

  @Test
  void errorsAreNotCachedAndAnOverlongQueryIsNotAsked() {
    int port = startHook();
    WebhookAdmission admission = admission(settings(port).withCache(60_000, 60_000));
    Await.result(hook.close());
    assertFalse(ask(admission, play("show", "")).allowed());
    hook = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
      seen.add(new Seen(request.getHeader("Content-Type"), request.getHeader("X-Signature"), body.toString()));
      answer.get().accept(request);
    }));
    Await.result(hook.listen(port, "127.0.0.1"));
    assertTrue(ask(admission, play("show", "")).allowed(), "the error's denial was not kept");
    assertFalse(ask(admission, play("show", "t=" + "x".repeat(5000))).allowed());
    assertEquals(1, seen.size(), "an overlong query is refused without asking");
  }

  @Test
  void nginxFormFieldsCannotBeSetAgainFromTheQuery() {
    WebhookAdmission admission = admission(settings(startHook()).withFormat(WebhookSettings.Format.NGINX_FORM));
    ask(admission, play("show", "addr=10.0.0.1&app=private&token=abc&NAME=x"));
    assertTrue(seen.get(0).body().endsWith("&name=show&token=abc"), seen.get(0).body());
  }

  @Test
  void withASecretEveryBodyIsSigned() {
    String secret = "hook-secret-0123456789";
    WebhookAdmission admission = admission(settings(startHook()).withSecret(secret));
    ask(admission, play("show", ""));
    Seen request = seen.get(0);
    assertEquals("sha256=" + HmacSha256.hex(secret, Buffer.buffer(request.body()).getBytes()), request.signature());
  }

  @Test
  void aPublishReplyNamesTheStreamAndWithoutOneThePublishKeysDo() {
    WebhookAdmission admission = admission(settings(startHook()));
    answer.set(request -> request.response().putHeader("Content-Type", "application/json").end("{\"name\":\"main-stage\"}"));
    Decision named = ask(admission, publish("encoder-key-1"));
    assertTrue(named.allowed());
    assertEquals("main-stage", named.name());
    answer.set(request -> request.response().end());
    Decision unnamed = ask(admission, publish("encoder-key-2"));
    assertTrue(unnamed.allowed());
    assertNull(unnamed.name(), "no name of the hook's: the keys map the key, which players never see");
    answer.set(request -> request.response().end("{\"name\":\"../etc\"}"));
    assertFalse(ask(admission, publish("encoder-key-3")).allowed(), "a name with a slash is not a stream name");
  }

  @Test
  void nginxFormatSendsNginxRtmpsFieldsAndTakesALocationAsARename() {
    WebhookAdmission admission = admission(settings(startHook()).withFormat(WebhookSettings.Format.NGINX_FORM));
    answer.set(request -> request.response().setStatusCode(302).putHeader("Location", "main-stage").end());
    Decision renamed = ask(admission, publish("encoder-key"));
    assertTrue(renamed.allowed());
    assertEquals("main-stage", renamed.name());
    assertEquals("application/x-www-form-urlencoded", seen.get(0).contentType());
    assertEquals("call=publish&addr=10.1.2.4&clientid=10.1.2.4%3A50001&app=live&flashver=&swfurl="
        + "&tcurl=rtmp%3A%2F%2Forigin%2Flive&pageurl=&name=encoder-key&type=live", seen.get(0).body());
  }

  @Test
  void theEndOfAnAdmittedPlayIsToldAndAnActionNotAskedAboutPasses() {
    WebhookAdmission admission = admission(settings(startHook()));
    Admission.Request request = play("show", "");
    ask(admission, request);
    loop.runOnContext(v -> admission.ended(request));
    Await.until(() -> seen.size() == 2, "the stop told");
    assertEquals("on_stop", new JsonObject(seen.get(1).body()).getString("action"));

    WebhookAdmission publishOnly = admission(new WebhookSettings(settings(hook.actualPort()).url(),
        java.util.Set.of(AuthAction.PUBLISH), WebhookSettings.Format.JSON, 500, false, 0, 0, 100, null));
    assertTrue(ask(publishOnly, play("show", "")).allowed());
    assertEquals(2, seen.size(), "plays are not asked about");
  }
}

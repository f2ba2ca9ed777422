package org.rtmpcluster.common.auth;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.rtmpcluster.common.config.AuthAction;
import org.rtmpcluster.common.config.WebhookSettings;
import org.rtmpcluster.common.rtmp.session.Admission;
import org.rtmpcluster.common.stream.StreamNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks an operator's HTTP endpoint whether a publish or play may go ahead ({@link
 * WebhookSettings}), without blocking the event loop: a POST, any 2xx allows, anything else denies,
 * and an error or a timeout is what {@code on-error} says. Answers may be cached per event loop,
 * bounded in time and entries. Unpublish and stop are told fire-and-forget.
 *
 * <p>One per event loop: its cache is not shared, and it is used on that loop only.
 */
public final class WebhookAdmission implements Admission {
  private static final Logger log = LoggerFactory.getLogger(WebhookAdmission.class);
  /** A hook answers "ok" or a small JSON object; more is not read. */
  static final int MAX_REPLY_BYTES = 64 * 1024;
  /** Longer public names are not stream names. */
  private static final int MAX_NAME_LENGTH = 256;
  /** A token and a few parameters fit; longer queries are not asked about (nor cached). */
  static final int MAX_QUERY_LENGTH = 4096;
  /** nginx-rtmp's own fields: a client's query may not set them a second time. */
  private static final java.util.Set<String> FORM_FIELDS = java.util.Set.of("call", "addr", "clientid", "app",
      "flashver", "swfurl", "tcurl", "pageurl", "name", "type");

  private record Cached(Decision decision, long untilMs) {
  }

  private final Vertx vertx;
  private final HttpClient client;
  private final WebhookSettings settings;
  private final Supplier<String> nodeName;
  private final LongSupplier clockMs;
  private final Map<String, Cached> cache;

  /**
   * @param client   shared by the node's loops; requests complete on the caller's loop
   * @param nodeName this node's name, for the hook's {@code node} field
   * @param clockMs  a monotonic clock for the cache
   */
  public WebhookAdmission(Vertx vertx, HttpClient client, WebhookSettings settings, Supplier<String> nodeName,
      LongSupplier clockMs) {
    this.vertx = vertx;
    this.client = client;
    this.settings = settings;
    this.nodeName = nodeName;
    this.clockMs = clockMs;
    int max = settings.cacheMaxEntries();
    this.cache = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Cached> eldest) {
        return size() > max;
      }
    };
  }

  @Override
  public Future<Decision> admit(Request request) {
    if (!settings.asks(request.action())) {
      return Future.succeededFuture(Decision.ALLOW);
    }
    if (request.query().length() > MAX_QUERY_LENGTH || request.name().length() > MAX_NAME_LENGTH) {
      return Future.succeededFuture(Decision.refuse("the stream name or its query string is too long"));
    }
    String cacheKey = request.action() + "\n" + request.protocol() + "\n" + request.app() + "\n" + request.name()
        + "\n" + request.query() + "\n" + host(request.remote());
    Cached cached = cache.get(cacheKey);
    long now = clockMs.getAsLong();
    if (cached != null && now < cached.untilMs) {
      return Future.succeededFuture(cached.decision);
    }
    return call(request, request.action().label()).map(reply -> decide(request, reply))
        .onSuccess(decision -> remember(cacheKey, decision))
        .recover(error -> {
          log.warn("auth webhook: {} of {}/{} from {}: {}; {}", request.action().label(), request.app(),
              printable(request.name(), request.action()), request.remote(), error.getMessage(),
              settings.allowOnError() ? "allowing (on-error: allow)" : "denying (on-error: deny)");
          return Future.succeededFuture(settings.allowOnError() ? Decision.ALLOW
              : Decision.refuse("the node cannot check this " + request.action().label() + " now; try again"));
        });
  }

  private void remember(String cacheKey, Decision decision) {
    int ttl = decision.allowed() ? settings.cacheAllowMs() : settings.cacheDenyMs();
    if (ttl > 0 && settings.cacheMaxEntries() > 0) {
      cache.put(cacheKey, new Cached(decision, clockMs.getAsLong() + ttl));
    }
  }

  @Override
  public void ended(Request request) {
    if (!settings.asks(request.action())) {
      return;
    }
    String event = request.action() == AuthAction.PUBLISH ? "unpublish" : "stop";
    call(request, event).onFailure(error -> log.info("auth webhook: telling it of the {} of {}/{} failed: {}",
        event, request.app(), printable(request.name(), request.action()), error.getMessage()));
  }

  /** The hook's answer: its status, its Location header and the start of its body. */
  record Reply(int status, String location, Buffer body) {
  }

  private Decision decide(Request request, Reply reply) {
    if (settings.format() == WebhookSettings.Format.NGINX_FORM && reply.status >= 300 && reply.status < 400
        && reply.location != null) {
      // nginx-rtmp: a 3xx Location that is not a URL renames the stream.
      return named(request, reply.location, "the webhook's Location");
    }
    if (reply.status < 200 || reply.status >= 300) {
      log.info("auth webhook: {} of {}/{} from {} denied (HTTP {})", request.action().label(), request.app(),
          printable(request.name(), request.action()), request.remote(), reply.status);
      return Decision.refuse("not allowed to " + request.action().label() + " this stream");
    }
    if (settings.format() == WebhookSettings.Format.JSON && deniedInBody(reply.body)) {
      // SRS's http_hooks answer 200 with {"code": <non-zero>} (or a body other than 0) to deny.
      log.info("auth webhook: {} of {}/{} from {} denied by the reply's code", request.action().label(),
          request.app(), printable(request.name(), request.action()), request.remote());
      return Decision.refuse("not allowed to " + request.action().label() + " this stream");
    }
    if (settings.format() == WebhookSettings.Format.JSON && request.action() == AuthAction.PUBLISH) {
      String name = replyName(reply.body);
      if (name != null) {
        return named(request, name, "the webhook's reply");
      }
    }
    // Without a name of the hook's, the publish keys say which stream the key publishes: a
    // publish name is the secret key, and players must never see it.
    return Decision.ALLOW;
  }

  private Decision named(Request request, String name, String where) {
    if (name.isEmpty() || name.length() > MAX_NAME_LENGTH || name.contains("/") || name.contains("?")
        || name.contains("://") || name.chars().anyMatch(Character::isISOControl)) {
      log.warn("auth webhook: {} gave an unusable stream name for {} from {}", where, request.action().label(),
          request.remote());
      return Decision.refuse("the node cannot check this " + request.action().label() + " now; try again");
    }
    return Decision.allowAs(name);
  }

  /** A JSON reply whose "code" is a number other than 0, or a bare number other than 0. */
  private static boolean deniedInBody(Buffer body) {
    String text = body.toString(StandardCharsets.UTF_8).trim();
    if (text.matches("-?\\d{1,18}")) {
      return Long.parseLong(text) != 0;
    }
    if (!text.startsWith("{")) {
      return false;
    }
    try {
      Object code = new JsonObject(text).getValue("code");
      return code instanceof Number number && number.longValue() != 0;
    } catch (DecodeException e) {
      return false;
    }
  }

  private static String replyName(Buffer body) {
    if (body.length() == 0 || body.getByte(0) != '{') {
      return null;
    }
    try {
      Object name = new JsonObject(body).getValue("name");
      return name instanceof String s ? s : null;
    } catch (DecodeException e) {
      return null;
    }
  }

  private Future<Reply> call(Request request, String event) {
    if (settings.format() == WebhookSettings.Format.NGINX_FORM) {
      return post("application/x-www-form-urlencoded", Buffer.buffer(form(request, event)));
    }
    return post("application/json", json(request, event).toBuffer());
  }

  /**
   * Tells the hook a recording is finished: SRS's {@code on_dvr} body (with the duration and size),
   * or nginx-rtmp's {@code record_done} form. Its answer changes nothing; a failure is logged.
   *
   * @param stream {@code app/name}
   */
  public void recordDone(String stream, String path, long durationMs, long bytes) {
    int slash = stream.indexOf('/');
    String app = slash < 0 ? "" : stream.substring(0, slash);
    String name = stream.substring(slash + 1);
    Future<Reply> told;
    if (settings.format() == WebhookSettings.Format.NGINX_FORM) {
      told = post("application/x-www-form-urlencoded", Buffer.buffer("call=record_done&app=" + encode(app)
          + "&name=" + encode(name) + "&path=" + encode(path) + "&recorder=" + "&duration="
          + encode(String.valueOf(durationMs / 1000.0)) + "&bytes=" + bytes));
    } else {
      told = post("application/json", new JsonObject().put("action", "on_dvr").put("app", app).put("stream", name)
          .put("file", path).put("durationMs", durationMs).put("bytes", bytes).put("node", nodeName.get()).toBuffer());
    }
    told.onFailure(error -> log.info("auth webhook: telling it of the recording {} failed: {}", path,
        error.getMessage()));
  }

  private Future<Reply> post(String contentType, Buffer body) {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(settings.url())
        .setConnectTimeout(settings.timeoutMs()).setIdleTimeout(settings.timeoutMs())
        .putHeader("Content-Type", contentType).putHeader("User-Agent", "rtmp-cluster");
    if (settings.secret() != null) {
      options.putHeader("X-Signature", "sha256=" + HmacSha256.hex(settings.secret(), body.getBytes()));
    }
    Promise<Reply> answer = Promise.promise();
    long deadline = vertx.setTimer(settings.timeoutMs(),
        id -> answer.tryFail("no answer within " + settings.timeoutMs() + " ms"));
    client.request(options)
        .compose(http -> http.send(body))
        .compose(this::read)
        .onComplete(done -> {
          vertx.cancelTimer(deadline);
          if (done.succeeded()) {
            answer.tryComplete(done.result());
          } else {
            answer.tryFail(done.cause());
          }
        });
    return answer.future();
  }

  /** Reads at most {@link #MAX_REPLY_BYTES} of the reply's body; the rest is dropped. */
  private Future<Reply> read(HttpClientResponse response) {
    Promise<Reply> read = Promise.promise();
    Buffer body = Buffer.buffer();
    response.handler(chunk -> {
      int room = MAX_REPLY_BYTES - body.length();
      if (room > 0) {
        body.appendBuffer(chunk, 0, Math.min(room, chunk.length()));
      }
    });
    response.exceptionHandler(read::tryFail);
    response.endHandler(v -> read.tryComplete(new Reply(response.statusCode(), response.getHeader("Location"), body)));
    return read.future();
  }

  /** SRS's http_hooks body, with the node's name. */
  private JsonObject json(Request request, String event) {
    return new JsonObject()
        .put("action", "on_" + event)
        .put("app", request.app())
        .put("stream", request.name())
        .put("param", request.query().isEmpty() ? "" : "?" + request.query())
        .put("ip", host(request.remote()))
        .put("client_id", request.remote())
        .put("node", nodeName.get())
        .put("tcUrl", request.tcUrl())
        .put("protocol", request.protocol());
  }

  /** nginx-rtmp's on_publish / on_play / on_done fields, with the name's query string appended as it does. */
  private String form(Request request, String event) {
    String call = switch (event) {
      case "unpublish", "stop" -> "done";
      default -> event;
    };
    StringBuilder form = new StringBuilder()
        .append("call=").append(encode(call))
        .append("&addr=").append(encode(host(request.remote())))
        .append("&clientid=").append(encode(request.remote()))
        .append("&app=").append(encode(request.app()))
        .append("&flashver=&swfurl=")
        .append("&tcurl=").append(encode(request.tcUrl()))
        .append("&pageurl=")
        .append("&name=").append(encode(request.name()));
    if (request.action() == AuthAction.PUBLISH) {
      form.append("&type=live");
    }
    for (String pair : request.query().split("&")) {
      int eq = pair.indexOf('=');
      String field = eq < 0 ? pair : pair.substring(0, eq);
      if (!pair.isEmpty() && !FORM_FIELDS.contains(field.toLowerCase(java.util.Locale.ROOT))) {
        form.append('&').append(pair);
      }
    }
    return form.toString();
  }

  private static String encode(String value) {
    return URLEncoder.encode(value == null ? "" : value, StandardCharsets.UTF_8);
  }

  private static String host(String remote) {
    int colon = remote.lastIndexOf(':');
    return colon > 0 ? remote.substring(0, colon) : remote;
  }

  /** A publish's name is its key: logs show only its start. */
  private static String printable(String name, AuthAction action) {
    if (action == AuthAction.PUBLISH) {
      return org.rtmpcluster.common.config.StreamKey.mask(name);
    }
    return StreamNames.printable(name);
  }

}

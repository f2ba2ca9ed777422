package org.rtmpcluster.server.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.rtmpcluster.common.config.HttpSettings;
import org.rtmpcluster.server.stats.NodeMetrics;
import org.rtmpcluster.server.stats.NodeStats;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operators' HTTP API: GET /health, /api/node and /api/streams as JSON, /metrics for
 * Prometheus, and at / a status page that reads /api/ (docs/operations.md). With {@code http.api-token} set, /api/ and /metrics need it as
 * a bearer token; /health stays open for probes. A few fixed read-only routes need no web
 * framework, so this is Vert.x core's HttpServer.
 *
 * <p>Create and start it on the node's event loop: its handlers then run there too and read the
 * node's hubs and registries without locks. Nothing here blocks; the cluster-wide stream list
 * comes from asynchronous map reads.
 */
public final class HttpApi {
  private static final Logger log = LoggerFactory.getLogger(HttpApi.class);

  private final Vertx vertx;
  private final HttpSettings settings;
  private final NodeStats stats;
  private final NodeMetrics metrics;
  /** The whole Authorization header a request must carry, or null for an open API. */
  private final byte[] expectedAuthorization;
  private HttpServer server;
  /** The status page's files by path, read from the classpath when the API starts. */
  private final Map<String, Page> pages = new HashMap<>();

  /** A file of the status page. */
  private record Page(String resource, String contentType, Buffer body) {
  }

  public HttpApi(Vertx vertx, HttpSettings settings, NodeStats stats, NodeMetrics metrics) {
    this.vertx = vertx;
    this.settings = settings;
    this.stats = stats;
    this.metrics = metrics;
    this.expectedAuthorization = settings.apiToken() == null ? null
        : ("Bearer " + settings.apiToken()).getBytes(StandardCharsets.UTF_8);
  }

  public Future<HttpServer> start() {
    List<Page> files = List.of(new Page("status/index.html", "text/html; charset=utf-8", null),
        new Page("status/status.js", "text/javascript; charset=utf-8", null),
        new Page("status/status.css", "text/css; charset=utf-8", null));
    // Vert.x's file system reads classpath resources too, off the event loop.
    Future<?> loaded = Future.all(files.stream().map(page -> vertx.fileSystem().readFile(page.resource())
        .onSuccess(body -> pages.put(pathOf(page.resource()), new Page(page.resource(), page.contentType(), body))))
        .toList());
    return loaded.compose(read -> {
      server = vertx.createHttpServer(new HttpServerOptions());
      server.requestHandler(this::handle);
      return server.listen(settings.port(), settings.host());
    });
  }

  private static String pathOf(String resource) {
    return resource.endsWith("index.html") ? "/" : resource.substring("status".length());
  }

  public Future<Void> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  /** The bound port (the real one when configured as 0). */
  public int port() {
    return server.actualPort();
  }

  private void handle(HttpServerRequest request) {
    String path = request.path();
    Page page = pages.get(path);
    if (page != null && request.method() == HttpMethod.GET) {
      servePage(request, page);
      return;
    }
    if ((path.startsWith("/api/") || "/metrics".equals(path)) && !authorized(request)) {
      request.response().putHeader("WWW-Authenticate", "Bearer realm=\"rtmp-cluster\"");
      send(request, 401, error("this node's API needs its token: Authorization: Bearer <http.api-token>"));
      return;
    }
    boolean known = "/health".equals(path) || "/api/node".equals(path) || "/api/streams".equals(path)
        || "/metrics".equals(path) || pages.containsKey(path);
    if (!known) {
      send(request, 404, error("no such resource: " + path
          + " (try /, /health, /metrics, /api/node or /api/streams)"));
      return;
    }
    if (request.method() != HttpMethod.GET) {
      request.response().putHeader("Allow", "GET");
      send(request, 405, error(request.method() + " is not allowed; this API is read-only (GET)"));
      return;
    }
    try {
      switch (path) {
        case "/health" -> {
          NodeStats.Health health = stats.health();
          send(request, health.up() ? 200 : 503, health.body());
        }
        case "/api/node" -> send(request, 200, stats.node());
        case "/metrics" -> request.response().setStatusCode(200)
            .putHeader("Content-Type", NodeMetrics.contentType()).putHeader("Cache-Control", "no-store")
            .end(metrics.scrape());
        default -> stats.streams().onComplete(ar -> {
          if (ar.succeeded()) {
            send(request, 200, ar.result());
          } else {
            log.warn("GET /api/streams: cannot read the cluster's maps: {}", ar.cause().toString());
            send(request, 503, error("cannot read the cluster's stream registry: " + ar.cause().getMessage()));
          }
        });
      }
    } catch (RuntimeException e) {
      // A bug must not leave the client hanging nor unwind into the event loop.
      log.error("GET {} failed", path, e);
      send(request, 500, error("internal error: " + e));
    }
  }

  /**
   * The status page holds no data (its script reads /api/ with the operator's token), so it is
   * served to anyone who reaches the port; it may run only its own script and styles, may not be
   * framed, and may fetch from anywhere (the preview reads an edge's HLS on another port).
   */
  private static void servePage(HttpServerRequest request, Page page) {
    request.response().setStatusCode(200).putHeader("Content-Type", page.contentType())
        .putHeader("Cache-Control", "no-cache")
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("Content-Security-Policy", "default-src 'self'; connect-src *; media-src 'self' blob:; "
            + "img-src 'self' data:; frame-ancestors 'none'")
        .putHeader("Referrer-Policy", "no-referrer")
        .end(page.body());
  }

  /** With no token configured the API is open; with one, the request must carry it (compared in constant time). */
  private boolean authorized(HttpServerRequest request) {
    if (expectedAuthorization == null) {
      return true;
    }
    String given = request.getHeader("Authorization");
    return given != null
        && MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), expectedAuthorization);
  }

  private static JsonObject error(String message) {
    return new JsonObject().put("error", message);
  }

  private static void send(HttpServerRequest request, int status, JsonObject body) {
    if (request.response().ended() || request.response().closed()) {
      return;
    }
    request.response().setStatusCode(status)
        .putHeader("Content-Type", "application/json; charset=utf-8")
        .putHeader("Cache-Control", "no-store")
        .end(body.encodePrettily());
  }
}

package org.rtmpcluster.edge.http;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Predicate;
import org.rtmpcluster.common.config.AuthAction;
import org.rtmpcluster.common.config.StreamSettings;
import org.rtmpcluster.common.rtmp.session.Admission;
import org.rtmpcluster.common.stream.LiveStream;
import org.rtmpcluster.common.stream.StreamNames;
import org.rtmpcluster.edge.PlayerCounters;
import org.rtmpcluster.common.config.RenditionGroup;
import org.rtmpcluster.common.rtmp.session.Refusals;
import org.rtmpcluster.edge.hls.HlsService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP-FLV and WebSocket-FLV playback: {@code GET /<app>/<name>.flv} answers with a live FLV file
 * of the stream, and the same URL as a WebSocket sends it as binary messages, as nginx-http-flv,
 * SRS and mpegts.js expect. The same streams, apps, tokens and webhook as RTMP players; a name
 * nobody publishes yet is waited for. CORS on every answer, for players on other origins. One per
 * event loop, reading that loop's streams; used on that loop only.
 */
public final class HttpFlvService {
  private static final Logger log = LoggerFactory.getLogger(HttpFlvService.class);

  private final StreamSettings settings;
  private final Function<String, LiveStream> streams;
  private final Admission admission;
  private final Predicate<String> servesApp;
  private final List<String> corsOrigins;
  private final PlayerCounters counters;
  private final Refusals refusals;
  private final BooleanSupplier draining;
  private final BooleanSupplier overBudget;
  private final Map<String, HttpFlvFanout> fanouts = new HashMap<>();
  private HlsService hls;

  /**
   * @param streams the stream of an {@code app/name}, created (and fed) if need be; null when the
   *                node holds its maximum of streams
   */
  public HttpFlvService(StreamSettings settings, Function<String, LiveStream> streams, Admission admission,
      List<String> corsOrigins, PlayerCounters counters, BooleanSupplier draining, BooleanSupplier overBudget,
      Refusals refusals) {
    this.refusals = refusals;
    this.draining = draining;
    this.overBudget = overBudget;
    this.settings = settings;
    this.streams = streams;
    this.admission = admission;
    this.servesApp = settings::servesApp;
    this.corsOrigins = List.copyOf(corsOrigins);
    this.counters = counters;
  }

  /** Serves HLS beside HTTP-FLV, from the same streams. */
  public HttpFlvService withHls(HlsService service) {
    this.hls = service;
    return this;
  }

  /** Viewers on this loop, all streams. */
  public int viewers() {
    return fanouts.values().stream().mapToInt(HttpFlvFanout::players).sum();
  }

  public void handle(HttpServerRequest request) {
    HttpServerResponse response = request.response();
    cors(request, response);
    if (request.method() == HttpMethod.OPTIONS) {
      response.putHeader("Access-Control-Allow-Methods", "GET, OPTIONS")
          .putHeader("Access-Control-Allow-Headers", "*")
          .putHeader("Access-Control-Max-Age", "86400").setStatusCode(204).end();
      return;
    }
    if (request.method() != HttpMethod.GET) {
      response.putHeader("Allow", "GET, OPTIONS");
      plain(response, 405, "only GET plays a stream");
      return;
    }
    if (draining.getAsBoolean()) {
      refusals.count(protocolOf(request), "503 draining");
      plain(response, 503, "this node is shutting down; play from another edge");
      return;
    }
    if (overBudget.getAsBoolean()) {
      refusals.count(protocolOf(request), "503 over budget");
      counters.playerRefusedOverBudget();
      plain(response, 503, "this node is over its memory budget for players (memory.direct-bytes); "
          + "try again shortly or play from another edge");
      return;
    }
    String path = request.path();
    String[] parts = path.split("/", -1);
    if (hls != null && parts.length == 4 && parts[0].isEmpty() && !parts[1].isEmpty() && !parts[2].isEmpty()
        && !parts[3].isEmpty()) {
      serveHls(request, parts[1], parts[2], parts[3]);
      return;
    }
    int slash = path.indexOf('/', 1);
    if (!path.endsWith(".flv") || slash < 0 || slash == path.length() - 5) {
      plain(response, 404, "no such stream: play /<app>/<name>.flv");
      return;
    }
    String app = path.substring(1, slash);
    String name = path.substring(slash + 1, path.length() - ".flv".length());
    if (name.isEmpty() || name.contains("/")) {
      plain(response, 404, "no such stream: play /<app>/<name>.flv");
      return;
    }
    boolean webSocket = "websocket".equalsIgnoreCase(request.getHeader("Upgrade"));
    admit(request, app, name, webSocket ? "ws-flv" : "http-flv", (streamName, asked) -> {
      String full = "this node holds its maximum of " + settings.maxStreams() + " streams";
      if (webSocket) {
        // The fan-out (and the stream with it) is made once the socket is there to join it.
        request.toWebSocket().onSuccess(socket -> {
          HttpFlvFanout fanout = fanoutOf(streamName);
          if (fanout == null) {
            refusals.count("ws-flv", "503 node full");
            socket.close((short) 1013, full);
            return;
          }
          join(fanout, streamName, asked, FlvSink.of(socket), closed -> socket.closeHandler(v -> closed.run()));
        }).onFailure(e -> log.info("WebSocket-FLV play of {} from {} failed: {}", streamName, asked.remote(),
            e.getMessage()));
        return;
      }
      request.resume();
      HttpFlvFanout fanout = fanoutOf(streamName);
      if (fanout == null) {
        refusals.count("http-flv", "503 node full");
        plain(response, 503, full);
        return;
      }
      response.setChunked(true)
          .putHeader("Content-Type", "video/x-flv")
          .putHeader("Cache-Control", "no-cache, no-store");
      join(fanout, streamName, asked, FlvSink.of(response), closed -> response.closeHandler(v -> closed.run()));
    });
  }

  /**
   * Asks the admission whether the request may play {@code app/name}, reading nothing from it
   * meanwhile; a refusal is answered here, an admitted request is handed on, still paused, with the
   * stream it plays (which a webhook may have renamed).
   */
  private void admit(HttpServerRequest request, String app, String name, String protocol,
      BiConsumer<String, Admission.Request> admitted) {
    HttpServerResponse response = request.response();
    if (!servesApp.test(app)) {
      plain(response, 404, "this node serves no app '" + (app.length() > 64 ? app.substring(0, 64) : app) + "'");
      return;
    }
    String query = request.query() == null ? "" : request.query();
    String remote = request.remoteAddress() == null ? "unknown" : request.remoteAddress().toString();
    String pageUrl = request.getHeader("Referer") == null ? "" : request.getHeader("Referer");
    request.pause();
    Admission.Request asked = new Admission.Request(AuthAction.PLAY, app, name, query, remote, pageUrl, protocol);
    admission.admit(asked).onComplete(done -> {
      if (response.closed()) {
        return;
      }
      Admission.Decision decision = done.succeeded() ? done.result()
          : Admission.Decision.refuse("cannot check the play: " + done.cause().getMessage());
      if (!decision.allowed()) {
        log.info("{} play of {}/{} from {} refused: {}", protocol, app, StreamNames.printable(name), remote,
            decision.reason());
        request.resume();
        refusals.count(protocol, "403 not admitted");
        plain(response, 403, decision.reason());
        return;
      }
      admitted.accept(StreamNames.of(app, decision.name() != null ? decision.name() : name), asked);
    });
  }

  /** HLS: the playlist, the init segment and the segments of /<app>/<name>/, each request admitted. */
  private void serveHls(HttpServerRequest request, String app, String name, String file) {
    // A viewer admitted to an event (a rendition group) may play each of its renditions.
    RenditionGroup group = settings.groupOf(StreamNames.of(app, name));
    String admitted = group == null ? name : group.name().substring(app.length() + 1);
    admit(request, app, admitted, "hls", (streamName, asked) -> {
      request.resume();
      hls.serve(group == null ? streamName : StreamNames.of(app, name), file, asked.query(), request.response());
    });
  }


  /** The protocol a request plays with, as refusals and admissions name it. */
  private static String protocolOf(HttpServerRequest request) {
    if (!request.path().endsWith(".flv")) {
      return "hls";
    }
    return "websocket".equalsIgnoreCase(request.getHeader("Upgrade")) ? "ws-flv" : "http-flv";
  }

  /** The fan-out of a stream on this loop, made (with the stream) if need be; null when the node is full. */
  private HttpFlvFanout fanoutOf(String streamName) {
    HttpFlvFanout fanout = fanouts.get(streamName);
    if (fanout != null) {
      return fanout;
    }
    LiveStream stream = streams.apply(streamName);
    if (stream == null) {
      return null;
    }
    HttpFlvFanout created = new HttpFlvFanout(stream, () -> fanouts.remove(streamName));
    fanouts.put(streamName, created);
    return created;
  }

  /**
   * @param asked   what the admission allowed: it hears when the viewer goes (a webhook's on_stop)
   * @param onClose registers what to do when the viewer's connection closes
   */
  private void join(HttpFlvFanout fanout, String streamName, Admission.Request asked, FlvSink sink,
      java.util.function.Consumer<Runnable> onClose) {
    HttpFlvViewer viewer = new HttpFlvViewer(sink, asked.remote(), settings, counters,
        () -> admission.ended(asked));
    log.info("{} plays {} over {}", asked.remote(), streamName, asked.protocol());
    counters.viewerJoined(asked.protocol());
    onClose.accept(() -> {
      counters.viewerLeft(asked.protocol());
      fanout.remove(viewer);
    });
    fanout.add(viewer);
  }

  private void cors(HttpServerRequest request, HttpServerResponse response) {
    String origin = request.getHeader("Origin");
    if (corsOrigins.contains("*")) {
      response.putHeader("Access-Control-Allow-Origin", "*");
    } else if (origin != null && corsOrigins.contains(origin)) {
      response.putHeader("Access-Control-Allow-Origin", origin).putHeader("Vary", "Origin");
    }
  }

  private static void plain(HttpServerResponse response, int status, String message) {
    response.setStatusCode(status).putHeader("Content-Type", "text/plain; charset=utf-8").end(message + "\n");
  }
}

package org.rtmpcluster.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * One HLS viewer of the load client, reading {@code /<app>/<name>/index.m3u8} as a player does
 * that plays whole segments: on each load of the playlist it fetches the init segment it has not
 * got and the segments it has not fetched yet (on its first load the newest
 * {@value #FIRST_SEGMENTS} only), one request at a time; then it reloads. Where the playlist says
 * {@code CAN-BLOCK-RELOAD=YES} (LL-HLS, as ours does) the reload is a blocking one,
 * {@code ?_HLS_msn=<last + 1>}, which the server answers once the next segment is there, as an
 * LL-HLS player's; otherwise it polls, a target duration after a reload that brought something
 * new and half of one after one that did not (RFC 8216 6.3.4). Parts are not fetched.
 *
 * <p>Its media time is the duration of the segments it got, so it advances a segment at a time;
 * {@link #starvedSlackMs} allows for that. Bodies are counted as they arrive, never kept, except
 * the playlist's. Its counters are written on its context's event loop only.
 */
final class HlsPlayer implements Viewer {

  /** Segments a viewer starts with: the newest this many of its first playlist. */
  static final int FIRST_SEGMENTS = 3;
  /** A blocking reload is held up to 3 target durations (6 s) by our edge; no byte in this long gives up. */
  static final long IDLE_TIMEOUT_MS = 15_000;
  /** Wait before asking again after a refused or failed request. */
  static final long RETRY_MS = 500;

  /** A whole segment of a playlist: its media sequence number, duration and URI. */
  record Listed(long number, long durationMs, String uri) {
  }

  /** What the viewer reads of a media playlist. */
  record Playlist(long targetMs, boolean canBlockReload, String map, List<Listed> segments) {

    static Playlist parse(String text) {
      long targetMs = 0;
      long sequence = 0;
      boolean canBlock = false;
      String map = null;
      double duration = -1;
      List<Listed> segments = new ArrayList<>();
      for (String raw : text.split("\n")) {
        String line = raw.trim();
        if (line.startsWith("#EXT-X-TARGETDURATION:")) {
          targetMs = Math.round(Double.parseDouble(value(line)) * 1000);
        } else if (line.startsWith("#EXT-X-MEDIA-SEQUENCE:")) {
          sequence = Long.parseLong(value(line));
        } else if (line.startsWith("#EXT-X-SERVER-CONTROL:")) {
          canBlock = line.contains("CAN-BLOCK-RELOAD=YES");
        } else if (line.startsWith("#EXT-X-MAP:")) {
          int start = line.indexOf("URI=\"");
          map = start < 0 ? null : line.substring(start + 5, line.indexOf('"', start + 5));
        } else if (line.startsWith("#EXTINF:")) {
          String rest = value(line);
          int comma = rest.indexOf(',');
          duration = Double.parseDouble(comma < 0 ? rest : rest.substring(0, comma));
        } else if (!line.isEmpty() && !line.startsWith("#") && duration >= 0) {
          // Segments are numbered from the media sequence, one per EXTINF (RFC 8216 6.3.5).
          segments.add(new Listed(sequence + segments.size(), Math.round(duration * 1000), line));
          duration = -1;
        }
      }
      return new Playlist(targetMs, canBlock, map, segments);
    }

    private static String value(String line) {
      return line.substring(line.indexOf(':') + 1).trim();
    }
  }

  private record Reply(int status, String body) {
  }

  private final HttpClient http;
  private final Context context;
  private final Promise<Void> firstFrame = Promise.promise();
  private final Promise<Void> started = Promise.promise();
  private volatile Player.State state = Player.State.CONNECTING;
  private volatile String failure;
  private volatile long startNanos;
  private volatile long targetMs;

  private String host;
  private int port;
  /** The playlist's folder: {@code /<app>/<name>/}. */
  private String base;
  private boolean closed;
  private HttpClientRequest inFlight;
  private long timer = -1;
  private boolean listed;
  private String initFetched;
  private long lastFetched = Long.MIN_VALUE;

  private long bytes;
  private long segments;
  private long mediaMs;
  private long firstFrameNanos = -1;
  private long requests;
  private long errors;

  /**
   * @param http    the load client's HTTP client (its pool bounds the connections)
   * @param context the event loop this viewer runs on
   */
  HlsPlayer(HttpClient http, Context context) {
    this.http = http;
    this.context = context;
  }

  @Override
  public Future<Void> start(Vertx vertx, RtmpUrl url) {
    startNanos = System.nanoTime();
    host = url.host();
    port = url.port();
    base = "/" + url.app() + "/" + url.stream() + "/";
    context.runOnContext(v -> reload(-1));
    return started.future();
  }

  /** Loads the playlist (blocking until segment {@code msn} is in it, when 0 or more), then what it lists. */
  private void reload(long msn) {
    long asked = System.nanoTime();
    get(base + "index.m3u8" + (msn >= 0 ? "?_HLS_msn=" + msn : ""))
        .compose(r -> r.body().map(body -> {
          bytes += body.length();
          return new Reply(r.statusCode(), body.toString());
        }))
        .onComplete(ar -> {
          if (closed) {
            return;
          }
          if (ar.failed() || ar.result().status() != 200) {
            String why = ar.failed() ? String.valueOf(ar.cause().getMessage())
                : "HTTP " + ar.result().status() + ": " + ar.result().body().trim();
            if (!listed) {
              fail(why);
              return;
            }
            errors++;
            // 400: too far ahead of the playlist (numbers started over?): ask without a directive.
            int status = ar.failed() ? 0 : ar.result().status();
            later(RETRY_MS, () -> reload(status == 400 ? -1 : msn));
            return;
          }
          Playlist playlist = Playlist.parse(ar.result().body());
          targetMs = playlist.targetMs();
          if (!listed) {
            listed = true;
            state = Player.State.PLAYING;
            started.complete();
          }
          List<Listed> all = playlist.segments();
          List<Listed> todo = new ArrayList<>();
          for (Listed segment : all) {
            if (segment.number() > lastFetched) {
              todo.add(segment);
            }
          }
          if (lastFetched == Long.MIN_VALUE && todo.size() > FIRST_SEGMENTS) {
            todo = todo.subList(todo.size() - FIRST_SEGMENTS, todo.size());
          } else if (!todo.isEmpty() && lastFetched != Long.MIN_VALUE && todo.get(0).number() > lastFetched + 1) {
            errors += todo.get(0).number() - lastFetched - 1; // left the window before this viewer got them
          }
          long newest = all.isEmpty() ? lastFetched : Math.max(lastFetched, all.get(all.size() - 1).number());
          boolean changed = !todo.isEmpty();
          List<Listed> fetch = todo;
          fetchInit(playlist.map()).compose(v -> fetchAll(fetch, 0)).onComplete(done -> {
            if (closed) {
              return;
            }
            if (playlist.canBlockReload()) {
              reload(newest + 1);
            } else {
              long waitMs = (changed ? playlist.targetMs() : playlist.targetMs() / 2) - (System.nanoTime() - asked) / 1_000_000;
              later(Math.max(0, waitMs), () -> reload(-1));
            }
          });
        });
  }

  private Future<Void> fetchInit(String map) {
    if (map == null || map.equals(initFetched)) {
      return Future.succeededFuture();
    }
    return fetch(map).andThen(ar -> {
      if (ar.succeeded()) {
        initFetched = map;
      } else {
        errors++;
      }
    }).recover(e -> Future.succeededFuture());
  }

  /** The segments from {@code i} on, one after the other; one that fails is counted and passed over. */
  private Future<Void> fetchAll(List<Listed> todo, int i) {
    if (i == todo.size() || closed) {
      return Future.succeededFuture();
    }
    Listed segment = todo.get(i);
    return fetch(segment.uri()).transform(ar -> {
      lastFetched = segment.number();
      if (ar.succeeded()) {
        if (firstFrameNanos < 0) {
          firstFrameNanos = System.nanoTime();
          firstFrame.tryComplete();
        }
        segments++;
        mediaMs += segment.durationMs();
      } else {
        errors++;
      }
      return fetchAll(todo, i + 1);
    });
  }

  /** GETs {@code uri} (relative to the playlist), counting its body's bytes as they come; fails unless 200. */
  private Future<Void> fetch(String uri) {
    return get(resolve(uri)).compose(r -> {
      r.handler(b -> bytes += b.length());
      return r.end().compose(v -> r.statusCode() == 200 ? Future.<Void>succeededFuture()
          : Future.failedFuture("HTTP " + r.statusCode()));
    });
  }

  private String resolve(String uri) {
    if (uri.startsWith("http://") || uri.startsWith("https://")) {
      URI parsed = URI.create(uri);
      return parsed.getRawPath() + (parsed.getRawQuery() == null ? "" : "?" + parsed.getRawQuery());
    }
    return uri.startsWith("/") ? uri : base + uri;
  }

  private Future<HttpClientResponse> get(String uri) {
    requests++;
    return http.request(new RequestOptions().setHost(host).setPort(port).setURI(uri).setIdleTimeout(IDLE_TIMEOUT_MS))
        .compose(request -> {
          inFlight = request;
          return request.send();
        });
  }

  private void later(long ms, Runnable action) {
    timer = context.owner().setTimer(Math.max(1, ms), id -> {
      timer = -1;
      if (!closed) {
        action.run();
      }
    });
  }

  private void fail(String why) {
    failure = why;
    state = Player.State.FAILED;
    firstFrame.tryFail(why);
    started.tryFail(why);
  }

  @Override
  public Future<Player.Snapshot> snapshot() {
    Promise<Player.Snapshot> promise = Promise.promise();
    context.runOnContext(v -> promise.complete(!listed ? null
        : new Player.Snapshot(System.nanoTime(), bytes, segments == 0 ? -1 : mediaMs, segments, firstFrameNanos,
            firstFrameNanos, segments == 0 ? -1 : 0, requests, errors)));
    return promise.future();
  }

  @Override
  public Future<Void> close() {
    return Future.future(p -> context.runOnContext(v -> {
      closed = true;
      if (timer >= 0) {
        context.owner().cancelTimer(timer);
      }
      if (inFlight != null) {
        inFlight.reset();
      }
      if (state == Player.State.PLAYING) {
        state = Player.State.CLOSED;
      }
      p.complete();
    }));
  }

  @Override
  public Future<Void> firstFrame() {
    return firstFrame.future();
  }

  @Override
  public Player.State state() {
    return state;
  }

  @Override
  public String failure() {
    return failure;
  }

  @Override
  public long startNanos() {
    return startNanos;
  }

  @Override
  public long starvedSlackMs() {
    return targetMs;
  }
}

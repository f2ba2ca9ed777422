package org.rtmpcluster.edge.hls;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.rtmpcluster.common.stream.LiveStream;

/**
 * HLS with fMP4 segments at {@code /<app>/<name>/index.m3u8}, {@code init.mp4} and
 * {@code <n>.m4s}. A stream's segmenter starts on its first request, primed from the GOP cache,
 * and stops once nothing asked for it for a while. A playlist asked for before the first segment
 * is complete waits for it, a bounded number of requests for a bounded time.
 *
 * <p>One per node, on the home loop: a viewer's requests come over several connections, which
 * Vert.x spreads over the event loops, and they must all see the same segments. A request is
 * answered on the home loop and written on its own ({@link #serve}).
 */
public final class HlsService {
  /** Two GOPs of a common encoder setting: what a segment is cut at, at least. */
  static final long TARGET_MS = 2_000;
  static final int WINDOW_SEGMENTS = 6;
  static final long WINDOW_BYTES = 64L << 20;
  /** A segmenter nobody asked anything of for this long is stopped. */
  static final long IDLE_MS = 30_000;
  /** Playlist requests waiting for a stream's first segment, at most; more get 503. */
  static final int MAX_WAITING = 1_000;
  static final long WAIT_MS = 10_000;

  private final Vertx vertx;
  private final Function<String, LiveStream> streams;
  private final LongSupplier clockMs;
  private final Map<String, HlsStream> segmenters = new HashMap<>();
  private final Map<String, List<Runnable>> waiting = new HashMap<>();
  private int waitingCount;
  private long sweeper = -1;

  /** What a request gets: written by the loop of its connection. */
  record Answer(int status, String contentType, String cacheControl, Buffer body) {
    static Answer text(int status, String message) {
      return new Answer(status, "text/plain; charset=utf-8", "no-cache", Buffer.buffer(message + "\n"));
    }

    void writeTo(HttpServerResponse response) {
      if (response.closed() || response.ended()) {
        return;
      }
      if (status == 503) {
        response.putHeader("Retry-After", "2");
      }
      response.setStatusCode(status).putHeader("Content-Type", contentType).putHeader("Cache-Control", cacheControl)
          .end(body);
    }
  }

  private final Context home;

  /** @param streams the home streams by {@code app/name}, made (and pulled) if need be */
  public HlsService(Vertx vertx, Context home, Function<String, LiveStream> streams, LongSupplier clockMs) {
    this.vertx = vertx;
    this.home = home;
    this.streams = streams;
    this.clockMs = clockMs;
  }

  /** Answers a request, already admitted, on the home loop, and writes it on the caller's loop. */
  public void serve(String streamName, String file, String query, HttpServerResponse response) {
    Context caller = Vertx.currentContext();
    home.runOnContext(v -> answer(streamName, file, query)
        .onComplete(done -> caller.runOnContext(w -> (done.succeeded() ? done.result()
            : Answer.text(500, "internal error")).writeTo(response))));
  }

  private Future<Answer> answer(String streamName, String file, String query) {
    Promise<Answer> promise = Promise.promise();
    answer(streamName, file, query, promise);
    return promise.future();
  }

  private void answer(String streamName, String file, String query, Promise<Answer> response) {
    HlsStream hls = segmenters.get(streamName);
    if (hls == null) {
      if (!file.equals("index.m3u8")) {
        response.complete(Answer.text(404, "no such segment: ask index.m3u8 first"));
        return;
      }
      LiveStream stream = streams.apply(streamName);
      if (stream == null) {
        response.complete(Answer.text(503, "this node holds its maximum of streams"));
        return;
      }
      hls = new HlsStream(stream, TARGET_MS, WINDOW_SEGMENTS, WINDOW_BYTES, clockMs.getAsLong(),
          () -> answerWaiting(streamName));
      segmenters.put(streamName, hls);
      HlsStream started = hls;
      started.start();
      startSweeper();
    }
    hls.requested(clockMs.getAsLong());
    if (file.equals("index.m3u8")) {
      playlist(streamName, hls, query, response);
    } else if (file.equals("init.mp4")) {
      response.complete(hls.init() == null ? Answer.text(404, "no init segment yet")
          : new Answer(200, "video/mp4", "max-age=3600", hls.init()));
    } else if (file.endsWith(".m4s") && file.length() > 4 && file.length() < 24
        && file.substring(0, file.length() - 4).chars().allMatch(Character::isDigit)) {
      HlsStream.Segment segment = hls.segment(Long.parseLong(file.substring(0, file.length() - 4)));
      response.complete(segment == null
          ? Answer.text(404, "no such segment (it left the window, or is not there yet)")
          : new Answer(200, "video/iso.segment", "max-age=60", segment.bytes()));
    } else {
      response.complete(Answer.text(404, "no such file: index.m3u8, init.mp4 or <n>.m4s"));
    }
  }

  private void playlist(String streamName, HlsStream hls, String query, Promise<Answer> response) {
    if (hls.ready()) {
      response.complete(playlistOf(hls, query));
      return;
    }
    if (waitingCount >= MAX_WAITING) {
      response.complete(Answer.text(503, "the stream's first segment is not ready; try again"));
      return;
    }
    waitingCount++;
    boolean[] answered = {false};
    Runnable answer = () -> {
      if (answered[0]) {
        return;
      }
      answered[0] = true;
      waitingCount--;
      response.complete(hls.ready() ? playlistOf(hls, query)
          : Answer.text(503, "the stream's first segment is not ready; try again"));
    };
    waiting.computeIfAbsent(streamName, k -> new ArrayList<>()).add(answer);
    vertx.setTimer(WAIT_MS, id -> {
      List<Runnable> queue = waiting.get(streamName);
      if (queue != null && queue.remove(answer) && queue.isEmpty()) {
        waiting.remove(streamName);
      }
      answer.run();
    });
  }

  /** A segment was finished: the playlist requests that waited for the stream's first get it now. */
  private void answerWaiting(String streamName) {
    List<Runnable> queue = waiting.remove(streamName);
    if (queue != null) {
      queue.forEach(Runnable::run);
    }
  }

  private static Answer playlistOf(HlsStream hls, String query) {
    return new Answer(200, "application/vnd.apple.mpegurl", "no-cache", Buffer.buffer(hls.playlist(query)));
  }

  private void startSweeper() {
    if (sweeper >= 0) {
      return;
    }
    sweeper = vertx.setPeriodic(5_000, id -> {
      long now = clockMs.getAsLong();
      segmenters.entrySet().removeIf(entry -> {
        if (now - entry.getValue().lastRequestMs() > IDLE_MS) {
          entry.getValue().stop();
          answerWaiting(entry.getKey());
          return true;
        }
        return false;
      });
      if (segmenters.isEmpty()) {
        vertx.cancelTimer(id);
        sweeper = -1;
      }
    });
  }
}

package org.rtmpcluster.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.RequestOptions;
import org.rtmpcluster.common.media.AudioTag;
import org.rtmpcluster.common.media.VideoTag;

/**
 * One HTTP-FLV viewer of the load client, as mpegts.js or ffplay plays {@code /<app>/<name>.flv}:
 * one long GET whose chunked body is a live FLV file. The body is not kept: tag headers are read
 * as the bytes go by (and the first bytes of each tag, to tell sequence headers and key frames),
 * bodies skipped, so that the counters match an RTMP {@link Player}'s: bytes, media timestamps,
 * frames. A delay sample also keeps each video tag's body, to match it against the reference.
 * Its counters are written on its context's event loop only.
 */
final class HttpFlvPlayer implements Viewer {

  /** No byte for this long and the response is given up (the edge sends a frame every 33 ms). */
  static final long IDLE_TIMEOUT_MS = 10_000;
  private static final int FILE_HEADER = 9;
  private static final int TAG_HEADER = 11;
  private static final int PREVIOUS_TAG_SIZE = 4;
  /** Enough of a tag's body for {@link VideoTag} and {@link AudioTag} to say what it is. */
  private static final int HEAD = 16;

  private enum Phase { FILE_HEADER, SKIP, TAG_HEADER, BODY }

  private final DelayProbe probe;
  private final HttpClient http;
  private final Context context;
  private final Promise<Void> firstFrame = Promise.promise();
  private volatile Player.State state = Player.State.CONNECTING;
  private volatile String failure;
  private volatile long startNanos;

  private HttpClientResponse response;
  private boolean closing;
  private long bytes;
  private long frames;
  private long firstFrameNanos = -1;
  private long firstKeyframeNanos = -1;
  private long firstTimestamp = -1;
  private long lastTimestamp = -1;

  // The FLV parser's state: what it is reading, and how much of it is still to come.
  private Phase phase = Phase.FILE_HEADER;
  private final byte[] header = new byte[TAG_HEADER];
  private int headerHave;
  private long skipLeft;
  private int bodyLeft;
  private int tagType;
  private long tagTimestamp;
  private final byte[] head = new byte[HEAD];
  private int headHave;
  /** A delay sample's video tag body, whole; null otherwise. */
  private Buffer body;

  /**
   * @param probe   where a delay sample notes its video frames, or null
   * @param http    the load client's HTTP client (its pool bounds the connections)
   * @param context the event loop this viewer runs on
   */
  HttpFlvPlayer(DelayProbe probe, HttpClient http, Context context) {
    this.probe = probe;
    this.http = http;
    this.context = context;
  }

  @Override
  public Future<Void> start(Vertx vertx, RtmpUrl url) {
    startNanos = System.nanoTime();
    Promise<Void> started = Promise.promise();
    context.runOnContext(v -> http.request(new RequestOptions().setHost(url.host()).setPort(url.port())
            .setURI("/" + url.app() + "/" + url.stream() + ".flv").setIdleTimeout(IDLE_TIMEOUT_MS))
        .compose(HttpClientRequest::send)
        .onComplete(ar -> {
          if (ar.failed()) {
            fail(String.valueOf(ar.cause().getMessage()), started);
            return;
          }
          HttpClientResponse r = ar.result();
          if (r.statusCode() != 200) {
            r.body().onComplete(b -> fail("HTTP " + r.statusCode()
                + (b.succeeded() ? ": " + b.result().toString().trim() : ""), started));
            return;
          }
          response = r;
          r.handler(this::onBytes);
          r.exceptionHandler(e -> gone());
          r.endHandler(e -> gone());
          state = Player.State.PLAYING;
          started.complete();
          if (closing) {
            r.request().reset();
          }
        }));
    return started.future();
  }

  private void fail(String why, Promise<Void> started) {
    failure = why;
    state = Player.State.FAILED;
    firstFrame.tryFail(why);
    started.tryFail(why);
  }

  /** The response ended or broke: a drop, unless it failed before. */
  private void gone() {
    if (state != Player.State.FAILED) {
      state = Player.State.CLOSED;
    }
  }

  private void onBytes(Buffer buffer) {
    long now = System.nanoTime();
    int n = buffer.length();
    bytes += n;
    int i = 0;
    while (i < n) {
      switch (phase) {
        case FILE_HEADER -> {
          while (i < n && headerHave < FILE_HEADER) {
            header[headerHave++] = buffer.getByte(i++);
          }
          if (headerHave == FILE_HEADER) {
            if (header[0] != 'F' || header[1] != 'L' || header[2] != 'V') {
              failure = "not an FLV body";
              state = Player.State.FAILED;
              response.request().reset();
              return;
            }
            long dataOffset = ((header[5] & 0xFFL) << 24) | ((header[6] & 0xFF) << 16)
                | ((header[7] & 0xFF) << 8) | (header[8] & 0xFF);
            skip(dataOffset - FILE_HEADER + PREVIOUS_TAG_SIZE);
          }
        }
        case SKIP -> {
          int k = (int) Math.min(skipLeft, n - i);
          i += k;
          skipLeft -= k;
          if (skipLeft == 0) {
            phase = Phase.TAG_HEADER;
          }
        }
        case TAG_HEADER -> {
          while (i < n && headerHave < TAG_HEADER) {
            header[headerHave++] = buffer.getByte(i++);
          }
          if (headerHave == TAG_HEADER) {
            tagType = header[0] & 0x1F;
            bodyLeft = ((header[1] & 0xFF) << 16) | ((header[2] & 0xFF) << 8) | (header[3] & 0xFF);
            tagTimestamp = ((header[7] & 0xFFL) << 24) | ((header[4] & 0xFF) << 16)
                | ((header[5] & 0xFF) << 8) | (header[6] & 0xFF);
            headHave = 0;
            body = probe != null && tagType == FlvReader.VIDEO ? Buffer.buffer(bodyLeft) : null;
            phase = Phase.BODY;
            if (bodyLeft == 0) {
              onTag(now);
            }
          }
        }
        case BODY -> {
          int k = Math.min(bodyLeft, n - i);
          for (int j = 0; j < k && headHave < HEAD; j++) {
            head[headHave++] = buffer.getByte(i + j);
          }
          if (body != null) {
            body.appendBuffer(buffer, i, k);
          }
          i += k;
          bodyLeft -= k;
          if (bodyLeft == 0) {
            onTag(now);
          }
        }
      }
    }
  }

  private void skip(long count) {
    headerHave = 0;
    skipLeft = count;
    phase = count > 0 ? Phase.SKIP : Phase.TAG_HEADER;
  }

  /** A whole tag: counted as {@link Player} counts an RTMP media message. */
  private void onTag(long now) {
    skip(PREVIOUS_TAG_SIZE);
    if (tagType != FlvReader.VIDEO && tagType != FlvReader.AUDIO) {
      return;
    }
    lastTimestamp = tagTimestamp;
    if (firstTimestamp < 0) {
      firstTimestamp = lastTimestamp;
    }
    boolean video = tagType == FlvReader.VIDEO;
    Buffer start = Buffer.buffer(headHave).appendBytes(head, 0, headHave);
    if (video ? VideoTag.isSequenceHeader(start) : AudioTag.isSequenceHeader(start)) {
      return;
    }
    frames++;
    if (firstFrameNanos < 0) {
      firstFrameNanos = now;
      firstFrame.tryComplete();
    }
    if (video) {
      if (firstKeyframeNanos < 0 && VideoTag.isKeyframe(start)) {
        firstKeyframeNanos = now;
      }
      if (body != null && now - firstFrameNanos > Player.CATCH_UP_NANOS) {
        probe.edgeArrival(body, now);
      }
    }
  }

  @Override
  public Future<Player.Snapshot> snapshot() {
    Promise<Player.Snapshot> promise = Promise.promise();
    context.runOnContext(v -> promise.complete(response == null ? null
        : new Player.Snapshot(System.nanoTime(), bytes, lastTimestamp, frames, firstFrameNanos,
            firstKeyframeNanos, firstTimestamp, 1, 0)));
    return promise.future();
  }

  @Override
  public Future<Void> close() {
    return Future.future(p -> context.runOnContext(v -> {
      closing = true;
      if (response != null) {
        response.request().reset();
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
}

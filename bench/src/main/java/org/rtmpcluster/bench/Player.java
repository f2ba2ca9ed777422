package org.rtmpcluster.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import org.rtmpcluster.client.RtmpClient;
import org.rtmpcluster.common.media.AudioTag;
import org.rtmpcluster.common.media.VideoTag;
import org.rtmpcluster.common.rtmp.chunk.RtmpMessage;
import org.rtmpcluster.common.rtmp.message.MessageType;

/**
 * One playing connection of the load client. Its counters are written only on its client's event
 * loop; the load client reads them through {@link #snapshot} on that loop too, so nothing here is
 * shared between threads except {@link #state}. Per message it does a few field updates and no
 * allocation of its own, so that thousands of players do not make the client the bottleneck.
 */
final class Player implements Viewer {

  enum State { CONNECTING, PLAYING, FAILED, CLOSED }

  /**
   * What a viewer had received at one moment, taken on its event loop. An HTTP viewer also counts
   * its {@code requests}, and its {@code errors}: requests that failed or were refused after it
   * started playing, and HLS segments it missed (RTMP players: 0 and 0).
   */
  record Snapshot(long nanos, long bytes, long mediaTimestamp, long frames, long firstFrameNanos,
      long firstKeyframeNanos, long firstMediaTimestamp, long requests, long errors) {

    /** Media time received from the first frame to the last, ms. */
    long mediaDurationMs() {
      return firstMediaTimestamp < 0 ? 0 : mediaTimestamp - firstMediaTimestamp;
    }
  }

  /**
   * A player that joins gets the cached GOP in a burst, frames the origin's reference player got up
   * to a GOP (2 s here) earlier: that is catching up, not delay, so the added delay of a sampled player
   * counts only from this long after its first frame.
   */
  static final long CATCH_UP_NANOS = 3_000_000_000L;

  final int index;
  /** Where frames of the sampled players are matched against the reference, or null. */
  private final DelayProbe probe;
  final boolean reference;
  private volatile State state = State.CONNECTING;
  private volatile String failure;
  private RtmpClient client;
  private final Promise<Void> firstFrame = Promise.promise();

  /** Set before connecting, by the thread that starts the player. */
  volatile long startNanos;
  private long firstFrameNanos = -1;
  private long firstKeyframeNanos = -1;
  private long bytes;
  private long frames;
  private long firstTimestamp = -1;
  private long lastTimestamp = -1;

  Player(int index, DelayProbe probe, boolean reference) {
    this.index = index;
    this.probe = probe;
    this.reference = reference;
  }

  /** Connects and plays; call from a thread that is not an event loop so players spread over the loops. */
  @Override
  public Future<Void> start(Vertx vertx, RtmpUrl url) {
    startNanos = System.nanoTime();
    return RtmpClient.connect(vertx, RtmpClient.Options.of(url.host(), url.port(), url.app()))
        .compose(c -> {
          client = c;
          c.mediaHandler(this::onMedia);
          c.closeFuture().onComplete(v -> {
            if (state != State.FAILED) {
              state = State.CLOSED;
            }
          });
          return c.play(url.stream());
        })
        .andThen(ar -> {
          if (ar.succeeded()) {
            if (state == State.CONNECTING) {
              state = State.PLAYING;
            }
          } else {
            failure = String.valueOf(ar.cause().getMessage());
            state = State.FAILED;
            firstFrame.tryFail(ar.cause());
          }
        })
        .mapEmpty();
  }

  private void onMedia(RtmpMessage message) {
    long now = System.nanoTime();
    Buffer payload = message.payload();
    bytes += payload.length();
    int type = message.typeId();
    if (type != MessageType.VIDEO && type != MessageType.AUDIO) {
      return;
    }
    lastTimestamp = message.timestamp();
    if (firstTimestamp < 0) {
      firstTimestamp = lastTimestamp;
    }
    boolean video = type == MessageType.VIDEO;
    if (video ? VideoTag.isSequenceHeader(payload) : AudioTag.isSequenceHeader(payload)) {
      return;
    }
    frames++;
    if (firstFrameNanos < 0) {
      firstFrameNanos = now;
      firstFrame.tryComplete();
    }
    if (video) {
      if (firstKeyframeNanos < 0 && VideoTag.isKeyframe(payload)) {
        firstKeyframeNanos = now;
      }
      if (probe != null) {
        if (reference) {
          probe.originArrival(payload, now);
        } else if (now - firstFrameNanos > CATCH_UP_NANOS) {
          probe.edgeArrival(payload, now);
        }
      }
    }
  }

  /** Reads the counters on the player's event loop; null when it never connected. */
  @Override
  public Future<Snapshot> snapshot() {
    RtmpClient c = client;
    if (c == null) {
      return Future.succeededFuture(null);
    }
    Promise<Snapshot> promise = Promise.promise();
    c.context().runOnContext(v -> promise.complete(new Snapshot(System.nanoTime(), bytes, lastTimestamp, frames,
        firstFrameNanos, firstKeyframeNanos, firstTimestamp, 0, 0)));
    return promise.future();
  }

  @Override
  public Future<Void> close() {
    RtmpClient c = client;
    if (c == null) {
      return Future.succeededFuture();
    }
    return Future.<Void>future(p -> c.context().runOnContext(v -> c.close().onComplete(ar -> p.complete())));
  }

  /** Completes on the first audio or video frame. */
  @Override
  public Future<Void> firstFrame() {
    return firstFrame.future();
  }

  @Override
  public State state() {
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

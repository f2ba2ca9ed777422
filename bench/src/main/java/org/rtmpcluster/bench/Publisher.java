package org.rtmpcluster.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.rtmpcluster.client.RtmpClient;
import org.rtmpcluster.common.amf.Amf0Writer;

/**
 * Publishes an FLV file in real time to one or more RTMP URLs, paced by the tags' timestamps, and
 * loops it with timestamps that keep rising (each loop starts one frame interval after the last
 * tag of the previous one), as a live encoder would. Every target gets the same tag at the same
 * moment. Tags are read on this class's own thread and handed to each client's event loop.
 */
public final class Publisher implements AutoCloseable {

  /** Gap between the last tag of one loop and the first of the next: one frame at 30 fps. */
  static final long LOOP_GAP_MS = 33;
  /** For all targets together, as they connect at once: a few hundred on loopback take about 1 s. */
  static final int CONNECT_TIMEOUT_SECONDS = 30;

  private final Vertx vertx;
  private final Path file;
  private final List<RtmpUrl> targets;
  private final List<Target> connected = new ArrayList<>();
  private volatile boolean stopped;
  private Thread thread;
  private final AtomicInteger closedTargets = new AtomicInteger();
  private volatile long tagsSent;
  /** Tag body bytes sent to each target (every target gets the same). */
  private volatile long bytesSentPerTarget;
  private volatile long loops;

  private record Target(RtmpClient client, int streamId) {
  }

  public Publisher(Vertx vertx, Path file, List<RtmpUrl> targets) {
    this.vertx = vertx;
    this.file = file;
    this.targets = targets;
  }

  /**
   * Connects and publishes to every target at once, then starts sending on a thread of its own.
   * Fails, leaving nothing connected, when any target refuses or all are not publishing within
   * {@link #CONNECT_TIMEOUT_SECONDS}.
   */
  public void start() throws Exception {
    List<Future<Target>> pending = new ArrayList<>(targets.size());
    for (RtmpUrl url : targets) {
      // Called from this (non-Vert.x) thread, each connect gets the next event loop, so the
      // targets spread over all of them; publish then runs on the client's own loop.
      pending.add(RtmpClient.connect(vertx, RtmpClient.Options.of(url.host(), url.port(), url.app()))
          .compose(client -> client.publish(url.stream())
              .map(streamId -> new Target(client, streamId))
              .recover(e -> client.close().transform(v -> Future.<Target>failedFuture(e))))
          .recover(e -> Future.failedFuture(url + ": " + e.getMessage())));
    }
    try {
      Future.join(pending).toCompletionStage().toCompletableFuture().get(CONNECT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      closeTargets(pending);
      throw new TimeoutException("not all of " + targets.size() + " targets publishing after "
          + CONNECT_TIMEOUT_SECONDS + " s");
    } catch (ExecutionException e) {
      closeTargets(pending);
      throw new IOException("cannot publish to " + e.getCause().getMessage(), e.getCause());
    }
    for (Future<Target> target : pending) {
      connected.add(target.result());
      target.result().client().closeFuture().onComplete(v -> closedTargets.incrementAndGet());
    }
    thread = new Thread(this::run, "flv-publisher");
    thread.setDaemon(true);
    thread.start();
  }

  private static void closeTargets(List<Future<Target>> pending) {
    for (Future<Target> target : pending) {
      target.onSuccess(t -> t.client().context().runOnContext(v -> t.client().close()));
    }
  }

  private void run() {
    long offset = 0;
    long wallStart = System.nanoTime();
    long firstTimestamp = -1;
    boolean metadataSent = false;
    try {
      while (!stopped) {
        long last = offset;
        try (FlvReader reader = FlvReader.open(file)) {
          FlvReader.Tag tag;
          long loopFirst = -1;
          while (!stopped && (tag = reader.next()) != null) {
            if (loopFirst < 0) {
              loopFirst = tag.timestamp();
            }
            long timestamp = offset + tag.timestamp() - loopFirst;
            if (tag.type() == FlvReader.SCRIPT_DATA) {
              if (metadataSent) {
                continue;
              }
              metadataSent = true;
            }
            if (firstTimestamp < 0) {
              firstTimestamp = timestamp;
            }
            long dueNanos = wallStart + TimeUnit.MILLISECONDS.toNanos(timestamp - firstTimestamp);
            long wait = dueNanos - System.nanoTime();
            if (wait > 0) {
              TimeUnit.NANOSECONDS.sleep(wait);
            }
            send(tag, timestamp);
            last = Math.max(last, timestamp);
          }
        }
        loops++;
        offset = last + LOOP_GAP_MS;
      }
    } catch (IOException e) {
      System.err.println("publisher: cannot read " + file + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void send(FlvReader.Tag tag, long timestamp) {
    for (Target target : connected) {
      RtmpClient client = target.client();
      Buffer body = tag.body();
      client.context().runOnContext(v -> {
        switch (tag.type()) {
          case FlvReader.AUDIO -> client.sendAudio(target.streamId(), timestamp, body);
          case FlvReader.VIDEO -> client.sendVideo(target.streamId(), timestamp, body);
          default -> client.sendData(target.streamId(), timestamp,
              Amf0Writer.encode("@setDataFrame").appendBuffer(body));
        }
      });
    }
    // Only this class's thread writes the counters.
    tagsSent++;
    bytesSentPerTarget += tag.body().length();
  }

  public long tagsSent() {
    return tagsSent;
  }

  public long bytesSentPerTarget() {
    return bytesSentPerTarget;
  }

  /** Targets connected by {@link #start} whose connection is still open. */
  public int publishing() {
    return connected.size() - closedTargets.get();
  }

  public long loops() {
    return loops;
  }

  @Override
  public void close() {
    stopped = true;
    if (thread != null) {
      thread.interrupt();
    }
    for (Target target : connected) {
      target.client().context().runOnContext(v -> target.client().close());
    }
  }
}

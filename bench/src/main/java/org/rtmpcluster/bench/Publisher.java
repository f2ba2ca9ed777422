package org.rtmpcluster.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.rtmpcluster.common.amf.Amf0Writer;
import org.rtmpcluster.common.rtmp.client.RtmpClient;

/**
 * Publishes an FLV file in real time to one or more RTMP URLs, paced by the tags' timestamps, and
 * loops it with timestamps that keep rising (each loop starts one frame interval after the last
 * tag of the previous one), as a live encoder would. Every target gets the same tag at the same
 * moment. Tags are read on this class's own thread and handed to each client's event loop.
 */
public final class Publisher implements AutoCloseable {

  /** Gap between the last tag of one loop and the first of the next: one frame at 30 fps. */
  static final long LOOP_GAP_MS = 33;

  private final Vertx vertx;
  private final Path file;
  private final List<RtmpUrl> targets;
  private final List<Target> connected = new ArrayList<>();
  private volatile boolean stopped;
  private Thread thread;
  private volatile long tagsSent;
  private volatile long loops;

  private record Target(RtmpClient client, int streamId) {
  }

  public Publisher(Vertx vertx, Path file, List<RtmpUrl> targets) {
    this.vertx = vertx;
    this.file = file;
    this.targets = targets;
  }

  /** Connects and publishes to every target, then starts sending on a thread of its own. */
  public void start() throws Exception {
    for (RtmpUrl url : targets) {
      RtmpClient client = RtmpClient.connect(vertx, RtmpClient.Options.of(url.host(), url.port(), url.app()))
          .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      int streamId = onContext(client, () -> client.publish(url.stream()));
      connected.add(new Target(client, streamId));
    }
    thread = new Thread(this::run, "flv-publisher");
    thread.setDaemon(true);
    thread.start();
  }

  /** Runs a client call on the client's event loop (it is not thread-safe) and waits for its result. */
  static <T> T onContext(RtmpClient client, Callable<Future<T>> call) throws Exception {
    CompletableFuture<T> result = new CompletableFuture<>();
    client.context().runOnContext(v -> {
      try {
        call.call().onComplete(ar -> {
          if (ar.succeeded()) {
            result.complete(ar.result());
          } else {
            result.completeExceptionally(ar.cause());
          }
        });
      } catch (Exception e) {
        result.completeExceptionally(e);
      }
    });
    return result.get(10, TimeUnit.SECONDS);
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
    tagsSent++;
  }

  public long tagsSent() {
    return tagsSent;
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

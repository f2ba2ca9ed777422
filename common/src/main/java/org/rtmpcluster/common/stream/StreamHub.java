package org.rtmpcluster.common.stream;

import io.vertx.core.Vertx;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import org.rtmpcluster.common.config.StreamSettings;

/**
 * The live streams of this node by public name. A stream exists while it has a publisher or
 * players (players may wait for a publisher that has not started yet). Single event loop.
 */
public final class StreamHub {
  private final Vertx vertx;
  private final StreamSettings settings;
  private final LongSupplier clock;
  private final boolean copies;
  private final Map<String, LiveStream> streams = new HashMap<>();

  public StreamHub(Vertx vertx, StreamSettings settings) {
    this(vertx, settings, System::currentTimeMillis, false);
  }

  public StreamHub(Vertx vertx, StreamSettings settings, LongSupplier clock) {
    this(vertx, settings, clock, false);
  }

  private StreamHub(Vertx vertx, StreamSettings settings, LongSupplier clock, boolean copies) {
    this.vertx = vertx;
    this.settings = settings;
    this.clock = clock;
    this.copies = copies;
  }

  /**
   * The streams one event loop's players read: copies of streams that live on the node's home
   * loop, each fed by a {@link LoopFeed}. A copy does not time out by itself; its home says when
   * the stream ends.
   */
  public static StreamHub copies(Vertx vertx, StreamSettings settings) {
    return new StreamHub(vertx, settings, System::currentTimeMillis, true);
  }

  boolean holdsCopies() {
    return copies;
  }

  public LiveStream get(String name) {
    return streams.get(name);
  }

  /** The stream of that name, created if needed; null when the node holds its maximum of streams. */
  public LiveStream getOrCreate(String name) {
    LiveStream stream = streams.get(name);
    if (stream == null) {
      if (streams.size() >= settings.maxStreams()) {
        return null;
      }
      stream = new LiveStream(name, this, vertx, settings, clock);
      streams.put(name, stream);
    }
    return stream;
  }

  void remove(LiveStream stream) {
    streams.remove(stream.name(), stream);
  }

  public Collection<LiveStream> streams() {
    return Collections.unmodifiableCollection(streams.values());
  }

  public int size() {
    return streams.size();
  }
}

package org.rtmpcluster.common.stream;

import io.vertx.core.Vertx;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import org.rtmpcluster.common.config.StreamSettings;

/**
 * The live streams of one event loop by public name, all of one kind: the node's {@link
 * #home home streams}, or one loop's {@link #copies copies} of them. A stream exists while it has
 * a publisher or players (players may wait for a publisher that has not started yet). Single
 * event loop.
 */
public final class StreamHub<S extends LiveStream> {
  /** Makes a hub's stream. */
  private interface Kind<S extends LiveStream> {
    S create(String name, StreamHub<S> hub);
  }

  private final StreamSettings settings;
  private final Kind<S> kind;
  private final Map<String, S> streams = new HashMap<>();

  private StreamHub(StreamSettings settings, Kind<S> kind) {
    this.settings = settings;
    this.kind = kind;
  }

  /** The streams where they enter the node: published here, or pulled from an origin. */
  public static StreamHub<HomeStream> home(Vertx vertx, StreamSettings settings) {
    return home(vertx, settings, System::currentTimeMillis);
  }

  /** As {@link #home(Vertx, StreamSettings)}, with the clock streams judge their publishers by. */
  public static StreamHub<HomeStream> home(Vertx vertx, StreamSettings settings, LongSupplier clock) {
    return new StreamHub<>(settings, (name, hub) -> new HomeStream(name, hub, vertx, settings, clock));
  }

  /**
   * The streams one event loop's players read: copies of streams that live on the node's home
   * loop, each fed by a {@link LoopFeed}.
   */
  public static StreamHub<StreamCopy> copies(StreamSettings settings) {
    return new StreamHub<>(settings, (name, hub) -> new StreamCopy(name, hub, settings));
  }

  public S get(String name) {
    return streams.get(name);
  }

  /** The stream of that name, created if needed; null when the hub holds its maximum of streams. */
  public S getOrCreate(String name) {
    S stream = streams.get(name);
    if (stream == null) {
      if (streams.size() >= settings.maxStreams()) {
        return null;
      }
      stream = kind.create(name, this);
      streams.put(name, stream);
    }
    return stream;
  }

  void remove(LiveStream stream) {
    streams.remove(stream.name(), stream);
  }

  public Collection<S> streams() {
    return Collections.unmodifiableCollection(streams.values());
  }

  public int size() {
    return streams.size();
  }
}

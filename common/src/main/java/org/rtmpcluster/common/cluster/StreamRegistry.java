package org.rtmpcluster.common.cluster;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The cluster's map of live streams: which origin publishes each name, with which epoch, since
 * when, with which codecs. An entry is held under a lease that its origin renews; it ends when
 * the origin releases it, when the origin's node leaves, or when the lease runs out.
 *
 * <p>Every change is a compare-and-set on the exact JSON string last written (the Hazelcast map
 * behind Vert.x has no compare-and-set with a time to live). Each renewal writes a new renewal
 * count, so the entry's value changes while its holder lives; a node judges the lease by what it
 * observed itself, on its own monotonic clock: an entry it has seen unchanged for longer than the
 * lease counts as absent and may be taken over. No node compares its clock with another's, so a
 * standby whose clock runs ahead cannot take a healthy stream (one seen for the first time counts
 * as renewed just now). A holder's node that leaves the cluster has its entries removed at once.
 */
public final class StreamRegistry {
  public static final String MAP_NAME = "rtmp.streams";

  /** One registry entry. */
  public record Entry(String stream, String nodeId, String nodeName, String publisherId, long epoch,
      long startedAtMs, String videoCodec, String audioCodec, long renewals) {

    String encode() {
      return toJson().encode();
    }

    static Entry decode(String json) {
      JsonObject o = new JsonObject(json);
      return new Entry(o.getString("stream"), o.getString("nodeId"), o.getString("nodeName"),
          o.getString("publisherId"), o.getLong("epoch", 0L), o.getLong("startedAt", 0L),
          o.getString("videoCodec"), o.getString("audioCodec"), o.getLong("renewals", 0L));
    }

    public JsonObject toJson() {
      return new JsonObject().put("stream", stream).put("nodeId", nodeId).put("nodeName", nodeName)
          .put("publisherId", publisherId).put("epoch", epoch).put("startedAt", startedAtMs)
          .put("videoCodec", videoCodec).put("audioCodec", audioCodec).put("renewals", renewals);
    }

    public Entry withCodecs(String video, String audio) {
      return new Entry(stream, nodeId, nodeName, publisherId, epoch, startedAtMs, video, audio, renewals);
    }
  }

  /** A claim this node holds; renew it, or release it. */
  public final class Claim {
    private Entry entry;
    private String written;
    /** The renewal on its way, if any: a renewal never overlaps another. */
    private Future<Boolean> renewing;

    private Claim(Entry entry, String written) {
      this.entry = entry;
      this.written = written;
    }

    public Entry entry() {
      return entry;
    }

    /**
     * Extends the lease (and updates the entry); false when the claim was lost, a failure when the
     * map could not be reached (the claim may still hold: try again). A renewal asked for while
     * one is on its way is that one: two at once would each compare against the value before
     * both, and the second would find the first's and take the claim for lost.
     */
    public Future<Boolean> renew(Entry update) {
      if (renewing != null && !renewing.isComplete()) {
        return renewing;
      }
      Entry updated = new Entry(update.stream(), update.nodeId(), update.nodeName(), update.publisherId(),
          update.epoch(), update.startedAtMs(), update.videoCodec(), update.audioCodec(), entry.renewals() + 1);
      String next = updated.encode();
      Future<Boolean> renewal = map().compose(m -> m.replaceIfPresent(updated.stream(), written, next)
          .compose(replaced -> {
            if (replaced) {
              entry = updated;
              written = next;
              sighted(updated.stream(), next);
              return Future.succeededFuture(true);
            }
            // The value is not the one last written. It is still this claim's if it names this
            // claim's publisher and epoch: a write whose answer never came back.
            return m.get(updated.stream()).map(current -> {
              Entry now = current == null ? null : Entry.decode(current);
              if (now == null || !now.publisherId().equals(entry.publisherId()) || now.epoch() != entry.epoch()) {
                return false;
              }
              entry = now;
              written = current;
              sighted(updated.stream(), current);
              return true;
            });
          }));
      renewing = renewal;
      return renewal;
    }

    public Future<Boolean> release() {
      sightings.remove(entry.stream());
      return map().compose(m -> m.removeIfPresent(entry.stream(), written));
    }
  }

  /** A value of an entry as this node saw it, and since when (this node's monotonic clock). */
  private record Sighting(String value, long sinceMs) {
  }

  private final Supplier<Future<AsyncMap<String, String>>> mapSource;
  private final long leaseMs;
  private final LongSupplier clockMs;
  /** The last value seen of each name: a name seen with the same value for a lease has lapsed. */
  private final Map<String, Sighting> sightings = new ConcurrentHashMap<>();
  private Future<AsyncMap<String, String>> map;

  public StreamRegistry(Vertx vertx, long leaseMs) {
    this(vertx, leaseMs, () -> TimeUnit.NANOSECONDS.toMillis(System.nanoTime()));
  }

  /** @param clockMs this node's monotonic clock, in ms; leases are judged on it alone */
  public StreamRegistry(Vertx vertx, long leaseMs, LongSupplier clockMs) {
    this(() -> vertx.sharedData().getAsyncMap(MAP_NAME), leaseMs, clockMs);
  }

  /** A registry over the map {@code mapSource} gives, for tests that slow the map down. */
  StreamRegistry(Supplier<Future<AsyncMap<String, String>>> mapSource, long leaseMs, LongSupplier clockMs) {
    this.mapSource = mapSource;
    this.leaseMs = leaseMs;
    this.clockMs = clockMs;
  }

  private Future<AsyncMap<String, String>> map() {
    if (map == null) {
      map = mapSource.get();
    }
    return map;
  }

  /**
   * Claims the name; fails with {@link StreamTakenException} while another publisher holds it.
   * An entry whose lease ran out is taken over.
   */
  public Future<Claim> claim(Entry request) {
    Entry entry = request;
    String value = entry.encode();
    return map().compose(m -> m.putIfAbsent(entry.stream(), value).compose(existing -> {
      if (existing == null) {
        sighted(entry.stream(), value);
        return Future.succeededFuture(new Claim(entry, value));
      }
      Entry holder = Entry.decode(existing);
      if (!lapsed(entry.stream(), existing)) {
        return Future.failedFuture(new StreamTakenException(holder));
      }
      return m.replaceIfPresent(entry.stream(), existing, value).compose(replaced -> {
        if (!replaced) {
          return Future.failedFuture(new StreamTakenException(holder));
        }
        sighted(entry.stream(), value);
        return Future.succeededFuture(new Claim(entry, value));
      });
    }));
  }

  /** Notes the name's value as seen now, unless it was seen before; returns the sighting in force. */
  private Sighting sighted(String stream, String value) {
    long now = clockMs.getAsLong();
    return sightings.compute(stream,
        (name, last) -> last != null && last.value.equals(value) ? last : new Sighting(value, now));
  }

  /** Whether this node has seen the name's entry unchanged for longer than the lease. */
  private boolean lapsed(String stream, String value) {
    return clockMs.getAsLong() - sighted(stream, value).sinceMs > leaseMs;
  }

  /** The live entry for a name, or null (none, or its lease ran out). */
  public Future<Entry> get(String stream) {
    return map().compose(m -> m.get(stream)).map(v -> {
      if (v == null) {
        sightings.remove(stream);
        return null;
      }
      return lapsed(stream, v) ? null : Entry.decode(v);
    });
  }

  /** Every live entry. */
  public Future<List<Entry>> all() {
    return map().compose(AsyncMap::entries).map(all -> {
      List<Entry> entries = new ArrayList<>(all.size());
      for (Map.Entry<String, String> e : all.entrySet()) {
        if (!lapsed(e.getKey(), e.getValue())) {
          entries.add(Entry.decode(e.getValue()));
        }
      }
      // Names no longer in the map need no sighting: the table stays as large as the map.
      Set<String> gone = new HashSet<>(sightings.keySet());
      gone.removeAll(all.keySet());
      gone.forEach(sightings::remove);
      return entries;
    });
  }

  /** Removes the entries of a node that left the cluster, so standbys can take over at once. */
  public Future<Integer> removeNode(String nodeId) {
    return map().compose(m -> m.entries().compose(entries -> {
      List<Future<Boolean>> removals = new ArrayList<>();
      for (Map.Entry<String, String> e : entries.entrySet()) {
        if (nodeId.equals(Entry.decode(e.getValue()).nodeId())) {
          removals.add(m.removeIfPresent(e.getKey(), e.getValue()));
        }
      }
      return Future.all(removals).map(all -> removals.size());
    }));
  }

  /** The name is held by another publisher. */
  public static final class StreamTakenException extends RuntimeException {
    private final transient Entry holder;

    public StreamTakenException(Entry holder) {
      super("stream " + holder.stream() + " is published on " + holder.nodeName());
      this.holder = holder;
    }

    public Entry holder() {
      return holder;
    }
  }
}

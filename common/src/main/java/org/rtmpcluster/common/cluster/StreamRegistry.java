package org.rtmpcluster.common.cluster;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The cluster's map of live streams: which origin publishes each name, with which epoch, since
 * when, with which codecs. An entry is held under a lease that its origin renews; it ends when
 * the origin releases it, when the origin's node leaves, or when the lease runs out.
 *
 * <p>Every change is a compare-and-set on the exact JSON string last written (the Hazelcast map
 * behind Vert.x has no compare-and-set with a time to live), and the lease is a time stamp in the
 * entry: an entry not renewed within the lease counts as absent and may be taken over.
 */
public final class StreamRegistry {
  public static final String MAP_NAME = "rtmp.streams";

  /** One registry entry. */
  public record Entry(String stream, String nodeId, String nodeName, String publisherId, long epoch,
      long startedAtMs, String videoCodec, String audioCodec, long renewedAtMs) {

    String encode() {
      return toJson().encode();
    }

    static Entry decode(String json) {
      JsonObject o = new JsonObject(json);
      return new Entry(o.getString("stream"), o.getString("nodeId"), o.getString("nodeName"),
          o.getString("publisherId"), o.getLong("epoch", 0L), o.getLong("startedAt", 0L),
          o.getString("videoCodec"), o.getString("audioCodec"), o.getLong("renewedAt", 0L));
    }

    public JsonObject toJson() {
      return new JsonObject().put("stream", stream).put("nodeId", nodeId).put("nodeName", nodeName)
          .put("publisherId", publisherId).put("epoch", epoch).put("startedAt", startedAtMs)
          .put("videoCodec", videoCodec).put("audioCodec", audioCodec).put("renewedAt", renewedAtMs);
    }

    public Entry withCodecs(String video, String audio) {
      return new Entry(stream, nodeId, nodeName, publisherId, epoch, startedAtMs, video, audio, renewedAtMs);
    }

    Entry renewedAt(long nowMs) {
      return new Entry(stream, nodeId, nodeName, publisherId, epoch, startedAtMs, videoCodec, audioCodec, nowMs);
    }
  }

  /** A claim this node holds; renew it, or release it. */
  public final class Claim {
    private Entry entry;
    private String written;

    private Claim(Entry entry, String written) {
      this.entry = entry;
      this.written = written;
    }

    public Entry entry() {
      return entry;
    }

    /** Extends the lease (and updates the entry); false when the claim was lost. */
    public Future<Boolean> renew(Entry update) {
      Entry updated = update.renewedAt(System.currentTimeMillis());
      String next = updated.encode();
      return map().compose(m -> m.replaceIfPresent(updated.stream(), written, next))
          .map(ok -> {
            if (ok) {
              entry = updated;
              written = next;
            }
            return ok;
          });
    }

    public Future<Boolean> release() {
      return map().compose(m -> m.removeIfPresent(entry.stream(), written));
    }
  }

  private final Vertx vertx;
  private final long leaseMs;
  private Future<AsyncMap<String, String>> map;

  public StreamRegistry(Vertx vertx, long leaseMs) {
    this.vertx = vertx;
    this.leaseMs = leaseMs;
  }

  private Future<AsyncMap<String, String>> map() {
    if (map == null) {
      map = vertx.sharedData().getAsyncMap(MAP_NAME);
    }
    return map;
  }

  /**
   * Claims the name; fails with {@link StreamTakenException} while another publisher holds it.
   * An entry whose lease ran out is taken over.
   */
  public Future<Claim> claim(Entry request) {
    Entry entry = request.renewedAt(System.currentTimeMillis());
    String value = entry.encode();
    return map().compose(m -> m.putIfAbsent(entry.stream(), value).compose(existing -> {
      if (existing == null) {
        return Future.succeededFuture(new Claim(entry, value));
      }
      Entry holder = Entry.decode(existing);
      if (!expired(holder)) {
        return Future.failedFuture(new StreamTakenException(holder));
      }
      return m.replaceIfPresent(entry.stream(), existing, value).compose(replaced -> replaced
          ? Future.succeededFuture(new Claim(entry, value))
          : Future.failedFuture(new StreamTakenException(holder)));
    }));
  }

  private boolean expired(Entry entry) {
    return System.currentTimeMillis() - entry.renewedAtMs() > leaseMs;
  }

  /** The live entry for a name, or null (none, or its lease ran out). */
  public Future<Entry> get(String stream) {
    return map().compose(m -> m.get(stream)).map(v -> {
      Entry entry = v == null ? null : Entry.decode(v);
      return entry == null || expired(entry) ? null : entry;
    });
  }

  /** Every live entry. */
  public Future<List<Entry>> all() {
    return map().compose(AsyncMap::values).map(values -> {
      List<Entry> entries = new ArrayList<>(values.size());
      for (String value : values) {
        Entry entry = Entry.decode(value);
        if (!expired(entry)) {
          entries.add(entry);
        }
      }
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

package org.rtmpcluster.server.stats;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's board of per-node stream stats: each node writes its own entry into a cluster
 * map every second, so that any node can answer for the whole cluster (players per node, frames
 * received over the event bus, the publisher's input rate) without asking every other node.
 *
 * <p>Map {@value #MAP_NAME}, key: node id, value: a JSON string
 * <pre>
 * {"nodeId": "...", "node": "edge-1", "roles": ["edge"], "updatedAt": 1700000000000,
 *  "streams": {"a": {"players": 5, "framesReceived": 1234, "epoch": 3, "gaps": 0, "framesLetGoWhileResyncing": 0,
 *                    "publisher": {"state": "active", "epoch": 3, "inputBitrate": 2500000,
 *                                  "fps": 30.0, "framesSent": 1234}}}}
 * </pre>
 * ("publisher" only where a publisher is attached on that node; "framesReceived", "epoch" and
 * "gaps" only where the node pulls the stream from the cluster.)
 *
 * <p>Entries of nodes that are gone must not show: each is written with a time to live, which
 * the map judges on one clock (the member that owns the entry's partition, never comparing two
 * machines' clocks), and a node that sees a member leave removes its entry at once. Used from
 * the node's event loop.
 */
public final class NodeStatsBoard {
  private static final Logger log = LoggerFactory.getLogger(NodeStatsBoard.class);

  public static final String MAP_NAME = "rtmp.node-stats";
  /** How often a node writes its entry: the API's per-node numbers are at most this old. */
  public static final long WRITE_INTERVAL_MS = 1_000;
  /** An entry not rewritten for this long is from a node that died or is cut off: five missed writes. */
  public static final long STALE_AFTER_MS = 5_000;

  private final Vertx vertx;
  private final String nodeId;
  private final Supplier<JsonObject> entry;
  private Future<AsyncMap<String, String>> map;
  private long timer = -1;
  private boolean writing;
  private boolean stopped;
  private long lastWriteAtMs;
  private boolean warned;

  public NodeStatsBoard(Vertx vertx, String nodeId, Supplier<JsonObject> entry) {
    this.vertx = vertx;
    this.nodeId = nodeId;
    this.entry = entry;
  }

  private Future<AsyncMap<String, String>> map() {
    if (map == null || map.failed()) {
      map = vertx.sharedData().getAsyncMap(MAP_NAME);
    }
    return map;
  }

  public void start() {
    write();
    timer = vertx.setPeriodic(WRITE_INTERVAL_MS, id -> write());
  }

  /** Stops writing and takes this node's entry off the board (best effort: it expires anyway). */
  public void stop() {
    stopped = true;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
    map().compose(m -> m.remove(nodeId));
  }

  private void write() {
    if (writing || stopped) {
      return; // the cluster is slow: skip a beat rather than queue writes
    }
    writing = true;
    String value = entry.get().encode();
    long at = System.currentTimeMillis();
    map().compose(m -> m.put(nodeId, value, STALE_AFTER_MS)).onComplete(ar -> {
      writing = false;
      if (ar.succeeded()) {
        lastWriteAtMs = at;
        if (warned) {
          log.info("node stats are reaching the cluster again");
          warned = false;
        }
      } else if (!warned && !stopped) {
        log.warn("cannot write node stats to the cluster: {}", ar.cause().toString());
        warned = true;
      }
    });
  }

  /** When this node's entry was last written successfully (epoch ms), or 0. */
  public long lastWriteAtMs() {
    return lastWriteAtMs;
  }

  /** Whether this node reached the cluster's maps recently: it is a working member. */
  public boolean healthy(long nowMs) {
    return lastWriteAtMs > 0 && nowMs - lastWriteAtMs <= STALE_AFTER_MS;
  }

  /** Every node's entry that has not expired, this node's included. */
  public Future<List<JsonObject>> fresh() {
    return map().compose(AsyncMap::values).map(values -> {
      List<JsonObject> entries = new ArrayList<>(values.size());
      for (String value : values) {
        entries.add(new JsonObject(value));
      }
      return entries;
    });
  }

  /** Removes a node's entry: it left the cluster. */
  public Future<String> removeNode(String leftNodeId) {
    return map().compose(m -> m.remove(leftNodeId));
  }
}

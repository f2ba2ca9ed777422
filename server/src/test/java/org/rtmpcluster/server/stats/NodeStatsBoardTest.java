package org.rtmpcluster.server.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rtmpcluster.common.testing.Await;

/** The board on a plain Vert.x: its local shared data behaves as the cluster map does. */
class NodeStatsBoardTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    Await.result(vertx.close());
  }

  private AsyncMap<String, String> map() {
    return Await.result(vertx.sharedData().<String, String>getAsyncMap(NodeStatsBoard.MAP_NAME));
  }

  private static JsonObject entry(String id, long updatedAt) {
    return new JsonObject().put("nodeId", id).put("node", "name-" + id).put("updatedAt", updatedAt)
        .put("streams", new JsonObject());
  }

  private NodeStatsBoard startBoard(String id) {
    NodeStatsBoard board = new NodeStatsBoard(vertx, id, () -> entry(id, System.currentTimeMillis()));
    Await.run(vertx.getOrCreateContext(), board::start);
    Await.until(() -> board.lastWriteAtMs() > 0, "first write");
    return board;
  }

  /**
   * Another node's clock says nothing about its entry's age: a node whose clock runs a minute
   * behind, just written, is shown; an entry is gone when its time to live in the map ends.
   */
  @Test
  void anEntryIsFreshUntilItsTimeToLiveEndsWhateverItsWritersClockSaid() {
    NodeStatsBoard board = startBoard("me");
    long aMinuteBehind = System.currentTimeMillis() - 60_000;
    Await.result(map().put("behind", entry("behind", aMinuteBehind).encode(), 300));
    assertEquals(List.of("behind", "me"), nodeIds(Await.result(board.fresh())));
    Await.until(() -> nodeIds(Await.result(board.fresh())).equals(List.of("me")), "the entry to expire");
    assertTrue(board.healthy(System.currentTimeMillis()));
  }

  private static List<String> nodeIds(List<JsonObject> entries) {
    return entries.stream().map(e -> e.getString("nodeId")).sorted().toList();
  }

  @Test
  void aNodeThatLeftIsRemovedAndStoppingRemovesOnesOwnEntry() {
    NodeStatsBoard board = startBoard("me");
    Await.result(map().put("other", entry("other", System.currentTimeMillis()).encode()));
    assertEquals(2, Await.result(board.fresh()).size());
    Await.result(board.removeNode("other"));
    assertEquals(1, Await.result(board.fresh()).size());
    Await.run(vertx.getOrCreateContext(), board::stop);
    Await.until(() -> Await.result(map().size()) == 0, "own entry removed");
  }

  @Test
  void aNodeThatNeverWroteIsNotHealthy() {
    NodeStatsBoard board = new NodeStatsBoard(vertx, "me", () -> entry("me", 0));
    assertEquals(0, board.lastWriteAtMs());
    assertTrue(!board.healthy(System.currentTimeMillis()));
  }
}

package org.rtmpcluster.server.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.rtmpcluster.common.cluster.StreamRegistry.Entry;

/** How the registry and the nodes' board entries become the /api/streams list. */
class StreamsReportTest {

  private static JsonObject node(String id, String name, JsonObject streams) {
    return new JsonObject().put("nodeId", id).put("node", name).put("roles", new JsonArray().add("edge"))
        .put("updatedAt", 1L).put("streams", streams);
  }

  private static JsonObject publisher(String state, long bitrate, double fps) {
    return new JsonObject().put("publisher", new JsonObject().put("state", state).put("epoch", 4)
        .put("inputBitrate", bitrate).put("fps", fps).put("framesSent", 99));
  }

  private static final Entry LIVE = new Entry("a", "id-o1", "origin-1", "p", 4, 1000, "avc1", "mp4a", 2000);

  @Test
  void originComesFromTheRegistryAndItsInputRatesFromItsNodesEntry() {
    JsonObject report = StreamsReport.merge(List.of(LIVE), List.of(
        node("id-o1", "origin-1", new JsonObject().put("a", publisher("active", 2_500_000, 30.0))),
        node("id-e2", "edge-2", new JsonObject().put("a", new JsonObject().put("players", 1).put("framesReceived", 7))),
        node("id-e1", "edge-1", new JsonObject().put("a", new JsonObject().put("players", 5).put("framesReceived", 7)))));
    JsonObject a = report.getJsonArray("streams").getJsonObject(0);
    assertEquals("a", a.getString("name"));
    assertTrue(a.getBoolean("live"));
    JsonObject origin = a.getJsonObject("origin");
    assertEquals("origin-1", origin.getString("node"));
    assertEquals(4, origin.getLong("epoch"));
    assertEquals("avc1", origin.getString("videoCodec"));
    assertEquals(1000, origin.getLong("startedAt"));
    assertEquals(2_500_000, origin.getLong("inputBitrate"));
    assertEquals(30.0, origin.getDouble("fps"));
    assertEquals(99, origin.getLong("framesSent"));
    JsonArray nodes = a.getJsonArray("nodes");
    assertEquals("edge-1", nodes.getJsonObject(0).getString("node"), "sorted by node name");
    assertEquals(5, nodes.getJsonObject(0).getInteger("players"));
    assertEquals("edge-2", nodes.getJsonObject(1).getString("node"));
    assertEquals(0, a.getJsonArray("standby").size());
    assertEquals(3, report.getJsonArray("nodes").size());
  }

  @Test
  void ratesAreNullUntilTheOriginsNodeHasReported() {
    JsonObject a = StreamsReport.merge(List.of(LIVE), List.of()).getJsonArray("streams").getJsonObject(0);
    assertTrue(a.getJsonObject("origin").containsKey("inputBitrate"));
    assertNull(a.getJsonObject("origin").getValue("inputBitrate"));
    assertEquals(0, a.getJsonArray("nodes").size());
  }

  @Test
  void aPublisherOnAnotherOriginIsListedAsStandby() {
    JsonObject a = StreamsReport.merge(List.of(LIVE), List.of(
        node("id-o2", "origin-2", new JsonObject().put("a", publisher("standby", 1_000, 25.0)))))
        .getJsonArray("streams").getJsonObject(0);
    JsonObject standby = a.getJsonArray("standby").getJsonObject(0);
    assertEquals("origin-2", standby.getString("node"));
    assertEquals("standby", standby.getString("state"));
    assertEquals(0, a.getJsonArray("nodes").size(), "a publisher is not a player");
  }

  @Test
  void playersWaitingForAStreamNobodyPublishesShowItAsNotLive() {
    JsonObject report = StreamsReport.merge(List.of(), List.of(
        node("id-e1", "edge-1", new JsonObject().put("soon", new JsonObject().put("players", 3)))));
    JsonObject soon = report.getJsonArray("streams").getJsonObject(0);
    assertFalse(soon.getBoolean("live"));
    assertNull(soon.getValue("origin"));
    assertEquals(3, soon.getJsonArray("nodes").getJsonObject(0).getInteger("players"));
  }
}

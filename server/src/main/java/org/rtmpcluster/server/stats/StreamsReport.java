package org.rtmpcluster.server.stats;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.rtmpcluster.common.cluster.StreamRegistry;

/**
 * The body of GET /api/streams: the registry's live streams (who publishes, epoch, codecs) merged
 * with every node's board entry (input rates, players and frames received per node). A stream
 * that only a board entry names (players waiting for it, a standby publisher) is listed with
 * {@code "live": false} and no origin. See docs/operations.md for the fields.
 */
final class StreamsReport {

  private StreamsReport() {
  }

  static JsonObject merge(List<StreamRegistry.Entry> live, Collection<JsonObject> nodeEntries) {
    List<JsonObject> nodes = nodeEntries.stream()
        .sorted(Comparator.comparing((JsonObject n) -> String.valueOf(n.getString("node")))).toList();
    Map<String, JsonObject> nodeById = new HashMap<>();
    for (JsonObject node : nodes) {
      nodeById.put(node.getString("nodeId"), node);
    }
    Map<String, JsonObject> streams = new TreeMap<>();
    Map<String, String> originNodeIds = new HashMap<>();
    for (StreamRegistry.Entry entry : live) {
      JsonObject origin = new JsonObject().put("node", entry.nodeName()).put("epoch", entry.epoch())
          .put("videoCodec", entry.videoCodec()).put("audioCodec", entry.audioCodec())
          .put("startedAt", entry.startedAtMs()).put("inputBitrate", null).put("fps", null);
      JsonObject publisher = publisherOn(nodeById.get(entry.nodeId()), entry.stream());
      if (publisher != null) {
        origin.put("inputBitrate", publisher.getValue("inputBitrate")).put("fps", publisher.getValue("fps"));
        if (publisher.containsKey("framesSent")) {
          origin.put("framesSent", publisher.getValue("framesSent"));
        }
      }
      streams.put(entry.stream(), stream(entry.stream(), origin));
      originNodeIds.put(entry.stream(), entry.nodeId());
    }
    for (JsonObject node : nodes) {
      JsonObject reported = node.getJsonObject("streams", new JsonObject());
      for (String name : reported.fieldNames()) {
        JsonObject here = reported.getJsonObject(name);
        JsonObject stream = streams.computeIfAbsent(name, n -> stream(n, null));
        if (here.containsKey("players")) {
          JsonObject share = new JsonObject().put("node", node.getString("node")).put("players", here.getValue("players"));
          for (String field : List.of("framesReceived", "epoch", "gaps", "framesLetGoWhileResyncing")) {
            if (here.containsKey(field)) {
              share.put(field, here.getValue(field));
            }
          }
          stream.getJsonArray("nodes").add(share);
        }
        JsonObject publisher = here.getJsonObject("publisher");
        if (publisher != null && !node.getString("nodeId").equals(originNodeIds.get(name))) {
          stream.getJsonArray("standby").add(new JsonObject().put("node", node.getString("node"))
              .put("state", publisher.getValue("state")).put("inputBitrate", publisher.getValue("inputBitrate"))
              .put("fps", publisher.getValue("fps")));
        }
      }
    }
    JsonArray reporting = new JsonArray();
    for (JsonObject node : nodes) {
      JsonObject reported = new JsonObject().put("node", node.getString("node")).put("roles", node.getValue("roles"))
          .put("updatedAt", node.getValue("updatedAt"));
      for (String field : List.of("connections", "players", "playHttp")) {
        if (node.containsKey(field)) {
          reported.put(field, node.getValue(field));
        }
      }
      reporting.add(reported);
    }
    return new JsonObject().put("streams", new JsonArray(List.copyOf(streams.values()))).put("nodes", reporting);
  }

  private static JsonObject stream(String name, JsonObject origin) {
    return new JsonObject().put("name", name).put("live", origin != null).put("origin", origin)
        .put("standby", new JsonArray()).put("nodes", new JsonArray());
  }

  private static JsonObject publisherOn(JsonObject node, String stream) {
    if (node == null) {
      return null;
    }
    JsonObject here = node.getJsonObject("streams", new JsonObject()).getJsonObject(stream);
    return here == null ? null : here.getJsonObject("publisher");
  }
}

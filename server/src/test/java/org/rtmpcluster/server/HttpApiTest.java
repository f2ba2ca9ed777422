package org.rtmpcluster.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rtmpcluster.common.testing.SyntheticMedia.aacFrame;
import static org.rtmpcluster.common.testing.SyntheticMedia.aacSequenceHeader;
import static org.rtmpcluster.common.testing.SyntheticMedia.avcSequenceHeader;
import static org.rtmpcluster.common.testing.SyntheticMedia.setDataFrameMetadata;
import static org.rtmpcluster.common.testing.SyntheticMedia.videoFrame;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rtmpcluster.client.RtmpClient;
import org.rtmpcluster.common.memory.MemoryLimits;
import org.rtmpcluster.common.config.HttpSettings;
import org.rtmpcluster.common.testing.Await;
import org.rtmpcluster.edge.cluster.StreamPuller;
import org.rtmpcluster.server.PublishPlayTest.Viewer;
import org.rtmpcluster.server.stats.NodeStatsBoard;

/** The operators' HTTP API, read with a plain HTTP client as curl or a monitor would. */
class HttpApiTest {
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  private TestNode node;
  private TestCluster cluster;

  @AfterEach
  void stop() {
    if (node != null) {
      node.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  record Reply(int status, JsonObject body, HttpResponse<String> raw) {
  }

  private static Reply request(int port, String method, String path) {
    return request(port, method, path, null);
  }

  private static Reply request(int port, String method, String path, String authorization) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(5)).method(method, HttpRequest.BodyPublishers.noBody());
    if (authorization != null) {
      builder.header("Authorization", authorization);
    }
    HttpRequest request = builder.build();
    try {
      HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
      return new Reply(response.statusCode(), new JsonObject(response.body()), response);
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static JsonObject get(int port, String path) {
    Reply reply = request(port, "GET", path);
    assertEquals(200, reply.status(), () -> path + ": " + reply.body());
    assertEquals("application/json; charset=utf-8", reply.raw().headers().firstValue("Content-Type").orElse(""));
    return reply.body();
  }

  /** Polls {@code path} until the body matches (the cluster's stats are up to a second old). */
  private static JsonObject getUntil(int port, String path, Predicate<JsonObject> condition, String what) {
    JsonObject[] last = new JsonObject[1];
    try {
      Await.until(() -> condition.test(last[0] = get(port, path)), Duration.ofSeconds(10), what);
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; last " + path + ": " + last[0], e);
    }
    return last[0];
  }

  private static JsonObject stream(JsonObject streams, String name) {
    for (Object s : streams.getJsonArray("streams")) {
      if (("live/" + name).equals(((JsonObject) s).getString("name"))) {
        return (JsonObject) s;
      }
    }
    return null;
  }

  private static JsonObject nodeShare(JsonObject stream, String node) {
    if (stream == null) {
      return null;
    }
    for (Object n : stream.getJsonArray("nodes")) {
      if (node.equals(((JsonObject) n).getString("node"))) {
        return (JsonObject) n;
      }
    }
    return null;
  }

  private TestNode startNode() {
    node = TestNode.start(c -> c.withNodeName("solo").withHttp(new HttpSettings(true, "127.0.0.1", 0, null)));
    return node;
  }

  private int httpPort() {
    return node.node.httpApi().port();
  }

  private static int publish(RtmpClient client, String key) {
    return Await.on(client.context(), () -> client.publish(key));
  }

  private static Viewer play(RtmpClient client, String name) {
    Viewer viewer = new Viewer(client);
    Await.on(client.context(), () -> client.play(name));
    return viewer;
  }

  private static void sendHeaders(RtmpClient publisher, int msid) {
    Await.run(publisher.context(), () -> {
      publisher.sendData(msid, 0, setDataFrameMetadata("http"));
      publisher.sendVideo(msid, 0, avcSequenceHeader(1));
      publisher.sendAudio(msid, 0, aacSequenceHeader());
    });
  }

  // ---- a standalone node

  @Test
  void withATokenTheApiNeedsItAndHealthStaysOpen() {
    String token = "0123456789abcdef-operator";
    node = TestNode.start(c -> c.withHttp(new HttpSettings(true, "127.0.0.1", 0, token)));
    assertEquals(200, request(httpPort(), "GET", "/health").status(), "probes need no token");
    for (String path : List.of("/api/node", "/api/streams", "/api/nothing", "/metrics")) {
      Reply none = request(httpPort(), "GET", path);
      assertEquals(401, none.status(), path);
      assertEquals("Bearer realm=\"rtmp-cluster\"", none.raw().headers().firstValue("WWW-Authenticate").orElse(""));
      assertTrue(!none.raw().body().contains(token), "a refusal never shows the token");
      assertEquals(401, request(httpPort(), "GET", path, "Bearer " + token + "x").status(), path);
      assertEquals(401, request(httpPort(), "GET", path, token).status(), path + " without the scheme");
    }
    assertEquals(200, request(httpPort(), "GET", "/api/node", "Bearer " + token).status());
    assertEquals(200, request(httpPort(), "GET", "/api/streams", "Bearer " + token).status());
  }

  @Test
  void healthIsUpWhileAStandaloneNodeListens() {
    startNode();
    JsonObject health = get(httpPort(), "/health");
    assertEquals("up", health.getString("status"));
    assertEquals("solo", health.getString("node"));
    assertEquals("standalone", health.getString("cluster"));
  }

  @Test
  void healthIs503DrainingOnceTheNodeDrains() {
    startNode();
    Await.result(node.node.drain(1_000));
    Reply reply = request(httpPort(), "GET", "/health");
    assertEquals(503, reply.status());
    assertEquals("draining", reply.body().getString("status"));
  }

  @Test
  void nodeCountsAConnectedClientAndTheBytesBothWays() {
    startNode();
    JsonObject before = get(httpPort(), "/api/node");
    assertEquals(0, before.getInteger("connections"));
    assertEquals(new JsonArray(List.of("edge", "origin")), before.getJsonArray("roles"));
    assertEquals("standalone", before.getString("cluster"));
    assertNull(before.getString("nodeId"));
    assertEquals(node.port(), before.getInteger("rtmpPort"));
    assertEquals(2, before.getInteger("eventLoops"), "as TestNode configures");
    assertEquals(2, before.getJsonArray("loops").size(), "one load entry per event loop");
    JsonObject loop = before.getJsonArray("loops").getJsonObject(0);
    assertTrue(loop.getLong("lagMs") >= 0 && loop.getLong("maxLagMs10s") >= loop.getLong("lagMs"), loop.encode());
    assertEquals(0, loop.getLong("queuedBytes"));
    JsonObject memory = before.getJsonObject("memory");
    assertEquals(Runtime.getRuntime().maxMemory(), memory.getLong("heapMaxBytes"));
    assertEquals(Runtime.getRuntime().maxMemory() / 8, memory.getJsonObject("incompleteMessages").getLong("budgetBytes"),
        "the default budget: an eighth of the heap");
    assertEquals(0, memory.getJsonObject("incompleteMessages").getLong("usedBytes"));
    assertEquals(false, memory.getJsonObject("directForPlayers").getBoolean("overBudget"));
    assertEquals(MemoryLimits.maxDirectBytes() / 4 * 3, memory.getJsonObject("directForPlayers").getLong("budgetBytes"),
        "the default budget: three quarters of the direct-memory limit");

    RtmpClient client = node.connect();
    JsonObject after = getUntil(httpPort(), "/api/node", n -> n.getInteger("connections") == 1, "one connection");
    // The handshake alone is 1 + 1536 + 1536 bytes each way; connect() and its answer come on top.
    assertTrue(after.getLong("bytesIn") > 3073, after.encode());
    assertTrue(after.getLong("bytesOut") > 3073, after.encode());
    assertEquals(0, after.getLong("protocolErrors"));
    assertEquals(0, after.getLong("refusedConnections"));
    assertTrue(after.getLong("uptimeMs") >= 0);

    Await.result(client.close());
    getUntil(httpPort(), "/api/node", n -> n.getInteger("connections") == 0, "the connection gone");
  }

  @Test
  void streamsShowAPublishedStreamWithItsPlayersCodecsAndInputRates() throws InterruptedException {
    startNode();
    RtmpClient publisher = node.connect();
    int msid = publish(publisher, TestNode.KEY.key());
    sendHeaders(publisher, msid);
    Viewer one = play(node.connect(), "show");
    Viewer two = play(node.connect(), "show");

    // 2 s at 25 fps: video frames of 1000 bytes, each with a 6-byte audio frame: about 201 kbit/s.
    int frames = 50;
    long start = System.nanoTime();
    for (int i = 0; i < frames; i++) {
      long dueNanos = start + i * 40_000_000L;
      long waitMs = (dueNanos - System.nanoTime()) / 1_000_000;
      if (waitMs > 0) {
        Thread.sleep(waitMs);
      }
      int marker = i;
      Await.run(publisher.context(), () -> {
        publisher.sendVideo(msid, 40L * marker, videoFrame(marker % 25 == 0, marker, 1_000));
        publisher.sendAudio(msid, 40L * marker + 5, aacFrame(marker));
      });
    }
    Await.until(() -> two.videoMarkers().size() == frames && one.videoMarkers().size() == frames, "players got it all");

    JsonObject show = stream(get(httpPort(), "/api/streams"), "show");
    assertNotNull(show);
    assertTrue(show.getBoolean("live"));
    JsonObject origin = show.getJsonObject("origin");
    assertEquals("solo", origin.getString("node"));
    assertEquals(1, origin.getLong("epoch"));
    assertEquals("avc1", origin.getString("videoCodec"));
    assertEquals("mp4a", origin.getString("audioCodec"));
    assertTrue(origin.getLong("startedAt") > 0);
    double fps = origin.getDouble("fps");
    long bitrate = origin.getLong("inputBitrate");
    assertTrue(fps > 18 && fps < 32, "fps " + fps);
    assertTrue(bitrate > 140_000 && bitrate < 280_000, "bitrate " + bitrate);
    assertEquals(2, nodeShare(show, "solo").getInteger("players"));
    assertNull(nodeShare(show, "solo").getValue("framesReceived"), "no event bus on a standalone node");

    JsonObject nodeView = get(httpPort(), "/api/node");
    assertEquals(1, nodeView.getInteger("streamsPublished"));
    assertEquals(1, nodeView.getInteger("streamsPlayed"));
    assertEquals(2, nodeView.getInteger("players"));
    assertEquals(3, nodeView.getInteger("connections"));
  }

  @Test
  void unknownPathsAre404AndMethodsOtherThanGetAre405() {
    startNode();
    Reply missing = request(httpPort(), "GET", "/api/nope");
    assertEquals(404, missing.status());
    assertTrue(missing.body().getString("error").contains("/api/nope"));

    Reply post = request(httpPort(), "POST", "/api/streams");
    assertEquals(405, post.status());
    assertEquals("GET", post.raw().headers().firstValue("Allow").orElse(""));
    assertTrue(post.body().containsKey("error"));
  }

  // ---- a cluster: origin-1, edge-1, edge-2

  private static void sendFrames(RtmpClient publisher, int msid, int from, int to) {
    Await.run(publisher.context(), () -> {
      for (int marker = from; marker < to; marker++) {
        publisher.sendVideo(msid, 33L * marker, videoFrame(marker % 30 == 0, marker, 300));
        publisher.sendAudio(msid, 33L * marker + 5, aacFrame(marker));
      }
    });
  }

  @Test
  void anyClusterNodeListsTheStreamWithItsOriginAndEachEdgesPlayersAndOneCopyOfItsFrames() {
    cluster = new TestCluster();
    TestCluster.Member origin = cluster.origin("origin-1");
    TestCluster.Member edge1 = cluster.edge("edge-1");
    TestCluster.Member edge2 = cluster.edge("edge-2");

    RtmpClient publisher = origin.connect();
    int msid = publish(publisher, "key-a");
    sendHeaders(publisher, msid);
    sendFrames(publisher, msid, 0, 1);
    Await.until(() -> Await.result(origin.node().streamRegistry().get("live/a")) != null, "registry entry");
    long epoch = Await.result(origin.node().streamRegistry().get("live/a")).epoch();

    List<Viewer> viewers = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      viewers.add(play(edge1.connect(), "a"));
    }
    viewers.add(play(edge2.connect(), "a"));
    Await.until(() -> viewers.stream().allMatch(v -> v.videoMarkers().size() == 1), "all six started");
    StreamPuller puller1 = (StreamPuller) edge1.node().edgeHub().get("live/a").audienceWatcher();
    StreamPuller puller2 = (StreamPuller) edge2.node().edgeHub().get("live/a").audienceWatcher();
    long before1 = puller1.framesReceived();
    long before2 = puller2.framesReceived();
    sendFrames(publisher, msid, 1, 31); // 30 video + 30 audio frames
    Await.until(() -> viewers.stream().allMatch(v -> v.videoMarkers().size() == 31), "all six got every frame");

    for (TestCluster.Member asked : List.of(origin, edge1, edge2)) {
      int port = asked.node().httpApi().port();
      JsonObject streams = getUntil(port, "/api/streams", s -> {
        JsonObject e1 = nodeShare(stream(s, "a"), "edge-1");
        JsonObject e2 = nodeShare(stream(s, "a"), "edge-2");
        return e1 != null && e2 != null && e1.getLong("framesReceived") == before1 + 60
            && e2.getLong("framesReceived") == before2 + 60;
      }, "both edges' frames on " + asked.name());
      JsonObject a = stream(streams, "a");
      assertTrue(a.getBoolean("live"));
      JsonObject from = a.getJsonObject("origin");
      assertEquals("origin-1", from.getString("node"));
      assertEquals(epoch, from.getLong("epoch"));
      assertEquals("avc1", from.getString("videoCodec"));
      assertEquals("mp4a", from.getString("audioCodec"));
      assertEquals(5, nodeShare(a, "edge-1").getInteger("players"), "asked " + asked.name());
      assertEquals(1, nodeShare(a, "edge-2").getInteger("players"), "asked " + asked.name());
      assertEquals(2, a.getJsonArray("nodes").size(), "only edges play it: " + a);
      assertEquals(0, a.getJsonArray("standby").size());
      assertEquals(3, streams.getJsonArray("nodes").size(), "every member reports: " + streams);
    }

    // The origin's own numbers come through its board entry too, up to a second old.
    JsonObject origins = getUntil(origin.node().httpApi().port(), "/api/streams",
        s -> stream(s, "a").getJsonObject("origin").getLong("framesSent", 0L) >= 60, "the origin's frames sent");
    JsonObject from = stream(origins, "a").getJsonObject("origin");
    assertTrue(from.getLong("inputBitrate") > 0, from.encode());
    assertTrue(from.getDouble("fps") > 0, from.encode());

    JsonObject health = get(edge1.node().httpApi().port(), "/health");
    assertEquals("up", health.getString("status"));
    JsonObject edgeView = get(edge1.node().httpApi().port(), "/api/node");
    assertEquals(edge1.clustered().clusterManager().getNodeId(), edgeView.getString("nodeId"));
    assertEquals(new JsonArray(List.of("edge")), edgeView.getJsonArray("roles"));
    assertEquals(5, edgeView.getInteger("players"));
    assertEquals(1, edgeView.getInteger("streamsPlayed"));
    assertEquals(0, edgeView.getInteger("streamsPublished"));

    // A member that leaves disappears from the other nodes' lists when it goes, before its entry goes stale.
    long leaving = System.nanoTime();
    edge2.close();
    getUntil(origin.node().httpApi().port(), "/api/streams", s -> nodeShare(stream(s, "a"), "edge-2") == null
        && s.getJsonArray("nodes").size() == 2, "edge-2 gone");
    long tookMs = (System.nanoTime() - leaving) / 1_000_000;
    assertTrue(tookMs < NodeStatsBoard.STALE_AFTER_MS, "took " + tookMs + " ms");
  }
}

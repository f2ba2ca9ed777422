package org.rtmpcluster.server;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rtmpcluster.common.config.PlayHttpSettings;
import org.rtmpcluster.common.stream.HomeStream;
import org.rtmpcluster.common.testing.Await;
import org.rtmpcluster.common.testing.FfmpegPublish;
import org.rtmpcluster.common.testing.MediaReport;
import org.rtmpcluster.common.testing.PlayResult;
import org.rtmpcluster.common.testing.ProcessResult;
import org.rtmpcluster.common.testing.RealClients;

/** HTTP-FLV (issue 11, first slice): ffmpeg publishes over RTMP, ffmpeg plays the .flv URL. */
class HttpFlvTest {
  private static final Duration PLAYER_LIMIT = Duration.ofSeconds(40);
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir
  Path dir;

  private TestNode node;
  private final ExecutorService playerThreads = Executors.newCachedThreadPool();

  @BeforeAll
  static void toolsAreInstalled() {
    RealClients.requireTools("ffmpeg", "ffprobe");
  }

  @AfterEach
  void stop() {
    playerThreads.shutdownNow();
    if (node != null) {
      node.close();
    }
  }

  private void startNode() {
    node = TestNode.start(c -> c.withStreams(c.streams().toBuilder().playerGraceMs(1_000).build())
        .withPlayHttp(PlayHttpSettings.DEFAULT.withHost("127.0.0.1").withPort(0)));
  }

  private String flvUrl(String path) {
    return "http://127.0.0.1:" + node.node.playHttpPort() + path;
  }

  private HomeStream stream() {
    return node.node.hub().get(TestNode.STREAM);
  }

  @Test
  void ffmpegPlaysTheStreamOverHttpFlvFromItsFirstFrameToItsEnd() throws Exception {
    startNode();
    Future<PlayResult> early = playerThreads.submit(
        () -> RealClients.playWithFfmpeg(flvUrl("/live/show.flv"), PLAYER_LIMIT, dir.resolve("early.flv")));
    Await.until(() -> stream() != null && stream().playerCount() == 1, "the HTTP-FLV viewer waits for the stream");
    try (FfmpegPublish publish = RealClients.publish("rtmp://127.0.0.1:" + node.port() + "/live/" + TestNode.KEY.key(), 6, 30)) {
      Await.until(() -> stream().isLive() && stream().sequence() > 100, "two seconds of the stream");
      Future<PlayResult> late = playerThreads.submit(
          () -> RealClients.playWithFfmpeg(flvUrl("/live/show.flv"), PLAYER_LIMIT, dir.resolve("late.flv")));
      ProcessResult published = publish.awaitExit(Duration.ofSeconds(30));
      assertTrue(published.exitedCleanly(), published::describe);
      PlayResult earlyPlay = early.get(PLAYER_LIMIT.toSeconds() + 30, TimeUnit.SECONDS);
      PlayResult latePlay = late.get(PLAYER_LIMIT.toSeconds() + 30, TimeUnit.SECONDS);
      for (PlayResult play : List.of(earlyPlay, latePlay)) {
        assertTrue(play.process().exitedCleanly(), () -> "ffmpeg did not end with the stream:\n" + play);
        MediaReport report = play.analyze();
        assertAll(report + "\n" + play,
            () -> assertEquals("h264", report.videoCodec()),
            () -> assertEquals("aac", report.audioCodec()),
            () -> assertTrue(report.firstVideoFrameIsKeyframe(), "starts on a keyframe"),
            () -> assertTrue(report.decodesCleanly(), "decodes without errors"),
            () -> assertTrue(report.videoTimestampsMonotonic(), "video timestamps monotonic"));
      }
      assertEquals(publish.expectedVideoFrames(), earlyPlay.analyze().videoFrames(), "the early viewer got every frame");
      assertTrue(latePlay.analyze().videoFrames() >= publish.expectedVideoFrames() / 3,
          "the late viewer got the GOP and the rest: " + latePlay.analyze().videoFrames());
    }
  }

  @Test
  void httpViewersCountTowardThePerAddressConnectionLimit() throws Exception {
    node = TestNode.start(c -> c.withRtmp(c.rtmp().toBuilder().maxConnectionsPerIp(2).build())
        .withPlayHttp(PlayHttpSettings.DEFAULT.withHost("127.0.0.1").withPort(0)));
    java.util.List<java.net.Socket> held = new java.util.ArrayList<>();
    try {
      for (int i = 0; i < 2; i++) {
        held.add(waitingViewer());
      }
      // Two event loops accept in their own order: the third must come after the node took both.
      Await.until(() -> node.node.connections().size() == 2, "the node holds the first two");
      java.net.Socket third = waitingViewer();
      third.setSoTimeout(10_000);
      assertEquals(-1, third.getInputStream().read(), "the third connection from one address is closed");
      third.close();
      held.remove(0).close();
      Await.until(() -> {
        try (java.net.Socket again = waitingViewer()) {
          again.setSoTimeout(300);
          return again.getInputStream().read() != -1;
        } catch (java.net.SocketTimeoutException stillOpen) {
          return true; // admitted: waiting for a stream nobody publishes
        } catch (java.io.IOException e) {
          return false;
        }
      }, "a slot is free again once a viewer leaves");
    } finally {
      for (java.net.Socket socket : held) {
        socket.close();
      }
    }
  }

  /** A connection that asks for a stream nobody publishes, and so waits. */
  private java.net.Socket waitingViewer() throws java.io.IOException {
    java.net.Socket socket = new java.net.Socket("127.0.0.1", node.node.playHttpPort());
    socket.getOutputStream().write("GET /live/nobody.flv HTTP/1.1\r\nHost: x\r\n\r\n".getBytes());
    return socket;
  }

  @Test
  void answersCarryCorsAndWrongPathsSayWhat() throws Exception {
    startNode();
    HttpResponse<String> preflight = HTTP.send(HttpRequest.newBuilder(URI.create(flvUrl("/live/show.flv")))
        .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("Origin", "https://player.example")
        .header("Access-Control-Request-Method", "GET").build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(204, preflight.statusCode());
    assertEquals("*", preflight.headers().firstValue("Access-Control-Allow-Origin").orElse(""));
    assertTrue(preflight.headers().firstValue("Access-Control-Allow-Methods").orElse("").contains("GET"));

    HttpResponse<String> wrongApp = HTTP.send(HttpRequest.newBuilder(URI.create(flvUrl("/vod/show.flv"))).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(404, wrongApp.statusCode());
    assertEquals("this node serves no app 'vod'", wrongApp.body().trim());
    HttpResponse<String> noName = HTTP.send(HttpRequest.newBuilder(URI.create(flvUrl("/live/show"))).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(404, noName.statusCode());
  }

  @Test
  void playTokensApplyToHttpFlvAsToRtmp() throws Exception {
    String secret = "a-play-token-secret-for-http";
    node = TestNode.start(c -> c.withPlayHttp(PlayHttpSettings.DEFAULT.withHost("127.0.0.1").withPort(0))
        .withAuth(c.auth().withTokens(c.auth().tokens().withPlaySecret(secret))));
    HttpResponse<String> refused = HTTP.send(HttpRequest.newBuilder(URI.create(flvUrl("/live/show.flv"))).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(403, refused.statusCode());
    assertTrue(refused.body().startsWith("play needs a signed token"), refused.body());
    long expires = System.currentTimeMillis() / 1000 + 600;
    String token = org.rtmpcluster.common.auth.SignedTokens.sign(secret,
        org.rtmpcluster.common.config.AuthAction.PLAY, "live", "show", expires);
    HttpResponse<java.io.InputStream> admitted = HTTP.send(HttpRequest.newBuilder(URI.create(
        flvUrl("/live/show.flv?expires=" + expires + "&kid=default&token=" + token))).build(),
        HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, admitted.statusCode());
    assertEquals("video/x-flv", admitted.headers().firstValue("Content-Type").orElse(""));
    byte[] header = admitted.body().readNBytes(13);
    assertEquals("FLV", new String(header, 0, 3, java.nio.charset.StandardCharsets.US_ASCII));
    admitted.body().close();
  }

  /** WebSocket-FLV: the same URL as a WebSocket gets the same FLV bytes, as binary messages. */
  @Test
  void aWebSocketOnTheSameUrlGetsTheStreamAsFlv() throws Exception {
    startNode();
    io.vertx.core.buffer.Buffer received = io.vertx.core.buffer.Buffer.buffer();
    io.vertx.core.http.WebSocketClient client = node.vertx.createWebSocketClient();
    // The handlers are in place before the upgrade: the node sends the FLV header at once, as a
    // browser's WebSocket, whose onmessage is set before it opens, expects.
    io.vertx.core.http.ClientWebSocket socket = client.webSocket();
    io.vertx.core.Promise<Void> closed = io.vertx.core.Promise.promise();
    socket.binaryMessageHandler(message -> {
      synchronized (received) {
        received.appendBuffer(message);
      }
    });
    socket.closeHandler(v -> closed.tryComplete());
    Await.result(socket.connect(node.node.playHttpPort(), "127.0.0.1", "/live/show.flv"));
    Await.until(() -> stream() != null && stream().playerCount() == 1, "the WebSocket viewer waits");
    try (FfmpegPublish publish = RealClients.publish("rtmp://127.0.0.1:" + node.port() + "/live/" + TestNode.KEY.key(), 3, 30)) {
      assertTrue(publish.awaitExit(Duration.ofSeconds(30)).exitedCleanly());
      Await.result(closed.future(), Duration.ofSeconds(20));
      byte[] flv;
      synchronized (received) {
        flv = received.getBytes();
      }
      assertEquals("FLV", new String(flv, 0, 3, java.nio.charset.StandardCharsets.US_ASCII));
      int videoTags = 0;
      int at = 13;
      long lastVideoTimestamp = -1;
      while (at + 11 <= flv.length) {
        int type = flv[at] & 0xFF;
        int size = ((flv[at + 1] & 0xFF) << 16) | ((flv[at + 2] & 0xFF) << 8) | (flv[at + 3] & 0xFF);
        long timestamp = (((flv[at + 4] & 0xFFL) << 16) | ((flv[at + 5] & 0xFFL) << 8) | (flv[at + 6] & 0xFFL))
            | ((flv[at + 7] & 0xFFL) << 24);
        if (type == 9 && (flv[at + 12] & 0xFF) == 1) { // AVC NALUs, not the sequence header
          videoTags++;
          assertTrue(timestamp >= lastVideoTimestamp, "video time never goes back");
          lastVideoTimestamp = timestamp;
        }
        at += 11 + size + 4;
      }
      assertEquals(flv.length, at, "whole tags only");
      assertEquals(publish.expectedVideoFrames(), videoTags, "every video frame, from before the start to the end");
    }
  }
}

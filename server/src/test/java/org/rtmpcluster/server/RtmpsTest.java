package org.rtmpcluster.server;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rtmpcluster.client.RtmpClient;
import org.rtmpcluster.common.config.NodeConfig;
import org.rtmpcluster.common.config.RtmpsSettings;
import org.rtmpcluster.common.stream.HomeStream;
import org.rtmpcluster.common.testing.Await;
import org.rtmpcluster.common.testing.FfmpegPublish;
import org.rtmpcluster.common.testing.MediaReport;
import org.rtmpcluster.common.testing.PlayResult;
import org.rtmpcluster.common.testing.ProcessResult;
import org.rtmpcluster.common.testing.RealClients;
import org.rtmpcluster.common.testing.TestCertificates;
import org.rtmpcluster.common.testing.TestCertificates.KeyType;
import org.rtmpcluster.server.stats.NodeStats;

/**
 * RTMPS (issue 10): real encoders and players over TLS, with a certificate made by openssl the way
 * an operator makes one, and the certificate renewed under a running node.
 */
class RtmpsTest {
  private static final int GOP_FRAMES = 30;
  private static final Duration PLAYER_LIMIT = Duration.ofSeconds(40);
  private static final Duration PUBLISH_WAIT = Duration.ofSeconds(30);

  @TempDir
  Path dir;

  private TestNode node;
  private final ExecutorService playerThreads = Executors.newCachedThreadPool();

  @BeforeAll
  static void toolsAreInstalled() {
    RealClients.requireTools("ffmpeg", "ffprobe", "rtmpdump", "openssl");
  }

  @AfterEach
  void stop() {
    playerThreads.shutdownNow();
    if (node != null) {
      node.close();
    }
  }

  private TestNode startWithRtmps(TestCertificates.Pair pair, UnaryOperator<NodeConfig> tweak) {
    return TestNode.start(c -> tweak.apply(c
        .withStreams(c.streams().toBuilder().playerGraceMs(1_000).build())
        .withRtmps(RtmpsSettings.DEFAULT.withHost("127.0.0.1")
            .withCertificate(pair.cert().toString(), pair.key().toString()).withPort(0)
            .withReloadCheckMs(100))));
  }

  private String rtmpsUrl(String name) {
    return "rtmps://127.0.0.1:" + node.node.rtmpsPort() + "/live/" + name;
  }

  private HomeStream stream() {
    return node.node.hub().get(TestNode.STREAM);
  }

  private void awaitPlayers(int count) {
    Await.until(() -> stream() != null && stream().playerCount() == count, count + " players of the stream");
  }

  /**
   * Over TLS 1.2: rtmpdump 2.4 (librtmp with GnuTLS) fails its RTMP handshake once TLS 1.3 is
   * agreed with this node; {@code rtmps.protocols: [TLSv1.2]} is what a node with such players
   * needs. The EC test below runs ffmpeg over the default, TLS 1.3.
   */
  @Test
  void ffmpegPublishesAndFfmpegAndRtmpdumpPlayOverRtmps() throws Exception {
    node = startWithRtmps(TestCertificates.selfSigned(dir, "node", KeyType.RSA, "localhost"),
        c -> c.withRtmps(c.rtmps().withProtocols(List.of("TLSv1.2"))));
    Future<PlayResult> ffmpeg = playerThreads.submit(
        () -> RealClients.playWithFfmpeg(rtmpsUrl("show"), PLAYER_LIMIT, dir.resolve("ffmpeg.flv")));
    Future<PlayResult> rtmpdump = playerThreads.submit(
        () -> RealClients.playWithRtmpdump(rtmpsUrl("show"), PLAYER_LIMIT, dir.resolve("rtmpdump.flv")));
    awaitPlayers(2);

    try (FfmpegPublish publish = RealClients.publish(rtmpsUrl(TestNode.KEY.key()), 6, GOP_FRAMES)) {
      ProcessResult published = publish.awaitExit(PUBLISH_WAIT);
      assertTrue(published.exitedCleanly(), published::describe);
      for (Future<PlayResult> player : List.of(ffmpeg, rtmpdump)) {
        PlayResult play = player.get(PLAYER_LIMIT.toSeconds() + 30, TimeUnit.SECONDS);
        assertTrue(play.process().exitedCleanly(), () -> "player did not end with the stream:\n" + play);
        MediaReport report = play.analyze();
        assertAll(report + "\n" + play,
            () -> assertEquals("h264", report.videoCodec()),
            () -> assertEquals("aac", report.audioCodec()),
            () -> assertTrue(report.decodesCleanly(), "decodes without errors"),
            () -> assertEquals(publish.expectedVideoFrames(), report.videoFrames(), "decoded video frames"));
      }
    }
  }

  /** A node can take RTMPS only; an EC key works as well as an RSA one. */
  @Test
  void aTlsOnlyNodeWithAnEcKeyTakesFfmpegBothWays() throws Exception {
    node = startWithRtmps(TestCertificates.selfSigned(dir, "ec", KeyType.EC, "localhost"),
        c -> c.withRtmp(c.rtmp().toBuilder().enabled(false).build()));
    assertEquals(node.node.rtmpsPort(), node.port(), "the node's port is its RTMPS port");
    Future<PlayResult> ffmpeg = playerThreads.submit(
        () -> RealClients.playWithFfmpeg(rtmpsUrl("show"), PLAYER_LIMIT, dir.resolve("ffmpeg.flv")));
    awaitPlayers(1);
    try (FfmpegPublish publish = RealClients.publish(rtmpsUrl(TestNode.KEY.key()), 4, GOP_FRAMES)) {
      assertTrue(publish.awaitExit(PUBLISH_WAIT).exitedCleanly());
      PlayResult play = ffmpeg.get(PLAYER_LIMIT.toSeconds() + 30, TimeUnit.SECONDS);
      MediaReport report = play.analyze();
      assertAll(report + "\n" + play,
          () -> assertEquals("h264", report.videoCodec()),
          () -> assertEquals("aac", report.audioCodec()),
          () -> assertEquals(publish.expectedVideoFrames(), report.videoFrames(), "decoded video frames"));
    }
  }

  /** Plain RTMP on the TLS port is no TLS: that connection is closed, and the port goes on working. */
  @Test
  void aPlainRtmpClientOnTheTlsPortIsClosedAndTheNodeGoesOn() {
    node = startWithRtmps(TestCertificates.selfSigned(dir, "node", KeyType.RSA, "localhost"), c -> c);
    io.vertx.core.Future<RtmpClient> plain = RtmpClient.connect(node.vertx, "127.0.0.1", node.node.rtmpsPort(), "live");
    Await.until(() -> plain.failed() || plain.succeeded() && plain.result().closeFuture().isComplete(),
        "the plain client turned away");
    assertEquals("CN=localhost", servedSubject());
    RtmpClient onPlainPort = node.connect();
    assertTrue(!onPlainPort.closeFuture().isComplete(), "plain RTMP still works on its own port");
  }

  /** A peer that opens a TCP connection to the TLS port and never starts TLS is closed at the handshake timeout. */
  @Test
  void aPeerThatNeverStartsTlsIsClosedAtTheHandshakeTimeout() {
    node = startWithRtmps(TestCertificates.selfSigned(dir, "node", KeyType.RSA, "localhost"),
        c -> c.withRtmp(c.rtmp().toBuilder().handshakeTimeoutMs(1_000).build()));
    NetClient raw = node.vertx.createNetClient();
    NetSocket silent = Await.result(raw.connect(node.node.rtmpsPort(), "127.0.0.1"));
    io.vertx.core.Promise<Void> closed = io.vertx.core.Promise.promise();
    silent.closeHandler(v -> closed.tryComplete());
    Await.result(closed.future(), Duration.ofSeconds(10));
    assertEquals("CN=localhost", servedSubject(), "the port goes on serving TLS");
  }

  /** A renewed certificate is served without a restart; a broken or mismatched one never is. */
  @Test
  void aRenewedCertificateIsServedAndABadOneLeavesTheOldInUse() throws IOException {
    TestCertificates.Pair first = TestCertificates.selfSigned(dir, "first", KeyType.RSA, "first");
    Path cert = Files.copy(first.cert(), dir.resolve("node.crt"));
    Path key = Files.copy(first.key(), dir.resolve("node.key"));
    node = startWithRtmps(new TestCertificates.Pair(cert, key), c -> c);
    assertEquals("CN=first", servedSubject());

    TestCertificates.Pair second = TestCertificates.selfSigned(dir, "second", KeyType.EC, "second");
    replace(key, second.key());
    replace(cert, second.cert());
    Await.until(() -> "CN=second".equals(servedSubject()), "the renewed certificate served");
    JsonObject status = rtmpsStatus();
    assertTrue(status.getString("certificate").contains("CN=second"), status.encode());

    long failures = status.getLong("failedReloads");
    Path broken = Files.writeString(dir.resolve("broken.crt"),
        "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n");
    replace(cert, broken); // whole, as a renewal tool writes it: the watcher sees one change
    Await.until(() -> rtmpsStatus().getLong("failedReloads") > failures, "the broken certificate refused");
    assertEquals("CN=second", servedSubject(), "the old certificate still served");

    TestCertificates.Pair third = TestCertificates.selfSigned(dir, "third", KeyType.RSA, "third");
    long afterBroken = rtmpsStatus().getLong("failedReloads");
    replace(cert, third.cert()); // its key is still the second one's
    Await.until(() -> rtmpsStatus().getLong("failedReloads") > afterBroken, "the mismatched pair refused");
    assertEquals("CN=second", servedSubject(), "the old certificate still served");
  }

  private static void replace(Path target, Path source) throws IOException {
    Path staged = target.resolveSibling(target.getFileName() + ".new");
    Files.copy(source, staged, StandardCopyOption.REPLACE_EXISTING);
    Files.move(staged, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** What /api/node says of RTMPS, read on the node's loop as the API does. */
  private JsonObject rtmpsStatus() {
    NodeStats stats = node.node.stats();
    return Await.on(node.node.homeContext(), () -> io.vertx.core.Future.succeededFuture(stats.node()))
        .getJsonObject("rtmps");
  }

  /** The subject of the certificate a new TLS connection to the RTMPS port is shown. */
  private String servedSubject() {
    NetClient client = node.vertx.createNetClient(new NetClientOptions().setSsl(true).setTrustAll(true)
        .setHostnameVerificationAlgorithm(""));
    try {
      NetSocket socket = Await.result(client.connect(node.node.rtmpsPort(), "127.0.0.1"));
      X509Certificate served = (X509Certificate) socket.peerCertificates().get(0);
      socket.close();
      return served.getSubjectX500Principal().getName();
    } catch (Exception e) {
      throw new AssertionError(e);
    } finally {
      client.close();
    }
  }
}

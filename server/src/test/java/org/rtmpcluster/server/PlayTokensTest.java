package org.rtmpcluster.server;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.rtmpcluster.client.RtmpClient;
import org.rtmpcluster.client.RtmpStatusException;
import org.rtmpcluster.common.auth.SignedTokens;
import org.rtmpcluster.common.config.AuthAction;
import org.rtmpcluster.common.rtmp.session.Status;
import org.rtmpcluster.common.stream.HomeStream;
import org.rtmpcluster.common.testing.Await;
import org.rtmpcluster.common.testing.FfmpegPublish;
import org.rtmpcluster.common.testing.MediaReport;
import org.rtmpcluster.common.testing.PlayResult;
import org.rtmpcluster.common.testing.ProcessResult;
import org.rtmpcluster.common.testing.RealClients;

/**
 * Signed play tokens (issue 10) as an operator uses them: {@code --play-token-secret} on the node,
 * URLs from {@code scripts/sign-url.sh}, real players with and without them.
 */
class PlayTokensTest {
  private static final String SECRET = "a-play-token-secret-for-tests";
  private static final Path SIGN_URL = Path.of("..", "scripts", "sign-url.sh");
  private static final Duration PLAYER_LIMIT = Duration.ofSeconds(40);

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

  private void startNode() {
    node = TestNode.start(c -> c.withStreams(c.streams().toBuilder().playerGraceMs(1_000).build())
        .withAuth(c.auth().withTokens(c.auth().tokens().withPlaySecret(SECRET))));
  }

  private String url(String name) {
    return "rtmp://127.0.0.1:" + node.port() + "/live/" + name;
  }

  private String signedUrl(String name) throws Exception {
    Process sign = new ProcessBuilder("bash", SIGN_URL.toString(), "-t", "600", SECRET, url(name))
        .redirectErrorStream(true).start();
    String out = new String(sign.getInputStream().readAllBytes()).trim();
    assertTrue(sign.waitFor(30, TimeUnit.SECONDS) && sign.exitValue() == 0, "sign-url.sh: " + out);
    return out;
  }

  private HomeStream stream() {
    return node.node.hub().get(TestNode.STREAM);
  }

  @Test
  void ffmpegAndRtmpdumpPlayWithASignedUrlFromTheScript() throws Exception {
    startNode();
    String signed = signedUrl("show");
    assertTrue(signed.startsWith(url("show") + "?expires="), signed);
    Future<PlayResult> ffmpeg = playerThreads.submit(
        () -> RealClients.playWithFfmpeg(signed, PLAYER_LIMIT, dir.resolve("ffmpeg.flv")));
    Future<PlayResult> rtmpdump = playerThreads.submit(
        () -> RealClients.playWithRtmpdump(signed, PLAYER_LIMIT, dir.resolve("rtmpdump.flv")));
    Await.until(() -> stream() != null && stream().playerCount() == 2, "both players admitted");
    try (FfmpegPublish publish = RealClients.publish(url(TestNode.KEY.key()), 4, 30)) {
      ProcessResult published = publish.awaitExit(Duration.ofSeconds(30));
      assertTrue(published.exitedCleanly(), published::describe);
      for (Future<PlayResult> player : List.of(ffmpeg, rtmpdump)) {
        PlayResult play = player.get(PLAYER_LIMIT.toSeconds() + 30, TimeUnit.SECONDS);
        MediaReport report = play.analyze();
        assertAll(report + "\n" + play,
            () -> assertEquals("h264", report.videoCodec()),
            () -> assertEquals("aac", report.audioCodec()),
            () -> assertEquals(publish.expectedVideoFrames(), report.videoFrames(), "decoded video frames"));
      }
    }
  }

  @Test
  void ffmpegWithoutATokenGetsNothingAndTheStreamKeepsNoPlayer() throws Exception {
    startNode();
    try (FfmpegPublish publish = RealClients.publish(url(TestNode.KEY.key()), 6, 30)) {
      Await.until(() -> stream() != null && stream().isLive(), "the stream is live");
      PlayResult play = RealClients.playWithFfmpeg(url("show"), Duration.ofSeconds(5), dir.resolve("none.flv"));
      assertTrue(!play.process().exitedCleanly(), () -> "ffmpeg without a token must fail:\n" + play);
      assertEquals(0, stream().playerCount());
      publish.awaitExit(Duration.ofSeconds(30));
    }
  }

  @Test
  void refusalsAreNetStreamPlayFailedAndSayWhatIsWrong() {
    startNode();
    long expires = System.currentTimeMillis() / 1000 + 600;
    String forShow = "expires=" + expires + "&kid=default&token="
        + SignedTokens.sign(SECRET, AuthAction.PLAY, "live", "show", expires);
    assertEquals("play needs a signed token: add ?expires=<unix seconds>&kid=<key id>&token=<hmac> to the stream name",
        playFailure("show"));
    assertEquals("the token does not match this stream", playFailure("backstage?" + forShow));
    long past = System.currentTimeMillis() / 1000 - 3600;
    String expired = "expires=" + past + "&kid=default&token=" + SignedTokens.sign(SECRET, AuthAction.PLAY, "live", "show", past);
    assertTrue(playFailure("show?" + expired).startsWith("the token expired at "));

    RtmpClient player = node.connect();
    Await.on(player.context(), () -> player.play("show?" + forShow));
    Await.until(() -> stream() != null && stream().playerCount() == 1, "the signed play admitted");
  }

  private String playFailure(String nameAndQuery) {
    RtmpClient player = node.connect();
    Throwable failure = Await.failureOn(player.context(), () -> player.play(nameAndQuery));
    RtmpStatusException status = assertInstanceOf(RtmpStatusException.class, failure);
    assertEquals(Status.PLAY_FAILED, status.code());
    player.close();
    return String.valueOf(status.status().get("description"));
  }

}

package org.rtmpcluster.server;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rtmpcluster.client.RtmpClient;
import org.rtmpcluster.common.config.StreamSettings;
import org.rtmpcluster.common.rtmp.chunk.RtmpMessage;
import org.rtmpcluster.common.rtmp.message.MessageType;
import org.rtmpcluster.common.stream.HomeStream;
import org.rtmpcluster.common.testing.Await;
import org.rtmpcluster.common.testing.FfmpegPublish;
import org.rtmpcluster.common.testing.MediaReport;
import org.rtmpcluster.common.testing.PlayResult;
import org.rtmpcluster.common.testing.ProcessResult;
import org.rtmpcluster.common.testing.RealClients;

/**
 * What a viewer sees through a standalone node, with real clients: ffmpeg publishes the synthetic
 * H.264+AAC stream, ffmpeg and rtmpdump play it, ffprobe and ffmpeg's decoder judge the
 * recordings. Every player ends by itself when the stream ends (a short grace period, then
 * UnpublishNotify), so each recording is the player's whole view.
 */
class RealClientsTest {

  /** A key frame every second at 30 fps. */
  private static final int GOP_FRAMES = 30;

  /** Short, so that players are told the stream ended soon after the last publisher left. */
  private static final int GRACE_MS = 1_000;

  /**
   * Players stop at this much media or their time limit; they should end long before, with the
   * stream. Also the longest a test waits for a player's result.
   */
  private static final Duration PLAYER_LIMIT = Duration.ofSeconds(40);

  /** A publisher of a few seconds ends within this (its own hard limit is later). */
  private static final Duration PUBLISH_WAIT = Duration.ofSeconds(30);

  /** Largest DTS step of continuous 30 fps video: 33-34 ms frames, a 40 ms gap at a republish. */
  private static final long CONTINUOUS_VIDEO_STEP_MS = 100;

  @TempDir
  Path dir;

  private TestNode node;
  private final ExecutorService playerThreads = Executors.newCachedThreadPool();

  @BeforeAll
  static void realClientsAreInstalled() {
    RealClients.requireTools("ffmpeg", "ffprobe", "rtmpdump");
  }

  @AfterEach
  void stop() {
    // Interrupting a thread that waits for a player kills that player.
    playerThreads.shutdownNow();
    if (node != null) {
      node.close();
    }
  }

  @Test
  void ffmpegAndRtmpdumpPlayWhatFfmpegPublishes() throws Exception {
    node = TestNode.start(c -> c.withStreams(withGrace(c.streams(), GRACE_MS)));
    Future<PlayResult> ffmpeg = playWithFfmpeg("ffmpeg.flv");
    Future<PlayResult> rtmpdump = playWithRtmpdump("rtmpdump.flv");
    awaitPlayers(2);

    try (FfmpegPublish publish = RealClients.publish(publishUrl(), 8, GOP_FRAMES)) {
      ProcessResult published = publish.awaitExit(PUBLISH_WAIT);
      assertTrue(published.exitedCleanly(), published::describe);

      // Both players asked for the stream before it started: every frame must reach them.
      for (Future<PlayResult> player : List.of(ffmpeg, rtmpdump)) {
        PlayResult play = endedWithTheStream(player);
        MediaReport report = assertPlaysCleanly(play);
        assertAll(report + "\n" + play,
            () -> assertEquals(publish.expectedVideoFrames(), report.videoFrames(), "decoded video frames"),
            () -> assertEquals(publish.expectedKeyframes(), report.videoKeyframes(), "key frames"),
            () -> assertTrue(report.largestVideoStepMillis() <= CONTINUOUS_VIDEO_STEP_MS,
                "video never stalls: largest step " + report.largestVideoStepMillis() + " ms"));
      }
    }
  }

  /**
   * Issue 8, defect 6: an encoder whose timestamps wrap 3 s into an 8 s stream. ffmpeg writes FLV
   * timestamps as signed 32 bits, so 4294964 s (2^32 ms less 3.3 s) goes out as 2^31 ms less 3.3 s,
   * and drops to 0 after 3.3 s. Before, every frame after the drop got the same timestamp.
   */
  @Test
  void aStreamWhoseTimestampsWrapPlaysLinearlyInFfmpegAndRtmpdump() throws Exception {
    node = TestNode.start(c -> c.withStreams(withGrace(c.streams(), GRACE_MS)));
    Future<PlayResult> ffmpeg = playWithFfmpeg("ffmpeg-wrap.flv");
    Future<PlayResult> rtmpdump = playWithRtmpdump("rtmpdump-wrap.flv");
    awaitPlayers(2);

    int seconds = 8;
    try (FfmpegPublish publish = RealClients.publishWithTimestampOffset(publishUrl(), seconds, GOP_FRAMES, 4_294_964)) {
      ProcessResult published = publish.awaitExit(PUBLISH_WAIT);
      assertTrue(published.exitedCleanly(), published::describe);
      for (Future<PlayResult> player : List.of(ffmpeg, rtmpdump)) {
        PlayResult play = endedWithTheStream(player);
        MediaReport report = assertPlaysCleanly(play);
        long expectedSpan = 1000L * (publish.expectedVideoFrames() - 1) / RealClients.FPS;
        assertAll(report + "\n" + play,
            () -> assertEquals(publish.expectedVideoFrames(), report.videoFrames(), "decoded video frames"),
            () -> assertTrue(Math.abs(report.videoSpanMillis() - expectedSpan) <= 100,
                "video spans " + report.videoSpanMillis() + " ms, " + expectedSpan + " expected"),
            () -> assertTrue(report.largestVideoStepMillis() <= CONTINUOUS_VIDEO_STEP_MS,
                "largest step " + report.largestVideoStepMillis() + " ms"));
      }
    }
  }

  @Test
  void lateJoinerStartsOnAKeyframeWithinOneSecond() throws Exception {
    node = TestNode.start(c -> c.withStreams(withGrace(c.streams(), GRACE_MS)));
    // The witness plays from before the start: it counts what was sent, and when.
    FrameCounter witness = new FrameCounter(node.connect());
    Await.on(witness.client.context(), () -> witness.client.play("show"));

    try (FfmpegPublish publish = RealClients.publish(publishUrl(), 8, GOP_FRAMES)) {
      // Join a third of a GOP past the key frame of second 3.
      Await.until(() -> witness.videoFrames.get() >= 3 * RealClients.FPS + GOP_FRAMES / 3,
          Duration.ofSeconds(15), "3 s of the stream");
      int sentBeforeJoin = witness.videoFrames.get();
      Future<PlayResult> ffmpeg = playWithFfmpeg("ffmpeg-late.flv");
      Future<PlayResult> rtmpdump = playWithRtmpdump("rtmpdump-late.flv");

      long askedAt = System.nanoTime();
      FrameCounter late = new FrameCounter(node.connect());
      Await.on(late.client.context(), () -> late.client.play("show"));
      Await.until(() -> late.firstVideoNanos.get() != 0, "the late joiner's first video frame");
      long joinMillis = TimeUnit.NANOSECONDS.toMillis(late.firstVideoNanos.get() - askedAt);
      System.out.println("late joiner: connect and play to first video frame in " + joinMillis + " ms");
      assertTrue(late.firstVideoWasKeyframe, "the late joiner's first video frame is a key frame");

      ProcessResult published = publish.awaitExit(PUBLISH_WAIT);
      assertTrue(published.exitedCleanly(), published::describe);
      Await.until(() -> late.closed, Duration.ofSeconds(10), "the stream's end at the late joiner");
      assertEquals(publish.expectedVideoFrames(), witness.videoFrames.get(), "frames the witness saw");

      // A real player that joins mid-GOP gets the cached GOP from its key frame, then everything:
      // at least what was sent after it asked, at most one GOP more. Its connect and play take
      // some time after sentBeforeJoin was read, hence one GOP of slack downwards too.
      int sentAfterJoin = publish.expectedVideoFrames() - sentBeforeJoin;
      for (Future<PlayResult> player : List.of(ffmpeg, rtmpdump)) {
        PlayResult play = endedWithTheStream(player);
        MediaReport report = assertPlaysCleanly(play);
        System.out.printf("late %s: %d frames, %d sent after it asked%n",
            play.process().command().get(0), report.videoFrames(), sentAfterJoin);
        assertTrue(report.videoFrames() >= sentAfterJoin - GOP_FRAMES
                && report.videoFrames() <= sentAfterJoin + GOP_FRAMES,
            report.videoFrames() + " frames, " + sentAfterJoin + " sent after the join\n" + report + "\n" + play);
      }
    }
  }

  @Test
  void republishWithinGraceKeepsThePlayerAndItsOutputContinuous() throws Exception {
    // Long enough to cover the pause between publishers and the second one's start-up.
    int graceMs = 3_000;
    node = TestNode.start(c -> c.withStreams(withGrace(c.streams(), graceMs)));
    Future<PlayResult> ffmpeg = playWithFfmpeg("ffmpeg-republish.flv");
    Future<PlayResult> rtmpdump = playWithRtmpdump("rtmpdump-republish.flv");
    awaitPlayers(2);

    int sent = 0;
    try (FfmpegPublish first = RealClients.publish(publishUrl(), 3, GOP_FRAMES)) {
      ProcessResult published = first.awaitExit(PUBLISH_WAIT);
      assertTrue(published.exitedCleanly(), published::describe);
      sent += first.expectedVideoFrames();
    }
    Await.until(() -> !stream().isLive(), "the first publisher to leave");
    PublishPlayTest.sleep(1_000);
    assertFalse(ffmpeg.isDone() || rtmpdump.isDone(), "players left during the gap");
    assertEquals(2, stream().playerCount(), "players attached during the gap");

    try (FfmpegPublish second = RealClients.publish(publishUrl(), 3, GOP_FRAMES)) {
      Await.until(() -> stream().isLive(), "the second publisher");
      ProcessResult published = second.awaitExit(PUBLISH_WAIT);
      assertTrue(published.exitedCleanly(), published::describe);
      sent += second.expectedVideoFrames();
    }
    assertFalse(ffmpeg.isDone() || rtmpdump.isDone(), "players left before the stream ended");

    // The players were there before each publisher started: all frames of both reach them, as one
    // stream without a jump in time.
    for (Future<PlayResult> player : List.of(ffmpeg, rtmpdump)) {
      PlayResult play = endedWithTheStream(player);
      MediaReport report = assertPlaysCleanly(play);
      int expected = sent;
      assertAll(report + "\n" + play,
          () -> assertEquals(expected, report.videoFrames(), "decoded video frames of both publishers"),
          () -> assertTrue(report.largestVideoStepMillis() <= CONTINUOUS_VIDEO_STEP_MS,
              "continuous across the republish: largest step " + report.largestVideoStepMillis() + " ms"));
    }
  }

  /** The project's own client as a player that notes its video frames and when the first came. */
  private static final class FrameCounter {
    final RtmpClient client;
    final AtomicInteger videoFrames = new AtomicInteger();
    final AtomicLong firstVideoNanos = new AtomicLong();
    volatile boolean firstVideoWasKeyframe;
    volatile boolean closed;

    FrameCounter(RtmpClient client) {
      this.client = client;
      client.mediaHandler(this::onMedia);
      client.closeFuture().onComplete(v -> closed = true);
    }

    private void onMedia(RtmpMessage message) {
      // AVC sequence headers (packet type 0) carry no picture.
      if (message.typeId() != MessageType.VIDEO || message.payload().getUnsignedByte(1) != 1) {
        return;
      }
      // One writer (the event loop); the flag is written before the time the test polls for.
      if (firstVideoNanos.get() == 0) {
        firstVideoWasKeyframe = message.payload().getUnsignedByte(0) >> 4 == 1;
        firstVideoNanos.set(System.nanoTime());
      }
      videoFrames.incrementAndGet();
    }
  }

  /** Codecs, a key frame first, clean decoding and monotonic timestamps: a sound picture and sound. */
  private static MediaReport assertPlaysCleanly(PlayResult play) {
    MediaReport report = play.analyze();
    assertAll(report + "\n" + play,
        () -> assertEquals("h264", report.videoCodec()),
        () -> assertEquals("aac", report.audioCodec()),
        () -> assertTrue(report.firstVideoFrameIsKeyframe(), "first video frame is a key frame"),
        () -> assertTrue(report.decodesCleanly(), "decodes without errors"),
        () -> assertTrue(report.videoTimestampsMonotonic(), "video timestamps monotonic"),
        () -> assertTrue(report.audioTimestampsMonotonic(), "audio timestamps monotonic"));
    return report;
  }

  /**
   * The player's result. It must have ended by itself with exit 0: told by the node that the
   * stream ended (UnpublishNotify), ffmpeg ends its input and rtmpdump reports a complete download.
   */
  private static PlayResult endedWithTheStream(Future<PlayResult> player)
      throws InterruptedException, ExecutionException, TimeoutException {
    PlayResult play = player.get(PLAYER_LIMIT.toSeconds() + 30, TimeUnit.SECONDS);
    assertTrue(play.process().exitedCleanly(), () -> "player did not end cleanly with the stream:\n" + play);
    return play;
  }

  private Future<PlayResult> playWithFfmpeg(String file) {
    Path out = dir.resolve(file);
    String url = playUrl();
    return playerThreads.submit(() -> RealClients.playWithFfmpeg(url, PLAYER_LIMIT, out));
  }

  private Future<PlayResult> playWithRtmpdump(String file) {
    Path out = dir.resolve(file);
    String url = playUrl();
    return playerThreads.submit(() -> RealClients.playWithRtmpdump(url, PLAYER_LIMIT, out));
  }

  /** Waits until {@code count} players wait for or play the stream. */
  private void awaitPlayers(int count) {
    Await.until(() -> stream() != null && stream().playerCount() == count, "players of the stream");
  }

  private HomeStream stream() {
    return node.node.hub().get(TestNode.STREAM);
  }

  private String publishUrl() {
    return "rtmp://127.0.0.1:" + node.port() + "/live/" + TestNode.KEY.key();
  }

  private String playUrl() {
    return "rtmp://127.0.0.1:" + node.port() + "/live/" + TestNode.KEY.name();
  }

  private static StreamSettings withGrace(StreamSettings s, int graceMs) {
    return s.toBuilder().playerGraceMs(graceMs).build();
  }
}

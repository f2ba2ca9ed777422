package org.rtmpcluster.server;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.rtmpcluster.client.RtmpClient;
import org.rtmpcluster.common.config.StreamKey;
import org.rtmpcluster.common.rtmp.chunk.RtmpMessage;
import org.rtmpcluster.common.rtmp.message.MessageType;
import org.rtmpcluster.common.testing.Await;
import org.rtmpcluster.common.testing.FfmpegPublish;
import org.rtmpcluster.common.testing.MediaReport;
import org.rtmpcluster.common.testing.PlayResult;
import org.rtmpcluster.common.testing.ProcessResult;
import org.rtmpcluster.common.testing.RealClients;

/**
 * Failover scenario 1 with real processes: four nodes started from the packaged jar (two origins,
 * two edges), ffmpeg publishing and playing. The origin process is killed (SIGKILL) while players
 * watch on both edges; the encoder reconnects to the other origin at once. The players must stay
 * connected, resume on a keyframe within a second of the new publish, keep monotonic timestamps
 * and record a stream that decodes without an error.
 */
class ClusterFailoverIT {

  /** A key frame every second at 30 fps. */
  private static final int GOP_FRAMES = 30;

  /** Fast failure detection, as an operator would tune it for live video. */
  private static final int HEARTBEAT_MS = 1_000;
  private static final int MEMBER_TIMEOUT_MS = 3_000;
  private static final int STREAM_STALL_MS = 1_500;
  /**
   * An encoder that reaches the standby origin before the cluster has dropped the dead one waits
   * up to this long for its next claim: part of the one-second resume budget, so kept short.
   */
  private static final int STANDBY_RETRY_MS = 250;

  /**
   * Players wait this long for a publisher. It must cover the outage: the edge's stall detection
   * starts it ({@value #STREAM_STALL_MS} ms after the kill), the cluster drops the dead origin
   * within {@value #MEMBER_TIMEOUT_MS} ms plus a heartbeat, and the standby's next claim follows
   * within {@value #STANDBY_RETRY_MS} ms; 10 s leaves room for a loaded machine. It is also how long the
   * players wait after the last publisher stops, before they are told the stream ended.
   */
  private static final int GRACE_MS = 10_000;

  /** The promise of scenario 1: the picture is back within a second of the new publish. */
  private static final long RESUME_LIMIT_MS = 1_000;

  /**
   * Kill to resume, whatever the cause: detection (member timeout plus a heartbeat), the standby's
   * retry, and the resume limit, with a second to spare for a loaded machine.
   */
  private static final long OUTAGE_LIMIT_MS =
      MEMBER_TIMEOUT_MS + HEARTBEAT_MS + STANDBY_RETRY_MS + RESUME_LIMIT_MS + 1_000;

  /** Largest DTS step of continuous 30 fps video: 33-34 ms frames, at most 73 ms at the splice. */
  private static final long CONTINUOUS_VIDEO_STEP_MS = 100;

  /** How long the players record the first publisher before its origin is killed. */
  private static final long WATCH_BEFORE_KILL_MS = 3_000;

  /** The second encoder's stream, in seconds; it then stops by itself. */
  private static final int SECOND_PUBLISH_SECONDS = 5;

  private static final StreamKey KEY = new StreamKey("failover-" + UUID.randomUUID(), "failover");
  /** The stream as the nodes know it (and log it): app and name. */
  private static final String STREAM = "live/" + KEY.name();

  @TempDir
  Path dir;

  private final List<JarNode> nodes = new ArrayList<>();
  private final List<FfmpegPublish> publishers = new ArrayList<>();
  private final ExecutorService playerThreads = Executors.newCachedThreadPool();
  private Vertx vertx;

  @BeforeAll
  static void toolsAndJarArePresent() {
    RealClients.requireTools("ffmpeg", "ffprobe");
    JarNode.jar();
  }

  @AfterEach
  void stopEverything() {
    // Interrupting a thread that waits for a player kills that player.
    playerThreads.shutdownNow();
    publishers.forEach(FfmpegPublish::close);
    nodes.forEach(JarNode::close);
    if (vertx != null) {
      Await.result(vertx.close());
    }
  }

  @Test
  @Timeout(value = 110, unit = TimeUnit.SECONDS)
  void playersOnTwoEdgesRideThroughTheOriginBeingKilled() throws Throwable {
    try {
      runScenario();
    } catch (Throwable failure) {
      for (JarNode node : nodes) {
        System.out.println("===== log of " + node.name() + " (" + node.logFile() + ")\n" + node.log());
      }
      throw failure;
    }
  }

  private void runScenario() throws Exception {
    Path config = Files.writeString(dir.resolve("node.yaml"), String.join("\n",
        "streams:",
        "  player-grace-ms: " + GRACE_MS,
        "cluster:",
        "  heartbeat-interval-ms: " + HEARTBEAT_MS,
        "  member-timeout-ms: " + MEMBER_TIMEOUT_MS,
        "  stream-stall-ms: " + STREAM_STALL_MS,
        "  standby-retry-ms: " + STANDBY_RETRY_MS,
        ""));
    String clusterName = "failover-it-" + UUID.randomUUID();
    int[] rtmpPorts = new int[4];
    int[] clusterPorts = new int[4];
    List<String> members = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      rtmpPorts[i] = JarNode.freePort();
      clusterPorts[i] = JarNode.freePort();
      members.add("127.0.0.1:" + clusterPorts[i]);
    }
    String[][] layout = {{"origin-1", "origin"}, {"origin-2", "origin"}, {"edge-1", "edge"}, {"edge-2", "edge"}};
    for (int i = 0; i < layout.length; i++) {
      nodes.add(JarNode.start(layout[i][0], dir, List.of("--config", config.toString(), "--cluster",
          "--cluster-name", clusterName, "--roles", layout[i][1], "--rtmp-port", Integer.toString(rtmpPorts[i]),
          "--cluster-host", "127.0.0.1", "--cluster-port", Integer.toString(clusterPorts[i]),
          "--members", String.join(",", members), "--key", KEY.key() + ":" + KEY.name())));
      if (i == 0) {
        // The first node forms the cluster; the others join it together, which is quicker than
        // one by one and avoids two nodes founding two clusters at the same moment.
        nodes.get(0).awaitReady();
      }
    }
    nodes.forEach(JarNode::awaitReady);
    JarNode origin1 = nodes.get(0);
    JarNode origin2 = nodes.get(1);
    JarNode edge1 = nodes.get(2);

    // The witness: the project's own client on edge-1 notes every frame and when it arrived.
    vertx = Vertx.vertx();
    Witness witness = new Witness(Await.result(RtmpClient.connect(vertx, "127.0.0.1", rtmpPorts[2], "live")));
    Await.on(witness.client.context(), () -> witness.client.play(KEY.name()));

    FfmpegPublish first = publish(rtmpPorts[0], 60);
    Await.until(() -> witness.videoFramesAfter(0) > 0, Duration.ofSeconds(20), "the stream on edge-1");

    long playersStartedAt = System.currentTimeMillis();
    Path recording1 = dir.resolve("edge-1.flv");
    Path recording2 = dir.resolve("edge-2.flv");
    Future<PlayResult> player1 = play(rtmpPorts[2], recording1);
    Future<PlayResult> player2 = play(rtmpPorts[3], recording2);
    Await.until(() -> size(recording1) > 0 && size(recording2) > 0, Duration.ofSeconds(15),
        "both ffmpeg players recording");
    Thread.sleep(WATCH_BEFORE_KILL_MS);

    long killedAt = System.currentTimeMillis();
    origin1.kill();
    // The encoder reconnects to the other origin at once; that origin keeps it on standby until
    // the cluster has noticed that the first one is gone.
    FfmpegPublish second = publish(rtmpPorts[1], SECOND_PUBLISH_SECONDS);
    ProcessResult firstEnded = first.awaitExit(Duration.ofSeconds(15));
    assertFalse(firstEnded.stopped(), () -> "the first encoder noticed its origin died:\n" + firstEnded);

    String liveLine = "live in the cluster from origin-2";
    Await.until(() -> origin2.loggedAt(liveLine) > 0, Duration.ofSeconds(20), "origin-2 taking over");
    long liveAt = origin2.loggedAt(liveLine);
    Await.until(() -> witness.videoFramesAfter(liveAt) > 0, Duration.ofSeconds(10), "video on edge-1 again");
    Witness.Frame resumed = witness.firstVideoAfter(liveAt);
    assertFalse(player1.isDone() || player2.isDone(), "an ffmpeg player left during the outage");

    ProcessResult secondEnded = second.awaitExit(Duration.ofSeconds(SECOND_PUBLISH_SECONDS + 20));
    long secondEndedAt = System.currentTimeMillis();
    assertTrue(secondEnded.exitedCleanly(), secondEnded::describe);
    assertFalse(player1.isDone() || player2.isDone(), "an ffmpeg player left before the stream ended");

    // What the cluster did, from the nodes' own log time stamps (same machine, same clock).
    long secondPublishAt = origin2.loggedAt("publishes stream " + STREAM);
    assertTrue(secondPublishAt > 0, "origin-2 logged the second encoder's publish");
    long stallAt = edge1.loggedAt("stalled, no frames for");
    // Every node frees the dead origin's names; only the one whose removal wins logs it.
    long memberGoneAt = nodes.stream().skip(1).mapToLong(node -> node.loggedAt("left the cluster: released"))
        .filter(at -> at > 0).min().orElse(-1);
    // The new publish: the second encoder is on origin-2 and the cluster knows origin-1 is gone
    // (before that origin-2 rightly keeps the encoder on standby). The registry lease expiring is
    // the fallback when no node logged the release; origin-2 going live then marks it.
    long newPublishAt = Math.max(secondPublishAt, memberGoneAt > 0 ? memberGoneAt : liveAt);
    long resumeMs = resumed.atMs - newPublishAt;
    for (JarNode node : nodes) {
      node.log().lines()
          .filter(line -> line.contains("stream " + STREAM) || line.contains("left the cluster: released"))
          .forEach(line -> System.out.println(node.name() + ": " + line));
    }
    // -1 (not logged): edge-1 saw the new epoch before it called the stream stalled.
    System.out.printf("failover: kill -> edge-1 stall %d ms, -> dead origin's stream released %d ms,"
            + " -> origin-2 live %d ms; encoder #2 publishing %d ms after the kill; video back on edge-1"
            + " %d ms after the new publish, %d ms after origin-2 went live, %d ms after the kill%n",
        stallAt < 0 ? -1 : stallAt - killedAt, memberGoneAt < 0 ? -1 : memberGoneAt - killedAt,
        liveAt - killedAt, secondPublishAt - killedAt,
        resumeMs, resumed.atMs - liveAt, resumed.atMs - killedAt);
    assertAll("the resume at the witness on edge-1",
        () -> assertTrue(resumed.keyframe, "the first video frame after the failover is a key frame"),
        () -> assertTrue(resumeMs < RESUME_LIMIT_MS, "video back " + resumeMs + " ms after the new publish"),
        () -> assertTrue(resumed.atMs - killedAt < OUTAGE_LIMIT_MS,
            "video back " + (resumed.atMs - killedAt) + " ms after the kill"));

    // The players end by themselves: the grace period after the second encoder stops, then
    // UnpublishNotify. Each recording is the player's whole view.
    long p1Ms = killedAt - playersStartedAt;
    long p2Ms = secondEndedAt - liveAt;
    // At least: what the first encoder sent while the players were on, and what the second sent
    // after its origin went live (it reaches the edges through the snapshot or live). One GOP
    // (a second) less: the ffmpeg players' start-up before they asked for the stream, frames in
    // flight when origin-1 died, and ffmpeg #2's exit after its last frame.
    long minFrames = RealClients.FPS * (p1Ms + p2Ms) / 1000 - GOP_FRAMES;
    // At most: a player's first frames are the GOP cached before it joined (one GOP more), and
    // the second encoder's stream is all it sent (frames it sent on standby may be in the GOP
    // the edges resume with, never more).
    long maxFrames = RealClients.FPS * p1Ms / 1000 + GOP_FRAMES + second.expectedVideoFrames();
    for (Future<PlayResult> player : List.of(player1, player2)) {
      PlayResult play = player.get(GRACE_MS + 30_000, TimeUnit.MILLISECONDS);
      assertTrue(play.process().exitedCleanly(), () -> "player did not end cleanly with the stream:\n" + play);
      MediaReport report = play.analyze();
      System.out.printf("%s: %d video frames (%d key frames), expected %d..%d; largest DTS step %d ms%n",
          play.file().getFileName(), report.videoFrames(), report.videoKeyframes(), minFrames, maxFrames,
          report.largestVideoStepMillis());
      assertAll(report + "\n" + play,
          () -> assertEquals("h264", report.videoCodec()),
          () -> assertEquals("aac", report.audioCodec()),
          () -> assertTrue(report.decodesCleanly(), "decodes without errors"),
          () -> assertTrue(report.firstVideoFrameIsKeyframe(), "first video frame is a key frame"),
          () -> assertTrue(report.videoTimestampsMonotonic(), "video timestamps monotonic"),
          () -> assertTrue(report.audioTimestampsMonotonic(), "audio timestamps monotonic"),
          () -> assertTrue(report.largestVideoStepMillis() <= CONTINUOUS_VIDEO_STEP_MS,
              "no jump in time across the failover: largest step " + report.largestVideoStepMillis() + " ms"),
          () -> assertTrue(report.videoFrames() >= minFrames && report.videoFrames() <= maxFrames,
              report.videoFrames() + " frames, expected " + minFrames + ".." + maxFrames));
    }
    Await.until(() -> witness.closed, Duration.ofSeconds(10), "the stream's end at the witness");
    assertAll("the witness's view",
        () -> assertTrue(witness.monotonic(MessageType.VIDEO), "witness video timestamps monotonic"),
        () -> assertTrue(witness.monotonic(MessageType.AUDIO), "witness audio timestamps monotonic"),
        () -> assertTrue(witness.largestVideoStep() <= CONTINUOUS_VIDEO_STEP_MS,
            "witness largest video step " + witness.largestVideoStep() + " ms"));
  }

  private FfmpegPublish publish(int port, int seconds) {
    FfmpegPublish publish = RealClients.publish("rtmp://127.0.0.1:" + port + "/live/" + KEY.key(), seconds, GOP_FRAMES);
    publishers.add(publish);
    return publish;
  }

  /** An ffmpeg player that records until the stream ends (its -t is far beyond the test's media). */
  private Future<PlayResult> play(int port, Path out) {
    String url = "rtmp://127.0.0.1:" + port + "/live/" + KEY.name();
    return playerThreads.submit(() -> RealClients.playWithFfmpeg(url, Duration.ofSeconds(60), out));
  }

  private static long size(Path file) {
    try {
      return Files.exists(file) ? Files.size(file) : 0;
    } catch (java.io.IOException e) {
      return 0;
    }
  }

  /** The project's own client as a player that notes each media frame, its timestamp and arrival time. */
  private static final class Witness {
    record Frame(long atMs, int typeId, long timestamp, boolean keyframe, boolean picture) {}

    final RtmpClient client;
    private final List<Frame> frames = new ArrayList<>();
    volatile boolean closed;

    Witness(RtmpClient client) {
      this.client = client;
      client.mediaHandler(this::onMedia);
      client.closeFuture().onComplete(v -> closed = true);
    }

    private void onMedia(RtmpMessage message) {
      boolean video = message.typeId() == MessageType.VIDEO;
      // AVC packet type 1 is a picture; 0 is a sequence header.
      boolean picture = video && message.payload().length() > 1 && message.payload().getUnsignedByte(1) == 1;
      boolean keyframe = video && message.payload().getUnsignedByte(0) >> 4 == 1;
      synchronized (frames) {
        frames.add(new Frame(System.currentTimeMillis(), message.typeId(), message.timestamp(), keyframe, picture));
      }
    }

    long videoFramesAfter(long ms) {
      synchronized (frames) {
        return frames.stream().filter(f -> f.picture && f.atMs > ms).count();
      }
    }

    Frame firstVideoAfter(long ms) {
      synchronized (frames) {
        return frames.stream().filter(f -> f.picture && f.atMs > ms).findFirst().orElseThrow();
      }
    }

    boolean monotonic(int typeId) {
      long previous = Long.MIN_VALUE;
      synchronized (frames) {
        for (Frame frame : frames) {
          if (frame.typeId == typeId) {
            if (frame.timestamp < previous) {
              return false;
            }
            previous = frame.timestamp;
          }
        }
      }
      return true;
    }

    long largestVideoStep() {
      long previous = -1;
      long largest = 0;
      synchronized (frames) {
        for (Frame frame : frames) {
          if (frame.picture) {
            if (previous >= 0) {
              largest = Math.max(largest, frame.timestamp - previous);
            }
            previous = frame.timestamp;
          }
        }
      }
      return largest;
    }
  }
}

package org.rtmpcluster.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rtmpcluster.common.testing.Await;
import org.rtmpcluster.common.testing.FfmpegPublish;
import org.rtmpcluster.common.testing.MediaReport;
import org.rtmpcluster.common.testing.RealClients;
import org.rtmpcluster.origin.cluster.ClusterRelay;

/** What an origin records while ffmpeg publishes, as ffprobe and ffmpeg read the files. */
class RecordingTest {
  /** The synthetic stream's keyframe interval: 25 frames at 30 fps. */
  private static final int GOP_FRAMES = 25;
  private static final long GOP_MS = GOP_FRAMES * 1000L / RealClients.FPS;

  @Test
  void aPublishIsRecordedToOneFlvThatDecodesWithItsDurationInTheMetadata(@TempDir Path dir) throws Exception {
    // The operator's backend hears of the finished file (SRS's on_dvr); it allows everything else.
    io.vertx.core.Vertx hookVertx = io.vertx.core.Vertx.vertx();
    List<io.vertx.core.json.JsonObject> calls = new java.util.concurrent.CopyOnWriteArrayList<>();
    int hookPort = Await.result(hookVertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
      calls.add(body.toJsonObject());
      request.response().end();
    })).listen(0, "127.0.0.1")).actualPort();
    try (TestNode node = TestNode.start(c -> c.withRecord(c.record().withEnabled(true, dir.toString()))
        .withAuth(c.auth().withWebhook(org.rtmpcluster.common.config.WebhookSettings.DEFAULT
            .withUrl("http://127.0.0.1:" + hookPort + "/hook"))))) {
      try (FfmpegPublish publish = RealClients.publish("rtmp://127.0.0.1:" + node.port() + "/live/"
          + TestNode.KEY.key(), 8, GOP_FRAMES)) {
        assertTrue(publish.awaitExit(Duration.ofSeconds(40)).exitedCleanly(), publish.stderr());
      }
      Await.until(() -> finishedRecordings(dir).size() == 1 && metadataDurationOrZero(last(dir)) > 0,
          Duration.ofSeconds(20), "one recording, finished (its duration written)");
      Path file = last(dir);
      assertTrue(file.getFileName().toString().matches("show-\\d{8}-\\d{6}-\\d{3}\\.flv"), file.toString());
      assertEquals(dir.resolve("live"), file.getParent(), "under record.path, in the stream's app");
      MediaReport report = RealClients.analyze(file);
      assertTrue(report.decodesCleanly(), report.toString());
      assertEquals("h264", report.videoCodec());
      assertEquals("aac", report.audioCodec());
      assertTrue(report.firstVideoFrameIsKeyframe(), report.toString());
      assertEquals(0, report.firstVideoTimestampMillis(), "a recording's time starts at 0");
      assertTrue(report.videoTimestampsMonotonic() && report.audioTimestampsMonotonic(), report.toString());
      assertTrue(Math.abs(report.videoSpanMillis() - 8_000) <= GOP_MS, "about the 8 s published: " + report);
      double metadataSeconds = metadataDuration(file);
      assertTrue(Math.abs(metadataSeconds * 1000 - report.videoSpanMillis()) <= 100,
          "onMetaData's duration " + metadataSeconds + " s, patched at close, says how long it is: " + report);
      decodesWithXerror(file);

      Await.until(() -> calls.stream().anyMatch(call -> "on_dvr".equals(call.getString("action"))),
          Duration.ofSeconds(10), "the webhook hears of the recording");
      io.vertx.core.json.JsonObject done = calls.stream().filter(call -> "on_dvr".equals(call.getString("action")))
          .findFirst().orElseThrow();
      assertEquals("live", done.getString("app"));
      assertEquals("show", done.getString("stream"));
      assertEquals(file.toString(), done.getString("file"));
      assertEquals(Files.size(file), done.getLong("bytes"));
      assertTrue(Math.abs(done.getLong("durationMs") - metadataSeconds * 1000) <= 1, done.encode());
    } finally {
      Await.result(hookVertx.close());
    }
  }

  @Test
  void recordSegmentMsCutsFilesAtKeyframesThatTogetherHoldThePublish(@TempDir Path dir) throws Exception {
    try (TestNode node = TestNode.start(c -> c.withRecord(c.record().withEnabled(true, dir.toString())
        .withSegmentMs(3_000)))) {
      try (FfmpegPublish publish = RealClients.publish("rtmp://127.0.0.1:" + node.port() + "/live/"
          + TestNode.KEY.key(), 10, GOP_FRAMES)) {
        assertTrue(publish.awaitExit(Duration.ofSeconds(40)).exitedCleanly(), publish.stderr());
      }
      Await.until(() -> finishedRecordings(dir).size() >= 3 && metadataDurationOrZero(last(dir)) > 0,
          Duration.ofSeconds(20), "three or four files, all finished");
      long total = 0;
      for (Path file : finishedRecordings(dir)) {
        MediaReport report = RealClients.analyze(file);
        assertTrue(report.decodesCleanly() && report.firstVideoFrameIsKeyframe(), report.toString());
        assertTrue(report.videoSpanMillis() <= 3_000 + GOP_MS, "cut at the first keyframe past 3 s: " + report);
        total += report.videoSpanMillis() + 1000 / RealClients.FPS;
      }
      assertTrue(Math.abs(total - 10_000) <= 2 * GOP_MS, "the files hold the 10 s published: " + total);
    }
  }

  /**
   * While the node's recordings hold all of record.max-node-queued-bytes for the disk, a recording
   * skips frames (and counts them) instead of holding more; once there is room it goes on from a
   * keyframe, and its file decodes.
   */
  @Test
  void aNodeWhoseRecordingQueueIsFullSkipsToAKeyframeAndHoldsNoMore(@TempDir Path dir) throws Exception {
    try (TestNode node = TestNode.start(c -> c.withRecord(c.record().withEnabled(true, dir.toString())))) {
      org.rtmpcluster.common.memory.ByteBudget queue = node.node.recordingQueue();
      long limit = queue.limit();
      assertTrue(queue.tryReserve(limit), "the test takes the whole budget");
      try (FfmpegPublish publish = RealClients.publish("rtmp://127.0.0.1:" + node.port() + "/live/"
          + TestNode.KEY.key(), 8, GOP_FRAMES)) {
        // Audio and video frames: some 73 a second.
        Await.until(() -> node.node.recordingCounters().framesSkipped() > 150, Duration.ofSeconds(20),
            "two seconds of frames skipped");
        assertEquals(List.of(), finishedRecordings(dir), "no file while there is no room");
        queue.release(limit);
        assertTrue(publish.awaitExit(Duration.ofSeconds(40)).exitedCleanly(), publish.stderr());
      }
      Await.until(() -> finishedRecordings(dir).size() == 1 && metadataDurationOrZero(last(dir)) > 0,
          Duration.ofSeconds(20), "the recording from where there was room");
      MediaReport report = RealClients.analyze(last(dir));
      assertTrue(report.decodesCleanly() && report.firstVideoFrameIsKeyframe(), report.toString());
      assertTrue(report.videoSpanMillis() < 8_000 - 1_000, "without the seconds skipped: " + report);
      assertEquals(0, queue.used(), "every byte given back once written");
    }
  }

  /**
   * The active origin records, its hot standby does not; when the active one is gone the standby
   * takes over and records from there, in a file of its own.
   */
  @Test
  void aRecordingAcrossAFailoverIsTheFilesOfBothOrigins(@TempDir Path dir) throws Exception {
    Path first = dir.resolve("origin-1");
    Path second = dir.resolve("origin-2");
    try (TestCluster cluster = new TestCluster()) {
      TestCluster.Member active = cluster.start("origin-1", java.util.EnumSet.of(org.rtmpcluster.common.config.Role.ORIGIN),
          org.rtmpcluster.common.config.ClusterTlsSettings.NONE,
          c -> c.withRecord(c.record().withEnabled(true, first.toString())));
      TestCluster.Member standby = cluster.start("origin-2", java.util.EnumSet.of(org.rtmpcluster.common.config.Role.ORIGIN),
          org.rtmpcluster.common.config.ClusterTlsSettings.NONE,
          c -> c.withRecord(c.record().withEnabled(true, second.toString())));
      String key = TestCluster.KEYS.get(0).key();
      try (FfmpegPublish one = RealClients.publish("rtmp://127.0.0.1:" + active.node().port() + "/live/" + key, 16,
          GOP_FRAMES)) {
        Await.until(() -> finishedRecordings(first).size() == 1, Duration.ofSeconds(20), "the active origin records");
        // Only then the second encoder: its origin finds the claim taken and stands by.
        try (FfmpegPublish two = RealClients.publish("rtmp://127.0.0.1:" + standby.node().port() + "/live/" + key, 14,
            GOP_FRAMES)) {
          Await.until(() -> claimOf(standby.node(), "live/a") == ClusterRelay.State.STANDBY, Duration.ofSeconds(20),
              "origin-2 stands by");
          // About 4 s of media (the stream is near 900 kbit/s) in the first file.
          Await.until(() -> sizeOf(last(first)) > 400_000, Duration.ofSeconds(20), "seconds of media recorded");
          assertEquals(List.of(), finishedRecordings(second), "a hot standby records nothing");
          active.close();
          Await.until(() -> finishedRecordings(second).size() == 1, Duration.ofSeconds(20),
              "the standby records once it has taken over");
          assertTrue(two.awaitExit(Duration.ofSeconds(40)).exitedCleanly(), two.stderr());
        }
      }
      Await.until(() -> metadataDurationOrZero(last(second)) > 0, Duration.ofSeconds(20), "its file finished");
    }
    MediaReport before = RealClients.analyze(last(first));
    assertTrue(before.firstVideoFrameIsKeyframe() && before.videoFrames() > 2 * RealClients.FPS,
        "the file the first origin left plays: " + before);
    MediaReport after = RealClients.analyze(last(second));
    assertTrue(after.decodesCleanly() && after.firstVideoFrameIsKeyframe(), after.toString());
    decodesWithXerror(last(second));
    assertTrue(before.videoSpanMillis() + after.videoSpanMillis() >= 14_000 - 4_000,
        "together the files hold the publish but for the takeover: " + before + " / " + after);
  }

  /** The state of {@code stream}'s claim on an origin, read on its home loop; null when not published there. */
  private static ClusterRelay.State claimOf(RtmpNode origin, String stream) {
    return Await.on(origin.homeContext(), () -> {
      var published = origin.originHub().get(stream);
      return io.vertx.core.Future.succeededFuture(published != null
          && published.publishObserver() instanceof ClusterRelay relay ? relay.state() : null);
    });
  }

  private static long sizeOf(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      return 0;
    }
  }

  private static Path last(Path dir) {
    List<Path> files = finishedRecordings(dir);
    return files.isEmpty() ? null : files.get(files.size() - 1);
  }

  /** The .flv files under {@code dir}, by name (their start time). */
  private static List<Path> finishedRecordings(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(p -> p.toString().endsWith(".flv")).sorted().toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  private static double metadataDurationOrZero(Path file) {
    try {
      return file == null ? 0 : metadataDuration(file);
    } catch (Exception e) {
      return 0;
    }
  }

  /** onMetaData's duration as ffprobe reads it from the file's header. */
  private static double metadataDuration(Path file) throws Exception {
    Process probe = new ProcessBuilder("ffprobe", "-v", "error", "-show_entries", "format_tags=duration:format=duration",
        "-of", "default=nw=1", file.toString()).redirectErrorStream(true).start();
    String out = new String(probe.getInputStream().readAllBytes());
    assertTrue(probe.waitFor(30, TimeUnit.SECONDS));
    // FLV's demuxer takes the container duration from onMetaData.
    for (String line : out.split("\n")) {
      if (line.startsWith("duration=")) {
        return Double.parseDouble(line.substring("duration=".length()).trim());
      }
    }
    throw new AssertionError("no duration: " + out);
  }

  private static void decodesWithXerror(Path file) throws Exception {
    Process decode = new ProcessBuilder("ffmpeg", "-nostdin", "-v", "error", "-xerror", "-i", file.toString(),
        "-f", "null", "-").redirectErrorStream(true).start();
    String out = new String(decode.getInputStream().readAllBytes());
    assertTrue(decode.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, decode.exitValue(), "ffmpeg -xerror: " + out);
  }
}

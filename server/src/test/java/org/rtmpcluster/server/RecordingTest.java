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

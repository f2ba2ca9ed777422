package org.rtmpcluster.common.testing;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real-client tools checked without any RTMP server: ffmpeg writes the stream to a file. */
class RealClientsTest {

  private static final int DURATION_SECONDS = 3;
  private static final int GOP_FRAMES = 30;

  @TempDir
  static Path dir;

  private static Path reference;
  private static FfmpegPublish writer;

  @BeforeAll
  static void writeReferenceRecording() {
    reference = dir.resolve("synthetic.flv");
    writer = RealClients.publishToFile(reference, DURATION_SECONDS, GOP_FRAMES);
    ProcessResult result = writer.awaitExit(Duration.ofSeconds(30));
    assertTrue(result.exitedCleanly(), result::describe);
  }

  @Test
  void syntheticRecordingIsWhatAViewerExpects() {
    MediaReport report = RealClients.analyze(reference);
    assertAll(report.toString(),
        () -> assertEquals("h264", report.videoCodec()),
        () -> assertEquals("aac", report.audioCodec()),
        () -> assertEquals(RealClients.WIDTH, report.width()),
        () -> assertEquals(RealClients.HEIGHT, report.height()),
        () -> assertEquals(90, writer.expectedVideoFrames()),
        () -> assertEquals(writer.expectedVideoFrames(), report.videoPackets()),
        () -> assertEquals(writer.expectedVideoFrames(), report.videoFrames()),
        () -> assertEquals(writer.expectedKeyframes(), report.videoKeyframes()),
        () -> assertTrue(report.firstVideoFrameIsKeyframe()),
        () -> assertTrue(report.firstVideoTimestampMillis() >= 0 && report.firstVideoTimestampMillis() < 100),
        () -> assertTrue(report.videoTimestampsMonotonic()),
        () -> assertTrue(report.audioTimestampsMonotonic()),
        () -> assertTrue(report.largestVideoStepMillis() <= 34, "FLV's millisecond steps of 1/30 s"),
        () -> assertTrue(report.audioPackets() > 0),
        () -> assertTrue(report.decodesCleanly()));
  }

  @Test
  void corruptedCopyShowsDecodeErrorsOrMissingFrames() throws IOException {
    byte[] bytes = Files.readAllBytes(reference);
    // 4 KB of noise in the middle: inside tag bodies it breaks slices, across tag headers it
    // throws the demuxer out of step. Either way a viewer must be seen to suffer.
    byte[] noise = new byte[4096];
    new Random(42).nextBytes(noise);
    System.arraycopy(noise, 0, bytes, bytes.length / 2, noise.length);
    Path corrupted = dir.resolve("corrupted.flv");
    Files.write(corrupted, bytes);

    MediaReport report = RealClients.analyze(corrupted);
    assertTrue(!report.decodesCleanly() || report.videoFrames() < writer.expectedVideoFrames(), report::toString);
  }

  @Test
  void missingToolFailsWithInstallHint() {
    AssertionError error = assertThrows(AssertionError.class,
        () -> RealClients.requireTools("ffmpeg", "no-such-tool-rtmpcluster"));
    assertTrue(error.getMessage().startsWith("no-such-tool-rtmpcluster not found on PATH: .ci/run installs it"),
        error.getMessage());
  }

  @Test
  void analyzingAFileThatIsNotMediaReportsAProbeError() throws IOException {
    Path text = Files.writeString(dir.resolve("not-media.flv"), "this is not an FLV file");
    MediaReport report = RealClients.analyze(text);
    assertAll(report.toString(),
        () -> assertTrue(!report.decodesCleanly()),
        () -> assertEquals(0, report.videoFrames()),
        () -> assertEquals(MediaReport.NO_TIMESTAMP, report.firstVideoTimestampMillis()));
  }
}

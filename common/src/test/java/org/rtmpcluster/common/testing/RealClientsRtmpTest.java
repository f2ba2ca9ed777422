package org.rtmpcluster.common.testing;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The RTMP paths of the real-client tools, against ffmpeg's own single-connection RTMP listener
 * ({@code -listen 1}) standing in for a server: it records what a publisher sends, or serves a
 * file to one player. This checks the tools' command lines, not any server of this project.
 */
class RealClientsRtmpTest {

  /** Polling step while waiting for ffmpeg's listener to appear in /proc/net/tcp. */
  private static final Duration LISTEN_POLL = Duration.ofMillis(50);
  private static final Duration LISTEN_WAIT = Duration.ofSeconds(10);

  @TempDir
  static Path dir;

  private static Path reference;

  @BeforeAll
  static void writeReferenceRecording() {
    reference = dir.resolve("reference.flv");
    try (FfmpegPublish writer = RealClients.publishToFile(reference, 3, 30)) {
      ProcessResult result = writer.awaitExit(Duration.ofSeconds(30));
      assertTrue(result.exitedCleanly(), result::describe);
    }
  }

  @Test
  void publishDeliversEveryFrameToAnRtmpListener() throws Exception {
    int port = freePort();
    Path recorded = dir.resolve("published.flv");
    String url = "rtmp://127.0.0.1:" + port + "/live/test";
    try (ToolProcess server = listen(port, List.of("-listen", "1", "-i", url, "-c", "copy", "-f", "flv", "-y", recorded.toString()));
        FfmpegPublish publish = RealClients.publish(url, 2, 30)) {
      ProcessResult published = publish.awaitExit(Duration.ofSeconds(30));
      assertTrue(published.exitedCleanly(), published::describe);
      server.await(Duration.ofSeconds(10));

      MediaReport report = RealClients.analyze(recorded);
      assertAll(report.toString(),
          () -> assertEquals("h264", report.videoCodec()),
          () -> assertEquals("aac", report.audioCodec()),
          () -> assertEquals(publish.expectedVideoFrames(), report.videoFrames()),
          () -> assertEquals(publish.expectedKeyframes(), report.videoKeyframes()),
          () -> assertTrue(report.firstVideoFrameIsKeyframe()),
          () -> assertTrue(report.decodesCleanly()));
    }
  }

  @Test
  void ffmpegPlayRecordsTheWholeStreamAndEndsWithIt() throws Exception {
    int port = freePort();
    String url = "rtmp://127.0.0.1:" + port + "/live/test";
    ToolProcess server = serve(port, url);
    try {
      PlayResult play = RealClients.playWithFfmpeg(url, Duration.ofSeconds(10), dir.resolve("ffmpeg-play.flv"));
      assertTrue(play.process().exitedCleanly(), play::toString);
      MediaReport report = play.analyze();
      assertAll(report.toString(),
          () -> assertEquals(90, report.videoFrames()),
          () -> assertTrue(report.firstVideoFrameIsKeyframe()),
          () -> assertTrue(report.decodesCleanly()));
    } finally {
      server.close();
    }
  }

  @Test
  void rtmpdumpIsStoppedAtMaxDurationAndLeavesAPlayableFile() throws Exception {
    int port = freePort();
    String url = "rtmp://127.0.0.1:" + port + "/live/test";
    ToolProcess server = serve(port, url);
    try {
      PlayResult play = RealClients.playWithRtmpdump(url, Duration.ofMillis(1500), dir.resolve("rtmpdump-play.flv"));
      assertTrue(play.process().stopped(), play::toString);
      assertEquals(2, play.process().exitCode(), play::toString); // rtmpdump's "incomplete" after SIGTERM
      MediaReport report = play.analyze();
      assertAll(report.toString(),
          () -> assertTrue(report.videoFrames() > 0 && report.videoFrames() < 90),
          () -> assertTrue(report.firstVideoFrameIsKeyframe()),
          () -> assertTrue(report.decodesCleanly()));
    } finally {
      server.close();
    }
  }

  /** ffmpeg serving the reference recording in real time to the first player that connects. */
  private static ToolProcess serve(int port, String url) throws Exception {
    return listen(port, List.of("-re", "-i", reference.toString(), "-c", "copy", "-f", "flv", "-listen", "1", url));
  }

  private static ToolProcess listen(int port, List<String> arguments) throws Exception {
    List<String> command = RealClients.ffmpegBase("warning");
    command.addAll(arguments);
    ToolProcess server = ToolProcess.start(command, Duration.ofSeconds(30), false);
    // ffmpeg's listener accepts exactly one connection, so a probing connect would use it up:
    // wait for the socket to show up as listening instead.
    String localAddress = String.format(Locale.ROOT, "0100007F:%04X", port);
    long deadline = System.nanoTime() + LISTEN_WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      boolean listening = Files.readAllLines(Path.of("/proc/net/tcp")).stream()
          .map(String::trim)
          .map(line -> line.split("\\s+"))
          .anyMatch(fields -> fields.length > 3 && fields[1].equals(localAddress) && fields[3].equals("0A"));
      if (listening) {
        return server;
      }
      if (!server.isAlive()) {
        throw new AssertionError("ffmpeg listener ended early:\n" + server.stop().describe());
      }
      Thread.sleep(LISTEN_POLL.toMillis());
    }
    throw new AssertionError("ffmpeg listener not listening on port " + port + ":\n" + server.stop().describe());
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}

package org.rtmpcluster.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rtmpcluster.common.testing.Await;
import org.rtmpcluster.common.testing.FfmpegPublish;
import org.rtmpcluster.common.testing.RealClients;

/**
 * The image's start, without Docker: deploy/docker/entrypoint.sh runs the packaged jar with the
 * image's config (deploy/docker/node.yaml), and the image's HEALTHCHECK script says healthy once
 * the node is up and unhealthy once it is gone. Only the ports differ, so that the test runs
 * anywhere.
 */
class ContainerEntrypointIT {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  @Test
  void theImagesEntrypointStartsANodeItsHealthcheckPasses(@TempDir Path dir) throws Exception {
    int rtmp = freePort();
    int http = freePort();
    int play = freePort();
    Path log = dir.resolve("node.log");
    ProcessBuilder builder = new ProcessBuilder(ROOT.resolve("deploy/docker/entrypoint.sh").toString(),
        "--config", ROOT.resolve("deploy/docker/node.yaml").toString(),
        "--rtmp-port", String.valueOf(rtmp), "--http-port", String.valueOf(http),
        "--play-http-port", String.valueOf(play))
        .redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().put("RTMP_CLUSTER_JAR", JarNode.jar().toString());
    builder.environment().put("JAVA_OPTS", "-Djava.net.preferIPv4Stack=true -XX:+UseSerialGC");
    Process node = builder.start();
    try {
      Await.until(() -> !node.isAlive() || read(log).contains(JarNode.READY_LINE), JarNode.READY_TIMEOUT,
          "the node is ready");
      assertTrue(node.isAlive(), Files.readString(log));
      // (logged just after the ready line)
      Await.until(() -> read(log).contains("heap up to"), Duration.ofSeconds(10), "the node logs its memory");
      assertEquals(0, healthcheck(http), "healthy while up");
      try (FfmpegPublish publish = RealClients.publish("rtmp://127.0.0.1:" + rtmp + "/live/demo-key", 3, 25)) {
        assertTrue(publish.awaitExit(Duration.ofSeconds(30)).exitedCleanly(), publish.stderr());
      }
    } finally {
      node.destroy(); // SIGTERM, as docker stop sends
      assertTrue(node.waitFor(30, TimeUnit.SECONDS), "the node stops on SIGTERM");
    }
    assertTrue(Files.readString(log).contains("draining"), "SIGTERM drained the node: " + Files.readString(log));
    assertNotEquals(0, healthcheck(http), "unhealthy once gone");
  }

  private static int healthcheck(int port) throws IOException, InterruptedException {
    ProcessBuilder check = new ProcessBuilder(ROOT.resolve("deploy/docker/healthcheck.sh").toString())
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
    check.environment().put("HEALTH_PORT", String.valueOf(port));
    Process process = check.start();
    assertTrue(process.waitFor(15, TimeUnit.SECONDS), "the healthcheck ends");
    return process.exitValue();
  }

  private static String read(Path log) {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "";
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}

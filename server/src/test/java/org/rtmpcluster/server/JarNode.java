package org.rtmpcluster.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A node started from the packaged jar as its own process, as an operator runs it. Its output goes
 * to a log file; it is stopped (SIGTERM, then SIGKILL) or killed (SIGKILL, a crash) with its
 * descendants, and a JVM shutdown hook kills whatever a test left running.
 */
final class JarNode implements AutoCloseable {

  /** The packaged node; Failsafe passes its path (server/pom.xml). */
  static final String JAR_PROPERTY = "rtmpcluster.jar";

  /** A cold JVM on a busy two-core machine joins the cluster in well under this. */
  static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

  /** Between SIGTERM and SIGKILL: the node's shutdown hook closes Vert.x within 5 s. */
  static final Duration STOP_GRACE = Duration.ofSeconds(6);

  /** The log line Main writes once the node listens (and, clustered, has joined). */
  static final String READY_LINE = "rtmp-cluster node ready";

  /** Main's SLF4J date format (org.slf4j.simpleLogger.dateTimeFormat), in local time. */
  private static final DateTimeFormatter LOG_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS");

  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(JarNode::killTree), "jar-node-cleanup"));
  }

  private final String name;
  private final Path log;
  private final Process process;

  private JarNode(String name, Path log, Process process) {
    this.name = name;
    this.log = log;
    this.process = process;
  }

  /** The jar under test; fails when the property is missing or the file is not there. */
  static Path jar() {
    String path = System.getProperty(JAR_PROPERTY);
    if (path == null || !Files.isRegularFile(Path.of(path))) {
      throw new AssertionError("no node jar at -D" + JAR_PROPERTY + "=" + path
          + ": run this test with mvn verify, which packages the jar first");
    }
    return Path.of(path);
  }

  /** Starts {@code java -jar rtmp-cluster.jar --node-name NAME ARGS...}, logging to {@code logDir/NAME.log}. */
  static JarNode start(String name, Path logDir, List<String> arguments) {
    Path log = logDir.resolve(name + ".log");
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        // Hazelcast and Vert.x prefer IPv4 on loopback, as in the surefire configuration.
        "-Djava.net.preferIPv4Stack=true",
        // Small heaps: four nodes share the machine with the build.
        "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-jar", jar().toString(), "--node-name", name));
    command.addAll(arguments);
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE).start();
      process.getOutputStream().close();
      LIVE.add(process);
      return new JarNode(name, log, process);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + String.join(" ", command), e);
    }
  }

  String name() {
    return name;
  }

  Path logFile() {
    return log;
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** Waits until the node logged that it is ready; fails if it exits first or takes too long. */
  void awaitReady() {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (logLine(READY_LINE) == null) {
      if (!process.isAlive()) {
        throw new AssertionError(name + " exited with " + process.exitValue() + " before it was ready:\n" + log());
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(name + " not ready after " + READY_TIMEOUT + ":\n" + log());
      }
      sleep(50);
    }
  }

  /** SIGKILL, as in a crash: no shutdown hook runs, the node leaves the cluster without a word. */
  void kill() {
    killTree(process);
    await(process, STOP_GRACE);
    LIVE.remove(process);
  }

  /** SIGTERM, then SIGKILL after {@link #STOP_GRACE}; descendants are killed too. */
  @Override
  public void close() {
    if (process.isAlive()) {
      process.descendants().forEach(ProcessHandle::destroy);
      process.destroy();
      if (!await(process, STOP_GRACE)) {
        killTree(process);
        await(process, STOP_GRACE);
      }
    }
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    LIVE.remove(process);
  }

  /** Everything the node logged so far. */
  String log() {
    try {
      return new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /** The first log line containing {@code text}, or null. */
  String logLine(String text) {
    return log().lines().filter(line -> line.contains(text)).findFirst().orElse(null);
  }

  /** When the first line containing {@code text} was logged (epoch ms), or -1 if none was. */
  long loggedAt(String text) {
    String line = logLine(text);
    if (line == null || line.length() < 23) {
      return -1;
    }
    return LocalDateTime.parse(line.substring(0, 23), LOG_TIME).atZone(ZoneId.systemDefault())
        .toInstant().toEpochMilli();
  }

  /** A free TCP port on loopback; the OS does not hand it out again at once. */
  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void killTree(Process process) {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
  }

  private static boolean await(Process process, Duration timeout) {
    try {
      return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      killTree(process);
      return false;
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted");
    }
  }
}

package org.rtmpcluster.common.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One external tool process with a hard time limit. Its stderr (and stdout when asked) go straight
 * to temporary files, so no pipe can fill up and block the tool, and no reader thread is needed.
 * A watchdog stops the process at its hard limit even if the caller never waits for it, and a
 * JVM shutdown hook kills whatever is left, so no test leaves a stray ffmpeg behind.
 */
final class ToolProcess implements AutoCloseable {

  /** Between SIGTERM and SIGKILL: ffmpeg and rtmpdump use it to finish the FLV file they write. */
  static final Duration STOP_GRACE = Duration.ofSeconds(5);

  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

  private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(runnable -> {
    Thread thread = new Thread(runnable, "real-clients-watchdog");
    thread.setDaemon(true);
    return thread;
  });

  static {
    Runtime.getRuntime().addShutdownHook(
        new Thread(() -> LIVE.forEach(Process::destroyForcibly), "real-clients-cleanup"));
  }

  private final List<String> command;
  private final Process process;
  private final Path stdoutFile;
  private final Path stderrFile;
  private final long startNanos;
  private final ScheduledFuture<?> watchdog;
  private volatile boolean stopped;

  private ToolProcess(List<String> command, Duration hardLimit, boolean captureStdout) throws IOException {
    this.command = List.copyOf(command);
    String tool = Path.of(command.get(0)).getFileName().toString();
    this.stderrFile = tempFile(tool, ".stderr");
    this.stdoutFile = captureStdout ? tempFile(tool, ".stdout") : null;
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectError(stderrFile.toFile())
        .redirectOutput(captureStdout ? ProcessBuilder.Redirect.to(stdoutFile.toFile()) : ProcessBuilder.Redirect.DISCARD);
    this.startNanos = System.nanoTime();
    this.process = builder.start();
    LIVE.add(process);
    // Nothing is ever typed into these tools; an open stdin would let ffmpeg wait for keys.
    process.getOutputStream().close();
    this.watchdog = WATCHDOG.schedule(this::stopFromWatchdog, hardLimit.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Starts {@code command}; it is stopped at {@code hardLimit} whatever the caller does. */
  static ToolProcess start(List<String> command, Duration hardLimit, boolean captureStdout) {
    try {
      return new ToolProcess(command, hardLimit, captureStdout);
    } catch (IOException e) {
      throw new IllegalStateException("cannot start " + String.join(" ", command), e);
    }
  }

  /** Runs {@code command} to its end (at most {@code timeout}, then stopped). */
  static ProcessResult run(List<String> command, Duration timeout) {
    try (ToolProcess tool = start(command, timeout, false)) {
      return tool.await(timeout);
    }
  }

  Process process() {
    return process;
  }

  List<String> command() {
    return command;
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** What the process has written to stderr so far. */
  String stderr() {
    return read(stderrFile);
  }

  /** What the process wrote to stdout; only when started with captureStdout. */
  String stdout() {
    return stdoutFile == null ? "" : read(stdoutFile);
  }

  /** Waits up to {@code timeout} for the process to end by itself, else stops it. */
  ProcessResult await(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        stop();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      throw new IllegalStateException("interrupted while waiting for " + String.join(" ", command), e);
    } finally {
      release();
    }
    return result();
  }

  /** Stops a running process: SIGTERM, then SIGKILL after {@link #STOP_GRACE}; returns how it ended. */
  ProcessResult stop() {
    if (process.isAlive()) {
      stopped = true;
      process.destroy();
      try {
        if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
          process.destroyForcibly();
          process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
    }
    release();
    return result();
  }

  @Override
  public void close() {
    stop();
  }

  private void stopFromWatchdog() {
    if (process.isAlive()) {
      stopped = true;
      process.destroy();
      WATCHDOG.schedule(process::destroyForcibly, STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private void release() {
    if (!process.isAlive()) {
      watchdog.cancel(false);
      LIVE.remove(process);
    }
  }

  private ProcessResult result() {
    int exitCode = process.isAlive() ? -1 : process.exitValue();
    Duration elapsed = Duration.ofNanos(System.nanoTime() - startNanos);
    return new ProcessResult(command, exitCode, stopped, elapsed, stderr());
  }

  private static Path tempFile(String prefix, String suffix) throws IOException {
    Path file = Files.createTempFile(prefix + "-", suffix);
    file.toFile().deleteOnExit();
    return file;
  }

  private static String read(Path file) {
    try {
      // new String(bytes, UTF_8) replaces malformed bytes instead of failing on them.
      return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

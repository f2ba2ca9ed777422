package org.rtmpcluster.common.testing;

import java.time.Duration;
import java.util.List;

/**
 * A running ffmpeg that sends the synthetic stream of {@link RealClients#publish}. Close it (or use
 * try-with-resources) to stop it early; it also stops itself at a hard limit past its duration.
 */
public final class FfmpegPublish implements AutoCloseable {

  private final ToolProcess tool;
  private final String target;
  private final int durationSeconds;
  private final int gopFrames;

  FfmpegPublish(ToolProcess tool, String target, int durationSeconds, int gopFrames) {
    this.tool = tool;
    this.target = target;
    this.durationSeconds = durationSeconds;
    this.gopFrames = gopFrames;
  }

  public Process process() {
    return tool.process();
  }

  public List<String> command() {
    return tool.command();
  }

  /** The rtmp:// URL or file path ffmpeg writes to. */
  public String target() {
    return target;
  }

  public int durationSeconds() {
    return durationSeconds;
  }

  public int gopFrames() {
    return gopFrames;
  }

  /** Video frames ffmpeg was asked to send: fps times duration, exact since there are no B-frames. */
  public int expectedVideoFrames() {
    return RealClients.FPS * durationSeconds;
  }

  /** Key frames among them: one every {@link #gopFrames()} frames, starting with the first. */
  public int expectedKeyframes() {
    return (expectedVideoFrames() + gopFrames - 1) / gopFrames;
  }

  public boolean isAlive() {
    return tool.isAlive();
  }

  /** What ffmpeg has written to stderr so far. */
  public String stderr() {
    return tool.stderr();
  }

  /** Waits up to {@code timeout} for ffmpeg to finish by itself; stops it if it has not. */
  public ProcessResult awaitExit(Duration timeout) {
    return tool.await(timeout);
  }

  /** Stops ffmpeg now (SIGTERM, then SIGKILL after a grace period) and says how it ended. */
  public ProcessResult stop() {
    return tool.stop();
  }

  @Override
  public void close() {
    tool.close();
  }
}

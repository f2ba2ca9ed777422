package org.rtmpcluster.common.testing;

import java.time.Duration;
import java.util.List;

/**
 * How a real client process ended.
 *
 * @param command the command line as run
 * @param exitCode the exit code; after a stop, what the tool chose on SIGTERM (ffmpeg 255,
 *     rtmpdump 2) or 137 after SIGKILL
 * @param stopped true when the process was still running at its time limit and was stopped (SIGTERM,
 *     then SIGKILL after a grace period) rather than ending by itself
 * @param elapsed wall time from start to end
 * @param stderr everything the process wrote to stderr
 */
public record ProcessResult(List<String> command, int exitCode, boolean stopped, Duration elapsed, String stderr) {

  /** Lines of stderr kept by {@link #describe()}: enough for ffmpeg's error and its context. */
  private static final int STDERR_TAIL_LINES = 40;

  public ProcessResult {
    command = List.copyOf(command);
  }

  /** True when the process ended by itself with exit code 0. */
  public boolean exitedCleanly() {
    return !stopped && exitCode == 0;
  }

  /** The command, how it ended and the tail of its stderr: a ready assertion message. */
  public String describe() {
    List<String> lines = stderr.lines().toList();
    List<String> tail = lines.subList(Math.max(0, lines.size() - STDERR_TAIL_LINES), lines.size());
    return String.join(" ", command) + "\n  exit " + exitCode + (stopped ? " (stopped at its time limit)" : "")
        + " after " + elapsed.toMillis() + " ms; stderr"
        + (tail.size() < lines.size() ? " (last " + tail.size() + " lines)" : "") + ":\n    "
        + String.join("\n    ", tail);
  }

  @Override
  public String toString() {
    return describe();
  }
}

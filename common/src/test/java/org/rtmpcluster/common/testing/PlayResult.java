package org.rtmpcluster.common.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a real player recorded.
 *
 * @param process how the player ended; {@code process.stopped()} is expected for rtmpdump, which is
 *     stopped at its maximum duration, and means trouble for ffmpeg, which ends itself with -t
 * @param file the FLV file the player wrote (may be missing or empty when it received nothing)
 */
public record PlayResult(ProcessResult process, Path file) {

  /** Size of the recorded file in bytes, 0 when there is none. */
  public long fileSize() {
    try {
      return Files.exists(file) ? Files.size(file) : 0;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@link RealClients#analyze} of the recorded file. */
  public MediaReport analyze() {
    return RealClients.analyze(file);
  }

  @Override
  public String toString() {
    return "PlayResult[" + file + ", " + fileSize() + " bytes]\n" + process.describe();
  }
}

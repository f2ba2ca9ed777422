package org.rtmpcluster.origin.replay;

import java.nio.file.Path;

/**
 * The file a replay asks for, as a path under {@code record.path} that cannot leave it: made of
 * plain names (no empty, {@code .} or {@code ..} part, no backslash or control character), with
 * {@code .flv} at the end (players leave it off: ffmpeg and librtmp strip it from the URL).
 */
public final class RecordingPaths {
  /** Longer than any name the recorder makes, and short enough for every file system. */
  static final int MAX_LENGTH = 1024;

  private RecordingPaths() {
  }

  /**
   * The file for a play of {@code name} in {@code app} ({@code vod}, or {@code vod/<stream app>}),
   * or null when they name none.
   */
  public static Path relative(String replayApp, String app, String name) {
    if (name.startsWith("flv:")) {
      name = name.substring(4);
    }
    String under = app.length() > replayApp.length() ? app.substring(replayApp.length() + 1) + "/" : "";
    String path = under + name;
    if (path.length() > MAX_LENGTH) {
      return null;
    }
    for (String part : path.split("/", -1)) {
      if (part.isEmpty() || part.equals(".") || part.equals("..")) {
        return null;
      }
      for (int i = 0; i < part.length(); i++) {
        char c = part.charAt(i);
        if (c < 0x20 || c == 0x7F || c == '\\') {
          return null;
        }
      }
    }
    return Path.of(path.endsWith(".flv") ? path : path + ".flv");
  }
}

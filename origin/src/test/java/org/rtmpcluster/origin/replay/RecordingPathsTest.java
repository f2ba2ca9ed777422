package org.rtmpcluster.origin.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** How a replay's app and name become a file under record.path, and which never do. */
class RecordingPathsTest {

  @Test
  void theAppAfterTheReplayAppAndTheNameAreOnePathEndingInFlv() {
    assertEquals(Path.of("live/show-20261202-101500-000.flv"),
        RecordingPaths.relative("vod", "vod/live", "show-20261202-101500-000"), "ffmpeg and librtmp's split");
    assertEquals(Path.of("live/show.flv"), RecordingPaths.relative("vod", "vod", "live/show.flv"), "all in the name");
    assertEquals(Path.of("live/show.flv"), RecordingPaths.relative("vod", "vod/live", "flv:show"), "FMS's prefix");
    assertEquals(Path.of("a/b/c.flv"), RecordingPaths.relative("vod", "vod/a/b", "c"));
  }

  @Test
  void namesThatLeaveTheDirectoryOrAreNotPlainNamesAreNone() {
    for (String name : new String[] {"../secret", "live/../../secret", "./x", "live//x", "/etc/passwd", "",
        "live\\..\\x", "x\u0000y", "live/x\n"}) {
      assertNull(RecordingPaths.relative("vod", "vod", name), "'" + name + "'");
    }
    assertNull(RecordingPaths.relative("vod", "vod/..", "x"), "a parent in the app");
    assertNull(RecordingPaths.relative("vod", "vod", "a".repeat(RecordingPaths.MAX_LENGTH + 1)), "too long");
  }
}

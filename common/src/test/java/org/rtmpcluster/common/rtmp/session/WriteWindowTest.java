package org.rtmpcluster.common.rtmp.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class WriteWindowTest {
  private final WriteWindow window = new WriteWindow(20, 1000);

  @Test
  void aQuietLoopFlushesAtOnce() {
    assertEquals(0, window.waitMs(0, 0));
    assertEquals(0, window.waitMs(20, 0), "20 players on a loop wait no whole millisecond");
  }

  @Test
  void theWaitGrowsWithTheLoopsConnections() {
    assertEquals(1, window.waitMs(50, 0));
    assertEquals(10, window.waitMs(500, 0));
    assertEquals(20, window.waitMs(1000, 0));
  }

  @Test
  void neverMoreThanTheMaximumHoweverLoaded() {
    assertEquals(20, window.waitMs(10_000, 0));
    assertEquals(20, window.waitMs(10_000, 5_000));
    assertEquals(1000, new WriteWindow(1000, 1).waitMs(Integer.MAX_VALUE, Long.MAX_VALUE));
  }

  @Test
  void aLaggingLoopWaitsAsLongAsItLagsUpToTheMaximum() {
    assertEquals(5, window.waitMs(10, 5), "a loop 5 ms late merges 5 ms");
    assertEquals(20, window.waitMs(10, 80));
    assertEquals(10, window.waitMs(500, 2), "the larger of the two loads counts");
  }

  @Test
  void zeroMeansNeverWait() {
    WriteWindow never = new WriteWindow(0, 1000);
    assertEquals(0, never.waitMs(100_000, 1_000));
  }

  @Test
  void impossibleSettingsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new WriteWindow(-1, 1000));
    assertThrows(IllegalArgumentException.class, () -> new WriteWindow(20, 0));
  }
}

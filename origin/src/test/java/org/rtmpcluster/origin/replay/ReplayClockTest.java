package org.rtmpcluster.origin.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Real-time pacing: when each tag of a replay is due, on an injected clock. */
class ReplayClockTest {
  private final AtomicLong now = new AtomicLong(50_000);
  private final ReplayClock clock = new ReplayClock(now::get, 1_000);

  @Test
  void tagsAreDueAtTheirTimeAfterTheFirstLessTheLead() {
    assertEquals(0, clock.waitMs(2_000), "the first tag is due at once, and anchors");
    assertEquals(0, clock.waitMs(3_000), "within the lead");
    assertEquals(500, clock.waitMs(3_500));
    now.addAndGet(400);
    assertEquals(100, clock.waitMs(3_500));
    now.addAndGet(100);
    assertEquals(0, clock.waitMs(3_500));
    assertEquals(0, clock.waitMs(2_500), "a tag behind its time is due");
  }

  @Test
  void aPauseIsNotOwedAndGrantsNoSecondLead() {
    clock.waitMs(0);
    assertEquals(0, clock.waitMs(1_000), "the lead");
    clock.pause();
    now.addAndGet(60_000);
    clock.resume();
    assertEquals(500, clock.waitMs(1_500), "paced as before the pause, not owed it, no new lead");
  }

  @Test
  void afterASeekTheNextTagAnchorsAgain() {
    clock.waitMs(0);
    clock.reanchor();
    assertEquals(0, clock.waitMs(3_000));
    assertEquals(1_000, clock.waitMs(5_000));
    clock.reanchor();
    assertEquals(0, clock.waitMs(500), "a seek back anchors too");
    assertEquals(0, clock.waitMs(1_400));
  }

  @Test
  void aHoleInTheFileIsNotWaitedOut() {
    clock.waitMs(1_000);
    assertEquals(0, clock.waitMs(1_000 + ReplayClock.MAX_GAP_MS + 1), "an hour-long gap anchors again");
    assertEquals(500, clock.waitMs(1_000 + ReplayClock.MAX_GAP_MS + 1 + 1_500));
    assertEquals(0, clock.waitMs(100), "a jump back of more than the gap anchors again");
    assertEquals(500, clock.waitMs(1_600));
  }
}

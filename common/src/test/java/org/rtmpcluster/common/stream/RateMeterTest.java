package org.rtmpcluster.common.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class RateMeterTest {

  /** Feeds {@code perSecond} samples of {@code amount} evenly over [fromMs, toMs). */
  private static void feed(RateMeter meter, long fromMs, long toMs, int perSecond, long amount) {
    long count = (toMs - fromMs) * perSecond / 1000;
    for (long i = 0; i < count; i++) {
      meter.add(fromMs + i * 1000 / perSecond, amount);
    }
  }

  @Test
  void noSamplesMeansZero() {
    assertEquals(0.0, new RateMeter().perSecond(12_345));
  }

  @Test
  void steadyInputReadsAsItsRateOnceTheWindowIsFull() {
    RateMeter meter = new RateMeter(5, 1_000);
    feed(meter, 100_000, 110_000, 30, 1);
    assertEquals(30.0, meter.perSecond(110_000), 0.01);
  }

  @Test
  void shortInputIsDividedByTheTimeSinceTheFirstSampleNotTheWholeWindow() {
    RateMeter meter = new RateMeter(5, 1_000);
    feed(meter, 100_000, 102_000, 25, 1_000); // 2 s of 25 kB/s
    assertEquals(25_000.0, meter.perSecond(102_000), 0.01);
  }

  @Test
  void firstSamplesCoverAtLeastOneBucket() {
    RateMeter meter = new RateMeter(5, 1_000);
    meter.add(50_000, 10);
    assertEquals(10.0, meter.perSecond(50_001), 0.01, "not 10 per millisecond");
  }

  @Test
  void rateFollowsAChangeWithinTheWindow() {
    RateMeter meter = new RateMeter(5, 1_000);
    feed(meter, 0, 10_000, 30, 1);
    feed(meter, 10_000, 20_000, 10, 1);
    assertEquals(10.0, meter.perSecond(20_000), 0.01);
  }

  @Test
  void rateFallsToZeroOnceInputStopsForTheWholeWindow() {
    RateMeter meter = new RateMeter(5, 1_000);
    feed(meter, 0, 10_000, 30, 1);
    assertEquals(0.0, meter.perSecond(16_000));
    assertEquals(0.0, meter.perSecond(1_000_000), "a long silence wraps the ring many times");
  }

  @Test
  void partOfTheWindowStillCountsAfterInputStops() {
    RateMeter meter = new RateMeter(5, 1_000);
    feed(meter, 0, 10_000, 30, 1);
    // At 12.0 s the window is the buckets of seconds 8 to 12: 60 samples over 4 s.
    assertEquals(15.0, meter.perSecond(12_000), 0.01);
  }

  @Test
  void clockSteppingBackCountsIntoTheNewestBucket() {
    RateMeter meter = new RateMeter(5, 1_000);
    feed(meter, 0, 5_000, 10, 1);
    meter.add(3_000, 5);
    assertEquals(55.0 * 1000 / 4_999, meter.perSecond(4_999), 0.01);
  }

  @Test
  void resetStartsANewMeasurement() {
    RateMeter meter = new RateMeter(5, 1_000);
    feed(meter, 0, 5_000, 30, 1);
    meter.reset();
    assertEquals(0.0, meter.perSecond(5_000));
    feed(meter, 5_000, 7_000, 10, 1);
    assertEquals(10.0, meter.perSecond(7_000), 0.01);
  }

  @Test
  void rejectsAnEmptyWindow() {
    assertThrows(IllegalArgumentException.class, () -> new RateMeter(0, 1_000));
  }
}

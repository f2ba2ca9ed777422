package org.rtmpcluster.common.stream;

/**
 * Turns one track's 32-bit RTMP timestamps (milliseconds that wrap) into a linear 64-bit timeline.
 * Each timestamp is taken relative to the previous one with serial-number arithmetic (RFC 1982):
 * a step of less than 2^31 forward is forward, also across the wrap at 2^32.
 *
 * <p>Within one track time does not go back, so a step back of more than
 * {@value #DISCONTINUITY_MS} ms is a discontinuity, not a rewind: the track goes on as if this
 * frame followed the previous one at the track's last frame interval. That is also how the other
 * wrap is followed: ffmpeg writes FLV timestamps as signed 32 bits, so its RTMP timestamps drop from
 * 2^31 - 1 to 0, which serial arithmetic cannot tell from a step back. An encoder that restarts its
 * clock in the middle of a publish is followed the same way.
 */
final class TimestampUnwrapper {
  private static final long MASK = 0xFFFFFFFFL;
  /**
   * Audio and video interleave a few tens of milliseconds apart and jitter a little; a second is
   * far beyond that and far below any wrap.
   */
  static final int DISCONTINUITY_MS = 1_000;

  private boolean started;
  private long last;
  private long linear;
  /** The last step forward, the track's frame interval, used across a discontinuity. */
  private int interval;

  /** The timestamp on the linear timeline; the first one is taken as it is. */
  long unwrap(long timestamp) {
    long wire = timestamp & MASK;
    if (!started) {
      started = true;
      linear = wire;
    } else {
      int step = (int) (wire - last); // the signed 32-bit difference: serial-number arithmetic
      if (step < -DISCONTINUITY_MS) {
        step = interval;
      } else if (step > 0) {
        interval = Math.min(step, DISCONTINUITY_MS);
      }
      linear += step;
    }
    last = wire;
    return linear;
  }

  /** Starts over: the next timestamp is taken as it is (a new publisher). */
  void reset() {
    started = false;
    interval = 0;
  }
}

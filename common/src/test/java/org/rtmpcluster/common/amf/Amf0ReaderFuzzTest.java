package org.rtmpcluster.common.amf;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vertx.core.buffer.Buffer;
import org.rtmpcluster.common.testing.FuzzBounds;

/**
 * The AMF0 reader (and the AMF3 reader it switches to) on any bytes: only {@link AmfException},
 * nesting and sizes within the limits, allocation in proportion to the input. Seeds: ffmpeg's
 * connect and onMetaData bodies.
 */
class Amf0ReaderFuzzTest {
  static final AmfLimits LIMITS = new AmfLimits(16, 64 << 10, 4096);


  @FuzzTest
  void readAll(byte[] input) {
    FuzzBounds.withinAllocationBound(input.length, () -> read(input));
  }

  private static void read(byte[] input) {
    try {
      Amf0Reader.readAll(Buffer.buffer(input), LIMITS);
    } catch (AmfException expected) {
      // Bad input is an AmfException, and nothing else.
    }
  }
}

package org.rtmpcluster.common.amf;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vertx.core.buffer.Buffer;
import org.rtmpcluster.common.testing.FuzzBounds;

/** The AMF3 reader on any bytes: only {@link AmfException}, allocation in proportion to the input. */
class Amf3ReaderFuzzTest {

  @FuzzTest
  void read(byte[] input) {
    FuzzBounds.withinAllocationBound(input.length, () -> readAll(input));
  }

  private static void readAll(byte[] input) {
    Amf3Reader reader = new Amf3Reader(Buffer.buffer(input), 0, input.length, Amf0ReaderFuzzTest.LIMITS);
    try {
      while (reader.hasMore()) {
        reader.read();
      }
    } catch (AmfException expected) {
      // Bad input is an AmfException, and nothing else.
    }
  }
}

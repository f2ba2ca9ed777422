package org.rtmpcluster.common.cluster;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vertx.core.buffer.Buffer;
import org.rtmpcluster.common.testing.FuzzBounds;

/**
 * What a node reads from the cluster: frames and snapshots, on any bytes. Bad
 * bytes are an {@link IllegalArgumentException} and nothing else, and no count or length read
 * from them sizes an allocation.
 */
class ClusterFrameFuzzTest {

  @FuzzTest
  void decode(byte[] input) {
    FuzzBounds.withinAllocationBound(input.length, () -> decodeAll(input));
  }

  private static void decodeAll(byte[] input) {
    Buffer bytes = Buffer.buffer(input);
    try {
      ClusterFrame frame = ClusterFrame.readFrom(bytes, 0);
      if (frame.encodedLength() > input.length) {
        throw new AssertionError("a frame of " + frame.encodedLength() + " bytes from " + input.length);
      }
    } catch (IllegalArgumentException expected) {
      // Bad bytes.
    }
    try {
      StreamSnapshot.decode(bytes);
    } catch (IllegalArgumentException expected) {
      // Bad bytes.
    }
  }
}

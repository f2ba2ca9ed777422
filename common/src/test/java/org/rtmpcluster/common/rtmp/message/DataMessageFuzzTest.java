package org.rtmpcluster.common.rtmp.message;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vertx.core.buffer.Buffer;
import org.rtmpcluster.common.amf.AmfException;
import org.rtmpcluster.common.amf.AmfLimits;
import org.rtmpcluster.common.rtmp.chunk.RtmpMessage;
import org.rtmpcluster.common.testing.FuzzBounds;

/**
 * A publisher's data message as players get it, on any bytes: references and AMF3 values may
 * not make the body players get more than a few times the bytes that came.
 */
class DataMessageFuzzTest {

  @FuzzTest
  void forPlayers(byte[] input) {
    FuzzBounds.withinAllocationBound(input.length, () -> read(input));
  }

  private static void read(byte[] input) {
    for (int type : new int[] {MessageType.DATA_AMF0, MessageType.DATA_AMF3}) {
      try {
        DataMessage data = DataMessage.forPlayers(new RtmpMessage(4, type, 0, 1, Buffer.buffer(input)), AmfLimits.DEFAULT);
        long bound = (long) AmfLimits.DEFAULT.maxExpansion() * input.length + DataMessage.SLACK;
        if (data != null && data.body().length() > bound) {
          throw new AssertionError("a body of " + data.body().length() + " bytes from " + input.length);
        }
      } catch (AmfException expected) {
        // Bad AMF, or too large once written out.
      }
    }
  }
}

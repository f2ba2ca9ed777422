package org.rtmpcluster.common.testing;

import io.vertx.core.buffer.Buffer;
import java.lang.management.ManagementFactory;
import org.rtmpcluster.common.amf.Amf0Writer;

/** Inputs that an attacker sends, and the measure of what they cost the node. */
public final class HostileInput {
  private HostileInput() {
  }

  /** Heap this thread allocated so far; the difference around a call is what the call cost. */
  public static long allocatedBytes() {
    return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
  }

  /**
   * {@code @setDataFrame onMetaData [big, ref, ref, ...]}: a strict array (AMF0 reference 0) whose
   * first element is an ECMA array of {@code members} numbers (reference 1), then {@code copies}
   * references to it. Decoded with shared references it is small; written out without them it is
   * {@code copies} times the array.
   */
  public static Buffer amplifyingMetadata(int members, int copies) {
    Buffer out = Amf0Writer.encode("@setDataFrame", "onMetaData");
    out.appendByte((byte) 0x0A).appendUnsignedInt(copies + 1);   // strict array
    out.appendByte((byte) 0x08).appendUnsignedInt(members);      // ECMA array, count hint
    for (int i = 0; i < members; i++) {
      String name = "k" + i;
      out.appendUnsignedShort(name.length()).appendString(name)  // property name
          .appendByte((byte) 0).appendDouble(i);                 // number
    }
    out.appendUnsignedShort(0).appendByte((byte) 0x09);          // empty name, object end
    for (int i = 0; i < copies; i++) {
      out.appendByte((byte) 0x07).appendUnsignedShort(1);        // reference 1: the ECMA array
    }
    return out;
  }
}

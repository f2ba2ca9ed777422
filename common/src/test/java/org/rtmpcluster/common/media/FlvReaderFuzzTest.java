package org.rtmpcluster.common.media;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vertx.core.buffer.Buffer;
import org.rtmpcluster.common.testing.FuzzBounds;

/**
 * A recording read for replay, on any bytes in any pieces: bad bytes are an
 * IllegalArgumentException and nothing else, every tag lies within the bytes fed and within the
 * limit, and no length the file declares sizes an allocation.
 */
class FlvReaderFuzzTest {
  private static final int MAX_TAG = 1 << 16;

  @FuzzTest
  void read(FuzzedDataProvider data) {
    int piece = data.consumeInt(1, 4096);
    boolean atTag = data.consumeBoolean();
    byte[] bytes = data.consumeRemainingAsBytes();
    int pieces = bytes.length / piece + 1;
    FuzzBounds.withinAllocationBound(bytes.length, pieces, () -> {
      FlvReader reader = atTag ? FlvReader.atTag(0, MAX_TAG) : FlvReader.fromStart(MAX_TAG);
      long taken = 0;
      try {
        for (int at = 0; at < bytes.length; at += piece) {
          reader.feed(Buffer.buffer(java.util.Arrays.copyOfRange(bytes, at, Math.min(bytes.length, at + piece))));
          for (FlvReader.Tag tag = reader.poll(); tag != null; tag = reader.poll()) {
            taken += FlvReader.TAG_HEADER_BYTES + tag.payload().length();
            if (tag.payload().length() > MAX_TAG || taken > bytes.length || tag.position() + taken > 2L * bytes.length + 1024) {
              throw new AssertionError("a tag of " + tag.payload().length() + " bytes at " + tag.position()
                  + " from " + bytes.length + " bytes");
            }
          }
        }
      } catch (IllegalArgumentException expected) {
        // Bad bytes.
      }
    });
  }
}

package org.rtmpcluster.common.rtmp.chunk;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import org.rtmpcluster.common.memory.ByteBudget;
import org.rtmpcluster.common.testing.FuzzBounds;

/**
 * The chunk decoder on any bytes, in any splits: it never throws, it reports at most one error,
 * it holds no more than its limits allow, and it allocates in proportion to what it was fed,
 * never to what a header declared. Seeds: the first bytes of real clients' chunk streams.
 */
class ChunkDecoderFuzzTest {
  private static final ChunkLimits LIMITS = ChunkLimits.DEFAULT.withSizes(65536, 1 << 20, 64)
      .withIncompleteBytes(2 << 20, 64 << 10);


  @FuzzTest
  void decode(FuzzedDataProvider data) {
    boolean publisher = data.consumeBoolean();
    int split = data.consumeInt(1, 4096);
    byte[] stream = data.consumeRemainingAsBytes();
    List<Buffer> reads = new ArrayList<>();
    for (int at = 0; at < stream.length; at += split) {
      reads.add(Buffer.buffer().appendBytes(stream, at, Math.min(split, stream.length - at)));
    }
    FuzzBounds.withinAllocationBound(stream.length, reads.size(), () -> decodeAll(reads, publisher));
  }

  private static void decodeAll(List<Buffer> reads, boolean publisher) {
    ByteBudget node = new ByteBudget("fuzz", 4 << 20);
    int[] errors = {0};
    ChunkDecoder decoder = new ChunkDecoder(LIMITS, node, new ChunkDecoder.Listener() {
      @Override
      public void onMessage(RtmpMessage message) {
        if (message.length() > LIMITS.maxMessageLength()) {
          throw new AssertionError("a message past the length limit: " + message.length());
        }
      }

      @Override
      public void onProtocolError(String reason) {
        if (errors[0]++ > 0) {
          throw new AssertionError("a second error: " + reason);
        }
      }
    });
    if (publisher) {
      decoder.allowMediaMessages();
    }
    for (Buffer read : reads) {
      decoder.feed(read);
      long limit = publisher ? LIMITS.maxIncompleteBytes() : LIMITS.maxIncompleteBytesBeforePublish();
      if (decoder.incompleteBytes() > limit || node.used() != decoder.incompleteBytes()) {
        throw new AssertionError("holds " + decoder.incompleteBytes() + " of " + limit
            + ", the node counts " + node.used());
      }
    }
    decoder.stop();
    if (node.used() != 0) {
      throw new AssertionError("a stopped decoder still holds " + node.used());
    }
  }
}

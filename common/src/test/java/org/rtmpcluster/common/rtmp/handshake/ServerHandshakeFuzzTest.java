package org.rtmpcluster.common.rtmp.handshake;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import org.rtmpcluster.common.testing.FuzzBounds;

/**
 * The server's handshake on any bytes, in any splits: it never throws, it answers at most one
 * S0+S1+S2 (1 + 2 * 1536 bytes), and once failed or done it stays so. Seeds: C0+C1+C2 of
 * ffmpeg (digest) and rtmpdump (plain).
 */
class ServerHandshakeFuzzTest {

  @FuzzTest
  void handshake(FuzzedDataProvider data) {
    int split = data.consumeInt(1, 4000);
    byte[] input = data.consumeRemainingAsBytes();
    List<Buffer> reads = new ArrayList<>();
    for (int at = 0; at < input.length; at += split) {
      reads.add(Buffer.buffer().appendBytes(input, at, Math.min(split, input.length - at)));
    }
    FuzzBounds.withinAllocationBound(input.length, reads.size(), () -> feed(reads));
  }

  private static void feed(List<Buffer> reads) {
    ServerHandshake handshake = new ServerHandshake();
    long[] sent = {0};
    HandshakeState state = handshake.state();
    for (Buffer read : reads) {
      HandshakeState before = state;
      state = handshake.feed(read, reply -> sent[0] += reply.length());
      if ((before == HandshakeState.FAILED || before == HandshakeState.DONE) && state != before) {
        throw new AssertionError("left " + before + " for " + state);
      }
    }
    if (sent[0] > 1 + 2L * ServerHandshake.PACKET_SIZE) {
      throw new AssertionError("answered " + sent[0] + " bytes");
    }
    if (state == HandshakeState.FAILED && handshake.failureReason() == null) {
      throw new AssertionError("failed without a reason");
    }
  }
}

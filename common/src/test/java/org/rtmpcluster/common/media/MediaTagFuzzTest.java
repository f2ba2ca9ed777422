package org.rtmpcluster.common.media;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import org.rtmpcluster.common.rtmp.message.MessageType;
import org.rtmpcluster.common.testing.FuzzBounds;

/**
 * What the node reads of a publisher's media: the facts of audio and video tags (legacy and
 * Enhanced RTMP, multitrack) and the splitting of aggregates, on any bytes. None of them throws;
 * an aggregate is split whole or not at all, into at most the parts allowed, within its bytes.
 */
class MediaTagFuzzTest {
  private static final int MAX_PARTS = 64;


  @FuzzTest
  void tagFacts(byte[] payload) {
    FuzzBounds.withinAllocationBound(payload.length, () -> facts(payload));
  }

  private static void facts(byte[] bytes) {
    Buffer payload = Buffer.buffer(bytes);
    VideoTag.isKeyframe(payload);
    VideoTag.isSequenceHeader(payload);
    VideoTag.isSequenceEnd(payload);
    VideoTag.isInfoFrame(payload);
    VideoTag.isEnhanced(payload);
    VideoTag.codec(payload);
    AudioTag.isSequenceHeader(payload);
    AudioTag.codec(payload);
  }

  @FuzzTest
  void aggregate(FuzzedDataProvider data) {
    long timestamp = data.consumeLong(0, 0xFFFFFFFFL);
    byte[] bytes = data.consumeRemainingAsBytes();
    FuzzBounds.withinAllocationBound(bytes.length, () -> {
      List<Integer> sizes = new ArrayList<>();
      String error = AggregateMessage.split(Buffer.buffer(bytes), timestamp, MAX_PARTS, (type, ts, body) -> {
        if (type != MessageType.AUDIO && type != MessageType.VIDEO && type != MessageType.DATA_AMF0
            && type != MessageType.DATA_AMF3) {
          throw new AssertionError("a part of type " + type);
        }
        if (ts < 0 || ts > 0xFFFFFFFFL) {
          throw new AssertionError("a part at " + ts);
        }
        sizes.add(body.length());
      });
      if (error != null && !sizes.isEmpty()) {
        throw new AssertionError("parts handed out from a bad aggregate: " + error);
      }
      if (sizes.size() > MAX_PARTS || sizes.stream().mapToLong(Integer::longValue).sum() > bytes.length) {
        throw new AssertionError(sizes.size() + " parts of " + sizes + " from " + bytes.length + " bytes");
      }
    });
  }
}

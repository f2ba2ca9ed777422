package org.rtmpcluster.edge.hls;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vertx.core.buffer.Buffer;
import org.rtmpcluster.common.testing.FuzzBounds;

/**
 * What the HLS muxer reads from a publisher: video and audio sequence headers (legacy and
 * Enhanced RTMP, for H.264, H.265 and AV1, with their SPS and OBUs) and coded frames, on any
 * bytes. Bad bytes are an {@link IllegalArgumentException} and nothing else; every call ends, and
 * no length read from the bytes sizes an allocation.
 */
class SequenceHeaderFuzzTest {

  @FuzzTest
  void headers(byte[] input) {
    FuzzBounds.withinAllocationBound(input.length, () -> readAll(input));
  }

  private static void readAll(byte[] input) {
    Buffer payload = Buffer.buffer(input);
    AacConfig audio = null;
    try {
      audio = AacConfig.fromSequenceHeader(payload);
    } catch (IllegalArgumentException expected) {
      // Bad bytes.
    }
    try {
      VideoConfig video = VideoConfig.fromSequenceHeader(payload);
      video.coded(payload);
      Fmp4.init(video, audio);
    } catch (IllegalArgumentException expected) {
      // Bad bytes.
    }
  }
}

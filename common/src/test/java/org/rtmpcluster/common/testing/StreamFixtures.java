package org.rtmpcluster.common.testing;

import java.util.List;
import org.rtmpcluster.common.stream.MediaFrame;
import org.rtmpcluster.common.stream.PublisherHandle;
import org.rtmpcluster.common.stream.StreamListener;

/** Stand-ins for a live stream's publisher and players, for tests of the stream logic. */
public final class StreamFixtures {
  private StreamFixtures() {
  }

  /** A publisher that nothing evicts in the test, or whose eviction the test does not look at. */
  public static PublisherHandle publisher() {
    return new PublisherHandle() {
      @Override
      public void evict(String reason) {
      }

      @Override
      public String describe() {
        return "test publisher";
      }
    };
  }

  /** A player that keeps every frame it gets, in order, and ignores the publisher's comings and goings. */
  public static StreamListener framesInto(List<MediaFrame> frames) {
    return new StreamListener() {
      @Override
      public void onFrame(MediaFrame frame) {
        frames.add(frame);
      }

      @Override
      public void onPublisherStarted(long epoch) {
      }

      @Override
      public void onPublisherGone() {
      }

      @Override
      public void onStreamEnded() {
      }
    };
  }
}

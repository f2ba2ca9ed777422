package org.rtmpcluster.common.stream;

import org.rtmpcluster.common.config.StreamSettings;

/**
 * A {@link HomeStream} on another event loop, where that loop's players read it. Its only
 * publisher is the {@link LoopFeed} that carries the home's frames over, already numbered and
 * placed on the players' timeline, and the home's epochs with them. It does not time out by
 * itself: the home says when the stream ends.
 */
public final class StreamCopy extends LiveStream {

  StreamCopy(String name, StreamHub<StreamCopy> hub, StreamSettings settings) {
    super(name, hub, settings);
  }

  /** The home stream's publisher started epoch {@code homeEpoch}. */
  void attachPublisher(PublisherHandle feed, long homeEpoch) {
    begin(feed, homeEpoch);
  }

  @Override
  protected MediaFrame place(MediaFrame frame) {
    return frame;
  }

  @Override
  protected void awaitNextPublisher() {
    // The home stream waits for the next publisher and tells the copy when the stream ends.
  }
}

package org.rtmpcluster.common.stream;

/** A player's view of a live stream; called on the stream's event loop, in order. */
public interface StreamListener {

  /** Metadata, sequence headers and media, in the order a player must see them. */
  void onFrame(MediaFrame frame);

  /** A publisher started (or took over): a new timeline begins; resume on its next keyframe. */
  void onPublisherStarted(long epoch);

  /** The publisher left; the stream waits for it for the grace period. */
  void onPublisherGone();

  /** The grace period passed without a publisher: the stream is over. */
  void onStreamEnded();

  /** The players behind this listener: one for a player, a whole event loop's for a {@link LoopFeed}. */
  default int players() {
    return 1;
  }
}

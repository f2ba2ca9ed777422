package org.rtmpcluster.common.stream;

/** Follows a stream's publishing as it happens; the origin relays it to the cluster this way. */
public interface PublishObserver {

  /** A publisher attached; {@code localEpoch} is the stream's own epoch counter. */
  void onPublisherAttached(long localEpoch);

  /** A frame, numbered by the stream. */
  void onFrame(MediaFrame frame);

  void onPublisherDetached();

  /** The stream is gone from its hub. */
  void onRemoved();
}

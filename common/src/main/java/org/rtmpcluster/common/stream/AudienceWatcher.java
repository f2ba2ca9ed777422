package org.rtmpcluster.common.stream;

/** Told when a stream's players come and go; an edge pulls a stream only while it has players. */
public interface AudienceWatcher {

  void onAudienceChanged(int players);

  /** The stream is gone from its hub: stop whatever feeds it. */
  void onRemoved();
}

package org.rtmpcluster.common.stream;

/** What a live stream needs of the publisher attached to it. */
public interface PublisherHandle {

  /** A new publisher took the stream over: stop and close, saying why. */
  void evict(String reason);

  /** Who the publisher is, for log lines (remote address, never the key). */
  String describe();
}

package org.rtmpcluster.common.cluster;

/** Event bus addresses of a stream. Names are the public stream names (never the keys). */
public final class StreamAddresses {
  private StreamAddresses() {
  }

  /** Where the active origin publishes the stream's frames; each edge node consumes once. */
  public static String frames(String stream) {
    return "rtmp.frames." + stream;
  }

  /** Request/reply: the active origin answers with a {@link StreamSnapshot}. */
  public static String snapshot(String stream) {
    return "rtmp.snapshot." + stream;
  }

  /**
   * Edges that pull the stream say so here now and then; the active origin publishes media frames
   * only while some edge does, since a publish nobody subscribes to costs a cluster-wide lookup.
   */
  public static String interest(String stream) {
    return "rtmp.interest." + stream;
  }

  /** Shared counter that gives each new publisher of the stream a higher epoch, cluster-wide. */
  public static String epochCounter(String stream) {
    return "rtmp.epoch." + stream;
  }
}

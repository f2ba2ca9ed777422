package org.rtmpcluster.common.rtmp.session;

import org.rtmpcluster.common.rtmp.chunk.RtmpMessage;

/** Where a publisher's messages go once publish was accepted. */
public interface Ingest {

  /** The public name players play this stream as. */
  String streamName();

  /** Audio, video, data and aggregate messages of the publishing message stream. */
  void onMessage(RtmpMessage message);

  /** The publisher showed a sign of life other than media. */
  void touch();

  /** The publisher stopped (FCUnpublish, closeStream, deleteStream, disconnect). */
  void close();
}

package org.rtmpcluster.common.cluster;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;

/**
 * Event bus codec for {@link ClusterFrame}: binary on the wire, and the same immutable instance
 * for consumers on the sending node (its payload is never written to). Stateless, so thread-safe.
 */
public final class ClusterFrameCodec implements MessageCodec<ClusterFrame, ClusterFrame> {
  public static final String NAME = "rtmp-cluster-frame";

  @Override
  public void encodeToWire(Buffer buffer, ClusterFrame frame) {
    frame.writeTo(buffer);
  }

  @Override
  public ClusterFrame decodeFromWire(int position, Buffer buffer) {
    return ClusterFrame.readFrom(buffer, position);
  }

  @Override
  public ClusterFrame transform(ClusterFrame frame) {
    return frame;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}

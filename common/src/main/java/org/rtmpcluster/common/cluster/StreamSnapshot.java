package org.rtmpcluster.common.cluster;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;

/**
 * What an origin sends an edge that starts pulling a stream: everything a late joiner needs
 * (metadata, sequence headers, the current GOP) and the sequence number of the last frame it
 * reflects, so that the edge can splice in the live frames that follow.
 *
 * <p>Wire layout: epoch 8, last sequence 8, count 4, then the frames as {@link ClusterFrame}s.
 */
public record StreamSnapshot(long epoch, long lastSequence, List<ClusterFrame> frames) {

  public StreamSnapshot {
    frames = List.copyOf(frames);
  }

  public Buffer encode() {
    int size = 20;
    for (ClusterFrame frame : frames) {
      size += frame.encodedLength();
    }
    Buffer out = Buffer.buffer(size).appendLong(epoch).appendLong(lastSequence).appendInt(frames.size());
    for (ClusterFrame frame : frames) {
      frame.writeTo(out);
    }
    return out;
  }

  public static StreamSnapshot decode(Buffer in) {
    if (in.length() < 20) {
      throw new IllegalArgumentException("truncated stream snapshot");
    }
    long epoch = in.getLong(0);
    long lastSequence = in.getLong(8);
    int count = in.getInt(16);
    List<ClusterFrame> frames = new ArrayList<>(Math.min(count, 4096));
    int position = 20;
    for (int i = 0; i < count; i++) {
      ClusterFrame frame = ClusterFrame.readFrom(in, position);
      frames.add(frame);
      position += frame.encodedLength();
    }
    return new StreamSnapshot(epoch, lastSequence, frames);
  }
}

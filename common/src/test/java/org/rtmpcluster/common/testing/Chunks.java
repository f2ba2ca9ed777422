package org.rtmpcluster.common.testing;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import org.rtmpcluster.common.rtmp.chunk.ChunkDecoder;
import org.rtmpcluster.common.rtmp.chunk.ChunkEncoder;
import org.rtmpcluster.common.rtmp.chunk.ChunkLimits;
import org.rtmpcluster.common.rtmp.chunk.RtmpMessage;
import org.rtmpcluster.common.rtmp.message.ProtocolControl;

/** Chunks decoded back into messages, as a player reads what a node wrote to it. */
public final class Chunks {
  private Chunks() {
  }

  /** Decodes {@code written} in order, as sent with {@code chunkSize} (announced first, as a node does). */
  public static List<RtmpMessage> decode(List<Buffer> written, int chunkSize) {
    List<RtmpMessage> messages = new ArrayList<>();
    ChunkDecoder decoder = new ChunkDecoder(ChunkLimits.DEFAULT, new ChunkDecoder.Listener() {
      @Override
      public void onMessage(RtmpMessage message) {
        messages.add(message);
      }

      @Override
      public void onProtocolError(String reason) {
        throw new AssertionError("bad chunks: " + reason);
      }
    });
    if (chunkSize != ChunkDecoder.DEFAULT_CHUNK_SIZE) {
      decoder.feed(new ChunkEncoder().encode(ProtocolControl.setChunkSize(chunkSize)));
    }
    written.forEach(decoder::feed);
    return messages;
  }
}

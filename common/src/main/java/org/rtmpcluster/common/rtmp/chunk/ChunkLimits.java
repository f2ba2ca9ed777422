package org.rtmpcluster.common.rtmp.chunk;

/**
 * Limits that protect a node from a peer's chunk stream. Each value caps an allocation or a table
 * whose size the peer controls.
 *
 * @param maxChunkSize     largest Set Chunk Size accepted from the peer
 * @param maxMessageLength largest message length accepted in a chunk header
 * @param maxChunkStreams  most distinct chunk stream ids one connection may use
 */
public record ChunkLimits(int maxChunkSize, int maxMessageLength, int maxChunkStreams) {

  /** Encoders use 4096 (ffmpeg) to 60000 (some hardware); 16 MiB is the protocol's 24-bit length ceiling. */
  public static final int DEFAULT_MAX_CHUNK_SIZE = 1 << 16;
  /** A 4K keyframe rarely passes 2 MB; 8 MiB leaves room and caps what one message may pin in memory. */
  public static final int DEFAULT_MAX_MESSAGE_LENGTH = 8 << 20;
  /** Real clients use fewer than ten (2 control, 3 commands, 4-8 media); 64 leaves room. */
  public static final int DEFAULT_MAX_CHUNK_STREAMS = 64;

  public static final ChunkLimits DEFAULT =
      new ChunkLimits(DEFAULT_MAX_CHUNK_SIZE, DEFAULT_MAX_MESSAGE_LENGTH, DEFAULT_MAX_CHUNK_STREAMS);

  public ChunkLimits {
    if (maxChunkSize < 128 || maxMessageLength < 1 || maxChunkStreams < 3) {
      throw new IllegalArgumentException("chunk limits too small: " + maxChunkSize + ", "
          + maxMessageLength + ", " + maxChunkStreams);
    }
  }
}

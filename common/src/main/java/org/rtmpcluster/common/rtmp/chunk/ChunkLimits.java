package org.rtmpcluster.common.rtmp.chunk;

/**
 * Limits that protect a node from a peer's chunk stream. Each value caps an allocation or a table
 * whose size the peer controls. A declared message length is only checked against these: memory
 * is taken as the message's bytes arrive, and the bytes of all messages a connection has begun
 * and not finished count against {@code maxIncompleteBytes} (and against the node's budget).
 *
 * @param maxChunkSize                    largest Set Chunk Size accepted from the peer
 * @param maxMessageLength                largest message length accepted in a chunk header
 * @param maxChunkStreams                 most distinct chunk stream ids one connection may use
 * @param maxIncompleteBytes              bytes a publishing connection may hold in messages it
 *                                        has begun and not finished, over all its chunk streams
 * @param maxIncompleteBytesBeforePublish the same for a connection that has not asked to publish
 *                                        (its handshake, commands, a player's whole life)
 */
public record ChunkLimits(int maxChunkSize, int maxMessageLength, int maxChunkStreams,
    int maxIncompleteBytes, int maxIncompleteBytesBeforePublish) {

  /** Encoders use 4096 (ffmpeg) to 60000 (some hardware); 16 MiB is the protocol's 24-bit length ceiling. */
  public static final int DEFAULT_MAX_CHUNK_SIZE = 1 << 16;
  /** A 4K keyframe rarely passes 2 MB; 8 MiB leaves room and caps what one message may pin in memory. */
  public static final int DEFAULT_MAX_MESSAGE_LENGTH = 8 << 20;
  /** Real clients use fewer than ten (2 control, 3 commands, 4-8 media); 64 leaves room. */
  public static final int DEFAULT_MAX_CHUNK_STREAMS = 64;
  /**
   * A message of the longest length with audio and data interleaved in its chunks: an encoder has
   * one video message in flight at a time, and its other chunk streams carry small ones.
   */
  public static final int DEFAULT_MAX_INCOMPLETE_BYTES = 10 << 20;
  /**
   * Commands are a few hundred bytes (connect's object is the largest, under 1 KiB from every
   * client tried); 64 KiB is far above them, and caps what a peer that never authenticates holds.
   */
  public static final int DEFAULT_MAX_INCOMPLETE_BYTES_BEFORE_PUBLISH = 64 << 10;

  public static final ChunkLimits DEFAULT = new ChunkLimits(DEFAULT_MAX_CHUNK_SIZE,
      DEFAULT_MAX_MESSAGE_LENGTH, DEFAULT_MAX_CHUNK_STREAMS, DEFAULT_MAX_INCOMPLETE_BYTES,
      DEFAULT_MAX_INCOMPLETE_BYTES_BEFORE_PUBLISH);

  public ChunkLimits {
    if (maxChunkSize < 128 || maxMessageLength < 1 || maxChunkStreams < 3) {
      throw new IllegalArgumentException("chunk limits too small: " + maxChunkSize + ", "
          + maxMessageLength + ", " + maxChunkStreams);
    }
    if (maxIncompleteBytes < maxMessageLength) {
      throw new IllegalArgumentException("max-incomplete-bytes (" + maxIncompleteBytes
          + ") must be at least max-message-length (" + maxMessageLength
          + "), or the longest message could never arrive");
    }
    if (maxIncompleteBytesBeforePublish < 1 || maxIncompleteBytesBeforePublish > maxIncompleteBytes) {
      throw new IllegalArgumentException("max-incomplete-bytes-before-publish ("
          + maxIncompleteBytesBeforePublish + ") must be between 1 and max-incomplete-bytes ("
          + maxIncompleteBytes + ")");
    }
  }

  /** These limits with another chunk size, message length and chunk stream cap; the rest kept. */
  public ChunkLimits withSizes(int newMaxChunkSize, int newMaxMessageLength, int newMaxChunkStreams) {
    return new ChunkLimits(newMaxChunkSize, newMaxMessageLength, newMaxChunkStreams,
        Math.max(maxIncompleteBytes, newMaxMessageLength),
        Math.min(maxIncompleteBytesBeforePublish, Math.max(maxIncompleteBytes, newMaxMessageLength)));
  }

  public ChunkLimits withIncompleteBytes(int newMaxIncompleteBytes, int newBeforePublish) {
    return new ChunkLimits(maxChunkSize, maxMessageLength, maxChunkStreams, newMaxIncompleteBytes,
        newBeforePublish);
  }
}

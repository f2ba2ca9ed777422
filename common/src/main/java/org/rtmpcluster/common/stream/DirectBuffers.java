package org.rtmpcluster.common.stream;

import io.netty.buffer.UnpooledByteBufAllocator;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;

/**
 * Off-heap buffers for bytes that are written to many sockets. A heap buffer is copied into a
 * direct one by Netty on every socket write; profiling a 1000-player edge showed that copy as the
 * largest single cost. A direct buffer is written as is.
 *
 * <p>This is the project's one use of Vert.x's internal API ({@link BufferInternal}, to wrap a
 * Netty buffer); Vert.x writes such a buffer as an unreleasable slice, so it can be written any
 * number of times. The allocator uses buffers with a cleaner, so memory returns when the frame is
 * garbage collected, with no release to forget.
 */
final class DirectBuffers {
  private static final UnpooledByteBufAllocator ALLOCATOR = new UnpooledByteBufAllocator(true, true, false);

  private DirectBuffers() {
  }

  /** An empty off-heap buffer to append to; it grows past {@code capacity} if it must. */
  static Buffer allocate(int capacity) {
    return BufferInternal.buffer(ALLOCATOR.directBuffer(capacity));
  }
}

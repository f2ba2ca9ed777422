package org.rtmpcluster.common.stream;

import io.netty.buffer.PoolArenaMetric;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The direct memory that frames are chunked into for players: one pool for the node, so that a
 * frame's bytes go back to it the moment no stream and no socket holds them, and are reused.
 *
 * <p>A heap buffer would be copied into direct memory by Netty on every socket write, which at a
 * thousand players was the largest single cost. A direct buffer freed by the garbage collector
 * (as these were before) is freed only when a collection happens to find it unused: with a small
 * heap that churns little, hundreds of megabytes of dead frames piled up, the process grew to
 * gigabytes, and with {@code -XX:MaxDirectMemorySize} set, allocation failed while the memory
 * was garbage. Pooled, every byte is accounted for: {@link MediaFrame} holds its buffer while a
 * stream does, each socket write holds a reference until written, and the last release returns
 * it. This is, with {@code ConnectionWriter}, the project's use of Netty buffers under Vert.x.
 */
public final class WireBuffers {
  private static final PooledByteBufAllocator POOL = new PooledByteBufAllocator(true);
  private static final AtomicLong held = new AtomicLong();
  private static final AtomicLong blocksHeld = new AtomicLong();

  private WireBuffers() {
  }

  /** An empty pooled buffer to append to; it grows past {@code capacity} if it must. */
  static Buffer allocate(int capacity) {
    held.incrementAndGet();
    return BufferInternal.buffer(POOL.directBuffer(capacity));
  }

  /**
   * A block of a {@link StreamLog}, of exactly {@code capacity} bytes; the log releases it when it
   * forgets the block, and sockets still writing from it hold it until they are done.
   */
  static ByteBuf block(int capacity) {
    blocksHeld.incrementAndGet();
    return POOL.directBuffer(capacity, capacity);
  }

  /** A log forgets a block: it returns to the pool once no socket writes from it. */
  static void releaseBlock(ByteBuf block) {
    blocksHeld.decrementAndGet();
    block.release();
  }

  /** Blocks that stream logs hold: it comes back to 0 when no stream is played. */
  public static long heldByLogs() {
    return blocksHeld.get();
  }

  /** Gives back a frame's reference; the memory returns to the pool once sockets are done with it. */
  static void release(Buffer buffer) {
    held.decrementAndGet();
    ((BufferInternal) buffer).unwrap().release();
  }

  /** Frames' buffers that their frames still hold: it comes back to 0 when no stream has frames. */
  public static long heldByFrames() {
    return held.get();
  }

  /** Direct memory the pool has taken from the system, whether in use or free for reuse. */
  public static long poolBytes() {
    return POOL.metric().usedDirectMemory();
  }

  /** Direct memory of the pool in use now: chunks that frames or sockets hold. */
  public static long activeBytes() {
    long active = 0;
    for (PoolArenaMetric arena : POOL.metric().directArenas()) {
      active += arena.numActiveBytes();
    }
    return active;
  }
}

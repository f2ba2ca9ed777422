package org.rtmpcluster.common.stream;

import io.netty.buffer.PoolArenaMetric;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The direct memory players' bytes are chunked into: the blocks of the {@link StreamLog}s, from
 * one pool for the node, so that a block goes back to it the moment no log and no socket holds
 * it, and is reused.
 *
 * <p>A heap buffer would be copied into direct memory by Netty on every socket write, which at a
 * thousand players was the largest single cost. A direct buffer freed by the garbage collector
 * (as frames' chunks once were) is freed only when a collection happens to find it unused: with a
 * small heap that churns little, hundreds of megabytes of dead chunks piled up, the process grew
 * to gigabytes, and with {@code -XX:MaxDirectMemorySize} set, allocation failed while the memory
 * was garbage. Pooled, every byte is accounted for: a log holds its blocks while its players may
 * still read them, each socket write holds a reference until written, and the last release
 * returns it. This is, with {@code ConnectionWriter}, the project's use of Netty buffers under
 * Vert.x.
 */
public final class WireBuffers {
  private static final PooledByteBufAllocator POOL = new PooledByteBufAllocator(true);
  private static final AtomicLong blocksHeld = new AtomicLong();

  private WireBuffers() {
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

  /** Direct memory the pool has taken from the system, whether in use or free for reuse. */
  public static long poolBytes() {
    return POOL.metric().usedDirectMemory();
  }

  /** Direct memory of the pool in use now: blocks that logs or sockets hold. */
  public static long activeBytes() {
    long active = 0;
    for (PoolArenaMetric arena : POOL.metric().directArenas()) {
      active += arena.numActiveBytes();
    }
    return active;
  }
}

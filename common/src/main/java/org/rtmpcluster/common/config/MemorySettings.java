package org.rtmpcluster.common.config;

import org.rtmpcluster.common.memory.MemoryLimits;

/**
 * The node's memory budgets (config section {@code memory}), shared by all its connections. A
 * budget is what the node may hold on its peers' behalf; once spent, the node turns down what
 * would need more (the connection that asks is closed, new players are refused, players that are
 * behind skip video) instead of running out of memory. 0 sizes a budget from the JVM's limits.
 *
 * @param incompleteBytes bytes all connections may hold in messages they have begun to send and
 *                        not finished (0: an eighth of the maximum heap)
 * @param directBytes     direct memory the node may hold for what it sends: frames chunked for
 *                        players (each counted once, however many players share it), what sockets
 *                        have queued, Netty's buffers (0: three quarters of the direct limit)
 */
public record MemorySettings(long incompleteBytes, long directBytes) {

  public static final MemorySettings DEFAULT = new MemorySettings(0, 0);

  static MemorySettings read(ConfigReader r) {
    MemorySettings settings = new MemorySettings(
        r.whole("incomplete-bytes", 0, 0, 1L << 40),
        r.whole("direct-bytes", 0, 0, 1L << 40));
    r.rejectUnknownKeys();
    return settings;
  }

  /**
   * Messages in progress are heap buffers. An eighth of the heap leaves the rest for what the node
   * must hold (GOP caches, frames in flight); publishers hold a message at a time, so this is
   * thousands of publishers' worth.
   */
  public long effectiveIncompleteBytes() {
    return incompleteBytes > 0 ? incompleteBytes : MemoryLimits.maxHeapBytes() / 8;
  }

  /**
   * Players' bytes are direct memory, and past the JVM's limit an allocation fails: a quarter of
   * the limit is left for a burst (players joining with a GOP each) while the node sheds load.
   */
  public long effectiveDirectBytes() {
    return directBytes > 0 ? directBytes : MemoryLimits.maxDirectBytes() / 4 * 3;
  }
}

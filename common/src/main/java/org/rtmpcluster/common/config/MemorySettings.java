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
 * @param queuedBytes     bytes queued for all players and not yet taken by their sockets
 *                        (0: a quarter of the maximum direct memory)
 */
public record MemorySettings(long incompleteBytes, long queuedBytes) {

  public static final MemorySettings DEFAULT = new MemorySettings(0, 0);

  static MemorySettings read(ConfigReader r) {
    MemorySettings settings = new MemorySettings(
        r.whole("incomplete-bytes", 0, 0, 1L << 40),
        r.whole("queued-bytes", 0, 0, 1L << 40));
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
   * Players' queues hold chunks in direct memory, many of them shared by all the players of a
   * stream, so the sum of the queues overstates the memory they hold; a quarter of the limit keeps
   * even that sum well inside it.
   */
  public long effectiveQueuedBytes() {
    return queuedBytes > 0 ? queuedBytes : MemoryLimits.maxDirectBytes() / 4;
  }
}

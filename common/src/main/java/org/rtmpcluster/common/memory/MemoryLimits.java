package org.rtmpcluster.common.memory;

import com.sun.management.HotSpotDiagnosticMXBean;
import io.netty.util.internal.PlatformDependent;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;

/**
 * The heap and direct-memory limits this JVM runs with, from which the node's default budgets are
 * sized. Direct memory holds the chunks written to players; with no {@code -XX:MaxDirectMemorySize}
 * the JVM allows as much as the maximum heap.
 */
public final class MemoryLimits {
  private MemoryLimits() {
  }

  public static long maxHeapBytes() {
    return Runtime.getRuntime().maxMemory();
  }

  public static long maxDirectBytes() {
    long configured = directMemoryOption();
    return configured > 0 ? configured : maxHeapBytes();
  }

  /**
   * Direct memory taken now: the JVM's direct buffers (its "direct" buffer pool) and what Netty
   * allocates past them for its pools. Both count against the limit. A pool keeps what it took
   * for reuse, so this is at least what is in use.
   */
  public static long directUsedBytes() {
    long jvm = 0;
    for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
      if (pool.getName().equals("direct")) {
        jvm = pool.getMemoryUsed();
      }
    }
    return jvm + Math.max(0, PlatformDependent.usedDirectMemory());
  }

  /** Whether {@code -XX:MaxDirectMemorySize} was given, rather than the JVM's default. */
  public static boolean directMemorySet() {
    return directMemoryOption() > 0;
  }

  private static long directMemoryOption() {
    try {
      HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
      return hotspot == null ? 0 : Long.parseLong(hotspot.getVMOption("MaxDirectMemorySize").getValue());
    } catch (RuntimeException notHotSpot) {
      return 0;
    }
  }

  /** For log lines: 1536 MiB, 24 GiB. */
  public static String describe(long bytes) {
    if (bytes >= 10L << 30) {
      return (bytes >> 30) + " GiB";
    }
    return (bytes >> 20) + " MiB";
  }
}

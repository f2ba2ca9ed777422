package org.rtmpcluster.bench;

import java.lang.management.ManagementFactory;

/** What the load tools put in their summaries: figures rounded for people, and their own CPU. */
final class Figures {
  private Figures() {
  }

  /** {@code value} to {@code places} decimals; NaN and infinities are kept as they are. */
  static double round(double value, int places) {
    if (!Double.isFinite(value)) {
      return value;
    }
    double scale = Math.pow(10, places);
    return Math.round(value * scale) / scale;
  }

  /** CPU time this JVM (the load tool itself) has used, in nanoseconds. */
  static long ownCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }
}

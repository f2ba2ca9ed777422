package org.rtmpcluster.common.rtmp.session;

/**
 * How long players' media waits for its flush on one event loop. Each flush is a send system call
 * per player, and on a loaded node those sends are most of the cost (docs/performance.md): merging
 * more frames into one send is cheaper, but every millisecond of wait is delay a viewer gets.
 * So the wait follows the load: a loop with few connections flushes at the end of each task, one
 * with more waits longer, up to {@code rtmp.write-coalesce-ms}:
 *
 * <pre>
 *   wait = max × min(1, max(connections / fullAtConnections, lag / max))
 * </pre>
 *
 * A loop whose timers fire late (its lag) is already making players wait; merging up to that long
 * costs them nothing more and gives the loop back the time it is short of.
 *
 * @param maxMs             {@code rtmp.write-coalesce-ms}: the longest wait, 0 for none ever
 * @param fullAtConnections {@code rtmp.write-coalesce-full-at-connections}
 */
record WriteWindow(int maxMs, int fullAtConnections) {

  WriteWindow {
    if (maxMs < 0 || fullAtConnections < 1) {
      throw new IllegalArgumentException("maxMs " + maxMs + ", fullAtConnections " + fullAtConnections);
    }
  }

  /** The wait in milliseconds for a loop with that many connections and that lag; 0: flush this task. */
  long waitMs(int connections, long lagMs) {
    if (maxMs == 0) {
      return 0;
    }
    double load = Math.max((double) connections / fullAtConnections, (double) lagMs / maxMs);
    return Math.round(maxMs * Math.min(1.0, load));
  }
}

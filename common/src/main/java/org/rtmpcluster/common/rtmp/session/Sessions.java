package org.rtmpcluster.common.rtmp.session;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The RTMP publishes and plays going on on a node now, over plain RTMP and over RTMPS, counted
 * when they start and end (never per frame), for operators. One connection may hold several.
 */
public final class Sessions {
  /** What a session does. */
  public enum Role { PUBLISH, PLAY }

  private final AtomicInteger[] counts = {
      new AtomicInteger(), new AtomicInteger(), new AtomicInteger(), new AtomicInteger()};

  void started(Role role, boolean tls) {
    counts[index(role, tls)].incrementAndGet();
  }

  void ended(Role role, boolean tls) {
    counts[index(role, tls)].decrementAndGet();
  }

  /** Sessions of {@code role} now, over RTMPS when {@code tls}, else over plain RTMP. */
  public int count(Role role, boolean tls) {
    return counts[index(role, tls)].get();
  }

  private static int index(Role role, boolean tls) {
    return role.ordinal() * 2 + (tls ? 1 : 0);
  }
}

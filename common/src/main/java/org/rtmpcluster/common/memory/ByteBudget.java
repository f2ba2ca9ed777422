package org.rtmpcluster.common.memory;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A number of bytes that many holders share, such as every connection of a node: a holder
 * reserves before it allocates and releases what it frees. A reservation that would pass the
 * limit is refused, and the holder decides what to do without the memory (close, skip, refuse).
 * Thread-safe, lock-free.
 */
public final class ByteBudget {
  private final String name;
  private final long limit;
  private final AtomicLong used = new AtomicLong();
  private final AtomicLong refusals = new AtomicLong();

  public ByteBudget(String name, long limit) {
    if (limit < 0) {
      throw new IllegalArgumentException(name + ": limit " + limit);
    }
    this.name = name;
    this.limit = limit;
  }

  /** A budget no reservation can exhaust, for tools and tests that need none. */
  public static ByteBudget unlimited(String name) {
    return new ByteBudget(name, Long.MAX_VALUE);
  }

  /** Reserves {@code bytes}, or reserves nothing and returns false when that would pass the limit. */
  public boolean tryReserve(long bytes) {
    long now;
    do {
      now = used.get();
      if (bytes > limit - now) {
        refusals.incrementAndGet();
        return false;
      }
    } while (!used.compareAndSet(now, now + bytes));
    return true;
  }

  /** Gives back bytes a {@link #tryReserve} took. */
  public void release(long bytes) {
    used.addAndGet(-bytes);
  }

  public String name() {
    return name;
  }

  public long limit() {
    return limit;
  }

  public long used() {
    return used.get();
  }

  /** Reservations refused so far: how often the budget was the reason something was turned down. */
  public long refusals() {
    return refusals.get();
  }

  @Override
  public String toString() {
    return name + " " + used.get() + " of " + limit + " bytes";
  }
}

package org.rtmpcluster.common.rtmp.session;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Publishes, plays and connects a node turned down, by protocol and reason, for operators. The
 * reasons are the status codes players and encoders are sent (NetStream.Publish.BadName,
 * NetStream.Play.Failed, ...) or, over HTTP, the status (403, 503): constants of this code, never
 * text a peer sent, so the set of counters stays small.
 */
public final class Refusals {
  /** One kind of refusal: its protocol ("rtmp", "http-flv", "ws-flv", "hls") and reason. */
  public record Kind(String protocol, String reason) implements Comparable<Kind> {
    @Override
    public int compareTo(Kind other) {
      int byProtocol = protocol.compareTo(other.protocol);
      return byProtocol != 0 ? byProtocol : reason.compareTo(other.reason);
    }
  }

  private final Map<Kind, AtomicLong> counts = new ConcurrentHashMap<>();

  public void count(String protocol, String reason) {
    counts.computeIfAbsent(new Kind(protocol, reason), k -> new AtomicLong()).incrementAndGet();
  }

  /** How many refusals of {@code kind} there were. */
  public long count(Kind kind) {
    AtomicLong count = counts.get(kind);
    return count == null ? 0 : count.get();
  }

  /** Every kind seen so far, with its count. */
  public Map<Kind, Long> snapshot() {
    Map<Kind, Long> snapshot = new TreeMap<>();
    counts.forEach((kind, count) -> snapshot.put(kind, count.get()));
    return snapshot;
  }
}

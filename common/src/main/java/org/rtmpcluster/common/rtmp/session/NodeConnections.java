package org.rtmpcluster.common.rtmp.session;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;
import org.rtmpcluster.common.config.RtmpSettings;
import org.rtmpcluster.common.memory.ByteBudget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every RTMP connection of the node, whichever event loop holds it: the node-wide connection
 * limits, the counters operators read, and the per-loop {@link ConnectionRegistry registries}.
 * Thread-safe: each loop admits and counts its own connections here.
 */
public final class NodeConnections {
  private static final Logger log = LoggerFactory.getLogger(NodeConnections.class);
  private final RtmpSettings settings;
  private final ByteBudget incompleteMessages;
  private final long directBudgetBytes;
  private final LongSupplier directUsed;
  private volatile long directUsedBytes;
  private volatile boolean overDirectBudget;
  private final List<ConnectionRegistry> registries = new CopyOnWriteArrayList<>();
  private final AtomicInteger total = new AtomicInteger();
  private final ConcurrentHashMap<String, Integer> perHost = new ConcurrentHashMap<>();
  private final AtomicLong protocolErrors = new AtomicLong();
  private final Refusals refusals = new Refusals();
  private final Sessions sessions = new Sessions();
  private final AtomicLong timeouts = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong bytesIn = new AtomicLong();
  /** Added to by every loop at every write: striped, so that loops do not contend for one line. */
  private final LongAdder bytesOut = new LongAdder();
  private volatile BiConsumer<String, String> closeListener = (remote, reason) -> { };

  /**
   * @param incompleteMessages the bytes all connections may hold in messages they have begun and
   *                           not finished
   * @param directBudgetBytes  the direct memory the node may hold before it counts as over its
   *                           budget ({@code memory.direct-bytes})
   * @param directUsed         the direct memory the node holds now
   */
  public NodeConnections(RtmpSettings settings, ByteBudget incompleteMessages, long directBudgetBytes,
      LongSupplier directUsed) {
    this.settings = settings;
    this.incompleteMessages = incompleteMessages;
    this.directBudgetBytes = directBudgetBytes;
    this.directUsed = directUsed;
  }

  /** The event loops' registries, for their load figures. */
  public List<ConnectionRegistry> registries() {
    return List.copyOf(registries);
  }

  /** Bytes queued for every connection of the node, as the loops last sampled them. */
  public long queuedBytes() {
    long queued = 0;
    for (ConnectionRegistry registry : registries) {
      queued += registry.queuedBytes();
    }
    return queued;
  }

  public long directBudgetBytes() {
    return directBudgetBytes;
  }

  /** The direct memory the node held at the last sample. */
  public long directUsedBytes() {
    return directUsedBytes;
  }

  /**
   * Whether the direct memory the node holds passed {@code memory.direct-bytes} at the last
   * sample: new players are refused and players that are behind skip video until it is not.
   */
  public boolean overDirectBudget() {
    return overDirectBudget;
  }

  /** A loop sampled its load (every 100 ms): the node's budget state is worked out again. */
  void loadSampled() {
    long used = directUsed.getAsLong();
    directUsedBytes = used;
    boolean over = used > directBudgetBytes;
    if (over != overDirectBudget) {
      overDirectBudget = over;
      if (over) {
        log.warn("{} bytes of direct memory held for players, over the budget of {} (memory.direct-bytes): "
            + "refusing new players, players that are behind skip video; {} bytes queued for sockets",
            used, directBudgetBytes, queuedBytes());
      } else {
        log.info("direct memory back under the budget of {}", directBudgetBytes);
      }
    }
  }


  /** What every connection's chunk decoder reserves the messages it assembles from. */
  public ByteBudget incompleteMessages() {
    return incompleteMessages;
  }

  public RtmpSettings settings() {
    return settings;
  }

  void add(ConnectionRegistry registry) {
    registries.add(registry);
  }

  void remove(ConnectionRegistry registry) {
    registries.remove(registry);
  }

  /**
   * Takes a slot for a connection from {@code host}, or returns why not (node or per-address
   * limit). RTMP, RTMPS and HTTP playback connections all take one.
   */
  public String admit(String host) {
    if (total.incrementAndGet() > settings.maxConnections()) {
      total.decrementAndGet();
      refused.incrementAndGet();
      return "node holds its maximum of " + settings.maxConnections() + " connections";
    }
    boolean[] admitted = {false};
    perHost.compute(host, (h, held) -> {
      int count = held == null ? 0 : held;
      if (count >= settings.maxConnectionsPerIp()) {
        return held;
      }
      admitted[0] = true;
      return count + 1;
    });
    if (!admitted[0]) {
      total.decrementAndGet();
      refused.incrementAndGet();
      return host + " holds its maximum of " + settings.maxConnectionsPerIp() + " connections";
    }
    return null;
  }

  /** Gives back the slot {@link #admit} took. */
  public void release(String host) {
    total.decrementAndGet();
    perHost.computeIfPresent(host, (h, held) -> held <= 1 ? null : held - 1);
  }

  /** Ends every connection politely, each on its own event loop (see {@link ConnectionRegistry#drainAll}). */
  public void drainAll(String reason) {
    for (ConnectionRegistry registry : registries) {
      registry.context().runOnContext(v -> registry.drainAll(reason));
    }
  }

  /**
   * Receives the remote address and the reason each time the node closes a connection: the same
   * event as the "closing" log line, once per connection. For tests and metrics; it runs on the
   * connection's event loop, so it must be quick and thread-safe. Connections the peer closes are
   * not reported.
   */
  public void closeListener(BiConsumer<String, String> listener) {
    closeListener = listener == null ? (remote, reason) -> { } : listener;
  }

  void closing(String remote, String reason) {
    closeListener.accept(remote, reason);
  }

  /** Connections the node holds now, on all its event loops. */
  public int size() {
    return total.get();
  }

  /** Publishes, plays and connects turned down, over RTMP and HTTP. */
  public Refusals refusals() {
    return refusals;
  }

  /** RTMP publishes and plays going on now. */
  public Sessions sessions() {
    return sessions;
  }

  void countProtocolError() {
    protocolErrors.incrementAndGet();
  }

  void countTimeout() {
    timeouts.incrementAndGet();
  }

  void countBytesIn(int bytes) {
    bytesIn.addAndGet(bytes);
  }

  void countBytesOut(int bytes) {
    bytesOut.add(bytes);
  }

  public long protocolErrors() {
    return protocolErrors.get();
  }

  public long timeouts() {
    return timeouts.get();
  }

  public long refused() {
    return refused.get();
  }

  /** Bytes read from every RTMP connection, handshake included, as {@link #bytesOut} counts writes. */
  public long bytesIn() {
    return bytesIn.get();
  }

  public long bytesOut() {
    return bytesOut.sum();
  }
}

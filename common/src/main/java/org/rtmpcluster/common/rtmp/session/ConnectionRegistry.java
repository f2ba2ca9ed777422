package org.rtmpcluster.common.rtmp.session;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import org.rtmpcluster.common.config.RtmpSettings;

/**
 * The node's RTMP connections: admission against the connection limits, one timer for every
 * connection's timeouts and pings (instead of timers per connection), and the counters operators
 * read. Used from one event loop.
 */
public final class ConnectionRegistry {
  private final Vertx vertx;
  private final RtmpSettings settings;
  private final Set<RtmpConnection> connections = new LinkedHashSet<>();
  private final Map<String, Integer> perHost = new HashMap<>();
  private final Map<RtmpConnection, String> hostOf = new HashMap<>();
  private final AtomicLong protocolErrors = new AtomicLong();
  private final AtomicLong timeouts = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong bytesIn = new AtomicLong();
  private final AtomicLong bytesOut = new AtomicLong();
  private long timer = -1;
  private final Context context;
  private final ArrayList<RtmpConnection> toFlush = new ArrayList<>();
  private boolean flushTaskScheduled;
  private volatile BiConsumer<String, String> closeListener = (remote, reason) -> { };

  /** Create it on the event loop that owns the connections. */
  public ConnectionRegistry(Vertx vertx, RtmpSettings settings) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.settings = settings;
  }

  /** Starts the once-a-second sweep; call on the event loop that owns the connections. */
  public void start() {
    long period = Math.max(50, Math.min(1000, Math.min(settings.pingIntervalMs(),
        Math.min(settings.handshakeTimeoutMs(), settings.idleTimeoutMs())) / 2));
    timer = vertx.setPeriodic(period, id -> sweep());
  }

  public void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }

  long nowMs() {
    return System.currentTimeMillis();
  }

  /** Admits a connection, or returns why not (node or per-address limit). */
  public String admit(RtmpConnection connection) {
    String host = connection.remoteHost();
    if (connections.size() >= settings.maxConnections()) {
      refused.incrementAndGet();
      return "node holds its maximum of " + settings.maxConnections() + " connections";
    }
    int fromHost = perHost.getOrDefault(host, 0);
    if (fromHost >= settings.maxConnectionsPerIp()) {
      refused.incrementAndGet();
      return host + " holds its maximum of " + settings.maxConnectionsPerIp() + " connections";
    }
    connections.add(connection);
    perHost.put(host, fromHost + 1);
    hostOf.put(connection, host);
    return null;
  }

  void unregister(RtmpConnection connection) {
    if (connections.remove(connection)) {
      String host = hostOf.remove(connection);
      perHost.computeIfPresent(host, (h, n) -> n <= 1 ? null : n - 1);
    }
  }

  /** Ends every connection politely (players get StreamEOF, publishers a status), then closes it. */
  public void drainAll(String reason) {
    for (RtmpConnection connection : connections.toArray(new RtmpConnection[0])) {
      connection.drain(reason);
    }
  }

  /**
   * Flushes the connection once the current event-loop task is over (or, with
   * {@code rtmp.write-coalesce-ms}, that much later), together with every other connection written
   * to meanwhile: one write system call then carries several messages.
   */
  void flushSoon(RtmpConnection connection) {
    toFlush.add(connection);
    if (!flushTaskScheduled) {
      flushTaskScheduled = true;
      if (settings.writeCoalesceMs() > 0) {
        vertx.setTimer(settings.writeCoalesceMs(), id -> flushAll());
      } else {
        context.runOnContext(v -> flushAll());
      }
    }
  }

  private void flushAll() {
    flushTaskScheduled = false;
    for (int i = 0; i < toFlush.size(); i++) {
      toFlush.get(i).flush();
    }
    toFlush.clear();
  }

  private void sweep() {
    long now = nowMs();
    for (RtmpConnection connection : connections.toArray(new RtmpConnection[0])) {
      connection.checkTimers(now);
    }
  }

  /**
   * Receives the remote address and the reason each time the node closes a connection: the same
   * event as the "closing" log line, once per connection. For tests and metrics; it runs on the
   * event loop, so it must be quick. Connections the peer closes are not reported.
   */
  public void closeListener(BiConsumer<String, String> listener) {
    closeListener = listener == null ? (remote, reason) -> { } : listener;
  }

  void closing(RtmpConnection connection, String reason) {
    closeListener.accept(connection.remote(), reason);
  }

  public int size() {
    return connections.size();
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
    bytesOut.addAndGet(bytes);
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
    return bytesOut.get();
  }
}

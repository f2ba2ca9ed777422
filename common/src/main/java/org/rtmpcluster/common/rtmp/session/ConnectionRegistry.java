package org.rtmpcluster.common.rtmp.session;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.rtmpcluster.common.config.RtmpSettings;
import org.rtmpcluster.common.memory.ByteBudget;
import org.rtmpcluster.common.stream.StreamLog;

/**
 * The RTMP connections of one event loop: admission against the node's limits (kept by
 * {@link NodeConnections}), one timer for every connection's timeouts and pings (instead of timers
 * per connection), the flush windows of players' writes, and the loop's load: the bytes queued for
 * its connections and how late its timers fire (its lag). Used from that event loop only, but for
 * the load figures, which any thread may read.
 */
public final class ConnectionRegistry implements ConnectionWriter.Flushes, StreamLog.Drains {
  private final Vertx vertx;
  private final RtmpSettings settings;
  private final NodeConnections node;
  private final Set<RtmpConnection> connections = new LinkedHashSet<>();
  private final Map<RtmpConnection, String> hostOf = new HashMap<>();
  private long timer = -1;
  private final Context context;
  private final ArrayList<ConnectionWriter> toFlushPromptly = new ArrayList<>();
  private final ArrayList<ConnectionWriter> toFlushSoon = new ArrayList<>();
  private final ArrayList<StreamLog> toDrain = new ArrayList<>();
  private boolean promptFlushScheduled;
  private boolean windowFlushScheduled;
  /** The load is measured this often; a timer that fires late by more says the loop is busy. */
  static final long SAMPLE_MS = 100;
  /** Samples of lag kept for the maximum operators see: the last 10 s. */
  private static final int LAG_SAMPLES = 100;
  private final long[] lagSamples = new long[LAG_SAMPLES];
  private int lagIndex;
  private long sampleDueNanos;
  private long sampleTimer = -1;
  private volatile long queuedBytes;
  /** The loop's connection count, for readers on other threads. */
  private volatile int size;
  private volatile long lagMs;
  private volatile long maxLagMs;
  private final WriteWindow window;
  private volatile long currentWaitMs;

  /** Create it on the event loop that owns the connections. */
  public ConnectionRegistry(Vertx vertx, NodeConnections node) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.node = node;
    this.settings = node.settings();
    this.window = new WriteWindow(settings.writeCoalesceMs(), settings.writeCoalesceFullAtConnections());
  }

  /** Starts the once-a-second sweep; call on the event loop that owns the connections. */
  public void start() {
    node.add(this);
    long period = Math.max(50, Math.min(1000, Math.min(settings.pingIntervalMs(),
        Math.min(settings.handshakeTimeoutMs(), settings.idleTimeoutMs())) / 2));
    timer = vertx.setPeriodic(period, id -> sweep());
    scheduleSample();
  }

  public void stop() {
    node.remove(this);
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
    if (sampleTimer >= 0) {
      vertx.cancelTimer(sampleTimer);
      sampleTimer = -1;
    }
  }

  /** A timer of its own, each set when the last fired, so that how late each fires is this loop's lag. */
  private void scheduleSample() {
    sampleDueNanos = System.nanoTime() + SAMPLE_MS * 1_000_000;
    sampleTimer = vertx.setTimer(SAMPLE_MS, id -> sample());
  }

  private void sample() {
    long lag = Math.max(0, (System.nanoTime() - sampleDueNanos) / 1_000_000);
    lagSamples[lagIndex] = lag;
    lagIndex = (lagIndex + 1) % LAG_SAMPLES;
    long max = 0;
    for (long sampled : lagSamples) {
      max = Math.max(max, sampled);
    }
    lagMs = lag;
    maxLagMs = max;
    long queued = 0;
    for (RtmpConnection connection : connections) {
      queued += connection.queuedBytes();
    }
    queuedBytes = queued;
    node.loadSampled();
    scheduleSample();
  }

  /** Bytes queued for this loop's connections at the last sample. */
  public long queuedBytes() {
    return queuedBytes;
  }

  /** How late this loop's last load sample ran: the time a task waits for the loop now. */
  public long lagMs() {
    return lagMs;
  }

  /** The largest lag of the last 10 s. */
  public long maxLagMs() {
    return maxLagMs;
  }

  Context context() {
    return context;
  }

  ByteBudget incompleteMessages() {
    return node.incompleteMessages();
  }

  long nowMs() {
    return System.currentTimeMillis();
  }

  /** Admits a connection, or returns why not (node or per-address limit). */
  public String admit(RtmpConnection connection) {
    String host = connection.remoteHost();
    String refusal = node.admit(host);
    if (refusal == null) {
      connections.add(connection);
      hostOf.put(connection, host);
      size = connections.size();
    }
    return refusal;
  }

  void unregister(RtmpConnection connection) {
    if (connections.remove(connection)) {
      size = connections.size();
      node.release(hostOf.remove(connection));
    }
  }

  /** Ends every connection politely (players get StreamEOF, publishers a status), then closes it. */
  public void drainAll(String reason) {
    for (RtmpConnection connection : connections.toArray(new RtmpConnection[0])) {
      connection.drain(reason);
    }
  }

  /**
   * Flushes the writer once the current event-loop task is over, together with every other writer
   * written to meanwhile: commands and control messages go out without waiting, and one write
   * system call carries what a task wrote.
   */
  @Override
  public void flushPromptly(ConnectionWriter writer) {
    toFlushPromptly.add(writer);
    if (!promptFlushScheduled) {
      promptFlushScheduled = true;
      context.runOnContext(v -> {
        promptFlushScheduled = false;
        flushAll(toFlushPromptly);
      });
    }
  }

  /**
   * Flushes the writer within this loop's write window (see {@link WriteWindow}: at the end of the
   * current task on a quiet loop, up to {@code rtmp.write-coalesce-ms} later on a loaded one),
   * together with every writer written to meanwhile: one write system call then carries several
   * media messages.
   */
  @Override
  public void flushSoon(ConnectionWriter writer) {
    toFlushSoon.add(writer);
    scheduleWindow();
  }

  /**
   * Drains the log's players at the end of this loop's write window: each gets what the log took
   * in meanwhile in one write, flushed with everything else written in the window.
   */
  @Override
  public void drainSoon(StreamLog log) {
    toDrain.add(log);
    scheduleWindow();
  }

  private void scheduleWindow() {
    if (windowFlushScheduled) {
      return;
    }
    windowFlushScheduled = true;
    long waitMs = window.waitMs(connections.size(), lagMs);
    currentWaitMs = waitMs;
    if (waitMs == 0) {
      context.runOnContext(v -> endWindow());
    } else {
      vertx.setTimer(waitMs, id -> endWindow());
    }
  }

  /** Logs are drained first: the writes they make are flushed with the rest, in this window. */
  private void endWindow() {
    int due = toDrain.size();
    for (int i = 0; i < due; i++) {
      toDrain.get(i).drain();
    }
    // A log with a player that waits for its socket asks again, for the next window.
    toDrain.subList(0, due).clear();
    windowFlushScheduled = false;
    flushAll(toFlushSoon);
    if (!toDrain.isEmpty()) {
      scheduleWindow();
    }
  }

  /** The write window the loop chose last (see {@link WriteWindow}), for operators. */
  public long writeWaitMs() {
    return currentWaitMs;
  }

  private static void flushAll(ArrayList<ConnectionWriter> writers) {
    for (int i = 0; i < writers.size(); i++) {
      writers.get(i).flush();
    }
    writers.clear();
  }

  private void sweep() {
    long now = nowMs();
    for (RtmpConnection connection : connections.toArray(new RtmpConnection[0])) {
      connection.checkTimers(now);
    }
  }

  void closing(RtmpConnection connection, String reason) {
    node.closing(connection.remote(), reason);
  }

  /** Connections on this event loop. */
  /** Connections on this loop; read by operators from any thread. */
  public int size() {
    return size;
  }

  void countProtocolError() {
    node.countProtocolError();
  }

  Sessions sessions() {
    return node.sessions();
  }

  void countRefusal(String code) {
    node.refusals().count("rtmp", code);
  }

  void countTimeout() {
    node.countTimeout();
  }

  void countBytesIn(int bytes) {
    node.countBytesIn(bytes);
  }

  void countBytesOut(int bytes) {
    node.countBytesOut(bytes);
  }
}

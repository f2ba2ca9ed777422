package org.rtmpcluster.edge.cluster;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.ArrayDeque;
import java.util.function.LongSupplier;
import org.rtmpcluster.common.cluster.ClusterFrame;
import org.rtmpcluster.common.cluster.StreamAddresses;
import org.rtmpcluster.common.cluster.StreamSnapshot;
import org.rtmpcluster.common.config.ClusterSettings;
import org.rtmpcluster.common.stream.AudienceWatcher;
import org.rtmpcluster.common.stream.HomeStream;
import org.rtmpcluster.common.stream.PublisherHandle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds an edge's local copy of a stream from the cluster, while the edge has players for it: one
 * event-bus consumer per stream and node, however many players there are.
 *
 * <p>Frames carry the publisher's epoch and a gapless sequence number. A new epoch (a cold start
 * or a new publisher anywhere) is joined through a snapshot from the origin (metadata, headers,
 * current GOP, and the sequence number it reflects), spliced with the live frames that arrive
 * meanwhile. A gap means lost frames: the snapshot is asked for again and delivery resumes with
 * what follows the last delivered frame, or with the snapshot's keyframe if that is later. No
 * frames for the stall time, or an end-of-epoch frame, hand the players to the grace period; a
 * stalled epoch whose heartbeats come back is taken up again from a snapshot.
 *
 * <p>In {@link State}s: the puller starts {@code WAITING} and asks for a snapshot, which makes it
 * {@code SYNCING}; the snapshot makes it {@code LIVE}, and an ask nobody answers takes it back to
 * where it was, to ask again later. {@code LIVE} goes back to {@code SYNCING} on a gap or a new
 * epoch, to {@code WAITING} when the epoch ends, and to {@code STALLED} when it goes quiet; a
 * {@code STALLED} epoch that is heard again, or a new one, is synced again. The stream's removal
 * makes it {@code STOPPED}, for good.
 *
 * <p>Single event loop. Time is read from the clock it is given, never from the system directly:
 * Vert.x timers say when to look, the clock says what the puller sees, so that tests judge stalls
 * on a clock of their own.
 */
public final class StreamPuller implements PublisherHandle, AudienceWatcher {
  private static final Logger log = LoggerFactory.getLogger(StreamPuller.class);
  static final long SNAPSHOT_RETRY_MS = 500;
  /**
   * The longest wait between asks for a stream nobody publishes. Each ask finds no origin, which
   * costs a lookup in the cluster; a publisher that starts later is heard at once anyway through
   * its start-of-epoch frame, and the asks are only for an announcement that went out before this
   * node's consumer was known, which happens in its first moments.
   */
  static final long SNAPSHOT_RETRY_MAX_MS = 4_000;
  /**
   * Retry delay while frames of a newer epoch are held: an origin is live, only its snapshot
   * consumer has not reached this node's view of the cluster yet (it takes milliseconds), and
   * players wait for it.
   */
  static final long SNAPSHOT_RETRY_LIVE_MS = 50;

  /** Where the puller is in the life of the epoch it pulls. */
  enum State {
    /** No epoch pulled yet, or its publisher stopped: the players wait for a publisher. */
    WAITING,
    /**
     * A snapshot is on its way and the frames that come meanwhile are held. The players stay where
     * they were when it was asked for ({@code syncingFrom}): waiting, fed, or in their grace.
     */
    SYNCING,
    /** Attached to the stream as its publisher, delivering the epoch's frames in order. */
    LIVE,
    /** The epoch went quiet, not ended: the players are in their grace period, and it may come back. */
    STALLED,
    /** The stream is gone: no more frames, asks or timers. */
    STOPPED
  }

  private final Vertx vertx;
  private final HomeStream stream;
  private final ClusterSettings settings;
  private final LongSupplier clockMs;
  /** Frames that came while a snapshot is on its way, at most {@code cluster.resync-hold-bytes} of them. */
  private final ArrayDeque<ClusterFrame> pending = new ArrayDeque<>();
  private long pendingBytes;

  private MessageConsumer<ClusterFrame> consumer;
  private State state = State.WAITING;
  /**
   * While {@code SYNCING}: the state the snapshot was asked from ({@code WAITING}, {@code LIVE} or
   * {@code STALLED}), where the players stand meanwhile and where an ask nobody answers returns.
   */
  private State syncingFrom = State.WAITING;
  private long epoch = -1;
  private long lastSequence;
  private long lastFrameAtMs;
  private long stallTimer = -1;
  private long lingerTimer = -1;
  private long retryTimer = -1;
  private long retryDelayMs = SNAPSHOT_RETRY_MS;
  private long interestTimer = -1;
  private long framesReceived;
  private long gaps;
  /** Frames let go because they passed the hold bound while a snapshot was on its way. */
  private long droppedWhileSyncing;
  private final PullCounters counters;

  public StreamPuller(Vertx vertx, HomeStream stream, ClusterSettings settings) {
    this(vertx, stream, settings, new PullCounters());
  }

  /** @param counters the node's, which every puller adds to */
  public StreamPuller(Vertx vertx, HomeStream stream, ClusterSettings settings, PullCounters counters) {
    // Monotonic: a wall clock stepped by NTP would fake a stall, or hide one.
    this(vertx, stream, settings, () -> System.nanoTime() / 1_000_000, counters);
  }

  /** @param clockMs what the puller reads the time from, in ms; stalls are judged on it alone */
  StreamPuller(Vertx vertx, HomeStream stream, ClusterSettings settings, LongSupplier clockMs) {
    this(vertx, stream, settings, clockMs, new PullCounters());
  }

  private StreamPuller(Vertx vertx, HomeStream stream, ClusterSettings settings, LongSupplier clockMs,
      PullCounters counters) {
    this.vertx = vertx;
    this.stream = stream;
    this.settings = settings;
    this.clockMs = clockMs;
    this.counters = counters;
  }

  public void start() {
    consumer = vertx.eventBus().consumer(StreamAddresses.frames(stream.name()), m -> onFrame(m.body()));
    consumer.completion().onComplete(ar -> {
      if (state != State.STOPPED) {
        requestSnapshot();
      }
    });
    long checkEvery = Math.max(50, settings.streamStallMs() / 4);
    stallTimer = vertx.setPeriodic(checkEvery, id -> checkStall());
    // The origin sends media only while an edge says it pulls (see ClusterRelay): three times
    // within the time it waits.
    long interestEvery = Math.max(50, settings.streamStallMs() / 3);
    interestTimer = vertx.setPeriodic(interestEvery, id -> {
      if (saysItPulls()) {
        vertx.eventBus().send(StreamAddresses.interest(stream.name()), Buffer.buffer());
      }
    });
  }

  /** Media frames received over the event bus: one copy per node, whatever the number of players. */
  public long framesReceived() {
    return framesReceived;
  }

  public long gaps() {
    return gaps;
  }

  public long droppedWhileSyncing() {
    return droppedWhileSyncing;
  }

  public long epoch() {
    return epoch;
  }

  State state() {
    return state;
  }

  /** When the last frame came, heartbeats included, on the puller's clock. */
  long lastFrameAtMs() {
    return lastFrameAtMs;
  }

  /** How long the puller waits to ask again after its next ask that no origin answers, holding no frames. */
  long retryDelayMs() {
    return retryDelayMs;
  }

  /**
   * Whether the origin is told that this node pulls the stream: while the players are fed, and
   * while they are in a stall's grace too, so that the origin's heartbeats reach this node when the
   * two hear each other again.
   */
  boolean saysItPulls() {
    return standing() == State.LIVE || standing() == State.STALLED;
  }

  /**
   * Where the players stand: the state, or while a snapshot is on its way, the state it was asked
   * from.
   */
  private State standing() {
    return state == State.SYNCING ? syncingFrom : state;
  }

  /** Moves the players to {@code next}; a snapshot on its way stays on its way. */
  private void stand(State next) {
    if (state == State.SYNCING) {
      syncingFrom = next;
    } else {
      state = next;
    }
  }

  private void onFrame(ClusterFrame frame) {
    if (state == State.STOPPED) {
      return;
    }
    if (!frame.isControl()) {
      framesReceived++;
    }
    lastFrameAtMs = clockMs.getAsLong();
    if (frame.epoch() < epoch) {
      return;
    }
    if (state == State.SYNCING) {
      hold(frame);
      return;
    }
    if (frame.epoch() > epoch) {
      hold(frame);
      requestSnapshot();
      return;
    }
    accept(frame);
  }

  /** A frame of the current epoch, in order or not, while no snapshot is on its way. */
  private void accept(ClusterFrame frame) {
    if (frame.isEndOfEpoch()) {
      detach(State.WAITING, "its publisher stopped");
      return;
    }
    if (frame.isHeartbeat() && frame.sequence() > lastSequence && state == State.LIVE) {
      // Frames travel in order with heartbeats, so these were not sent to this node (the origin
      // thought no edge pulled the stream) or were lost.
      gaps++;
      counters.gap();
      log.warn("stream {}: frames {}..{} of epoch {} did not arrive; resyncing", stream.name(),
          lastSequence + 1, frame.sequence(), epoch);
      requestSnapshot();
      return;
    }
    if (frame.isHeartbeat() && state == State.STALLED) {
      // The origin is heard again with the same publisher (the network between the nodes came
      // back): take the stream up again while its players are still in their grace period.
      log.info("stream {}: epoch {} is heard again after a stall; resyncing", stream.name(), epoch);
      requestSnapshot();
      return;
    }
    if (frame.isControl()) {
      return;
    }
    if (frame.sequence() <= lastSequence) {
      return;
    }
    if (frame.sequence() == lastSequence + 1) {
      deliver(frame);
      return;
    }
    gaps++;
    counters.gap();
    log.warn("stream {}: frames {}..{} of epoch {} lost on the event bus; resyncing", stream.name(),
        lastSequence + 1, frame.sequence() - 1, epoch);
    hold(frame);
    requestSnapshot();
  }

  /**
   * Holds a frame until the snapshot comes. Past the bound the oldest go: the gap they leave makes
   * the puller resync once more when the snapshot is applied, rather than hold without end.
   */
  private void hold(ClusterFrame frame) {
    pending.addLast(frame);
    pendingBytes += frame.encodedLength();
    while (pendingBytes > settings.resyncHoldBytes() && pending.size() > 1) {
      pendingBytes -= pending.removeFirst().encodedLength();
      droppedWhileSyncing++;
      counters.droppedWhileSyncing();
    }
  }

  private ClusterFrame takePending() {
    ClusterFrame frame = pending.removeFirst();
    pendingBytes -= frame.encodedLength();
    return frame;
  }

  /** Asks the origin for a snapshot; the puller is {@code SYNCING} until an answer or its absence. */
  private void requestSnapshot() {
    counters.resync();
    if (state != State.SYNCING) {
      syncingFrom = state;
      state = State.SYNCING;
    }
    vertx.eventBus().request(StreamAddresses.snapshot(stream.name()), Buffer.buffer(),
        new DeliveryOptions().setSendTimeout(settings.snapshotTimeoutMs())).onComplete(ar -> {
          if (state == State.STOPPED) {
            return;
          }
          if (ar.succeeded() && ar.result().body() instanceof Buffer body) {
            applySnapshot(StreamSnapshot.decode(body));
          } else {
            endSync();
            askAgainLater();
          }
        });
  }

  /** The snapshot came, or will not: the players are where the puller stands now. */
  private void endSync() {
    if (state == State.SYNCING) {
      state = syncingFrom;
    }
  }

  /**
   * No origin answers: the stream is not live yet, or its origin is changing. Ask again soon, and
   * less often the longer nobody answers: the announcement of a new publisher may have gone out
   * before this node's subscription reached the origin.
   */
  private void askAgainLater() {
    if (retryTimer >= 0) {
      return;
    }
    long delay = pending.isEmpty() ? retryDelayMs : SNAPSHOT_RETRY_LIVE_MS;
    if (pending.isEmpty()) {
      retryDelayMs = Math.min(retryDelayMs * 2, SNAPSHOT_RETRY_MAX_MS);
    }
    retryTimer = vertx.setTimer(delay, id -> {
      retryTimer = -1;
      // A live puller with nothing held asks on its next gap, not on a timer.
      boolean ask = switch (state) {
        case WAITING, STALLED -> true;
        case LIVE -> !pending.isEmpty();
        case SYNCING, STOPPED -> false;
      };
      if (ask) {
        requestSnapshot();
      }
    });
  }

  private void applySnapshot(StreamSnapshot snapshot) {
    endSync();
    retryDelayMs = SNAPSHOT_RETRY_MS;
    if (snapshot.epoch() < epoch) {
      requestSnapshot();
      return;
    }
    lastFrameAtMs = clockMs.getAsLong();
    boolean newEpoch = snapshot.epoch() != epoch || state != State.LIVE;
    if (newEpoch) {
      epoch = snapshot.epoch();
      lastSequence = 0;
      state = State.LIVE;
      stream.attachPublisher(this);
      log.info("stream {}: pulling epoch {} from the cluster", stream.name(), epoch);
    }
    for (ClusterFrame frame : snapshot.frames()) {
      if (newEpoch || frame.sequence() > lastSequence) {
        stream.publish(this, frame.toMediaFrame());
      }
    }
    lastSequence = Math.max(lastSequence, snapshot.lastSequence());
    drainPending();
  }

  private void drainPending() {
    while (!pending.isEmpty() && state != State.SYNCING && state != State.STOPPED) {
      ClusterFrame frame = pending.peekFirst();
      if (frame.epoch() > epoch) {
        requestSnapshot();
        return;
      }
      takePending();
      if (frame.epoch() == epoch) {
        accept(frame);
      }
    }
  }

  private void deliver(ClusterFrame frame) {
    lastSequence = frame.sequence();
    if (state == State.LIVE) {
      stream.publish(this, frame.toMediaFrame());
    }
  }

  /**
   * Hands a live epoch's players to the grace period, {@code next} being {@code WAITING} (the
   * epoch ended) or {@code STALLED} (it went quiet); an epoch already let go stays as it is.
   */
  private void detach(State next, String why) {
    if (standing() != State.LIVE) {
      return;
    }
    stand(next);
    log.info("stream {}: epoch {} ended: {}", stream.name(), epoch, why);
    stream.detachPublisher(this);
  }

  /**
   * A live epoch with no frames for longer than the stall time stalls, even while a snapshot is on
   * its way. Runs every quarter of the stall time, and from tests that move the clock.
   */
  void checkStall() {
    long quietMs = clockMs.getAsLong() - lastFrameAtMs;
    if (standing() == State.LIVE && quietMs > settings.streamStallMs()) {
      detach(State.STALLED, "stalled, no frames for " + quietMs + " ms");
    }
  }

  @Override
  public void onAudienceChanged(int players) {
    if (players > 0) {
      if (lingerTimer >= 0) {
        vertx.cancelTimer(lingerTimer);
        lingerTimer = -1;
      }
      return;
    }
    if (lingerTimer < 0) {
      lingerTimer = vertx.setTimer(Math.max(1, settings.edgeLingerMs()), id -> {
        lingerTimer = -1;
        if (stream.playerCount() == 0) {
          log.info("stream {}: no players for {} ms, no longer pulling it", stream.name(), settings.edgeLingerMs());
          stream.remove();
        }
      });
    }
  }

  @Override
  public void onRemoved() {
    state = State.STOPPED;
    counters.retired(framesReceived);
    for (long timer : new long[] {stallTimer, lingerTimer, retryTimer, interestTimer}) {
      if (timer >= 0) {
        vertx.cancelTimer(timer);
      }
    }
    pending.clear();
    pendingBytes = 0;
    if (consumer != null) {
      consumer.unregister();
    }
  }

  @Override
  public void evict(String reason) {
    log.warn("stream {}: cluster feed displaced: {}", stream.name(), reason);
    if (standing() == State.LIVE) {
      stand(State.WAITING);
    }
  }

  @Override
  public String describe() {
    return "cluster feed (epoch " + epoch + ")";
  }
}

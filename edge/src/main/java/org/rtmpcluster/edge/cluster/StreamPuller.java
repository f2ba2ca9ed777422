package org.rtmpcluster.edge.cluster;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.ArrayDeque;
import org.rtmpcluster.common.cluster.ClusterFrame;
import org.rtmpcluster.common.cluster.StreamAddresses;
import org.rtmpcluster.common.cluster.StreamSnapshot;
import org.rtmpcluster.common.config.ClusterSettings;
import org.rtmpcluster.common.stream.AudienceWatcher;
import org.rtmpcluster.common.stream.LiveStream;
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

  private final Vertx vertx;
  private final LiveStream stream;
  private final ClusterSettings settings;
  /** Frames that came while a snapshot is on its way, at most {@code cluster.resync-hold-bytes} of them. */
  private final ArrayDeque<ClusterFrame> pending = new ArrayDeque<>();
  private long pendingBytes;

  private MessageConsumer<ClusterFrame> consumer;
  private boolean stopped;
  private boolean syncing;
  private boolean attached;
  /** Detached because the epoch went quiet, not because it ended: it may come back. */
  private boolean stalled;
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

  public StreamPuller(Vertx vertx, LiveStream stream, ClusterSettings settings) {
    this.vertx = vertx;
    this.stream = stream;
    this.settings = settings;
  }

  public void start() {
    consumer = vertx.eventBus().consumer(StreamAddresses.frames(stream.name()), m -> onFrame(m.body()));
    consumer.completion().onComplete(ar -> {
      if (!stopped) {
        requestSnapshot();
      }
    });
    long checkEvery = Math.max(50, settings.streamStallMs() / 4);
    stallTimer = vertx.setPeriodic(checkEvery, id -> checkStall());
    // The origin sends media only while an edge says it pulls (see ClusterRelay): three times
    // within the time it waits. A stalled puller says so too, so that the origin's heartbeats
    // reach it when the two hear each other again.
    long interestEvery = Math.max(50, settings.streamStallMs() / 3);
    interestTimer = vertx.setPeriodic(interestEvery, id -> {
      if (attached || stalled) {
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

  private void onFrame(ClusterFrame frame) {
    if (stopped) {
      return;
    }
    if (!frame.isControl()) {
      framesReceived++;
    }
    lastFrameAtMs = System.currentTimeMillis();
    if (frame.epoch() < epoch) {
      return;
    }
    if (syncing || frame.epoch() > epoch) {
      hold(frame);
      if (!syncing) {
        requestSnapshot();
      }
      return;
    }
    accept(frame);
  }

  /** A frame of the current epoch, in order or not. */
  private void accept(ClusterFrame frame) {
    if (frame.isEndOfEpoch()) {
      endEpoch("its publisher stopped");
      return;
    }
    if (frame.isHeartbeat() && frame.sequence() > lastSequence && attached) {
      // Frames travel in order with heartbeats, so these were not sent to this node (the origin
      // thought no edge pulled the stream) or were lost.
      gaps++;
      log.warn("stream {}: frames {}..{} of epoch {} did not arrive; resyncing", stream.name(),
          lastSequence + 1, frame.sequence(), epoch);
      requestSnapshot();
      return;
    }
    if (frame.isHeartbeat() && stalled && !syncing) {
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
    }
  }

  private ClusterFrame takePending() {
    ClusterFrame frame = pending.removeFirst();
    pendingBytes -= frame.encodedLength();
    return frame;
  }

  private void requestSnapshot() {
    syncing = true;
    vertx.eventBus().request(StreamAddresses.snapshot(stream.name()), Buffer.buffer(),
        new DeliveryOptions().setSendTimeout(settings.snapshotTimeoutMs())).onComplete(ar -> {
          if (stopped) {
            return;
          }
          if (ar.succeeded() && ar.result().body() instanceof Buffer body) {
            applySnapshot(StreamSnapshot.decode(body));
          } else {
            // No origin answers: the stream is not live yet, or its origin is changing. Ask again
            // soon, and less often the longer nobody answers: the announcement of a new publisher
            // may have gone out before this node's subscription reached the origin.
            syncing = false;
            if (retryTimer < 0) {
              long delay = pending.isEmpty() ? retryDelayMs : SNAPSHOT_RETRY_LIVE_MS;
              if (pending.isEmpty()) {
                retryDelayMs = Math.min(retryDelayMs * 2, SNAPSHOT_RETRY_MAX_MS);
              }
              retryTimer = vertx.setTimer(delay, id -> {
                retryTimer = -1;
                if (!stopped && !syncing && (!attached || !pending.isEmpty())) {
                  requestSnapshot();
                }
              });
            }
          }
        });
  }

  private void applySnapshot(StreamSnapshot snapshot) {
    syncing = false;
    retryDelayMs = SNAPSHOT_RETRY_MS;
    if (snapshot.epoch() < epoch) {
      requestSnapshot();
      return;
    }
    lastFrameAtMs = System.currentTimeMillis();
    boolean newEpoch = snapshot.epoch() != epoch || !attached;
    if (newEpoch) {
      epoch = snapshot.epoch();
      lastSequence = 0;
      attached = true;
      stalled = false;
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
    while (!pending.isEmpty() && !syncing && !stopped) {
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
    if (attached) {
      stream.publish(this, frame.toMediaFrame());
    }
  }

  private void endEpoch(String why) {
    if (!attached) {
      return;
    }
    attached = false;
    log.info("stream {}: epoch {} ended: {}", stream.name(), epoch, why);
    stream.detachPublisher(this);
  }

  private void checkStall() {
    long quietMs = System.currentTimeMillis() - lastFrameAtMs;
    if (attached && quietMs > settings.streamStallMs()) {
      stalled = true;
      endEpoch("stalled, no frames for " + quietMs + " ms");
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
    stopped = true;
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
    attached = false;
  }

  @Override
  public String describe() {
    return "cluster feed (epoch " + epoch + ")";
  }
}

package org.rtmpcluster.origin.cluster;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.rtmpcluster.common.cluster.ClusterFrame;
import org.rtmpcluster.common.cluster.NodeIdentity;
import org.rtmpcluster.common.cluster.StreamAddresses;
import org.rtmpcluster.common.cluster.StreamRegistry;
import org.rtmpcluster.common.cluster.StreamRegistry.Claim;
import org.rtmpcluster.common.cluster.StreamRegistry.Entry;
import org.rtmpcluster.common.cluster.StreamRegistry.StreamTakenException;
import org.rtmpcluster.common.cluster.StreamSnapshot;
import org.rtmpcluster.common.config.ClusterSettings;
import org.rtmpcluster.common.media.AudioTag;
import org.rtmpcluster.common.media.VideoTag;
import org.rtmpcluster.common.stream.HomeStream;
import org.rtmpcluster.common.stream.MediaFrame;
import org.rtmpcluster.common.stream.PublishObserver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts one origin stream on the cluster. When a publisher attaches, the relay claims the stream
 * in the registry with a new cluster-wide epoch; once it holds the claim it publishes every frame
 * to the stream's address and answers edges' snapshot requests. If another origin holds the name,
 * this publisher is a hot standby: its frames stay local, and the relay retries the claim until
 * the other one is gone, then takes over with a higher epoch.
 *
 * <p>Media frames go out only while an edge pulls the stream: edges ask for a snapshot when they
 * start and say they are still there every so often ({@link StreamAddresses#interest}). Vert.x
 * looks up the subscribers of an address nobody subscribes to in the cluster map at every publish,
 * which made an origin without edges spend three times the CPU per publisher. Start and end frames
 * always go out. Heartbeats go out while an edge pulled the stream within the last few stall
 * periods: one tells an edge whose interest lapsed which frames it missed, and it resyncs; an edge
 * that stalled keeps saying it pulls, so the heartbeats resume when it is heard again.
 */
public final class ClusterRelay implements PublishObserver {
  private static final Logger log = LoggerFactory.getLogger(ClusterRelay.class);

  /** Where the relay is in taking part in the cluster. */
  public enum State { IDLE, CLAIMING, STANDBY, ACTIVE }

  /** How many stall periods after the last sign of an edge heartbeats still go out. */
  static final int HEARTBEAT_STALL_PERIODS = 3;

  private final Vertx vertx;
  private final HomeStream stream;
  private final StreamRegistry registry;
  private final NodeIdentity node;
  private final ClusterSettings settings;

  private State state = State.IDLE;
  /** Changes at every attach, so that answers to an earlier attach's calls are recognised. */
  private long attachment;
  private long clusterEpoch;
  private Claim claim;
  private MessageConsumer<Object> snapshotConsumer;
  private MessageConsumer<Object> interestConsumer;
  /** Until when an edge is known to pull the stream (epoch ms). */
  private long interestUntilMs;
  private long renewTimer = -1;
  private long retryTimer = -1;
  private long heartbeatTimer = -1;
  private String videoCodec;
  private String audioCodec;
  private long framesSent;

  public ClusterRelay(Vertx vertx, HomeStream stream, StreamRegistry registry, NodeIdentity node,
      ClusterSettings settings) {
    this.vertx = vertx;
    this.stream = stream;
    this.registry = registry;
    this.node = node;
    this.settings = settings;
  }

  public State state() {
    return state;
  }

  public long clusterEpoch() {
    return clusterEpoch;
  }

  public long framesSent() {
    return framesSent;
  }

  @Override
  public void onPublisherAttached(long localEpoch) {
    stopRelaying(true);
    attachment++;
    videoCodec = null;
    audioCodec = null;
    state = State.CLAIMING;
    tryClaim(attachment);
  }

  /** A node left the cluster: a standby tries to take over now rather than at its next retry. */
  public void retryNow() {
    if (state == State.STANDBY && retryTimer >= 0) {
      vertx.cancelTimer(retryTimer);
      tryClaim(attachment);
    }
  }

  private void tryClaim(long forAttachment) {
    retryTimer = -1;
    vertx.sharedData().getCounter(StreamAddresses.epochCounter(stream.name()))
        .compose(counter -> counter.incrementAndGet())
        .compose(epoch -> registry.claim(new Entry(stream.name(), node.nodeId(), node.nodeName(),
            UUID.randomUUID().toString(), epoch, System.currentTimeMillis(), videoCodec, audioCodec, 0)))
        .onComplete(ar -> {
          if (forAttachment != attachment || state == State.IDLE) {
            if (ar.succeeded()) {
              ar.result().release();
            }
            return;
          }
          if (ar.succeeded()) {
            activate(ar.result());
          } else {
            if (state != State.STANDBY) {
              String why = ar.cause() instanceof StreamTakenException taken
                  ? "it is live on " + taken.holder().nodeName() : ar.cause().getMessage();
              log.info("stream {}: publisher is on standby: {}", stream.name(), why);
            }
            state = State.STANDBY;
            retryTimer = vertx.setTimer(settings.standbyRetryMs(), id -> tryClaim(forAttachment));
          }
        });
  }

  private void activate(Claim newClaim) {
    claim = newClaim;
    clusterEpoch = newClaim.entry().epoch();
    interestUntilMs = 0;
    interestConsumer = vertx.eventBus().consumer(StreamAddresses.interest(stream.name()), m -> noteInterest());
    MessageConsumer<Object> registering =
        vertx.eventBus().consumer(StreamAddresses.snapshot(stream.name()), this::answerSnapshot);
    snapshotConsumer = registering;
    // Edges ask for a snapshot as soon as they see a frame of the new epoch. Announced before the
    // cluster knows this consumer, those requests find no handler and the edges retry only later,
    // which kept players waiting about half a second longer after a failover. Frames published
    // before then are in the snapshot the edges get.
    registering.completion().onComplete(ar -> {
      if (snapshotConsumer == registering && claim == newClaim) {
        announce();
      }
    });
  }

  private void announce() {
    state = State.ACTIVE;
    long renewEvery = Math.max(100, settings.registryLeaseMs() / 3);
    renewTimer = vertx.setPeriodic(renewEvery, id -> renew());
    long heartbeatEvery = Math.max(50, settings.streamStallMs() / 3);
    heartbeatTimer = vertx.setPeriodic(heartbeatEvery, id -> {
      if (hadInterestLately()) {
        vertx.eventBus().publish(StreamAddresses.frames(stream.name()),
            ClusterFrame.heartbeat(clusterEpoch, stream.sequence()));
      }
    });
    vertx.eventBus().publish(StreamAddresses.frames(stream.name()),
        ClusterFrame.startOfEpoch(clusterEpoch, stream.sequence()));
    log.info("stream {}: live in the cluster from {} (epoch {})", stream.name(), node.nodeName(), clusterEpoch);
  }

  private void renew() {
    if (claim == null) {
      return;
    }
    Claim current = claim;
    current.renew(current.entry().withCodecs(videoCodec, audioCodec)).onComplete(ar -> {
      if (claim != current || (ar.succeeded() && ar.result())) {
        return;
      }
      if (ar.failed()) {
        // The map is out of reach for now; the claim holds until others see it lapse, and then
        // the next renewal finds it taken.
        log.warn("stream {}: could not renew its registry claim: {}", stream.name(), ar.cause().toString());
        return;
      }
      log.warn("stream {}: lost its registry claim (taken over after it lapsed); going to standby", stream.name());
      stopRelaying(false);
      state = State.STANDBY;
      long forAttachment = attachment;
      retryTimer = vertx.setTimer(settings.standbyRetryMs(), tid -> tryClaim(forAttachment));
    });
  }

  private void noteInterest() {
    interestUntilMs = System.currentTimeMillis() + settings.streamStallMs();
  }

  /** Whether some edge pulls the stream now. */
  public boolean hasInterest() {
    return System.currentTimeMillis() < interestUntilMs;
  }

  /**
   * Whether some edge pulled the stream within the last {@value #HEARTBEAT_STALL_PERIODS} stall
   * periods. Every heartbeat to an address nobody subscribes to costs a lookup in the cluster; at
   * 100 publishers and no edges, sending them anyway cost a sixth of the origin's CPU.
   */
  boolean hadInterestLately() {
    return System.currentTimeMillis() < interestUntilMs + (HEARTBEAT_STALL_PERIODS - 1) * settings.streamStallMs();
  }

  private void answerSnapshot(Message<Object> request) {
    noteInterest();
    List<ClusterFrame> frames = new ArrayList<>();
    for (MediaFrame frame : stream.primingFrames()) {
      frames.add(ClusterFrame.of(clusterEpoch, frame.sequence(), frame));
    }
    request.reply(new StreamSnapshot(clusterEpoch, stream.sequence(), frames).encode());
  }

  @Override
  public void onFrame(MediaFrame frame) {
    if (frame.isSequenceHeader()) {
      if (frame.isVideo()) {
        videoCodec = VideoTag.codec(frame.payload());
      } else if (frame.isAudio()) {
        audioCodec = AudioTag.codec(frame.payload());
      }
    }
    if (state == State.ACTIVE && hasInterest()) {
      framesSent++;
      vertx.eventBus().publish(StreamAddresses.frames(stream.name()),
          ClusterFrame.of(clusterEpoch, frame.sequence(), frame));
    }
  }

  @Override
  public void onPublisherDetached() {
    stopRelaying(true);
    state = State.IDLE;
  }

  @Override
  public void onRemoved() {
    stopRelaying(true);
    state = State.IDLE;
  }

  /** Stops publishing and answering; with {@code release}, also tells edges and frees the name. */
  private void stopRelaying(boolean release) {
    if (retryTimer >= 0) {
      vertx.cancelTimer(retryTimer);
      retryTimer = -1;
    }
    if (renewTimer >= 0) {
      vertx.cancelTimer(renewTimer);
      renewTimer = -1;
    }
    if (heartbeatTimer >= 0) {
      vertx.cancelTimer(heartbeatTimer);
      heartbeatTimer = -1;
    }
    if (snapshotConsumer != null) {
      snapshotConsumer.unregister();
      snapshotConsumer = null;
    }
    if (interestConsumer != null) {
      interestConsumer.unregister();
      interestConsumer = null;
    }
    if (state == State.ACTIVE && release) {
      vertx.eventBus().publish(StreamAddresses.frames(stream.name()),
          ClusterFrame.endOfEpoch(clusterEpoch, stream.sequence() + 1));
      log.info("stream {}: publisher on {} stopped (epoch {})", stream.name(), node.nodeName(), clusterEpoch);
    }
    if (claim != null && release) {
      claim.release();
    }
    claim = null;
  }
}

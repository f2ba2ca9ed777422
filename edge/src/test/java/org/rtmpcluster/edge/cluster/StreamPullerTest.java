package org.rtmpcluster.edge.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.rtmpcluster.common.cluster.ClusterFrame;
import org.rtmpcluster.common.cluster.ClusterFrameCodec;
import org.rtmpcluster.common.cluster.StreamAddresses;
import org.rtmpcluster.common.cluster.StreamSnapshot;
import org.rtmpcluster.common.config.ClusterSettings;
import org.rtmpcluster.common.config.StreamSettings;
import org.rtmpcluster.common.rtmp.message.MessageType;
import org.rtmpcluster.common.stream.HomeStream;
import org.rtmpcluster.common.stream.MediaFrame;
import org.rtmpcluster.common.stream.StreamHub;
import org.rtmpcluster.common.stream.StreamListener;
import org.rtmpcluster.common.testing.Await;
import org.rtmpcluster.common.testing.StreamFixtures;
import org.rtmpcluster.edge.cluster.StreamPuller.State;

/**
 * The puller against a scripted origin on a local event bus: which frames reach the edge's
 * stream, in which order, for cold starts, gaps, new epochs, stalls and stale frames. Stalls are
 * judged on a clock the test moves: the puller's own timers never see it move, so nothing stalls
 * unless a test says so.
 */
class StreamPullerTest {
  private static final String NAME = "s";
  private static final int STALL_MS = 300;
  private Vertx vertx;
  /** The puller's event loop: everything that reads or calls the puller runs there. */
  private Context context;
  private final AtomicLong clockMs = new AtomicLong(1_000_000);
  private HomeStream stream;
  private StreamPuller puller;
  private final List<String> seen = new CopyOnWriteArrayList<>();
  private final AtomicReference<StreamSnapshot> snapshot = new AtomicReference<>();
  private final AtomicInteger snapshotRequests = new AtomicInteger();
  /** At each ask, how long the puller will wait to ask again if nobody answers. */
  private final List<Long> retryDelaysAtAsks = new CopyOnWriteArrayList<>();

  /** A player's view: video markers, and epoch changes as "E". */
  private final StreamListener player = new StreamListener() {
    @Override
    public void onFrame(MediaFrame frame) {
      seen.add(frame.isKeyframe() ? "K" + frame.payload().getInt(0) : String.valueOf(frame.payload().getInt(0)));
    }

    @Override
    public void onPublisherStarted(long epoch) {
      seen.add("E");
    }

    @Override
    public void onPublisherGone() {
      seen.add("gone");
    }

    @Override
    public void onStreamEnded() {
      seen.add("ended");
    }
  };

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    vertx.eventBus().registerDefaultCodec(ClusterFrame.class, new ClusterFrameCodec());
    context = vertx.getOrCreateContext();
    ClusterSettings settings = ClusterSettings.DEFAULT.withTimings(1_000, 3_000, STALL_MS, 100, 2_000, 100);
    Await.run(context, () -> {
      // The scripted origin answers on the puller's loop, so that it may look at the puller.
      vertx.eventBus().consumer(StreamAddresses.snapshot(NAME), request -> {
        snapshotRequests.incrementAndGet();
        retryDelaysAtAsks.add(puller.retryDelayMs());
        StreamSnapshot current = snapshot.get();
        if (current == null) {
          request.fail(404, "not live");
        } else {
          request.reply(current.encode());
        }
      });
      StreamHub<HomeStream> hub = StreamHub.home(vertx, StreamSettings.DEFAULT);
      stream = hub.getOrCreate(NAME);
      puller = new StreamPuller(vertx, stream, settings, clockMs::get);
      stream.watchAudience(puller);
      stream.addListener(player);
      puller.start();
    });
  }

  @AfterEach
  void tearDown() {
    Await.result(vertx.close());
  }

  private <T> T onLoop(Supplier<T> read) {
    return Await.on(context, () -> Future.succeededFuture(read.get()));
  }

  /** Moves the puller's clock on and runs its stall check, as its timer would. */
  private void advanceAndCheckStall(long ms) {
    clockMs.addAndGet(ms);
    Await.run(context, puller::checkStall);
  }

  private static ClusterFrame video(long epoch, long sequence, boolean key) {
    return new ClusterFrame(epoch, sequence, MessageType.VIDEO, key ? MediaFrame.KEYFRAME : 0, sequence * 33,
        1_000_000 + sequence * 33, Buffer.buffer().appendInt((int) sequence));
  }

  private void send(ClusterFrame... frames) {
    for (ClusterFrame frame : frames) {
      vertx.eventBus().publish(StreamAddresses.frames(NAME), frame);
    }
  }

  private static StreamSnapshot snapshotOf(long epoch, long last, ClusterFrame... frames) {
    return new StreamSnapshot(epoch, last, List.of(frames));
  }

  @Test
  void coldStartTakesTheSnapshotThenTheLiveFramesAfterIt() {
    snapshot.set(snapshotOf(1, 12, video(1, 10, true), video(1, 11, false), video(1, 12, false)));
    Await.until(() -> seen.size() == 4, "snapshot delivered");
    send(video(1, 12, false), video(1, 13, false), video(1, 14, false));
    Await.until(() -> seen.size() == 6, "live frames");
    assertEquals(List.of("E", "K10", "11", "12", "13", "14"), seen, "frame 12 came twice and was taken once");
    assertEquals(3, puller.framesReceived(), "counts the media frames that came over the bus");
  }

  /**
   * Frames that come while no snapshot answers are held up to cluster.resync-hold-bytes; past it
   * the oldest go, so an edge whose origin does not answer holds a bounded amount.
   */
  @Test
  void framesHeldWhileNoSnapshotComesAreBoundedInBytes() {
    int holdBytes = 64 << 10;
    StreamPuller[] bounded = new StreamPuller[1];
    Await.run(context, () -> {
      HomeStream big = StreamHub.home(vertx, StreamSettings.DEFAULT).getOrCreate("big");
      bounded[0] = new StreamPuller(vertx, big,
          ClusterSettings.DEFAULT.withTimings(1_000, 3_000, 60_000, 100, 2_000, 100).withResync(200, holdBytes));
      big.watchAudience(bounded[0]);
      big.addListener(StreamFixtures.framesInto(new ArrayList<>()));
      bounded[0].start();
    });
    for (int i = 1; i <= 100; i++) { // 100 frames of 10 KB of an epoch whose origin never answers
      vertx.eventBus().publish(StreamAddresses.frames("big"), new ClusterFrame(1, i, MessageType.VIDEO, 0, i * 33L,
          1_000_000 + i * 33L, Buffer.buffer(new byte[10_000])));
    }
    Await.until(() -> onLoop(bounded[0]::framesReceived) == 100, "the frames at the puller");
    long dropped = onLoop(bounded[0]::droppedWhileSyncing);
    assertTrue(dropped >= 100 - holdBytes / 10_000 - 1, dropped + " of 100 frames let go");
  }

  @Test
  void aGapIsFilledFromAFreshSnapshotWithoutRepeatingFrames() {
    snapshot.set(snapshotOf(1, 2, video(1, 1, true), video(1, 2, false)));
    Await.until(() -> seen.size() == 3, "cold start");
    snapshot.set(snapshotOf(1, 5, video(1, 1, true), video(1, 2, false), video(1, 3, false), video(1, 4, false),
        video(1, 5, false)));
    send(video(1, 5, false)); // 3 and 4 were lost
    Await.until(() -> seen.size() == 6, "resynced");
    assertEquals(List.of("E", "K1", "2", "3", "4", "5"), seen);
    assertEquals(1, puller.gaps());
  }

  @Test
  void aGapPastAKeyframeResumesOnThatKeyframe() {
    snapshot.set(snapshotOf(1, 2, video(1, 1, true), video(1, 2, false)));
    Await.until(() -> seen.size() == 3, "cold start");
    snapshot.set(snapshotOf(1, 7, video(1, 6, true), video(1, 7, false)));
    send(video(1, 8, false)); // 3..7 were lost, and the GOP restarted at 6
    Await.until(() -> seen.size() == 6, "resynced");
    assertEquals(List.of("E", "K1", "2", "K6", "7", "8"), seen);
  }

  @Test
  void aNewEpochStartsOverFromItsSnapshot() {
    snapshot.set(snapshotOf(1, 2, video(1, 1, true), video(1, 2, false)));
    Await.until(() -> seen.size() == 3, "cold start");
    snapshot.set(snapshotOf(2, 41, video(2, 40, true), video(2, 41, false)));
    send(ClusterFrame.startOfEpoch(2, 41));
    Await.until(() -> seen.size() == 6, "new epoch");
    assertEquals(List.of("E", "K1", "2", "E", "K40", "41"), seen);
    send(video(1, 3, false)); // a late frame of the old epoch
    send(video(2, 42, false));
    Await.until(() -> seen.size() == 7, "live frame of the new epoch");
    assertEquals("42", seen.get(6));
  }

  @Test
  void anEndOfEpochOrAStallHandsThePlayersToTheGracePeriod() {
    snapshot.set(snapshotOf(1, 1, video(1, 1, true)));
    Await.until(() -> seen.size() == 2, "cold start");
    send(ClusterFrame.endOfEpoch(1, 2));
    Await.until(() -> seen.contains("gone"), "end of epoch");
    assertEquals(State.WAITING, onLoop(puller::state), "an ended epoch does not come back");

    snapshot.set(snapshotOf(2, 1, video(2, 1, true)));
    send(ClusterFrame.heartbeat(2, 1));
    Await.until(() -> seen.size() == 5, "second epoch");
    advanceAndCheckStall(STALL_MS);
    assertEquals(5, seen.size(), "not before the stall time: " + seen);
    assertEquals(State.LIVE, onLoop(puller::state));
    advanceAndCheckStall(1);
    assertEquals("gone", seen.get(5));
    assertEquals(State.STALLED, onLoop(puller::state), "a quiet epoch may come back");
  }

  @Test
  void aStalledEpochThatIsHeardAgainIsTakenUpAgain() {
    AtomicInteger interest = new AtomicInteger();
    vertx.eventBus().consumer(StreamAddresses.interest(NAME), m -> interest.incrementAndGet());
    snapshot.set(snapshotOf(1, 1, video(1, 1, true)));
    Await.until(() -> seen.size() == 2, "cold start");
    advanceAndCheckStall(STALL_MS + 1); // the origin went quiet
    assertEquals(List.of("E", "K1", "gone"), new ArrayList<>(seen), "stall");
    int interestAtStall = interest.get();
    // It still says it pulls, so that the origin keeps its heartbeats going (see ClusterRelay).
    assertTrue(onLoop(puller::saysItPulls));
    Await.until(() -> interest.get() >= interestAtStall + 2, "interest while stalled");
    int requestsBefore = snapshotRequests.get();

    // The same origin and publisher are heard again, two frames further on.
    snapshot.set(snapshotOf(1, 3, video(1, 2, true), video(1, 3, false)));
    send(ClusterFrame.heartbeat(1, 3));
    Await.until(() -> seen.size() == 6, "players fed again");
    assertEquals(List.of("E", "K1", "gone", "E", "K2", "3"), new ArrayList<>(seen));
    assertEquals(requestsBefore + 1, snapshotRequests.get());
    assertEquals(State.LIVE, onLoop(puller::state));
    send(video(1, 4, false));
    Await.until(() -> seen.size() == 7, "live frames after the snapshot");
    assertEquals("4", seen.get(6));
  }

  @Test
  void heartbeatsKeepAQuietStreamFromStalling() {
    snapshot.set(snapshotOf(1, 1, video(1, 1, true)));
    Await.until(() -> seen.size() == 2, "cold start");
    // A heartbeat every 100 ms for a second, and no media: from the fourth check on, the last
    // media frame is older than the stall time.
    for (int beat = 1; beat <= 10; beat++) {
      advanceAndCheckStall(100);
      long now = clockMs.get();
      send(ClusterFrame.heartbeat(1, 1));
      Await.until(() -> onLoop(puller::lastFrameAtMs) == now, "heartbeat " + beat);
    }
    advanceAndCheckStall(100);
    assertEquals(List.of("E", "K1"), seen);
    assertEquals(State.LIVE, onLoop(puller::state));
  }

  @Test
  void withoutALiveOriginThePullerAsksLessAndLessOften() {
    Await.until(() -> snapshotRequests.get() >= 3, "three asks");
    // The wait after each ask that nobody answers doubles (up to SNAPSHOT_RETRY_MAX_MS): asks at
    // 0, 0.5, 1.5 and 3.5 s, where a steady 500 ms would ask 7 times in that time.
    assertEquals(List.of(500L, 1_000L, 2_000L), retryDelaysAtAsks.subList(0, 3));
    assertEquals(List.of(), seen);
  }

  @Test
  void withoutALiveOriginThePullerKeepsAsking() {
    Await.until(() -> snapshotRequests.get() >= 2, "asks again");
    assertEquals(List.of(), seen);
    snapshot.set(snapshotOf(3, 1, video(3, 1, true)));
    Await.until(() -> seen.size() == 2, "starts once the stream is live");
    assertEquals(List.of("E", "K1"), new ArrayList<>(seen));
  }

  @Test
  void aHeartbeatAheadOfTheLastFrameMeansMissedFramesAndAResync() {
    snapshot.set(snapshotOf(1, 1, video(1, 1, true)));
    Await.until(() -> seen.size() == 2, "cold start");
    int requestsBefore = snapshotRequests.get();
    // The origin stopped sending media to this node (it saw no interest), then its heartbeat says
    // it is at frame 3.
    snapshot.set(snapshotOf(1, 3, video(1, 1, true), video(1, 2, false), video(1, 3, false)));
    send(ClusterFrame.heartbeat(1, 3));
    Await.until(() -> seen.size() == 4, "missed frames from a fresh snapshot");
    assertEquals(List.of("E", "K1", "2", "3"), seen);
    assertEquals(requestsBefore + 1, snapshotRequests.get());
    assertEquals(1, puller.gaps());
  }

  @Test
  void anAttachedPullerTellsTheOriginItStillPulls() {
    AtomicInteger interest = new AtomicInteger();
    vertx.eventBus().consumer(StreamAddresses.interest(NAME), m -> interest.incrementAndGet());
    Await.until(() -> snapshotRequests.get() >= 1 && onLoop(puller::state) == State.WAITING,
        "an ask that no origin answered");
    assertFalse(onLoop(puller::saysItPulls), "nothing to say before it pulls an epoch");
    assertEquals(0, interest.get(), "nothing said before it pulls an epoch");
    snapshot.set(snapshotOf(1, 1, video(1, 1, true)));
    Await.until(() -> interest.get() >= 2, "interest, again and again");
  }
}

package org.rtmpcluster.common.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rtmpcluster.common.config.StreamSettings;
import org.rtmpcluster.common.rtmp.message.MessageType;
import org.rtmpcluster.common.testing.Await;
import org.rtmpcluster.common.testing.EventLoops;
import org.rtmpcluster.common.testing.StreamFixtures;

/** A stream carried from the home event loop to a copy on another loop, where players read it. */
class LoopFeedTest {
  private static final int GRACE_MS = 200;
  private static final int BEHIND_LIMIT_BYTES = 1000;
  private static final StreamSettings SETTINGS = StreamSettings.DEFAULT.toBuilder().playerGraceMs(GRACE_MS).build();

  private final Vertx vertx = Vertx.vertx();
  private final Context homeContext = EventLoops.newContext(vertx);
  private final Context loopContext = EventLoops.newContext(vertx);
  private final StreamHub<HomeStream> homeHub = StreamHub.home(vertx, SETTINGS);
  private final StreamHub<StreamCopy> copies = onLoop(() -> StreamHub.copies(SETTINGS));
  private final LoopFeed.Home home = new LoopFeed.Home() {
    @Override
    public Context context() {
      return homeContext;
    }

    @Override
    public HomeStream open(String name) {
      assertTrue(homeContext == Vertx.currentContext(), "home streams are opened on the home loop");
      return homeHub.getOrCreate(name);
    }
  };

  private static final PublisherHandle PUBLISHER = StreamFixtures.publisher();

  /** What a player on the copy's loop sees, and on which thread. */
  private final class Player implements StreamListener {
    final List<MediaFrame> frames = new CopyOnWriteArrayList<>();
    final List<String> events = new CopyOnWriteArrayList<>();
    volatile boolean offLoop;

    private void check() {
      offLoop |= Vertx.currentContext() != loopContext;
    }

    @Override
    public void onFrame(MediaFrame frame) {
      check();
      frames.add(frame);
    }

    @Override
    public void onPublisherStarted(long epoch) {
      check();
      events.add("started");
    }

    @Override
    public void onPublisherGone() {
      check();
      events.add("gone");
    }

    @Override
    public void onStreamEnded() {
      check();
      events.add("ended");
    }
  }

  @AfterEach
  void closeVertx() {
    Await.result(vertx.close());
  }

  private <T> T onLoop(java.util.function.Supplier<T> action) {
    return Await.on(loopContext, () -> Future.succeededFuture(action.get()));
  }

  private <T> T onHome(java.util.function.Supplier<T> action) {
    return Await.on(homeContext, () -> Future.succeededFuture(action.get()));
  }

  private static MediaFrame video(long timestamp, int flags) {
    return new MediaFrame(MessageType.VIDEO, timestamp, Buffer.buffer(new byte[] {0x17, 1, 0, 0, 0}), flags);
  }

  private static MediaFrame sized(int type, long timestamp, int flags, int size) {
    byte[] payload = new byte[size];
    payload[0] = (byte) (type == MessageType.VIDEO ? ((flags & MediaFrame.KEYFRAME) != 0 ? 0x17 : 0x27) : 0xAF);
    payload[1] = 1;
    return new MediaFrame(type, timestamp, Buffer.buffer(payload), flags);
  }

  private Player joinCopy() {
    Player player = new Player();
    Await.run(loopContext, () -> {
      StreamCopy copy = copies.getOrCreate("s");
      LoopFeed.connect(copy, home, BEHIND_LIMIT_BYTES);
      copy.addListener(player);
    });
    return player;
  }

  @Test
  void copyHandsOutTheHomeStreamsOwnFramesStartingWithItsCachedGop() {
    List<MediaFrame> published = new CopyOnWriteArrayList<>();
    Await.run(homeContext, () -> {
      HomeStream stream = homeHub.getOrCreate("s");
      stream.attachPublisher(PUBLISHER);
      stream.publish(PUBLISHER, video(1000, MediaFrame.SEQUENCE_HEADER));
      stream.publish(PUBLISHER, video(1000, MediaFrame.KEYFRAME));
      stream.publish(PUBLISHER, video(1040, 0));
    });
    Player player = joinCopy();
    Await.until(() -> player.frames.size() == 3, "sequence header and cached GOP");
    Await.run(homeContext, () -> {
      HomeStream stream = homeHub.get("s");
      stream.addListener(StreamFixtures.framesInto(published));
      stream.publish(PUBLISHER, video(1080, 0));
    });
    Await.until(() -> player.frames.size() == 4, "a live frame");
    // The frame object itself crossed over: the same timeline, and chunks made once per node.
    assertSame(published.get(published.size() - 1), player.frames.get(3));
    assertEquals(80, player.frames.get(3).playTimestamp());
    assertEquals(List.of("started"), player.events);
    assertEquals(2, onHome(() -> homeHub.get("s").playerCount()), "the copy's player and the home's own");
    assertTrue(!player.offLoop, "the copy's player is only called on its own loop");
  }

  @Test
  void copyLeavesItsLoopAndTheHomeStreamWhenItsLastPlayerLeaves() {
    Await.run(homeContext, () -> homeHub.getOrCreate("s").attachPublisher(PUBLISHER));
    Player player = joinCopy();
    Await.until(() -> player.events.contains("started"), "publisher seen on the copy");
    assertEquals(1, onHome(() -> homeHub.get("s").playerCount()));

    Await.run(loopContext, () -> copies.get("s").removeListener(player));
    assertNull(onLoop(() -> copies.get("s")), "copy gone from its loop");
    Await.until(() -> onHome(() -> homeHub.get("s").playerCount()) == 0, "feed gone from the home stream");
    Await.run(homeContext, () -> homeHub.get("s").publish(PUBLISHER, video(0, MediaFrame.KEYFRAME)));
    assertEquals(0, player.frames.size());
  }

  @Test
  void copyWaitsWithTheHomeStreamAndEndsWhenItsGracePeriodEnds() {
    Await.run(homeContext, () -> homeHub.getOrCreate("s").attachPublisher(PUBLISHER));
    Player player = joinCopy();
    Await.until(() -> player.events.contains("started"), "publisher seen on the copy");
    long leftAt = System.nanoTime();
    Await.run(homeContext, () -> homeHub.get("s").detachPublisher(PUBLISHER));
    Await.until(() -> player.events.contains("ended"), "stream ended on the copy");
    long waitedMs = (System.nanoTime() - leftAt) / 1_000_000;
    assertEquals(List.of("started", "gone", "ended"), player.events);
    assertTrue(waitedMs >= GRACE_MS, "the copy waited for the home's grace period, not " + waitedMs + " ms");
    assertNull(onLoop(() -> copies.get("s")));
    assertNull(onHome(() -> homeHub.get("s")));
  }

  @Test
  void playerWaitingOnACopyGetsAPublisherThatStartsLater() {
    Player player = joinCopy();
    Await.until(() -> onHome(() -> homeHub.get("s") != null && homeHub.get("s").playerCount() == 1),
        "copy joined the home stream");
    Await.run(homeContext, () -> {
      HomeStream stream = homeHub.get("s");
      stream.attachPublisher(PUBLISHER);
      stream.publish(PUBLISHER, video(5000, MediaFrame.KEYFRAME));
    });
    Await.until(() -> player.frames.size() == 1, "the first keyframe");
    assertEquals(List.of("started"), player.events);
    assertEquals(0, player.frames.get(0).playTimestamp(), "the stream's timeline starts at 0");
  }

  @Test
  void loopThatFallsBehindSkipsVideoToAKeyframeThatFindsItCaughtUpAndKeepsAudio() throws Exception {
    Await.run(homeContext, () -> homeHub.getOrCreate("s").attachPublisher(PUBLISHER));
    Player player = joinCopy();
    Await.until(() -> player.events.contains("started"), "publisher seen on the copy");

    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    loopContext.runOnContext(v -> {
      try {
        release.await(); // the loop is stuck: an overloaded machine
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    Await.run(homeContext, () -> {
      HomeStream stream = homeHub.get("s");
      stream.publish(PUBLISHER, sized(MessageType.VIDEO, 0, MediaFrame.KEYFRAME, 600));
      stream.publish(PUBLISHER, sized(MessageType.VIDEO, 33, 0, 600));  // 1200 bytes behind now
      stream.publish(PUBLISHER, sized(MessageType.VIDEO, 66, 0, 600));  // skipped
      stream.publish(PUBLISHER, sized(MessageType.AUDIO, 70, 0, 100));  // audio still goes
      stream.publish(PUBLISHER, sized(MessageType.VIDEO, 100, MediaFrame.KEYFRAME, 600)); // still behind: skipped
    });
    release.countDown();
    Await.until(() -> player.frames.size() == 3, "what was handed over before and after falling behind");
    Await.run(homeContext, () -> {
      HomeStream stream = homeHub.get("s");
      stream.publish(PUBLISHER, sized(MessageType.VIDEO, 133, 0, 600));  // caught up, but not a keyframe
      stream.publish(PUBLISHER, sized(MessageType.VIDEO, 166, MediaFrame.KEYFRAME, 600));
      stream.publish(PUBLISHER, sized(MessageType.VIDEO, 200, 0, 600));
    });
    Await.until(() -> player.frames.size() == 5, "video again from a keyframe");
    assertEquals(List.of(0L, 33L, 70L, 166L, 200L), player.frames.stream().map(MediaFrame::timestamp).toList());
  }
}

package org.rtmpcluster.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rtmpcluster.common.testing.SyntheticMedia.aacFrame;
import static org.rtmpcluster.common.testing.SyntheticMedia.aacSequenceHeader;
import static org.rtmpcluster.common.testing.SyntheticMedia.avcSequenceHeader;
import static org.rtmpcluster.common.testing.SyntheticMedia.setDataFrameMetadata;
import static org.rtmpcluster.common.testing.SyntheticMedia.videoFrame;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.rtmpcluster.client.RtmpClient;
import org.rtmpcluster.common.cluster.ClusterFrame;
import org.rtmpcluster.common.cluster.StreamAddresses;
import org.rtmpcluster.common.stream.HomeStream;
import org.rtmpcluster.common.testing.Await;
import org.rtmpcluster.edge.cluster.StreamPuller;
import org.rtmpcluster.server.PublishPlayTest.Viewer;

/** Origins and edges as clustered Vert.x nodes in one JVM. */
class ClusterTest {
  private static TestCluster cluster;
  private static TestCluster.Member origin;
  private static TestCluster.Member edge1;
  private static TestCluster.Member edge2;

  @BeforeAll
  static void startCluster() {
    cluster = new TestCluster();
    origin = cluster.origin("origin-1");
    edge1 = cluster.edge("edge-1");
    edge2 = cluster.edge("edge-2");
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static int publish(RtmpClient client, String key) {
    return Await.on(client.context(), () -> client.publish(key));
  }

  private static Viewer play(TestCluster.Member edge, String name) {
    RtmpClient client = edge.connect();
    Viewer viewer = new Viewer(client);
    Await.on(client.context(), () -> client.play(name));
    return viewer;
  }

  /** Frames {@code from}..{@code to - 1}, a keyframe every {@code gop}, 33 ms apart, with audio. */
  private static void send(RtmpClient publisher, int msid, int from, int to, int gop, boolean headers) {
    Await.run(publisher.context(), () -> {
      if (headers) {
        publisher.sendData(msid, 0, setDataFrameMetadata("cluster"));
        publisher.sendVideo(msid, 0, avcSequenceHeader(1));
        publisher.sendAudio(msid, 0, aacSequenceHeader());
      }
      for (int marker = from; marker < to; marker++) {
        publisher.sendVideo(msid, 33L * marker, videoFrame(marker % gop == 0, marker, 300));
        publisher.sendAudio(msid, 33L * marker + 5, aacFrame(marker));
      }
    });
  }

  private static HomeStream edgeStream(TestCluster.Member edge, String name) {
    return edge.node().edgeHub().get("live/" + name);
  }

  @Test
  void anOriginSendsMediaOverTheBusOnlyWhileAnEdgePullsTheStream() {
    RtmpClient publisher = origin.connect();
    int msid = publish(publisher, "key-a");
    send(publisher, msid, 0, 15, 10, true);
    Await.until(() -> origin.node().streamRegistry() != null
        && Await.result(origin.node().streamRegistry().get("live/a")) != null, "registry entry");
    Await.until(() -> origin.node().originHub().get("live/a").framesIn() >= 3 + 15 * 2, "frames at the origin");
    org.rtmpcluster.origin.cluster.ClusterRelay relay =
        (org.rtmpcluster.origin.cluster.ClusterRelay) origin.node().originHub().get("live/a").publishObserver();
    assertEquals(0, relay.framesSent(), "no edge pulls the stream: nothing to send");

    Viewer one = play(edge1, "a");
    Await.until(() -> one.videoMarkers().size() == 5, "the cached GOP, from the snapshot");
    send(publisher, msid, 15, 25, 10, false);
    Await.until(() -> one.videoMarkers().size() == 15, "live frames");
    Await.until(() -> relay.framesSent() == 2 * 10, "the live frames, video and audio, sent once");
    Await.result(publisher.close());
  }

  @Test
  void anOriginSendsHeartbeatsOnlyWhileAnEdgePulledTheStreamLately() throws InterruptedException {
    AtomicInteger heartbeats = new AtomicInteger();
    MessageConsumer<ClusterFrame> listener = edge2.clustered().vertx().eventBus()
        .consumer(StreamAddresses.frames("live/h"), m -> {
          if (m.body().isHeartbeat()) {
            heartbeats.incrementAndGet();
          }
        });
    Await.result(listener.completion());
    RtmpClient publisher = origin.connect();
    int msid = publish(publisher, "key-h");
    send(publisher, msid, 0, 5, 10, true);
    Await.until(() -> origin.node().originHub().get("live/h") != null
        && ((org.rtmpcluster.origin.cluster.ClusterRelay) origin.node().originHub().get("live/h").publishObserver())
            .state() == org.rtmpcluster.origin.cluster.ClusterRelay.State.ACTIVE, "live in the cluster");
    Thread.sleep(1_200);
    assertEquals(0, heartbeats.get(), "no edge pulls the stream: no heartbeats (they come every 333 ms)");

    edge2.clustered().vertx().eventBus().send(StreamAddresses.interest("live/h"), Buffer.buffer());
    Await.until(() -> heartbeats.get() >= 2, "heartbeats once an edge says it pulls");
    // Three stall periods (1 s each here) after the last word from an edge, they stop.
    Await.until(() -> {
      int before = heartbeats.get();
      java.util.concurrent.locks.LockSupport.parkNanos(800_000_000L);
      return heartbeats.get() == before;
    }, "heartbeats stop once no edge has pulled for a while");
    Await.result(listener.unregister());
    Await.result(publisher.close());
  }

  @Test
  void playersOnTwoEdgesGetWhatTheOriginPublishes() {
    RtmpClient publisher = origin.connect();
    int msid = publish(publisher, "key-a");
    send(publisher, msid, 0, 15, 10, true);
    Await.until(() -> origin.node().streamRegistry() != null
        && Await.result(origin.node().streamRegistry().get("live/a")) != null, "registry entry");

    Viewer one = play(edge1, "a");
    Viewer two = play(edge2, "a");
    Await.until(() -> one.videoMarkers().size() == 5 && two.videoMarkers().size() == 5, "the cached GOP from the origin");
    assertEquals(List.of(10, 11, 12, 13, 14), one.videoMarkers());
    assertEquals(List.of(10, 11, 12, 13, 14), two.videoMarkers());

    send(publisher, msid, 15, 40, 10, false);
    Await.until(() -> one.videoMarkers().size() == 30 && two.videoMarkers().size() == 30, "live frames");
    List<Integer> expected = new ArrayList<>();
    for (int i = 10; i < 40; i++) {
      expected.add(i);
    }
    assertEquals(expected, one.videoMarkers());
    assertEquals(expected, two.videoMarkers());
    one.assertMonotonic();
    two.assertMonotonic();
    Await.result(publisher.close());
  }

  @Test
  void anEdgeReceivesOneCopyOfAStreamWhateverItsNumberOfPlayers() {
    RtmpClient publisher = origin.connect();
    int msid = publish(publisher, "key-b");
    send(publisher, msid, 0, 1, 30, true);
    List<Viewer> viewers = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      viewers.add(play(edge1, "b"));
    }
    Await.until(() -> viewers.stream().allMatch(v -> v.videoMarkers().size() == 1), "all 50 started");
    StreamPuller puller = (StreamPuller) edgeStream(edge1, "b").audienceWatcher();
    long before = puller.framesReceived();
    send(publisher, msid, 1, 61, 30, false); // 60 video + 60 audio frames
    Await.until(() -> viewers.stream().allMatch(v -> v.videoMarkers().size() == 61), "all 50 got every frame");
    assertEquals(120, puller.framesReceived() - before, "one event-bus copy per frame for the whole node");
    assertEquals(50, edgeStream(edge1, "b").playerCount());
    Await.result(publisher.close());
  }

  @Test
  void anEdgeStopsPullingAStreamShortlyAfterItsLastPlayerLeft() {
    RtmpClient publisher = origin.connect();
    int msid = publish(publisher, "key-c");
    send(publisher, msid, 0, 1, 30, true);
    Viewer viewer = play(edge2, "c");
    Await.until(() -> viewer.videoMarkers().size() == 1, "playing");
    Await.result(viewer.client.close());
    Await.until(() -> edgeStream(edge2, "c") == null, "stream dropped after the linger");
    Await.result(publisher.close());
  }

  @Test
  void hotStandbyOnAnotherOriginTakesOverWhenTheActivePublisherLeaves() {
    TestCluster.Member origin2 = cluster.origin("origin-2");
    RtmpClient active = origin.connect();
    int msid = publish(active, "key-d");
    send(active, msid, 0, 10, 10, true);
    Viewer viewer = play(edge1, "d");
    Await.until(() -> viewer.videoMarkers().size() == 10, "the active publisher's GOP");

    RtmpClient standby = origin2.connect();
    int standbyMsid = publish(standby, "key-d"); // accepted, but on standby
    send(standby, standbyMsid, 1000, 1005, 10, true);
    send(active, msid, 10, 12, 10, false);
    Await.until(() -> viewer.videoMarkers().size() == 12, "still the active publisher");
    assertTrue(viewer.videoMarkers().stream().allMatch(m -> m < 1000), "nothing from the standby yet");

    long left = System.nanoTime();
    Await.result(active.close());
    // The standby's current GOP (from its keyframe 1000) arrives through the snapshot.
    Await.until(() -> viewer.videoMarkers().contains(1000), "standby took over");
    long tookMs = (System.nanoTime() - left) / 1_000_000;
    System.out.println("hot standby: players resumed " + tookMs + " ms after the active publisher left");
    send(standby, standbyMsid, 1005, 1012, 10, false);
    Await.until(() -> viewer.videoMarkers().contains(1011), "standby's live frames");
    viewer.assertMonotonic();
    Await.result(standby.close());
  }

  @Test
  void aNodeThatJoinsAtRuntimeServesPlayersAtOnce() {
    RtmpClient publisher = origin.connect();
    int msid = publish(publisher, "key-e");
    send(publisher, msid, 0, 12, 10, true);
    TestCluster.Member late = cluster.edge("edge-late");
    long asked = System.nanoTime();
    Viewer viewer = play(late, "e");
    Await.until(() -> viewer.videoMarkers().size() == 2, "the cached GOP");
    long firstFrameMs = (System.nanoTime() - asked) / 1_000_000;
    System.out.println("cold start on a new edge: first frame " + firstFrameMs + " ms after play");
    assertEquals(List.of(10, 11), viewer.videoMarkers());
    Await.result(publisher.close());
  }

  @Test
  void whenAnEdgeGoesAwayOtherEdgesPlayOnAndItsPlayersReconnectElsewhere() {
    TestCluster.Member doomed = cluster.edge("edge-doomed");
    RtmpClient publisher = origin.connect();
    int msid = publish(publisher, "key-f");
    send(publisher, msid, 0, 10, 10, true);
    Viewer survivor = play(edge2, "f");
    Viewer victim = play(doomed, "f");
    Await.until(() -> survivor.videoMarkers().size() == 10 && victim.videoMarkers().size() == 10, "both playing");

    doomed.close();
    Await.result(victim.client.closeFuture());
    send(publisher, msid, 10, 20, 10, false);
    Await.until(() -> survivor.videoMarkers().size() == 20, "the other edge plays on");

    long asked = System.nanoTime();
    Viewer reconnected = play(edge1, "f");
    Await.until(() -> !reconnected.videoMarkers().isEmpty(), "the stream at once on another edge");
    long firstFrameMs = (System.nanoTime() - asked) / 1_000_000;
    System.out.println("player reconnected to another edge: first frame " + firstFrameMs + " ms after play");
    assertEquals(10, reconnected.videoMarkers().get(0), "starts on the latest keyframe");
    survivor.assertMonotonic();
    Await.result(publisher.close());
  }

  @Test
  void anOriginThatLeavesGracefullyHandsItsStreamToTheStandbyWhilePlayersStay() {
    TestCluster.Member leaving = cluster.origin("origin-leaving");
    TestCluster.Member standbyOrigin = cluster.origin("origin-standby");
    RtmpClient active = leaving.connect();
    int msid = publish(active, "key-g");
    send(active, msid, 0, 10, 10, true);
    Viewer viewer = play(edge2, "g");
    Await.until(() -> viewer.videoMarkers().size() == 10, "playing from the leaving origin");
    RtmpClient standby = standbyOrigin.connect();
    int standbyMsid = publish(standby, "key-g");
    send(standby, standbyMsid, 500, 505, 10, true);

    Await.result(leaving.node().drain(2_000));
    Await.result(active.closeFuture());
    leaving.close();
    Await.until(() -> viewer.videoMarkers().contains(500), "the standby's keyframe");
    assertTrue(!viewer.client.closeFuture().isComplete(), "the player stayed connected");
    viewer.assertMonotonic();
    Await.result(standby.close());
  }
}

package org.rtmpcluster.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rtmpcluster.common.testing.SyntheticMedia.aacFrame;
import static org.rtmpcluster.common.testing.SyntheticMedia.aacSequenceHeader;
import static org.rtmpcluster.common.testing.SyntheticMedia.avcSequenceHeader;
import static org.rtmpcluster.common.testing.SyntheticMedia.marker;
import static org.rtmpcluster.common.testing.SyntheticMedia.setDataFrameMetadata;
import static org.rtmpcluster.common.testing.SyntheticMedia.videoFrame;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rtmpcluster.client.RtmpCallException;
import org.rtmpcluster.client.RtmpClient;
import org.rtmpcluster.client.RtmpStatusException;
import org.rtmpcluster.common.rtmp.chunk.RtmpMessage;
import org.rtmpcluster.common.config.MemorySettings;
import org.rtmpcluster.common.rtmp.message.MessageType;
import org.rtmpcluster.common.rtmp.session.NodeConnections;
import org.rtmpcluster.common.rtmp.session.Status;
import org.rtmpcluster.common.stream.WireBuffers;
import org.rtmpcluster.common.testing.Await;

/** Publish and play through a standalone node with the project's own client. */
class PublishPlayTest {
  private TestNode node;

  @AfterEach
  void stop() {
    if (node != null) {
      node.close();
    }
  }

  /** A player's view: every media and data message, and every status. */
  static final class Viewer {
    final RtmpClient client;
    final List<RtmpMessage> messages = new CopyOnWriteArrayList<>();
    final List<String> statuses = new CopyOnWriteArrayList<>();
    /** User control event types, in order (1 is StreamEOF). */
    final List<Integer> events = new CopyOnWriteArrayList<>();

    Viewer(RtmpClient client) {
      this.client = client;
      client.mediaHandler(messages::add);
      client.statusHandler(s -> statuses.add(String.valueOf(s.get("code"))));
      client.controlHandler(m -> {
        if (m.typeId() == MessageType.USER_CONTROL) {
          events.add(m.payload().getUnsignedShort(0));
        }
      });
    }

    List<RtmpMessage> video() {
      return messages.stream().filter(m -> m.typeId() == MessageType.VIDEO).toList();
    }

    List<Integer> videoMarkers() {
      return video().stream().filter(m -> m.payload().getUnsignedByte(1) == 1).map(m -> marker(m.payload())).toList();
    }

    void assertMonotonic() {
      long last = -1;
      for (RtmpMessage m : messages) {
        assertTrue(m.timestamp() >= last, "timestamp went back from " + last + " to " + m.timestamp());
        last = m.timestamp();
      }
    }
  }

  private Viewer play(String name) {
    RtmpClient client = node.connect();
    Viewer viewer = new Viewer(client);
    Await.on(client.context(), () -> client.play(name));
    return viewer;
  }

  private int publish(RtmpClient client, String key) {
    return Await.on(client.context(), () -> client.publish(key));
  }

  /** Sends metadata, headers, then GOPs of {@code gopFrames} video frames (33 ms apart) with audio. */
  private static void sendGops(RtmpClient publisher, int msid, long startTs, int firstMarker, int gops, int gopFrames,
      boolean headers) {
    Await.run(publisher.context(), () -> {
      if (headers) {
        publisher.sendData(msid, 0, setDataFrameMetadata("test"));
        publisher.sendVideo(msid, 0, avcSequenceHeader(1));
        publisher.sendAudio(msid, 0, aacSequenceHeader());
      }
      int marker = firstMarker;
      for (int g = 0; g < gops; g++) {
        for (int f = 0; f < gopFrames; f++) {
          long ts = startTs + 33L * (marker - firstMarker);
          publisher.sendVideo(msid, ts, videoFrame(f == 0, marker, 200));
          publisher.sendAudio(msid, ts + 5, aacFrame(marker));
          marker++;
        }
      }
    });
  }

  @Test
  void lateJoinerGetsMetadataHeadersThenTheCachedGopFromItsKeyframe() {
    node = TestNode.start();
    RtmpClient publisher = node.connect();
    int msid = publish(publisher, TestNode.KEY.key());
    sendGops(publisher, msid, 1000, 0, 2, 10, true); // frames 0..19, keyframes at 0 and 10
    Await.until(() -> node.node.hub().get(TestNode.STREAM) != null && node.node.hub().get(TestNode.STREAM).framesIn() >= 43,
        "frames at the origin");

    Viewer viewer = play("show");
    Await.until(() -> viewer.video().size() >= 11, "cached GOP");
    assertEquals("|RtmpSampleAccess", dataName(viewer.messages.get(0)));
    assertEquals("onMetaData", dataName(viewer.messages.get(1)));
    assertEquals(0, viewer.messages.get(2).payload().getUnsignedByte(1), "then the video sequence header");
    assertEquals(MessageType.AUDIO, viewer.messages.get(3).typeId(), "then the audio sequence header");
    assertEquals(0x17, viewer.messages.get(4).payload().getUnsignedByte(0), "then a keyframe");
    assertEquals(List.of(10, 11, 12, 13, 14, 15, 16, 17, 18, 19), viewer.videoMarkers());
    assertEquals(330, viewer.messages.get(4).timestamp(),
        "the stream's player timeline starts at 0 with its first frame; keyframe 10 is 330 ms in");
    assertTrue(viewer.statuses.containsAll(List.of(Status.PLAY_RESET, Status.PLAY_START)));

    sendGops(publisher, msid, 1000 + 33 * 20, 20, 1, 5, false);
    Await.until(() -> viewer.videoMarkers().size() == 15, "live frames after the GOP");
    assertEquals(24, viewer.videoMarkers().get(14));
    viewer.assertMonotonic();
  }

  private static String dataName(RtmpMessage message) {
    try {
      return (String) RtmpClient.dataValues(message).get(0);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /**
   * Players' bytes are pooled memory in the streams' logs: once a stream has ended and its players
   * have gone, no log holds any, on any event loop, whatever the sockets still had to write.
   */
  @Test
  void onceAStreamEndsItsLogsHoldNoBlocks() {
    node = TestNode.start(c -> c.withStreams(c.streams().toBuilder().playerGraceMs(100).build()));
    long before = WireBuffers.heldByLogs();
    RtmpClient publisher = node.connect();
    int msid = publish(publisher, TestNode.KEY.key());
    Viewer one = play("show");
    Viewer two = play("show");
    sendGops(publisher, msid, 0, 0, 3, 10, true);
    Await.until(() -> one.videoMarkers().size() == 30 && two.videoMarkers().size() == 30, "both players' frames");
    assertTrue(WireBuffers.heldByLogs() > before, "the logs hold the stream's bytes");
    Await.result(publisher.close());
    Await.until(() -> one.client.closeFuture().isComplete() && two.client.closeFuture().isComplete(),
        "the players told the stream ended");
    Await.until(() -> WireBuffers.heldByLogs() == before, "every log's blocks let go of");
  }

  @Test
  void aPlayerOnItsSecondMessageStreamGetsTheMediaOnThatStream() {
    node = TestNode.start();
    RtmpClient publisher = node.connect();
    int msid = publish(publisher, TestNode.KEY.key());
    RtmpClient client = node.connect();
    Viewer second = new Viewer(client);
    assertEquals(1, Await.on(client.context(), client::createStream), "a stream it leaves unused");
    assertEquals(2, Await.on(client.context(), () -> client.play("show")));
    Viewer first = play("show");
    sendGops(publisher, msid, 1000, 0, 2, 10, true);
    Await.until(() -> second.videoMarkers().size() == 20 && first.videoMarkers().size() == 20, "both players' frames");
    assertTrue(second.messages.stream().allMatch(m -> m.messageStreamId() == 2), "every message on stream 2");
    assertTrue(first.messages.stream().allMatch(m -> m.messageStreamId() == 1), "every message on stream 1");
    assertEquals(first.videoMarkers(), second.videoMarkers());
    assertEquals(first.video().stream().map(RtmpMessage::timestamp).toList(),
        second.video().stream().map(RtmpMessage::timestamp).toList(), "the same timeline");
  }

  @Test
  void playersOnEveryEventLoopGetTheStreamThroughOneCopyPerLoop() {
    node = TestNode.start();
    RtmpClient publisher = node.connect();
    int msid = publish(publisher, TestNode.KEY.key());
    sendGops(publisher, msid, 0, 0, 1, 10, true);
    List<Viewer> viewers = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      viewers.add(play("show"));
    }
    sendGops(publisher, msid, 330, 10, 1, 10, false);
    Await.until(() -> viewers.stream().allMatch(v -> v.videoMarkers().size() == 20), "GOP and live frames");

    List<RtmpListener> loops = node.node.listeners();
    assertEquals(2, loops.size());
    List<Integer> perLoop = loops.stream().map(l -> Await.result(l.playersOf(TestNode.STREAM))).toList();
    // New connections go to the loops in turn, so both loops have players.
    assertTrue(perLoop.stream().allMatch(n -> n >= 1), "players per loop: " + perLoop);
    assertEquals(4, perLoop.stream().mapToInt(Integer::intValue).sum());
    assertEquals(4, Await.on(node.node.homeContext(), () -> Future.succeededFuture(node.node.hub().get(TestNode.STREAM).playerCount())));
    for (Viewer viewer : viewers) {
      assertEquals(viewers.get(0).video().stream().map(RtmpMessage::timestamp).toList(),
          viewer.video().stream().map(RtmpMessage::timestamp).toList(), "one timeline on every loop");
    }

    for (Viewer viewer : viewers) {
      Await.result(viewer.client.close());
    }
    Await.until(() -> loops.stream().allMatch(l -> Await.result(l.playersOf(TestNode.STREAM)) == 0), "copies gone");
    Await.until(() -> Await.on(node.node.homeContext(),
        () -> Future.succeededFuture(node.node.hub().get(TestNode.STREAM).playerCount())) == 0, "feeds gone");
  }

  @Test
  void publisherThatSendsMediaWithoutWaitingForPublishStartLosesNothing() {
    node = TestNode.start();
    Viewer viewer = play("show");
    RtmpClient publisher = node.connect();
    int msid = Await.on(publisher.context(), publisher::createStream);
    Await.run(publisher.context(), () -> {
      // Some hardware encoders send media right behind publish, in the same TCP segment.
      publisher.notify(msid, "publish", TestNode.KEY.key(), "live");
      publisher.sendVideo(msid, 0, avcSequenceHeader(1));
      publisher.sendVideo(msid, 0, videoFrame(true, 1, 100));
      publisher.sendVideo(msid, 33, videoFrame(false, 2, 100));
    });
    Await.until(() -> viewer.videoMarkers().size() == 2, "frames sent before Publish.Start");
    assertEquals(List.of(1, 2), viewer.videoMarkers());
    assertEquals(0, viewer.video().get(0).payload().getUnsignedByte(1), "the sequence header first");
  }

  @Test
  void playerWaitingBeforePublishStartsOnTheFirstKeyframe() {
    node = TestNode.start();
    Viewer viewer = play("show");
    RtmpClient publisher = node.connect();
    int msid = publish(publisher, TestNode.KEY.key());
    Await.run(publisher.context(), () -> {
      publisher.sendVideo(msid, 0, avcSequenceHeader(1));
      publisher.sendVideo(msid, 40, videoFrame(false, 99, 100)); // inter frame before any keyframe
      publisher.sendVideo(msid, 80, videoFrame(true, 100, 100));
      publisher.sendVideo(msid, 120, videoFrame(false, 101, 100));
    });
    Await.until(() -> viewer.videoMarkers().size() == 2, "frames from the keyframe");
    assertEquals(List.of(100, 101), viewer.videoMarkers());
  }

  @Test
  void unknownStreamKeyIsRefusedAndTheConnectionClosed() {
    node = TestNode.start();
    RtmpClient publisher = node.connect();
    Throwable failure = Await.failureOn(publisher.context(), () -> publisher.publish("wrong-key"));
    RtmpStatusException status = assertInstanceOf(RtmpStatusException.class, failure);
    assertEquals(Status.PUBLISH_DENIED, status.code());
    Await.result(publisher.closeFuture());
  }


  @Test
  void publishingToTheSecretKeyIsNotPlayableByTheKey() {
    node = TestNode.start();
    RtmpClient publisher = node.connect();
    int msid = publish(publisher, TestNode.KEY.key() + "?session=abc");
    sendGops(publisher, msid, 0, 0, 1, 3, true);
    Viewer byKey = play(TestNode.KEY.key());
    Viewer byName = play("show?token=whatever");
    Await.until(() -> byName.videoMarkers().size() == 3, "the public name plays");
    assertTrue(byKey.video().isEmpty(), "the secret key is not a playable name");
  }

  @Test
  void secondPublisherOfALiveNameIsRefusedWithBadName() {
    node = TestNode.start();
    RtmpClient first = node.connect();
    int msid = publish(first, TestNode.KEY.key());
    sendGops(first, msid, 0, 0, 1, 3, true);
    RtmpClient second = node.connect();
    Throwable failure = Await.failureOn(second.context(), () -> second.publish(TestNode.KEY.key()));
    assertEquals(Status.PUBLISH_BAD_NAME, assertInstanceOf(RtmpStatusException.class, failure).code());
  }

  @Test
  void secondPublisherTakesOverFromAPublisherQuietPastTheTakeoverTime() {
    node = TestNode.start(c -> c.withStreams(c.streams().toBuilder().gopCacheMaxBytes(1 << 20)
        .publisherTakeoverMs(300).playerGraceMs(5_000).playerQueueSoftLimitBytes(1 << 20)
        .playerQueueHardLimitBytes(4 << 20).build()));
    RtmpClient first = node.connect();
    int msid = publish(first, TestNode.KEY.key());
    sendGops(first, msid, 0, 0, 1, 3, true);
    Viewer viewer = play("show");
    Await.until(() -> viewer.videoMarkers().size() == 3, "first publisher's frames");
    sleep(400);
    RtmpClient second = node.connect();
    int msid2 = publish(second, TestNode.KEY.key());
    Await.result(first.closeFuture());
    sendGops(second, msid2, 0, 50, 1, 3, true);
    Await.until(() -> viewer.videoMarkers().size() == 6, "second publisher's frames");
    assertEquals(List.of(0, 1, 2, 50, 51, 52), viewer.videoMarkers());
    viewer.assertMonotonic();
  }

  @Test
  void playerStaysThroughARepublishWithinTheGracePeriodWithMonotonicTimestamps() {
    node = TestNode.start();
    RtmpClient first = node.connect();
    int msid = publish(first, TestNode.KEY.key());
    sendGops(first, msid, 5000, 0, 1, 5, true);
    Viewer viewer = play("show");
    Await.until(() -> viewer.videoMarkers().size() == 5, "first publisher's frames");
    Await.result(first.close());
    sleep(200);
    RtmpClient second = node.connect();
    int msid2 = publish(second, TestNode.KEY.key());
    Await.run(second.context(), () -> {
      second.sendVideo(msid2, 0, avcSequenceHeader(2)); // changed: the player gets it
      second.sendAudio(msid2, 0, aacSequenceHeader());  // unchanged: not sent again
      second.sendVideo(msid2, 0, videoFrame(false, 199, 100));
      second.sendVideo(msid2, 0, videoFrame(true, 200, 100));
      second.sendVideo(msid2, 33, videoFrame(false, 201, 100));
    });
    Await.until(() -> viewer.videoMarkers().size() == 7, "second publisher's frames");
    assertEquals(List.of(0, 1, 2, 3, 4, 200, 201), viewer.videoMarkers());
    long sequenceHeaders = viewer.messages.stream().filter(m -> m.typeId() == MessageType.VIDEO
        && m.payload().getUnsignedByte(1) == 0).count();
    long audioHeaders = viewer.messages.stream().filter(m -> m.typeId() == MessageType.AUDIO
        && m.payload().getUnsignedByte(1) == 0).count();
    assertEquals(2, sequenceHeaders, "the changed video sequence header is sent again");
    assertEquals(1, audioHeaders, "the unchanged audio sequence header is not");
    viewer.assertMonotonic();
    assertFalse(viewer.statuses.contains(Status.PLAY_UNPUBLISH_NOTIFY));
  }

  @Test
  void republishResendsMetadataOnlyWhenItChanged() {
    node = TestNode.start();
    RtmpClient first = node.connect();
    int msid = publish(first, TestNode.KEY.key());
    sendGops(first, msid, 0, 0, 1, 3, true);
    Viewer viewer = play("show");
    Await.until(() -> viewer.videoMarkers().size() == 3, "first publisher's frames");
    Await.result(first.close());
    RtmpClient second = node.connect();
    int msid2 = publish(second, TestNode.KEY.key());
    sendGops(second, msid2, 0, 10, 1, 3, true); // the same metadata as the first publisher's
    Await.run(second.context(), () -> second.sendData(msid2, 100, setDataFrameMetadata("changed")));
    Await.until(() -> metadataTitles(viewer).contains("changed"), "the changed metadata");
    assertEquals(List.of("test", "changed"), metadataTitles(viewer));
    assertEquals(List.of(0, 1, 2, 10, 11, 12), viewer.videoMarkers(), "all frames came before it");
  }

  private static List<Object> metadataTitles(Viewer viewer) {
    return viewer.messages.stream().filter(m -> m.typeId() == MessageType.DATA_AMF0)
        .filter(m -> dataName(m).equals("onMetaData")).map(m -> {
          try {
            return ((Map<?, ?>) RtmpClient.dataValues(m).get(1)).get("title");
          } catch (Exception e) {
            throw new AssertionError(e);
          }
        }).map(Object.class::cast).toList();
  }

  @Test
  void afterTheGracePeriodPlayersGetUnpublishNotifyAndStreamEof() {
    node = TestNode.start(c -> c.withStreams(c.streams().toBuilder().gopCacheMaxBytes(1 << 20)
        .publisherTakeoverMs(300).playerGraceMs(300).playerQueueSoftLimitBytes(1 << 20)
        .playerQueueHardLimitBytes(4 << 20).build()));
    RtmpClient publisher = node.connect();
    int msid = publish(publisher, TestNode.KEY.key());
    sendGops(publisher, msid, 0, 0, 1, 3, true);
    Viewer viewer = play("show");
    Await.until(() -> viewer.videoMarkers().size() == 3, "frames");
    Await.result(publisher.close());
    Await.result(viewer.client.closeFuture());
    assertTrue(viewer.statuses.contains(Status.PLAY_UNPUBLISH_NOTIFY), viewer.statuses.toString());
    assertTrue(viewer.events.contains(1), "StreamEOF");
  }

  @Test
  void unknownCommandGetsErrorAndTheConnectionStaysUsable() {
    node = TestNode.start();
    RtmpClient client = node.connect();
    Throwable failure = Await.failureOn(client.context(), () -> client.call("noSuchCommand", null));
    RtmpCallException error = assertInstanceOf(RtmpCallException.class, failure);
    assertTrue(((Map<?, ?>) error.error().argument(0)).get("description").toString().contains("noSuchCommand"));
    assertTrue(Await.on(client.context(), client::createStream) > 0);
  }

  @Test
  void edgeOnlyNodeRefusesPublishersAndSaysWhy() {
    node = TestNode.start(c -> c.withRoles(java.util.EnumSet.of(org.rtmpcluster.common.config.Role.EDGE)));
    RtmpClient publisher = node.connect();
    Throwable failure = Await.failureOn(publisher.context(), () -> publisher.publish(TestNode.KEY.key()));
    RtmpStatusException status = assertInstanceOf(RtmpStatusException.class, failure);
    assertEquals(Status.PUBLISH_DENIED, status.code());
    assertTrue(status.getMessage().contains("edge"), status.getMessage());
  }

  @Test
  void originOnlyNodeRefusesPlayersAndSaysWhy() {
    node = TestNode.start(c -> c.withRoles(java.util.EnumSet.of(org.rtmpcluster.common.config.Role.ORIGIN)));
    RtmpClient player = node.connect();
    Throwable failure = Await.failureOn(player.context(), () -> player.play("show"));
    RtmpStatusException status = assertInstanceOf(RtmpStatusException.class, failure);
    assertEquals(Status.PLAY_FAILED, status.code());
    assertTrue(status.getMessage().contains("origin"), status.getMessage());
  }

  @Test
  void playerThatStopsReadingIsCutAtTheHardLimitWhileOthersPlayOn() {
    node = TestNode.start(c -> c.withStreams(c.streams().toBuilder().gopCacheMaxBytes(8 << 20)
        .playerGraceMs(5_000).playerQueueSoftLimitBytes(256 << 10).playerQueueHardLimitBytes(1 << 20).build()));
    RtmpClient publisher = node.connect();
    int msid = publish(publisher, TestNode.KEY.key());
    sendGops(publisher, msid, 0, 0, 1, 1, true);
    Viewer stuck = play("show");
    Viewer healthy = play("show");
    Await.until(() -> stuck.videoMarkers().size() == 1 && healthy.videoMarkers().size() == 1, "first frame");
    Await.run(stuck.client.context(), stuck.client::pauseReading);
    org.rtmpcluster.edge.PlayerCounters counters = node.node.playerCounters();
    // Up to 60 MB: far beyond the hard limit plus what the kernel's socket buffers hold. Past the
    // soft limit nothing more is written to it; it is cut once the stream has gone on by the hard
    // limit without it. Small steps (two frames, 300 KB) so that it passes the soft limit first.
    for (int batch = 0; batch < 200; batch++) {
      int first = 1 + batch * 2;
      Await.run(publisher.context(), () -> {
        for (int i = 0; i < 2; i++) {
          int marker = first + i;
          publisher.sendVideo(msid, 33L * marker, videoFrame(marker % 30 == 0, marker, 100_000));
          publisher.sendAudio(msid, 33L * marker, io.vertx.core.buffer.Buffer.buffer(new byte[50_000])
              .setUnsignedByte(0, (short) 0xAF).setUnsignedByte(1, (short) 1));
        }
      });
      Await.until(() -> healthy.videoMarkers().size() >= first + 1, "healthy player keeps up");
      if (counters.playersCut() > 0) {
        break;
      }
    }
    assertEquals(1, counters.playersCut());
    // A client that does not read does not see the close either, until it reads again.
    Await.run(stuck.client.context(), stuck.client::resumeReading);
    Await.result(stuck.client.closeFuture());
    int before = healthy.videoMarkers().size();
    Await.run(publisher.context(), () -> publisher.sendVideo(msid, 33L * 1000, videoFrame(true, 1000, 1000)));
    Await.until(() -> healthy.videoMarkers().size() == before + 1, "healthy player still plays");
    healthy.assertMonotonic();
  }

  /**
   * Over its budget of direct memory the node degrades instead of collapsing: new players are
   * refused with a status that says why, and come in again once the backlog is gone. The budget
   * here is 32 MiB more than the process holds already (Netty's socket buffers take some of that
   * once connections come); a player that stops reading makes up the difference.
   */
  @Test
  void overItsDirectMemoryBudgetTheNodeRefusesNewPlayersUntilTheBacklogIsGone() {
    long budget = RtmpNode.directHeldForPlayers() + (32 << 20);
    node = TestNode.start(c -> c.withMemory(new MemorySettings(0, budget))
        .withStreams(c.streams().toBuilder().playerQueueSoftLimitBytes(128 << 20).playerQueueHardLimitBytes(256 << 20)
            .gopCacheMaxBytes(1 << 20).build())); // what the GOP cache holds stays well inside the budget
    RtmpClient publisher = node.connect();
    int msid = publish(publisher, TestNode.KEY.key());
    sendGops(publisher, msid, 0, 0, 1, 1, true);
    Viewer stuck = play("show");
    Await.until(() -> stuck.videoMarkers().size() == 1, "first frame");
    Await.run(stuck.client.context(), stuck.client::pauseReading);
    NodeConnections connections = node.node.connections();
    int[] marker = {1};
    // A frame of 100 KB each time the condition is polled, until the loops' sampled load says so.
    Await.until(() -> {
      int m = marker[0]++;
      Await.run(publisher.context(), () -> publisher.sendVideo(msid, 33L * m, videoFrame(false, m, 100_000)));
      return connections.overDirectBudget();
    }, "the stuck player's backlog to pass the budget");

    RtmpClient refusedClient = node.connect();
    Viewer refused = new Viewer(refusedClient);
    Throwable failure = Await.failureOn(refusedClient.context(), () -> refusedClient.play("show"));
    assertInstanceOf(RtmpStatusException.class, failure);
    Await.until(() -> !refused.statuses.isEmpty(), "the refusal's status");
    assertEquals(List.of(Status.PLAY_FAILED), List.copyOf(refused.statuses));
    assertEquals(1, node.node.playerCounters().playersRefusedOverBudget());

    Await.run(stuck.client.context(), stuck.client::resumeReading);
    Await.until(() -> !connections.overDirectBudget(), "the backlog to drain");
    Viewer admitted = play("show");
    Await.until(() -> admitted.statuses.contains(Status.PLAY_START), "the player admitted");
  }

  @Test
  void aggregateMessageReachesPlayersAsSeparateFrames() {
    node = TestNode.start();
    RtmpClient publisher = node.connect();
    int msid = publish(publisher, TestNode.KEY.key());
    sendGops(publisher, msid, 0, 0, 1, 1, true);
    Viewer viewer = play("show");
    Await.until(() -> viewer.videoMarkers().size() == 1, "first frame");
    io.vertx.core.buffer.Buffer aggregate = io.vertx.core.buffer.Buffer.buffer();
    for (int i = 0; i < 3; i++) {
      io.vertx.core.buffer.Buffer body = videoFrame(false, 500 + i, 20);
      aggregate.appendUnsignedByte((short) MessageType.VIDEO) // tag type
          .appendMedium(body.length())                         // data size
          .appendMedium(1000 + 40 * i).appendByte((byte) 0)    // timestamp, extended byte
          .appendMedium(0)                                     // stream id
          .appendBuffer(body)
          .appendInt(11 + body.length());                      // back pointer
    }
    Await.run(publisher.context(), () -> publisher.send(
        new RtmpMessage(7, MessageType.AGGREGATE, 2000, msid, aggregate)));
    Await.until(() -> viewer.videoMarkers().size() == 4, "three frames from the aggregate");
    assertEquals(List.of(0, 500, 501, 502), viewer.videoMarkers());
    List<RtmpMessage> video = viewer.video();
    long first = video.get(video.size() - 3).timestamp();
    assertEquals(first + 40, video.get(video.size() - 2).timestamp());
    assertEquals(first + 80, video.get(video.size() - 1).timestamp());
  }

  @Test
  void amf3CommandsAndAmf3MetadataWorkAndPlayersGetAmf0Metadata() {
    node = TestNode.start();
    RtmpClient publisher = Await.result(RtmpClient.connect(node.vertx,
        RtmpClient.Options.of("127.0.0.1", node.port(), "live").withAmf3Commands(true)));
    int msid = publish(publisher, TestNode.KEY.key());
    io.vertx.core.buffer.Buffer amf3Data = io.vertx.core.buffer.Buffer.buffer()
        .appendByte((byte) 0)                                       // format byte of a type 15 message
        .appendBuffer(org.rtmpcluster.common.amf.Amf0Writer.encode("@setDataFrame", "onMetaData"))
        .appendByte((byte) 0x11)                                    // switch to AMF3 for one value
        .appendBuffer(org.rtmpcluster.common.amf.Amf3Writer.encode(Map.of("width", 640)));
    Await.run(publisher.context(), () -> {
      publisher.send(new RtmpMessage(5, MessageType.DATA_AMF3, 0, msid, amf3Data));
      publisher.sendVideo(msid, 0, videoFrame(true, 1, 100));
    });
    Viewer viewer = play("show");
    Await.until(() -> viewer.videoMarkers().size() == 1, "the keyframe");
    RtmpMessage metadata = viewer.messages.stream().filter(m -> m.typeId() == MessageType.DATA_AMF0
        && "onMetaData".equals(dataName(m))).findFirst().orElseThrow();
    try {
      assertEquals(Map.of("width", 640.0), RtmpClient.dataValues(metadata).get(1), "re-encoded as AMF0");
    } catch (org.rtmpcluster.common.amf.AmfException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void enhancedRtmpVideoPassesThroughIntactAndStartsOnItsKeyframe() {
    node = TestNode.start();
    RtmpClient publisher = node.connect();
    int msid = publish(publisher, TestNode.KEY.key());
    // E-RTMP: bit 0x80, frame type in bits 4-6, packet type in the low nibble, then a FourCC.
    io.vertx.core.buffer.Buffer sequenceStart = io.vertx.core.buffer.Buffer.buffer()
        .appendUnsignedByte((short) (0x80 | 0x10 | 0)).appendString("hvc1").appendBytes(new byte[] {1, 2, 3});
    io.vertx.core.buffer.Buffer inter = io.vertx.core.buffer.Buffer.buffer()
        .appendUnsignedByte((short) (0x80 | 0x20 | 3)).appendString("hvc1").appendBytes(new byte[] {7, 7});
    io.vertx.core.buffer.Buffer key = io.vertx.core.buffer.Buffer.buffer()
        .appendUnsignedByte((short) (0x80 | 0x10 | 1)).appendString("hvc1").appendMedium(0).appendBytes(new byte[] {9});
    io.vertx.core.buffer.Buffer inter2 = io.vertx.core.buffer.Buffer.buffer()
        .appendUnsignedByte((short) (0x80 | 0x20 | 3)).appendString("hvc1").appendBytes(new byte[] {8, 8});
    Await.run(publisher.context(), () -> {
      publisher.sendVideo(msid, 0, sequenceStart);
      publisher.sendVideo(msid, 0, inter);
      publisher.sendVideo(msid, 33, key);
      publisher.sendVideo(msid, 66, inter2);
    });
    Await.until(() -> node.node.hub().get(TestNode.STREAM).framesIn() == 4, "frames at the node");
    Viewer viewer = play("show");
    Await.until(() -> viewer.video().size() == 3, "sequence start, keyframe, inter frame");
    assertEquals(List.of(sequenceStart, key, inter2), viewer.video().stream().map(RtmpMessage::payload).toList());
  }

  @Test
  void pausedPlayerGetsNothingAndResumesAtTheLatestKeyframe() {
    node = TestNode.start();
    RtmpClient publisher = node.connect();
    int msid = publish(publisher, TestNode.KEY.key());
    sendGops(publisher, msid, 0, 0, 1, 2, true); // 0 key, 1
    Viewer viewer = play("show");
    Await.until(() -> viewer.videoMarkers().size() == 2, "cached GOP");
    int playerStream = 1;
    Await.run(viewer.client.context(), () -> viewer.client.notify(playerStream, "pause", true, 66.0));
    Await.until(() -> viewer.statuses.contains(Status.PAUSE_NOTIFY), "Pause.Notify");
    sendGops(publisher, msid, 66, 2, 1, 3, false); // 2 key, 3, 4: not delivered while paused
    Await.until(() -> node.node.hub().get(TestNode.STREAM).framesIn() >= 3 + 4 + 6, "frames at the node");
    Await.run(viewer.client.context(), () -> viewer.client.notify(playerStream, "pause", false, 66.0));
    Await.until(() -> viewer.statuses.contains(Status.UNPAUSE_NOTIFY), "Unpause.Notify");
    Await.run(publisher.context(), () -> publisher.sendVideo(msid, 200, videoFrame(false, 5, 100)));
    // Like a joiner, it goes on from the latest keyframe the node has: a picture at once.
    Await.until(() -> viewer.videoMarkers().size() == 6, "resumed at the latest keyframe");
    assertEquals(List.of(0, 1, 2, 3, 4, 5), viewer.videoMarkers());
    viewer.assertMonotonic();
  }

  @Test
  void receiveVideoFalseLeavesOnlyAudio() {
    node = TestNode.start();
    RtmpClient publisher = node.connect();
    int msid = publish(publisher, TestNode.KEY.key());
    Viewer viewer = play("show");
    Await.run(viewer.client.context(), () -> viewer.client.notify(1, "receiveVideo", false));
    sendGops(publisher, msid, 0, 0, 1, 3, true);
    Await.until(() -> viewer.messages.stream().filter(m -> m.typeId() == MessageType.AUDIO).count() == 4,
        "audio sequence header and three frames");
    assertEquals(1, viewer.video().size(), "only the video sequence header");
  }

  @Test
  void drainingNodeEndsPlaysWithStreamEofAndPublishesWithAStatus() {
    node = TestNode.start();
    RtmpClient publisher = node.connect();
    List<String> publisherStatuses = new CopyOnWriteArrayList<>();
    publisher.statusHandler(s -> publisherStatuses.add(String.valueOf(s.get("code"))));
    int msid = publish(publisher, TestNode.KEY.key());
    sendGops(publisher, msid, 0, 0, 1, 3, true);
    Viewer viewer = play("show");
    Await.until(() -> viewer.videoMarkers().size() == 3, "playing");

    Await.result(node.node.drain(2_000));
    Await.result(viewer.client.closeFuture());
    Await.result(publisher.closeFuture());
    assertTrue(viewer.statuses.contains(Status.PLAY_UNPUBLISH_NOTIFY), viewer.statuses.toString());
    assertTrue(viewer.events.contains(1), "StreamEOF");
    assertTrue(publisherStatuses.contains(Status.UNPUBLISH_SUCCESS), publisherStatuses.toString());
    // The client sees its socket close before the node has counted the connection out.
    Await.until(() -> node.node.connections().size() == 0, "the node holds no connection");
  }

  @Test
  void playersThatJoinedAtDifferentTimesGetTheSameTimestampsForTheSameFrames() {
    node = TestNode.start();
    RtmpClient publisher = node.connect();
    int msid = publish(publisher, TestNode.KEY.key());
    sendGops(publisher, msid, 7000, 0, 1, 10, true);
    Viewer early = play("show");
    Await.until(() -> early.videoMarkers().size() == 10, "early player");
    sendGops(publisher, msid, 7000 + 33 * 10, 10, 2, 10, false);
    Viewer late = play("show");
    Await.until(() -> late.videoMarkers().size() == 10, "late player's GOP");
    sendGops(publisher, msid, 7000 + 33 * 30, 30, 1, 5, false);
    Await.until(() -> early.videoMarkers().size() == 35 && late.videoMarkers().size() == 15, "live frames");
    java.util.Map<Integer, Long> earlyTimes = new java.util.HashMap<>();
    for (RtmpMessage m : early.video()) {
      earlyTimes.put(marker(m.payload()), m.timestamp());
    }
    for (RtmpMessage m : late.video()) {
      if (m.payload().getUnsignedByte(1) == 1) {
        assertEquals(earlyTimes.get(marker(m.payload())), m.timestamp(), "frame " + marker(m.payload()));
      }
    }
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

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
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rtmpcluster.common.config.StreamSettings;
import org.rtmpcluster.common.rtmp.chunk.RtmpMessage;
import org.rtmpcluster.common.rtmp.client.RtmpCallException;
import org.rtmpcluster.common.rtmp.client.RtmpClient;
import org.rtmpcluster.common.rtmp.client.RtmpStatusException;
import org.rtmpcluster.common.rtmp.message.MessageType;
import org.rtmpcluster.common.rtmp.session.Status;
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

    Viewer(RtmpClient client) {
      this.client = client;
      client.mediaHandler(messages::add);
      client.statusHandler(s -> statuses.add(String.valueOf(s.get("code"))));
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
    Await.until(() -> node.node.hub().get("show") != null && node.node.hub().get("show").framesIn() >= 43,
        "frames at the origin");

    Viewer viewer = play("show");
    Await.until(() -> viewer.video().size() >= 11, "cached GOP");
    assertEquals("|RtmpSampleAccess", dataName(viewer.messages.get(0)));
    assertEquals("onMetaData", dataName(viewer.messages.get(1)));
    assertEquals(0, viewer.messages.get(2).payload().getUnsignedByte(1), "then the video sequence header");
    assertEquals(MessageType.AUDIO, viewer.messages.get(3).typeId(), "then the audio sequence header");
    assertEquals(0x17, viewer.messages.get(4).payload().getUnsignedByte(0), "then a keyframe");
    assertEquals(List.of(10, 11, 12, 13, 14, 15, 16, 17, 18, 19), viewer.videoMarkers());
    assertEquals(0, viewer.messages.get(4).timestamp(), "each player's timeline starts at 0");
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
    Throwable failure = Await.failure(onContext(publisher, () -> publisher.publish("wrong-key")));
    RtmpStatusException status = assertInstanceOf(RtmpStatusException.class, failure);
    assertEquals(Status.PUBLISH_DENIED, status.code());
    Await.result(publisher.closeFuture());
  }

  private static <T> Future<T> onContext(RtmpClient client, java.util.function.Supplier<Future<T>> action) {
    io.vertx.core.Promise<T> promise = io.vertx.core.Promise.promise();
    client.context().runOnContext(v -> action.get().onComplete(promise));
    return promise.future();
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
    Throwable failure = Await.failure(onContext(second, () -> second.publish(TestNode.KEY.key())));
    assertEquals(Status.PUBLISH_BAD_NAME, assertInstanceOf(RtmpStatusException.class, failure).code());
  }

  @Test
  void secondPublisherTakesOverFromAPublisherQuietPastTheTakeoverTime() {
    node = TestNode.start(c -> c.withStreams(new StreamSettings(100, 10_000, 1 << 20, 300, 5_000,
        1 << 20, 4 << 20, c.streams().keys())));
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
    node = TestNode.start(c -> c.withStreams(new StreamSettings(100, 10_000, 1 << 20, 300, 300,
        1 << 20, 4 << 20, c.streams().keys())));
    RtmpClient publisher = node.connect();
    int msid = publish(publisher, TestNode.KEY.key());
    sendGops(publisher, msid, 0, 0, 1, 3, true);
    Viewer viewer = play("show");
    List<Integer> events = new CopyOnWriteArrayList<>();
    viewer.client.controlHandler(m -> {
      if (m.typeId() == MessageType.USER_CONTROL) {
        events.add(m.payload().getUnsignedShort(0));
      }
    });
    Await.until(() -> viewer.videoMarkers().size() == 3, "frames");
    Await.result(publisher.close());
    Await.result(viewer.client.closeFuture());
    assertTrue(viewer.statuses.contains(Status.PLAY_UNPUBLISH_NOTIFY), viewer.statuses.toString());
    assertTrue(events.contains(1), "StreamEOF");
  }

  @Test
  void unknownCommandGetsErrorAndTheConnectionStaysUsable() {
    node = TestNode.start();
    RtmpClient client = node.connect();
    Throwable failure = Await.failure(onContext(client, () -> client.call("noSuchCommand", null)));
    RtmpCallException error = assertInstanceOf(RtmpCallException.class, failure);
    assertTrue(((Map<?, ?>) error.error().argument(0)).get("description").toString().contains("noSuchCommand"));
    assertTrue(Await.on(client.context(), client::createStream) > 0);
  }

  @Test
  void edgeOnlyNodeRefusesPublishersAndSaysWhy() {
    node = TestNode.start(c -> c.withRoles(java.util.EnumSet.of(org.rtmpcluster.common.config.Role.EDGE)));
    RtmpClient publisher = node.connect();
    Throwable failure = Await.failure(onContext(publisher, () -> publisher.publish(TestNode.KEY.key())));
    RtmpStatusException status = assertInstanceOf(RtmpStatusException.class, failure);
    assertEquals(Status.PUBLISH_DENIED, status.code());
    assertTrue(status.getMessage().contains("edge"), status.getMessage());
  }

  @Test
  void originOnlyNodeRefusesPlayersAndSaysWhy() {
    node = TestNode.start(c -> c.withRoles(java.util.EnumSet.of(org.rtmpcluster.common.config.Role.ORIGIN)));
    RtmpClient player = node.connect();
    Throwable failure = Await.failure(onContext(player, () -> player.play("show")));
    RtmpStatusException status = assertInstanceOf(RtmpStatusException.class, failure);
    assertEquals(Status.PLAY_FAILED, status.code());
    assertTrue(status.getMessage().contains("origin"), status.getMessage());
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

package org.rtmpcluster.common.rtmp.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rtmpcluster.common.rtmp.chunk.RtmpMessage;
import org.rtmpcluster.common.rtmp.message.MessageType;
import org.rtmpcluster.common.testing.Await;
import org.rtmpcluster.common.testing.EventLoops;

/** A publisher on one event loop publishing to streams that live on the node's home loop. */
class LoopPublishServiceTest {
  private static final int BEHIND_LIMIT_BYTES = 1000;

  private final Vertx vertx = Vertx.vertx();
  private final Context home = EventLoops.newContext(vertx);
  private final Context loop = EventLoops.newContext(vertx);
  private final List<String> seenOn = new CopyOnWriteArrayList<>();
  private final List<Long> received = new CopyOnWriteArrayList<>();
  private final List<String> publisherEvents = new CopyOnWriteArrayList<>();

  /** The home side: records on which loop it is called and what reaches it. */
  private final PublishService homeService = request -> {
    seenOn.add(onHome());
    if (request.streamKey().equals("wrong")) {
      return Future.succeededFuture(PublishService.PublishResult.refused(Status.PUBLISH_DENIED, "unknown stream key"));
    }
    request.connection().evict("taken over");
    return Future.succeededFuture(PublishService.PublishResult.accepted(new Ingest() {
      @Override
      public String streamName() {
        return "show";
      }

      @Override
      public void onMessage(RtmpMessage message) {
        seenOn.add(onHome());
        received.add(message.timestamp());
      }

      @Override
      public void touch() {
      }

      @Override
      public void close() {
        seenOn.add(onHome());
        received.add(-1L);
      }
    }));
  };

  private final PublishService.PublisherConnection publisher = new PublishService.PublisherConnection() {
    private void note(String event) {
      publisherEvents.add(event + (Vertx.currentContext() == loop ? "" : " off its loop"));
    }

    @Override
    public void evict(String reason) {
      note("evicted: " + reason);
    }

    @Override
    public void pauseReading() {
      note("paused");
    }

    @Override
    public void resumeReading() {
      note("resumed");
    }
  };

  private String onHome() {
    return Vertx.currentContext() == home ? "home" : "elsewhere";
  }

  @AfterEach
  void closeVertx() {
    Await.result(vertx.close());
  }

  private PublishService.PublishResult publish(String key) {
    LoopPublishService service = new LoopPublishService(home, homeService, BEHIND_LIMIT_BYTES);
    return Await.on(loop, () -> service.publish(
        new PublishService.PublishRequest("live", key, "", "live", "127.0.0.1:1", publisher)));
  }

  private static RtmpMessage media(long timestamp, int size) {
    return new RtmpMessage(6, MessageType.AUDIO, timestamp, 1, Buffer.buffer(new byte[size]));
  }

  @Test
  void requestMessagesAndCloseRunOnTheHomeLoopAndEvictionsOnThePublishersLoop() {
    PublishService.PublishResult result = publish("key");
    assertEquals("show", result.ingest().streamName());
    Await.run(loop, () -> {
      result.ingest().onMessage(media(1, 10));
      result.ingest().onMessage(media(2, 10));
      result.ingest().close();
    });
    Await.until(() -> received.size() == 3, "messages and the close at home");
    assertEquals(List.of(1L, 2L, -1L), received);
    assertTrue(seenOn.stream().allMatch("home"::equals), seenOn.toString());
    Await.until(() -> !publisherEvents.isEmpty(), "the eviction");
    assertEquals(List.of("evicted: taken over"), publisherEvents);
  }

  @Test
  void refusalComesBackAsIs() {
    PublishService.PublishResult result = publish("wrong");
    assertEquals(Status.PUBLISH_DENIED, result.code());
    assertNull(result.ingest());
  }

  @Test
  void publisherIsPausedWhileTheHomeLoopIsBehindAndResumedOnceItCatchesUp() {
    PublishService.PublishResult result = publish("key");
    Await.until(() -> !publisherEvents.isEmpty(), "the eviction");
    publisherEvents.clear();
    CountDownLatch release = new CountDownLatch(1);
    home.runOnContext(v -> {
      try {
        release.await(); // the home loop is stuck: an overloaded machine
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    Await.run(loop, () -> {
      for (int i = 0; i < 5; i++) {
        result.ingest().onMessage(media(i, 400));
      }
    });
    assertEquals(List.of("paused"), publisherEvents, "paused once past the limit, not per message");
    release.countDown();
    Await.until(() -> publisherEvents.size() == 2, "resumed");
    assertEquals(List.of("paused", "resumed"), publisherEvents);
    assertEquals(List.of(0L, 1L, 2L, 3L, 4L), received, "nothing lost");
  }
}

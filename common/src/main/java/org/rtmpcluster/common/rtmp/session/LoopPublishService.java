package org.rtmpcluster.common.rtmp.session;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.rtmpcluster.common.rtmp.chunk.RtmpMessage;

/**
 * Publishing from a connection on another event loop than the node's home loop, where streams
 * are published: the request, each message and the close hop to the home loop, and the answer and
 * an eviction hop back. A publisher sends tens of messages a second, so a hop each costs little.
 * Should the home loop fall behind, a publisher stops being read once the bytes it handed over and
 * the home loop has not yet taken pass a limit, so nothing queues without bound.
 */
public final class LoopPublishService implements PublishService {
  private final Context home;
  private final PublishService homeService;
  private final long behindLimitBytes;

  /**
   * @param homeService      the node's publish service, called on {@code home} only
   * @param behindLimitBytes a publisher's bytes on their way to the home loop before it is paused
   */
  public LoopPublishService(Context home, PublishService homeService, long behindLimitBytes) {
    this.home = home;
    this.homeService = homeService;
    this.behindLimitBytes = behindLimitBytes;
  }

  @Override
  public Future<PublishResult> publish(PublishRequest request) {
    Context loop = Vertx.currentContext();
    Promise<PublishResult> answer = Promise.promise();
    PublisherConnection publisher = request.connection();
    PublisherConnection fromHome = new PublisherConnection() {
      @Override
      public void evict(String reason) {
        loop.runOnContext(v -> publisher.evict(reason));
      }

      @Override
      public void pauseReading() {
        loop.runOnContext(v -> publisher.pauseReading());
      }

      @Override
      public void resumeReading() {
        loop.runOnContext(v -> publisher.resumeReading());
      }
    };
    home.runOnContext(v -> homeService.publish(request.withConnection(fromHome)).onComplete(done -> {
      if (done.failed()) {
        loop.runOnContext(w -> answer.fail(done.cause()));
        return;
      }
      PublishResult result = done.result();
      PublishResult bridged = result.ingest() == null ? result
          : PublishResult.accepted(new HomeIngest(home, loop, result.ingest(), publisher, behindLimitBytes));
      loop.runOnContext(w -> answer.complete(bridged));
    }));
    return answer.future();
  }

  /** An ingest on the home loop, used from the publisher's loop. */
  private static final class HomeIngest implements Ingest {
    private final Context home;
    private final Context loop;
    private final Ingest ingest;
    private final String streamName;
    private final PublisherConnection publisher;
    private final long behindLimitBytes;
    private final AtomicLong inFlightBytes = new AtomicLong();
    private final AtomicBoolean paused = new AtomicBoolean();

    HomeIngest(Context home, Context loop, Ingest ingest, PublisherConnection publisher, long behindLimitBytes) {
      this.home = home;
      this.loop = loop;
      this.ingest = ingest;
      this.streamName = ingest.streamName();
      this.publisher = publisher;
      this.behindLimitBytes = behindLimitBytes;
    }

    @Override
    public String streamName() {
      return streamName;
    }

    @Override
    public void onMessage(RtmpMessage message) {
      int size = message.payload().length();
      if (inFlightBytes.addAndGet(size) > behindLimitBytes && paused.compareAndSet(false, true)) {
        publisher.pauseReading();
      }
      home.runOnContext(v -> {
        ingest.onMessage(message);
        if (inFlightBytes.addAndGet(-size) <= behindLimitBytes / 2 && paused.get()) {
          loop.runOnContext(w -> {
            if (paused.compareAndSet(true, false)) {
              publisher.resumeReading();
            }
          });
        }
      });
    }

    @Override
    public void touch() {
      home.runOnContext(v -> ingest.touch());
    }

    @Override
    public void close() {
      home.runOnContext(v -> ingest.close());
    }
  }
}

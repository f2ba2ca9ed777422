package org.rtmpcluster.common.rtmp.session;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.rtmpcluster.common.rtmp.chunk.RtmpMessage;

/**
 * Publishing from a connection on another event loop than the node's home loop, where streams
 * are published: the request, each message and the close hop to the home loop, and the answer and
 * an eviction hop back. A publisher sends tens of messages a second, so a hop each costs little.
 */
public final class LoopPublishService implements PublishService {
  private final Context home;
  private final PublishService homeService;

  /** @param homeService the node's publish service, called on {@code home} only */
  public LoopPublishService(Context home, PublishService homeService) {
    this.home = home;
    this.homeService = homeService;
  }

  @Override
  public Future<PublishResult> publish(PublishRequest request) {
    Context loop = Vertx.currentContext();
    Promise<PublishResult> answer = Promise.promise();
    PublisherConnection connection = reason -> loop.runOnContext(v -> request.connection().evict(reason));
    home.runOnContext(v -> homeService.publish(request.withConnection(connection)).onComplete(done -> {
      if (done.failed()) {
        loop.runOnContext(w -> answer.fail(done.cause()));
        return;
      }
      PublishResult result = done.result();
      PublishResult bridged = result.ingest() == null ? result
          : PublishResult.accepted(new HomeIngest(home, result.ingest()));
      loop.runOnContext(w -> answer.complete(bridged));
    }));
    return answer.future();
  }

  /** An ingest on the home loop, used from the publisher's loop. */
  private static final class HomeIngest implements Ingest {
    private final Context home;
    private final Ingest ingest;
    private final String streamName;

    HomeIngest(Context home, Ingest ingest) {
      this.home = home;
      this.ingest = ingest;
      this.streamName = ingest.streamName();
    }

    @Override
    public String streamName() {
      return streamName;
    }

    @Override
    public void onMessage(RtmpMessage message) {
      home.runOnContext(v -> ingest.onMessage(message));
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

package org.rtmpcluster.origin;

import io.vertx.core.Future;
import java.util.function.Consumer;
import org.rtmpcluster.common.amf.AmfLimits;
import org.rtmpcluster.common.config.StreamKey;
import org.rtmpcluster.common.config.StreamSettings;
import org.rtmpcluster.common.rtmp.session.PublishService;
import org.rtmpcluster.common.rtmp.session.Status;
import org.rtmpcluster.common.stream.HomeStream;
import org.rtmpcluster.common.stream.StreamNames;
import org.rtmpcluster.common.stream.StreamHub;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The origin role: checks a publisher's key and attaches it to the live stream of that name. */
public final class OriginPublishService implements PublishService {
  private static final Logger log = LoggerFactory.getLogger(OriginPublishService.class);

  private final StreamHub<HomeStream> hub;
  private final StreamKeys keys;
  private final StreamSettings settings;
  private final AmfLimits amfLimits;

  private final Consumer<HomeStream> onPublish;

  /** A standalone origin: streams stay on this node. */
  public OriginPublishService(StreamHub<HomeStream> hub, StreamSettings settings, AmfLimits amfLimits) {
    this(hub, settings, amfLimits, stream -> { });
  }

  /**
   * @param onPublish called for a stream before a publisher attaches to it, so that a cluster
   *                  origin can relay it; must be idempotent
   */
  public OriginPublishService(StreamHub<HomeStream> hub, StreamSettings settings, AmfLimits amfLimits,
      Consumer<HomeStream> onPublish) {
    this.hub = hub;
    this.settings = settings;
    this.keys = new StreamKeys(settings.effectiveKeys());
    this.amfLimits = amfLimits;
    this.onPublish = onPublish;
  }

  @Override
  public Future<PublishResult> publish(PublishRequest request) {
    return Future.succeededFuture(attach(request));
  }

  private PublishResult attach(PublishRequest request) {
    if (!"live".equals(request.publishType())) {
      log.info("{} asked to publish with type '{}'; this server only does live", request.remote(),
          request.publishType());
    }
    String publicName = request.admittedName() != null ? request.admittedName()
        : keys.nameFor(request.streamKey(), request.app());
    if (publicName == null) {
      log.warn("publish refused from {}: unknown stream key {} in app '{}'", request.remote(),
          StreamKey.mask(request.streamKey()), request.app());
      return PublishResult.refused(Status.PUBLISH_DENIED, "unknown stream key");
    }
    String name = StreamNames.of(request.app(), publicName);
    HomeStream stream = hub.getOrCreate(name);
    if (stream == null) {
      log.warn("publish refused from {}: node holds its maximum of {} streams", request.remote(),
          settings.maxStreams());
      return PublishResult.refused(Status.PUBLISH_DENIED,
          "this node holds its maximum of " + settings.maxStreams() + " streams");
    }
    onPublish.accept(stream);
    PublisherIngest ingest = new PublisherIngest(stream, request, amfLimits);
    HomeStream.AttachResult result = stream.attachPublisher(ingest);
    if (result == HomeStream.AttachResult.BUSY) {
      log.info("publish refused from {}: stream {} is live from another publisher", request.remote(), name);
      return PublishResult.refused(Status.PUBLISH_BAD_NAME, "stream " + name + " is already being published");
    }
    log.info("{} publishes stream {} (epoch {})", request.remote(), name, stream.epoch());
    return PublishResult.accepted(ingest);
  }
}

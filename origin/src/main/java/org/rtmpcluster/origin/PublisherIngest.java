package org.rtmpcluster.origin;

import io.vertx.core.buffer.Buffer;
import org.rtmpcluster.common.amf.AmfException;
import org.rtmpcluster.common.amf.AmfLimits;
import org.rtmpcluster.common.media.AggregateMessage;
import org.rtmpcluster.common.media.AudioTag;
import org.rtmpcluster.common.media.VideoTag;
import org.rtmpcluster.common.rtmp.chunk.RtmpMessage;
import org.rtmpcluster.common.rtmp.message.DataMessage;
import org.rtmpcluster.common.rtmp.message.MessageType;
import org.rtmpcluster.common.rtmp.session.Ingest;
import org.rtmpcluster.common.rtmp.session.PublishService.PublishRequest;
import org.rtmpcluster.common.stream.HomeStream;
import org.rtmpcluster.common.stream.MediaFrame;
import org.rtmpcluster.common.stream.PublisherHandle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One publisher's messages turned into frames of its live stream: media facts worked out once,
 * {@code @setDataFrame onMetaData} kept as the stream's metadata, aggregates split.
 */
final class PublisherIngest implements Ingest, PublisherHandle {
  private static final Logger log = LoggerFactory.getLogger(PublisherIngest.class);
  /** An aggregate of more parts than this is not what any encoder sends. */
  private static final int MAX_AGGREGATE_PARTS = 1024;

  private final HomeStream stream;
  private final PublishRequest request;
  private final AmfLimits amfLimits;
  private boolean closed;

  PublisherIngest(HomeStream stream, PublishRequest request, AmfLimits amfLimits) {
    this.stream = stream;
    this.request = request;
    this.amfLimits = amfLimits;
  }

  @Override
  public String streamName() {
    return stream.name();
  }

  @Override
  public void onMessage(RtmpMessage message) {
    if (closed) {
      return;
    }
    switch (message.typeId()) {
      case MessageType.AUDIO, MessageType.VIDEO ->
          onMedia(message.typeId(), message.timestamp(), message.payload());
      case MessageType.DATA_AMF0, MessageType.DATA_AMF3 -> onData(message);
      case MessageType.AGGREGATE -> {
        String error = AggregateMessage.split(message.payload(), message.timestamp(), MAX_AGGREGATE_PARTS,
            (type, timestamp, body) -> {
              if (type == MessageType.AUDIO || type == MessageType.VIDEO) {
                onMedia(type, timestamp, body);
              }
            });
        if (error != null) {
          log.warn("stream {}: dropped a bad aggregate message from {}: {}", stream.name(), request.remote(), error);
        }
      }
      default -> {
      }
    }
  }

  private void onMedia(int type, long timestamp, Buffer payload) {
    if (payload.length() == 0) {
      return;
    }
    int flags = 0;
    if (type == MessageType.VIDEO) {
      if (VideoTag.isSequenceHeader(payload)) {
        flags |= MediaFrame.SEQUENCE_HEADER;
      } else if (VideoTag.isKeyframe(payload)) {
        flags |= MediaFrame.KEYFRAME;
      }
    } else if (AudioTag.isSequenceHeader(payload)) {
      flags |= MediaFrame.SEQUENCE_HEADER;
    }
    stream.publish(this, new MediaFrame(type, timestamp, payload, flags));
  }

  private void onData(RtmpMessage message) {
    DataMessage data;
    try {
      data = DataMessage.forPlayers(message, amfLimits);
    } catch (AmfException e) {
      log.warn("stream {}: dropped a bad data message from {}: {}", stream.name(), request.remote(), e.getMessage());
      return;
    }
    if (data != null) {
      stream.publish(this, new MediaFrame(MessageType.DATA_AMF0, message.timestamp(), data.body(),
          data.isMetadata() ? MediaFrame.METADATA : 0));
    }
  }

  @Override
  public void touch() {
    stream.touch(this);
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      log.info("{} stopped publishing stream {}", request.remote(), stream.name());
      stream.detachPublisher(this);
    }
  }

  @Override
  public void evict(String reason) {
    closed = true;
    request.connection().evict(reason);
  }

  @Override
  public String describe() {
    return request.remote();
  }
}

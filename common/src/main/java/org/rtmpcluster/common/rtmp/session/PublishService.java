package org.rtmpcluster.common.rtmp.session;

import io.vertx.core.Future;

/** Accepts publishers: what a node with the origin role provides. */
public interface PublishService {

  /**
   * What the publisher asked for. {@code streamKey} is the secret name from publish() with its
   * query string split off; never log it in full. {@code admittedName}, when not null, is the
   * public name an {@link Admission} vouched for (a webhook): the publish keys are then not
   * consulted.
   */
  record PublishRequest(String app, String streamKey, String query, String publishType, String remote,
      PublisherConnection connection, String admittedName) {
    public PublishRequest(String app, String streamKey, String query, String publishType, String remote,
        PublisherConnection connection) {
      this(app, streamKey, query, publishType, remote, connection, null);
    }

    public PublishRequest withConnection(PublisherConnection other) {
      return new PublishRequest(app, streamKey, query, publishType, remote, other, admittedName);
    }

    public PublishRequest admittedAs(String name) {
      return new PublishRequest(app, streamKey, query, publishType, remote, connection, name);
    }
  }

  /** What the origin may do to the publisher's connection later. */
  interface PublisherConnection {
    /** Another publisher took the stream: tell the client and close. */
    void evict(String reason);

    /** Stops reading from the publisher (back-pressure: its messages are not taken fast enough). */
    void pauseReading();

    void resumeReading();
  }

  /** Either an ingest, or a refusal sent as onStatus error with {@code code} and {@code description}. */
  record PublishResult(Ingest ingest, String code, String description) {
    public static PublishResult accepted(Ingest ingest) {
      return new PublishResult(ingest, null, null);
    }

    public static PublishResult refused(String code, String description) {
      return new PublishResult(null, code, description);
    }
  }

  /**
   * Called on the publisher's event loop; the result may come later (the stream may live on
   * another loop), and is delivered on the publisher's event loop.
   */
  Future<PublishResult> publish(PublishRequest request);
}

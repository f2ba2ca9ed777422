package org.rtmpcluster.edge;

import java.util.function.Consumer;
import org.rtmpcluster.common.config.StreamSettings;
import org.rtmpcluster.common.rtmp.session.PlayService;
import org.rtmpcluster.common.rtmp.session.PlayerOutput;
import org.rtmpcluster.common.rtmp.session.Status;
import org.rtmpcluster.common.stream.LiveStream;
import org.rtmpcluster.common.stream.StreamHub;

/**
 * The edge role: a player joins the live stream of the name it asked for. A name nobody publishes
 * yet is waited for, as nginx-rtmp and SRS do, so players may connect before the event starts.
 */
public final class EdgePlayService implements PlayService {
  private final StreamHub hub;
  private final StreamSettings settings;
  private final PlayerCounters counters = new PlayerCounters();
  private final Consumer<LiveStream> feed;

  /** A standalone edge: streams are fed by publishers on this node. */
  public EdgePlayService(StreamHub hub, StreamSettings settings) {
    this(hub, settings, stream -> { });
  }

  /**
   * @param feed called for each stream a player asks for, so that it gets fed (a cluster edge
   *             starts pulling it); must be idempotent
   */
  public EdgePlayService(StreamHub hub, StreamSettings settings, Consumer<LiveStream> feed) {
    this.hub = hub;
    this.settings = settings;
    this.feed = feed;
  }

  @Override
  public PlayResult play(PlayRequest request, PlayerOutput output) {
    LiveStream stream = hub.getOrCreate(request.streamName());
    if (stream == null) {
      return PlayResult.refused(Status.PLAY_FAILED,
          "this node holds its maximum of " + settings.maxStreams() + " streams");
    }
    feed.accept(stream);
    return PlayResult.accepted(new PlayerSession(stream, output, settings, counters));
  }

  public PlayerCounters counters() {
    return counters;
  }
}

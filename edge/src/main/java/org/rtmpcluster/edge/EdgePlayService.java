package org.rtmpcluster.edge;

import java.util.function.BooleanSupplier;
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
  private final PlayerCounters counters;
  private final Consumer<LiveStream> feed;
  private final BooleanSupplier overBudget;

  /** Players read the streams publishers on this event loop feed. */
  public EdgePlayService(StreamHub hub, StreamSettings settings) {
    this(hub, settings, new PlayerCounters(), stream -> { }, () -> false);
  }

  /**
   * @param counters   where slow players are counted (may be shared by several event loops)
   * @param feed       called for each stream a player asks for, so that it gets fed (from the
   *                   node's home event loop); must be idempotent
   * @param overBudget whether the node is over its budget of direct memory for players
   */
  public EdgePlayService(StreamHub hub, StreamSettings settings, PlayerCounters counters,
      Consumer<LiveStream> feed, BooleanSupplier overBudget) {
    this.hub = hub;
    this.settings = settings;
    this.counters = counters;
    this.feed = feed;
    this.overBudget = overBudget;
  }

  @Override
  public PlayResult play(PlayRequest request, PlayerOutput output) {
    if (overBudget.getAsBoolean()) {
      // A new player starts with a GOP's worth queued; the players already here come first.
      counters.playerRefusedOverBudget();
      return PlayResult.refused(Status.PLAY_FAILED, "this node is over its memory budget for players "
          + "(memory.direct-bytes); try again shortly or play from another edge");
    }
    LiveStream stream = hub.getOrCreate(request.streamName());
    if (stream == null) {
      return PlayResult.refused(Status.PLAY_FAILED,
          "this node holds its maximum of " + settings.maxStreams() + " streams");
    }
    feed.accept(stream);
    return PlayResult.accepted(new PlayerSession(stream, output, settings, counters, overBudget));
  }

  public PlayerCounters counters() {
    return counters;
  }
}

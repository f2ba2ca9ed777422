package org.rtmpcluster.edge;

import io.vertx.core.Future;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import org.rtmpcluster.common.config.StreamSettings;
import org.rtmpcluster.common.rtmp.session.PlayService;
import org.rtmpcluster.common.rtmp.session.PlayerOutput;
import org.rtmpcluster.common.rtmp.session.Status;
import org.rtmpcluster.common.stream.LiveStream;
import org.rtmpcluster.common.stream.StreamHub;
import org.rtmpcluster.common.stream.StreamNames;

/**
 * The edge role: a player joins the live stream of the name it asked for. A name nobody publishes
 * yet is waited for, as nginx-rtmp and SRS do, so players may connect before the event starts.
 */
public final class EdgePlayService implements PlayService {
  private final StreamSettings settings;
  private final PlayerCounters counters;
  /** The stream of a name, created and fed if need be; null when the hub is full. */
  private final Function<String, LiveStream> streams;
  private final BooleanSupplier overBudget;

  /** Players read the streams publishers on this event loop feed. */
  public EdgePlayService(StreamHub<?> hub, StreamSettings settings) {
    this(hub, settings, new PlayerCounters(), stream -> { }, () -> false);
  }

  /**
   * @param counters   where slow players are counted (may be shared by several event loops)
   * @param feed       called for each stream a player asks for, so that it gets fed (from the
   *                   node's home event loop); must be idempotent
   * @param overBudget whether the node is over its budget of direct memory for players
   */
  public <S extends LiveStream> EdgePlayService(StreamHub<S> hub, StreamSettings settings,
      PlayerCounters counters, Consumer<S> feed, BooleanSupplier overBudget) {
    this.streams = name -> {
      S stream = hub.getOrCreate(name);
      if (stream != null) {
        feed.accept(stream);
      }
      return stream;
    };
    this.settings = settings;
    this.counters = counters;
    this.overBudget = overBudget;
  }

  @Override
  public Future<PlayResult> play(PlayRequest request, PlayerOutput output) {
    return Future.succeededFuture(playNow(request, output));
  }

  private PlayResult playNow(PlayRequest request, PlayerOutput output) {
    if (overBudget.getAsBoolean()) {
      // A new player starts with a GOP's worth queued; the players already here come first.
      counters.playerRefusedOverBudget();
      return PlayResult.refused(Status.PLAY_FAILED, "this node is over its memory budget for players "
          + "(memory.direct-bytes); try again shortly or play from another edge");
    }
    LiveStream stream = streams.apply(StreamNames.of(request.app(), request.streamName()));
    if (stream == null) {
      return PlayResult.refused(Status.PLAY_FAILED,
          "this node holds its maximum of " + settings.maxStreams() + " streams");
    }
    return PlayResult.accepted(new PlayerSession(stream, output, settings, counters, overBudget));
  }

  public PlayerCounters counters() {
    return counters;
  }
}

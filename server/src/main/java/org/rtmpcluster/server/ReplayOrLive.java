package org.rtmpcluster.server;

import io.vertx.core.Future;
import java.util.function.BooleanSupplier;
import org.rtmpcluster.common.rtmp.session.PlayService;
import org.rtmpcluster.common.rtmp.session.PlayerOutput;
import org.rtmpcluster.common.rtmp.session.Status;
import org.rtmpcluster.origin.replay.ReplayService;

/**
 * Plays in the replay app ({@code record.replay.app}) are of recordings, on any node that has
 * them; the others are live, which needs the edge role.
 */
final class ReplayOrLive implements PlayService {
  private final ReplayService replay;
  private final PlayService live;
  private final BooleanSupplier overBudget;

  /**
   * @param live       the live plays, or null on a node without the edge role
   * @param overBudget whether the node is over its budget of direct memory for players
   */
  ReplayOrLive(ReplayService replay, PlayService live, BooleanSupplier overBudget) {
    this.replay = replay;
    this.live = live;
    this.overBudget = overBudget;
  }

  @Override
  public Future<PlayResult> play(PlayRequest request, PlayerOutput output) {
    if (!replay.serves(request.app())) {
      return live != null ? live.play(request, output) : Future.succeededFuture(PlayResult.refused(
          Status.PLAY_FAILED, "this node is an origin only: it does not serve live players; play from an edge node"));
    }
    if (overBudget.getAsBoolean()) {
      return Future.succeededFuture(PlayResult.refused(Status.PLAY_FAILED,
          "this node is over its memory budget for players (memory.direct-bytes); try again shortly"));
    }
    return replay.play(request, output);
  }
}

package org.rtmpcluster.common.rtmp.session;

/** Plays streams to players: what a node with the edge role provides. */
public interface PlayService {

  /** What the player asked for; {@code streamName} has its query string split off. */
  record PlayRequest(String app, String streamName, String query, double start, String remote) {
  }

  /** Either a playback, or a refusal sent as onStatus with {@code code} and {@code description}. */
  record PlayResult(Playback playback, String code, String description) {
    public static PlayResult accepted(Playback playback) {
      return new PlayResult(playback, null, null);
    }

    public static PlayResult refused(String code, String description) {
      return new PlayResult(null, code, description);
    }
  }

  /** The answer may take a while (a file to open), and comes on the player's event loop. */
  io.vertx.core.Future<PlayResult> play(PlayRequest request, PlayerOutput output);
}

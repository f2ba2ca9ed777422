package org.rtmpcluster.common.config;

/**
 * Replay of recordings (config section {@code record.replay}): players ask for
 * {@code rtmp://HOST/<app>/<stream app>/<file>} and get the FLV file under {@code record.path},
 * paced at real time, with seek and pause.
 *
 * @param enabled        whether this node plays recordings back
 * @param app            the RTMP application replay is asked for under ({@code vod})
 * @param leadMs         how far ahead of real time media is sent, so a player's buffer fills
 *                       before it plays and stays full
 * @param readAheadBytes bytes of a file a player may hold read and not yet sent: what one replay
 *                       costs in heap, besides the largest tag ({@code rtmp.max-message-length})
 * @param maxReplays     replays the node runs at once; more are refused. With the read-ahead, what
 *                       bounds the heap replays take
 */
public record ReplaySettings(boolean enabled, String app, long leadMs, int readAheadBytes, int maxReplays) {

  public static final ReplaySettings DEFAULT = new ReplaySettings(false, "vod", 1000, 1 << 20, 500);

  public ReplaySettings {
    if (app.isEmpty() || app.contains("/")) {
      throw new ConfigException("record.replay.app must be a single RTMP application name, not '" + app + "'");
    }
  }

  /** Whether a connect to {@code rtmpApp} asks for replay: the app itself, or it and a stream's app. */
  public boolean serves(String rtmpApp) {
    return enabled && (rtmpApp.equals(app) || rtmpApp.startsWith(app + "/"));
  }

  static ReplaySettings read(ConfigReader r) {
    ReplaySettings d = DEFAULT;
    ReplaySettings settings = new ReplaySettings(r.bool("enabled", d.enabled), r.string("app", d.app),
        r.whole("lead-ms", d.leadMs, 0, 60_000), r.integer("read-ahead-bytes", d.readAheadBytes, 64 << 10, 1 << 30),
        r.integer("max-replays", d.maxReplays, 0, 1_000_000));
    r.rejectUnknownKeys();
    return settings;
  }

  public ReplaySettings withEnabled(boolean on) {
    return new ReplaySettings(on, app, leadMs, readAheadBytes, maxReplays);
  }
}

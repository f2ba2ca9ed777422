package org.rtmpcluster.common.config;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Live streams: GOP cache bounds, publisher takeover, the players' grace period and slow-player
 * limits, and the publish keys (config section {@code streams}).
 *
 * @param maxStreams                 live streams this node holds at once
 * @param gopCacheMaxDurationMs      the GOP cache keeps at most this much media per stream
 * @param gopCacheMaxBytes           and at most this many bytes
 * @param publisherTakeoverMs        a second publisher of a live name is refused unless the
 *                                   current one has sent nothing for this long
 * @param playerGraceMs              players stay connected this long after their publisher left
 * @param playerQueueSoftLimitBytes  beyond this many unsent bytes a player skips video to the next keyframe
 * @param playerQueueHardLimitBytes  beyond this many a player is disconnected
 * @param keys                       publish keys; empty means the demo key only
 * @param apps                       the apps (the first part of the URL's path) the node serves;
 *                                   {@value #ANY_APP} for any. A stream is known by its app and
 *                                   name: live/show and backstage/show are two streams
 * @param segmentMs                  the stream's segment grid: HLS segments start at the first
 *                                   keyframe at or after each multiple of it on the cluster's
 *                                   media clock, so every node that serves a stream cuts it the
 *                                   same way; the whole cluster must agree on it
 * @param renditions                 streams that are renditions of one event, offered as one HLS
 *                                   multivariant playlist, and cut on one media clock
 */
public record StreamSettings(int maxStreams, int gopCacheMaxDurationMs, int gopCacheMaxBytes,
    int publisherTakeoverMs, int playerGraceMs, int playerQueueSoftLimitBytes,
    int playerQueueHardLimitBytes, List<StreamKey> keys, List<String> apps, int segmentMs,
    List<RenditionGroup> renditions) {

  public static final int DEFAULT_MAX_STREAMS = 1_000;
  /** Encoders send a keyframe every 1-4 s; 10 s holds a whole GOP of the slowest common setting. */
  public static final int DEFAULT_GOP_CACHE_MAX_DURATION_MS = 10_000;
  /** 10 s of a 12 Mbit/s stream. */
  public static final int DEFAULT_GOP_CACHE_MAX_BYTES = 16 << 20;
  /** Long enough not to steal a stream from an encoder in a hiccup, short enough for a reconnect. */
  public static final int DEFAULT_PUBLISHER_TAKEOVER_MS = 5_000;
  /** Covers an encoder's reconnect after a network drop. */
  public static final int DEFAULT_PLAYER_GRACE_MS = 15_000;
  /** About 2 s of a 12 Mbit/s stream queued before video is skipped. */
  public static final int DEFAULT_PLAYER_QUEUE_SOFT_LIMIT_BYTES = 3 << 20;
  public static final int DEFAULT_PLAYER_QUEUE_HARD_LIMIT_BYTES = 12 << 20;
  /** RFC 8216bis's and Apple's advice for live HLS, and two GOPs of a common encoder setting. */
  public static final int DEFAULT_SEGMENT_MS = 2_000;

  /** In {@code streams.apps}: every app name is served. */
  public static final String ANY_APP = "*";
  /** nginx-rtmp's, SRS's and most encoder presets' app. */
  public static final String DEFAULT_APP = "live";

  /** The key a fresh node accepts when none is configured; logged as a warning. */
  public static final StreamKey DEMO_KEY = new StreamKey("demo-key", "demo");

  public static final StreamSettings DEFAULT = new StreamSettings(DEFAULT_MAX_STREAMS,
      DEFAULT_GOP_CACHE_MAX_DURATION_MS, DEFAULT_GOP_CACHE_MAX_BYTES, DEFAULT_PUBLISHER_TAKEOVER_MS,
      DEFAULT_PLAYER_GRACE_MS, DEFAULT_PLAYER_QUEUE_SOFT_LIMIT_BYTES,
      DEFAULT_PLAYER_QUEUE_HARD_LIMIT_BYTES, List.of(), List.of(DEFAULT_APP), DEFAULT_SEGMENT_MS,
      List.of());

  public StreamSettings {
    keys = List.copyOf(keys);
    apps = List.copyOf(apps);
    renditions = List.copyOf(renditions);
    java.util.Set<String> grouped = new java.util.HashSet<>();
    for (RenditionGroup group : renditions) {
      for (String stream : group.streams()) {
        if (!grouped.add(stream)) {
          throw new ConfigException("streams.renditions: " + stream + " is in more than one group");
        }
      }
    }
    if (apps.isEmpty()) {
      throw new ConfigException("streams.apps needs at least one app (or \"*\" for any)");
    }
    for (String app : apps) {
      if (!ANY_APP.equals(app) && !StreamKey.isValidApp(app)) {
        throw new ConfigException("streams.apps: '" + app + "' is not an app name (letters, digits, '.', '_', '-')");
      }
    }
    if (playerQueueSoftLimitBytes > playerQueueHardLimitBytes) {
      throw new ConfigException("streams.player-queue-soft-limit-bytes must not exceed "
          + "streams.player-queue-hard-limit-bytes");
    }
  }

  static StreamSettings read(ConfigReader r) {
    StreamSettings d = DEFAULT;
    List<StreamKey> keys = new ArrayList<>();
    for (Object entry : r.array("keys")) {
      if (!(entry instanceof JsonObject key)) {
        throw new ConfigException(r.name("keys") + " entries need 'key' and 'name', not " + entry);
      }
      ConfigReader k = new ConfigReader(r.name("keys[]"), key);
      keys.add(new StreamKey(k.string("key", null), k.string("name", null), k.string("app", null)));
      k.rejectUnknownKeys();
    }
    StreamSettings settings = new StreamSettings(
        r.integer("max-streams", d.maxStreams, 1, 1_000_000),
        r.integer("gop-cache-max-duration-ms", d.gopCacheMaxDurationMs, 0, 600_000),
        r.integer("gop-cache-max-bytes", d.gopCacheMaxBytes, 0, 1 << 30),
        r.integer("publisher-takeover-ms", d.publisherTakeoverMs, 0, 3_600_000),
        r.integer("player-grace-ms", d.playerGraceMs, 0, 3_600_000),
        r.integer("player-queue-soft-limit-bytes", d.playerQueueSoftLimitBytes, 4096, Integer.MAX_VALUE),
        r.integer("player-queue-hard-limit-bytes", d.playerQueueHardLimitBytes, 4096, Integer.MAX_VALUE),
        keys, readApps(r),
        r.integer("segment-ms", d.segmentMs, 500, 30_000), readRenditions(r));
    r.rejectUnknownKeys();
    return settings;
  }

  private static List<RenditionGroup> readRenditions(ConfigReader r) {
    List<RenditionGroup> groups = new ArrayList<>();
    for (Object entry : r.array("renditions")) {
      if (!(entry instanceof JsonObject group)) {
        throw new ConfigException(r.name("renditions") + " entries need 'name' and 'streams', not " + entry);
      }
      ConfigReader g = new ConfigReader(r.name("renditions[]"), group);
      List<String> streams = new ArrayList<>();
      for (Object stream : g.array("streams")) {
        streams.add(String.valueOf(stream));
      }
      groups.add(new RenditionGroup(g.string("name", null), streams));
      g.rejectUnknownKeys();
    }
    return groups;
  }

  /** The group {@code stream} (app/name) is a rendition of, or null. */
  public RenditionGroup groupOf(String stream) {
    for (RenditionGroup group : renditions) {
      if (group.streams().contains(stream)) {
        return group;
      }
    }
    return null;
  }

  /** The group named {@code name} (app/name), or null. */
  public RenditionGroup group(String name) {
    for (RenditionGroup group : renditions) {
      if (group.name().equals(name)) {
        return group;
      }
    }
    return null;
  }

  private static List<String> readApps(ConfigReader r) {
    List<String> apps = new ArrayList<>();
    for (Object app : r.array("apps")) {
      apps.add(String.valueOf(app));
    }
    return apps.isEmpty() ? DEFAULT.apps : apps;
  }

  /** Whether a client may connect to {@code app}. */
  public boolean servesApp(String app) {
    return apps.contains(ANY_APP) || apps.contains(app);
  }

  public StreamSettings withKeys(List<StreamKey> newKeys) {
    return toBuilder().keys(newKeys).build();
  }

  public Builder toBuilder() {
    return new Builder(this);
  }

  /** Settings that differ from others in the fields named: {@code DEFAULT.toBuilder().playerGraceMs(300).build()}. */
  public static final class Builder {
    private int maxStreams;
    private int gopCacheMaxDurationMs;
    private int gopCacheMaxBytes;
    private int publisherTakeoverMs;
    private int playerGraceMs;
    private int playerQueueSoftLimitBytes;
    private int playerQueueHardLimitBytes;
    private List<StreamKey> keys;
    private List<String> apps;
    private int segmentMs;
    private List<RenditionGroup> renditions;

    private Builder(StreamSettings s) {
      maxStreams = s.maxStreams;
      gopCacheMaxDurationMs = s.gopCacheMaxDurationMs;
      gopCacheMaxBytes = s.gopCacheMaxBytes;
      publisherTakeoverMs = s.publisherTakeoverMs;
      playerGraceMs = s.playerGraceMs;
      playerQueueSoftLimitBytes = s.playerQueueSoftLimitBytes;
      playerQueueHardLimitBytes = s.playerQueueHardLimitBytes;
      keys = s.keys;
      apps = s.apps;
      segmentMs = s.segmentMs;
      renditions = s.renditions;
    }

    public Builder renditions(List<RenditionGroup> value) {
      renditions = value;
      return this;
    }

    public Builder segmentMs(int value) {
      segmentMs = value;
      return this;
    }

    public Builder apps(List<String> value) {
      apps = value;
      return this;
    }

    public Builder maxStreams(int value) {
      maxStreams = value;
      return this;
    }

    public Builder gopCacheMaxDurationMs(int value) {
      gopCacheMaxDurationMs = value;
      return this;
    }

    public Builder gopCacheMaxBytes(int value) {
      gopCacheMaxBytes = value;
      return this;
    }

    public Builder publisherTakeoverMs(int value) {
      publisherTakeoverMs = value;
      return this;
    }

    public Builder playerGraceMs(int value) {
      playerGraceMs = value;
      return this;
    }

    public Builder playerQueueSoftLimitBytes(int value) {
      playerQueueSoftLimitBytes = value;
      return this;
    }

    public Builder playerQueueHardLimitBytes(int value) {
      playerQueueHardLimitBytes = value;
      return this;
    }

    public Builder keys(List<StreamKey> value) {
      keys = value;
      return this;
    }

    public StreamSettings build() {
      return new StreamSettings(maxStreams, gopCacheMaxDurationMs, gopCacheMaxBytes, publisherTakeoverMs,
          playerGraceMs, playerQueueSoftLimitBytes, playerQueueHardLimitBytes, keys, apps, segmentMs,
          renditions);
    }
  }

  /** The keys in force: the configured ones, or the demo key when there are none. */
  public List<StreamKey> effectiveKeys() {
    return keys.isEmpty() ? List.of(DEMO_KEY) : keys;
  }

  public boolean usesDemoKey() {
    return keys.isEmpty();
  }
}

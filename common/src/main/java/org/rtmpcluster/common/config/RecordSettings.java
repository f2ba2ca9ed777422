package org.rtmpcluster.common.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Recording (config section {@code record}): which streams the origin that holds their claim
 * writes to FLV files, where, and when a file is cut.
 *
 * @param enabled         whether this origin records
 * @param streams         stream names ({@code live/show}) to record, or {@code *} for every stream
 * @param path            the directory files are written under, as {@code <app>/<name>-<start>.flv}
 * @param segmentMs       a new file begins at the first keyframe this long into the current one;
 *                        0: one file per publish
 * @param maxQueuedBytes  heap a recording may hold for the disk (written tags waiting, and frames
 *                        while its file is created); past it the recording skips to the next
 *                        keyframe. Per recording: a node holds at most twice this per recorded stream
 * @param maxNodeQueuedBytes the same for all of the node's recordings together
 * @param replay          playing the files under {@code path} back to RTMP players
 */
public record RecordSettings(boolean enabled, List<String> streams, String path, long segmentMs,
    int maxQueuedBytes, long maxNodeQueuedBytes, ReplaySettings replay) {

  public static final RecordSettings DEFAULT = new RecordSettings(false, List.of("*"), "recordings", 0,
      8 << 20, 64L << 20, ReplaySettings.DEFAULT);

  public RecordSettings {
    streams = List.copyOf(streams);
  }

  /** Whether {@code stream} is to be recorded. */
  public boolean records(String stream) {
    return enabled && (streams.contains("*") || streams.contains(stream));
  }

  static RecordSettings read(ConfigReader r) {
    RecordSettings d = DEFAULT;
    List<String> streams = new ArrayList<>();
    for (Object stream : r.array("streams")) {
      streams.add(String.valueOf(stream));
    }
    RecordSettings settings = new RecordSettings(r.bool("enabled", d.enabled),
        streams.isEmpty() ? d.streams : streams, r.string("path", d.path),
        r.whole("segment-ms", d.segmentMs, 0, 86_400_000L),
        r.integer("max-queued-bytes", d.maxQueuedBytes, 1 << 20, 1 << 30),
        r.whole("max-node-queued-bytes", d.maxNodeQueuedBytes, 1 << 20, 1L << 40), ReplaySettings.read(r.section("replay")));
    r.rejectUnknownKeys();
    return settings;
  }

  public RecordSettings withEnabled(boolean on, String newPath) {
    return new RecordSettings(on, streams, newPath, segmentMs, maxQueuedBytes, maxNodeQueuedBytes, replay);
  }

  public RecordSettings withSegmentMs(long newSegmentMs) {
    return new RecordSettings(enabled, streams, path, newSegmentMs, maxQueuedBytes, maxNodeQueuedBytes, replay);
  }

  public RecordSettings withReplay(ReplaySettings newReplay) {
    return new RecordSettings(enabled, streams, path, segmentMs, maxQueuedBytes, maxNodeQueuedBytes, newReplay);
  }
}

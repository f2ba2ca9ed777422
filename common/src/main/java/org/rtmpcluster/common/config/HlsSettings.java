package org.rtmpcluster.common.config;

/**
 * HLS on the playback listener (config section {@code play-http.hls}); the segment grid itself is
 * {@code streams.segment-ms}, which origins need as well.
 *
 * @param partMs          the LL-HLS part target: a part ends before the frame that would take it
 *                        past this, at its predecessor's pace (RFC 8216bis 4.4.4.9; three parts of
 *                        hold-back)
 * @param windowSegments  the playlist's sliding window, in whole segments
 * @param windowBytes     and at most this many bytes of segments per stream
 * @param idleMs          a stream's segmenter is stopped once nobody asked anything of it this long
 * @param maxWaiting      requests held per node (blocking playlist reloads, preloaded parts,
 *                        the first playlist); more get 503
 * @param maxBytes        segments held for all streams of the node together; past it no new
 *                        stream's HLS is started (503) until some stop. Running ones are bounded
 *                        each by windowBytes and half of it for the segment being cut. 0: an
 *                        eighth of the heap
 */
public record HlsSettings(int partMs, int windowSegments, long windowBytes, int idleMs, int maxWaiting,
    long maxBytes) {
  public static final HlsSettings DEFAULT = new HlsSettings(500, 6, 64L << 20, 30_000, 10_000, 0);

  /** {@link #maxBytes}, with 0 sized from this JVM's heap. */
  public long effectiveMaxBytes() {
    return maxBytes > 0 ? maxBytes : org.rtmpcluster.common.memory.MemoryLimits.maxHeapBytes() / 8;
  }

  static HlsSettings read(ConfigReader r) {
    HlsSettings d = DEFAULT;
    HlsSettings settings = new HlsSettings(r.integer("part-ms", d.partMs, 100, 5_000),
        r.integer("window-segments", d.windowSegments, 3, 1_000),
        r.whole("window-bytes", d.windowBytes, 1L << 20, 1L << 40),
        r.integer("idle-ms", d.idleMs, 1_000, 3_600_000),
        r.integer("max-waiting", d.maxWaiting, 1, 1_000_000),
        r.whole("max-bytes", d.maxBytes, 0, 1L << 44));
    r.rejectUnknownKeys();
    return settings;
  }
}

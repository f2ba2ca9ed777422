package org.rtmpcluster.edge.hls;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import org.rtmpcluster.common.stream.LiveStream;
import org.rtmpcluster.common.stream.MediaFrame;
import org.rtmpcluster.common.stream.StreamListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One stream as Low-Latency HLS with fMP4 parts and segments (RFC 8216bis), cut on the cluster's
 * media clock ({@link MediaFrame#mediaTime}) so that every node cuts the same way.
 *
 * <p>The grid: a segment starts at the first keyframe (for audio-only streams, audio frame) at or
 * after each multiple of the segment time, and is numbered by that multiple; a part ends before
 * the first frame that would take it past the part time (at that frame's predecessor's pace), so
 * parts are at most the part target (4.4.4.9), and is numbered from 0 in its segment. Its bytes (one moof and mdat per part; a segment is its parts end to end) depend only
 * on the frames. So two nodes that serve one stream list the same segments under the same numbers
 * with the same bytes, whenever they started; a segmenter that starts late begins at the first
 * keyframe it can tell is a segment's first, since it saw the keyframe before.
 *
 * <p>Numbers must be consecutive within a playlist. A keyframe interval above the segment time
 * leaves a multiple without a keyframe: the next segment then takes the next number (and nodes
 * that started on either side of that point number differently from then on; logged once). A
 * new publisher whose first segment does not follow on starts a fresh window. Event loop only.
 */
final class HlsStream implements StreamListener {
  private static final Logger log = LoggerFactory.getLogger(HlsStream.class);
  /** Recent segments keep their parts listed; older ones only as whole segments (4.4.4.9). */
  static final int SEGMENTS_WITH_PARTS = 3;
  /** A segment's parts at most; their index is one byte of a fragment's sequence number. */
  static final int MAX_PARTS = 255;

  /** A finished part: its index in its segment, media time, duration, whether it starts with a keyframe. */
  record Part(int index, long startMs, long durationMs, boolean independent, Buffer bytes) {
  }

  /** A segment: open while its parts are being cut, then finished with its bytes. */
  static final class Segment {
    final long number;
    final long startMs;
    final boolean discontinuity;
    final String initName;
    final List<Part> parts = new ArrayList<>();
    long durationMs;
    Buffer bytes;

    Segment(long number, long startMs, boolean discontinuity, String initName) {
      this.number = number;
      this.startMs = startMs;
      this.discontinuity = discontinuity;
      this.initName = initName;
    }

    boolean finished() {
      return bytes != null;
    }

    Part part(int index) {
      return index < parts.size() ? parts.get(index) : null;
    }
  }

  private final LiveStream stream;
  private final long segmentMs;
  private final long partMs;
  private final int maxSegments;
  private final long maxBytes;
  private final Runnable onChange;
  private final Runnable onEnded;
  /** Counts what changes a playlist: parts, segments, a dropped window. */
  private long changes;
  private long playlistVersion = -1;
  private final Map<String, String> playlists = new java.util.HashMap<>();
  static final int MAX_CACHED_PLAYLISTS = 64;
  private final ArrayDeque<Segment> window = new ArrayDeque<>();
  private long windowBytes;
  private Segment open;
  /** The bytes of the open segment's parts; bounded like the window, as a keyframe may never come. */
  private long openBytes;
  private long longestMs;
  private long discontinuitySequence;
  private boolean discontinuityNext;
  private boolean warnedSkip;
  /** The grid cell of the last keyframe seen; {@code Long.MIN_VALUE} before the first. */
  private long lastSyncCell = Long.MIN_VALUE;
  /** The number last given to a segment, kept or not; numbers never repeat. */
  private long lastNumber = Long.MIN_VALUE;
  private long lastMediaTime = Long.MIN_VALUE;
  private long lastVideoIntervalMs = 40;

  private VideoConfig video;
  private AacConfig audio;
  private boolean unsupportedVideo;
  /** Init segments by name, the one in force last; the window's segments name theirs. */
  private final Map<String, Buffer> inits = new LinkedHashMap<>();
  private String initName;

  /** The part being cut. */
  private final List<MediaFrame> partVideo = new ArrayList<>();
  private final List<MediaFrame> partAudio = new ArrayList<>();
  private long partStartMs;
  private boolean partIndependent;
  private long lastRequestMs;

  /**
   * @param onChange told each time a part or segment is finished, or the window is dropped
   * @param onEnded  told when the stream ended (its last publisher gone for the grace period)
   */
  HlsStream(LiveStream stream, long segmentMs, long partMs, int maxSegments, long maxBytes, long nowMs,
      Runnable onChange, Runnable onEnded) {
    this.onEnded = onEnded;
    this.stream = stream;
    this.segmentMs = segmentMs;
    this.partMs = Math.min(partMs, segmentMs);
    this.maxSegments = maxSegments;
    this.maxBytes = maxBytes;
    this.onChange = () -> {
      changes++;
      onChange.run();
    };
    this.lastRequestMs = nowMs;
  }

  void start() {
    stream.addListener(this);
  }

  void stop() {
    stream.removeListener(this);
    forgetSegments();
  }

  void requested(long nowMs) {
    lastRequestMs = nowMs;
  }

  long lastRequestMs() {
    return lastRequestMs;
  }

  /** EXT-X-TARGETDURATION in ms: whole seconds, at least the segment time and the longest segment cut. */
  long targetDurationMs() {
    return (Math.max(segmentMs, longestMs) + 999) / 1000 * 1000;
  }

  Buffer init(String name) {
    return inits.get(name);
  }

  /**
   * Whether a playlist can be given: one whole segment at least, for players that read segments
   * only (ffmpeg, and HLS players without low-latency mode) would find nothing to play in parts.
   */
  boolean ready() {
    return !window.isEmpty();
  }

  /** The finished segment numbered so, or null. */
  Segment segment(long number) {
    for (Segment segment : window) {
      if (segment.number == number) {
        return segment;
      }
    }
    return null;
  }

  /** The segment being cut, or null. */
  Segment open() {
    return open;
  }

  /** The bytes of segments and parts this stream holds: its window and the segment being cut. */
  long heldBytes() {
    return windowBytes + openBytes;
  }

  /** The number the next segment will most likely get: past the last listed one. */
  long nextNumber() {
    return lastNumber == Long.MIN_VALUE ? Long.MIN_VALUE : lastNumber + 1;
  }

  /** Whether a playlist asked for with {@code _HLS_msn} and {@code _HLS_part} (-1: none) can be given (6.2.5.2). */
  boolean has(long msn, int part) {
    Segment last = window.peekLast();
    if (last != null && last.number >= msn) {
      return true; // finished, with all of its parts
    }
    if (open == null) {
      return false;
    }
    return open.number > msn || open.number == msn && part >= 0 && part < open.parts.size();
  }

  /**
   * The media playlist, made once per change for each query a few viewers share (tokens differ
   * per viewer; many held requests of one viewer, or tokenless ones, share one).
   */
  String playlist(String query) {
    if (playlistVersion != changes) {
      playlists.clear();
      playlistVersion = changes;
    }
    String made = playlists.get(query);
    if (made == null) {
      made = makePlaylist(query);
      if (playlists.size() < MAX_CACHED_PLAYLISTS) {
        playlists.put(query, made);
      }
    }
    return made;
  }

  /** The media playlist (RFC 8216bis 4.4, with the LL-HLS tags of 4.4.4.9 and 4.4.5.2); {@code query} goes on every URI. */
  private String makePlaylist(String query) {
    String suffix = query == null || query.isEmpty() ? "" : "?" + query;
    long targetSeconds = targetDurationMs() / 1000;
    List<Segment> listed = new ArrayList<>(window);
    if (open != null) {
      listed.add(open);
    }
    StringBuilder m3u8 = new StringBuilder(512 + 96 * listed.size())
        .append("#EXTM3U\n#EXT-X-VERSION:9\n")
        .append("#EXT-X-TARGETDURATION:").append(targetSeconds).append('\n')
        .append("#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=").append(seconds(3 * partMs))
        .append(",HOLD-BACK=").append(seconds(3 * targetSeconds * 1000)).append('\n')
        .append("#EXT-X-PART-INF:PART-TARGET=").append(seconds(partMs)).append('\n')
        .append("#EXT-X-MEDIA-SEQUENCE:").append(listed.get(0).number).append('\n')
        .append("#EXT-X-DISCONTINUITY-SEQUENCE:").append(discontinuitySequence).append('\n')
        .append("#EXT-X-INDEPENDENT-SEGMENTS\n");
    String map = null;
    int withParts = listed.size() - SEGMENTS_WITH_PARTS;
    for (int i = 0; i < listed.size(); i++) {
      Segment segment = listed.get(i);
      if (segment.discontinuity && i > 0) {
        m3u8.append("#EXT-X-DISCONTINUITY\n");
      }
      if (!segment.initName.equals(map)) {
        map = segment.initName;
        m3u8.append("#EXT-X-MAP:URI=\"").append(map).append(suffix).append("\"\n");
      }
      if (i == 0 || segment.discontinuity) {
        m3u8.append("#EXT-X-PROGRAM-DATE-TIME:").append(java.time.Instant.ofEpochMilli(segment.startMs)).append('\n');
      }
      if (i >= withParts) {
        for (Part part : segment.parts) {
          m3u8.append("#EXT-X-PART:DURATION=").append(seconds(part.durationMs)).append(",URI=\"")
              .append(segment.number).append('.').append(part.index).append(".m4s").append(suffix).append('"');
          if (part.independent) {
            m3u8.append(",INDEPENDENT=YES");
          }
          m3u8.append('\n');
        }
      }
      if (segment.finished()) {
        m3u8.append("#EXTINF:").append(seconds(segment.durationMs)).append(",\n")
            .append(segment.number).append(".m4s").append(suffix).append('\n');
      }
    }
    // The next part (6.2.6): of the open segment, or the first of the next, between the two.
    m3u8.append("#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"").append(open != null ? open.number : nextNumber()).append('.')
        .append(open != null ? open.parts.size() : 0).append(".m4s").append(suffix).append("\"\n");
    return m3u8.toString();
  }

  /**
   * This stream's {@code EXT-X-STREAM-INF} (RFC 8216bis 4.4.6.2): the peak and average bitrate of
   * the segments in the window, the picture size, the codecs. Call once {@link #ready}.
   */
  String variant() {
    long peak = 0;
    long bytes = 0;
    long durationMs = 0;
    for (Segment segment : window) {
      peak = Math.max(peak, segment.bytes.length() * 8_000L / Math.max(1, segment.durationMs));
      bytes += segment.bytes.length();
      durationMs += segment.durationMs;
    }
    StringBuilder tag = new StringBuilder("#EXT-X-STREAM-INF:BANDWIDTH=").append(Math.max(1, peak))
        .append(",AVERAGE-BANDWIDTH=").append(Math.max(1, bytes * 8_000L / Math.max(1, durationMs)));
    if (video != null && video.width() > 0 && video.height() > 0) {
      tag.append(",RESOLUTION=").append(video.width()).append('x').append(video.height());
    }
    StringBuilder codecs = new StringBuilder();
    if (video != null) {
      codecs.append(video.codecs());
    }
    if (audio != null) {
      codecs.append(codecs.length() > 0 ? "," : "").append(audio.codecs());
    }
    return tag.append(",CODECS=\"").append(codecs).append('"').toString();
  }

  private static String seconds(long ms) {
    return String.format(java.util.Locale.ROOT, "%.3f", ms / 1000.0);
  }

  @Override
  public void onFrame(MediaFrame frame) {
    if (frame.isMetadata() || !(frame.isVideo() || frame.isAudio())) {
      return;
    }
    if (frame.isSequenceHeader()) {
      onSequenceHeader(frame);
      return;
    }
    if (unsupportedVideo) {
      return;
    }
    long at = frame.mediaTime();
    if (lastMediaTime != Long.MIN_VALUE && at < lastMediaTime - segmentMs) {
      // The media clock went back (an origin with a clock behind took over): start over.
      // Numbers go on past the last one given, never back (RFC 8216bis 6.2.2).
      log.warn("stream {}: media time went back {} ms; HLS starts a fresh window", stream.name(),
          lastMediaTime - at);
      dropWindow();
      lastSyncCell = Long.MIN_VALUE;
      lastMediaTime = at;
    }
    if (frame.isVideo() && lastMediaTime != Long.MIN_VALUE && open != null && !partVideo.isEmpty()) {
      lastVideoIntervalMs = Math.max(1, at - partVideo.get(partVideo.size() - 1).mediaTime());
    }
    lastMediaTime = Math.max(lastMediaTime, at);
    boolean leads = video != null ? frame.isVideo() : audio != null && frame.isAudio();
    if (frame.isVideo() && video == null || frame.isAudio() && audio == null) {
      return; // no configuration for the track (or a codec this muxer does not write)
    }
    if (leads) {
      boolean sync = frame.isAudio() || frame.isKeyframe();
      if (sync) {
        long cell = Math.floorDiv(at, segmentMs);
        boolean first = lastSyncCell != Long.MIN_VALUE && cell > lastSyncCell;
        lastSyncCell = Math.max(lastSyncCell, cell);
        if (first) {
          startSegment(cell, at);
          (frame.isVideo() ? partVideo : partAudio).add(frame);
          partIndependent = true;
          return;
        }
      }
      if (open == null) {
        return;
      }
      List<MediaFrame> leading = frame.isVideo() ? partVideo : partAudio;
      long interval = leading.isEmpty() ? 0 : at - leading.get(leading.size() - 1).mediaTime();
      if (!leading.isEmpty() && at + interval - partStartMs > partMs) {
        finishPart(at);
        if (open == null) {
          return; // given up for want of a keyframe (see finishPart)
        }
        partStartMs = at;
        partIndependent = sync;
      }
      (frame.isVideo() ? partVideo : partAudio).add(frame);
    } else if (open != null && !partVideo.isEmpty()) {
      partAudio.add(frame);
    }
  }

  private void onSequenceHeader(MediaFrame frame) {
    try {
      if (frame.isVideo()) {
        video = VideoConfig.fromSequenceHeader(frame.payload());
      } else {
        audio = AacConfig.fromSequenceHeader(frame.payload());
      }
    } catch (RuntimeException e) {
      if (frame.isVideo() && !unsupportedVideo) {
        unsupportedVideo = true;
        log.info("stream {}: HLS serves H.264, H.265 and AV1 video ({}); until another sequence header, "
            + "this stream is not served as HLS", stream.name(), e.getMessage());
        video = null;
        dropWindow();
      }
      return;
    }
    if (frame.isVideo()) {
      unsupportedVideo = false;
    }
    Buffer init = Fmp4.init(video, audio);
    String name = initNameOf(init);
    if (initName != null && !name.equals(initName) && open != null) {
      // New codec settings: what was cut ends here, and the next segment starts after a discontinuity.
      finishOpen(lastMediaTime + lastVideoIntervalMs);
      discontinuityNext = true;
    }
    initName = name;
    inits.putIfAbsent(name, init);
    pruneInits(); // a publisher that sends new settings without a keyframe between adds none
  }

  /** Keeps the init in force and those the listed segments name, and no others. */
  private void pruneInits() {
    inits.keySet().removeIf(name -> !name.equals(initName) && window.stream().noneMatch(s -> s.initName.equals(name))
        && (open == null || !open.initName.equals(name)));
  }

  /** Init segments are named by their bytes, so every node gives the same name to the same init. */
  private static String initNameOf(Buffer init) {
    CRC32 crc = new CRC32();
    crc.update(init.getBytes());
    return String.format("init-%08x.mp4", crc.getValue());
  }

  private void startSegment(long cell, long at) {
    finishOpen(at);
    partVideo.clear();
    partAudio.clear();
    long number = cell;
    if (lastNumber != Long.MIN_VALUE && cell != lastNumber + 1) {
      if (discontinuityNext && cell > lastNumber) {
        // A new publisher whose segments do not follow on: a fresh window, numbered by the grid.
        log.info("stream {}: the new publisher's first HLS segment is {}, not {}; HLS starts a fresh window",
            stream.name(), cell, lastNumber + 1);
        dropWindow();
      } else if (!window.isEmpty() || cell <= lastNumber) {
        // A grid cell with no keyframe (or a clock that went back): numbers follow on from here.
        number = lastNumber + 1;
        if (!warnedSkip) {
          warnedSkip = true;
          log.warn("stream {}: segment {} follows {}: keyframes further apart than streams.segment-ms ({}), or a "
              + "media clock that went back; HLS numbers now follow on locally and may differ from other nodes'",
              stream.name(), cell, lastNumber, segmentMs);
        }
      }
    }
    boolean discontinuity = discontinuityNext && !window.isEmpty(); // counted when its tag leaves (trim)
    discontinuityNext = false;
    open = new Segment(number, at, discontinuity, initName);
    lastNumber = number;
    partStartMs = at;
  }

  /** Ends the part being cut at {@code endMs} (the next frame's media time). */
  private void finishPart(long endMs) {
    if (open == null || partVideo.isEmpty() && partAudio.isEmpty()) {
      return;
    }
    Part part = new Part(open.parts.size(), partStartMs, Math.max(1, endMs - partStartMs), partIndependent,
        fragment(open.number * 256 + open.parts.size() + 1, endMs));
    open.parts.add(part);
    openBytes += part.bytes.length();
    partVideo.clear();
    partAudio.clear();
    if (openBytes > maxBytes / 2 || open.parts.size() >= MAX_PARTS) {
      // No keyframe for this long: nothing can end the segment, and its number was listed, so the
      // window is given up; the next keyframe starts a fresh one, numbered past this segment.
      log.warn("stream {}: {} bytes and {} parts since the last keyframe; HLS drops its window",
          stream.name(), openBytes, open.parts.size());
      dropWindow();
      return;
    }
    onChange.run();
  }

  /** Ends the segment being cut, and its last part, at {@code endMs}. */
  private void finishOpen(long endMs) {
    if (open == null) {
      return;
    }
    finishPart(endMs);
    Segment segment = open;
    if (segment == null) {
      return; // given up in its last part (see finishPart)
    }
    open = null;
    openBytes = 0;
    if (segment.parts.isEmpty()) {
      return;
    }
    int length = 0;
    for (Part part : segment.parts) {
      length += part.bytes.length();
    }
    Buffer bytes = Buffer.buffer(length);
    for (int i = 0; i < segment.parts.size(); i++) {
      Part part = segment.parts.get(i);
      int offset = bytes.length();
      bytes.appendBuffer(part.bytes);
      // From now on a part is a slice of its segment: one copy of the bytes in memory.
      segment.parts.set(i, new Part(part.index, part.startMs, part.durationMs, part.independent,
          bytes.slice(offset, bytes.length())));
    }
    segment.bytes = bytes;
    segment.durationMs = endMs - segment.startMs;
    longestMs = Math.max(longestMs, segment.durationMs);
    window.addLast(segment);
    windowBytes += bytes.length();
    trim();
    onChange.run();
  }

  private void trim() {
    while (window.size() > maxSegments || windowBytes > maxBytes && window.size() > 1) {
      windowBytes -= window.removeFirst().bytes.length();
      Segment first = window.peekFirst();
      if (first.discontinuity) {
        discontinuitySequence++; // its tag leaves the playlist with the segment before it (6.2.2)
      }
    }
    pruneInits();
  }

  private void dropWindow() {
    if (!window.isEmpty()) {
      discontinuitySequence++;
    }
    forgetSegments();
    partVideo.clear();
    partAudio.clear();
    onChange.run();
  }

  /** The window and the segment being cut, gone. */
  private void forgetSegments() {
    window.clear();
    windowBytes = 0;
    open = null;
    openBytes = 0;
  }

  /** One part's moof and mdat: video at 90 kHz, audio at its sample rate, both from the media clock. */
  private Buffer fragment(long sequence, long endMs) {
    List<Fmp4.Sample> videoSamples = new ArrayList<>(partVideo.size());
    for (int i = 0; i < partVideo.size(); i++) {
      MediaFrame frame = partVideo.get(i);
      Buffer payload = frame.payload();
      VideoConfig.Coded coded = video.coded(payload);
      if (coded == null) {
        continue;
      }
      long next = i + 1 < partVideo.size() ? partVideo.get(i + 1).mediaTime() : endMs;
      videoSamples.add(new Fmp4.Sample(frame.mediaTime() * 90, (int) Math.max(1, (next - frame.mediaTime()) * 90),
          coded.compositionMs() * 90, frame.isKeyframe(), payload.getBuffer(coded.dataOffset(), payload.length())));
    }
    List<Fmp4.Sample> audioSamples = new ArrayList<>(partAudio.size());
    if (audio != null) {
      int rate = audio.sampleRate();
      for (int i = 0; i < partAudio.size(); i++) {
        MediaFrame frame = partAudio.get(i);
        if (frame.payload().length() < 3) {
          continue;
        }
        long at = frame.mediaTime() * rate / 1000;
        long next = i + 1 < partAudio.size() ? partAudio.get(i + 1).mediaTime() * rate / 1000 : at + 1024;
        audioSamples.add(new Fmp4.Sample(at, (int) Math.max(1, next - at), 0, true,
            frame.payload().getBuffer(2, frame.payload().length())));
      }
    }
    return Fmp4.fragment(sequence & 0xFFFFFFFFL, videoSamples, audioSamples);
  }

  @Override
  public void onPublisherStarted(long epoch) {
    unsupportedVideo = false; // the next publisher's sequence headers decide
    // What the last publisher left being cut ends at its last frame; the next starts after a discontinuity.
    if (open != null) {
      finishOpen(lastMediaTime + lastVideoIntervalMs);
    }
    partVideo.clear();
    partAudio.clear();
    if (!window.isEmpty()) {
      discontinuityNext = true;
    }
  }

  @Override
  public void onPublisherGone() {
  }

  @Override
  public void onStreamEnded() {
    forgetSegments();
    onEnded.run();
  }

  @Override
  public int players() {
    return 1; // its viewers are requests, not connections; it keeps the stream (and an edge's pull) alive
  }
}

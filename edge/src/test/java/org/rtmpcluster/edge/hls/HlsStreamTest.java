package org.rtmpcluster.edge.hls;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.rtmpcluster.common.config.StreamSettings;
import org.rtmpcluster.common.rtmp.message.MessageType;
import org.rtmpcluster.common.stream.HomeStream;
import org.rtmpcluster.common.stream.MediaFrame;
import org.rtmpcluster.common.stream.StreamHub;

/**
 * The LL-HLS segmenter (issue 11) on frames made here: where segments and parts are cut, how they
 * are numbered, and that two segmenters of one stream started apart give the same playlist
 * entries and the same bytes.
 */
class HlsStreamTest {
  /** A media time a quarter into a 2 s cell, as an origin gives a publisher after the first. */
  private static final long BASE = 1_780_000_000_500L;
  private static final Buffer AVC_HEADER = Buffer.buffer(new byte[] {0x17, 0, 0, 0, 0, 1, 0x42, 0, 0x1E, (byte) 0xFF,
      (byte) 0xE1, 0, 4, 0x67, 0x42, 0, 0x1E, 1, 0, 2, 0x68, (byte) 0xCE});
  private static final Buffer AAC_HEADER = Buffer.buffer(new byte[] {(byte) 0xAF, 0, 0x12, 0x10});

  private final StreamHub<HomeStream> hub = StreamHub.home(null, StreamSettings.DEFAULT, () -> 0);
  private int changes;

  private HlsStream segmenter(long segmentMs, long partMs, int maxSegments) {
    return new HlsStream(hub.getOrCreate("live/show"), segmentMs, partMs, maxSegments, 64L << 20, 0, () -> changes++, () -> { });
  }

  private static MediaFrame header(boolean video) {
    return new MediaFrame(video ? MessageType.VIDEO : MessageType.AUDIO, 0, video ? AVC_HEADER : AAC_HEADER,
        MediaFrame.SEQUENCE_HEADER | (video ? MediaFrame.KEYFRAME : 0), BASE);
  }

  private static MediaFrame video(long at, boolean keyframe) {
    Buffer payload = Buffer.buffer().appendByte((byte) (keyframe ? 0x17 : 0x27)).appendByte((byte) 1).appendMedium(0)
        .appendInt(4).appendLong(at);
    return new MediaFrame(MessageType.VIDEO, at - BASE, payload, keyframe ? MediaFrame.KEYFRAME : 0, at);
  }

  private static MediaFrame audio(long at) {
    return new MediaFrame(MessageType.AUDIO, at - BASE, Buffer.buffer().appendByte((byte) 0xAF).appendByte((byte) 1)
        .appendLong(at), 0, at);
  }

  /** {@code seconds} of 25 fps video with a keyframe every {@code gopMs}, and audio every 40 ms, from {@code from}. */
  private static List<MediaFrame> media(long from, long seconds, long gopMs) {
    List<MediaFrame> frames = new ArrayList<>();
    for (long t = 0; t < seconds * 1000; t += 40) {
      frames.add(video(from + t, t % gopMs == 0));
      frames.add(audio(from + t + 10));
    }
    return frames;
  }

  private static void feed(HlsStream hls, List<MediaFrame> frames) {
    hls.onFrame(header(true));
    hls.onFrame(header(false));
    frames.forEach(hls::onFrame);
  }

  private static List<String> entries(String playlist) {
    return playlist.lines().filter(line -> line.startsWith("#EXTINF") || line.endsWith(".m4s")
        || line.startsWith("#EXT-X-PART:")).toList();
  }

  @Test
  void segmentsStartAtTheFirstKeyframeOfEachGridCellAndAreNumberedByIt() {
    HlsStream hls = segmenter(2_000, 500, 6);
    feed(hls, media(BASE, 11, 1_000));
    String playlist = hls.playlist("");
    long firstCell = BASE / 2_000 + 1; // the first keyframe opens nothing: the one before it is unknown
    assertAll(playlist,
        () -> assertTrue(playlist.contains("#EXT-X-TARGETDURATION:2\n")),
        () -> assertTrue(playlist.contains("#EXT-X-PART-INF:PART-TARGET=0.500\n")),
        () -> assertTrue(playlist.contains("#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.500,HOLD-BACK=6.000\n")),
        () -> assertTrue(playlist.contains("#EXT-X-MEDIA-SEQUENCE:" + firstCell + "\n")),
        () -> assertTrue(playlist.contains("#EXTINF:2.000,\n" + firstCell + ".m4s\n")),
        () -> assertTrue(playlist.contains("#EXT-X-PART:DURATION=0.480,URI=\"" + (firstCell + 3) + ".0.m4s\",INDEPENDENT=YES\n")),
        () -> assertTrue(playlist.contains("#EXT-X-PART:DURATION=0.480,URI=\"" + (firstCell + 3) + ".1.m4s\"\n")),
        () -> assertTrue(playlist.lines().filter(line -> line.startsWith("#EXT-X-PART:"))
            .mapToDouble(line -> Double.parseDouble(line.substring(21, 26))).allMatch(d -> d <= 0.5), "parts within the target"),
        () -> assertTrue(playlist.contains("#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"" + (firstCell + 4) + ".")),
        () -> assertTrue(playlist.contains("#EXT-X-PROGRAM-DATE-TIME:2026-05-28T20:26:42.500Z\n")));
    HlsStream.Segment segment = hls.segment(firstCell);
    assertEquals(5, segment.parts.size()); // 480, 480, 480, 480 and 80 ms
    // A segment is its parts end to end.
    Buffer joined = Buffer.buffer();
    segment.parts.forEach(part -> joined.appendBuffer(part.bytes()));
    assertEquals(segment.bytes, joined);
  }

  @Test
  void twoSegmentersStartedApartListTheSameSegmentsWithTheSameBytes() {
    List<MediaFrame> frames = media(BASE, 20, 1_000);
    HlsStream early = segmenter(2_000, 500, 4);
    feed(early, frames);
    HlsStream late = segmenter(2_000, 500, 4);
    // A late node starts from its GOP cache: the headers, then the frames from a keyframe on.
    List<MediaFrame> fromCache = new ArrayList<>();
    for (MediaFrame frame : frames) {
      if (frame.mediaTime() >= BASE + 7_000 && frame.isVideo() && frame.isKeyframe() || !fromCache.isEmpty()) {
        fromCache.add(frame);
      }
    }
    feed(late, fromCache);
    assertEquals(entries(early.playlist("")), entries(late.playlist("")));
    long first = Long.parseLong(early.playlist("").lines().filter(l -> l.startsWith("#EXT-X-MEDIA-SEQUENCE:"))
        .findFirst().orElseThrow().substring(22));
    for (long n = first; n < first + 4; n++) {
      assertNotNull(late.segment(n), "segment " + n);
      assertEquals(early.segment(n).bytes, late.segment(n).bytes, "segment " + n);
    }
  }

  @Test
  void aNewPublisherContinuesTheNumbersAfterADiscontinuity() {
    HlsStream hls = segmenter(2_000, 500, 10);
    feed(hls, media(BASE, 6, 1_000));
    long lastOfFirst = BASE + 6_000 - 40;
    hls.onPublisherStarted(2);
    long lastKeyframe = BASE + 5_000;
    long next = Math.max(lastOfFirst + 40, (lastKeyframe / 2_000 + 1) * 2_000 + 500); // as an origin does
    feed(hls, media(next, 6, 1_000));
    String playlist = hls.playlist("");
    assertAll(playlist,
        () -> assertTrue(playlist.contains("#EXT-X-DISCONTINUITY\n#EXT-X-PROGRAM-DATE-TIME:"), "a discontinuity"),
        () -> assertTrue(playlist.contains("#EXT-X-DISCONTINUITY-SEQUENCE:0\n")),
        () -> assertTrue(playlist.contains((next / 2_000) + ".m4s\n"), "numbered by its cell"),
        () -> assertTrue(playlist.contains((next / 2_000 - 1) + ".m4s\n"), "after the last one's"));
  }

  @Test
  void keyframesFurtherApartThanTheGridStillGetConsecutiveNumbers() {
    HlsStream hls = segmenter(2_000, 500, 10);
    feed(hls, media(BASE, 20, 3_000));
    List<Long> numbers = hls.playlist("").lines().filter(line -> line.matches("\\d+\\.m4s"))
        .map(line -> Long.parseLong(line.substring(0, line.length() - 4))).toList();
    assertTrue(numbers.size() >= 4, numbers.toString());
    for (int i = 1; i < numbers.size(); i++) {
      assertEquals(numbers.get(i - 1) + 1, numbers.get(i), numbers.toString());
    }
  }

  @Test
  void theWindowKeepsItsNumberOfSegmentsAndOnlyTheLastOnesListTheirParts() {
    HlsStream hls = segmenter(2_000, 500, 3);
    feed(hls, media(BASE, 30, 1_000));
    String playlist = hls.playlist("");
    assertEquals(3, playlist.lines().filter(line -> line.startsWith("#EXTINF")).count(), playlist);
    long partsListed = playlist.lines().filter(line -> line.startsWith("#EXT-X-PART:")).count();
    assertTrue(partsListed >= 10 && partsListed <= 15, playlist);
  }

  @Test
  void aBlockingReloadWaitsForThePartItNames() {
    HlsStream hls = segmenter(2_000, 500, 6);
    feed(hls, media(BASE, 5, 1_000));
    HlsStream.Segment open = hls.open();
    assertNotNull(open);
    int parts = open.parts.size();
    assertAll(
        () -> assertTrue(hls.has(open.number, parts - 1)),
        () -> assertFalse(hls.has(open.number, parts)),
        () -> assertFalse(hls.has(open.number, -1), "the whole segment is not cut yet"),
        () -> assertTrue(hls.has(open.number - 1, -1)),
        () -> assertFalse(hls.has(open.number + 1, 0)));
  }

  @Test
  void aStreamThatNeverSendsAnotherKeyframeHoldsBoundedBytes() {
    HlsStream hls = new HlsStream(hub.getOrCreate("live/show"), 2_000, 500, 6, 1 << 20, 0, () -> changes++, () -> { });
    hls.onFrame(header(true));
    feedMedia(hls, media(BASE, 5, 1_000)); // segments 1-2 are there
    long lastBefore = hls.nextNumber() - 1;
    Buffer big = Buffer.buffer(new byte[20_000]);
    long t = 5_000;
    for (; t < 600_000; t += 40) {
      Buffer payload = Buffer.buffer().appendByte((byte) 0x27).appendByte((byte) 1).appendMedium(0).appendBuffer(big);
      hls.onFrame(new MediaFrame(MessageType.VIDEO, t, payload, 0, BASE + t));
      assertTrue(hls.heldBytes() <= (1 << 20) / 2 + 200_000, "held " + hls.heldBytes() + " at " + t);
    }
    assertFalse(hls.ready(), "the window was given up");
    // Keyframes come back: a fresh window, numbered past everything listed before, from a keyframe.
    feedMedia(hls, media(BASE + t, 8, 1_000));
    String playlist = hls.playlist("");
    long first = Long.parseLong(playlist.lines().filter(l -> l.startsWith("#EXT-X-MEDIA-SEQUENCE:")).findFirst()
        .orElseThrow().substring(22));
    assertAll(playlist,
        () -> assertTrue(first > lastBefore, "numbers never repeat: " + first + " after " + lastBefore),
        () -> assertTrue(playlist.contains("\n" + first + ".m4s\n")),
        () -> assertTrue(playlist.lines().filter(l -> l.contains(".0.m4s")).allMatch(l -> l.endsWith("INDEPENDENT=YES")),
            "every segment starts on a keyframe"));
  }

  private static void feedMedia(HlsStream hls, List<MediaFrame> frames) {
    frames.forEach(hls::onFrame);
  }

  @Test
  void aMediaClockThatGoesBackStartsAFreshWindowWithNumbersThatStillGoUp() {
    HlsStream hls = segmenter(2_000, 500, 6);
    feed(hls, media(BASE + 60_000, 8, 1_000));
    long before = hls.nextNumber();
    feedMedia(hls, media(BASE, 10, 1_000)); // an origin whose clock is a minute behind took over
    String playlist = hls.playlist("");
    long first = Long.parseLong(playlist.lines().filter(l -> l.startsWith("#EXT-X-MEDIA-SEQUENCE:")).findFirst()
        .orElseThrow().substring(22));
    assertTrue(first >= before, playlist);
    assertTrue(playlist.contains("#EXT-X-DISCONTINUITY-SEQUENCE:1\n"), playlist);
  }

  @Test
  void aStreamThatEndsTellsItsService() {
    boolean[] ended = {false};
    HlsStream hls = new HlsStream(hub.getOrCreate("live/show"), 2_000, 500, 6, 1 << 20, 0, () -> { },
        () -> ended[0] = true);
    feed(hls, media(BASE, 5, 1_000));
    hls.onStreamEnded();
    assertTrue(ended[0]);
    assertFalse(hls.ready());
  }

  @Test
  void aBadVideoHeaderStopsHlsOnlyUntilAGoodOne() {
    HlsStream hls = segmenter(2_000, 500, 6);
    hls.onFrame(new MediaFrame(MessageType.VIDEO, 0, Buffer.buffer(new byte[] {0x17, 0, 0, 0, 0, 9, 9, 9}),
        MediaFrame.SEQUENCE_HEADER | MediaFrame.KEYFRAME, BASE));
    feedMedia(hls, media(BASE, 3, 1_000));
    assertFalse(hls.ready());
    hls.onPublisherStarted(2);
    feed(hls, media(BASE + 10_000, 7, 1_000));
    assertTrue(hls.ready());
  }

  @Test
  void anAudioOnlyStreamIsCutOnItsAudio() {
    HlsStream hls = segmenter(2_000, 500, 6);
    hls.onFrame(header(false));
    for (long t = 0; t < 9_000; t += 23) {
      hls.onFrame(audio(BASE + t));
    }
    String playlist = hls.playlist("");
    assertTrue(playlist.lines().filter(line -> line.startsWith("#EXTINF")).count() >= 3, playlist);
    assertTrue(playlist.lines().filter(line -> line.startsWith("#EXT-X-PART:")).allMatch(l -> l.contains("INDEPENDENT=YES")),
        playlist);
  }

  @Test
  void aStreamWithAnotherVideoCodecIsNotServed() {
    HlsStream hls = segmenter(2_000, 500, 6);
    hls.onFrame(new MediaFrame(MessageType.VIDEO, 0, Buffer.buffer(new byte[] {0x1C, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8}),
        MediaFrame.SEQUENCE_HEADER | MediaFrame.KEYFRAME, BASE));
    media(BASE, 6, 1_000).forEach(hls::onFrame);
    assertFalse(hls.ready());
    assertNull(hls.open());
  }
}

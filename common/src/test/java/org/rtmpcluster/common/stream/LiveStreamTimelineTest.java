package org.rtmpcluster.common.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.rtmpcluster.common.config.StreamSettings;
import org.rtmpcluster.common.rtmp.chunk.ChunkDecoder;
import org.rtmpcluster.common.rtmp.chunk.RtmpMessage;
import org.rtmpcluster.common.rtmp.message.MessageType;
import org.rtmpcluster.common.testing.Chunks;
import org.rtmpcluster.common.testing.StreamFixtures;

/**
 * The players' timeline of a stream (issue 8, defect 6): RTMP timestamps are 32-bit milliseconds
 * that wrap, and players must see time go on linearly across the wrap, never freeze or race.
 */
class LiveStreamTimelineTest {
  private static final long WRAP = 1L << 32;
  private final AtomicLong now = new AtomicLong(1_000_000);
  private final StreamHub<HomeStream> hub = StreamHub.home(null, StreamSettings.DEFAULT, now::get);
  private final PublisherHandle publisher = StreamFixtures.publisher();
  private final List<MediaFrame> played = new ArrayList<>();
  private final HomeStream stream = hub.getOrCreate("s");

  LiveStreamTimelineTest() {
    stream.addListener(StreamFixtures.framesInto(played));
    stream.attachPublisher(publisher);
  }

  private void video(long timestamp, boolean keyframe) {
    stream.publish(publisher, new MediaFrame(MessageType.VIDEO, timestamp & 0xFFFFFFFFL,
        Buffer.buffer(new byte[] {(byte) (keyframe ? 0x17 : 0x27), 1, 0, 0, 0}), keyframe ? MediaFrame.KEYFRAME : 0));
  }

  private void audio(long timestamp) {
    stream.publish(publisher, new MediaFrame(MessageType.AUDIO, timestamp & 0xFFFFFFFFL,
        Buffer.buffer(new byte[] {(byte) 0xAF, 1, 0}), 0));
  }

  private List<Long> playTimestamps() {
    return played.stream().map(MediaFrame::playTimestamp).toList();
  }

  @Test
  void aPublisherWhoseTimestampsWrapGoesOnLinearly() {
    long start = WRAP - 100 * 33; // what ffmpeg -output_ts_offset 4294964 sends
    List<Long> expected = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      video(start + 33L * i, i % 30 == 0);
      expected.add(33L * i);
    }
    assertEquals(expected, playTimestamps());
  }

  /**
   * ffmpeg writes FLV timestamps as signed 32 bits: its RTMP timestamps drop from 2^31 - 1 to 0
   * (what {@code -output_ts_offset 4294960} gives after 7.3 s), audio and video each on their own.
   */
  @Test
  void ffmpegsDropFrom2To31ToZeroGoesOnLinearly() {
    long start = (1L << 31) - 50 * 33;
    List<Long> expected = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      long ts = (start + 33L * i) & 0x7FFFFFFFL;
      video(ts, i % 30 == 0);
      audio((ts - 10) & 0x7FFFFFFFL);
      expected.add(33L * i);
      expected.add(Math.max(33L * i, 33L * i - 10));
    }
    assertEquals(expected, playTimestamps());
  }

  @Test
  void anEncoderThatRestartsItsClockMidPublishGoesOnAtItsFrameRate() {
    for (int i = 0; i < 10; i++) {
      video(50_000 + 40L * i, i == 0);
    }
    for (int i = 0; i < 10; i++) {
      video(40L * i, i == 0);
    }
    List<Long> expected = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      expected.add(40L * i);
    }
    assertEquals(expected, playTimestamps());
  }

  @Test
  void theExtendedTimestampBoundaryIsNothingSpecial() {
    long start = 0xFFFFFFL - 10 * 33;
    for (int i = 0; i < 20; i++) {
      video(start + 33L * i, i == 0);
    }
    assertEquals(33L * 19, played.get(19).playTimestamp());
  }

  @Test
  void audioSlightlyBehindVideoAcrossTheWrapNeverGoesBackwards() {
    long start = WRAP - 1_000;
    for (int i = 0; i < 60; i++) {
      video(start + 33L * i, i == 0);
      audio(start + 33L * i - 20); // 20 ms behind the video: a step back, not a wrap forward
    }
    long last = -1;
    for (long t : playTimestamps()) {
      assertTrue(t >= last, t + " after " + last);
      last = t;
    }
    assertEquals(33L * 59, last, "linear: 59 frames of 33 ms");
  }

  @Test
  void sequenceHeadersStampedZeroNearTheWrapLeaveTheTimelineAlone() {
    long start = WRAP - 7_000;
    video(start, true);
    stream.publish(publisher, new MediaFrame(MessageType.VIDEO, 0,
        Buffer.buffer(new byte[] {0x17, 0, 0, 0, 0, 1}), MediaFrame.SEQUENCE_HEADER));
    video(start + 33, false);
    assertEquals(List.of(0L, 0L, 33L), playTimestamps());
  }

  @Test
  void theGopCacheMeasuresItsDurationAcrossTheWrap() {
    StreamHub<HomeStream> small = StreamHub.home(null, StreamSettings.DEFAULT.toBuilder().gopCacheMaxDurationMs(1_000).build(),
        now::get);
    HomeStream shortCache = small.getOrCreate("t");
    shortCache.attachPublisher(publisher);
    long start = WRAP - 500;
    for (int i = 0; i < 60; i++) { // one GOP of 2 s, wrapping half a second in
      shortCache.publish(publisher, new MediaFrame(MessageType.VIDEO, (start + 33L * i) & 0xFFFFFFFFL,
          Buffer.buffer(new byte[] {(byte) (i == 0 ? 0x17 : 0x27), 1, 0, 0, 0}), i == 0 ? MediaFrame.KEYFRAME : 0));
    }
    assertTrue(shortCache.primingFrames().isEmpty(), "a GOP longer than 1 s is not cached");
  }

  /**
   * After 49.7 days the players' own timeline passes 2^32 ms: the chunks a player reads from the
   * log carry it modulo 2^32, and each step still reads as forward to a player that follows
   * serial-number arithmetic.
   */
  @Test
  void aPlayersTimelinePast2To32GoesOutWrappedAndStillSteppingForward() {
    List<StreamLog> due = new ArrayList<>();
    List<Buffer> written = new ArrayList<>();
    StreamLog log = stream.log(1, ChunkDecoder.DEFAULT_CHUNK_SIZE, due::add);
    new LogReader(log, bytesInto(written), StreamSettings.DEFAULT, () -> false);
    long step = 1L << 30;
    for (int i = 0; i < 7; i++) {
      video(step * i, i == 0);
      due.forEach(StreamLog::drain);
      due.clear();
    }
    assertEquals(6 * step, played.get(6).playTimestamp(), "the timeline itself does not wrap");
    List<RtmpMessage> decoded = Chunks.decode(written, ChunkDecoder.DEFAULT_CHUNK_SIZE);
    assertEquals(7, decoded.size());
    for (int i = 0; i < 7; i++) {
      assertEquals((step * i) & 0xFFFFFFFFL, decoded.get(i).timestamp());
      if (i > 0) {
        int serialStep = (int) (decoded.get(i).timestamp() - decoded.get(i - 1).timestamp());
        assertEquals(step, serialStep, "frame " + i + " is a step forward");
      }
    }
  }

  /** A player of a log that keeps a copy of the bytes it is given and has no headers of its own. */
  private static LogReader.Player bytesInto(List<Buffer> written) {
    return new LogReader.Player() {
      @Override
      public void writeShared(Buffer logBytes) {
        written.add(logBytes.copy());
      }

      @Override
      public void writeOwn(MediaFrame header, long timestamp) {
        throw new AssertionError("no headers were published: " + header);
      }

      @Override
      public long queuedBytes() {
        return 0;
      }

      @Override
      public void tooSlow(long queuedBytes) {
        throw new AssertionError("a player that reads everything is never too slow");
      }

      @Override
      public void skipped(long messages) {
        throw new AssertionError("a player that reads everything skips nothing");
      }

      @Override
      public void streamEnded() {
      }

      @Override
      public String remote() {
        return "test";
      }
    };
  }
}

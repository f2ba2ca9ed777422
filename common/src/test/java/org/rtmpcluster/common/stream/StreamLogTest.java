package org.rtmpcluster.common.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rtmpcluster.common.config.StreamSettings;
import org.rtmpcluster.common.rtmp.message.MessageType;
import org.rtmpcluster.common.testing.StreamFixtures;

/** What a stream's log keeps, however a publisher or a player behaves. */
class StreamLogTest {
  private static final int FRAME_BYTES = 10_000;
  private static final StreamSettings SETTINGS = StreamSettings.DEFAULT.toBuilder()
      .gopCacheMaxBytes(200_000).playerQueueSoftLimitBytes(100_000).playerQueueHardLimitBytes(10_000_000).build();

  private final Vertx vertx = Vertx.vertx();
  private final PublisherHandle publisher = StreamFixtures.publisher();
  private final List<StreamLog> due = new ArrayList<>();
  private final HomeStream stream = StreamHub.home(vertx, SETTINGS).getOrCreate("s");
  private final StreamLog log = stream.log(1, 4096, due::add);

  /** A player that takes what it is given and can be made to stop reading. */
  private final class Player implements LogReader.Player {
    long written;
    long queued;
    long skipped;

    @Override
    public void writeShared(Buffer logBytes) {
      written += logBytes.length();
    }

    @Override
    public void writeOwn(MediaFrame header, long timestamp) {
    }

    @Override
    public long queuedBytes() {
      return queued;
    }

    @Override
    public void tooSlow(long queuedBytes) {
    }

    @Override
    public void skipped(long messages) {
      skipped += messages;
    }

    @Override
    public void streamEnded() {
    }

    @Override
    public String remote() {
      return "test";
    }
  }

  @AfterEach
  void tearDown() {
    stream.end();
    vertx.close();
  }

  private void video(long ts, boolean key) {
    Buffer payload = Buffer.buffer().appendByte((byte) (key ? 0x17 : 0x27)).appendByte((byte) 1).appendMedium(0);
    payload.appendBytes(new byte[FRAME_BYTES]);
    stream.publish(publisher, new MediaFrame(MessageType.VIDEO, ts, payload, key ? MediaFrame.KEYFRAME : 0));
  }

  private void endWindow() {
    List<StreamLog> now = List.copyOf(due);
    due.clear();
    now.forEach(StreamLog::drain);
  }

  private long keptBytes() {
    StreamLog.Entry first = log.entry(log.firstNumber());
    return first == null ? 0 : log.head() - first.offset();
  }

  /** A publisher that never sends a keyframe again cannot make the log grow without bound. */
  @Test
  void aGopThatNeverEndsIsNotKeptPastTheBound() {
    new LogReader(log, new Player(), SETTINGS, () -> false);
    stream.attachPublisher(publisher);
    video(0, true);
    for (int i = 1; i < 500; i++) { // 5 MB, 25 times the GOP bound
      video(33L * i, false);
      endWindow();
      assertTrue(keptBytes() <= SETTINGS.gopCacheMaxBytes() + SETTINGS.playerQueueSoftLimitBytes(),
          "kept " + keptBytes() + " bytes after frame " + i);
    }
    assertTrue(WireBuffers.heldByLogs() <= 3, "blocks held: " + WireBuffers.heldByLogs());
  }

  /** A player that stops reading holds the log back only up to the bound, then starts again at a keyframe. */
  @Test
  void aPlayerThatStoppedReadingDoesNotHoldTheLogAndGoesOnFromAKeyframe() {
    Player stuck = new Player();
    Player reading = new Player();
    LogReader stuckReader = new LogReader(log, stuck, SETTINGS, () -> false);
    LogReader readingReader = new LogReader(log, reading, SETTINGS, () -> false);
    stream.attachPublisher(publisher);
    video(0, true);
    endWindow();
    stuck.queued = SETTINGS.playerQueueSoftLimitBytes() + 1;
    for (int i = 1; i < 100; i++) { // 1 MB, keyframes every 30 frames
      video(33L * i, i % 30 == 0);
      endWindow();
      assertTrue(keptBytes() <= SETTINGS.gopCacheMaxBytes() + SETTINGS.playerQueueSoftLimitBytes(),
          "kept " + keptBytes());
    }
    stuck.queued = 0;
    video(3300, false);
    endWindow();
    assertTrue(stuck.skipped > 0, "it skipped to the latest keyframe");
    assertEquals(readingReader.position(), stuckReader.position(), "and is at the end of the log again");
    assertTrue(stuck.written < reading.written / 2, "without what it missed: " + stuck.written);
  }
}

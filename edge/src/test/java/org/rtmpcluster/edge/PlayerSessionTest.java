package org.rtmpcluster.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.rtmpcluster.common.config.StreamSettings;
import org.rtmpcluster.common.rtmp.chunk.ChunkEncoder;
import org.rtmpcluster.common.rtmp.chunk.RtmpMessage;
import org.rtmpcluster.common.rtmp.message.ChunkStreams;
import org.rtmpcluster.common.rtmp.message.MessageType;
import org.rtmpcluster.common.rtmp.session.PlayService;
import org.rtmpcluster.common.rtmp.session.PlayerOutput;
import org.rtmpcluster.common.rtmp.session.Status;
import org.rtmpcluster.common.stream.HomeStream;
import org.rtmpcluster.common.stream.MediaFrame;
import org.rtmpcluster.common.stream.PublisherHandle;
import org.rtmpcluster.common.stream.StreamHub;
import org.rtmpcluster.common.stream.StreamLog;
import org.rtmpcluster.common.testing.Chunks;
import org.rtmpcluster.common.testing.StreamFixtures;

/**
 * What a player receives, byte for byte, from its stream's log: a recording output in place of a
 * connection, and write windows that the test ends by hand.
 */
class PlayerSessionTest {
  private static final int CHUNK_SIZE = 4096;
  private static final StreamSettings SETTINGS = StreamSettings.DEFAULT;

  private Vertx vertx;
  private HomeStream stream;
  private final PublisherHandle publisher = StreamFixtures.publisher();
  private final PlayerCounters counters = new PlayerCounters();
  private final Windows windows = new Windows();
  private boolean nodeOverBudget;

  /** The loop's write windows: logs wait here to be drained until the test ends the window. */
  static final class Windows implements StreamLog.Drains {
    private final Set<StreamLog> pending = new LinkedHashSet<>();

    @Override
    public void drainSoon(StreamLog log) {
      pending.add(log);
    }

    void end() {
      List<StreamLog> due = List.copyOf(pending);
      pending.clear();
      due.forEach(StreamLog::drain);
    }
  }

  /** Records what a player's connection would write, in order, as bytes, as the connection writes them. */
  final class RecordingOutput implements PlayerOutput {
    final int messageStreamId;
    /** The log's bytes as written (the buffers themselves, to see that players share them). */
    final List<Buffer> logWrites = new ArrayList<>();
    /** Everything written, copied: the log's bytes and this player's own chunks. */
    final List<Buffer> written = new ArrayList<>();
    private final ChunkEncoder encoder = new ChunkEncoder();
    long queued;
    String aborted;

    RecordingOutput() {
      this(1);
    }

    RecordingOutput(int messageStreamId) {
      this.messageStreamId = messageStreamId;
      encoder.setChunkSize(CHUNK_SIZE);
    }

    @Override
    public int messageStreamId() {
      return messageStreamId;
    }

    @Override
    public void send(RtmpMessage message) {
      written.add(encoder.encode(message).copy());
    }

    @Override
    public void sendLogBytes(Buffer bytes) {
      encoder.forget(ChunkStreams.AUDIO);
      encoder.forget(ChunkStreams.VIDEO);
      encoder.forget(ChunkStreams.DATA);
      logWrites.add(bytes);
      written.add(bytes.copy());
    }

    @Override
    public StreamLog.Drains logDrains() {
      return windows;
    }

    @Override
    public int chunkSize() {
      return CHUNK_SIZE;
    }

    @Override
    public void sendStatus(String level, String code, String description) {
    }

    @Override
    public long queuedBytes() {
      return queued;
    }

    @Override
    public void disconnect(String reason) {
    }

    @Override
    public void abort(String reason) {
      aborted = reason;
    }

    @Override
    public String remote() {
      return "test";
    }

    /** What the player decodes from everything it was sent. */
    List<RtmpMessage> decoded() {
      return Chunks.decode(written, CHUNK_SIZE);
    }

    /** The media it decoded: the marker of each video frame (an int after the AVC header), -1 for audio. */
    List<Integer> markers() {
      return decoded().stream().filter(m -> m.typeId() == MessageType.VIDEO || m.typeId() == MessageType.AUDIO)
          .filter(m -> !isSequenceHeader(m))
          .map(m -> m.typeId() == MessageType.AUDIO ? -1 : m.payload().getInt(5)).toList();
    }

    List<Long> timestamps() {
      return decoded().stream().map(RtmpMessage::timestamp).toList();
    }
  }

  private static boolean isSequenceHeader(RtmpMessage m) {
    return m.payload().length() > 1 && m.payload().getByte(1) == 0;
  }

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    stream = StreamHub.home(vertx, SETTINGS).getOrCreate("s");
    stream.attachPublisher(publisher);
  }

  @AfterEach
  void tearDown() {
    vertx.close();
  }

  private PlayerSession player(RecordingOutput output) {
    PlayerSession session = new PlayerSession(stream, output, SETTINGS, counters, () -> nodeOverBudget);
    session.start();
    return session;
  }

  private void video(long ts, boolean key, int marker) {
    video(ts, key, marker, 0);
  }

  private void video(long ts, boolean key, int marker, int padding) {
    Buffer payload = Buffer.buffer().appendByte((byte) (key ? 0x17 : 0x27)).appendByte((byte) 1)
        .appendMedium(0).appendInt(marker);
    payload.appendBytes(new byte[padding]);
    stream.publish(publisher, new MediaFrame(MessageType.VIDEO, ts, payload, key ? MediaFrame.KEYFRAME : 0));
  }

  private void audio(long ts) {
    stream.publish(publisher, new MediaFrame(MessageType.AUDIO, ts, Buffer.buffer(new byte[] {(byte) 0xaf, 1, 9}), 0));
  }

  private void videoHeader(int version) {
    stream.publish(publisher, new MediaFrame(MessageType.VIDEO, 0,
        Buffer.buffer(new byte[] {0x17, 0, 0, 0, 0, 1, (byte) version}), MediaFrame.KEYFRAME | MediaFrame.SEQUENCE_HEADER));
  }

  private void audioHeader() {
    stream.publish(publisher, new MediaFrame(MessageType.AUDIO, 0,
        Buffer.buffer(new byte[] {(byte) 0xaf, 0, 0x12, 0x10}), MediaFrame.SEQUENCE_HEADER));
  }

  @Test
  void everyPlayerOfALoopGetsOneWriteOfTheSameBytesPerWindow() {
    RecordingOutput first = new RecordingOutput();
    RecordingOutput second = new RecordingOutput();
    player(first);
    player(second);
    video(1000, true, 1);
    audio(1010);
    video(1033, false, 2);
    windows.end();

    assertEquals(1, first.logWrites.size(), "three frames, one write");
    assertEquals(1, second.logWrites.size());
    assertEquals(first.logWrites.get(0), second.logWrites.get(0));
    assertSame(block(first.logWrites.get(0)), block(second.logWrites.get(0)), "one block of memory for both");
    assertEquals(List.of(1, -1, 2), first.markers());
  }

  private static ByteBuf block(Buffer logBytes) {
    return ((BufferInternal) logBytes).unwrap().unwrap();
  }

  @Test
  void aPlayerWhoJoinsLateStartsAtTheLatestKeyframeAfterTheHeadersInForceThere() {
    videoHeader(1);
    audioHeader();
    video(1000, true, 1);
    video(1033, false, 2);
    audio(1040);
    video(1066, true, 3);
    video(1100, false, 4);
    RecordingOutput late = new RecordingOutput();
    player(late);
    windows.end();

    List<RtmpMessage> messages = late.decoded();
    assertEquals(4, messages.size(), "two headers, then the GOP from keyframe 3");
    assertTrue(isSequenceHeader(messages.get(0)) && messages.get(0).typeId() == MessageType.VIDEO);
    assertTrue(isSequenceHeader(messages.get(1)) && messages.get(1).typeId() == MessageType.AUDIO);
    assertEquals(List.of(3, 4), late.markers());
    assertEquals(List.of(0L, 0L, 66L, 100L), late.timestamps(),
        "headers at their own time (ffmpeg takes an onMetaData not at 0 for a data stream), then the GOP");
  }

  @Test
  void aPlayerWhoJoinsBeforeTheFirstKeyframeWaitsForIt() {
    RecordingOutput early = new RecordingOutput();
    player(early);
    windows.end();
    assertTrue(early.written.isEmpty());
    videoHeader(1);
    video(1000, true, 1);
    windows.end();
    assertEquals(List.of(1), early.markers());
    assertEquals(2, early.decoded().size(), "the header came through the log itself");
  }

  @Test
  void aPlayerWhoJoinsWhenTheGopOutgrewTheCacheStartsAtTheNextKeyframe() {
    StreamSettings small = SETTINGS.toBuilder().gopCacheMaxBytes(1000).build();
    stream = StreamHub.home(vertx, small).getOrCreate("small");
    stream.attachPublisher(publisher);
    video(0, true, 1);
    video(33, false, 2, 1200); // the GOP is now over 1000 bytes
    RecordingOutput late = new RecordingOutput();
    new PlayerSession(stream, late, small, counters, () -> false).start();
    windows.end();
    assertTrue(late.written.isEmpty(), "no keyframe to start on");
    video(66, false, 3);
    video(99, true, 4);
    windows.end();
    assertEquals(List.of(4), late.markers());
  }

  @Test
  void aWindowThatCrossesABlockIsTwoWritesOfOneStream() {
    RecordingOutput output = new RecordingOutput();
    player(output);
    video(0, true, 1, 100_000);
    video(33, false, 2, 100_000);
    windows.end();
    output.logWrites.clear();
    video(66, false, 3, 100_000); // the log's first block (256 KiB) ends inside this frame
    video(99, false, 4, 100);
    windows.end();
    assertEquals(2, output.logWrites.size(), "a slice of each block");
    assertTrue(block(output.logWrites.get(0)) != block(output.logWrites.get(1)));
    assertEquals(List.of(1, 2, 3, 4), output.markers());
  }

  @Test
  void playersOnOtherMessageStreamsGetTheStreamOnTheirOwn() {
    RecordingOutput onOne = new RecordingOutput(1);
    RecordingOutput onTwo = new RecordingOutput(2);
    RecordingOutput alsoOnTwo = new RecordingOutput(2);
    player(onOne);
    player(onTwo);
    player(alsoOnTwo);
    video(1000, true, 1);
    video(1033, false, 2);
    windows.end();
    assertEquals(List.of(1, 1), onOne.decoded().stream().map(RtmpMessage::messageStreamId).toList());
    assertEquals(List.of(2, 2), onTwo.decoded().stream().map(RtmpMessage::messageStreamId).toList());
    assertSame(block(onTwo.logWrites.get(0)), block(alsoOnTwo.logWrites.get(0)), "one log per message stream");
    assertEquals(onOne.markers(), onTwo.markers());
  }

  @Test
  void aNewPublisherContinuesTheTimelineAfterAGapFromItsFirstKeyframe() {
    RecordingOutput output = new RecordingOutput();
    player(output);
    videoHeader(1);
    video(5000, true, 1);
    video(5033, false, 2);
    windows.end();
    stream.detachPublisher(publisher);
    stream.attachPublisher(publisher);
    videoHeader(1); // the same header: the player does not get it again
    video(0, false, 3); // before the new publisher's first keyframe: not sent
    audio(10);
    video(33, true, 4);
    video(66, false, 5);
    windows.end();
    assertEquals(List.of(1, 2, 4, 5), output.markers());
    assertEquals(1, output.decoded().stream().filter(PlayerSessionTest::isSequenceHeader).count());
    // The new publisher's first frame (3, not sent) lands 40 ms after the last one; its keyframe 33 ms later.
    assertEquals(List.of(0L, 0L, 33L, 106L, 139L), output.timestamps());
  }

  @Test
  void aSlowPlayerWaitsThenGoesOnFromTheLatestKeyframe() {
    RecordingOutput slow = new RecordingOutput();
    player(slow);
    video(0, true, 1);
    windows.end();
    slow.queued = SETTINGS.playerQueueSoftLimitBytes() + 1;
    video(33, false, 2);
    video(66, true, 3);
    video(99, false, 4);
    windows.end();
    assertEquals(List.of(1), slow.markers(), "nothing more while its socket is over the soft limit");

    slow.queued = 0;
    video(132, false, 5);
    windows.end();
    assertEquals(List.of(1, 3, 4, 5), slow.markers(), "frame 2 skipped: it goes on at keyframe 3");
    assertEquals(1, counters.framesSkipped());
    List<Long> times = slow.timestamps();
    for (int i = 1; i < times.size(); i++) {
      assertTrue(times.get(i) >= times.get(i - 1), "time never goes backwards: " + times);
    }
  }

  @Test
  void aSlowPlayerThatSkipsAHeaderChangeGetsTheNewHeaderBeforeItsKeyframe() {
    RecordingOutput slow = new RecordingOutput();
    player(slow);
    videoHeader(1);
    video(0, true, 1);
    windows.end();
    slow.queued = SETTINGS.playerQueueSoftLimitBytes() + 1;
    videoHeader(2);
    video(33, true, 2);
    windows.end();
    slow.queued = 0;
    windows.end();
    List<RtmpMessage> headers = slow.decoded().stream().filter(PlayerSessionTest::isSequenceHeader).toList();
    assertEquals(2, headers.size());
    assertEquals(2, headers.get(1).payload().getByte(6), "the header in force at keyframe 2");
    assertEquals(List.of(1, 2), slow.markers());
  }

  @Test
  void aPlayerOverTheHardLimitIsCut() {
    RecordingOutput stuck = new RecordingOutput();
    RecordingOutput fine = new RecordingOutput();
    player(stuck);
    player(fine);
    video(0, true, 1);
    stuck.queued = SETTINGS.playerQueueHardLimitBytes() + 1;
    windows.end();
    assertNotNull(stuck.aborted);
    assertEquals(1, counters.playersCut());
    video(33, false, 2);
    windows.end();
    assertEquals(List.of(1, 2), fine.markers(), "the others go on");
    assertEquals(1, stream.playerCount());
  }

  @Test
  void overTheNodesBudgetAPlayerAQuarterOfItsSoftLimitBehindWaits() {
    RecordingOutput behind = new RecordingOutput();
    player(behind);
    video(0, true, 1);
    windows.end();
    behind.queued = SETTINGS.playerQueueSoftLimitBytes() / 2;
    video(33, false, 2);
    windows.end();
    assertEquals(List.of(1, 2), behind.markers(), "within its soft limit while the node is within budget");

    nodeOverBudget = true;
    video(66, false, 3);
    video(99, true, 4);
    windows.end();
    assertEquals(List.of(1, 2), behind.markers(), "over budget, half the soft limit behind is too far");

    behind.queued = 0;
    video(132, false, 5);
    windows.end();
    assertEquals(List.of(1, 2, 4, 5), behind.markers(), "caught up: it resumes on the latest keyframe");
  }

  @Test
  void aPlayerWithoutVideoGetsAudioAndOneThatTurnsVideoBackOnStartsAtAKeyframe() {
    RecordingOutput output = new RecordingOutput();
    PlayerSession session = player(output);
    video(0, true, 1);
    windows.end();
    session.receiveVideo(false);
    audio(10);
    video(33, false, 2);
    audio(40);
    windows.end();
    assertEquals(List.of(1, -1, -1), output.markers());
    session.receiveVideo(true);
    video(66, false, 3);
    audio(70);
    video(99, true, 4);
    audio(100);
    windows.end();
    assertEquals(List.of(1, -1, -1, 4, -1), output.markers(), "video and audio again from keyframe 4");
  }

  @Test
  void aPausedPlayerResumesAtTheLatestKeyframe() {
    RecordingOutput output = new RecordingOutput();
    PlayerSession session = player(output);
    video(0, true, 1);
    windows.end();
    session.pause(true);
    video(33, false, 2);
    video(66, true, 3);
    video(99, false, 4);
    windows.end();
    assertEquals(List.of(1), output.markers());
    session.pause(false);
    video(132, false, 5);
    windows.end();
    assertEquals(List.of(1, 3, 4, 5), output.markers());
  }

  @Test
  void theLastPlayerToLeaveTakesTheLogOffTheStream() {
    RecordingOutput output = new RecordingOutput();
    PlayerSession session = player(output);
    video(0, true, 1);
    assertEquals(1, stream.playerCount());
    session.close();
    assertEquals(0, stream.playerCount());
    windows.end();
    video(33, false, 2);
    assertEquals(List.of(), List.copyOf(windows.pending), "nothing left to drain");
  }

  @Test
  void overTheNodesBudgetNewPlayersAreRefusedAndCounted() {
    EdgePlayService service = new EdgePlayService(StreamHub.home(vertx, SETTINGS), SETTINGS,
        counters, s -> { }, () -> nodeOverBudget);
    PlayService.PlayRequest request = new PlayService.PlayRequest("live", "s", "", -2, "test");
    assertTrue(service.play(request, new RecordingOutput()).result().playback() != null);
    nodeOverBudget = true;
    PlayService.PlayResult refused = service.play(request, new RecordingOutput()).result();
    assertNull(refused.playback());
    assertEquals(Status.PLAY_FAILED, refused.code());
    assertTrue(refused.description().contains("memory.direct-bytes"), refused.description());
    assertEquals(1, counters.playersRefusedOverBudget());
  }

  /** On a loop of copies each stream a player asks for must be fed from home, or it stays empty. */
  @Test
  void theStreamAPlayerAsksForIsHandedToTheFeed() {
    StreamHub<HomeStream> hub = StreamHub.home(vertx, SETTINGS);
    List<String> fed = new ArrayList<>();
    EdgePlayService service = new EdgePlayService(hub, SETTINGS, counters, s -> fed.add(s.name()), () -> false);
    service.play(new PlayService.PlayRequest("live", "one", "", -2, "test"), new RecordingOutput());
    service.play(new PlayService.PlayRequest("live", "two", "", -2, "test"), new RecordingOutput());
    assertEquals(List.of("live/one", "live/two"), fed, "streams are known by app and name");
  }
}

package org.rtmpcluster.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.rtmpcluster.common.config.StreamSettings;
import org.rtmpcluster.common.rtmp.chunk.RtmpMessage;
import org.rtmpcluster.common.rtmp.message.ChunkStreams;
import org.rtmpcluster.common.rtmp.message.MessageType;
import org.rtmpcluster.common.rtmp.session.PlayService;
import org.rtmpcluster.common.rtmp.session.PlayerOutput;
import org.rtmpcluster.common.rtmp.session.Status;
import org.rtmpcluster.common.stream.LiveStream;
import org.rtmpcluster.common.stream.MediaFrame;
import org.rtmpcluster.common.stream.PublisherHandle;
import org.rtmpcluster.common.stream.StreamHub;
import org.rtmpcluster.common.testing.Chunks;
import org.rtmpcluster.common.testing.StreamFixtures;

/** What a player is sent, with a recording output in place of a connection. */
class PlayerSessionTest {
  private Vertx vertx;
  private LiveStream stream;
  private final PublisherHandle publisher = StreamFixtures.publisher();
  private final PlayerCounters counters = new PlayerCounters();
  private boolean nodeOverBudget;

  /** Records what a player's connection would write. */
  static final class RecordingOutput implements PlayerOutput {
    final List<Buffer> shared = new ArrayList<>();
    final List<RtmpMessage> own = new ArrayList<>();
    final int messageStreamId;
    long queued;

    RecordingOutput() {
      this(1);
    }

    RecordingOutput(int messageStreamId) {
      this.messageStreamId = messageStreamId;
    }

    @Override
    public int messageStreamId() {
      return messageStreamId;
    }

    @Override
    public void send(RtmpMessage message) {
      own.add(message);
    }

    /** The bytes as they were written: a socket holds its own reference, a test keeps a copy. */
    final List<Buffer> written = new ArrayList<>();

    @Override
    public void sendEncoded(Buffer chunks, int chunkStreamId) {
      shared.add(chunks);
      written.add(chunks.copy());
    }

    @Override
    public int chunkSize() {
      return 4096;
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
    }

    @Override
    public String remote() {
      return "test";
    }

    /** The shared chunks decoded back into messages, as the player would read them. */
    List<RtmpMessage> decoded() {
      return Chunks.decode(written, chunkSize());
    }
  }

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    stream = new StreamHub(vertx, StreamSettings.DEFAULT).getOrCreate("s");
    stream.attachPublisher(publisher);
  }

  @AfterEach
  void tearDown() {
    vertx.close();
  }

  private PlayerSession player(RecordingOutput output) {
    PlayerSession session = new PlayerSession(stream, output, StreamSettings.DEFAULT, counters, () -> nodeOverBudget);
    session.start();
    return session;
  }

  private void video(long ts, boolean key, int marker) {
    stream.publish(publisher, new MediaFrame(MessageType.VIDEO, ts,
        Buffer.buffer().appendByte((byte) (key ? 0x17 : 0x27)).appendByte((byte) 1).appendMedium(0).appendInt(marker),
        key ? MediaFrame.KEYFRAME : 0));
  }

  @Test
  void eachFrameIsChunkedOnceAndTheSameBytesGoToEveryPlayer() {
    RecordingOutput early = new RecordingOutput();
    player(early);
    video(1000, true, 1);
    video(1033, false, 2);
    RecordingOutput late = new RecordingOutput();
    player(late); // joins with the cached GOP: frames 1 and 2
    video(1066, false, 3);

    assertEquals(3, early.shared.size());
    assertEquals(3, late.shared.size());
    for (int i = 0; i < 3; i++) {
      assertSame(early.shared.get(i), late.shared.get(i), "frame " + (i + 1) + " is one buffer for both");
    }
    assertTrue(early.own.isEmpty() && late.own.isEmpty());
  }

  /**
   * Issue 8, defect 4: a player on another message stream than the first one to ask got a fresh
   * chunking of every frame. Chunks are now made once per frame, whoever plays on which stream;
   * the connection re-addresses them.
   */
  @Test
  void playersOnOtherMessageStreamsGetTheSameChunks() {
    RecordingOutput onTwo = new RecordingOutput(2);
    RecordingOutput onOne = new RecordingOutput(1);
    RecordingOutput onFive = new RecordingOutput(5);
    player(onTwo);
    player(onOne);
    player(onFive);
    video(1000, true, 1);
    video(1033, false, 2);
    for (int i = 0; i < 2; i++) {
      assertSame(onTwo.shared.get(i), onOne.shared.get(i), "frame " + (i + 1));
      assertSame(onTwo.shared.get(i), onFive.shared.get(i), "frame " + (i + 1));
    }
  }

  @Test
  void sharedChunksDecodeToTheStreamsTimeline() {
    RecordingOutput output = new RecordingOutput();
    player(output);
    video(5000, true, 1);
    video(5033, false, 2);
    List<RtmpMessage> messages = output.decoded();
    assertEquals(List.of(0L, 33L), messages.stream().map(RtmpMessage::timestamp).toList());
    assertEquals(1, messages.get(0).messageStreamId());
    assertEquals(ChunkStreams.VIDEO, messages.get(0).chunkStreamId());
  }

  @Test
  void aNewPublisherContinuesTheTimelineAfterAGap() {
    RecordingOutput output = new RecordingOutput();
    player(output);
    video(5000, true, 1);
    video(5033, false, 2);
    stream.detachPublisher(publisher);
    stream.attachPublisher(publisher);
    video(0, true, 3);
    video(33, false, 4);
    List<Long> times = output.decoded().stream().map(RtmpMessage::timestamp).toList();
    assertEquals(List.of(0L, 33L, 73L, 106L), times, "a 40 ms gap, then the new publisher's spacing");
  }

  @Test
  void overTheNodesBudgetAPlayerAQuarterOfItsSoftLimitBehindSkipsVideoToTheNextKeyframe() {
    RecordingOutput behind = new RecordingOutput();
    player(behind);
    video(0, true, 1);
    behind.queued = StreamSettings.DEFAULT.playerQueueSoftLimitBytes() / 2;
    video(33, false, 2);
    assertEquals(2, behind.shared.size(), "within its soft limit while the node is within budget");

    nodeOverBudget = true;
    video(66, false, 3);
    video(99, true, 4);
    assertEquals(2, behind.shared.size(), "over budget, half the soft limit behind is too far");
    assertEquals(2, counters.framesSkipped());

    behind.queued = 0;
    video(132, false, 5);
    video(165, true, 6);
    assertEquals(3, behind.shared.size(), "caught up: it resumes on a keyframe");
    assertEquals(List.of(1, 2, 6), behind.decoded().stream().map(m -> m.payload().getInt(5)).toList());
  }

  @Test
  void overTheNodesBudgetNewPlayersAreRefusedAndCounted() {
    EdgePlayService service = new EdgePlayService(new StreamHub(vertx, StreamSettings.DEFAULT), StreamSettings.DEFAULT,
        counters, s -> { }, () -> nodeOverBudget);
    PlayService.PlayRequest request = new PlayService.PlayRequest("live", "s", "", -2, "test");
    assertTrue(service.play(request, new RecordingOutput()).playback() != null);
    nodeOverBudget = true;
    PlayService.PlayResult refused = service.play(request, new RecordingOutput());
    assertNull(refused.playback());
    assertEquals(Status.PLAY_FAILED, refused.code());
    assertTrue(refused.description().contains("memory.direct-bytes"), refused.description());
    assertEquals(1, counters.playersRefusedOverBudget());
  }
}

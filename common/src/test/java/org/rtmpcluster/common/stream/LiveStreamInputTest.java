package org.rtmpcluster.common.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vertx.core.buffer.Buffer;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.rtmpcluster.common.config.StreamSettings;
import org.rtmpcluster.common.rtmp.message.MessageType;
import org.rtmpcluster.common.testing.StreamFixtures;

/** What a stream tells operators about its publisher's input: rates, codecs, start time. */
class LiveStreamInputTest {
  private final AtomicLong now = new AtomicLong(1_000_000);
  // No Vert.x: timers are only needed once a publisher leaves players behind.
  private final StreamHub<HomeStream> hub = StreamHub.home(null, StreamSettings.DEFAULT, now::get);

  private static final PublisherHandle PUBLISHER = StreamFixtures.publisher();

  private static MediaFrame frame(int type, int size, int flags) {
    return new MediaFrame(type, 0, Buffer.buffer(new byte[size]), flags);
  }

  private static MediaFrame avcHeader() {
    return new MediaFrame(MessageType.VIDEO, 0, Buffer.buffer(new byte[] {0x17, 0, 0, 0, 0, 1}),
        MediaFrame.SEQUENCE_HEADER | MediaFrame.KEYFRAME);
  }

  private static MediaFrame aacHeader() {
    return new MediaFrame(MessageType.AUDIO, 0, Buffer.buffer(new byte[] {(byte) 0xAF, 0, 0x12, 0x10}),
        MediaFrame.SEQUENCE_HEADER);
  }

  @Test
  void inputRatesCountMediaBytesAndVideoFramesButNotSequenceHeadersAsFrames() {
    HomeStream stream = hub.getOrCreate("s");
    stream.attachPublisher(PUBLISHER);
    stream.publish(PUBLISHER, avcHeader());
    // 3 s of 25 fps video of 1000 bytes and 50 audio frames of 100 bytes a second: 210 kbit/s.
    for (int i = 0; i < 75; i++) {
      now.set(1_000_000 + i * 40L);
      stream.publish(PUBLISHER, frame(MessageType.VIDEO, 1_000, i % 25 == 0 ? MediaFrame.KEYFRAME : 0));
      stream.publish(PUBLISHER, frame(MessageType.AUDIO, 100, 0));
      stream.publish(PUBLISHER, frame(MessageType.AUDIO, 100, 0));
    }
    now.set(1_003_000);
    assertEquals(25.0, stream.inputFps(), 0.01);
    long headerBits = 6 * 8;
    assertEquals((75 * 1_200 * 8 + headerBits) / 3, stream.inputBitrate(), 1);
  }

  @Test
  void aPublisherThatTakesOverStartsANewMeasurementAndTimeStamp() {
    HomeStream stream = hub.getOrCreate("s");
    stream.attachPublisher(PUBLISHER);
    for (int i = 0; i < 30; i++) {
      now.addAndGet(33);
      stream.publish(PUBLISHER, frame(MessageType.VIDEO, 500, 0));
    }
    now.addAndGet(StreamSettings.DEFAULT.publisherTakeoverMs() + 1);
    PublisherHandle next = new PublisherHandle() {
      @Override
      public void evict(String reason) {
      }

      @Override
      public String describe() {
        return "next publisher";
      }
    };
    assertEquals(HomeStream.AttachResult.TOOK_OVER, stream.attachPublisher(next));
    assertEquals(now.get(), stream.publishedAtMs());
    assertEquals(0.0, stream.inputFps());
    assertEquals(0, stream.inputBitrate());
  }

  @Test
  void codecsComeFromTheLatestSequenceHeaders() {
    HomeStream stream = hub.getOrCreate("s");
    stream.attachPublisher(PUBLISHER);
    assertNull(stream.videoCodec());
    assertNull(stream.audioCodec());
    stream.publish(PUBLISHER, avcHeader());
    stream.publish(PUBLISHER, aacHeader());
    assertEquals("avc1", stream.videoCodec());
    assertEquals("mp4a", stream.audioCodec());
  }
}

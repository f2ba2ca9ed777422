package org.rtmpcluster.origin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.rtmpcluster.common.amf.Amf0Reader;
import org.rtmpcluster.common.amf.Amf0Writer;
import org.rtmpcluster.common.amf.AmfLimits;
import org.rtmpcluster.common.config.StreamKey;
import org.rtmpcluster.common.config.StreamSettings;
import org.rtmpcluster.common.rtmp.chunk.RtmpMessage;
import org.rtmpcluster.common.rtmp.message.MessageType;
import org.rtmpcluster.common.rtmp.session.Ingest;
import org.rtmpcluster.common.rtmp.session.PublishService;
import org.rtmpcluster.common.rtmp.session.PublishService.PublishRequest;
import org.rtmpcluster.common.rtmp.session.PublishService.PublishResult;
import org.rtmpcluster.common.rtmp.session.Status;
import org.rtmpcluster.common.stream.HomeStream;
import org.rtmpcluster.common.stream.MediaFrame;
import org.rtmpcluster.common.stream.StreamHub;
import org.rtmpcluster.common.testing.HostileInput;
import org.rtmpcluster.common.testing.StreamFixtures;

/** The origin's side of publishing: keys, and how a publisher's messages become frames. */
class OriginPublishServiceTest {
  private Vertx vertx;
  private StreamHub<HomeStream> hub;
  private OriginPublishService service;
  private final List<MediaFrame> frames = new ArrayList<>();
  private final List<String> evictions = new ArrayList<>();

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    hub = StreamHub.home(vertx, StreamSettings.DEFAULT);
    service = new OriginPublishService(hub,
        StreamSettings.DEFAULT.withKeys(List.of(new StreamKey("s3cret", "stage"))), AmfLimits.DEFAULT);
  }

  @AfterEach
  void tearDown() {
    vertx.close();
  }

  private PublishResult publish(String key) {
    return service.publish(new PublishRequest("live", key, "", "live", "127.0.0.1:1",
        new PublishService.PublisherConnection() {
          @Override
          public void evict(String reason) {
            evictions.add(reason);
          }

          @Override
          public void pauseReading() {
          }

          @Override
          public void resumeReading() {
          }
        })).result();
  }

  private Ingest ingest() {
    PublishResult result = publish("s3cret");
    assertNotNull(result.ingest(), result.description());
    hub.get("live/stage").addListener(StreamFixtures.framesInto(frames));
    return result.ingest();
  }

  private static RtmpMessage message(int type, long timestamp, Buffer payload) {
    return new RtmpMessage(6, type, timestamp, 1, payload);
  }

  @Test
  void aKeyPublishesItsPublicNameAndAnUnknownKeyIsRefused() {
    assertEquals("live/stage", publish("s3cret").ingest().streamName());
    PublishResult refused = publish("guess");
    assertNull(refused.ingest());
    assertEquals(Status.PUBLISH_DENIED, refused.code());
    assertNull(hub.get("live/guess"), "a refused key makes no stream");
  }

  @Test
  void aSecondPublisherOfALiveNameIsRefusedWithBadName() {
    publish("s3cret");
    PublishResult second = publish("s3cret");
    assertEquals(Status.PUBLISH_BAD_NAME, second.code());
    assertTrue(evictions.isEmpty());
  }

  @Test
  void setDataFrameBecomesTheStreamsOnMetaData() throws Exception {
    Ingest ingest = ingest();
    ingest.onMessage(message(MessageType.DATA_AMF0, 0,
        Amf0Writer.encode("@setDataFrame", "onMetaData", Map.of("width", 1280.0))));
    assertEquals(1, frames.size());
    MediaFrame metadata = frames.get(0);
    assertTrue(metadata.isMetadata());
    assertEquals(List.of("onMetaData", Map.of("width", 1280.0)), Amf0Reader.readAll(metadata.payload(), AmfLimits.DEFAULT));
  }

  /**
   * Issue 8, defect 2: metadata whose values share one large array by reference. Re-encoded
   * without references it grew a thousandfold, blocking the loop for seconds; now it is dropped,
   * at a cost of a small multiple of its size, and the stream goes on.
   */
  @Test
  void metadataThatWouldExpandAThousandfoldIsDroppedCheaply() {
    Ingest ingest = ingest();
    Buffer amplifying = HostileInput.amplifyingMetadata(20_000, 1_000);
    long before = HostileInput.allocatedBytes();
    ingest.onMessage(message(MessageType.DATA_AMF0, 0, amplifying));
    long allocated = HostileInput.allocatedBytes() - before;
    assertTrue(allocated < 40L * amplifying.length(),
        "a data message of " + amplifying.length() + " bytes cost " + allocated + " bytes");
    assertTrue(frames.isEmpty(), "dropped");
    ingest.onMessage(message(MessageType.VIDEO, 0, Buffer.buffer(new byte[] {0x17, 1, 0, 0, 0, 2})));
    assertEquals(1, frames.size(), "the stream goes on");
  }

  @Test
  void mediaFactsAreWorkedOutOnceOnTheWayIn() {
    Ingest ingest = ingest();
    ingest.onMessage(message(MessageType.VIDEO, 0, Buffer.buffer(new byte[] {0x17, 0, 0, 0, 0, 1})));
    ingest.onMessage(message(MessageType.VIDEO, 0, Buffer.buffer(new byte[] {0x17, 1, 0, 0, 0, 2})));
    ingest.onMessage(message(MessageType.VIDEO, 33, Buffer.buffer(new byte[] {0x27, 1, 0, 0, 0, 3})));
    ingest.onMessage(message(MessageType.AUDIO, 0, Buffer.buffer(new byte[] {(byte) 0xAF, 0, 0x12, 0x10})));
    assertEquals(4, frames.size());
    assertTrue(frames.get(0).isSequenceHeader() && !frames.get(0).isKeyframe());
    assertTrue(frames.get(1).isKeyframe());
    assertTrue(!frames.get(2).isKeyframe() && !frames.get(2).isSequenceHeader());
    assertTrue(frames.get(3).isSequenceHeader() && frames.get(3).isAudio());
  }

  @Test
  void anAggregateMessageIsSplitIntoItsFrames() {
    Ingest ingest = ingest();
    Buffer aggregate = Buffer.buffer();
    for (int i = 0; i < 2; i++) {
      Buffer body = Buffer.buffer(new byte[] {0x27, 1, 0, 0, 0, (byte) i});
      aggregate.appendUnsignedByte((short) MessageType.VIDEO).appendMedium(body.length())
          .appendMedium(100 + 40 * i).appendByte((byte) 0).appendMedium(0)
          .appendBuffer(body).appendInt(11 + body.length());
    }
    ingest.onMessage(message(MessageType.AGGREGATE, 5000, aggregate));
    assertEquals(List.of(5000L, 5040L), frames.stream().map(MediaFrame::timestamp).toList());
  }

  @Test
  void closingTheIngestDetachesThePublisherAndTheNameCanBePublishedAgain() {
    Ingest ingest = ingest();
    HomeStream stream = hub.get("live/stage");
    ingest.close();
    assertTrue(!stream.isLive());
    assertNotNull(publish("s3cret").ingest());
  }
}

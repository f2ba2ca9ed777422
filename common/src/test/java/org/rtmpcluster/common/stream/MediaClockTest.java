package org.rtmpcluster.common.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.rtmpcluster.common.config.RenditionGroup;
import org.rtmpcluster.common.config.StreamSettings;
import org.rtmpcluster.common.rtmp.message.MessageType;
import org.rtmpcluster.common.testing.StreamFixtures;

/**
 * The cluster's media clock (issue 11): set once where a publisher's frames enter the cluster,
 * kept unchanged by every node that pulls them, and, across a publisher change, continued in the
 * next cell of the segment grid so that the new publisher's first keyframe starts a segment.
 */
class MediaClockTest {
  private final AtomicLong wallClock = new AtomicLong(1_780_000_000_123L);
  private final StreamHub<HomeStream> hub = StreamHub.home(null, StreamSettings.DEFAULT, wallClock::get);
  private final List<MediaFrame> played = new ArrayList<>();
  private final HomeStream stream = hub.getOrCreate("live/show");

  MediaClockTest() {
    stream.addListener(StreamFixtures.framesInto(played));
  }

  private static MediaFrame video(long timestamp, boolean keyframe) {
    return new MediaFrame(MessageType.VIDEO, timestamp, Buffer.buffer(new byte[] {(byte) (keyframe ? 0x17 : 0x27), 1, 0, 0, 0}),
        keyframe ? MediaFrame.KEYFRAME : 0);
  }

  @Test
  void theFirstPublisherStartsAtTheWallClockAndGoesOnAtItsOwn() {
    PublisherHandle publisher = StreamFixtures.publisher();
    stream.attachPublisher(publisher);
    stream.publish(publisher, video(5_000, true));
    wallClock.addAndGet(10_000); // the wall clock is read once, at the first frame
    stream.publish(publisher, video(5_040, false));
    assertEquals(List.of(1_780_000_000_123L, 1_780_000_000_163L), played.stream().map(MediaFrame::mediaTime).toList());
  }

  @Test
  void aNextPublisherStartsAQuarterIntoTheGridCellAfterTheLastFrame() {
    PublisherHandle first = StreamFixtures.publisher();
    stream.attachPublisher(first);
    stream.publish(first, video(0, true));
    stream.publish(first, video(1_000, false)); // media time ...001_123: cell ...000_000 of 2 s
    wallClock.addAndGet(60_000); // quiet past the takeover time: the second takes the stream over
    PublisherHandle second = StreamFixtures.publisher();
    stream.attachPublisher(second);
    stream.publish(second, video(77_777, true));
    assertEquals(1_780_000_002_000L + 500, played.get(2).mediaTime());
  }

  @Test
  void renditionsOfOneEncoderShareItsMediaClockThoughTheyConnectedApart() {
    StreamHub<HomeStream> grouped = StreamHub.home(null, StreamSettings.DEFAULT.toBuilder()
        .renditions(List.of(new RenditionGroup("live/event", List.of("live/event_hi", "live/event_lo")))).build(),
        wallClock::get);
    HomeStream hi = grouped.getOrCreate("live/event_hi");
    HomeStream lo = grouped.getOrCreate("live/event_lo");
    List<MediaFrame> hiFrames = new ArrayList<>();
    List<MediaFrame> loFrames = new ArrayList<>();
    hi.addListener(StreamFixtures.framesInto(hiFrames));
    lo.addListener(StreamFixtures.framesInto(loFrames));
    PublisherHandle hiPublisher = StreamFixtures.publisher();
    PublisherHandle loPublisher = StreamFixtures.publisher();
    hi.attachPublisher(hiPublisher);
    hi.publish(hiPublisher, video(0, true));
    wallClock.addAndGet(700); // the second output of the encoder connects later
    lo.attachPublisher(loPublisher);
    lo.publish(loPublisher, video(0, true));
    hi.publish(hiPublisher, video(1_000, true));
    lo.publish(loPublisher, video(1_000, true));
    assertEquals(hiFrames.stream().map(MediaFrame::mediaTime).toList(), loFrames.stream().map(MediaFrame::mediaTime).toList());
  }

  @Test
  void framesPulledFromAnOriginKeepTheirMediaTime() {
    PublisherHandle puller = StreamFixtures.publisher();
    stream.attachPublisher(puller);
    stream.publish(puller, new MediaFrame(MessageType.VIDEO, 5_000, Buffer.buffer(new byte[] {0x17, 1, 0, 0, 0}),
        MediaFrame.KEYFRAME, 1_234_567_890L));
    assertEquals(1_234_567_890L, played.get(0).mediaTime());
  }
}

package org.rtmpcluster.common.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.rtmpcluster.common.rtmp.message.MessageType;

class GopCacheTest {

  private static MediaFrame video(long ts, boolean key, int size) {
    return new MediaFrame(MessageType.VIDEO, ts, Buffer.buffer(new byte[size]), key ? MediaFrame.KEYFRAME : 0);
  }

  private static MediaFrame audio(long ts) {
    return new MediaFrame(MessageType.AUDIO, ts, Buffer.buffer(new byte[10]), 0);
  }

  private static List<Long> timestamps(GopCache cache) {
    return cache.frames().stream().map(MediaFrame::timestamp).toList();
  }

  @Test
  void keepsFramesFromTheLatestKeyframe() {
    GopCache cache = new GopCache(10_000, 1 << 20);
    cache.add(video(0, true, 100));
    cache.add(audio(10));
    cache.add(video(33, false, 50));
    cache.add(video(66, true, 100));
    cache.add(audio(70));
    assertEquals(List.of(66L, 70L), timestamps(cache));
    assertEquals(110, cache.bytes());
  }

  @Test
  void framesBeforeTheFirstKeyframeAreNotCached() {
    GopCache cache = new GopCache(10_000, 1 << 20);
    cache.add(video(0, false, 100));
    cache.add(audio(5));
    assertEquals(0, cache.size(), "audio of a video stream waits for a keyframe too");
    cache.add(video(33, true, 100));
    assertEquals(List.of(33L), timestamps(cache));
  }

  @Test
  void aGopLongerThanTheDurationBoundIsDroppedUntilTheNextKeyframe() {
    GopCache cache = new GopCache(100, 1 << 20);
    cache.add(video(0, true, 10));
    cache.add(video(50, false, 10));
    cache.add(video(101, false, 10));
    assertEquals(0, cache.size());
    cache.add(video(150, false, 10));
    assertEquals(0, cache.size(), "no partial GOP without its keyframe");
    cache.add(video(200, true, 10));
    assertEquals(List.of(200L), timestamps(cache));
  }

  @Test
  void aGopLargerThanTheByteBoundIsDropped() {
    GopCache cache = new GopCache(10_000, 250);
    cache.add(video(0, true, 200));
    cache.add(video(33, false, 100));
    assertEquals(0, cache.bytes());
  }

  @Test
  void audioOnlyStreamKeepsTheMostRecentAudioWithinBounds() {
    GopCache cache = new GopCache(50, 1 << 20);
    for (long ts = 0; ts <= 100; ts += 20) {
      cache.add(audio(ts));
    }
    assertEquals(List.of(60L, 80L, 100L), timestamps(cache));
  }

  @Test
  void sequenceHeadersAndMetadataAreNotPartOfTheGop() {
    GopCache cache = new GopCache(10_000, 1 << 20);
    cache.add(video(0, true, 10));
    cache.add(new MediaFrame(MessageType.VIDEO, 0, Buffer.buffer(new byte[5]), MediaFrame.SEQUENCE_HEADER));
    cache.add(new MediaFrame(MessageType.DATA_AMF0, 0, Buffer.buffer(new byte[5]), MediaFrame.METADATA));
    assertEquals(1, cache.size());
    assertTrue(cache.frames().get(0).isKeyframe());
  }
}

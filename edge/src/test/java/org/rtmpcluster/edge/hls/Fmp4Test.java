package org.rtmpcluster.edge.hls;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rtmpcluster.common.testing.FfmpegPublish;
import org.rtmpcluster.common.testing.MediaReport;
import org.rtmpcluster.common.testing.RealClients;

/**
 * The fMP4 muxer against ffprobe and ffmpeg's decoder: ffmpeg's own H.264 + AAC in FLV, its tags
 * muxed into an init segment and one fragment per GOP, must decode as the same frames.
 */
class Fmp4Test {
  @TempDir
  Path dir;

  /** An FLV tag: type, timestamp in ms, payload. */
  private record Tag(int type, long timestamp, Buffer payload) {
  }

  private static List<Tag> readFlv(byte[] flv) {
    List<Tag> tags = new ArrayList<>();
    int at = 13;
    while (at + 11 <= flv.length) {
      int type = flv[at] & 0xFF;
      int size = ((flv[at + 1] & 0xFF) << 16) | ((flv[at + 2] & 0xFF) << 8) | (flv[at + 3] & 0xFF);
      long ts = ((flv[at + 4] & 0xFFL) << 16) | ((flv[at + 5] & 0xFFL) << 8) | (flv[at + 6] & 0xFFL)
          | ((flv[at + 7] & 0xFFL) << 24);
      if (at + 11 + size > flv.length) {
        break;
      }
      tags.add(new Tag(type, ts, Buffer.buffer(java.util.Arrays.copyOfRange(flv, at + 11, at + 11 + size))));
      at += 11 + size + 4;
    }
    return tags;
  }

  @Test
  void ffmpegsStreamMuxedIntoFragmentsPerGopDecodesAsTheSameFrames() throws Exception {
    Path flv = dir.resolve("in.flv");
    try (FfmpegPublish made = RealClients.publishToFile(flv, 4, 30)) {
      assertTrue(made.awaitExit(Duration.ofSeconds(60)).exitedCleanly());
    }
    List<Tag> tags = readFlv(Files.readAllBytes(flv));
    VideoConfig avc = null;
    AacConfig aac = null;
    List<List<Tag>> gops = new ArrayList<>();
    List<Tag> audioOfGop = new ArrayList<>();
    List<List<Tag>> audioByGop = new ArrayList<>();
    for (Tag tag : tags) {
      if (tag.type == 9 && tag.payload.getUnsignedByte(1) == 0) {
        avc = VideoConfig.fromSequenceHeader(tag.payload);
      } else if (tag.type == 8 && tag.payload.getUnsignedByte(1) == 0) {
        aac = AacConfig.fromSequenceHeader(tag.payload);
      } else if (tag.type == 9 && tag.payload.getUnsignedByte(1) == 1) {
        if ((tag.payload.getUnsignedByte(0) >> 4) == 1) {
          gops.add(new ArrayList<>());
          audioOfGop = new ArrayList<>();
          audioByGop.add(audioOfGop);
        }
        gops.get(gops.size() - 1).add(tag);
      } else if (tag.type == 8 && !gops.isEmpty()) {
        audioOfGop.add(tag);
      }
    }
    assertEquals(RealClients.WIDTH, avc.width(), "width from the SPS");
    assertEquals(RealClients.HEIGHT, avc.height(), "height from the SPS");
    assertEquals(RealClients.AUDIO_SAMPLE_RATE, aac.sampleRate());
    assertEquals(RealClients.AUDIO_CHANNELS, aac.channels());

    Buffer mp4 = Buffer.buffer().appendBuffer(Fmp4.init(avc, aac));
    long audioTime = -1;
    int videoFrames = 0;
    for (int g = 0; g < gops.size(); g++) {
      List<Tag> gop = gops.get(g);
      List<Fmp4.Sample> video = new ArrayList<>();
      for (int i = 0; i < gop.size(); i++) {
        Tag tag = gop.get(i);
        long next = i + 1 < gop.size() ? gop.get(i + 1).timestamp
            : g + 1 < gops.size() ? gops.get(g + 1).get(0).timestamp : tag.timestamp + 33;
        int cts = (tag.payload.getMedium(2) << 8) >> 8; // signed 24 bits
        video.add(new Fmp4.Sample(tag.timestamp * 90, (int) ((next - tag.timestamp) * 90), cts * 90,
            i == 0, tag.payload.getBuffer(5, tag.payload.length())));
      }
      videoFrames += video.size();
      List<Fmp4.Sample> audio = new ArrayList<>();
      for (Tag tag : audioByGop.get(g)) {
        if (audioTime < 0) {
          audioTime = Math.round(tag.timestamp * aac.sampleRate() / 1000.0);
        }
        audio.add(new Fmp4.Sample(audioTime, 1024, 0, true, tag.payload.getBuffer(2, tag.payload.length())));
        audioTime += 1024;
      }
      mp4.appendBuffer(Fmp4.fragment(g + 1, video, audio));
    }
    Path out = dir.resolve("out.mp4");
    Files.write(out, mp4.getBytes());
    MediaReport report = RealClients.analyze(out);
    int expected = videoFrames;
    assertAll(report.toString(),
        () -> assertEquals("h264", report.videoCodec()),
        () -> assertEquals("aac", report.audioCodec()),
        () -> assertEquals(RealClients.WIDTH, report.width()),
        () -> assertEquals(RealClients.HEIGHT, report.height()),
        () -> assertEquals(expected, report.videoFrames(), "every video frame decodes"),
        () -> assertTrue(report.decodesCleanly(), "decodes without errors"),
        () -> assertTrue(report.videoTimestampsMonotonic()),
        () -> assertTrue(report.audioTimestampsMonotonic()));
  }
}

package org.rtmpcluster.common.media;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

class VideoTagTest {

  /** ffmpeg 5.1's AVC sequence header as published to nginx (captures/ffmpeg-publish), cut after the SPS length. */
  private static final Buffer FFMPEG_AVC_SEQUENCE_HEADER = Bytes.of(
      0x17,             // frame type 1 (key), codec id 7 (AVC)
      0x00,             // AVCPacketType 0: sequence header
      0x00, 0x00, 0x00, // composition time 0
      0x01,             // AVCDecoderConfigurationRecord: configurationVersion 1
      0x64, 0x00, 0x0d, // profile 100 (High), compatibility 0, level 1.3
      0xff,             // reserved bits, lengthSizeMinusOne 3
      0xe1,             // reserved bits, one SPS
      0x00, 0x1a);      // SPS length 26 (SPS bytes cut off here)

  /** ffmpeg 5.1's first AVC key frame (captures/ffmpeg-publish), cut after the first NAL unit's length. */
  private static final Buffer FFMPEG_AVC_KEYFRAME = Bytes.of(
      0x17,             // frame type 1 (key), codec id 7 (AVC)
      0x01,             // AVCPacketType 1: NALU
      0x00, 0x00, 0x43, // composition time 67 ms
      0x00, 0x00, 0x02, 0xba); // first NAL unit length 698

  private static final Buffer AVC_INTER_FRAME = Bytes.of(
      0x27,             // frame type 2 (inter), codec id 7 (AVC)
      0x01,             // AVCPacketType 1: NALU
      0x00, 0x00, 0x00, // composition time 0
      0x00, 0x00, 0x00, 0x01, // NAL unit length 1
      0x41);            // NAL header: non-IDR slice

  private static final Buffer AVC_END_OF_SEQUENCE = Bytes.of(
      0x17,             // frame type 1 (key), codec id 7 (AVC)
      0x02,             // AVCPacketType 2: end of sequence
      0x00, 0x00, 0x00); // composition time 0

  @Test
  void legacyAvcSequenceHeaderIsSequenceHeaderNotKeyframe() {
    assertAll(
        () -> assertTrue(VideoTag.isSequenceHeader(FFMPEG_AVC_SEQUENCE_HEADER)),
        () -> assertFalse(VideoTag.isKeyframe(FFMPEG_AVC_SEQUENCE_HEADER)),
        () -> assertFalse(VideoTag.isSequenceEnd(FFMPEG_AVC_SEQUENCE_HEADER)),
        () -> assertFalse(VideoTag.isEnhanced(FFMPEG_AVC_SEQUENCE_HEADER)),
        () -> assertEquals("avc1", VideoTag.codec(FFMPEG_AVC_SEQUENCE_HEADER)));
  }

  @Test
  void legacyAvcKeyframeNaluIsKeyframe() {
    assertAll(
        () -> assertTrue(VideoTag.isKeyframe(FFMPEG_AVC_KEYFRAME)),
        () -> assertFalse(VideoTag.isSequenceHeader(FFMPEG_AVC_KEYFRAME)),
        () -> assertFalse(VideoTag.isInfoFrame(FFMPEG_AVC_KEYFRAME)),
        () -> assertEquals("avc1", VideoTag.codec(FFMPEG_AVC_KEYFRAME)));
  }

  @Test
  void legacyAvcInterFrameIsNeitherKeyframeNorSequenceHeader() {
    assertFalse(VideoTag.isKeyframe(AVC_INTER_FRAME));
    assertFalse(VideoTag.isSequenceHeader(AVC_INTER_FRAME));
    assertEquals("avc1", VideoTag.codec(AVC_INTER_FRAME));
  }

  @Test
  void legacyAvcEndOfSequenceIsSequenceEndNotKeyframe() {
    assertTrue(VideoTag.isSequenceEnd(AVC_END_OF_SEQUENCE));
    assertFalse(VideoTag.isKeyframe(AVC_END_OF_SEQUENCE));
    assertFalse(VideoTag.isSequenceHeader(AVC_END_OF_SEQUENCE));
  }

  @Test
  void legacyHevcCodecId12UsesAvcPacketTypes() {
    Buffer sequenceHeader = Bytes.of(
        0x1c,             // frame type 1 (key), codec id 12 (HEVC, non-standard legacy id)
        0x00,             // AVCPacketType 0: sequence header
        0x00, 0x00, 0x00, // composition time 0
        0x01);            // HEVCDecoderConfigurationRecord: configurationVersion 1
    Buffer keyframe = Bytes.of(
        0x1c,             // frame type 1 (key), codec id 12
        0x01,             // AVCPacketType 1: NALU
        0x00, 0x00, 0x00, // composition time 0
        0x00, 0x00, 0x00, 0x02, 0x26, 0x01); // NAL length 2, IDR_W_RADL header
    assertAll(
        () -> assertEquals("hvc1", VideoTag.codec(sequenceHeader)),
        () -> assertTrue(VideoTag.isSequenceHeader(sequenceHeader)),
        () -> assertFalse(VideoTag.isKeyframe(sequenceHeader)),
        () -> assertTrue(VideoTag.isKeyframe(keyframe)),
        () -> assertFalse(VideoTag.isEnhanced(keyframe)));
  }

  @Test
  void legacyCodecIdsMapToNames() {
    assertAll(
        () -> assertEquals("h263", VideoTag.codec(Bytes.of(0x12))),    // key, Sorenson H.263
        () -> assertEquals("screen", VideoTag.codec(Bytes.of(0x13))),  // key, screen video
        () -> assertEquals("vp6", VideoTag.codec(Bytes.of(0x24))),     // inter, On2 VP6
        () -> assertEquals("vp6a", VideoTag.codec(Bytes.of(0x25))),    // inter, VP6 with alpha
        () -> assertEquals("screen2", VideoTag.codec(Bytes.of(0x26))), // inter, screen video v2
        () -> assertNull(VideoTag.codec(Bytes.of(0x1f))));             // key, codec id 15: unknown
  }

  @Test
  void legacyNonAvcKeyframeNeedsOnlyByteZero() {
    Buffer vp6Key = Bytes.of(
        0x14,   // frame type 1 (key), codec id 4 (VP6)
        0x00);  // VP6 adjustment byte
    assertTrue(VideoTag.isKeyframe(vp6Key));
    assertFalse(VideoTag.isSequenceHeader(vp6Key));
  }

  @Test
  void enhancedHevcSequenceStart() {
    Buffer payload = Bytes.of(
        0x90,                   // ex header, frame type 1 (key), packet type 0 SequenceStart
        'h', 'v', 'c', '1',     // FourCC
        0x01);                  // HEVCDecoderConfigurationRecord: configurationVersion 1
    assertAll(
        () -> assertTrue(VideoTag.isEnhanced(payload)),
        () -> assertTrue(VideoTag.isSequenceHeader(payload)),
        () -> assertFalse(VideoTag.isKeyframe(payload)),
        () -> assertEquals("hvc1", VideoTag.codec(payload)));
  }

  @Test
  void enhancedHevcCodedFramesKeyframe() {
    Buffer payload = Bytes.of(
        0x91,                   // ex header, frame type 1 (key), packet type 1 CodedFrames
        'h', 'v', 'c', '1',     // FourCC
        0x00, 0x00, 0x21,       // composition time 33 ms
        0x00, 0x00, 0x00, 0x02, 0x26, 0x01); // NAL length 2, IDR_W_RADL header
    assertTrue(VideoTag.isKeyframe(payload));
    assertFalse(VideoTag.isSequenceHeader(payload));
    assertEquals("hvc1", VideoTag.codec(payload));
  }

  @Test
  void enhancedAv1CodedFramesXKeyframeAndInterFrame() {
    Buffer key = Bytes.of(
        0x93,                   // ex header, frame type 1 (key), packet type 3 CodedFramesX
        'a', 'v', '0', '1',     // FourCC
        0x12, 0x00);            // AV1 OBU: temporal delimiter
    Buffer inter = Bytes.of(
        0xa3,                   // ex header, frame type 2 (inter), packet type 3 CodedFramesX
        'a', 'v', '0', '1',     // FourCC
        0x12, 0x00);            // AV1 OBU: temporal delimiter
    assertAll(
        () -> assertTrue(VideoTag.isKeyframe(key)),
        () -> assertEquals("av01", VideoTag.codec(key)),
        () -> assertFalse(VideoTag.isKeyframe(inter)),
        () -> assertEquals("av01", VideoTag.codec(inter)));
  }

  @Test
  void enhancedAv1SequenceStartAndSequenceEnd() {
    Buffer start = Bytes.of(
        0x90,                   // ex header, frame type 1 (key), packet type 0 SequenceStart
        'a', 'v', '0', '1',     // FourCC
        0x81);                  // AV1CodecConfigurationRecord: marker, version 1
    Buffer end = Bytes.of(
        0x92,                   // ex header, frame type 1 (key), packet type 2 SequenceEnd
        'a', 'v', '0', '1');    // FourCC
    assertTrue(VideoTag.isSequenceHeader(start));
    assertTrue(VideoTag.isSequenceEnd(end));
    assertFalse(VideoTag.isKeyframe(end));
  }

  @Test
  void enhancedMultitrackWrappingSequenceStart() {
    Buffer payload = Bytes.of(
        0x96,                   // ex header, frame type 1 (key), packet type 6 Multitrack
        0x00,                   // AvMultitrackType 0 OneTrack, packet type 0 SequenceStart
        'h', 'v', 'c', '1',     // FourCC for the track
        0x00,                   // track id 0
        0x01);                  // HEVCDecoderConfigurationRecord: configurationVersion 1
    assertTrue(VideoTag.isSequenceHeader(payload));
    assertEquals("hvc1", VideoTag.codec(payload));
  }

  @Test
  void enhancedMultitrackManyCodecsReportsFirstTracksFourCc() {
    Buffer payload = Bytes.of(
        0x96,                   // ex header, frame type 1 (key), packet type 6 Multitrack
        0x23,                   // AvMultitrackType 2 ManyTracksManyCodecs, packet type 3 CodedFramesX
        'a', 'v', '0', '1',     // first track's FourCC
        0x00,                   // track id 0
        0x00, 0x00, 0x02,       // track size 2
        0x12, 0x00);            // AV1 OBU: temporal delimiter
    assertTrue(VideoTag.isKeyframe(payload));
    assertEquals("av01", VideoTag.codec(payload));
  }

  @Test
  void enhancedModExPrefixIsSkipped() {
    Buffer payload = Bytes.of(
        0x97,                   // ex header, frame type 1 (key), packet type 7 ModEx
        0x02,                   // ModEx data size - 1 = 2: three bytes follow
        0x00, 0x01, 0xf4,       // TimestampOffsetNano 500 ns
        0x01,                   // ModEx type 0 TimestampOffsetNano, packet type 1 CodedFrames
        'h', 'v', 'c', '1',     // FourCC
        0x00, 0x00, 0x00);      // composition time 0
    assertTrue(VideoTag.isKeyframe(payload));
    assertEquals("hvc1", VideoTag.codec(payload));
  }

  @Test
  void enhancedModExWithSixteenBitSizeIsSkipped() {
    Buffer payload = Buffer.buffer()
        .appendBytes(new byte[] {
            (byte) 0x97,        // ex header, frame type 1 (key), packet type 7 ModEx
            (byte) 0xff,        // UI8 size - 1 = 255: the UI16 form follows
            0x01, 0x00})        // UI16 size - 1 = 256: 257 bytes of ModEx data
        .appendBytes(new byte[257])
        .appendBytes(new byte[] {
            0x00,               // ModEx type 0, packet type 0 SequenceStart
            'v', 'p', '0', '9'}); // FourCC
    assertTrue(VideoTag.isSequenceHeader(payload));
    assertEquals("vp09", VideoTag.codec(payload));
  }

  @Test
  void legacyInfoFrameIsInfoFrameNotKeyframe() {
    Buffer payload = Bytes.of(
        0x57,                   // frame type 5 (info/command), codec id 7 (AVC)
        0x01);                  // VideoCommand 1: StartSeek (not an AVCPacketType)
    assertTrue(VideoTag.isInfoFrame(payload));
    assertFalse(VideoTag.isKeyframe(payload));
    assertFalse(VideoTag.isSequenceEnd(payload));
    assertEquals("avc1", VideoTag.codec(payload));
  }

  @Test
  void enhancedCommandFrameIsInfoFrameWithoutFourCc() {
    Buffer payload = Bytes.of(
        0xd1,                   // ex header, frame type 5 (command), packet type 1
        0x00);                  // VideoCommand 0: StartSeek
    assertTrue(VideoTag.isInfoFrame(payload));
    assertFalse(VideoTag.isKeyframe(payload));
    assertNull(VideoTag.codec(payload));
  }

  @Test
  void enhancedMetadataWithFrameTypeFiveIsNotInfoFrame() {
    Buffer payload = Bytes.of(
        0xd4,                   // ex header, frame type 5 (ignored for Metadata), packet type 4 Metadata
        'h', 'v', 'c', '1',     // FourCC
        0x02);                  // AMF0 string marker: "colorInfo" ... follows
    assertFalse(VideoTag.isInfoFrame(payload));
    assertEquals("hvc1", VideoTag.codec(payload));
  }

  @Test
  void emptyAndNullPayloadsHaveNoFacts() {
    for (Buffer payload : new Buffer[] {null, Buffer.buffer()}) {
      assertFalse(VideoTag.isKeyframe(payload));
      assertFalse(VideoTag.isSequenceHeader(payload));
      assertFalse(VideoTag.isSequenceEnd(payload));
      assertFalse(VideoTag.isInfoFrame(payload));
      assertFalse(VideoTag.isEnhanced(payload));
      assertNull(VideoTag.codec(payload));
    }
  }

  @Test
  void oneBytePayloadsLackingTheirHeaderHaveNoFacts() {
    Buffer avcKey = Bytes.of(0x17);      // key, AVC, but no AVCPacketType
    Buffer enhancedKey = Bytes.of(0x90); // ex header, key, SequenceStart, but no FourCC
    assertAll(
        () -> assertFalse(VideoTag.isKeyframe(avcKey)),
        () -> assertFalse(VideoTag.isSequenceHeader(avcKey)),
        () -> assertNull(VideoTag.codec(avcKey)),
        () -> assertTrue(VideoTag.isEnhanced(enhancedKey)),
        () -> assertFalse(VideoTag.isSequenceHeader(enhancedKey)),
        () -> assertFalse(VideoTag.isKeyframe(enhancedKey)),
        () -> assertNull(VideoTag.codec(enhancedKey)));
  }

  @Test
  void everyPrefixOfEveryVectorIsAnsweredWithoutException() {
    Buffer modEx = Bytes.of(0x97, 0xff, 0xff, 0xff, 0x01, 'h', 'v', 'c', '1');
    Buffer multitrack = Bytes.of(0x96, 0x23, 'a', 'v', '0', '1', 0x00, 0x00, 0x00, 0x02, 0x12, 0x00);
    for (Buffer full : new Buffer[] {FFMPEG_AVC_SEQUENCE_HEADER, FFMPEG_AVC_KEYFRAME, modEx, multitrack}) {
      for (int length = 0; length <= full.length(); length++) {
        Buffer prefix = full.getBuffer(0, length);
        VideoTag.isKeyframe(prefix);
        VideoTag.isSequenceHeader(prefix);
        VideoTag.isSequenceEnd(prefix);
        VideoTag.isInfoFrame(prefix);
        VideoTag.codec(prefix);
      }
    }
  }
}

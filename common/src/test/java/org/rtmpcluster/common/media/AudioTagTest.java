package org.rtmpcluster.common.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

class AudioTagTest {

  /** ffmpeg 5.1's AAC sequence header as published to nginx (captures/ffmpeg-publish). */
  private static final Buffer FFMPEG_AAC_SEQUENCE_HEADER = Bytes.of(
      0xaf,             // format 10 (AAC), 44 kHz, 16-bit, stereo
      0x00,             // AACPacketType 0: AudioSpecificConfig
      0x12, 0x08,       // AudioSpecificConfig: AAC LC, 44.1 kHz, 1 channel
      0x56, 0xe5, 0x00); // explicit SBR signalling (sync extension)

  @Test
  void aacSequenceHeaderIsSequenceHeader() {
    assertTrue(AudioTag.isSequenceHeader(FFMPEG_AAC_SEQUENCE_HEADER));
    assertEquals("mp4a", AudioTag.codec(FFMPEG_AAC_SEQUENCE_HEADER));
  }

  @Test
  void aacRawFrameIsNotSequenceHeader() {
    Buffer raw = Bytes.of(
        0xaf,             // format 10 (AAC), 44 kHz, 16-bit, stereo
        0x01,             // AACPacketType 1: raw
        0x21, 0x10);      // raw_data_block starts
    assertFalse(AudioTag.isSequenceHeader(raw));
    assertEquals("mp4a", AudioTag.codec(raw));
  }

  @Test
  void mp3HasNoSequenceHeader() {
    Buffer mp3 = Bytes.of(
        0x2f,             // format 2 (MP3), 44 kHz, 16-bit, stereo
        0xff, 0xfb, 0x90, 0x64); // MPEG-1 layer III frame header
    Buffer mp3AllZeroSecondByte = Bytes.of(
        0x2f,             // format 2 (MP3)
        0x00);            // a 0 here means nothing for MP3
    assertEquals("mp3", AudioTag.codec(mp3));
    assertFalse(AudioTag.isSequenceHeader(mp3));
    assertFalse(AudioTag.isSequenceHeader(mp3AllZeroSecondByte));
  }

  @Test
  void legacySoundFormatsMapToNames() {
    String[] expected = {
      "pcm", "adpcm", "mp3", "pcm-le", "nellymoser", "nellymoser", "nellymoser", "g711a",
      "g711u", null, "mp4a", "speex", null, null, "mp3", "native",
    };
    for (int format = 0; format < 16; format++) {
      if (format == AudioTag.FORMAT_EX_HEADER) {
        continue;
      }
      assertEquals(expected[format], AudioTag.codec(Bytes.of(format << 4 | 0x0f)), "format " + format);
    }
  }

  @Test
  void enhancedOpusSequenceStart() {
    Buffer payload = Bytes.of(
        0x90,                   // format 9 (ExHeader), packet type 0 SequenceStart
        'O', 'p', 'u', 's',     // FourCC
        'O', 'p', 'u', 's', 'H', 'e', 'a', 'd'); // OpusHead
    assertTrue(AudioTag.isSequenceHeader(payload));
    assertEquals("Opus", AudioTag.codec(payload));
  }

  @Test
  void enhancedCodedFramesIsNotSequenceHeader() {
    Buffer payload = Bytes.of(
        0x91,                   // format 9 (ExHeader), packet type 1 CodedFrames
        'a', 'c', '-', '3',     // FourCC
        0x0b, 0x77);            // AC-3 sync word
    assertFalse(AudioTag.isSequenceHeader(payload));
    assertEquals("ac-3", AudioTag.codec(payload));
  }

  @Test
  void enhancedMultitrackWrappingSequenceStart() {
    Buffer payload = Bytes.of(
        0x95,                   // format 9 (ExHeader), packet type 5 Multitrack
        0x00,                   // AvMultitrackType 0 OneTrack, packet type 0 SequenceStart
        'm', 'p', '4', 'a',     // FourCC
        0x00,                   // track id 0
        0x12, 0x10);            // AudioSpecificConfig: AAC LC, 44.1 kHz, stereo
    assertTrue(AudioTag.isSequenceHeader(payload));
    assertEquals("mp4a", AudioTag.codec(payload));
  }

  @Test
  void enhancedModExThenSequenceStart() {
    Buffer payload = Bytes.of(
        0x97,                   // format 9 (ExHeader), packet type 7 ModEx
        0x02,                   // ModEx data size - 1 = 2
        0x00, 0x00, 0x64,       // TimestampOffsetNano 100 ns
        0x00,                   // ModEx type 0, packet type 0 SequenceStart
        'f', 'L', 'a', 'C');    // FourCC
    assertTrue(AudioTag.isSequenceHeader(payload));
    assertEquals("fLaC", AudioTag.codec(payload));
  }

  @Test
  void tooShortPayloadsHaveNoFacts() {
    assertFalse(AudioTag.isSequenceHeader(null));
    assertNull(AudioTag.codec(null));
    assertFalse(AudioTag.isSequenceHeader(Buffer.buffer())); // the legacy "silence" message
    assertNull(AudioTag.codec(Buffer.buffer()));
    assertFalse(AudioTag.isSequenceHeader(Bytes.of(0xaf))); // AAC without AACPacketType
    assertFalse(AudioTag.isSequenceHeader(Bytes.of(0x90))); // ExHeader SequenceStart, no FourCC
    assertNull(AudioTag.codec(Bytes.of(0x90)));
    assertNull(AudioTag.codec(Bytes.of(0x90, 'O', 'p', 'u'))); // FourCC cut short
    assertNull(AudioTag.codec(Bytes.of(0x97, 0x05, 0x00))); // ModEx data cut short
  }
}

package org.rtmpcluster.common.media;

import io.vertx.core.buffer.Buffer;

/**
 * Facts about an RTMP audio message payload (type 8), which is an FLV AUDIODATA tag body, legacy
 * (FLV spec 10.1, E.4.2.1) or Enhanced RTMP v2 ("Enhanced Audio"). Every method answers for any
 * input, {@code null} and empty buffers included (an empty audio message is the legacy "silence"
 * message), and never throws.
 *
 * <p>Byte 0: the sound format in the high nibble. Format 9 is the E-RTMP ExHeader: the low nibble
 * is then a packet type, and a FourCC follows (after any ModEx prefixes and Multitrack byte).
 */
public final class AudioTag {

  static final int FORMAT_EX_HEADER = 9;
  static final int FORMAT_AAC = 10;

  /** AACPacketType 0: AudioSpecificConfig (FLV spec E.4.2.2). */
  static final int AAC_SEQUENCE_HEADER = 0;

  /** AudioPacketType (E-RTMP v2); note Multitrack is 5 for audio, 6 for video. */
  static final int SEQUENCE_START = 0;
  static final int MULTITRACK = 5;

  /** Names of the legacy sound formats; 9 is the ExHeader, 12 and 13 are reserved. */
  private static final String[] LEGACY_CODECS = {
    "pcm", // 0 linear PCM, platform endian
    "adpcm", // 1
    "mp3", // 2
    "pcm-le", // 3 linear PCM, little endian
    "nellymoser", // 4 Nellymoser 16 kHz mono
    "nellymoser", // 5 Nellymoser 8 kHz mono
    "nellymoser", // 6
    "g711a", // 7
    "g711u", // 8
    null, // 9 ExHeader: the FourCC names the codec
    "mp4a", // 10 AAC
    "speex", // 11
    null, // 12 reserved
    null, // 13 reserved
    "mp3", // 14 MP3 8 kHz
    "native", // 15 device-specific sound
  };

  private AudioTag() {}

  /**
   * True for a decoder configuration: AAC with AACPacketType 0, or an E-RTMP SequenceStart (also
   * inside Multitrack). Needs the complete header (for E-RTMP, through the FourCC).
   */
  public static boolean isSequenceHeader(Buffer payload) {
    if (payload == null || payload.length() < 2) {
      return false;
    }
    int format = payload.getUnsignedByte(0) >> 4;
    if (format == FORMAT_AAC) {
      return payload.getUnsignedByte(1) == AAC_SEQUENCE_HEADER;
    }
    if (format != FORMAT_EX_HEADER) {
      return false;
    }
    EnhancedHeader.Position at = enhancedPosition(payload);
    return at != null
        && at.packetType() == SEQUENCE_START
        && EnhancedHeader.fourCc(payload, at.offset()) != null;
  }

  /**
   * The codec: the FourCC as sent for E-RTMP ("mp4a", "Opus", ".mp3", "fLaC", "ac-3", "ec-3"; for
   * ManyTracksManyCodecs the first track's), else the legacy name: "mp4a" for AAC, "mp3", "pcm",
   * "pcm-le", "adpcm", "nellymoser", "g711a", "g711u", "speex", "native". Null when the payload is
   * empty or too short for the FourCC, or the legacy format is reserved.
   */
  public static String codec(Buffer payload) {
    if (payload == null || payload.length() == 0) {
      return null;
    }
    int format = payload.getUnsignedByte(0) >> 4;
    if (format != FORMAT_EX_HEADER) {
      return LEGACY_CODECS[format];
    }
    EnhancedHeader.Position at = enhancedPosition(payload);
    return at == null ? null : EnhancedHeader.fourCc(payload, at.offset());
  }

  private static EnhancedHeader.Position enhancedPosition(Buffer payload) {
    EnhancedHeader.Position at = EnhancedHeader.packetType(payload);
    return at == null ? null : EnhancedHeader.unwrapMultitrack(payload, at, MULTITRACK);
  }
}

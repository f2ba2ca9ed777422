package org.rtmpcluster.common.media;

import io.vertx.core.buffer.Buffer;

/**
 * Facts about an RTMP video message payload (type 9), which is an FLV VIDEODATA tag body, legacy
 * (FLV spec 10.1, E.4.3.1) or Enhanced RTMP v2 ("Enhanced Video"). Every method answers for any
 * input, {@code null} and empty buffers included, and never throws: a payload too short to carry a
 * fact does not have it.
 *
 * <p>Byte 0 in both forms: bit 7 set means the enhanced header, bits 4-6 are the frame type
 * (1 key, 2 inter, 3 disposable, 4 generated key, 5 info/command). The low nibble is the codec id
 * in the legacy form (7 AVC, 12 HEVC as some encoders send it), the packet type in the enhanced
 * form, followed there by a FourCC.
 */
public final class VideoTag {

  static final int FRAME_TYPE_KEY = 1;
  static final int FRAME_TYPE_COMMAND = 5;

  static final int CODEC_ID_AVC = 7;
  /** Not in the FLV spec; the id Chinese CDNs and patched encoders use for legacy-framed HEVC. */
  static final int CODEC_ID_HEVC = 12;

  /** AVCPacketType (FLV spec E.4.3.1), also used by the legacy HEVC framing. */
  static final int AVC_SEQUENCE_HEADER = 0;
  static final int AVC_NALU = 1;
  static final int AVC_END_OF_SEQUENCE = 2;
  /** Byte 0, AVCPacketType and the 3-byte composition time offset. */
  static final int AVC_HEADER_LENGTH = 5;

  /** VideoPacketType (E-RTMP v2). */
  static final int SEQUENCE_START = 0;
  static final int CODED_FRAMES = 1;
  static final int SEQUENCE_END = 2;
  static final int CODED_FRAMES_X = 3;
  static final int METADATA = 4;
  static final int MPEG2TS_SEQUENCE_START = 5;
  static final int MULTITRACK = 6;

  /** Packet type of a payload whose framing has none (legacy non-AVC codecs, command frames). */
  private static final int NO_PACKET_TYPE = -1;

  private static final String[] LEGACY_CODECS = {
    null, null, "h263", "screen", "vp6", "vp6a", "screen2", "avc1",
    null, null, null, null, "hvc1", null, null, null,
  };

  /** What byte 0 and the header after it say; packetType is NO_PACKET_TYPE where there is none. */
  private record Header(boolean enhanced, int frameType, int packetType, String codec) {}

  private VideoTag() {}

  /**
   * True for a coded key frame: frame type 1 carrying picture data. Sequence headers and ends with
   * frame type 1 are not key frames here ({@link #isSequenceHeader} answers for them), so a GOP
   * cache can start at this frame. Legacy AVC/HEVC need AVCPacketType 1 (NALU); enhanced need
   * CodedFrames or CodedFramesX, also inside Multitrack; other legacy codecs need only byte 0.
   */
  public static boolean isKeyframe(Buffer payload) {
    Header header = parse(payload);
    if (header == null || header.frameType() != FRAME_TYPE_KEY) {
      return false;
    }
    if (header.enhanced()) {
      return header.packetType() == CODED_FRAMES || header.packetType() == CODED_FRAMES_X;
    }
    return header.packetType() == NO_PACKET_TYPE || header.packetType() == AVC_NALU;
  }

  /**
   * True for a decoder configuration: legacy AVC/HEVC AVCPacketType 0, enhanced SequenceStart or
   * MPEG2TSSequenceStart (the same role for MPEG-2 TS carriage), also inside Multitrack (where it
   * speaks for the first track's packet type, which the v2 spec makes the same for all tracks).
   */
  public static boolean isSequenceHeader(Buffer payload) {
    Header header = parse(payload);
    if (header == null) {
      return false;
    }
    if (header.enhanced()) {
      return header.packetType() == SEQUENCE_START || header.packetType() == MPEG2TS_SEQUENCE_START;
    }
    return header.packetType() == AVC_SEQUENCE_HEADER;
  }

  /** True for legacy AVC/HEVC end of sequence (AVCPacketType 2) or enhanced SequenceEnd. */
  public static boolean isSequenceEnd(Buffer payload) {
    Header header = parse(payload);
    if (header == null) {
      return false;
    }
    return header.packetType() == (header.enhanced() ? SEQUENCE_END : AVC_END_OF_SEQUENCE);
  }

  /**
   * True for frame type 5, a video info/command frame (no picture). In the enhanced form the frame
   * type means nothing when the packet type is Metadata, so that is not an info frame.
   */
  public static boolean isInfoFrame(Buffer payload) {
    Header header = parse(payload);
    return header != null
        && header.frameType() == FRAME_TYPE_COMMAND
        && !(header.enhanced() && header.packetType() == METADATA);
  }

  /** An Enhanced RTMP payload's packet type (after any ModEx prefixes) and where its FourCC starts. */
  public record Enhanced(int packetType, int fourCcOffset) {}

  /**
   * The packet type and FourCC position of an enhanced payload, ModEx prefixes skipped (a
   * Multitrack packet is left as it is: packet type 6); null for a legacy payload or one that
   * ends before its FourCC.
   */
  public static Enhanced enhanced(Buffer payload) {
    if (!isEnhanced(payload)) {
      return null;
    }
    EnhancedHeader.Position at = EnhancedHeader.packetType(payload);
    if (at == null || at.offset() + EnhancedHeader.FOURCC_LENGTH > payload.length()) {
      return null;
    }
    return new Enhanced(at.packetType(), at.offset());
  }

  /** True when bit 7 of byte 0 announces the Enhanced RTMP header. */
  public static boolean isEnhanced(Buffer payload) {
    return payload != null && payload.length() > 0 && (payload.getUnsignedByte(0) & 0x80) != 0;
  }

  /**
   * The codec: the FourCC as sent for the enhanced form ("avc1", "hvc1", "av01", "vp09", "vp08",
   * "vvc1", ...; for ManyTracksManyCodecs the first track's), or for legacy ids 7 "avc1",
   * 12 "hvc1", 2 "h263", 3 "screen", 4 "vp6", 5 "vp6a", 6 "screen2". Null when the payload is
   * too short, the legacy id is unknown, or the payload is an enhanced command frame (no FourCC).
   */
  public static String codec(Buffer payload) {
    Header header = parse(payload);
    return header == null ? null : header.codec();
  }

  private static Header parse(Buffer payload) {
    if (payload == null || payload.length() == 0) {
      return null;
    }
    int byte0 = payload.getUnsignedByte(0);
    int frameType = (byte0 >> 4) & 0x07;
    if ((byte0 & 0x80) == 0) {
      return parseLegacy(payload, frameType, byte0 & 0x0F);
    }
    EnhancedHeader.Position at = EnhancedHeader.packetType(payload);
    if (at == null) {
      return null;
    }
    if (frameType == FRAME_TYPE_COMMAND && at.packetType() != METADATA) {
      // A command frame carries a VideoCommand byte and no FourCC (E-RTMP v2, ExVideoTagHeader).
      return new Header(true, frameType, NO_PACKET_TYPE, null);
    }
    at = EnhancedHeader.unwrapMultitrack(payload, at, MULTITRACK);
    if (at == null) {
      return null;
    }
    String fourCc = EnhancedHeader.fourCc(payload, at.offset());
    if (fourCc == null) {
      return null;
    }
    return new Header(true, frameType, at.packetType(), fourCc);
  }

  private static Header parseLegacy(Buffer payload, int frameType, int codecId) {
    String codec = LEGACY_CODECS[codecId];
    boolean avcFraming = codecId == CODEC_ID_AVC || codecId == CODEC_ID_HEVC;
    if (!avcFraming || frameType == FRAME_TYPE_COMMAND) {
      // Non-AVC codecs have no packet type; a command frame's byte 1 is a VideoCommand.
      return new Header(false, frameType, NO_PACKET_TYPE, codec);
    }
    if (payload.length() < AVC_HEADER_LENGTH) {
      return null;
    }
    return new Header(false, frameType, payload.getUnsignedByte(1), codec);
  }
}

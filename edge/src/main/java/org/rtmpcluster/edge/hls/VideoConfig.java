package org.rtmpcluster.edge.hls;

import io.vertx.core.buffer.Buffer;
import org.rtmpcluster.common.media.VideoTag;

/**
 * A video track as fMP4 and an HLS playlist need it: the sample entry (avc1, hvc1, av01), its
 * configuration box with the decoder configuration record the publisher sent, the picture size,
 * and the RFC 6381 codecs string.
 *
 * <p>From an RTMP video payload: legacy FLV framing (codec id 7 AVC, or 12, the id encoders use for
 * HEVC), or Enhanced RTMP (E-RTMP v2: bit 7 of byte 0, the packet type in the low nibble or after
 * ModEx prefixes, a FourCC) with SequenceStart for the configuration and CodedFrames /
 * CodedFramesX for samples. Multitrack video is not taken apart.
 */
record VideoConfig(String sampleEntry, String configBox, Buffer record, int width, int height, String codecs) {
  private static final int LEGACY_AVC = 7;
  private static final int LEGACY_HEVC = 12;
  private static final int SEQUENCE_START = 0;
  private static final int CODED_FRAMES = 1;
  private static final int CODED_FRAMES_X = 3;

  /** Where a coded frame's sample data starts in its payload, and its composition offset in ms. */
  record Coded(int dataOffset, int compositionMs) {
  }

  /**
   * The configuration in a sequence header; IllegalArgumentException for a codec fMP4 here does
   * not carry, or a header that ends before what it declares.
   */
  static VideoConfig fromSequenceHeader(Buffer payload) {
    try {
      return read(payload);
    } catch (IndexOutOfBoundsException e) {
      throw new IllegalArgumentException("video sequence header ends early", e);
    }
  }

  private static VideoConfig read(Buffer payload) {
    if (payload.length() < 6) {
      throw new IllegalArgumentException("video sequence header too short");
    }
    int byte0 = payload.getUnsignedByte(0);
    if ((byte0 & 0x80) == 0) {
      if (payload.getUnsignedByte(1) != 0) {
        throw new IllegalArgumentException("not a sequence header");
      }
      Buffer record = payload.getBuffer(5, payload.length());
      return switch (byte0 & 0x0F) {
        case LEGACY_AVC -> AvcConfig.fromRecord(record);
        case LEGACY_HEVC -> HevcConfig.fromRecord(record);
        default -> throw new IllegalArgumentException("video codec id " + (byte0 & 0x0F) + " is not carried in fMP4 here");
      };
    }
    VideoTag.Enhanced header = VideoTag.enhanced(payload);
    if (header == null || header.packetType() != SEQUENCE_START) {
      throw new IllegalArgumentException("not an Enhanced RTMP SequenceStart"
          + (header == null ? "" : " (packet type " + header.packetType() + ")"));
    }
    int at = header.fourCcOffset();
    String fourCc = payload.getString(at, at + 4, "ISO-8859-1");
    Buffer record = payload.getBuffer(at + 4, payload.length());
    return switch (fourCc) {
      case "avc1" -> AvcConfig.fromRecord(record);
      case "hvc1" -> HevcConfig.fromRecord(record);
      case "av01" -> Av1Config.fromRecord(record);
      default -> throw new IllegalArgumentException("video codec " + fourCc + " is not carried in fMP4 here");
    };
  }

  /** Where a coded frame's sample is, or null when the payload carries no picture of this codec. */
  Coded coded(Buffer payload) {
    if (payload.length() < 5) {
      return null;
    }
    int byte0 = payload.getUnsignedByte(0);
    if ((byte0 & 0x80) == 0) {
      // Legacy AVC/HEVC: packet type 1 (NALU), then a signed 24-bit composition time (FLV E.4.3.1).
      return payload.getUnsignedByte(1) == 1 ? new Coded(5, (payload.getMedium(2) << 8) >> 8) : null;
    }
    VideoTag.Enhanced header = VideoTag.enhanced(payload);
    if (header == null) {
      return null;
    }
    int at = header.fourCcOffset();
    if (!payload.getString(at, at + 4, "ISO-8859-1").equals(sampleEntry)) {
      return null;
    }
    int packetType = header.packetType();
    if (packetType == CODED_FRAMES_X || packetType == CODED_FRAMES && sampleEntry.equals("av01")) {
      return new Coded(at + 4, 0); // no composition time: AV1 has none, CodedFramesX says it is 0
    }
    if (packetType == CODED_FRAMES && payload.length() >= at + 7) {
      return new Coded(at + 7, (payload.getMedium(at + 4) << 8) >> 8);
    }
    return null;
  }
}

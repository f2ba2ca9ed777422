package org.rtmpcluster.common.media;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;

/**
 * The parts of the Enhanced RTMP v2 ExVideoTagHeader and ExAudioTagHeader that audio and video
 * share: the packet type in the low nibble of byte 0, any ModEx prefixes that replace it, and the
 * Multitrack wrapper in front of the FourCC. Returns {@code null} where the payload ends before
 * the part asked for; never throws.
 */
final class EnhancedHeader {

  /** Packet type value that announces a ModEx prefix; 7 for audio and video alike. */
  static final int PACKET_TYPE_MOD_EX = 7;

  /** AvMultitrackType.ManyTracksManyCodecs: every track names its own FourCC. */
  static final int MANY_TRACKS_MANY_CODECS = 2;

  /** A ModEx data size of 256 in the UI8 form means a UI16 size follows (E-RTMP v2, ExVideoTagHeader). */
  private static final int MOD_EX_SIZE_ESCAPE = 256;

  static final int FOURCC_LENGTH = 4;

  /** A packet type and the offset of the first byte after it. */
  record Position(int packetType, int offset) {}

  private EnhancedHeader() {}

  /**
   * Reads the packet type of byte 0 and skips any ModEx prefixes. Each prefix is a UI8 size minus
   * one (UI16 when the UI8 form reads 256), that many data bytes, then a byte whose low nibble is
   * the next packet type. Each round consumes at least two bytes, so the loop ends with the payload.
   */
  static Position packetType(Buffer payload) {
    int length = payload.length();
    int packetType = payload.getUnsignedByte(0) & 0x0F;
    int offset = 1;
    while (packetType == PACKET_TYPE_MOD_EX) {
      if (offset >= length) {
        return null;
      }
      int size = payload.getUnsignedByte(offset) + 1;
      offset += 1;
      if (size == MOD_EX_SIZE_ESCAPE) {
        if (offset + 2 > length) {
          return null;
        }
        size = payload.getUnsignedShort(offset) + 1;
        offset += 2;
      }
      offset += size;
      if (offset >= length) {
        return null;
      }
      packetType = payload.getUnsignedByte(offset) & 0x0F;
      offset += 1;
    }
    return new Position(packetType, offset);
  }

  /**
   * Unwraps a Multitrack packet type: the next byte holds the AvMultitrackType (high nibble) and
   * the packet type of all tracks (low nibble). The FourCC then follows directly, for
   * ManyTracksManyCodecs as the first track's own FourCC, so the offset returned points at a FourCC
   * in every case.
   */
  static Position unwrapMultitrack(Buffer payload, Position at, int multitrackPacketType) {
    if (at.packetType() != multitrackPacketType) {
      return at;
    }
    if (at.offset() >= payload.length()) {
      return null;
    }
    int packetType = payload.getUnsignedByte(at.offset()) & 0x0F;
    return new Position(packetType, at.offset() + 1);
  }

  /** The four ASCII bytes at {@code offset}, or {@code null} when the payload ends before them. */
  static String fourCc(Buffer payload, int offset) {
    if (offset + FOURCC_LENGTH > payload.length()) {
      return null;
    }
    return payload.getString(offset, offset + FOURCC_LENGTH, StandardCharsets.ISO_8859_1.name());
  }
}

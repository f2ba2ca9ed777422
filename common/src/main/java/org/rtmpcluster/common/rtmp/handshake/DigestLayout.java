package org.rtmpcluster.common.rtmp.handshake;

/**
 * Where the digest sits in a digest-handshake C1 or S1 packet.
 *
 * <p>A 1536-byte C1/S1 is: time (4 bytes), version (4 bytes), then two 764-byte blocks, a "key"
 * block and a "digest" block, in either order. The digest block starts with 4 offset bytes; their
 * sum modulo 728 says how far past those 4 bytes the 32-byte digest sits. Flash clients and FMS
 * accept either order, so a server must try both and answer in the one the client used.
 */
public enum DigestLayout {
  /** "Scheme 0": the digest block comes first, its offset bytes at 8..11, digest at 12 + n. */
  DIGEST_FIRST(8),
  /** "Scheme 1": the key block comes first, the offset bytes at 772..775, digest at 776 + n. */
  KEY_FIRST(772);

  private final int offsetField;

  DigestLayout(int offsetField) {
    this.offsetField = offsetField;
  }

  /** Position of the 4 offset bytes in the 1536-byte packet. */
  public int offsetField() {
    return offsetField;
  }
}

package org.rtmpcluster.common.amf;

/**
 * Caps that keep a hostile peer from making a reader allocate or recurse without bound. Every
 * count or length read from the wire is compared with these (and with the bytes actually left)
 * before anything is allocated.
 */
public record AmfLimits(int maxDepth, int maxStringLength, int maxElements, int maxExpansion) {

  /**
   * Nested objects/arrays. Real RTMP commands nest 2 or 3 deep (connect's command object, an
   * onStatus info object); 32 leaves room for application data while keeping recursion shallow.
   */
  public static final int DEFAULT_MAX_DEPTH = 32;

  /**
   * Bytes in one string (and in one AMF3 ByteArray). Metadata strings are short; 1 MiB admits
   * large embedded XML or base64 blobs but stops one message from claiming a huge buffer.
   */
  public static final int DEFAULT_MAX_STRING_LENGTH = 1 << 20;

  /**
   * Entries in one object, ECMA array, strict array, vector or dictionary. onMetaData has a few
   * dozen; 65536 matches the largest count an AMF0 U16-indexed reference table can address.
   */
  public static final int DEFAULT_MAX_ELEMENTS = 65536;

  /**
   * How many times its wire size a value decoded with shared references (AMF0 2.9, AMF3) may take
   * once written out without them, for players: AMF3's compact forms (U29 integers, string
   * references) take up to 4 times less than AMF0's.
   */
  public static final int DEFAULT_MAX_EXPANSION = 4;

  public static final AmfLimits DEFAULT =
      new AmfLimits(DEFAULT_MAX_DEPTH, DEFAULT_MAX_STRING_LENGTH, DEFAULT_MAX_ELEMENTS, DEFAULT_MAX_EXPANSION);

  public AmfLimits {
    if (maxDepth < 1 || maxStringLength < 0 || maxElements < 0 || maxExpansion < 1) {
      throw new IllegalArgumentException("AMF limits must be positive: depth " + maxDepth
          + ", string length " + maxStringLength + ", elements " + maxElements + ", expansion " + maxExpansion);
    }
  }

  /** Limits with the default expansion. */
  public AmfLimits(int maxDepth, int maxStringLength, int maxElements) {
    this(maxDepth, maxStringLength, maxElements, DEFAULT_MAX_EXPANSION);
  }
}

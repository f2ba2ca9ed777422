package org.rtmpcluster.edge.hls;

import io.vertx.core.buffer.Buffer;

/** An AAC AudioSpecificConfig (ISO/IEC 14496-3, 1.6.2.1) and what the init segment says of it. */
record AacConfig(Buffer specificConfig, int sampleRate, int channels) {
  /** RFC 6381 3.3: mp4a.40.<audio object type> (2 for AAC LC, 5 HE-AAC, 29 HE-AAC v2). */
  String codecs() {
    int objectType = specificConfig.length() > 0 ? specificConfig.getUnsignedByte(0) >> 3 : 2;
    return "mp4a.40." + (objectType == 0 || objectType == 31 ? 2 : objectType);
  }

  /** Real configs are 2-5 bytes; this keeps every esds length in one byte. */
  static final int MAX_CONFIG_BYTES = 64;
  private static final int[] RATES = {96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000,
      11025, 8000, 7350};

  /** From an FLV/RTMP AAC sequence header: sound format byte, packet type 0, the config. */
  static AacConfig fromSequenceHeader(Buffer payload) {
    if (payload.length() < 4 || payload.getUnsignedByte(1) != 0 || (payload.getUnsignedByte(0) >> 4) != 10) {
      throw new IllegalArgumentException("not an AAC sequence header");
    }
    Buffer config = payload.getBuffer(2, payload.length());
    if (config.length() > MAX_CONFIG_BYTES) {
      // The esds descriptors' lengths are one byte each (ISO/IEC 14496-1, 8.3.3 as MP4 writes them).
      throw new IllegalArgumentException("AAC AudioSpecificConfig of " + config.length() + " bytes");
    }
    int bits = config.getUnsignedShort(0);
    int objectType = bits >> 11;
    int rateIndex = (bits >> 7) & 0x0F;
    int sampleRate;
    int channels;
    if (objectType == 31 || rateIndex == 15) {
      // Escaped object types and explicit rates are rare in live AAC; take the FLV tag's word.
      sampleRate = 44_100;
      channels = 2;
    } else {
      sampleRate = rateIndex < RATES.length ? RATES[rateIndex] : 44_100;
      channels = (bits >> 3) & 0x0F;
    }
    return new AacConfig(config, sampleRate, channels == 0 ? 2 : channels);
  }
}

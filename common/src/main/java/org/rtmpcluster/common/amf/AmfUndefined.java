package org.rtmpcluster.common.amf;

/**
 * ActionScript {@code undefined} (AMF0 marker 0x06, AMF3 marker 0x00), kept apart from
 * {@code null} so that it re-encodes as undefined.
 */
public enum AmfUndefined {
  INSTANCE
}

package org.rtmpcluster.common.amf;

import java.util.List;
import java.util.Objects;

/**
 * An AMF3 dictionary (marker 0x11, spec 3.16). Keys may be any value, including objects that
 * contain the dictionary itself, so entries are a list rather than a hash map.
 */
public record Amf3Dictionary(boolean weakKeys, List<Entry> entries) {

  /** One key/value pair in wire order. */
  public record Entry(Object key, Object value) {}

  public Amf3Dictionary {
    Objects.requireNonNull(entries, "entries");
  }
}

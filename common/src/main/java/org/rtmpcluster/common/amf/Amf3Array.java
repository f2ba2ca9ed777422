package org.rtmpcluster.common.amf;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An AMF3 array (marker 0x09, spec 3.11) that has an associative part. Arrays with only a dense
 * part decode to a plain {@link java.util.List}.
 */
public record Amf3Array(Map<String, Object> associative, List<Object> dense) {

  public Amf3Array {
    Objects.requireNonNull(associative, "associative");
    Objects.requireNonNull(dense, "dense");
  }
}

package org.rtmpcluster.common.amf;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An AMF0 ECMA array (marker 0x08, AMF0 spec 2.10): string keys in wire order. A class of its
 * own so that onMetaData and friends are written back as 0x08, not as an anonymous object 0x03.
 */
public class AmfEcmaArray extends LinkedHashMap<String, Object> {

  public AmfEcmaArray() {
    super();
  }

  public AmfEcmaArray(Map<String, ?> entries) {
    super(entries);
  }
}

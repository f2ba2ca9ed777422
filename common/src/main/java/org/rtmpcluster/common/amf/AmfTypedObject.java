package org.rtmpcluster.common.amf;

import java.util.Map;
import java.util.Objects;

/**
 * An object with a registered class name: AMF0 typed object (marker 0x10, spec 2.18) or an AMF3
 * object whose traits name a class. Properties keep wire order when decoded.
 */
public record AmfTypedObject(String className, Map<String, Object> properties) {

  public AmfTypedObject {
    Objects.requireNonNull(className, "className");
    Objects.requireNonNull(properties, "properties");
  }
}

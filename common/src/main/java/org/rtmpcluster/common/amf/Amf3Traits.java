package org.rtmpcluster.common.amf;

import java.util.List;

/**
 * Class traits of an AMF3 object (spec 3.12): class name ("" for anonymous), whether it is
 * externalizable or dynamic, and the sealed member names in wire order.
 */
record Amf3Traits(String className, boolean externalizable, boolean dynamic,
    List<String> sealedNames) {

  boolean anonymous() {
    return className.isEmpty();
  }
}

package org.rtmpcluster.common.amf;

import java.util.Objects;

/** XML text: the AMF0 XML document type (marker 0x0F, spec 2.17) and the AMF3 XML type (0x0B, 3.13). */
public record AmfXml(String xml) {

  public AmfXml {
    Objects.requireNonNull(xml, "xml");
  }
}

package org.rtmpcluster.common.amf;

import java.util.Objects;

/** The legacy AMF3 XMLDocument type (marker 0x07, AMF3 spec 3.9), i.e. flash.xml.XMLDocument. */
public record Amf3XmlDocument(String xml) {

  public Amf3XmlDocument {
    Objects.requireNonNull(xml, "xml");
  }
}

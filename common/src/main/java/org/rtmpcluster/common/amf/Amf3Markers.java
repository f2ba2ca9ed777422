package org.rtmpcluster.common.amf;

/** AMF3 type markers (AMF3 spec 3.1). */
final class Amf3Markers {

  static final int UNDEFINED = 0x00;
  static final int NULL = 0x01;
  static final int FALSE = 0x02;
  static final int TRUE = 0x03;
  static final int INTEGER = 0x04;
  static final int DOUBLE = 0x05;
  static final int STRING = 0x06;
  static final int XML_DOCUMENT = 0x07;
  static final int DATE = 0x08;
  static final int ARRAY = 0x09;
  static final int OBJECT = 0x0A;
  static final int XML = 0x0B;
  static final int BYTE_ARRAY = 0x0C;
  static final int VECTOR_INT = 0x0D;
  static final int VECTOR_UINT = 0x0E;
  static final int VECTOR_DOUBLE = 0x0F;
  static final int VECTOR_OBJECT = 0x10;
  static final int DICTIONARY = 0x11;

  /** 3.6: integers outside [-2^28, 2^28 - 1] do not fit U29 and go as doubles. */
  static final int INTEGER_MIN = -(1 << 28);
  static final int INTEGER_MAX = (1 << 28) - 1;

  /** 1.3.1: the largest value a U29 can carry. */
  static final int U29_MAX = (1 << 29) - 1;

  /** Externalizable Flex classes that wrap exactly one AMF3 value (their readExternal). */
  static final String ARRAY_COLLECTION = "flex.messaging.io.ArrayCollection";
  static final String OBJECT_PROXY = "flex.messaging.io.ObjectProxy";

  private Amf3Markers() {}
}

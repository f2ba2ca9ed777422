package org.rtmpcluster.common.amf;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes AMF3 values (AMF3 spec section 3) from {@code buffer[start, end)}. Throws only
 * {@link AmfException} for bad input. The string, object and trait reference tables (2.2) live
 * as long as the reader, so one reader is one AMF3 context: values read in sequence may refer to
 * earlier ones. Not thread-safe.
 */
public final class Amf3Reader {

  /** Holds the object-table slot of an externalizable whose wrapped value is still being read. */
  private static final Object IN_PROGRESS = new Object();
  /** Class names in error messages are cut to this, as they come from the peer. */
  private static final int MAX_NAME_IN_MESSAGE = 100;

  private final AmfInput in;
  private final int baseDepth;
  private final List<String> strings = new ArrayList<>();
  private final List<Object> objects = new ArrayList<>();
  private final List<Amf3Traits> traits = new ArrayList<>();

  public Amf3Reader(Buffer buffer, int start, int end, AmfLimits limits) {
    this(new AmfInput(buffer, start, end, limits), 0);
  }

  /** For the AMF0 switch (AMF0 spec 3.1): same cursor, nesting continues at {@code baseDepth}. */
  Amf3Reader(AmfInput in, int baseDepth) {
    this.in = in;
    this.baseDepth = baseDepth;
  }

  public boolean hasMore() {
    return in.remaining() > 0;
  }

  public int position() {
    return in.position();
  }

  /** Reads one value. */
  public Object read() throws AmfException {
    return readValue(baseDepth);
  }

  private Object readValue(int depth) throws AmfException {
    int offset = in.position();
    int marker = in.readUnsignedByte("AMF3 marker");
    switch (marker) {
      case Amf3Markers.UNDEFINED:
        return AmfUndefined.INSTANCE;
      case Amf3Markers.NULL:
        return null;
      case Amf3Markers.FALSE:
        return Boolean.FALSE;
      case Amf3Markers.TRUE:
        return Boolean.TRUE;
      case Amf3Markers.INTEGER:
        // 3.6: a U29 holding a 29-bit two's complement integer; shift the sign bit into place
        return (readU29("AMF3 integer") << 3) >> 3;
      case Amf3Markers.DOUBLE:
        return in.readDouble("AMF3 double");
      case Amf3Markers.STRING:
        return readString("AMF3 string");
      case Amf3Markers.XML_DOCUMENT:
        return readXml(true, offset);
      case Amf3Markers.DATE:
        return readDate(offset);
      case Amf3Markers.ARRAY:
        return readArray(depth + 1, offset);
      case Amf3Markers.OBJECT:
        return readObject(depth + 1, offset);
      case Amf3Markers.XML:
        return readXml(false, offset);
      case Amf3Markers.BYTE_ARRAY:
        return readByteArray(offset);
      case Amf3Markers.VECTOR_INT:
        return readVector(Amf3Vector.Type.INT, depth + 1, offset);
      case Amf3Markers.VECTOR_UINT:
        return readVector(Amf3Vector.Type.UINT, depth + 1, offset);
      case Amf3Markers.VECTOR_DOUBLE:
        return readVector(Amf3Vector.Type.DOUBLE, depth + 1, offset);
      case Amf3Markers.VECTOR_OBJECT:
        return readVector(Amf3Vector.Type.OBJECT, depth + 1, offset);
      case Amf3Markers.DICTIONARY:
        return readDictionary(depth + 1, offset);
      default:
        throw in.error(String.format("unknown AMF3 marker 0x%02x", marker), offset);
    }
  }

  /**
   * 1.3.1: up to four bytes; the first three carry 7 bits each with the high bit meaning "more",
   * the fourth carries a full 8 bits, for 29 bits in all.
   */
  private int readU29(String what) throws AmfException {
    int value = 0;
    for (int i = 0; i < 3; i++) {
      int b = in.readUnsignedByte(what);
      if ((b & 0x80) == 0) {
        return (value << 7) | b;
      }
      value = (value << 7) | (b & 0x7F);
    }
    return (value << 8) | in.readUnsignedByte(what);
  }

  /**
   * UTF-8-vr (1.3.2): low bit 1 means an inline string of (U29 >> 1) bytes, 0 a string table
   * index. The empty string is never put in the table, so it never takes an index.
   */
  private String readString(String what) throws AmfException {
    int offset = in.position();
    int header = readU29(what);
    if ((header & 1) == 0) {
      int index = header >>> 1;
      if (index >= strings.size()) {
        throw in.error(what + " reference " + index + " out of range (" + strings.size()
            + " strings so far)", offset);
      }
      return strings.get(index);
    }
    String value = in.readUtf8(header >>> 1, what, offset);
    if (!value.isEmpty()) {
      strings.add(value);
    }
    return value;
  }

  private Object objectReference(int header, String what, int offset) throws AmfException {
    int index = header >>> 1;
    if (index >= objects.size()) {
      throw in.error(what + " reference " + index + " out of range (" + objects.size()
          + " objects so far)", offset);
    }
    Object value = objects.get(index);
    if (value == IN_PROGRESS) {
      throw in.error(what + " reference " + index
          + " points into an externalizable object that is still being read", offset);
    }
    return value;
  }

  /** 3.9 and 3.13: both XML types go in the object table, not the string table. */
  private Object readXml(boolean document, int offset) throws AmfException {
    String what = document ? "AMF3 XMLDocument" : "AMF3 XML";
    int headerOffset = in.position();
    int header = readU29(what);
    if ((header & 1) == 0) {
      return objectReference(header, what, offset);
    }
    String xml = in.readUtf8(header >>> 1, what, headerOffset);
    Object value = document ? new Amf3XmlDocument(xml) : new AmfXml(xml);
    objects.add(value);
    return value;
  }

  /** 3.10: U29D-value (only the low bit means anything), then milliseconds as a DOUBLE, UTC. */
  private Object readDate(int offset) throws AmfException {
    int header = readU29("AMF3 date");
    if ((header & 1) == 0) {
      return objectReference(header, "AMF3 date", offset);
    }
    AmfDate date = new AmfDate(in.readDouble("AMF3 date"), 0);
    objects.add(date);
    return date;
  }

  /**
   * 3.11: U29A-value with the dense count, then the associative part as name/value pairs up to an
   * empty name, then the dense values. The array is registered as soon as its first name tells
   * which Java type it becomes, before any of its values, so they can refer back to it.
   */
  private Object readArray(int depth, int offset) throws AmfException {
    in.checkDepth(depth, offset);
    int headerOffset = in.position();
    int header = readU29("AMF3 array");
    if ((header & 1) == 0) {
      return objectReference(header, "AMF3 array", offset);
    }
    int denseCount = header >>> 1;
    String name = readString("AMF3 array key");
    if (name.isEmpty()) {
      int size = in.checkCount(denseCount, 1, "AMF3 array", headerOffset);
      List<Object> dense = new ArrayList<>(size);
      objects.add(dense);
      readInto(dense, size, depth);
      return dense;
    }
    Map<String, Object> associative = new LinkedHashMap<>();
    List<Object> dense = new ArrayList<>();
    Amf3Array array = new Amf3Array(associative, dense);
    objects.add(array);
    int members = 0;
    while (!name.isEmpty()) {
      in.checkMemberCount(++members, "AMF3 array associative part", offset);
      associative.put(name, readValue(depth));
      name = readString("AMF3 array key");
    }
    readInto(dense, in.checkCount(denseCount, 1, "AMF3 array", headerOffset), depth);
    return array;
  }

  private void readInto(List<Object> target, int count, int depth) throws AmfException {
    for (int i = 0; i < count; i++) {
      target.add(readValue(depth));
    }
  }

  /**
   * 3.12: U29O-ref, or traits (inline or by reference) followed by sealed member values in trait
   * order, then dynamic members up to an empty name when the traits are dynamic.
   */
  private Object readObject(int depth, int offset) throws AmfException {
    in.checkDepth(depth, offset);
    int headerOffset = in.position();
    int header = readU29("AMF3 object");
    if ((header & 1) == 0) {
      return objectReference(header, "AMF3 object", offset);
    }
    Amf3Traits objectTraits = readTraits(header, headerOffset);
    if (objectTraits.externalizable()) {
      return readExternalizable(objectTraits.className(), depth, offset);
    }
    Map<String, Object> properties = new LinkedHashMap<>();
    Object object = objectTraits.anonymous()
        ? properties
        : new AmfTypedObject(objectTraits.className(), properties);
    objects.add(object);
    for (String name : objectTraits.sealedNames()) {
      properties.put(name, readValue(depth));
    }
    if (objectTraits.dynamic()) {
      int members = objectTraits.sealedNames().size();
      String name = readString("AMF3 dynamic member name");
      while (!name.isEmpty()) {
        in.checkMemberCount(++members, "AMF3 object", offset);
        properties.put(name, readValue(depth));
        name = readString("AMF3 dynamic member name");
      }
    }
    return object;
  }

  /**
   * The bits after the object's inline flag: x1 = traits reference (index in the rest), 111 =
   * externalizable with a class name, 011 = inline traits with the dynamic flag in bit 3 and the
   * sealed member count in the rest. Inline traits of both kinds join the trait table.
   */
  private Amf3Traits readTraits(int header, int headerOffset) throws AmfException {
    if ((header & 0b10) == 0) {
      int index = header >>> 2;
      if (index >= traits.size()) {
        throw in.error("AMF3 traits reference " + index + " out of range (" + traits.size()
            + " traits so far)", headerOffset);
      }
      return traits.get(index);
    }
    boolean externalizable = (header & 0b100) != 0;
    boolean dynamic = (header & 0b1000) != 0;
    int sealedCount = header >>> 4;
    String className = readString("AMF3 class name");
    Amf3Traits result;
    if (externalizable) {
      result = new Amf3Traits(className, true, false, List.of());
    } else {
      int count = in.checkCount(sealedCount, 1, "AMF3 sealed member list", headerOffset);
      List<String> names = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        names.add(readString("AMF3 sealed member name"));
      }
      result = new Amf3Traits(className, false, dynamic, List.copyOf(names));
    }
    traits.add(result);
    return result;
  }

  /**
   * Externalizable objects carry a class-specific body only that class can read. The two Flex
   * collections RTMP peers send are known to write exactly one AMF3 value (the source array or
   * the proxied object), so they decode to that value; anything else cannot be skipped safely.
   */
  private Object readExternalizable(String className, int depth, int offset)
      throws AmfException {
    if (!className.equals(Amf3Markers.ARRAY_COLLECTION)
        && !className.equals(Amf3Markers.OBJECT_PROXY)) {
      throw in.error("unsupported externalizable AMF3 class '" + shorten(className) + "'",
          offset);
    }
    int slot = objects.size();
    objects.add(IN_PROGRESS);
    Object wrapped = readValue(depth);
    objects.set(slot, wrapped);
    return wrapped;
  }

  /** 3.14: U29B-value with the byte count, then the bytes; capped like a string. */
  private Object readByteArray(int offset) throws AmfException {
    int headerOffset = in.position();
    int header = readU29("AMF3 ByteArray");
    if ((header & 1) == 0) {
      return objectReference(header, "AMF3 ByteArray", offset);
    }
    byte[] bytes = in.readBytes(header >>> 1, "AMF3 ByteArray", headerOffset);
    objects.add(bytes);
    return bytes;
  }

  /**
   * 3.15: U29V-value with the item count, a fixed-length flag byte, for object vectors the
   * element type name, then the items: U32 (int, uint), DOUBLE, or AMF3 values.
   */
  private Object readVector(Amf3Vector.Type type, int depth, int offset) throws AmfException {
    String what = "AMF3 vector";
    in.checkDepth(depth, offset);
    int headerOffset = in.position();
    int header = readU29(what);
    if ((header & 1) == 0) {
      return objectReference(header, what, offset);
    }
    int count = header >>> 1;
    boolean fixed = in.readUnsignedByte("AMF3 vector fixed flag") != 0;
    String typeName = type == Amf3Vector.Type.OBJECT ? readString("AMF3 vector type name") : null;
    int size = in.checkCount(count, itemSize(type), what, headerOffset);
    List<Object> items = new ArrayList<>(size);
    Amf3Vector vector = new Amf3Vector(type, fixed, typeName, items);
    objects.add(vector);
    for (int i = 0; i < size; i++) {
      switch (type) {
        case INT -> items.add(in.readInt("AMF3 vector item"));
        case UINT -> items.add(in.readUnsignedInt("AMF3 vector item"));
        case DOUBLE -> items.add(in.readDouble("AMF3 vector item"));
        case OBJECT -> items.add(readValue(depth));
        default -> throw new IllegalStateException("vector type " + type);
      }
    }
    return vector;
  }

  /** Bytes each item takes at least, to check a count against what is left. */
  private static int itemSize(Amf3Vector.Type type) {
    return switch (type) {
      case INT, UINT -> 4;
      case DOUBLE -> 8;
      case OBJECT -> 1;
    };
  }

  /** 3.16: U29Dict-value with the entry count, a weak-keys flag byte, then key/value pairs. */
  private Object readDictionary(int depth, int offset) throws AmfException {
    in.checkDepth(depth, offset);
    int headerOffset = in.position();
    int header = readU29("AMF3 dictionary");
    if ((header & 1) == 0) {
      return objectReference(header, "AMF3 dictionary", offset);
    }
    int count = header >>> 1;
    boolean weakKeys = in.readUnsignedByte("AMF3 dictionary weak-keys flag") != 0;
    int size = in.checkCount(count, 2, "AMF3 dictionary", headerOffset);
    List<Amf3Dictionary.Entry> entries = new ArrayList<>(size);
    Amf3Dictionary dictionary = new Amf3Dictionary(weakKeys, entries);
    objects.add(dictionary);
    for (int i = 0; i < size; i++) {
      Object key = readValue(depth);
      entries.add(new Amf3Dictionary.Entry(key, readValue(depth)));
    }
    return dictionary;
  }

  private static String shorten(String name) {
    return name.length() <= MAX_NAME_IN_MESSAGE
        ? name
        : name.substring(0, MAX_NAME_IN_MESSAGE) + "...";
  }
}

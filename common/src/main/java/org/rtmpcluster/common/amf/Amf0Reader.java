package org.rtmpcluster.common.amf;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes AMF0 values (AMF0 spec section 2) from {@code buffer[start, end)}, one {@link #read()}
 * at a time. Throws only {@link AmfException} for bad input. Not thread-safe; one reader per
 * message body, since the reference table (2.9) lives as long as the reader.
 */
public final class Amf0Reader {

  private final AmfInput in;
  /** Objects, typed objects, ECMA arrays and strict arrays in the order they began (2.9). */
  private final List<Object> references = new ArrayList<>();
  /** Whether a reference (2.9) or an AMF3 value (3.1) was read: what plain AMF0 readers lack. */
  private boolean beyondPlainAmf0;

  public Amf0Reader(Buffer buffer, int start, int end, AmfLimits limits) {
    this.in = new AmfInput(buffer, start, end, limits);
  }

  /** Reads every value in the whole buffer, e.g. a command message body. */
  public static List<Object> readAll(Buffer buffer, AmfLimits limits) throws AmfException {
    Amf0Reader reader = new Amf0Reader(buffer, 0, buffer.length(), limits);
    List<Object> values = new ArrayList<>();
    while (reader.hasMore()) {
      values.add(reader.read());
    }
    return values;
  }

  public boolean hasMore() {
    return in.remaining() > 0;
  }

  public int position() {
    return in.position();
  }

  /**
   * Whether what was read so far is plain AMF0: no references, no switch to AMF3. ffmpeg and
   * librtmp read only plain AMF0, and a value without references costs no more decoded than on
   * the wire.
   */
  public boolean plainSoFar() {
    return !beyondPlainAmf0;
  }

  /** Reads one value. */
  public Object read() throws AmfException {
    return readValue(0);
  }

  private Object readValue(int depth) throws AmfException {
    int offset = in.position();
    int marker = in.readUnsignedByte("AMF0 marker");
    switch (marker) {
      case Amf0Markers.NUMBER:
        return in.readDouble("AMF0 number");
      case Amf0Markers.BOOLEAN:
        return in.readUnsignedByte("AMF0 boolean") != 0; // 2.3: non-zero is true
      case Amf0Markers.STRING:
        return readShortString("AMF0 string");
      case Amf0Markers.LONG_STRING:
        return readLongString();
      case Amf0Markers.OBJECT:
        return readObject(depth + 1, offset);
      case Amf0Markers.NULL:
        return null;
      case Amf0Markers.UNDEFINED:
        return AmfUndefined.INSTANCE;
      case Amf0Markers.REFERENCE:
        return readReference(offset);
      case Amf0Markers.ECMA_ARRAY:
        return readEcmaArray(depth + 1, offset);
      case Amf0Markers.STRICT_ARRAY:
        return readStrictArray(depth + 1, offset);
      case Amf0Markers.DATE:
        return readDate();
      case Amf0Markers.XML_DOCUMENT:
        return new AmfXml(readLongString());
      case Amf0Markers.TYPED_OBJECT:
        return readTypedObject(depth + 1, offset);
      case Amf0Markers.AVMPLUS_OBJECT:
        return readAvmplusObject(depth);
      case Amf0Markers.OBJECT_END:
        throw in.error("AMF0 object-end marker 0x09 outside an object", offset);
      case Amf0Markers.MOVIECLIP:
        throw in.error("unsupported AMF0 marker 0x04 (movieclip, reserved)", offset);
      case Amf0Markers.UNSUPPORTED:
        throw in.error("unsupported AMF0 marker 0x0d (unsupported type)", offset);
      case Amf0Markers.RECORDSET:
        throw in.error("unsupported AMF0 marker 0x0e (recordset, reserved)", offset);
      default:
        throw in.error(String.format("unknown AMF0 marker 0x%02x", marker), offset);
    }
  }

  /** UTF-8 (1.3.1): U16 byte length, then the bytes. Also used for property names. */
  private String readShortString(String what) throws AmfException {
    int lengthOffset = in.position();
    int length = in.readUnsignedShort(what);
    return in.readUtf8(length, what, lengthOffset);
  }

  /** UTF-8-long (1.3.1): U32 byte length, for long strings (2.14) and XML documents (2.17). */
  private String readLongString() throws AmfException {
    int lengthOffset = in.position();
    long length = in.readUnsignedInt("AMF0 long string");
    return in.readUtf8(length, "AMF0 long string", lengthOffset);
  }

  private Object readObject(int depth, int offset) throws AmfException {
    in.checkDepth(depth, offset);
    Map<String, Object> object = new LinkedHashMap<>();
    references.add(object); // registered before its members, so members can refer back (2.9)
    readProperties(object, depth, "AMF0 object", offset);
    return object;
  }

  private Object readEcmaArray(int depth, int offset) throws AmfException {
    in.checkDepth(depth, offset);
    // 2.10: the U32 associative-count is only a hint; writers get it wrong, so read to the end
    // marker, and never size anything from it.
    in.readUnsignedInt("AMF0 ECMA array count");
    AmfEcmaArray array = new AmfEcmaArray();
    references.add(array);
    readProperties(array, depth, "AMF0 ECMA array", offset);
    return array;
  }

  private Object readTypedObject(int depth, int offset) throws AmfException {
    in.checkDepth(depth, offset);
    String className = readShortString("AMF0 typed object class name");
    Map<String, Object> properties = new LinkedHashMap<>();
    AmfTypedObject object = new AmfTypedObject(className, properties);
    references.add(object);
    readProperties(properties, depth, "AMF0 typed object", offset);
    return object;
  }

  /** object-property pairs until an empty name followed by object-end-marker (2.5, 2.11). */
  private void readProperties(Map<String, Object> target, int depth, String what, int offset)
      throws AmfException {
    int members = 0;
    while (true) {
      String name = readShortString(what + " property name");
      if (name.isEmpty()) {
        int endOffset = in.position();
        int marker = in.readUnsignedByte(what + " end marker");
        if (marker != Amf0Markers.OBJECT_END) {
          throw in.error(String.format(
              "%s: empty property name followed by 0x%02x instead of object-end 0x09", what,
              marker), endOffset);
        }
        return;
      }
      in.checkMemberCount(++members, what, offset);
      target.put(name, readValue(depth));
    }
  }

  private Object readStrictArray(int depth, int offset) throws AmfException {
    in.checkDepth(depth, offset);
    int countOffset = in.position();
    long count = in.readUnsignedInt("AMF0 strict array count");
    // each element is at least its one marker byte
    int size = in.checkCount(count, 1, "AMF0 strict array", countOffset);
    List<Object> array = new ArrayList<>(size);
    references.add(array);
    for (int i = 0; i < size; i++) {
      array.add(readValue(depth));
    }
    return array;
  }

  private Object readReference(int offset) throws AmfException {
    beyondPlainAmf0 = true;
    int index = in.readUnsignedShort("AMF0 reference");
    if (index >= references.size()) {
      throw in.error("AMF0 reference " + index + " out of range (" + references.size()
          + " objects so far)", offset);
    }
    return references.get(index);
  }

  private Object readDate() throws AmfException {
    double millis = in.readDouble("AMF0 date");
    int timezone = in.readShort("AMF0 date time zone"); // 2.13: reserved, S16, should be 0
    return new AmfDate(millis, timezone);
  }

  /**
   * AMF0 3.1: the following value is AMF3. AMF0 and AMF3 reference tables are separate (AMF3 4.1),
   * and each switch starts a fresh AMF3 context with empty string, object and trait tables: the
   * switched value is self-contained, as {@link Amf3Writer#write} produces it. A peer that
   * shared tables across switches gets a loud out-of-range error, never a wrong value. Nesting
   * depth carries on across the switch.
   */
  private Object readAvmplusObject(int depth) throws AmfException {
    beyondPlainAmf0 = true;
    return new Amf3Reader(in, depth).read();
  }
}

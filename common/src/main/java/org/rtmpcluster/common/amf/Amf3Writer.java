package org.rtmpcluster.common.amf;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Encodes Java values as AMF3 (AMF3 spec section 3), using the string, object and trait reference
 * tables (2.2) so that repeated strings, shared objects and cycles come out as references.
 * Integers in [-2^28, 2^28 - 1] become integer (0x04), other numbers double (0x05); lists become
 * dense arrays, {@link Amf3Array} and {@link AmfEcmaArray} arrays with an associative part, other
 * maps anonymous dynamic objects, {@link AmfTypedObject} sealed objects of that class; byte[] a
 * ByteArray; plus {@link AmfDate}, {@link AmfXml}, {@link Amf3XmlDocument}, {@link Amf3Vector}
 * and {@link Amf3Dictionary}. Any other Java type throws {@link IllegalArgumentException}.
 */
public final class Amf3Writer {

  /** Traits of every anonymous object we write: dynamic, no sealed members (3.12). */
  private static final Amf3Traits ANONYMOUS = new Amf3Traits("", false, true, List.of());

  private final Buffer out;
  private final Map<String, Integer> strings = new HashMap<>();
  private final Map<Object, Integer> objects = new IdentityHashMap<>();
  private final Map<Amf3Traits, Integer> traits = new HashMap<>();

  private Amf3Writer(Buffer out) {
    this.out = out;
  }

  /** Appends one value to {@code out} in a fresh AMF3 context (empty reference tables). */
  public static void write(Buffer out, Object value) {
    new Amf3Writer(out).writeValue(value);
  }

  /**
   * Returns a new buffer with the values in order, sharing one AMF3 context, the way one
   * {@link Amf3Reader} reads them back.
   */
  public static Buffer encode(Object... values) {
    Buffer out = Buffer.buffer();
    Amf3Writer writer = new Amf3Writer(out);
    for (Object value : values) {
      writer.writeValue(value);
    }
    return out;
  }

  private void writeValue(Object value) {
    if (value == null) {
      marker(Amf3Markers.NULL);
    } else if (value == AmfUndefined.INSTANCE) {
      marker(Amf3Markers.UNDEFINED);
    } else if (value instanceof Boolean b) {
      marker(b ? Amf3Markers.TRUE : Amf3Markers.FALSE);
    } else if (value instanceof Number n) {
      writeNumber(n);
    } else if (value instanceof String s) {
      marker(Amf3Markers.STRING);
      writeStringVr(s);
    } else if (value instanceof Amf3XmlDocument doc) {
      writeXml(Amf3Markers.XML_DOCUMENT, doc, doc.xml());
    } else if (value instanceof AmfXml xml) {
      writeXml(Amf3Markers.XML, xml, xml.xml());
    } else if (value instanceof AmfDate date) {
      writeDate(date);
    } else if (value instanceof List<?> list) {
      writeArray(list, Map.of(), list);
    } else if (value instanceof Amf3Array array) {
      writeArray(array, array.associative(), array.dense());
    } else if (value instanceof AmfEcmaArray ecma) {
      // the AS3 form of an AMF0 ECMA array is an array with only an associative part
      writeArray(ecma, ecma, List.of());
    } else if (value instanceof Map<?, ?> map) {
      writeAnonymousObject(map);
    } else if (value instanceof AmfTypedObject typed) {
      writeTypedObject(typed);
    } else if (value instanceof byte[] bytes) {
      writeByteArray(bytes);
    } else if (value instanceof Amf3Vector vector) {
      writeVector(vector);
    } else if (value instanceof Amf3Dictionary dictionary) {
      writeDictionary(dictionary);
    } else {
      throw new IllegalArgumentException("no AMF3 encoding for " + value.getClass().getName());
    }
  }

  private void marker(int marker) {
    out.appendByte((byte) marker);
  }

  /** 3.6/3.7: whole numbers that fit 29 bits as integer, everything else as double. */
  private void writeNumber(Number n) {
    boolean integral = n instanceof Integer || n instanceof Long || n instanceof Short
        || n instanceof Byte;
    long v = n.longValue();
    if (integral && v >= Amf3Markers.INTEGER_MIN && v <= Amf3Markers.INTEGER_MAX) {
      marker(Amf3Markers.INTEGER);
      writeU29((int) v & Amf3Markers.U29_MAX);
    } else {
      marker(Amf3Markers.DOUBLE);
      out.appendDouble(n.doubleValue());
    }
  }

  /** 1.3.1: 7 bits per byte with a continuation bit, the fourth byte carrying all 8 bits. */
  private void writeU29(int value) {
    if (value < 0 || value > Amf3Markers.U29_MAX) {
      throw new IllegalArgumentException("value " + value + " does not fit an AMF3 U29");
    }
    if (value < 0x80) {
      out.appendByte((byte) value);
    } else if (value < 0x4000) {
      out.appendByte((byte) (value >> 7 | 0x80))
          .appendByte((byte) (value & 0x7F));
    } else if (value < 0x200000) {
      out.appendByte((byte) (value >> 14 | 0x80))
          .appendByte((byte) (value >> 7 & 0x7F | 0x80))
          .appendByte((byte) (value & 0x7F));
    } else {
      out.appendByte((byte) (value >> 22 | 0x80))
          .appendByte((byte) (value >> 15 & 0x7F | 0x80))
          .appendByte((byte) (value >> 8 & 0x7F | 0x80))
          .appendByte((byte) value);
    }
  }

  /** A length or count with the low "inline" bit set (U29X-value, U29A-value, ...). */
  private void writeInlineHeader(int count) {
    if (count > Amf3Markers.U29_MAX >> 1) {
      throw new IllegalArgumentException(count + " is too long for an AMF3 length");
    }
    writeU29(count << 1 | 1);
  }

  /** UTF-8-vr (1.3.2): by reference when seen before; "" is always inline and never stored. */
  private void writeStringVr(String s) {
    if (s.isEmpty()) {
      writeU29(1);
      return;
    }
    Integer index = strings.get(s);
    if (index != null) {
      writeU29(index << 1);
      return;
    }
    strings.put(s, strings.size());
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    writeInlineHeader(bytes.length);
    out.appendBytes(bytes);
  }

  /**
   * Writes a reference and returns true when {@code value} was written before in this context,
   * else gives it the next object index (before its contents, so they can refer back to it).
   */
  private boolean writeReferenceOrRegister(Object value) {
    Integer index = objects.get(value);
    if (index != null) {
      writeU29(index << 1);
      return true;
    }
    objects.put(value, objects.size());
    return false;
  }

  private void writeXml(int marker, Object value, String xml) {
    marker(marker);
    if (writeReferenceOrRegister(value)) {
      return;
    }
    byte[] bytes = xml.getBytes(StandardCharsets.UTF_8);
    writeInlineHeader(bytes.length);
    out.appendBytes(bytes);
  }

  private void writeDate(AmfDate date) {
    marker(Amf3Markers.DATE);
    if (writeReferenceOrRegister(date)) {
      return;
    }
    writeU29(1);
    out.appendDouble(date.epochMillis());
  }

  /** 3.11: dense count, associative pairs ending with "", then dense values. */
  private void writeArray(Object identity, Map<?, ?> associative, List<?> dense) {
    marker(Amf3Markers.ARRAY);
    if (writeReferenceOrRegister(identity)) {
      return;
    }
    writeInlineHeader(dense.size());
    writeDynamicMembers(associative);
    for (Object item : dense) {
      writeValue(item);
    }
  }

  /** Name/value pairs closed by the empty string; an empty name would end the list early. */
  private void writeDynamicMembers(Map<?, ?> members) {
    for (Map.Entry<?, ?> entry : members.entrySet()) {
      if (!(entry.getKey() instanceof String name) || name.isEmpty()) {
        throw new IllegalArgumentException("AMF3 member names must be non-empty strings, not "
            + (entry.getKey() == null ? "null" : entry.getKey().getClass().getName()));
      }
      writeStringVr(name);
      writeValue(entry.getValue());
    }
    writeStringVr("");
  }

  private void writeAnonymousObject(Map<?, ?> map) {
    marker(Amf3Markers.OBJECT);
    if (writeReferenceOrRegister(map)) {
      return;
    }
    writeTraits(ANONYMOUS);
    writeDynamicMembers(map);
  }

  private void writeTypedObject(AmfTypedObject typed) {
    marker(Amf3Markers.OBJECT);
    if (writeReferenceOrRegister(typed)) {
      return;
    }
    List<String> names = new ArrayList<>(typed.properties().size());
    for (Object name : typed.properties().keySet()) {
      if (!(name instanceof String s)) {
        throw new IllegalArgumentException("AMF3 member names must be strings");
      }
      names.add(s);
    }
    writeTraits(new Amf3Traits(typed.className(), false, false, List.copyOf(names)));
    for (Object value : typed.properties().values()) {
      writeValue(value);
    }
  }

  /** 3.12: traits by reference (index << 2 | 01) or inline (count << 4 | dynamic << 3 | 011). */
  private void writeTraits(Amf3Traits objectTraits) {
    Integer index = traits.get(objectTraits);
    if (index != null) {
      writeU29(index << 2 | 0b01);
      return;
    }
    traits.put(objectTraits, traits.size());
    int count = objectTraits.sealedNames().size();
    writeU29(count << 4 | (objectTraits.dynamic() ? 0b1000 : 0) | 0b011);
    writeStringVr(objectTraits.className());
    for (String name : objectTraits.sealedNames()) {
      writeStringVr(name);
    }
  }

  private void writeByteArray(byte[] bytes) {
    marker(Amf3Markers.BYTE_ARRAY);
    if (writeReferenceOrRegister(bytes)) {
      return;
    }
    writeInlineHeader(bytes.length);
    out.appendBytes(bytes);
  }

  /** 3.15: count, fixed flag, object type name for object vectors, then the items. */
  private void writeVector(Amf3Vector vector) {
    marker(vector.type().marker());
    if (writeReferenceOrRegister(vector)) {
      return;
    }
    writeInlineHeader(vector.items().size());
    out.appendByte((byte) (vector.fixed() ? 1 : 0));
    if (vector.type() == Amf3Vector.Type.OBJECT) {
      writeStringVr(vector.typeName());
    }
    for (Object item : vector.items()) {
      switch (vector.type()) {
        case INT -> out.appendInt(number(item).intValue());
        case UINT -> out.appendUnsignedInt(number(item).longValue());
        case DOUBLE -> out.appendDouble(number(item).doubleValue());
        case OBJECT -> writeValue(item);
        default -> throw new IllegalStateException("vector type " + vector.type());
      }
    }
  }

  private static Number number(Object item) {
    if (item instanceof Number n) {
      return n;
    }
    throw new IllegalArgumentException("numeric AMF3 vector item is "
        + (item == null ? "null" : item.getClass().getName()));
  }

  /** 3.16: count, weak-keys flag, then key/value pairs. */
  private void writeDictionary(Amf3Dictionary dictionary) {
    marker(Amf3Markers.DICTIONARY);
    if (writeReferenceOrRegister(dictionary)) {
      return;
    }
    writeInlineHeader(dictionary.entries().size());
    out.appendByte((byte) (dictionary.weakKeys() ? 1 : 0));
    for (Amf3Dictionary.Entry entry : dictionary.entries()) {
      writeValue(entry.key());
      writeValue(entry.value());
    }
  }
}

package org.rtmpcluster.common.amf;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Encodes Java values as AMF0 (AMF0 spec section 2). Numbers become number (0x00), strings
 * string (0x02) or long string (0x0C) past 65535 UTF-8 bytes, {@link AmfEcmaArray} ECMA array
 * (0x08), other maps object (0x03), lists strict array (0x0A), plus null, {@link AmfUndefined},
 * {@link AmfDate}, {@link AmfXml} and {@link AmfTypedObject}.
 *
 * <p>Never writes references (0x07): ffmpeg, librtmp and other peers do not read them, so a value
 * that appears twice is written twice, and a value that contains itself is refused. Any other
 * Java type is a programming error and throws {@link IllegalArgumentException}.
 */
public final class Amf0Writer {

  /** 1.3.1: UTF-8 strings carry a U16 byte length; longer ones need UTF-8-long. */
  private static final int MAX_SHORT_STRING = 0xFFFF;

  private final Buffer out;
  /** Where the output may end; past it, writing stops. */
  private final long limit;
  /** Containers being written right now, to refuse cycles instead of overflowing the stack. */
  private final Set<Object> open = Collections.newSetFromMap(new IdentityHashMap<>());

  private Amf0Writer(Buffer out, long maxBytes) {
    this.out = out;
    this.limit = maxBytes == Long.MAX_VALUE ? Long.MAX_VALUE : out.length() + maxBytes;
  }

  /** Output would pass the bound given to {@link #encodeBounded}. */
  public static final class TooLongException extends Exception {
    TooLongException(long maxBytes) {
      super("AMF0 encoding longer than " + maxBytes + " bytes");
    }
  }

  /**
   * Like {@link #encode}, but gives up once the output passes {@code maxBytes}: values decoded
   * from a peer may share one value many times by reference (AMF0 2.9, AMF3 references), and
   * written out without references a few hundred kilobytes can grow a thousandfold. The check is
   * made at every value, so the work done is about {@code maxBytes} at most.
   */
  public static Buffer encodeBounded(long maxBytes, List<?> values) throws TooLongException {
    Buffer out = Buffer.buffer();
    Amf0Writer writer = new Amf0Writer(out, maxBytes);
    try {
      for (Object value : values) {
        writer.writeValue(value);
      }
    } catch (OutputLimitReached e) {
      throw new TooLongException(maxBytes);
    }
    if (out.length() > maxBytes) {
      throw new TooLongException(maxBytes);
    }
    return out;
  }

  /** Unwinds a bounded write from any depth; never escapes this class. */
  private static final class OutputLimitReached extends RuntimeException {
    OutputLimitReached() {
      super(null, null, false, false);
    }
  }

  /** Appends one value to {@code out}. */
  public static void write(Buffer out, Object value) {
    new Amf0Writer(out, Long.MAX_VALUE).writeValue(value);
  }

  /** Returns a new buffer with the values in order, e.g. the body of a command message. */
  public static Buffer encode(Object... values) {
    Buffer out = Buffer.buffer();
    for (Object value : values) {
      write(out, value);
    }
    return out;
  }

  private void writeValue(Object value) {
    if (out.length() > limit) {
      throw new OutputLimitReached();
    }
    if (value == null) {
      out.appendByte((byte) Amf0Markers.NULL);
    } else if (value == AmfUndefined.INSTANCE) {
      out.appendByte((byte) Amf0Markers.UNDEFINED);
    } else if (value instanceof Boolean b) {
      out.appendByte((byte) Amf0Markers.BOOLEAN).appendByte((byte) (b ? 1 : 0));
    } else if (value instanceof Number n) {
      out.appendByte((byte) Amf0Markers.NUMBER).appendDouble(n.doubleValue());
    } else if (value instanceof String s) {
      writeString(s);
    } else if (value instanceof AmfEcmaArray array) {
      enter(array);
      // 2.10: the count is a hint for readers; ours is exact
      out.appendByte((byte) Amf0Markers.ECMA_ARRAY).appendUnsignedInt(array.size());
      writeProperties(array);
      leave(array);
    } else if (value instanceof Map<?, ?> map) {
      enter(map);
      out.appendByte((byte) Amf0Markers.OBJECT);
      writeProperties(map);
      leave(map);
    } else if (value instanceof List<?> list) {
      enter(list);
      out.appendByte((byte) Amf0Markers.STRICT_ARRAY).appendUnsignedInt(list.size());
      for (Object item : list) {
        writeValue(item);
      }
      leave(list);
    } else if (value instanceof AmfDate date) {
      writeDate(date);
    } else if (value instanceof AmfXml xml) {
      byte[] bytes = xml.xml().getBytes(StandardCharsets.UTF_8);
      out.appendByte((byte) Amf0Markers.XML_DOCUMENT).appendUnsignedInt(bytes.length)
          .appendBytes(bytes);
    } else if (value instanceof AmfTypedObject typed) {
      enter(typed);
      out.appendByte((byte) Amf0Markers.TYPED_OBJECT);
      writeName(typed.className(), "typed object class name");
      writeProperties(typed.properties());
      leave(typed);
    } else {
      throw new IllegalArgumentException("no AMF0 encoding for " + value.getClass().getName());
    }
  }

  private void writeString(String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    if (bytes.length > MAX_SHORT_STRING) {
      out.appendByte((byte) Amf0Markers.LONG_STRING).appendUnsignedInt(bytes.length);
    } else {
      out.appendByte((byte) Amf0Markers.STRING).appendUnsignedShort(bytes.length);
    }
    out.appendBytes(bytes);
  }

  /** Property names and class names are UTF-8 with a U16 length and no marker (2.5, 2.18). */
  private void writeName(String name, String what) {
    byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
    if (bytes.length > MAX_SHORT_STRING) {
      throw new IllegalArgumentException(
          "AMF0 " + what + " of " + bytes.length + " bytes does not fit a U16 length");
    }
    out.appendUnsignedShort(bytes.length).appendBytes(bytes);
  }

  /** Name/value pairs, then the empty name and object-end marker (2.5, 2.11). */
  private void writeProperties(Map<?, ?> properties) {
    for (Map.Entry<?, ?> entry : properties.entrySet()) {
      if (!(entry.getKey() instanceof String name) || name.isEmpty()) {
        // an empty name would read back as the end of the object
        throw new IllegalArgumentException(
            "AMF0 property names must be non-empty strings, not " + describe(entry.getKey()));
      }
      writeName(name, "property name");
      writeValue(entry.getValue());
    }
    out.appendUnsignedShort(0).appendByte((byte) Amf0Markers.OBJECT_END);
  }

  /** 2.13: milliseconds since the epoch as DOUBLE, then the reserved S16 time zone. */
  private void writeDate(AmfDate date) {
    int timezone = date.timezoneMinutes();
    if (timezone < Short.MIN_VALUE || timezone > Short.MAX_VALUE) {
      throw new IllegalArgumentException("AMF0 date time zone " + timezone + " is not an S16");
    }
    out.appendByte((byte) Amf0Markers.DATE).appendDouble(date.epochMillis())
        .appendShort((short) timezone);
  }

  private void enter(Object container) {
    if (!open.add(container)) {
      throw new IllegalArgumentException(
          "AMF0 value contains itself; AMF0 output here has no references to express that");
    }
  }

  private void leave(Object container) {
    open.remove(container);
  }

  private static String describe(Object key) {
    return key == null ? "null" : key instanceof String ? "\"\"" : key.getClass().getName();
  }
}

package org.rtmpcluster.common.amf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.rtmpcluster.common.amf.Hex.hex;
import static org.rtmpcluster.common.amf.Hex.utf8;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class Amf3ReaderTest {

  private static List<Object> readAll(Buffer buffer) throws AmfException {
    Amf3Reader reader = new Amf3Reader(buffer, 0, buffer.length(), AmfLimits.DEFAULT);
    List<Object> values = new ArrayList<>();
    while (reader.hasMore()) {
      values.add(reader.read());
    }
    return values;
  }

  private static Object readOne(Buffer buffer) throws AmfException {
    Amf3Reader reader = new Amf3Reader(buffer, 0, buffer.length(), AmfLimits.DEFAULT);
    Object value = reader.read();
    assertFalse(reader.hasMore(), "value should use the whole vector");
    return value;
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "00,          0",
      "7f,          127",        // largest one-byte form
      "8100,        128",        // smallest two-byte form
      "ff7f,        16383",      // 0x3FFF, largest two-byte form
      "818000,      16384",      // 0x4000, smallest three-byte form
      "ffff7f,      2097151",    // 0x1FFFFF, largest three-byte form
      "80c08000,    2097152",    // 0x200000, smallest four-byte form
      "bfffffff,    268435455",  // 0x0FFFFFFF, largest integer
      "ffffffff,    -1",         // 0x1FFFFFFF is -1 in 29-bit two's complement
      "c0808000,    -268435456", // 0x10000000, smallest integer
  })
  void u29IntegerBoundaries(String u29, int expected) throws AmfException {
    assertEquals(expected, readOne(hex("04", u29)));
  }

  @Test
  void u29FourByteFormUsesAllEightBitsOfLastByte() throws AmfException {
    assertEquals(255, readOne(hex("04", "808080ff")));
    assertEquals(256, readOne(hex("04", "80808100")));
  }

  @Test
  void scalarsDecodeToJavaTypes() throws AmfException {
    List<Object> values = readAll(hex(
        "00",                       // undefined
        "01",                       // null
        "02",                       // false
        "03",                       // true
        "05", "bff8000000000000")); // double -1.5
    assertSame(AmfUndefined.INSTANCE, values.get(0));
    assertNull(values.get(1));
    assertEquals(false, values.get(2));
    assertEquals(true, values.get(3));
    assertEquals(-1.5, values.get(4));
  }

  @Test
  void stringReferenceReturnsTheEarlierString() throws AmfException {
    List<Object> values = readAll(hex(
        "06", "05", utf8("ab"),     // "ab", string 0
        "06", "07", utf8("cde"),    // "cde", string 1
        "06", "02",                 // reference 1
        "06", "00"));               // reference 0
    assertEquals(List.of("ab", "cde", "cde", "ab"), values);
    assertSame(values.get(0), values.get(3));
  }

  @Test
  void emptyStringIsNeverAddedToTheTable() throws AmfException {
    List<Object> values = readAll(hex(
        "06", "01",                 // "" (takes no index)
        "06", "03", utf8("x"),      // "x", string 0
        "06", "00"));               // reference 0
    assertEquals(List.of("", "x", "x"), values);
  }

  @Test
  void utf8LengthCountsBytes() throws AmfException {
    assertEquals("é", readOne(hex("06", "05", "c3a9")));
  }

  @Test
  void anonymousDynamicObjectDecodesToMapInOrder() throws AmfException {
    Buffer vector = hex(
        "0a", "0b", "01",           // object, traits: dynamic, 0 sealed, anonymous
        "03", utf8("b"), "04", "01", // b: 1
        "03", utf8("a"), "06", "03", utf8("x"), // a: "x"
        "01");                      // end of dynamic members
    Map<?, ?> object = assertInstanceOf(Map.class, readOne(vector));
    assertEquals(List.of("b", "a"), List.copyOf(object.keySet()));
    assertEquals(Map.of("a", "x", "b", 1), object);
  }

  @Test
  void namedClassWithSealedAndDynamicMembersIsTypedObject() throws AmfException {
    Buffer vector = hex(
        "0a", "1b",                 // object, traits: 1 sealed, dynamic
        "07", utf8("Foo"),          // class name
        "03", utf8("s"),            // sealed name "s"
        "04", "05",                 // s = 5
        "03", utf8("d"), "02",      // dynamic d = false
        "01");
    assertEquals(new AmfTypedObject("Foo", Map.of("s", 5, "d", false)), readOne(vector));
  }

  @Test
  void traitReferenceReusesClassAndSealedNames() throws AmfException {
    List<?> points = assertInstanceOf(List.class, readOne(Amf3Vectors.twoPointsSharingTraits()));
    assertEquals(new AmfTypedObject("Point", Map.of("x", 1, "y", 2)), points.get(0));
    assertEquals(new AmfTypedObject("Point", Map.of("x", 3, "y", 4)), points.get(1));
  }

  @Test
  void objectReferenceReturnsTheSameInstance() throws AmfException {
    Buffer vector = hex(
        "09", "05", "01",           // array of 2 (object 0)
        "0a", "0b", "01", "01",     // empty anonymous object (object 1)
        "0a", "02");                // object reference 1
    List<?> list = assertInstanceOf(List.class, readOne(vector));
    assertSame(list.get(0), list.get(1));
  }

  @Test
  void objectCanReferToItself() throws AmfException {
    Buffer vector = hex(
        "0a", "0b", "01",           // anonymous object (object 0)
        "05", utf8("me"), "0a", "00", // me: object reference 0
        "01");
    Map<?, ?> object = assertInstanceOf(Map.class, readOne(vector));
    assertSame(object, object.get("me"));
  }

  @Test
  void denseOnlyArrayDecodesToList() throws AmfException {
    assertEquals(List.of(1, 2, 3), readOne(hex("09", "07", "01", "0401", "0402", "0403")));
  }

  @Test
  void arrayWithAssociativePartDecodesToAmf3Array() throws AmfException {
    Buffer vector = hex(
        "09", "03",                 // array, 1 dense item
        "03", utf8("k"), "06", "03", utf8("v"), // k: "v"
        "01",                       // end of associative part
        "04", "07");                // dense item 7
    assertEquals(new Amf3Array(Map.of("k", "v"), List.of(7)), readOne(vector));
  }

  @Test
  void dateDecodesToUtcMillisAndCanBeReferenced() throws AmfException {
    List<Object> values = readAll(hex(
        "08", "01", "4278bcfe56800000", // date 1700000000000.0 (object 0)
        "08", "00"));                   // date reference 0
    assertEquals(new AmfDate(1_700_000_000_000.0, 0), values.get(0));
    assertSame(values.get(0), values.get(1));
  }

  @Test
  void xmlTypesAreObjectsNotStrings() throws AmfException {
    List<Object> values = readAll(hex(
        "07", "09", utf8("<a/>"),   // XMLDocument (object 0)
        "0b", "09", utf8("<b/>"),   // XML (object 1)
        "0b", "02",                 // object reference 1
        "06", "09", utf8("<c/>"),   // string: string index 0, not object index 2
        "06", "00"));
    assertEquals(List.of(new Amf3XmlDocument("<a/>"), new AmfXml("<b/>"), new AmfXml("<b/>"),
        "<c/>", "<c/>"), values);
  }

  @Test
  void byteArrayDecodesToBytes() throws AmfException {
    List<Object> values = readAll(hex(
        "0c", "07", "0102ff",       // ByteArray of 3 (object 0)
        "0c", "00"));               // object reference 0
    assertArrayEquals(new byte[] {1, 2, (byte) 0xff}, (byte[]) values.get(0));
    assertSame(values.get(0), values.get(1));
  }

  @Test
  void arrayCollectionDecodesToItsSourceArray() throws AmfException {
    assertEquals(List.of("a", "b"), readOne(Amf3Vectors.arrayCollection()));
  }

  @Test
  void objectProxyDecodesToTheProxiedObject() throws AmfException {
    Buffer vector = hex(
        "0a", "07",                                 // object, externalizable traits
        "3b", utf8("flex.messaging.io.ObjectProxy"), // class name, 29 bytes
        "0a", "0b", "01", "03", utf8("a"), "04", "01", "01"); // {a: 1}
    assertEquals(Map.of("a", 1), readOne(vector));
  }

  @Test
  void externalizableTakesAnObjectIndexAndItsTraitsCanBeReferenced() throws AmfException {
    List<Object> values = readAll(hex(
        "0a", "07", "43", utf8("flex.messaging.io.ArrayCollection"), // object 0, traits 0
        "09", "01", "01",                   // empty array (object 1)
        "0a", "01",                         // traits reference 0: another ArrayCollection
        "09", "03", "01", "04", "01",       // array [1] (object 3)
        "0a", "00"));                       // object reference 0: the first collection
    assertEquals(List.of(List.of(), List.of(1), List.of()), values);
    assertSame(values.get(0), values.get(2));
  }

  @Test
  void vectorsKeepTypeFixedFlagAndItems() throws AmfException {
    List<Object> values = readAll(hex(
        "0d", "05", "00", "ffffffff", "00000001",       // vector.<int> [-1, 1]
        "0e", "05", "01", "ffffffff", "00000001",       // fixed vector.<uint>
        "0f", "03", "00", "3ff0000000000000",           // vector.<Number> [1.0]
        "10", "05", "00", "0d", utf8("String"),         // vector.<String>
        "06", "03", utf8("a"), "06", "03", utf8("b")));
    assertEquals(new Amf3Vector(Amf3Vector.Type.INT, false, null, List.of(-1, 1)),
        values.get(0));
    assertEquals(new Amf3Vector(Amf3Vector.Type.UINT, true, null, List.of(4294967295L, 1L)),
        values.get(1));
    assertEquals(new Amf3Vector(Amf3Vector.Type.DOUBLE, false, null, List.of(1.0)),
        values.get(2));
    assertEquals(new Amf3Vector(Amf3Vector.Type.OBJECT, false, "String", List.of("a", "b")),
        values.get(3));
  }

  @Test
  void dictionaryKeepsEntriesWithAnyKeys() throws AmfException {
    Buffer vector = hex(
        "11", "05", "01",           // dictionary of 2, weak keys
        "06", "03", utf8("k"), "04", "01", // "k" -> 1
        "04", "02", "06", "03", utf8("v")); // 2 -> "v"
    assertEquals(new Amf3Dictionary(true, List.of(
        new Amf3Dictionary.Entry("k", 1), new Amf3Dictionary.Entry(2, "v"))), readOne(vector));
  }

  @Test
  void everyTypeInOneArray() throws AmfException {
    List<?> all = assertInstanceOf(List.class, readOne(Amf3Vectors.everyType()));
    assertEquals(16, all.size());
    assertEquals(-1, all.get(4));
    assertEquals(new Amf3Array(Map.of("k", "hi"), List.of(7)), all.get(9));
    assertEquals(Map.of("hi", 1), all.get(10));
    Amf3Dictionary dictionary = assertInstanceOf(Amf3Dictionary.class, all.get(15));
    assertSame(all, dictionary.entries().get(0).value());
  }

  @Test
  void readerKeepsItsTablesAcrossReads() throws AmfException {
    Buffer vector = hex("06", "03", utf8("a"), "06", "00");
    Amf3Reader reader = new Amf3Reader(vector, 0, vector.length(), AmfLimits.DEFAULT);
    assertEquals("a", reader.read());
    assertEquals(3, reader.position());
    assertEquals("a", reader.read());
    assertFalse(reader.hasMore());
  }
}

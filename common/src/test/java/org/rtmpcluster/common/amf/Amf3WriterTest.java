package org.rtmpcluster.common.amf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.rtmpcluster.common.amf.Hex.hex;
import static org.rtmpcluster.common.amf.Hex.hexOf;
import static org.rtmpcluster.common.amf.Hex.utf8;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class Amf3WriterTest {

  private static void assertEncodes(Buffer expected, Object... values) {
    assertEquals(hexOf(expected), hexOf(Amf3Writer.encode(values)));
  }

  private static Object readBack(Buffer buffer) throws AmfException {
    return new Amf3Reader(buffer, 0, buffer.length(), AmfLimits.DEFAULT).read();
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "0,          00",
      "127,        7f",
      "128,        8100",
      "16383,      ff7f",
      "16384,      818000",
      "2097151,    ffff7f",
      "2097152,    80c08000",
      "268435455,  bfffffff",
      "-1,         ffffffff",
      "-268435456, c0808000",
  })
  void integersInU29RangeUseTheShortestForm(int value, String u29) {
    assertEncodes(hex("04", u29), value);
  }

  @Test
  void integersOutsideU29RangeBecomeDoubles() {
    assertEncodes(hex(
        "05", "41b0000000000000",   // 2^28
        "05", "c1b0000001000000",   // -2^28 - 1
        "04", "05",                 // Long 5 fits
        "05", "4014000000000000",   // Double 5.0 stays a double
        "05", "4004000000000000"),  // Float 2.5
        1 << 28, -(1L << 28) - 1, 5L, 5.0, 2.5f);
  }

  @Test
  void scalarsUseTheirMarkers() {
    assertEncodes(hex("00", "01", "02", "03"), AmfUndefined.INSTANCE, null, false, true);
  }

  @Test
  void repeatedStringIsWrittenAsReferenceButEmptyStringNever() {
    assertEncodes(hex(
        "06", "05", utf8("ab"),     // "ab" inline, string 0
        "06", "01",                 // "" inline, no index
        "06", "01",                 // "" inline again
        "06", "00"),                // "ab" by reference 0
        "ab", "", "", "ab");
  }

  @Test
  void writeStartsAFreshContextEachCall() {
    Buffer out = Buffer.buffer();
    Amf3Writer.write(out, "ab");
    Amf3Writer.write(out, "ab");
    assertEquals(hexOf(hex("06", "05", utf8("ab"), "06", "05", utf8("ab"))), hexOf(out));
  }

  @Test
  void mapBecomesAnonymousDynamicObject() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("a", 1);
    map.put("b", "a");
    assertEncodes(hex(
        "0a", "0b", "01",           // object, dynamic traits, anonymous class ""
        "03", utf8("a"), "04", "01", // a: 1
        "03", utf8("b"), "06", "00", // b: "a" by string reference 0
        "01"),                      // end of dynamic members
        map);
  }

  @Test
  void typedObjectsOfOneClassShareTraits() {
    Map<String, Object> first = new LinkedHashMap<>();
    first.put("x", 1);
    first.put("y", 2);
    Map<String, Object> second = new LinkedHashMap<>();
    second.put("x", 3);
    second.put("y", 4);
    assertEncodes(Amf3Vectors.twoPointsSharingTraits(),
        List.of(new AmfTypedObject("Point", first), new AmfTypedObject("Point", second)));
  }

  @Test
  void anonymousObjectsShareTraitsToo() {
    assertEncodes(hex(
        "09", "05", "01",           // array of 2
        "0a", "0b", "01", "01",     // {} with inline anonymous traits (traits 0)
        "0a", "01", "01"),          // {} with traits reference 0
        List.of(new LinkedHashMap<>(), new LinkedHashMap<>()));
  }

  @Test
  void sameObjectTwiceIsWrittenAsReference() {
    Map<String, Object> shared = new LinkedHashMap<>();
    assertEncodes(hex(
        "09", "05", "01",           // array (object 0) of 2
        "0a", "0b", "01", "01",     // {} (object 1)
        "0a", "02"),                // object reference 1
        List.of(shared, shared));
  }

  @Test
  void cycleIsWrittenAsReferenceToTheEnclosingObject() throws AmfException {
    Map<String, Object> self = new LinkedHashMap<>();
    self.put("me", self);
    Buffer encoded = Amf3Writer.encode(self);
    assertEquals(hexOf(hex("0a", "0b", "01", "05", utf8("me"), "0a", "00", "01")),
        hexOf(encoded));
    Map<?, ?> decoded = (Map<?, ?>) readBack(encoded);
    assertSame(decoded, decoded.get("me"));
  }

  @Test
  void arraysWithAndWithoutAssociativePart() {
    AmfEcmaArray ecma = new AmfEcmaArray();
    ecma.put("k", "v");
    assertEncodes(hex(
        "09", "07", "01", "0401", "0402", "0403",               // [1, 2, 3]
        "09", "03", "03", utf8("k"), "06", "03", utf8("v"), "01", "04", "07", // {k: v} + [7]
        "09", "01", "00", "06", "02", "01"),                    // ECMA {k: v}, by reference
        List.of(1, 2, 3), new Amf3Array(Map.of("k", "v"), List.of(7)), ecma);
  }

  @Test
  void dateXmlAndBytes() {
    AmfDate date = new AmfDate(1_700_000_000_000.0, 0);
    assertEncodes(hex(
        "08", "01", "4278bcfe56800000",   // date (object 0)
        "08", "00",                       // same date instance: reference 0
        "07", "09", utf8("<a/>"),         // XMLDocument (object 1)
        "0b", "09", utf8("<b/>"),         // XML (object 2)
        "0c", "07", "0102ff"),            // ByteArray (object 3)
        date, date, new Amf3XmlDocument("<a/>"), new AmfXml("<b/>"),
        new byte[] {1, 2, (byte) 0xff});
  }

  @Test
  void vectorsAndDictionary() {
    assertEncodes(hex(
        "0d", "05", "00", "ffffffff", "00000001",       // vector.<int> [-1, 1]
        "0e", "03", "01", "ffffffff",                   // fixed vector.<uint> [2^32 - 1]
        "0f", "03", "00", "3ff0000000000000",           // vector.<Number> [1.0]
        "10", "03", "00", "0d", utf8("String"), "06", "03", utf8("a"),
        "11", "03", "01", "04", "02", "06", "02"),      // weak dictionary {2: "a" (string 1)}
        new Amf3Vector(Amf3Vector.Type.INT, false, null, List.of(-1, 1)),
        new Amf3Vector(Amf3Vector.Type.UINT, true, null, List.of(4294967295L)),
        new Amf3Vector(Amf3Vector.Type.DOUBLE, false, null, List.of(1.0)),
        new Amf3Vector(Amf3Vector.Type.OBJECT, false, "String", List.of("a")),
        new Amf3Dictionary(true, List.of(new Amf3Dictionary.Entry(2, "a"))));
  }

  @Test
  void roundTripKeepsTypesOrderAndSharing() throws AmfException {
    Map<String, Object> info = new LinkedHashMap<>();
    info.put("code", "NetConnection.Connect.Success");
    info.put("level", "status");
    info.put("objectEncoding", 3);
    List<Object> list = new ArrayList<>();
    list.add(info);
    list.add(new AmfTypedObject("Point", Map.of("x", 1.5)));
    list.add(info);
    list.add(new Amf3Vector(Amf3Vector.Type.OBJECT, true, "*", List.of("level", -7)));
    list.add(new Amf3Dictionary(false, List.of(new Amf3Dictionary.Entry(info, "x"))));
    list.add(new AmfDate(3.0, 0));
    list.add("é".repeat(1000));

    List<?> decoded = (List<?>) readBack(Amf3Writer.encode(list));

    assertEquals(list, decoded);
    assertSame(decoded.get(0), decoded.get(2));
  }

  @Test
  void byteArrayRoundTrips() throws AmfException {
    byte[] bytes = {0, 1, 2, -1};
    assertArrayEquals(bytes, (byte[]) readBack(Amf3Writer.encode((Object) bytes)));
  }

  @Test
  void unsupportedJavaTypeIsAProgrammingError() {
    assertThrows(IllegalArgumentException.class, () -> Amf3Writer.encode(new Object()));
    assertThrows(IllegalArgumentException.class, () -> Amf3Writer.encode(Map.of(1, "x")));
    assertThrows(IllegalArgumentException.class, () -> Amf3Writer.encode(Map.of("", "x")));
    assertThrows(IllegalArgumentException.class, () -> Amf3Writer.encode(
        new Amf3Vector(Amf3Vector.Type.INT, false, null, List.of("not a number"))));
  }
}

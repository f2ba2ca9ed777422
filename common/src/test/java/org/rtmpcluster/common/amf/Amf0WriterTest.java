package org.rtmpcluster.common.amf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.rtmpcluster.common.amf.Hex.hex;
import static org.rtmpcluster.common.amf.Hex.hexOf;
import static org.rtmpcluster.common.amf.Hex.utf8;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class Amf0WriterTest {

  private static void assertEncodes(Buffer expected, Object... values) {
    assertEquals(hexOf(expected), hexOf(Amf0Writer.encode(values)));
  }

  @Test
  void writesConnectExactlyAsFfmpegDoes() {
    Map<String, Object> command = new LinkedHashMap<>();
    command.put("app", "live");
    command.put("type", "nonprivate");
    command.put("flashVer", "FMLE/3.0 (compatible; Lavf59.27.100)");
    command.put("tcUrl", "rtmp://127.0.0.1:19398/live");
    assertEncodes(Amf0Vectors.ffmpegConnect(), "connect", 1, command);
  }

  @Test
  void ecmaArrayIsWrittenAsEcmaArrayWithItsCount() {
    AmfEcmaArray metadata = new AmfEcmaArray();
    metadata.put("duration", 0.0);
    metadata.put("width", 320.0);
    metadata.put("height", 180.0);
    metadata.put("videodatarate", 292.96875);
    metadata.put("framerate", 30);
    metadata.put("videocodecid", 7);
    metadata.put("audiodatarate", 62.5);
    metadata.put("audiosamplerate", 44100);
    metadata.put("audiosamplesize", 16);
    metadata.put("stereo", false);
    metadata.put("audiocodecid", 10);
    metadata.put("encoder", "Lavf59.27.100");
    metadata.put("filesize", 0);
    assertEncodes(Amf0Vectors.ffmpegSetDataFrame(), "@setDataFrame", "onMetaData", metadata);
  }

  @Test
  void everyJavaNumberBecomesAnAmf0Number() {
    assertEncodes(hex(
        "00", "4008000000000000",   // Integer 3
        "00", "4008000000000000",   // Long 3
        "00", "4008000000000000",   // Short 3
        "00", "4008000000000000",   // Byte 3
        "00", "4004000000000000",   // Float 2.5
        "00", "bff8000000000000"),  // Double -1.5
        3, 3L, (short) 3, (byte) 3, 2.5f, -1.5);
  }

  @Test
  void scalarsUseTheirMarkers() {
    assertEncodes(hex(
        "01", "01",                 // true
        "01", "00",                 // false
        "05",                       // null
        "06",                       // undefined
        "02", "0000",               // ""
        "02", "0002", "c3a9"),      // "é": length in UTF-8 bytes
        true, false, null, AmfUndefined.INSTANCE, "", "é");
  }

  @Test
  void stringOf65535BytesIsStillAShortString() {
    String longest = "a".repeat(0xFFFF);
    assertEncodes(hex("02", "ffff", utf8(longest)), longest);
  }

  @Test
  void stringOver65535BytesBecomesLongString() {
    String tooLong = "a".repeat(0x10000);
    assertEncodes(hex("0c", "00010000", utf8(tooLong)), tooLong);
  }

  @Test
  void listBecomesStrictArray() {
    assertEncodes(hex(
        "0a", "00000002",           // strict array of 2
        "02", "0001", utf8("x"),
        "05"),
        Arrays.asList("x", null));
  }

  @Test
  void dateWritesMillisAndTimeZone() {
    assertEncodes(hex("0b", "4278bcfe56800000", "ffc4"), new AmfDate(1_700_000_000_000.0, -60));
  }

  @Test
  void xmlIsAnXmlDocumentWithLongLength() {
    assertEncodes(hex("0f", "00000004", utf8("<a/>")), new AmfXml("<a/>"));
  }

  @Test
  void typedObjectWritesClassNameThenProperties() {
    Map<String, Object> properties = new LinkedHashMap<>();
    properties.put("x", 1);
    assertEncodes(hex(
        "10", "0005", utf8("Point"),
        "0001", utf8("x"), "00", "3ff0000000000000",
        "0000", "09"),
        new AmfTypedObject("Point", properties));
  }

  @Test
  void sharedValueIsWrittenInFullEachTimeNotAsReference() {
    Map<String, Object> shared = Map.of("a", true);
    String object = "03 0001" + utf8("a") + "0101 0000 09";
    assertEncodes(hex("0a", "00000002", object, object), List.of(shared, shared));
  }

  @Test
  void writeAppendsToTheGivenBuffer() {
    Buffer out = hex("ff");
    Amf0Writer.write(out, null);
    assertEquals("ff05", hexOf(out));
  }

  @Test
  void roundTripKeepsTypesAndOrder() throws AmfException {
    Map<String, Object> info = new LinkedHashMap<>();
    info.put("level", "status");
    info.put("code", "NetStream.Publish.Start");
    info.put("when", new AmfDate(12345.0, 0));
    info.put("nothing", AmfUndefined.INSTANCE);
    AmfEcmaArray ecma = new AmfEcmaArray(Map.of("n", 1.0));
    List<Object> values = List.of("onStatus", 0.0, Arrays.asList(null, "é", ecma), info,
        new AmfTypedObject("T", Map.of("k", List.of())), new AmfXml("<x/>"), "z".repeat(70000));

    List<Object> decoded = Amf0Reader.readAll(Amf0Writer.encode(values.toArray()),
        AmfLimits.DEFAULT);

    assertEquals(values, decoded);
    assertEquals(AmfEcmaArray.class, ((List<?>) decoded.get(2)).get(2).getClass());
  }

  @Test
  void unsupportedJavaTypeIsAProgrammingError() {
    assertThrows(IllegalArgumentException.class, () -> Amf0Writer.encode(new Object()));
    assertThrows(IllegalArgumentException.class, () -> Amf0Writer.encode((Object) new byte[1]));
    assertThrows(IllegalArgumentException.class,
        () -> Amf0Writer.encode(new Amf3XmlDocument("<a/>")));
  }

  @Test
  void propertyNamesMustBeNonEmptyStrings() {
    Map<Object, Object> numberKey = Map.of(1, "x");
    Map<String, Object> emptyKey = Map.of("", "x");
    assertThrows(IllegalArgumentException.class, () -> Amf0Writer.encode(numberKey));
    assertThrows(IllegalArgumentException.class, () -> Amf0Writer.encode(emptyKey));
  }

  @Test
  void valueThatContainsItselfIsRefused() {
    List<Object> loop = new ArrayList<>();
    loop.add(loop);
    assertThrows(IllegalArgumentException.class, () -> Amf0Writer.encode(loop));
  }
}

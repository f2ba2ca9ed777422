package org.rtmpcluster.common.amf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rtmpcluster.common.amf.Hex.hex;
import static org.rtmpcluster.common.amf.Hex.hexOf;
import static org.rtmpcluster.common.amf.Hex.utf8;

import io.vertx.core.buffer.Buffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class Amf0ReaderTest {

  private static Object readOne(Buffer buffer) throws AmfException {
    Amf0Reader reader = new Amf0Reader(buffer, 0, buffer.length(), AmfLimits.DEFAULT);
    Object value = reader.read();
    assertFalse(reader.hasMore(), "value should use the whole vector");
    return value;
  }

  @Test
  void vectorsAreTheBytesFfmpegSent() {
    // flat hex dumps of the message bodies in shared/captures/ffmpeg-publish.client.bin
    assertEquals("020007636f6e6e656374003ff00000000000000300036170700200046c697665000474797065"
        + "02000a6e6f6e707269766174650008666c617368566572020024464d4c452f332e302028636f6d70"
        + "617469626c653b204c61766635392e32372e313030290005746355726c02001b72746d703a2f2f31"
        + "32372e302e302e313a31393339382f6c697665000009",
        hexOf(Amf0Vectors.ffmpegConnect()));
    assertEquals("02000d40736574446174614672616d6502000a6f6e4d65746144617461080000000d000864757261"
        + "74696f6e000000000000000000000577696474680040740000000000000006686569676874004066"
        + "800000000000000d766964656f64617461726174650040724f800000000000096672616d65726174"
        + "6500403e000000000000000c766964656f636f646563696400401c000000000000000d617564696f"
        + "646174617261746500404f400000000000000f617564696f73616d706c65726174650040e5888000"
        + "000000000f617564696f73616d706c6573697a65004030000000000000000673746572656f010000"
        + "0c617564696f636f64656369640040240000000000000007656e636f64657202000d4c6176663539"
        + "2e32372e313030000866696c6573697a65000000000000000000000009",
        hexOf(Amf0Vectors.ffmpegSetDataFrame()));
  }

  @Test
  void ffmpegConnectDecodesToNameTransactionIdAndCommandObject() throws AmfException {
    List<Object> values = Amf0Reader.readAll(Amf0Vectors.ffmpegConnect(), AmfLimits.DEFAULT);

    assertEquals(3, values.size());
    assertEquals("connect", values.get(0));
    assertEquals(1.0, values.get(1));
    Map<?, ?> command = assertInstanceOf(Map.class, values.get(2));
    assertEquals(List.of("app", "type", "flashVer", "tcUrl"), List.copyOf(command.keySet()));
    assertEquals("live", command.get("app"));
    assertEquals("nonprivate", command.get("type"));
    assertEquals("FMLE/3.0 (compatible; Lavf59.27.100)", command.get("flashVer"));
    assertEquals("rtmp://127.0.0.1:19398/live", command.get("tcUrl"));
  }

  @Test
  void onMetaDataIsAnEcmaArrayInWireOrder() throws AmfException {
    List<Object> values = Amf0Reader.readAll(Amf0Vectors.ffmpegSetDataFrame(), AmfLimits.DEFAULT);

    assertEquals(List.of("@setDataFrame", "onMetaData"), values.subList(0, 2));
    AmfEcmaArray metadata = assertInstanceOf(AmfEcmaArray.class, values.get(2));
    assertEquals(List.of("duration", "width", "height", "videodatarate", "framerate",
        "videocodecid", "audiodatarate", "audiosamplerate", "audiosamplesize", "stereo",
        "audiocodecid", "encoder", "filesize"), List.copyOf(metadata.keySet()));
    assertEquals(320.0, metadata.get("width"));
    assertEquals(180.0, metadata.get("height"));
    assertEquals(292.96875, metadata.get("videodatarate"));
    assertEquals(7.0, metadata.get("videocodecid"));
    assertEquals(44100.0, metadata.get("audiosamplerate"));
    assertEquals(false, metadata.get("stereo"));
    assertEquals("Lavf59.27.100", metadata.get("encoder"));
  }

  @Test
  void ecmaArrayCountIsOnlyAHint() throws AmfException {
    Buffer vector = hex(
        "08", "ffffffff",                     // count hint far too big
        "0001", utf8("a"), "05",              // a: null
        "0000", "09");
    AmfEcmaArray array = assertInstanceOf(AmfEcmaArray.class, readOne(vector));
    assertEquals(1, array.size());
    assertTrue(array.containsKey("a"));
  }

  @Test
  void scalarsDecodeToJavaTypes() throws AmfException {
    Buffer vector = hex(
        "00", "bff8000000000000",  // number -1.5
        "01", "00",                // false
        "01", "02",                // any non-zero byte is true (2.3)
        "02", "0000",              // empty string
        "02", "0002", "c3a9",      // "é": the length counts UTF-8 bytes
        "05",                      // null
        "06");                     // undefined
    List<Object> values = Amf0Reader.readAll(vector, AmfLimits.DEFAULT);
    assertEquals(-1.5, values.get(0));
    assertEquals(false, values.get(1));
    assertEquals(true, values.get(2));
    assertEquals("", values.get(3));
    assertEquals("é", values.get(4));
    assertNull(values.get(5));
    assertSame(AmfUndefined.INSTANCE, values.get(6));
  }

  @Test
  void nestedObjectsKeepTheirOrder() throws AmfException {
    Buffer vector = hex(
        "03",                                   // object
        "0005", utf8("level"), "02", "0006", utf8("status"),
        "0004", utf8("info"), "03",             // nested object
        "0001", utf8("z"), "00", "3ff0000000000000",
        "0001", utf8("a"), "00", "4000000000000000",
        "0000", "09",                           // end of info
        "0004", utf8("code"), "02", "0003", utf8("abc"),
        "0000", "09");
    Map<?, ?> object = assertInstanceOf(Map.class, readOne(vector));
    assertEquals(List.of("level", "info", "code"), List.copyOf(object.keySet()));
    Map<?, ?> info = assertInstanceOf(Map.class, object.get("info"));
    assertEquals(List.of("z", "a"), List.copyOf(info.keySet()));
    assertEquals(2.0, info.get("a"));
  }

  @Test
  void strictArrayDecodesToList() throws AmfException {
    Buffer vector = hex(
        "0a", "00000003",           // strict array of 3
        "00", "3ff0000000000000",   // 1.0
        "02", "0001", utf8("b"),    // "b"
        "05");                      // null
    assertEquals(Arrays.asList(1.0, "b", null), readOne(vector));
  }

  @Test
  void longStringUsesU32Length() throws AmfException {
    Buffer vector = hex(
        "0c", "00010000",           // long string of 65536 bytes
        "61".repeat(65536));
    assertEquals("a".repeat(65536), readOne(vector));
  }

  @Test
  void dateCarriesMillisAndTimeZone() throws AmfException {
    Buffer vector = hex(
        "0b", "4278bcfe56800000", "0000",   // 2023-11-14T22:13:20Z, time zone 0
        "0b", "0000000000000000", "ffc4");  // epoch, time zone -60 (S16)
    List<Object> values = Amf0Reader.readAll(vector, AmfLimits.DEFAULT);
    assertEquals(new AmfDate(1_700_000_000_000.0, 0), values.get(0));
    assertEquals(new AmfDate(0.0, -60), values.get(1));
  }

  @Test
  void xmlDocumentDecodesToAmfXml() throws AmfException {
    Buffer vector = hex("0f", "00000004", utf8("<a/>"));
    assertEquals(new AmfXml("<a/>"), readOne(vector));
  }

  @Test
  void typedObjectKeepsClassNameAndProperties() throws AmfException {
    Buffer vector = hex(
        "10", "0005", utf8("Point"),            // typed object of class "Point"
        "0001", utf8("x"), "00", "3ff0000000000000",
        "0001", utf8("y"), "00", "4000000000000000",
        "0000", "09");
    AmfTypedObject point = assertInstanceOf(AmfTypedObject.class, readOne(vector));
    assertEquals("Point", point.className());
    assertEquals(Map.of("x", 1.0, "y", 2.0), point.properties());
  }

  @Test
  void referenceReturnsTheSameInstance() throws AmfException {
    Buffer vector = hex(
        "0a", "00000002",                       // strict array (reference 0)
        "03", "0001", utf8("a"), "05", "0000", "09", // object (reference 1)
        "07", "0001");                          // reference 1
    List<?> list = assertInstanceOf(List.class, readOne(vector));
    assertSame(list.get(0), list.get(1));
  }

  @Test
  void referenceToAnEnclosingObjectMakesACycle() throws AmfException {
    Buffer vector = hex(
        "03",                                   // object (reference 0)
        "0004", utf8("self"), "07", "0000",     // self: reference 0
        "0000", "09");
    Map<?, ?> object = assertInstanceOf(Map.class, readOne(vector));
    assertSame(object, object.get("self"));
  }

  @Test
  void referenceTableCountsEcmaArraysTypedObjectsAndStrictArrays() throws AmfException {
    List<Object> values = Amf0Reader.readAll(Amf0Vectors.everyType(), AmfLimits.DEFAULT);
    List<?> all = assertInstanceOf(List.class, values.get(0));
    assertEquals(14, all.size());
    assertSame(all.get(3), all.get(6));   // the reference 1 is the object
    assertEquals(Map.of("k", "v"), all.get(7));
    assertEquals(new AmfDate(1_700_000_000_000.0, 0), all.get(8));
    assertEquals("abc", all.get(9));
    assertEquals(new AmfXml("<a/>"), all.get(10));
    assertEquals(new AmfTypedObject("Point", Map.of("x", 1.0)), all.get(11));
    assertEquals(5, all.get(12));
    assertEquals(List.of(), all.get(13));
  }

  @Test
  void avmplusMarkerSwitchesToAmf3ForOneValue() throws AmfException {
    Buffer vector = hex(
        "11", "0a", "0b", "01",                 // AMF3 anonymous dynamic object
        "03", utf8("a"), "04", "01",            //   a: integer 1
        "01",                                   //   end of dynamic members
        "00", "3ff0000000000000");              // back in AMF0: number 1.0
    List<Object> values = Amf0Reader.readAll(vector, AmfLimits.DEFAULT);
    assertEquals(Map.of("a", 1), values.get(0));
    assertEquals(1.0, values.get(1));
  }

  @Test
  void eachAvmplusSwitchStartsWithEmptyAmf3Tables() {
    Buffer vector = hex(
        "11", "06", "03", utf8("a"),            // AMF3 string "a", string table entry 0
        "11", "06", "00");                      // string reference 0: not visible here
    AmfException e = assertThrows(AmfException.class,
        () -> Amf0Reader.readAll(vector, AmfLimits.DEFAULT));
    assertEquals("AMF3 string reference 0 out of range (0 strings so far) at offset 6",
        e.getMessage());
  }

  @Test
  void readerStaysInsideItsRange() throws AmfException {
    Buffer buffer = hex(
        "ffff",                                 // bytes before the range
        "02", "0002", utf8("ok"),               // string "ok"
        "05",                                   // null
        "ffff");                                // bytes after the range
    Amf0Reader reader = new Amf0Reader(buffer, 2, 8, AmfLimits.DEFAULT);
    assertEquals(2, reader.position());
    assertEquals("ok", reader.read());
    assertEquals(7, reader.position());
    assertTrue(reader.hasMore());
    assertNull(reader.read());
    assertFalse(reader.hasMore());
    assertEquals(8, reader.position());
  }

  @Test
  void readAllOfAnEmptyBufferIsEmpty() throws AmfException {
    assertEquals(List.of(), Amf0Reader.readAll(Buffer.buffer(), AmfLimits.DEFAULT));
  }
}

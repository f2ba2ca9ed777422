package org.rtmpcluster.common.amf;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.rtmpcluster.common.amf.Hex.hex;
import static org.rtmpcluster.common.amf.Hex.utf8;

import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Amf0ReaderErrorTest {

  private static AmfException readFails(Buffer buffer, AmfLimits limits) {
    return assertThrows(AmfException.class, () -> Amf0Reader.readAll(buffer, limits));
  }

  private static AmfException readFails(Buffer buffer) {
    return readFails(buffer, AmfLimits.DEFAULT);
  }

  private static List<Buffer> singleValueVectors() {
    return List.of(
        Amf0Vectors.everyType(),
        hex(Amf0Vectors.ffmpegConnectCommandObject()),
        hex(Amf0Vectors.ffmpegMetaDataEcmaArray()));
  }

  @Test
  void truncatedInputAtEveryLengthIsAnAmfException() {
    for (Buffer vector : singleValueVectors()) {
      for (int length = 0; length < vector.length(); length++) {
        Buffer prefix = Hex.prefix(vector, length);
        assertThrows(AmfException.class,
            () -> new Amf0Reader(prefix, 0, prefix.length(), AmfLimits.DEFAULT).read(),
            "prefix of " + length + " bytes");
      }
    }
  }

  @Test
  void truncationIsDetectedAtTheRangeEndNotTheBufferEnd() {
    for (Buffer vector : singleValueVectors()) {
      for (int end = 0; end < vector.length(); end++) {
        int rangeEnd = end;
        assertThrows(AmfException.class,
            () -> new Amf0Reader(vector, 0, rangeEnd, AmfLimits.DEFAULT).read(),
            "range ending at " + end);
      }
    }
  }

  @Test
  void truncatedStringNamesWhatAndWhere() {
    Buffer vector = hex(
        "00", "0000000000000000",   // number 0.0
        "02", "0005", utf8("ab"));  // string claims 5 bytes, 2 left
    assertEquals("truncated AMF0 string at offset 12", readFails(vector).getMessage());
  }

  @Test
  void nestingDeeperThanLimitIsRejected() {
    String oneLevel = "0a 00000001";                // strict array of one element
    Buffer ok = hex(oneLevel.repeat(32), "05");     // 32 nested arrays around null
    Buffer tooDeep = hex(oneLevel.repeat(33), "05");
    assertDoesNotThrow(() -> Amf0Reader.readAll(ok, AmfLimits.DEFAULT));
    assertEquals("AMF nesting deeper than 32 at offset 160", readFails(tooDeep).getMessage());
  }

  @Test
  void nestingCountsObjectsEcmaArraysAndTypedObjects() {
    AmfLimits twoLevels = new AmfLimits(2, 100, 100);
    Buffer objectInObjectInObject = hex(
        "03", "0001", utf8("a"),
        "08", "00000001", "0001", utf8("b"),
        "10", "0001", utf8("C"), "0000", "09",
        "0000", "09",
        "0000", "09");
    AmfException e = readFails(objectInObjectInObject, twoLevels);
    assertEquals("AMF nesting deeper than 2 at offset 12", e.getMessage());
  }

  @Test
  void nestingContinuesAcrossTheSwitchToAmf3() {
    AmfLimits twoLevels = new AmfLimits(2, 100, 100);
    Buffer vector = hex(
        "0a", "00000001",          // AMF0 strict array: depth 1
        "11", "09", "03", "01",    // AMF3 dense array of 1: depth 2
        "09", "01", "01");         // AMF3 empty array: depth 3
    assertEquals("AMF nesting deeper than 2 at offset 9",
        readFails(vector, twoLevels).getMessage());
  }

  @Test
  void stringLongerThanLimitIsRejectedBeforeReadingIt() {
    Buffer vector = hex(
        "0c", "001e8480",          // long string claiming 2,000,000 bytes
        "61");                     // and one byte of it
    assertEquals("AMF0 long string of 2000000 bytes exceeds limit 1048576 at offset 1",
        readFails(vector).getMessage());
  }

  @Test
  void shortStringAndPropertyNameRespectTheLimit() {
    AmfLimits fourBytes = new AmfLimits(8, 4, 100);
    assertTrue(readFails(hex("02", "0005", utf8("hello")), fourBytes).getMessage()
        .startsWith("AMF0 string of 5 bytes exceeds limit 4"));
    assertTrue(readFails(hex("03", "0005", utf8("hello"), "05", "0000", "09"), fourBytes)
        .getMessage().startsWith("AMF0 object property name of 5 bytes exceeds limit 4"));
  }

  @Test
  void strictArrayCountAboveElementLimitIsRejectedBeforeAllocating() {
    Buffer vector = hex("0a", "ffffffff");   // 4 billion elements, no bytes for them
    assertEquals("AMF0 strict array of 4294967295 elements exceeds limit 65536 at offset 1",
        readFails(vector).getMessage());
  }

  @Test
  void strictArrayCountAboveRemainingBytesIsTruncation() {
    Buffer vector = hex("0a", "00000400", "05");  // 1024 elements, 1 byte left
    assertTrue(readFails(vector).getMessage().startsWith("truncated AMF0 strict array"));
  }

  @Test
  void tooManyMembersInObjectOrEcmaArrayIsRejected() {
    AmfLimits twoElements = new AmfLimits(8, 100, 2);
    String threeMembers = String.join("",
        "0001", utf8("a"), "05",
        "0001", utf8("b"), "05",
        "0001", utf8("c"), "05",
        "0000", "09");
    assertEquals("AMF0 object has more than 2 members at offset 0",
        readFails(hex("03", threeMembers), twoElements).getMessage());
    assertEquals("AMF0 ECMA array has more than 2 members at offset 0",
        readFails(hex("08", "00000000", threeMembers), twoElements).getMessage());
    assertEquals("AMF0 typed object has more than 2 members at offset 0",
        readFails(hex("10", "0001", utf8("T"), threeMembers), twoElements).getMessage());
  }

  @Test
  void referenceOutOfRangeIsRejected() {
    assertEquals("AMF0 reference 0 out of range (0 objects so far) at offset 0",
        readFails(hex("07", "0000")).getMessage());
    Buffer vector = hex(
        "0a", "00000001",          // strict array: reference 0
        "07", "0001");             // reference 1 does not exist yet
    assertEquals("AMF0 reference 1 out of range (1 objects so far) at offset 5",
        readFails(vector).getMessage());
  }

  @Test
  void unknownMarkerIsRejectedWithItsOffset() {
    Buffer vector = hex(
        "00", "0000000000000000",  // number 0.0
        "12");                     // no such marker
    assertEquals("unknown AMF0 marker 0x12 at offset 9", readFails(vector).getMessage());
  }

  @Test
  void reservedAndUnsupportedMarkersAreRejected() {
    assertEquals("unsupported AMF0 marker 0x04 (movieclip, reserved) at offset 0",
        readFails(hex("04")).getMessage());
    assertEquals("unsupported AMF0 marker 0x0d (unsupported type) at offset 0",
        readFails(hex("0d")).getMessage());
    assertEquals("unsupported AMF0 marker 0x0e (recordset, reserved) at offset 0",
        readFails(hex("0e")).getMessage());
  }

  @Test
  void objectEndMarkerOutsideAnObjectIsRejected() {
    assertEquals("AMF0 object-end marker 0x09 outside an object at offset 0",
        readFails(hex("09")).getMessage());
  }

  @Test
  void emptyPropertyNameMustBeFollowedByObjectEnd() {
    Buffer vector = hex("03", "0000", "05");  // empty name, then null instead of 0x09
    assertEquals("AMF0 object: empty property name followed by 0x05 instead of object-end 0x09"
        + " at offset 3", readFails(vector).getMessage());
  }

  @Test
  void readerRangeOutsideTheBufferIsAProgrammingError() {
    Buffer buffer = hex("05");
    assertThrows(IllegalArgumentException.class,
        () -> new Amf0Reader(buffer, 0, 2, AmfLimits.DEFAULT));
    assertThrows(IllegalArgumentException.class,
        () -> new Amf0Reader(buffer, 1, 0, AmfLimits.DEFAULT));
    assertThrows(IllegalArgumentException.class,
        () -> new Amf0Reader(buffer, -1, 1, AmfLimits.DEFAULT));
  }

  @Test
  void randomAndMutatedInputOnlyEverThrowsAmfException() {
    Random random = new Random(20240601);
    List<Buffer> seeds = singleValueVectors();
    for (int round = 0; round < 20_000; round++) {
      Buffer input;
      if (round % 2 == 0) {
        byte[] bytes = new byte[random.nextInt(48)];
        for (int i = 0; i < bytes.length; i++) {
          // mostly small values, so that markers and short lengths come up often
          bytes[i] = (byte) (random.nextInt(4) == 0 ? random.nextInt(256) : random.nextInt(18));
        }
        input = Buffer.buffer(bytes);
      } else {
        input = seeds.get(random.nextInt(seeds.size())).copy();
        for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
          input.setByte(random.nextInt(input.length()), (byte) random.nextInt(256));
        }
      }
      try {
        Amf0Reader.readAll(input, AmfLimits.DEFAULT);
      } catch (AmfException expected) {
        // the only acceptable failure
      } catch (RuntimeException | Error e) {
        fail("input " + Hex.hexOf(input) + " threw " + e, e);
      }
    }
  }
}

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

class Amf3ReaderErrorTest {

  private static final AmfLimits TWO_ELEMENTS = new AmfLimits(8, 100, 2);

  private static void readAll(Buffer buffer, AmfLimits limits) throws AmfException {
    Amf3Reader reader = new Amf3Reader(buffer, 0, buffer.length(), limits);
    while (reader.hasMore()) {
      reader.read();
    }
  }

  private static String failure(Buffer buffer, AmfLimits limits) {
    return assertThrows(AmfException.class, () -> readAll(buffer, limits)).getMessage();
  }

  private static String failure(Buffer buffer) {
    return failure(buffer, AmfLimits.DEFAULT);
  }

  @Test
  void truncatedInputAtEveryLengthIsAnAmfException() {
    for (Buffer vector : Amf3Vectors.singleValueVectors()) {
      for (int length = 0; length < vector.length(); length++) {
        Buffer prefix = Hex.prefix(vector, length);
        assertThrows(AmfException.class,
            () -> new Amf3Reader(prefix, 0, prefix.length(), AmfLimits.DEFAULT).read(),
            "prefix of " + length + " bytes of " + Hex.hexOf(vector));
      }
    }
  }

  @Test
  void truncatedAmf3InsideAmf0AtEveryLengthIsAnAmfException() {
    Buffer vector = Hex.hex("11", Hex.hexOf(Amf3Vectors.everyType()));
    for (int end = 0; end < vector.length(); end++) {
      int rangeEnd = end;
      assertThrows(AmfException.class,
          () -> new Amf0Reader(vector, 0, rangeEnd, AmfLimits.DEFAULT).read(),
          "range ending at " + end);
    }
  }

  @Test
  void truncatedU29NamesWhatAndWhere() {
    assertEquals("truncated AMF3 integer at offset 4", failure(hex("04", "808080")));
  }

  @Test
  void stringReferenceOutOfRangeIsRejected() {
    Buffer vector = hex("06", "03", utf8("a"), "06", "02"); // one string, then reference 1
    assertEquals("AMF3 string reference 1 out of range (1 strings so far) at offset 4",
        failure(vector));
  }

  @Test
  void objectReferenceOutOfRangeIsRejectedForEveryReferenceType() {
    for (String marker : List.of("07", "08", "09", "0a", "0b", "0c", "0d", "0e", "0f", "10",
        "11")) {
      String message = failure(hex(marker, "00"));
      assertTrue(message.contains("reference 0 out of range (0 objects so far) at offset 0"),
          marker + ": " + message);
    }
  }

  @Test
  void traitsReferenceOutOfRangeIsRejected() {
    assertEquals("AMF3 traits reference 1 out of range (0 traits so far) at offset 1",
        failure(hex("0a", "05")));  // object with traits reference 1
  }

  @Test
  void referenceIntoAnUnfinishedExternalizableIsRejected() {
    Buffer vector = hex(
        "0a", "07", "43", utf8("flex.messaging.io.ArrayCollection"), // object 0, in progress
        "0a", "00");               // its body refers to object 0
    assertEquals("AMF3 object reference 0 points into an externalizable object that is still"
        + " being read at offset 36", failure(vector));
  }

  @Test
  void unknownExternalizableClassIsRejectedByName() {
    Buffer vector = hex("0a", "07", "23", utf8("com.example.Thing"), "01");
    assertEquals("unsupported externalizable AMF3 class 'com.example.Thing' at offset 0",
        failure(vector));
  }

  @Test
  void unknownMarkerIsRejectedWithItsOffset() {
    assertEquals("unknown AMF3 marker 0x12 at offset 1", failure(hex("01", "12")));
  }

  @Test
  void nestingDeeperThanLimitIsRejected() {
    String oneLevel = "09 03 01";                    // dense array of one item
    assertDoesNotThrow(() -> readAll(hex(oneLevel.repeat(32), "01"), AmfLimits.DEFAULT));
    assertEquals("AMF nesting deeper than 32 at offset 96",
        failure(hex(oneLevel.repeat(33), "01")));
  }

  @Test
  void nestingCountsObjectsVectorsAndDictionaries() {
    AmfLimits twoLevels = new AmfLimits(2, 100, 100);
    Buffer vector = hex(
        "0a", "0b", "01", "03", utf8("a"),  // anonymous object: depth 1
        "10", "03", "00", "01",             // vector.<*> of 1: depth 2
        "11", "01", "00");                  // empty dictionary: depth 3
    assertEquals("AMF nesting deeper than 2 at offset 9", failure(vector, twoLevels));
  }

  @Test
  void stringLongerThanLimitIsRejectedBeforeReadingIt() {
    Buffer vector = hex("06", "80fa8901");  // string of 2,000,000 bytes, none present
    assertEquals("AMF3 string of 2000000 bytes exceeds limit 1048576 at offset 1",
        failure(vector));
  }

  @Test
  void byteArrayAndXmlRespectTheStringLimit() {
    AmfLimits fourBytes = new AmfLimits(8, 4, 100);
    assertEquals("AMF3 ByteArray of 5 bytes exceeds limit 4 at offset 1",
        failure(hex("0c", "0b", "0102030405"), fourBytes));
    assertEquals("AMF3 XML of 5 bytes exceeds limit 4 at offset 1",
        failure(hex("0b", "0b", utf8("<a/>x")), fourBytes));
  }

  @Test
  void countsAboveElementLimitAreRejectedBeforeAllocating() {
    // 70000 items each: U29 88c561 = 70000 << 1 | 1
    assertEquals("AMF3 array of 70000 elements exceeds limit 65536 at offset 1",
        failure(hex("09", "88c561", "01")));
    assertEquals("AMF3 vector of 70000 elements exceeds limit 65536 at offset 1",
        failure(hex("0f", "88c561", "00")));
    assertEquals("AMF3 dictionary of 70000 elements exceeds limit 65536 at offset 1",
        failure(hex("11", "88c561", "00")));
    // 70000 sealed members: U29 c4ae03 = 70000 << 4 | 0b011
    assertEquals("AMF3 sealed member list of 70000 elements exceeds limit 65536 at offset 1",
        failure(hex("0a", "c4ae03", "01")));
  }

  @Test
  void countsAboveRemainingBytesAreTruncation() {
    String message = failure(hex("0f", "0b", "00", "3ff0000000000000")); // 5 doubles, 1 given
    assertTrue(message.startsWith("truncated AMF3 vector (5 elements need at least 40 bytes"),
        message);
  }

  @Test
  void tooManyAssociativeOrDynamicMembersIsRejected() {
    String threeMembers = "03" + utf8("a") + "01" + "03" + utf8("b") + "01"
        + "03" + utf8("c") + "01" + "01";
    assertEquals("AMF3 array associative part has more than 2 members at offset 0",
        failure(hex("09", "01", threeMembers), TWO_ELEMENTS));
    assertEquals("AMF3 object has more than 2 members at offset 0",
        failure(hex("0a", "0b", "01", threeMembers), TWO_ELEMENTS));
  }

  @Test
  void sealedAndDynamicMembersCountTogether() {
    Buffer vector = hex(
        "0a", "1b", "01",           // anonymous, dynamic, 1 sealed member
        "03", utf8("s"), "01",      // sealed s = null
        "03", utf8("a"), "01",      // dynamic a = null
        "03", utf8("b"), "01",      // dynamic b = null: the third member
        "01");
    assertEquals("AMF3 object has more than 2 members at offset 0",
        failure(vector, TWO_ELEMENTS));
  }

  @Test
  void randomAndMutatedInputOnlyEverThrowsAmfException() {
    Random random = new Random(20240602);
    List<Buffer> seeds = Amf3Vectors.singleValueVectors();
    for (int round = 0; round < 20_000; round++) {
      Buffer input;
      if (round % 2 == 0) {
        byte[] bytes = new byte[random.nextInt(48)];
        for (int i = 0; i < bytes.length; i++) {
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
        readAll(input, AmfLimits.DEFAULT);
      } catch (AmfException expected) {
        // the only acceptable failure
      } catch (RuntimeException | Error e) {
        fail("input " + Hex.hexOf(input) + " threw " + e, e);
      }
    }
  }
}

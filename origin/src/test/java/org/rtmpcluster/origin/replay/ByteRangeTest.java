package org.rtmpcluster.origin.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** Range headers (RFC 9110 14.1.2) against a file of 100 bytes. */
class ByteRangeTest {
  private static final long SIZE = 100;

  @Test
  void theThreeFormsAreClippedToTheFile() {
    assertEquals(new ByteRange(10, 19), ByteRange.parse("bytes=10-19", SIZE));
    assertEquals(new ByteRange(10, 99), ByteRange.parse("bytes=10-", SIZE));
    assertEquals(new ByteRange(90, 99), ByteRange.parse("bytes=-10", SIZE));
    assertEquals(new ByteRange(0, 99), ByteRange.parse("bytes=-500", SIZE), "a suffix longer than the file");
    assertEquals(new ByteRange(95, 99), ByteRange.parse("bytes=95-5000", SIZE));
    assertEquals(new ByteRange(95, 99), ByteRange.parse("bytes=95-99999999999999999999999", SIZE), "past a long");
  }

  @Test
  void aStartPastTheEndOrAnEmptySuffixCannotBeServed() {
    assertEquals(ByteRange.UNSATISFIABLE, ByteRange.parse("bytes=100-", SIZE));
    assertEquals(ByteRange.UNSATISFIABLE, ByteRange.parse("bytes=-0", SIZE));
    assertEquals(ByteRange.UNSATISFIABLE, ByteRange.parse("bytes=99999999999999999999-", SIZE));
    assertEquals(ByteRange.UNSATISFIABLE, ByteRange.parse("bytes=0-", 0));
  }

  @Test
  void signsSeveralRangesAndOtherUnitsMeanTheWholeFile() {
    for (String header : new String[] {null, "bytes=--5", "bytes=+5-9", "bytes=-+5", "bytes=5--9", "bytes=1-2,4-5",
        "items=1-2", "bytes=-", "bytes=9-5", "bytes=a-b", "bytes= 5 - x"}) {
      assertNull(ByteRange.parse(header, SIZE), header);
    }
  }
}

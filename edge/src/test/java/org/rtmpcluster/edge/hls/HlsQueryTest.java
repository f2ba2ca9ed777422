package org.rtmpcluster.edge.hls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** LL-HLS delivery directives (RFC 8216bis 6.2.5.2) and the query a playlist passes on. */
class HlsQueryTest {
  @Test
  void directivesAreTakenOutAndTheRestIsPassedOn() {
    HlsQuery query = HlsQuery.parse("expires=9&_HLS_msn=12&kid=a&_HLS_part=3&token=x&_HLS_skip=YES");
    assertEquals(12, query.msn());
    assertEquals(3, query.part());
    assertEquals("expires=9&kid=a&token=x", query.passOn());
    assertNull(query.error());
  }

  @Test
  void aPartWithoutItsSegmentOrANumberThatIsNotOneIsABadRequest() {
    assertTrue(HlsQuery.parse("_HLS_part=2").error().contains("without _HLS_msn"));
    assertTrue(HlsQuery.parse("_HLS_msn=x").error().contains("_HLS_msn"));
    assertTrue(HlsQuery.parse("_HLS_msn=1&_HLS_part=-1").error().contains("_HLS_part"));
    assertTrue(HlsQuery.parse("_HLS_msn=99999999999999999999").error().contains("_HLS_msn"));
  }

  @Test
  void aQueryTooLongToPutOnEveryUriIsABadRequest() {
    assertTrue(HlsQuery.parse("token=" + "a".repeat(2_000)).error().contains("longer than"));
  }
}

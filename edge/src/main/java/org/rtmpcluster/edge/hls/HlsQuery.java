package org.rtmpcluster.edge.hls;

import java.util.StringJoiner;

/**
 * The query of an HLS request: LL-HLS's delivery directives (RFC 8216bis 6.2.5), and the rest
 * (a play token, say), which goes on every URI of the playlist so that a player sends it back.
 *
 * @param msn    {@code _HLS_msn}, or -1
 * @param part   {@code _HLS_part}, or -1
 * @param passOn the query without the directives
 * @param error  why the query is refused (400), or null
 */
record HlsQuery(long msn, int part, String passOn, String error) {
  static final HlsQuery NONE = new HlsQuery(-1, -1, "", null);
  /** The query passed on to every URI of a playlist at most: a token and a little more. */
  static final int MAX_PASS_ON = 1_024;

  static HlsQuery parse(String query) {
    if (query == null || query.isEmpty()) {
      return NONE;
    }
    long msn = -1;
    int part = -1;
    boolean hasMsn = false;
    boolean hasPart = false;
    StringJoiner rest = new StringJoiner("&");
    for (String pair : query.split("&", 64)) {
      if (pair.startsWith("_HLS_msn=")) {
        hasMsn = true;
        msn = number(pair.substring(9), Long.MAX_VALUE / 2);
      } else if (pair.startsWith("_HLS_part=")) {
        hasPart = true;
        part = (int) number(pair.substring(10), 1_000_000);
      } else if (!pair.startsWith("_HLS_") && !pair.isEmpty()) {
        rest.add(pair);
      }
    }
    // 6.2.5.2: _HLS_part needs _HLS_msn, and both are decimal integers.
    String error = hasMsn && msn < 0 ? "_HLS_msn is not a decimal integer"
        : hasPart && part < 0 ? "_HLS_part is not a decimal integer"
        : hasPart && !hasMsn ? "_HLS_part without _HLS_msn"
        : rest.length() > MAX_PASS_ON ? "query longer than " + MAX_PASS_ON + " characters"
        : null;
    return new HlsQuery(msn, part, rest.toString(), error);
  }

  /** A decimal number up to {@code max}, or -1 (the directive is then ignored). */
  private static long number(String text, long max) {
    if (text.isEmpty() || text.length() > 18 || !text.chars().allMatch(Character::isDigit)) {
      return -1;
    }
    long value = Long.parseLong(text);
    return value > max ? -1 : value;
  }
}

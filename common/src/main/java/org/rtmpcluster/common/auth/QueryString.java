package org.rtmpcluster.common.auth;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** The {@code a=1&b=2} after a stream name's '?', as players and encoders send it. */
public final class QueryString {
  /** A stream name's query is part of an AMF string; more parameters than this are not a player's. */
  static final int MAX_PARAMETERS = 64;

  private QueryString() {
  }

  /**
   * The parameters by name, percent-decoded; the first of a repeated name wins, and parameters
   * past {@value #MAX_PARAMETERS} are ignored. Never throws on malformed input.
   */
  public static Map<String, String> parse(String query) {
    Map<String, String> params = new HashMap<>();
    if (query == null || query.isEmpty()) {
      return params;
    }
    int count = 0;
    for (String pair : query.split("&", MAX_PARAMETERS + 1)) {
      if (++count > MAX_PARAMETERS) {
        break;
      }
      int eq = pair.indexOf('=');
      String name = decode(eq < 0 ? pair : pair.substring(0, eq));
      String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
      if (!name.isEmpty()) {
        params.putIfAbsent(name, value);
      }
    }
    return params;
  }

  private static String decode(String text) {
    try {
      return URLDecoder.decode(text, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return text; // a stray '%': take it as it is
    }
  }
}

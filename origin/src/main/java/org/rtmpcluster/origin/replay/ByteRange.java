package org.rtmpcluster.origin.replay;

/**
 * One byte range of a Range header (RFC 9110 14.1.2): {@code bytes=first-last}, {@code first-} or
 * {@code -suffix}, clipped to the file. Several ranges, or a header this does not read, mean the
 * whole file, as the RFC lets a server answer; a range that starts past the end cannot be served.
 */
record ByteRange(long first, long last) {
  static final ByteRange UNSATISFIABLE = new ByteRange(-1, -1);

  /** The range asked for in a file of {@code size} bytes; null for the whole file. */
  static ByteRange parse(String header, long size) {
    if (header == null || !header.startsWith("bytes=") || header.indexOf(',') >= 0) {
      return null;
    }
    String spec = header.substring("bytes=".length()).trim();
    int dash = spec.indexOf('-');
    if (dash < 0) {
      return null;
    }
    String from = spec.substring(0, dash).trim();
    String to = spec.substring(dash + 1).trim();
    // RFC 9110 14.1.1: positions are 1*DIGIT, no sign; one too large for a long means "to the end".
    if (!digits(from) && !from.isEmpty() || !digits(to) && !to.isEmpty() || from.isEmpty() && to.isEmpty()) {
      return null;
    }
    try {
      if (from.isEmpty()) {
        long suffix = to.length() > 18 ? Long.MAX_VALUE : Long.parseLong(to);
        return suffix == 0 || size == 0 ? UNSATISFIABLE : new ByteRange(Math.max(0, size - suffix), size - 1);
      }
      if (from.length() > 18) {
        return UNSATISFIABLE;
      }
      long first = Long.parseLong(from);
      long last = to.isEmpty() || to.length() > 18 ? size - 1 : Math.min(Long.parseLong(to), size - 1);
      if (first < 0 || first >= size) {
        return UNSATISFIABLE;
      }
      return last < first ? null : new ByteRange(first, last);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static boolean digits(String s) {
    return !s.isEmpty() && s.chars().allMatch(c -> c >= '0' && c <= '9');
  }
}

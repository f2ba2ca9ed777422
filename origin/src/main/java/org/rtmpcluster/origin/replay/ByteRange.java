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
    try {
      String from = spec.substring(0, dash).trim();
      String to = spec.substring(dash + 1).trim();
      if (from.isEmpty()) {
        long suffix = Long.parseLong(to);
        return suffix == 0 || size == 0 ? UNSATISFIABLE : new ByteRange(Math.max(0, size - suffix), size - 1);
      }
      long first = Long.parseLong(from);
      long last = to.isEmpty() ? size - 1 : Math.min(Long.parseLong(to), size - 1);
      if (first < 0 || first >= size) {
        return UNSATISFIABLE;
      }
      return last < first ? null : new ByteRange(first, last);
    } catch (NumberFormatException e) {
      return null;
    }
  }
}

package org.rtmpcluster.edge.hls;

/**
 * A file of a stream's HLS directory: the playlist, an init segment, a segment or a part.
 *
 * @param number the segment's number (segments and parts)
 * @param part   the part's index in its segment (parts)
 */
record HlsFile(Kind kind, long number, int part) {
  enum Kind { PLAYLIST, INIT, SEGMENT, PART }

  /** The file a request names, or null for none of ours. */
  static HlsFile parse(String file) {
    if (file.equals("index.m3u8") || file.equals("master.m3u8")) {
      return new HlsFile(Kind.PLAYLIST, 0, 0);
    }
    if (file.matches("init-[0-9a-f]{8}\\.mp4")) {
      return new HlsFile(Kind.INIT, 0, 0);
    }
    if (!file.endsWith(".m4s") || file.length() > 40) {
      return null;
    }
    String stem = file.substring(0, file.length() - 4);
    int dot = stem.indexOf('.');
    String segment = dot < 0 ? stem : stem.substring(0, dot);
    String part = dot < 0 ? null : stem.substring(dot + 1);
    if (!digits(segment, 18) || part != null && !digits(part, 4)) {
      return null;
    }
    long number = Long.parseLong(segment);
    return part == null ? new HlsFile(Kind.SEGMENT, number, 0) : new HlsFile(Kind.PART, number, Integer.parseInt(part));
  }

  private static boolean digits(String text, int maxLength) {
    return !text.isEmpty() && text.length() <= maxLength && text.chars().allMatch(c -> c >= '0' && c <= '9');
  }
}

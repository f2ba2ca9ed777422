package org.rtmpcluster.common.stream;

/**
 * A stream's identity on a node and in the cluster: its app and its public name, as
 * {@code app/name}. Apps are namespaces: live/show and backstage/show are two streams, and a key
 * published in one app is not played in another.
 */
public final class StreamNames {
  private StreamNames() {
  }

  public static String of(String app, String name) {
    return app + "/" + name;
  }

  /** A name a peer chose, as a log line or a reply may show it: short, without control characters. */
  public static String printable(String text) {
    String shown = text.length() > 64 ? text.substring(0, 64) + "..." : text;
    return shown.replaceAll("\\p{Cntrl}", "?");
  }

  /**
   * The app as a client's connect names it, for matching: without a query string some encoders
   * append to it, and without a trailing slash.
   */
  public static String normalizeApp(String app) {
    if (app == null) {
      return "";
    }
    int query = app.indexOf('?');
    String bare = query < 0 ? app : app.substring(0, query);
    while (bare.endsWith("/")) {
      bare = bare.substring(0, bare.length() - 1);
    }
    return bare;
  }
}

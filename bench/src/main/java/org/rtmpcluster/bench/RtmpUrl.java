package org.rtmpcluster.bench;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/** rtmp://host[:port]/app/stream, split the way RTMP clients split it: the app is the first path segment. */
public record RtmpUrl(String host, int port, String app, String stream) {

  static final int DEFAULT_PORT = 1935;

  public static RtmpUrl parse(String url) {
    return parse(url, "rtmp", DEFAULT_PORT);
  }

  /**
   * http://host[:port]/app/stream, the same split, for the load client's HTTP viewers: the host
   * and port of an edge's play-http listener, and the app and name they play.
   */
  public static RtmpUrl parseHttp(String url) {
    return parse(url, "http", 80);
  }

  private static RtmpUrl parse(String url, String scheme, int defaultPort) {
    URI uri = URI.create(url);
    if (!scheme.equals(uri.getScheme()) || uri.getHost() == null) {
      throw new IllegalArgumentException("not an " + scheme + "://host/app/stream URL: " + url);
    }
    String path = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
    int slash = path.indexOf('/');
    if (slash <= 0 || slash == path.length() - 1) {
      throw new IllegalArgumentException("URL needs an app and a stream name: " + url);
    }
    return new RtmpUrl(uri.getHost(), uri.getPort() < 0 ? defaultPort : uri.getPort(),
        path.substring(0, slash), path.substring(slash + 1));
  }

  /**
   * The URLs of {@code count} streams numbered from this one: itself when count is 1 (so a
   * single-stream run keeps its names), otherwise {@code <stream>0} .. {@code <stream>count-1}.
   */
  public List<RtmpUrl> numbered(int count) {
    if (count < 1) {
      throw new IllegalArgumentException("a stream count must be positive, not " + count);
    }
    if (count == 1) {
      return List.of(this);
    }
    List<RtmpUrl> urls = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      urls.add(new RtmpUrl(host, port, app, stream + i));
    }
    return urls;
  }

  @Override
  public String toString() {
    return "rtmp://" + host + ":" + port + "/" + app + "/" + stream;
  }
}

package org.rtmpcluster.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.rtmpcluster.common.config.ClusterTlsSettings;
import org.rtmpcluster.common.config.PlayHttpSettings;
import org.rtmpcluster.common.config.Role;
import org.rtmpcluster.common.testing.FfmpegPublish;
import org.rtmpcluster.common.testing.RealClients;

/**
 * The same HLS on every edge (issue 11): two edges that started serving a stream seconds apart
 * give the same playlist entries and byte-identical init segments, segments and parts, so a load
 * balancer may send one viewer's requests to either and a CDN may cache them from any.
 */
class HlsAcrossEdgesTest {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private TestCluster cluster;

  @BeforeAll
  static void toolsAreInstalled() {
    RealClients.requireTools("ffmpeg");
  }

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private TestCluster.Member edge(String name) {
    return cluster.start(name, EnumSet.of(Role.EDGE), ClusterTlsSettings.NONE,
        config -> config.withPlayHttp(PlayHttpSettings.DEFAULT.withHost("127.0.0.1").withPort(0)));
  }

  private static HttpResponse<byte[]> get(TestCluster.Member edge, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.node().playHttpPort() + path))
        .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static String playlist(TestCluster.Member edge, String query) throws Exception {
    HttpResponse<byte[]> response = get(edge, "/live/a/index.m3u8" + query);
    assertEquals(200, response.statusCode(), new String(response.body()));
    return new String(response.body());
  }

  /** The playlist once it lists segment {@code number}, by blocking reloads of a segment at a time. */
  private static String playlistWith(TestCluster.Member edge, long number) throws Exception {
    String playlist = playlist(edge, "");
    while (segments(playlist).get(segments(playlist).size() - 1) < number) {
      playlist = playlist(edge, "?_HLS_msn=" + (segments(playlist).get(segments(playlist).size() - 1) + 1));
    }
    return playlist;
  }

  /** The numbers of the whole segments a playlist lists. */
  private static List<Long> segments(String playlist) {
    return playlist.lines().filter(line -> line.matches("\\d+\\.m4s"))
        .map(line -> Long.parseLong(line.substring(0, line.length() - 4))).toList();
  }

  /** A segment's entry: its parts, its duration and its URI. */
  private static List<String> entry(String playlist, long number) {
    List<String> block = new java.util.ArrayList<>();
    for (String line : playlist.lines().toList()) {
      if (line.startsWith("#EXT-X-PART:") || line.startsWith("#EXTINF:")) {
        block.add(line);
      } else if (line.endsWith(".m4s")) {
        block.add(line);
        if (line.equals(number + ".m4s")) {
          return block;
        }
        block.clear();
      }
    }
    throw new AssertionError("no segment " + number + " in\n" + playlist);
  }

  @Test
  void twoEdgesThatStartedApartServeTheSameSegmentsByteForByte() throws Exception {
    cluster = new TestCluster();
    TestCluster.Member origin = cluster.origin("origin-1");
    TestCluster.Member early = edge("edge-1");
    TestCluster.Member late = edge("edge-2");
    try (FfmpegPublish publish = RealClients.publish("rtmp://127.0.0.1:" + origin.node().port() + "/live/key-a", 40, 30)) {
      assertTrue(publish.isAlive(), publish.stderr());
      List<Long> first = segments(playlist(early, ""));
      // The late edge starts its segmenter two segments on (blocking reloads at the early edge wait for that).
      playlistWith(early, first.get(first.size() - 1) + 2);
      long lateFirst = segments(playlist(late, "")).get(0);
      // Both go on until the late one lists three whole segments of its own.
      String lateList = playlistWith(late, lateFirst + 3);
      String earlyList = playlistWith(early, lateFirst + 3);
      List<Long> common = segments(lateList).stream().filter(segments(earlyList)::contains).toList();
      assertTrue(common.size() >= 3, "segments in both playlists:\n" + earlyList + "\n" + lateList);
      for (long number : common) {
        // Parts are listed for the last few segments only, and the two were asked for at different times.
        List<String> earlyEntry = entry(earlyList, number);
        List<String> lateEntry = entry(lateList, number);
        if (earlyEntry.size() == lateEntry.size()) {
          assertEquals(earlyEntry, lateEntry, "the entry of segment " + number);
        } else {
          assertEquals(earlyEntry.subList(earlyEntry.size() - 2, earlyEntry.size()),
              lateEntry.subList(lateEntry.size() - 2, lateEntry.size()), "the entry of segment " + number);
        }
        assertArrayEquals(get(early, "/live/a/" + number + ".m4s").body(), get(late, "/live/a/" + number + ".m4s").body(),
            "the bytes of segment " + number);
        assertArrayEquals(get(early, "/live/a/" + number + ".0.m4s").body(), get(late, "/live/a/" + number + ".0.m4s").body(),
            "the bytes of part " + number + ".0");
      }
      String map = lateList.lines().filter(line -> line.startsWith("#EXT-X-MAP:")).findFirst().orElseThrow();
      assertTrue(earlyList.contains(map), "the same init segment: " + map);
      String init = map.substring(map.indexOf('"') + 1, map.lastIndexOf('"'));
      assertArrayEquals(get(early, "/live/a/" + init).body(), get(late, "/live/a/" + init).body());
    }
  }
}

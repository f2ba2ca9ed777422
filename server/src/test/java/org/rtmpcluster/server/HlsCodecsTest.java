package org.rtmpcluster.server;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rtmpcluster.client.RtmpClient;
import org.rtmpcluster.common.config.PlayHttpSettings;
import org.rtmpcluster.common.testing.Await;
import org.rtmpcluster.common.testing.ProcessResult;
import org.rtmpcluster.common.testing.RealClients;

/**
 * HLS of the codecs Enhanced RTMP brings (issue 11): an HEVC and an AV1 stream, encoded by ffmpeg
 * and published as E-RTMP (SequenceStart and coded frames with the FourCC hvc1 or av01) by the
 * project's client, come out as fMP4 with an hvc1/hvcC or av01/av1C track that ffprobe reads at
 * the encoded size and ffmpeg decodes without an error. Chromium in Debian decodes no HEVC, so
 * ffmpeg checks it here. Both streams are video only, which HLS serves too.
 */
class HlsCodecsTest {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final int FRAME_TYPE_KEY = 1 << 4;
  private static final int FRAME_TYPE_INTER = 2 << 4;
  private static final int SEQUENCE_START = 0;
  private static final int CODED_FRAMES = 1;

  @TempDir
  Path dir;

  private TestNode node;

  @BeforeAll
  static void toolsAreInstalled() {
    RealClients.requireTools("ffmpeg", "ffprobe");
  }

  @AfterEach
  void stop() {
    if (node != null) {
      node.close();
    }
  }

  /** Eight seconds of testsrc2 at 320x180, 30 fps, a keyframe each second, as fragmented MP4. */
  private Fmp4Samples encode(List<String> codec) throws Exception {
    Path mp4 = dir.resolve("in.mp4");
    List<String> command = new java.util.ArrayList<>(List.of("ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
        "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=30", "-t", "8", "-pix_fmt", "yuv420p"));
    command.addAll(codec);
    command.addAll(List.of("-movflags", "frag_keyframe+empty_moov+default_base_moof", "-f", "mp4", mp4.toString()));
    Process ffmpeg = new ProcessBuilder(command).redirectErrorStream(true).start();
    assertTrue(ffmpeg.waitFor(120, TimeUnit.SECONDS), "ffmpeg encodes in time");
    String output = new String(ffmpeg.getInputStream().readAllBytes());
    assertEquals(0, ffmpeg.exitValue(), output);
    return Fmp4Samples.read(Buffer.buffer(Files.readAllBytes(mp4)));
  }

  /** Publishes the samples as E-RTMP in real time, one frame every 33 ms, from the client's event loop. */
  private RtmpClient publish(Fmp4Samples track) {
    RtmpClient client = Await.result(RtmpClient.connect(node.vertx, "127.0.0.1", node.port(), "live"));
    int msid = Await.on(client.context(), () -> client.publish(TestNode.KEY.key()));
    Buffer fourCc = Buffer.buffer(track.sampleEntry());
    Await.run(client.context(), () -> {
      client.sendVideo(msid, 0, Buffer.buffer().appendByte((byte) (0x80 | FRAME_TYPE_KEY | SEQUENCE_START))
          .appendBuffer(fourCc).appendBuffer(track.record()));
      int[] next = {0};
      node.vertx.setPeriodic(33, id -> {
        if (next[0] == track.samples().size()) {
          node.vertx.cancelTimer(id);
          return;
        }
        Fmp4Samples.Sample sample = track.samples().get(next[0]++);
        Buffer payload = Buffer.buffer().appendByte((byte) (0x80 | (sample.sync() ? FRAME_TYPE_KEY : FRAME_TYPE_INTER)
            | CODED_FRAMES)).appendBuffer(fourCc);
        if (!track.sampleEntry().equals("av01")) {
          payload.appendMedium((int) (sample.compositionOffset() * 1000 / track.timescale()));
        }
        client.sendVideo(msid, sample.decodeTime() * 1000 / track.timescale(), payload.appendBuffer(sample.data()));
      });
    });
    return client;
  }

  private String url(String path) {
    return "http://127.0.0.1:" + node.node.playHttpPort() + path;
  }

  private void servesAsHls(List<String> codec, String sampleEntry, String configBox, String probedCodec) throws Exception {
    Fmp4Samples track = encode(codec);
    assertEquals(sampleEntry, track.sampleEntry());
    node = TestNode.start(c -> c.withPlayHttp(PlayHttpSettings.DEFAULT.withHost("127.0.0.1").withPort(0)));
    RtmpClient publisher = publish(track);
    Await.until(() -> node.node.hub().get(TestNode.STREAM) != null && node.node.hub().get(TestNode.STREAM).isLive(),
        "the stream is live");
    // The segmenter starts on the first request; the playlist comes once a segment is cut.
    CompletableFuture<HttpResponse<String>> first = HTTP.sendAsync(HttpRequest.newBuilder(URI.create(
        url("/live/show/index.m3u8"))).timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> playlist = first.get(30, TimeUnit.SECONDS);
    assertEquals(200, playlist.statusCode(), playlist.body());
    String map = playlist.body().lines().filter(line -> line.startsWith("#EXT-X-MAP:")).findFirst().orElseThrow();
    String init = map.substring(map.indexOf('"') + 1, map.lastIndexOf('"'));
    byte[] initBytes = HTTP.send(HttpRequest.newBuilder(URI.create(url("/live/show/" + init))).build(),
        HttpResponse.BodyHandlers.ofByteArray()).body();
    String initText = new String(initBytes, java.nio.charset.StandardCharsets.ISO_8859_1);

    JsonObject probed = RealClients.probeLiveVideo(url("/live/show/index.m3u8"), 2);
    ProcessResult decoded = RealClients.decode(url("/live/show/index.m3u8"), 2);
    assertAll(probed.encode() + "\n" + decoded.describe(),
        () -> assertTrue(initText.contains(sampleEntry) && initText.contains(configBox), "the sample entry"),
        () -> assertEquals(probedCodec, probed.getString("codec_name")),
        () -> assertEquals(320, probed.getInteger("width")),
        () -> assertEquals(180, probed.getInteger("height")),
        () -> assertTrue(Integer.parseInt(probed.getString("nb_read_frames", "0")) >= 30, "frames decoded"),
        () -> assertTrue(decoded.exitedCleanly(), "ffmpeg -xerror decodes it"));
    Await.result(publisher.close());
  }

  @Test
  void hevcFromEnhancedRtmpIsServedAsHvc1() throws Exception {
    servesAsHls(List.of("-c:v", "libx265", "-preset", "ultrafast", "-tag:v", "hvc1",
        "-x265-params", "keyint=30:min-keyint=30:scenecut=0:bframes=0:log-level=error"), "hvc1", "hvcC", "hevc");
  }

  @Test
  void av1FromEnhancedRtmpIsServedAsAv01() throws Exception {
    servesAsHls(List.of("-c:v", "libsvtav1", "-preset", "12", "-g", "30"), "av01", "av1C", "av1");
  }
}
